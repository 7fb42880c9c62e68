// The array: float64 storage, row-major (C order), always contiguous. Every operation
// returns a new array (numpy returns views for slices and transposes; here they are
// copies, so writing into a slice is `a.set(...)` or `np.add_at(...)`).
//
// Limits: an array over 2^24 elements, or a shape with a negative or non-integer size, is
// refused with ArrayTooLarge / ShapeError naming the shape — never a dead tab.
// Counting: every np function and NDArray method a caller invokes adds 1 to `opCount()`
// (calls made inside another counted call add nothing), so a loop over the examples of
// a batch shows up as a count that grows with the batch size.

export type Shape = number[];
/** a JavaScript number, boolean or nested list that `np.array` turns into an array */
export type Nested = number | boolean | NDArray | readonly Nested[];
/** anything an np function accepts where numpy accepts an array */
export type ArrayInput = NDArray | Nested | Float64Array | Float32Array | Int32Array;

/** the most elements one array may hold: 2^24 (128 MiB of float64) */
export const MAX_ELEMENTS = 2 ** 24;

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}
export class ArrayTooLarge extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArrayTooLarge';
  }
}
export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

/** numpy's way of writing a shape: (3,4), (3,), () */
export function fmtShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** validates a shape a caller asked for: non-negative integers, at most 2^24 elements */
export function checkShape(shape: unknown, where: string): Shape {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) throw new ShapeError(`${where}: a shape is a number or a list of numbers, not ${describe(shape)}`);
  for (const d of s) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: the shape ${fmtRaw(s)} has a size that is not a non-negative integer (${describe(d)})`);
    }
  }
  const n = sizeOf(s);
  if (n > MAX_ELEMENTS) {
    throw new ArrayTooLarge(`${where}: an array of shape ${fmtShape(s)} would hold ${n.toLocaleString('en-US')} elements, over the limit of ${MAX_ELEMENTS.toLocaleString('en-US')} (2^24)`);
  }
  return [...s];
}

function fmtRaw(s: unknown[]): string {
  return `(${s.map((d) => describe(d)).join(',')}${s.length === 1 ? ',' : ''})`;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return `'${x}'`;
  if (x instanceof NDArray) return `an array of shape ${fmtShape(x.shape)}`;
  if (Array.isArray(x)) return 'a list';
  return typeof x;
}

/** C-order strides of a contiguous array of this shape */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = s;
    s *= shape[d];
  }
  return st;
}

// ---- the op counter ----

let ops = 0;
let depth = 0;

/** how many np functions and NDArray methods were called since the last reset */
export function opCount(): number {
  return ops;
}
export function resetOpCount(): void {
  ops = 0;
}

/** wraps a public function so that one outside call counts 1, however many it makes inside */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function counted<F extends (...args: any[]) => any>(f: F): F {
  const g = function (this: unknown, ...args: unknown[]) {
    if (depth++ === 0) ops++;
    try {
      return f.apply(this, args);
    } finally {
      depth--;
    }
  };
  Object.defineProperty(g, 'name', { value: f.name });
  return g as unknown as F;
}

/**
 * the 0/1 results of comparisons (np.greater …): numpy would index with them as boolean
 * masks, which this module does not offer — get() refuses them rather than read 0/1 as rows
 */
export const comparisons = new WeakSet<object>();

// ---- the array ----

export class NDArray {
  /** the array's dimensions; frozen (reshape makes a new array) */
  readonly shape: number[];
  private readonly buf: Float64Array;

  /** internal: wraps `buf` (not copied) as an array of `shape`; use np.array / np.zeros */
  constructor(buf: Float64Array, shape: readonly number[]) {
    if (buf.length !== sizeOf(shape)) throw new ShapeError(`NDArray: ${buf.length} values do not fill shape ${fmtShape(shape)}`);
    this.buf = buf;
    this.shape = Object.freeze([...shape]) as number[];
  }

  /** the values in row-major order (the array's own storage: read, do not write) */
  get data(): Float64Array {
    return this.buf;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.buf.length;
  }
  get dtype(): 'float64' {
    return 'float64';
  }

  /** the single value of a one-element array, as a JavaScript number */
  item(): number {
    if (this.buf.length !== 1) throw new ShapeError(`item: only an array of one element can be converted to a number, not shape ${fmtShape(this.shape)}`);
    return this.buf[0];
  }

  /** nested JavaScript lists (a number for a 0-d array) */
  tolist(): Nested {
    const rec = (d: number, off: number): Nested => {
      if (d === this.shape.length) return this.buf[off];
      const step = sizeOf(this.shape.slice(d + 1));
      const out: Nested[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(rec(d + 1, off + i * step));
      return out;
    };
    return rec(0, 0);
  }

  copy(): NDArray {
    return new NDArray(this.buf.slice(), this.shape);
  }

  /** `x + 1`, `-x`, `Math.log(x)` work on a one-element array; on larger ones they are refused */
  [Symbol.toPrimitive](hint: string): number | string {
    // a 0-d array reads as its number in a template: `${i}:${i + k}`
    if (hint === 'string') return this.shape.length === 0 ? String(this.buf[0]) : this.toString();
    if (this.buf.length === 1) return this.buf[0];
    throw new TypeError(
      `JavaScript's operators (+ - * / < …) do not work on arrays (here one of shape ${fmtShape(this.shape)}): ` +
        'use np.add, np.subtract, np.multiply, np.divide, np.less … or a.add(b)',
    );
  }

  toString(): string {
    const fmt = (v: number) => (Number.isInteger(v) && Math.abs(v) < 1e15 ? `${v}.` : String(+v.toPrecision(8)));
    const rec = (d: number, off: number, indent: string): string => {
      if (d === this.shape.length) return fmt(this.buf[off]);
      const step = sizeOf(this.shape.slice(d + 1));
      const n = this.shape[d];
      const parts: string[] = [];
      const show = n > 12 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
      for (const i of show) parts.push(i < 0 ? '...' : rec(d + 1, off + i * step, indent + ' '));
      const sep = d === this.shape.length - 1 ? ', ' : ',\n' + indent + ' ';
      return '[' + parts.join(sep) + ']';
    };
    return `array(${rec(0, 0, '      ')})`;
  }
}

