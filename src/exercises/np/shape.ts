// Shape changes, joins, padding and windows. All return new arrays.

import { ArrayInput, NDArray, ShapeError, advance, alloc, asarray, checkShape, describe, fmtShape, gather, normAxis, sizeOf, stridesOf } from './ndarray';

/** shape arguments: reshape(a, [2,3]), a.reshape(2, 3), a.reshape([2, 3]) */
export function shapeArgs(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : args;
}

/** numpy's reshape; one size may be -1 (inferred) */
export function reshape(x: ArrayInput, shape: number | number[]): NDArray {
  const a = asarray(x, 'reshape');
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) throw new ShapeError(`reshape: a shape is a number or a list of numbers, not ${describe(shape)}`);
  const minus = s.filter((d) => d === -1).length;
  if (minus > 1) throw new ShapeError(`reshape: can only specify one unknown dimension (-1) in ${fmtShape(s)}`);
  let target = s;
  if (minus === 1) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || a.size % known !== 0) throw new ShapeError(`reshape: cannot reshape array of size ${a.size} into shape ${fmtShape(s)}`);
    target = s.map((d) => (d === -1 ? a.size / known : d));
  }
  checkShape(target, 'reshape');
  if (sizeOf(target) !== a.size) throw new ShapeError(`reshape: cannot reshape array of size ${a.size} into shape ${fmtShape(s)}`);
  return new NDArray(a.data.slice(), target);
}

/** numpy's transpose: axes a permutation (default reversed); out.shape[i] = a.shape[axes[i]] */
export function transpose(x: ArrayInput, axes?: number[] | null): NDArray {
  const a = asarray(x, 'transpose');
  const nd = a.ndim;
  const perm = axes == null ? a.shape.map((_, i) => nd - 1 - i) : axes.map((ax) => normAxis(ax, nd, 'transpose'));
  if (perm.length !== nd || new Set(perm).size !== nd) {
    throw new ShapeError(`transpose: axes ${JSON.stringify(axes)} are not a permutation of the ${nd} axes of shape ${fmtShape(a.shape)}`);
  }
  const st = stridesOf(a.shape);
  return gather(
    a.data,
    0,
    perm.map((p) => a.shape[p]),
    perm.map((p) => st[p]),
    'transpose',
  );
}

/** numpy's swapaxes */
export function swapaxes(x: ArrayInput, a1: number, a2: number): NDArray {
  const a = asarray(x, 'swapaxes');
  const perm = a.shape.map((_, i) => i);
  const p = normAxis(a1, a.ndim, 'swapaxes');
  const q = normAxis(a2, a.ndim, 'swapaxes');
  [perm[p], perm[q]] = [perm[q], perm[p]];
  return transpose(a, perm);
}

/** inserts size-1 axes so that they sit at `axis` in the result: (3,4), 0 → (1,3,4); -1 → (3,4,1) */
export function expand_dims(x: ArrayInput, axis: number | number[]): NDArray {
  const a = asarray(x, 'expand_dims');
  const list = Array.isArray(axis) ? axis : [axis];
  const nd = a.ndim + list.length;
  const at = list.map((ax) => normAxis(ax, nd, 'expand_dims'));
  if (new Set(at).size !== at.length) throw new ShapeError(`expand_dims: an axis is repeated in ${JSON.stringify(list)}`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < nd; i++) shape.push(at.includes(i) ? 1 : a.shape[k++]);
  return new NDArray(a.data.slice(), shape);
}

/** removes size-1 axes (all of them, or the ones named) */
export function squeeze(x: ArrayInput, axis?: number | number[] | null): NDArray {
  const a = asarray(x, 'squeeze');
  let drop: number[];
  if (axis == null) drop = a.shape.flatMap((n, i) => (n === 1 ? [i] : []));
  else {
    drop = (Array.isArray(axis) ? axis : [axis]).map((ax) => normAxis(ax, a.ndim, 'squeeze'));
    for (const d of drop) {
      if (a.shape[d] !== 1) throw new ShapeError(`squeeze: cannot select axis ${d} of shape ${fmtShape(a.shape)} to squeeze out: its size is ${a.shape[d]}, not 1`);
    }
  }
  return new NDArray(a.data.slice(), a.shape.filter((_, i) => !drop.includes(i)));
}

