// numpy indexing as arguments: a[1:5, ::2, -1] is a.get('1:5', '::2', -1) (or a.get('1:5, ::2, -1')).
// An index is a number (drops its axis), a slice string 'start:stop:step' (negatives count
// from the end, steps may be negative), '...' (every axis not named), null (np.newaxis: a new
// axis of size 1), or an integer array / list (numpy's integer-array indexing: the index
// arrays broadcast together; their axes replace the indexed ones, or go first when the
// indexed axes are not next to each other — numpy's rule, numbers then count as arrays).
// get() returns a copy; set() writes into the array; add_at() accumulates like np.add.at.

import { broadcastShapes, broadcastTo } from './broadcast';
import { ArrayInput, IndexError, NDArray, ShapeError, advance, alloc, asarray, checkShape, comparisons, describe, fmtShape, gather, stridesOf } from './ndarray';

export type IndexItem = number | string | null | NDArray | readonly number[] | readonly (readonly number[])[];

const ELLIPSIS = Symbol('...');
type Slice = { start?: number; stop?: number; step?: number; text: string };
type Item = number | Slice | null | typeof ELLIPSIS | NDArray;

function parseInt_(t: string, text: string, where: string): number | undefined {
  if (t === '') return undefined;
  if (!/^[+-]?\d+$/.test(t)) throw new IndexError(`${where}: '${text}' is not an index (write a number or 'start:stop:step', e.g. '1:5' or '::2')`);
  return Number(t);
}

/** the items of one index, strings parsed ('1:3, :' is two items) */
function parseItems(raw: unknown[], where: string): Item[] {
  const out: Item[] = [];
  raw.forEach((x, k) => {
    if (typeof x === 'string') {
      for (const part of x.split(',')) {
        const t = part.trim();
        if (t === '...') out.push(ELLIPSIS);
        else if (t === 'None' || t === 'newaxis' || t === 'np.newaxis') out.push(null);
        else if (t.includes(':')) {
          const f = t.split(':');
          if (f.length > 3) throw new IndexError(`${where}: '${t}' is not a slice (write 'start:stop:step')`);
          const step = parseInt_(f[2]?.trim() ?? '', t, where);
          if (step === 0) throw new IndexError(`${where}: slice step cannot be zero ('${t}')`);
          out.push({ start: parseInt_(f[0].trim(), t, where), stop: parseInt_(f[1].trim(), t, where), step, text: t });
        } else if (t === '' && x.split(',').length > 1) {
          continue; // a trailing comma, as in '0,'
        } else out.push(parseInt_(t, t, where)!);
      }
    } else if (x === null) out.push(null);
    else if (typeof x === 'number') {
      if (!Number.isInteger(x)) throw new IndexError(`${where}: only integers, slices ('1:5'), '...', null (newaxis) and integer arrays are valid indices, not ${x}`);
      out.push(x);
    } else if (x instanceof NDArray || Array.isArray(x)) {
      if (comparisons.has(x)) {
        throw new IndexError(`${where}: boolean masks (A[A > 0]) are not offered: keep the shape with np.where(mask, A, 0) or np.multiply(A, mask)`);
      }
      const a = asarray(x, where);
      if (!a.data.every((v) => Number.isInteger(v))) throw new IndexError(`${where}: index arrays hold integers; the one at position ${k} does not`);
      out.push(a);
    } else throw new IndexError(`${where}: index ${k} is ${describe(x)}, not a number, a slice string, null or an integer array`);
  });
  return out;
}

interface Dim {
  size: number;
  /** the step in the source per step along this output axis */
  stride: number;
  /** the step in the broadcast index arrays' flat index (axes of the index arrays) */
  bstride: number;
}
export interface Selection {
  shape: number[];
  base: number;
  dims: Dim[];
  /** integer index arrays, broadcast and flattened, and the source stride each one walks */
  adv: { idx: Float64Array; stride: number }[];
}

