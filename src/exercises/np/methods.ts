// The NDArray methods numpy has (a.sum(1), a.reshape(2, 3), a.T …) plus the chainable
// arithmetic JavaScript needs for want of operators: a.add(b), a.multiply(2).subtract(c).
// Each method call counts 1 in opCount(), like an np function.

import { elementwise, clip } from './broadcast';
import { getItem, setItem } from './indexing';
import { dot, matmul } from './linalg';
import { ArrayInput, NDArray, counted, describe } from './ndarray';
import { AxisArg, argmax, argmin, max, mean, min, prod, sum } from './reduce';
import { flatten, reshape, shapeArgs, squeeze, swapaxes, transpose } from './shape';

type Bin = (other: ArrayInput) => NDArray;
type Red = (axis?: AxisArg, keepdims?: boolean) => NDArray;

declare module './ndarray' {
  interface NDArray {
    add: Bin;
    subtract: Bin;
    multiply: Bin;
    divide: Bin;
    power: Bin;
    maximum: Bin;
    minimum: Bin;
    equal: Bin;
    not_equal: Bin;
    greater: Bin;
    greater_equal: Bin;
    less: Bin;
    less_equal: Bin;
    matmul: Bin;
    dot: Bin;
    negative(): NDArray;
    sqrt(): NDArray;
    square(): NDArray;
    exp(): NDArray;
    log(): NDArray;
    abs(): NDArray;
    sign(): NDArray;
    tanh(): NDArray;
    sum: Red;
    mean: Red;
    max: Red;
    min: Red;
    prod: Red;
    argmax: Red;
    argmin: Red;
    /** a.reshape(2, 3) or a.reshape([2, 3]); one size may be -1 */
    reshape(...shape: (number | number[])[]): NDArray;
    /** a.transpose() reverses the axes; a.transpose(0, 2, 1) or a.transpose([0, 2, 1]) permutes them */
    transpose(...axes: (number | number[])[]): NDArray;
    readonly T: NDArray;
    flatten(): NDArray;
    ravel(): NDArray;
    squeeze(axis?: number | number[] | null): NDArray;
    swapaxes(a1: number, a2: number): NDArray;
    clip(lo: ArrayInput | null | undefined, hi: ArrayInput | null | undefined): NDArray;
    /** a[idx…] as a new array: a.get(0), a.get(':', '1:3'), a.get('...', null), a.get([0, 2]) */
    get(...idx: unknown[]): NDArray;
    /** a[idx…] = value, in place: a.set(':', 0, value); returns a */
    set(...idxThenValue: unknown[]): NDArray;
    /** a copy: every array is float64 already (`np.greater(Z, 0).astype('float64')` is the 0/1 array) */
    astype(dtype?: unknown): NDArray;
    /** every element set to v, in place; returns a */
    fill(v: number): NDArray;
  }
}

const P = NDArray.prototype as unknown as Record<string, unknown>;
const def = (name: string, f: (this: NDArray, ...args: never[]) => unknown) => {
  Object.defineProperty(P, name, { value: counted(f), writable: true, configurable: true });
};

for (const name of ['add', 'subtract', 'multiply', 'divide', 'power', 'maximum', 'minimum', 'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal'] as const) {
  const f = elementwise[name];
  def(name, function (this: NDArray, other: ArrayInput) {
    return f(this, other);
  });
}
for (const name of ['negative', 'sqrt', 'square', 'exp', 'log', 'abs', 'sign', 'tanh'] as const) {
  const f = elementwise[name];
  def(name, function (this: NDArray) {
    return f(this);
  });
}
const reductions = { sum, mean, max, min, prod, argmax, argmin };
for (const [name, f] of Object.entries(reductions)) {
  def(name, function (this: NDArray, axis?: AxisArg, keepdims?: boolean) {
    return f(this, axis, keepdims);
  });
}
def('matmul', function (this: NDArray, o: ArrayInput) {
  return matmul(this, o);
});
def('dot', function (this: NDArray, o: ArrayInput) {
  return dot(this, o);
});
def('reshape', function (this: NDArray, ...shape: (number | number[])[]) {
  return reshape(this, shapeArgs(shape) as number[]);
});
def('transpose', function (this: NDArray, ...axes: (number | number[])[]) {
  return transpose(this, axes.length === 0 ? null : (shapeArgs(axes) as number[]));
});
Object.defineProperty(P, 'T', {
  get: counted(function (this: NDArray) {
    return transpose(this);
  }),
  configurable: true,
});
def('flatten', function (this: NDArray) {
  return flatten(this);
});
def('ravel', function (this: NDArray) {
  return flatten(this);
});
def('squeeze', function (this: NDArray, axis?: number | number[] | null) {
  return squeeze(this, axis);
});
def('swapaxes', function (this: NDArray, a1: number, a2: number) {
  return swapaxes(this, a1, a2);
});
def('clip', function (this: NDArray, lo: ArrayInput | null | undefined, hi: ArrayInput | null | undefined) {
  return clip(this, lo, hi);
});
def('get', function (this: NDArray, ...idx: unknown[]) {
  return getItem(this, idx);
});
def('set', function (this: NDArray, ...args: unknown[]) {
  setItem(this, args);
  return this;
});
def('fill', function (this: NDArray, v: number) {
  if (typeof v !== 'number') throw new TypeError(`fill: the value is a number, not ${describe(v)}`);
  this.data.fill(v);
  return this;
});
def('astype', function (this: NDArray) {
  return this.copy();
});
for (const name of ['copy', 'item', 'tolist'] as const) def(name, P[name] as (this: NDArray) => unknown);