export function flatten(x: ArrayInput): NDArray {
  const a = asarray(x, 'flatten');
  return new NDArray(a.data.slice(), [a.size]);
}

/** joins arrays along an existing axis; every other size must agree */
export function concatenate(list: ArrayInput[], axis: number | null = 0): NDArray {
  if (!Array.isArray(list) || list.length === 0) throw new ShapeError('concatenate: needs a non-empty list of arrays');
  let arrs = list.map((x) => asarray(x, 'concatenate'));
  if (axis === null) {
    arrs = arrs.map((a) => new NDArray(a.data, [a.size]));
    axis = 0;
  }
  const first = arrs[0];
  if (first.ndim === 0) throw new ShapeError('concatenate: zero-dimensional arrays cannot be concatenated');
  const ax = normAxis(axis, first.ndim, 'concatenate');
  for (const a of arrs) {
    if (a.ndim !== first.ndim || a.shape.some((n, i) => i !== ax && n !== first.shape[i])) {
      throw new ShapeError(`concatenate: shapes ${fmtShape(first.shape)} and ${fmtShape(a.shape)} differ outside axis ${ax}`);
    }
  }
  const shape = [...first.shape];
  shape[ax] = arrs.reduce((n, a) => n + a.shape[ax], 0);
  const out = alloc(shape, 'concatenate');
  const outer = sizeOf(shape.slice(0, ax));
  const rowOut = sizeOf(shape.slice(ax));
  let col = 0;
  for (const a of arrs) {
    const row = sizeOf(a.shape.slice(ax));
    for (let i = 0; i < outer; i++) out.data.set(a.data.subarray(i * row, (i + 1) * row), i * rowOut + col);
    col += row;
  }
  return out;
}

/** joins same-shaped arrays along a new axis */
export function stack(list: ArrayInput[], axis = 0): NDArray {
  if (!Array.isArray(list) || list.length === 0) throw new ShapeError('stack: needs a non-empty list of arrays');
  const arrs = list.map((x) => asarray(x, 'stack'));
  for (const a of arrs) {
    if (a.ndim !== arrs[0].ndim || a.shape.some((n, i) => n !== arrs[0].shape[i])) {
      throw new ShapeError(`stack: all input arrays must have the same shape, got ${fmtShape(arrs[0].shape)} and ${fmtShape(a.shape)}`);
    }
  }
  const ax = normAxis(axis, arrs[0].ndim + 1, 'stack');
  return concatenate(
    arrs.map((a) => expand_dims(a, ax)),
    ax,
  );
}

export type PadWidth = number | number[] | number[][];

/** numpy's pad_width forms → [before, after] per axis: p; [p]; [b, a]; [[b, a]]; [[b0, a0], [b1, a1], …] */
export function padPairs(pw: PadWidth, ndim: number): [number, number][] {
  const bad = () => new ShapeError(`pad: pad_width ${JSON.stringify(pw)} does not fit an array of ${ndim} dimensions (give p, [before, after] or one [before, after] per axis)`);
  let pairs: [number, number][];
  if (typeof pw === 'number') pairs = Array.from({ length: ndim }, () => [pw, pw]);
  else if (!Array.isArray(pw)) throw bad();
  else if (pw.every((p) => typeof p === 'number')) {
    const f = pw as number[];
    if (f.length === 1) pairs = Array.from({ length: ndim }, () => [f[0], f[0]]);
    else if (f.length === 2) pairs = Array.from({ length: ndim }, () => [f[0], f[1]]);
    else throw bad();
  } else {
    const rows = pw as unknown[];
    if (!rows.every((r) => Array.isArray(r) && (r.length === 1 || r.length === 2))) throw bad();
    const rs = (rows as number[][]).map((r) => [r[0], r[r.length - 1]] as [number, number]);
    if (rs.length === 1) pairs = Array.from({ length: ndim }, () => rs[0]);
    else if (rs.length === ndim) pairs = rs;
    else throw bad();
  }
  for (const [b, a] of pairs) {
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) throw new ShapeError(`pad: pad widths are non-negative integers, got ${JSON.stringify(pw)}`);
  }
  return pairs;
}