function bound(i: number, n: number, axis: number, where: string): number {
  if (i < -n || i >= n) throw new IndexError(`${where}: index ${i} is out of bounds for axis ${axis} with size ${n}`);
  return i < 0 ? i + n : i;
}

/** numpy's slice.indices(n): first index, length, step */
function sliceRange(s: Slice, n: number): { start: number; len: number; step: number } {
  const step = s.step ?? 1;
  const norm = (v: number | undefined, dflt: number, lo: number, hi: number) => (v === undefined ? dflt : Math.min(hi, Math.max(lo, v < 0 ? v + n : v)));
  if (step > 0) {
    const start = norm(s.start, 0, 0, n);
    const stop = norm(s.stop, n, 0, n);
    return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
  }
  const start = norm(s.start, n - 1, -1, n - 1);
  const stop = norm(s.stop, -1, -1, n - 1);
  return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
}

/** which elements of `a` an index selects, in the order of the result */
export function select(a: NDArray, raw: unknown[], where: string): Selection {
  const items = parseItems(raw, where);
  const consumes = (it: Item) => it !== null && it !== ELLIPSIS;
  const used = items.filter(consumes).length;
  const ellipses = items.filter((it) => it === ELLIPSIS).length;
  if (ellipses > 1) throw new IndexError(`${where}: an index can only have a single ellipsis ('...')`);
  if (used > a.ndim) throw new IndexError(`${where}: too many indices for array: array is ${a.ndim}-dimensional, but ${used} were indexed`);
  const full = (): Slice => ({ text: ':' });
  const fill = Array.from({ length: a.ndim - used }, full);
  const list: Item[] = ellipses ? items.flatMap((it) => (it === ELLIPSIS ? fill : [it])) : [...items, ...fill];
  const hasArray = list.some((it) => it instanceof NDArray);
  const st = stridesOf(a.shape);
  let base = 0;
  let d = 0;
  const dims: (Dim | 'adv')[] = [];
  const advItems: { arr: NDArray; stride: number; at: number }[] = [];
  list.forEach((it, k) => {
    if (it === null) dims.push({ size: 1, stride: 0, bstride: 0 });
    else if (typeof it === 'number' && !hasArray) base += bound(it, a.shape[d], d, where) * st[d++];
    else if (typeof it === 'number' || it instanceof NDArray) {
      const arr = typeof it === 'number' ? new NDArray(Float64Array.of(it), []) : it;
      const n = a.shape[d];
      const norm = arr.data.map((v) => bound(v, n, d, where));
      advItems.push({ arr: new NDArray(norm, arr.shape), stride: st[d++], at: k });
      dims.push('adv');
    } else if (it !== ELLIPSIS) {
      const r = sliceRange(it, a.shape[d]);
      if (r.len > 0) base += r.start * st[d];
      dims.push({ size: r.len, stride: r.step * st[d++], bstride: 0 });
    }
  });
  if (advItems.length === 0) {
    const ds = dims as Dim[];
    return { shape: ds.map((x) => x.size), base, dims: ds, adv: [] };
  }
  const B = broadcastShapes(`${where} (index arrays)`, ...advItems.map((x) => x.arr.shape));
  checkShape(B, where);
  const bst = stridesOf(B);
  const bdims: Dim[] = B.map((size, i) => ({ size, stride: 0, bstride: bst[i] }));
  const ats = advItems.map((x) => x.at);
  const together = ats.every((p, i) => i === 0 || p === ats[i - 1] + 1);
  const rest = dims.filter((x): x is Dim => x !== 'adv');
  let out: Dim[];
  if (together) {
    const first = dims.indexOf('adv');
    const before = dims.slice(0, first).filter((x): x is Dim => x !== 'adv');
    out = [...before, ...bdims, ...rest.slice(before.length)];
  } else out = [...bdims, ...rest];
  const adv = advItems.map((x) => ({ idx: broadcastTo(x.arr, B, where).data, stride: x.stride }));
  return { shape: out.map((x) => x.size), base, dims: out, adv };
}

