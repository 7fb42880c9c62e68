// Elementwise arithmetic with numpy's broadcasting: shapes are aligned at their last axis;
// two sizes agree when they are equal or one of them is 1 (a missing axis counts as 1).
// (2,3) + (3,) → (2,3);  (4,1) · (1,5) → (4,5);  (2,3) + (4,) → ShapeError.

import { ArrayInput, NDArray, ShapeError, advance, alloc, asarray, comparisons, fmtShape, gather } from './ndarray';

/** the shape that `shapes` broadcast to, or a ShapeError naming them */
export function broadcastShapes(where: string, ...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = nd - s.length + i;
      const n = s[i];
      if (n === out[d] || n === 1) continue;
      if (out[d] === 1) out[d] = n;
      else {
        const names = shapes.map(fmtShape);
        throw new ShapeError(`${where}: operands could not be broadcast together with shapes ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
      }
    }
  }
  return out;
}

/** strides that read an array of `shape` as if it had `out` (0 along broadcast axes) */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const st = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = out.length - shape.length + i;
    st[d] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return st;
}

/** `a` broadcast to `shape` as a new contiguous array (numpy's broadcast_to, copied) */
export function broadcastTo(a: NDArray, shape: readonly number[], where: string): NDArray {
  const out = broadcastShapes(where, a.shape, shape);
  if (out.length !== shape.length || out.some((n, i) => n !== shape[i])) {
    throw new ShapeError(`${where}: could not broadcast an array of shape ${fmtShape(a.shape)} to shape ${fmtShape(shape)}`);
  }
  return gather(a.data, 0, out, broadcastStrides(a.shape, out), where);
}

type F1 = (x: number) => number;
type F2 = (x: number, y: number) => number;

export function unary(x: ArrayInput, f: F1, where: string): NDArray {
  const a = asarray(x, where);
  const out = alloc(a.shape, where);
  const s = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = f(s[i]);
  return out;
}

export function binary(x: ArrayInput, y: ArrayInput, f: F2, where: string): NDArray {
  const a = asarray(x, where);
  const b = asarray(y, where);
  const shape = broadcastShapes(where, a.shape, b.shape);
  const out = alloc(shape, where);
  const o = out.data;
  const A = a.data;
  const B = b.data;
  const n = o.length;
  if (A.length === n && B.length === n) for (let i = 0; i < n; i++) o[i] = f(A[i], B[i]);
  else if (A.length === n && B.length === 1) for (let i = 0, v = B[0]; i < n; i++) o[i] = f(A[i], v);
  else if (B.length === n && A.length === 1) for (let i = 0, v = A[0]; i < n; i++) o[i] = f(v, B[i]);
  else if (n > 0) {
    const nd = shape.length;
    const sa = broadcastStrides(a.shape, shape);
    const sb = broadcastStrides(b.shape, shape);
    const inner = shape[nd - 1];
    const ia = sa[nd - 1];
    const ib = sb[nd - 1];
    const idx = new Array<number>(nd).fill(0);
    const off = [0, 0];
    for (let k = 0; k < n; ) {
      for (let j = 0, oa = off[0], ob = off[1]; j < inner; j++) o[k++] = f(A[oa + j * ia], B[ob + j * ib]);
      advance(idx, shape, off, [sa, sb], nd - 2);
    }
  }
  return out;
}

// ---- the elementwise functions, by numpy's names ----

const b = (f: F2, name: string) => (x: ArrayInput, y: ArrayInput) => binary(x, y, f, name);
/** a comparison: its result is remembered as a would-be boolean mask */
const cmp = (f: F2, name: string) => (x: ArrayInput, y: ArrayInput) => {
  const r = binary(x, y, f, name);
  comparisons.add(r);
  return r;
};
const u = (f: F1, name: string) => (x: ArrayInput) => unary(x, f, name);

export const elementwise = {
  add: b((x, y) => x + y, 'add'),
  subtract: b((x, y) => x - y, 'subtract'),
  multiply: b((x, y) => x * y, 'multiply'),
  divide: b((x, y) => x / y, 'divide'),
  power: b((x, y) => x ** y, 'power'),
  maximum: b((x, y) => (x > y || Number.isNaN(x) ? x : y), 'maximum'),
  minimum: b((x, y) => (x < y || Number.isNaN(x) ? x : y), 'minimum'),
  equal: cmp((x, y) => (x === y ? 1 : 0), 'equal'),
  not_equal: cmp((x, y) => (x !== y ? 1 : 0), 'not_equal'),
  greater: cmp((x, y) => (x > y ? 1 : 0), 'greater'),
  greater_equal: cmp((x, y) => (x >= y ? 1 : 0), 'greater_equal'),
  less: cmp((x, y) => (x < y ? 1 : 0), 'less'),
  less_equal: cmp((x, y) => (x <= y ? 1 : 0), 'less_equal'),
  negative: u((x) => -x, 'negative'),
  sqrt: u(Math.sqrt, 'sqrt'),
  square: u((x) => x * x, 'square'),
  exp: u(Math.exp, 'exp'),
  log: u(Math.log, 'log'),
  abs: u(Math.abs, 'abs'),
  sign: u((x) => (x > 0 ? 1 : x < 0 ? -1 : x), 'sign'),
  tanh: u(Math.tanh, 'tanh'),
};

/** numpy's where: cond ≠ 0 (NaN included) picks a, else b; all three broadcast */
export function where(cond: ArrayInput, x: ArrayInput, y: ArrayInput): NDArray {
  const c = asarray(cond, 'where');
  const a = asarray(x, 'where');
  const bb = asarray(y, 'where');
  const shape = broadcastShapes('where', c.shape, a.shape, bb.shape);
  const out = alloc(shape, 'where');
  const o = out.data;
  if (o.length === 0) return out;
  const nd = shape.length;
  const strides = [c, a, bb].map((x) => broadcastStrides(x.shape, shape));
  const [sc, sa, sb] = strides.map((st) => (nd > 0 ? st[nd - 1] : 0));
  const inner = nd > 0 ? shape[nd - 1] : 1;
  const [C, A, B] = [c.data, a.data, bb.data];
  const idx = new Array<number>(nd).fill(0);
  const off = [0, 0, 0];
  for (let k = 0; k < o.length; ) {
    const [oc, oa, ob] = off;
    for (let j = 0; j < inner; j++) {
      const v = C[oc + j * sc];
      o[k++] = v !== 0 ? A[oa + j * sa] : B[ob + j * sb]; // NaN counts as true, as in numpy
    }
    advance(idx, shape, off, strides, nd - 2);
  }
  return out;
}

/** numpy's clip: min(max(a, lo), hi); null/undefined leaves that side open */
export function clip(x: ArrayInput, lo: ArrayInput | null | undefined, hi: ArrayInput | null | undefined): NDArray {
  let out = asarray(x, 'clip');
  if (lo != null) out = binary(out, lo, (p, q) => (p < q ? q : p), 'clip');
  if (hi != null) out = binary(out, hi, (p, q) => (p > q ? q : p), 'clip');
  return lo == null && hi == null ? out.copy() : out;
}

/** numpy's isclose: |a − b| ≤ atol + rtol·|b|, as 0/1 */
export function isclose(x: ArrayInput, y: ArrayInput, rtol = 1e-5, atol = 1e-8, equal_nan = false): NDArray {
  return binary(
    x,
    y,
    (p, q) => {
      if (Number.isNaN(p) || Number.isNaN(q)) return equal_nan && Number.isNaN(p) && Number.isNaN(q) ? 1 : 0;
      if (p === q) return 1;
      return Math.abs(p - q) <= atol + rtol * Math.abs(q) ? 1 : 0;
    },
    'isclose',
  );
}

export function allclose(x: ArrayInput, y: ArrayInput, rtol = 1e-5, atol = 1e-8, equal_nan = false): boolean {
  return isclose(x, y, rtol, atol, equal_nan).data.every((v) => v === 1);
}