/** numpy's pad with mode 'constant': np.pad(x, [[0,0],[p,p],[p,p],[0,0]]) pads H and W of NHWC */
export function pad(
  x: ArrayInput,
  pad_width: PadWidth,
  mode: 'constant' | { mode?: 'constant'; constant_values?: number } = 'constant',
  constant_values = 0,
): NDArray {
  const a = asarray(x, 'pad');
  let m: unknown = mode;
  let cv: unknown = constant_values;
  if (typeof mode === 'object' && mode !== null) {
    m = mode.mode ?? 'constant';
    cv = mode.constant_values ?? 0;
  }
  if (m !== 'constant') throw new ShapeError(`pad: only mode 'constant' is offered, not ${describe(m)}`);
  if (typeof cv !== 'number') throw new TypeError(`pad: constant_values is one number, not ${describe(cv)}`);
  const pairs = padPairs(pad_width, a.ndim);
  const shape = a.shape.map((n, i) => n + pairs[i][0] + pairs[i][1]);
  const out = alloc(shape, 'pad');
  if (cv !== 0) out.data.fill(cv);
  if (a.size === 0) return out;
  // copy a into the interior: out[b0 + i0, b1 + i1, …] = a[i0, i1, …]
  const so = stridesOf(shape);
  const base = pairs.reduce((off, [b], i) => off + b * so[i], 0);
  const nd = a.ndim;
  if (nd === 0) {
    out.data[0] = a.data[0];
    return out;
  }
  const inner = a.shape[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  const off = [base];
  for (let k = 0; k < a.size; k += inner) {
    out.data.set(a.data.subarray(k, k + inner), off[0]);
    advance(idx, a.shape, off, [so], nd - 2);
  }
  return out;
}

/**
 * numpy's lib.stride_tricks.sliding_window_view (a copy): every window of `window_shape`
 * along `axis` (all axes without one). x (N,H,W,C), window [kh,kw], axis [1,2] →
 * (N, H−kh+1, W−kw+1, C, kh, kw) with out[n,i,j,c,p,q] = x[n, i+p, j+q, c].
 */
export function sliding_window_view(x: ArrayInput, window_shape: number | number[], axis?: number | number[] | null): NDArray {
  const a = asarray(x, 'sliding_window_view');
  const win = typeof window_shape === 'number' ? [window_shape] : window_shape;
  const axes = axis == null ? a.shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((ax) => normAxis(ax, a.ndim, 'sliding_window_view'));
  if (!Array.isArray(win) || win.length !== axes.length) {
    throw new ShapeError(`sliding_window_view: window_shape ${JSON.stringify(window_shape)} needs one size per axis (${axes.length} axes)`);
  }
  if (new Set(axes).size !== axes.length) throw new ShapeError('sliding_window_view: an axis is repeated');
  const outer = [...a.shape];
  axes.forEach((ax, i) => {
    const w = win[i];
    if (!Number.isInteger(w) || w < 0) throw new ShapeError(`sliding_window_view: window sizes are non-negative integers, got ${JSON.stringify(win)}`);
    if (w > a.shape[ax]) throw new ShapeError(`sliding_window_view: window ${w} is larger than axis ${ax} of shape ${fmtShape(a.shape)}`);
    outer[ax] = a.shape[ax] - w + 1;
  });
  const st = stridesOf(a.shape);
  return gather(a.data, 0, [...outer, ...win], [...st, ...axes.map((ax) => st[ax])], 'sliding_window_view');
}