/** the flat source offset of every selected element, in the result's order */
export function offsets(sel: Selection, where: string): Int32Array {
  const n = alloc(sel.shape, where).size;
  const res = new Int32Array(n);
  if (n === 0) return res;
  const adv = sel.adv;
  const nd = sel.dims.length;
  if (nd === 0) {
    res[0] = adv.reduce((o, x) => o + x.idx[0] * x.stride, sel.base);
    return res;
  }
  const size = sel.dims.map((x) => x.size);
  const strides = [sel.dims.map((x) => x.stride), sel.dims.map((x) => x.bstride)];
  const idx = new Array<number>(nd).fill(0);
  // off[0]: the source offset of the basic axes; off[1]: the flat index into the index arrays
  const off = [sel.base, 0];
  const inner = size[nd - 1];
  const si = strides[0][nd - 1];
  const bi = strides[1][nd - 1];
  for (let k = 0; k < n; ) {
    const o0 = off[0];
    const b0 = off[1];
    if (adv.length === 0) for (let j = 0; j < inner; j++) res[k++] = o0 + j * si;
    else {
      for (let j = 0; j < inner; j++) {
        let o = o0 + j * si;
        for (const x of adv) o += x.idx[b0 + j * bi] * x.stride;
        res[k++] = o;
      }
    }
    advance(idx, size, off, strides, nd - 2);
  }
  return res;
}

/** a[idx…] as a new array */
export function getItem(a: NDArray, idx: unknown[]): NDArray {
  const sel = select(a, idx, 'get');
  if (sel.adv.length === 0) {
    return gather(
      a.data,
      sel.base,
      sel.shape,
      sel.dims.map((x) => x.stride),
      'get',
    );
  }
  const off = offsets(sel, 'get');
  const out = alloc(sel.shape, 'get');
  for (let k = 0; k < off.length; k++) out.data[k] = a.data[off[k]];
  return out;
}

/** the value broadcast to the selection's shape (leading size-1 axes of the value may go) */
function valuesFor(value: ArrayInput, shape: number[], where: string): Float64Array {
  let v = asarray(value, where);
  while (v.ndim > shape.length && v.shape[0] === 1) v = new NDArray(v.data, v.shape.slice(1));
  if (v.ndim === shape.length && v.shape.every((n, i) => n === shape[i])) return v.data;
  try {
    return broadcastTo(v, shape, where).data;
  } catch {
    throw new ShapeError(`${where}: could not broadcast input array from shape ${fmtShape(asarray(value).shape)} into shape ${fmtShape(shape)}`);
  }
}

/** a[idx…] = value (value broadcast to the selection); with repeated indices the last write wins */
export function setItem(a: NDArray, args: unknown[]): void {
  if (args.length === 0) throw new IndexError('set: give the index, then the value: a.set(0, \':\', value)');
  const value = args[args.length - 1] as ArrayInput;
  const sel = select(a, args.slice(0, -1), 'set');
  const v = valuesFor(value, sel.shape, 'set');
  const off = offsets(sel, 'set');
  const dst = a.data;
  for (let k = 0; k < off.length; k++) dst[off[k]] = v[k];
}

/**
 * numpy's np.add.at(a, indices, values): a[indices] += values, unbuffered — a repeated index
 * adds every time. `indices` is one index (a number, a slice string, an integer list or array)
 * or a list of per-axis indices: np.add_at(a, [rows, cols], v), np.add_at(a, [':', '1:3'], v).
 */
export function add_at(a: NDArray, indices: unknown, values: ArrayInput): void {
  if (!(a instanceof NDArray)) throw new TypeError(`add_at: the first argument is the array to add into, not ${describe(a)}`);
  const tuple = Array.isArray(indices) && indices.some((x) => typeof x !== 'number');
  const sel = select(a, tuple ? (indices as unknown[]) : [indices], 'add_at');
  const v = valuesFor(values, sel.shape, 'add_at');
  const off = offsets(sel, 'add_at');
  const dst = a.data;
  for (let k = 0; k < off.length; k++) dst[off[k]] += v[k];
}
