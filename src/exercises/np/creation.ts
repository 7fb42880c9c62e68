// Creating arrays: numpy's names and arguments.

import { ArrayInput, NDArray, ShapeError, alloc, asarray, describe } from './ndarray';

type ShapeArg = number | number[];

/** a new array from nested lists, numbers or another array (always a copy) */
export function array(x: ArrayInput): NDArray {
  const a = asarray(x, 'array');
  return a === x ? a.copy() : a;
}

export function zeros(shape: ShapeArg): NDArray {
  return alloc(shape, 'zeros');
}
export function ones(shape: ShapeArg): NDArray {
  return full(shape, 1);
}
export function full(shape: ShapeArg, fill_value: number): NDArray {
  if (typeof fill_value !== 'number') throw new TypeError(`full: fill_value is a number, not ${describe(fill_value)}`);
  const out = alloc(shape, 'full');
  out.data.fill(fill_value);
  return out;
}
/** numpy leaves the values undefined; here they are zeros */
export function empty(shape: ShapeArg): NDArray {
  return alloc(shape, 'empty');
}
export function zeros_like(x: ArrayInput): NDArray {
  return alloc(asarray(x, 'zeros_like').shape, 'zeros_like');
}
export function ones_like(x: ArrayInput): NDArray {
  return full(asarray(x, 'ones_like').shape, 1);
}
export function full_like(x: ArrayInput, fill_value: number): NDArray {
  return full(asarray(x, 'full_like').shape, fill_value);
}

/** arange(stop), arange(start, stop), arange(start, stop, step): start, start+step, … before stop */
export function arange(start: number, stop?: number, step = 1): NDArray {
  if (stop === undefined) [start, stop] = [0, start];
  for (const v of [start, stop, step]) if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`arange: arguments are finite numbers, not ${describe(v)}`);
  if (step === 0) throw new ShapeError('arange: step cannot be zero');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = alloc([n], 'arange');
  for (let i = 0; i < n; i++) out.data[i] = start + i * step;
  return out;
}

/** num evenly spaced values from start to stop (stop included unless endpoint is false) */
export function linspace(start: number, stop: number, num = 50, endpoint = true): NDArray {
  const out = alloc([num], 'linspace');
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < num; i++) out.data[i] = start + i * step;
  if (endpoint && num > 1) out.data[num - 1] = stop;
  return out;
}

/** an N×M matrix with ones on the k-th diagonal */
export function eye(N: number, M?: number | null, k = 0): NDArray {
  const m = M ?? N;
  const out = alloc([N, m], 'eye');
  for (let i = 0; i < N; i++) if (i + k >= 0 && i + k < m) out.data[i * m + i + k] = 1;
  return out;
}