/** a new zero-filled array, after checking the shape against the limits */
export function alloc(shape: unknown, where: string): NDArray {
  const s = checkShape(shape, where);
  return new NDArray(new Float64Array(sizeOf(s)), s);
}

/** an array from numbers, booleans, typed arrays, nested lists (of arrays too); NDArrays pass through */
export function asarray(x: unknown, where = 'asarray'): NDArray {
  if (x instanceof NDArray) return x;
  if (typeof x === 'number') return new NDArray(Float64Array.of(x), []);
  if (typeof x === 'boolean') return new NDArray(Float64Array.of(x ? 1 : 0), []);
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const t = x as unknown as ArrayLike<number>;
    checkShape([t.length], where);
    return new NDArray(Float64Array.from(t), [t.length]);
  }
  if (!Array.isArray(x)) throw new TypeError(`${where}: expected an array, a number or a list of numbers, got ${describe(x)}`);
  const shape: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe) || probe instanceof NDArray) {
    if (probe instanceof NDArray) {
      shape.push(...probe.shape);
      break;
    }
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const out = alloc(shape, where);
  const data = out.data;
  let k = 0;
  const fill = (v: unknown, d: number, path: string): void => {
    if (v instanceof NDArray) {
      const rest = shape.slice(d);
      if (v.shape.length !== rest.length || v.shape.some((n, i) => n !== rest[i])) {
        throw new ShapeError(`${where}: the array at ${path || 'the top'} has shape ${fmtShape(v.shape)}, its neighbours ${fmtShape(rest)}`);
      }
      data.set(v.data, k);
      k += v.size;
      return;
    }
    if (d === shape.length) {
      if (typeof v === 'number') data[k++] = v;
      else if (typeof v === 'boolean') data[k++] = v ? 1 : 0;
      else throw new TypeError(`${where}: the element at ${path} is ${describe(v)}, not a number`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new ShapeError(`${where}: the nested lists are ragged: ${path || 'the top'} has ${Array.isArray(v) ? v.length + ' items' : describe(v)} where ${shape[d]} were expected`);
    }
    for (let i = 0; i < v.length; i++) fill(v[i], d + 1, `${path}[${i}]`);
  };
  fill(x, 0, '');
  return out;
}

/**
 * steps a row-major multi-index over `shape` by one along axis `from` (carrying into the
 * axes before it) and moves each offset offs[j] by strides[j] to match
 */
export function advance(idx: number[], shape: readonly number[], offs: number[], strides: (readonly number[])[], from = shape.length - 1): void {
  for (let d = from; d >= 0; d--) {
    for (let j = 0; j < offs.length; j++) offs[j] += strides[j][d];
    if (++idx[d] < shape[d]) return;
    for (let j = 0; j < offs.length; j++) offs[j] -= strides[j][d] * shape[d];
    idx[d] = 0;
  }
}

/** copies the elements a strided view selects: out[i0,…] = src[offset + Σ i_d·strides[d]] */
export function gather(src: Float64Array, offset: number, shape: readonly number[], strides: readonly number[], where: string): NDArray {
  const out = alloc(shape, where);
  const o = out.data;
  const n = o.length;
  if (n === 0) return out;
  // merge axes that are contiguous in the source (stride_d = size_{d+1}·stride_{d+1}) and
  // drop size-1 axes: the output is contiguous, so only the source decides
  const sh: number[] = [];
  const st: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && st[last] === strides[d] * shape[d]) {
      sh[last] *= shape[d];
      st[last] = strides[d];
    } else {
      sh.push(shape[d]);
      st.push(strides[d]);
    }
  }
  const nd = sh.length;
  if (nd === 0) {
    o[0] = src[offset];
    return out;
  }
  const inner = sh[nd - 1];
  const si = st[nd - 1];
  if (si === 1 && nd === 1) {
    o.set(src.subarray(offset, offset + inner));
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  const off = [offset];
  for (let k = 0; k < n; ) {
    for (let j = 0, o0 = off[0]; j < inner; j++) o[k++] = src[o0 + j * si];
    advance(idx, sh, off, [st], nd - 2);
  }
  return out;
}

/** the axis `ax` of an ndim-dimensional array as a non-negative number (numpy's negative axes) */
export function normAxis(ax: number, ndim: number, where: string): number {
  if (typeof ax !== 'number' || !Number.isInteger(ax)) throw new TypeError(`${where}: an axis is an integer, not ${describe(ax)}`);
  const a = ax < 0 ? ax + ndim : ax;
  if (a < 0 || a >= ndim) throw new ShapeError(`${where}: axis ${ax} is out of bounds for an array of dimension ${ndim}`);
  return a;
}
