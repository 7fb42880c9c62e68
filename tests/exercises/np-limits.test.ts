// The module's limits (no dead tab on a huge or malformed shape) and its op counter (how the
// grader tells a vectorized layer from a loop over the examples).

import { describe, expect, it } from 'vitest';
import { ArrayTooLarge, MAX_ELEMENTS, ShapeError, np, opCount, resetOpCount } from '../../src/exercises/np';

describe('limits', () => {
  it('an array over 2^24 elements is refused, naming the shape', () => {
    expect(MAX_ELEMENTS).toBe(2 ** 24);
    expect(() => np.zeros([4096, 4097])).toThrow(ArrayTooLarge);
    expect(() => np.zeros([4096, 4097])).toThrow('zeros: an array of shape (4096,4097) would hold 16,781,312 elements, over the limit of 16,777,216 (2^24)');
    expect(np.zeros([4096, 4096]).size).toBe(2 ** 24);
    expect(() => np.random.randn(100000, 1000)).toThrow(ArrayTooLarge);
    expect(() => np.ones([5000]).reshape(5000, 1).matmul(np.ones([1, 5000]))).toThrow(/matmul: an array of shape \(5000,5000\)/);
    expect(() => np.add(np.ones([5000, 1]), np.ones([1, 5000]))).toThrow(ArrayTooLarge);
    expect(() => np.lib.stride_tricks.sliding_window_view(np.ones([64, 64, 64]), [32, 32, 32])).toThrow(ArrayTooLarge);
    expect(() => np.arange(1e9)).toThrow(ArrayTooLarge);
  });
  it('negative and non-integer sizes are refused, naming the shape', () => {
    expect(() => np.zeros([2, -1])).toThrow(ShapeError);
    expect(() => np.zeros([2, -1])).toThrow('zeros: the shape (2,-1) has a size that is not a non-negative integer (-1)');
    expect(() => np.ones([1.5])).toThrow('the shape (1.5,) has a size that is not a non-negative integer (1.5)');
    expect(() => np.zeros('3' as unknown as number)).toThrow("zeros: a shape is a number or a list of numbers, not '3'");
    expect(() => np.random.rand(2, NaN)).toThrow(ShapeError);
  });
});

describe('the op counter', () => {
  it('each np function and method call counts 1, whatever it calls inside', () => {
    const x = np.ones([4, 3]);
    resetOpCount();
    expect(opCount()).toBe(0);
    np.add(x, 1);
    expect(opCount()).toBe(1);
    x.add(1).multiply(2).sum(0);
    expect(opCount()).toBe(4);
    np.einsum('ij,jk->ik', x, x.T); // .T counts, the transposes and matmul inside einsum do not
    expect(opCount()).toBe(6);
    x.get(0, ':');
    x.set(0, 0, 5);
    np.random.randn(2);
    np.lib.stride_tricks.sliding_window_view(x, 2, 0);
    np.add.at(x, [0], 1);
    x.item !== undefined && x.copy();
    expect(opCount()).toBe(12);
    // attributes are not calls
    void x.shape, x.size, x.ndim, x.data;
    expect(opCount()).toBe(12);
    resetOpCount();
    expect(opCount()).toBe(0);
  });
  it('a failed call still counts once and leaves the counter working', () => {
    resetOpCount();
    expect(() => np.matmul(np.ones([2, 3]), np.ones([2, 3]))).toThrow();
    expect(opCount()).toBe(3);
    np.add(1, 1);
    expect(opCount()).toBe(4);
  });
  it('a loop over the examples grows with the batch; a vectorized layer does not', () => {
    const loop = (X: ReturnType<typeof np.ones>) => {
      const out = np.zeros(X.shape);
      for (let i = 0; i < X.shape[0]; i++) out.set(i, np.maximum(X.get(i), 0));
      return out;
    };
    const vec = (X: ReturnType<typeof np.ones>) => np.maximum(X, 0);
    const count = (f: (X: ReturnType<typeof np.ones>) => unknown, m: number) => {
      const X = np.ones([m, 5]);
      resetOpCount();
      f(X);
      return opCount();
    };
    expect(count(vec, 2)).toBe(count(vec, 7));
    expect(count(loop, 7)).toBeGreaterThan(count(loop, 2));
  });
});

it("np and the array methods cannot be replaced by a student's code (it would leak into the next run)", () => {
  expect(() => {
    (np as unknown as Record<string, unknown>).sum = () => 0;
  }).toThrow(TypeError);
  expect(() => {
    (np.random as unknown as Record<string, unknown>).seed = () => 0;
  }).toThrow(TypeError);
  expect(() => {
    (np.ndarray.prototype as unknown as Record<string, unknown>).add = () => 0;
  }).toThrow(TypeError);
  expect(np.sum([1, 2]).item()).toBe(3);
});
