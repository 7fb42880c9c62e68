// Reductions with numpy's axis and keepdims: x (2,3,4), sum(x, 1) → (2,4);
// sum(x, [0,2]) → (3,); sum(x, -1, true) → (2,3,1); sum(x) → a 0-d array (shape ()).
// Written np.sum(x, axis, keepdims) or np.sum(x, { axis, keepdims }).

import { ArrayInput, NDArray, ShapeError, alloc, asarray, describe, normAxis } from './ndarray';
import { transpose } from './shape';

export type Axis = number | number[] | null | undefined;
/** the axis argument, or numpy's keywords as an object: { axis: 1, keepdims: true } */
export type AxisArg = Axis | { axis?: Axis; keepdims?: boolean };

function parseAxes(a: NDArray, axisArg: AxisArg, keepdimsArg: boolean | undefined, where: string): { axes: number[]; keepdims: boolean } {
  let axis: Axis = axisArg as Axis;
  let keepdims = keepdimsArg ?? false;
  if (axisArg !== null && typeof axisArg === 'object' && !Array.isArray(axisArg)) {
    axis = axisArg.axis;
    keepdims = axisArg.keepdims ?? keepdims;
  }
  if (typeof keepdims !== 'boolean') throw new TypeError(`${where}: keepdims is true or false, not ${describe(keepdims)}`);
  if (axis == null) return { axes: a.shape.map((_, i) => i), keepdims };
  const list = Array.isArray(axis) ? axis : [axis];
  const axes = list.map((ax) => normAxis(ax, a.ndim, where));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`${where}: an axis is repeated in ${JSON.stringify(list)}`);
  return { axes: axes.sort((p, q) => p - q), keepdims };
}

/**
 * out[kept…] = f(the values along the reduced axes, contiguous in `v` from `start`, `len` of them);
 * the reduced axes are moved last (a transposed copy) so each group is contiguous
 */
function reduceWith(
  x: ArrayInput,
  axisArg: AxisArg,
  keepdimsArg: boolean | undefined,
  where: string,
  f: (v: Float64Array, start: number, len: number) => number,
): NDArray {
  const a = asarray(x, where);
  const { axes, keepdims } = parseAxes(a, axisArg, keepdimsArg, where);
  const kept = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const moved = perm.every((p, i) => p === i) ? a : transpose(a, perm);
  const outShape = keepdims ? a.shape.map((n, i) => (axes.includes(i) ? 1 : n)) : kept.map((i) => a.shape[i]);
  const out = alloc(outShape, where);
  const len = axes.reduce((n, i) => n * a.shape[i], 1);
  const v = moved.data;
  const o = out.data;
  for (let k = 0; k < o.length; k++) o[k] = f(v, k * len, len);
  return out;
}

function noIdentity(where: string, op: string, len: number): void {
  if (len === 0) throw new ShapeError(`${where}: zero-size array to reduction operation ${op} which has no identity`);
}

export function sum(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return reduceWith(x, axis, keepdims, 'sum', (v, s, n) => {
    let t = 0;
    for (let i = s; i < s + n; i++) t += v[i];
    return t;
  });
}

export function prod(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return reduceWith(x, axis, keepdims, 'prod', (v, s, n) => {
    let t = 1;
    for (let i = s; i < s + n; i++) t *= v[i];
    return t;
  });
}

export function mean(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return reduceWith(x, axis, keepdims, 'mean', (v, s, n) => {
    let t = 0;
    for (let i = s; i < s + n; i++) t += v[i];
    return t / n;
  });
}

export function max(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return reduceWith(x, axis, keepdims, 'max', (v, s, n) => {
    noIdentity('max', 'maximum', n);
    let m = v[s];
    for (let i = s + 1; i < s + n; i++) if (v[i] > m || Number.isNaN(v[i])) m = v[i];
    return m;
  });
}

export function min(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return reduceWith(x, axis, keepdims, 'min', (v, s, n) => {
    noIdentity('min', 'minimum', n);
    let m = v[s];
    for (let i = s + 1; i < s + n; i++) if (v[i] < m || Number.isNaN(v[i])) m = v[i];
    return m;
  });
}

function argWith(x: ArrayInput, axisArg: AxisArg, keepdims: boolean | undefined, where: string, better: (p: number, q: number) => boolean): NDArray {
  const a = asarray(x, where);
  const axis = axisArg !== null && typeof axisArg === 'object' && !Array.isArray(axisArg) ? axisArg.axis : axisArg;
  if (Array.isArray(axis)) throw new TypeError(`${where}: axis is one integer (or undefined for the flattened array), not a list`);
  const f = (v: Float64Array, s: number, n: number) => {
    noIdentity(where, where, n);
    let k = 0;
    for (let i = 1; i < n; i++) {
      if (Number.isNaN(v[s + k])) break;
      if (better(v[s + i], v[s + k]) || Number.isNaN(v[s + i])) k = i;
    }
    return k;
  };
  if (axis == null) {
    const flat = new NDArray(a.data, [a.size]);
    const r = reduceWith(flat, 0, false, where, f);
    return keepdims ? new NDArray(r.data, a.shape.map(() => 1)) : r;
  }
  return reduceWith(a, axisArg, keepdims, where, f);
}

/** index of the first maximum along `axis` (of the flattened array without one), as a float */
export function argmax(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return argWith(x, axis, keepdims, 'argmax', (p, q) => p > q);
}
export function argmin(x: ArrayInput, axis?: AxisArg, keepdims?: boolean): NDArray {
  return argWith(x, axis, keepdims, 'argmin', (p, q) => p < q);
}
