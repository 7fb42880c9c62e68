// The student's array module: numpy's names and semantics on float64 arrays.
//
//   import { np, NDArray } from '../np';
//   const Z = np.add(np.matmul(X, W), b);        // or X.matmul(W).add(b)
//   const A = np.maximum(Z, 0);
//   const s = np.sum(A, 1, true);                // axis 1, keepdims
//
// No conv, pooling, softmax, logsumexp or autodiff: those are the exercises.
// The reference a student reads is reference.md beside this file.

import './methods';
import { allclose, clip, elementwise, isclose, where } from './broadcast';
import { arange, array, empty, eye, full, full_like, linspace, ones, ones_like, zeros, zeros_like } from './creation';
import { einsum } from './einsum';
import { add_at } from './indexing';
import { diagonal, dot, matmul, outer, trace } from './linalg';
import { ArrayInput, NDArray, asarray, counted } from './ndarray';
import { random } from './random';
import { argmax, argmin, max, mean, min, prod, sum } from './reduce';
import { concatenate, expand_dims, flatten, pad, reshape, sliding_window_view, squeeze, stack, swapaxes, transpose } from './shape';

export { NDArray, ShapeError, ArrayTooLarge, IndexError, MAX_ELEMENTS, opCount, resetOpCount, fmtShape } from './ndarray';
export type { ArrayInput, Nested, Shape } from './ndarray';
export type { AxisArg } from './reduce';
export type { IndexItem } from './indexing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function countAll<T extends Record<string, (...args: any[]) => any>>(fns: T): T {
  return Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, counted(f)])) as T;
}

const fns = countAll({
  array,
  asarray: (x: ArrayInput) => asarray(x),
  zeros,
  ones,
  full,
  empty,
  zeros_like,
  ones_like,
  full_like,
  arange,
  linspace,
  eye,
  ...elementwise,
  where,
  clip,
  isclose,
  allclose,
  sum,
  mean,
  max,
  min,
  prod,
  argmax,
  argmin,
  amax: max,
  amin: min,
  matmul,
  dot,
  einsum,
  trace,
  outer,
  diagonal,
  reshape,
  transpose,
  swapaxes,
  expand_dims,
  squeeze,
  ravel: flatten,
  concatenate,
  stack,
  pad,
  add_at,
});

const addAt = fns.add_at;

const deepFreeze = <T extends object>(o: T): T => {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};

/** frozen, with NDArray's prototype, so that a student's `np.sum = …` cannot leak into the next run */
export const np = deepFreeze({
  ...fns,
  /** np.add(a, b); np.add.at(a, indices, values) is np.add_at */
  add: Object.assign(fns.add, { at: addAt }),
  random: countAll(random),
  lib: { stride_tricks: { sliding_window_view: counted(sliding_window_view) } },
  newaxis: null,
  pi: Math.PI,
  e: Math.E,
  inf: Infinity,
  nan: NaN,
  float64: 'float64' as const,
  ndarray: NDArray,
});
Object.freeze(fns.add);
Object.freeze(NDArray.prototype);
