// The array module against numpy's results (computed by hand from numpy's rules):
// creation, broadcasting arithmetic, reductions with axis/keepdims, shape changes, pad,
// sliding windows, random with a seed, isclose/allclose.

import { describe, expect, it } from 'vitest';
import { NDArray, ShapeError, np } from '../../src/exercises/np';

const A = () => np.arange(6).reshape(2, 3); // [[0,1,2],[3,4,5]]

describe('creation', () => {
  it('array infers the shape of nested lists and copies', () => {
    const a = np.array([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.ndim).toBe(2);
    expect(a.size).toBe(6);
    expect(a.dtype).toBe('float64');
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const b = np.array(a);
    b.set(0, 0, 9);
    expect(a.get(0, 0).item()).toBe(1);
    expect(np.asarray(a)).toBe(a);
    expect(np.array(3.5).shape).toEqual([]);
    expect(np.array([true, false]).tolist()).toEqual([1, 0]);
    expect(np.array([np.ones([2]), np.zeros([2])]).tolist()).toEqual([[1, 1], [0, 0]]);
  });
  it('ragged lists and non-numbers are refused with their place', () => {
    expect(() => np.array([[1, 2], [3]])).toThrow(/ragged: \[1\] has 1 items where 2 were expected/);
    expect(() => np.array([1, 'x' as unknown as number])).toThrow(/element at \[1\] is 'x', not a number/);
  });
  it('zeros, ones, full, empty, *_like, eye', () => {
    expect(np.zeros([2, 2]).tolist()).toEqual([[0, 0], [0, 0]]);
    expect(np.zeros(3).shape).toEqual([3]);
    expect(np.ones([1, 2]).tolist()).toEqual([[1, 1]]);
    expect(np.full([2], 7).tolist()).toEqual([7, 7]);
    expect(np.empty([2, 0]).shape).toEqual([2, 0]);
    expect(np.zeros_like(A()).shape).toEqual([2, 3]);
    expect(np.ones_like(A()).tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(np.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(np.eye(3, null, 1).tolist()).toEqual([[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
  });
  it('arange and linspace', () => {
    expect(np.arange(4).tolist()).toEqual([0, 1, 2, 3]);
    expect(np.arange(2, 5).tolist()).toEqual([2, 3, 4]);
    expect(np.arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(np.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(np.arange(3, 1).tolist()).toEqual([]);
    expect(np.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(np.linspace(0, 1, 4, false).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
  });
  it('attributes: T, item, tolist, copy, a frozen shape', () => {
    const a = A();
    expect(a.T.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(() => a.item()).toThrow(/only an array of one element/);
    expect(np.array([[4]]).item()).toBe(4);
    expect(() => (a.shape as number[]).push(1)).toThrow();
    expect(np.greater(a, 2).astype('float64').tolist()).toEqual([[0, 0, 0], [1, 1, 1]]);
    const c = a.copy();
    c.fill(1);
    expect(a.get(0, 0).item()).toBe(0);
  });
  it('a one-element array works with JavaScript arithmetic; a larger one is refused with a hint', () => {
    const s = np.sum(A());
    expect(-s / 3).toBe(-5);
    expect(Math.log(np.array([[Math.E]]) as unknown as number)).toBe(1);
    expect(() => (A() as unknown as number) + 1).toThrow(/JavaScript's operators .* do not work on arrays \(here one of shape \(2,3\)\): use np.add/);
    expect(`${np.array([1, 2.5])}`).toBe('array([1., 2.5])');
    const i = np.argmax([0, 5, 1]) as unknown as number; // as a student's JavaScript uses it
    expect(`${i}:${i + 2}`).toBe('1:3');
    expect(np.arange(5).get(`${i}:${i + 2}`).tolist()).toEqual([1, 2]);
  });
});

describe('elementwise with broadcasting', () => {
  it('same shapes, scalars and lists', () => {
    expect(np.add(A(), A()).tolist()).toEqual([[0, 2, 4], [6, 8, 10]]);
    expect(np.multiply(A(), 2).tolist()).toEqual([[0, 2, 4], [6, 8, 10]]);
    expect(np.subtract(10, A()).tolist()).toEqual([[10, 9, 8], [7, 6, 5]]);
    expect(np.divide([1, 2], 4).tolist()).toEqual([0.25, 0.5]);
    expect(np.power(A(), 2).tolist()).toEqual([[0, 1, 4], [9, 16, 25]]);
    expect(A().add(1).multiply(2).subtract([0, 1, 2]).tolist()).toEqual([[2, 3, 4], [8, 9, 10]]);
  });
  it('row (3,), column (2,1), (1,3) and (4,1)·(1,5)-style outer broadcasting', () => {
    expect(np.add(A(), [10, 20, 30]).tolist()).toEqual([[10, 21, 32], [13, 24, 35]]);
    expect(np.add(A(), [[100], [200]]).tolist()).toEqual([[100, 101, 102], [203, 204, 205]]);
    expect(np.multiply(np.array([[1], [2]]), np.array([[1, 10, 100]])).tolist()).toEqual([[1, 10, 100], [2, 20, 200]]);
    const x = np.ones([2, 1, 3]);
    const y = np.arange(4).reshape(4, 1);
    const z = np.add(x, y);
    expect(z.shape).toEqual([2, 4, 3]);
    expect(z.get(1, 3).tolist()).toEqual([4, 4, 4]);
    expect(np.add(np.ones([0, 3]), [1, 2, 3]).shape).toEqual([0, 3]);
    expect(np.add(np.ones([2, 3]), np.array(5)).shape).toEqual([2, 3]);
  });
  it('shapes that do not broadcast name both shapes', () => {
    expect(() => np.add(np.ones([2, 3]), np.ones([2]))).toThrow(new ShapeError('add: operands could not be broadcast together with shapes (2,3) and (2,)'));
    expect(() => np.multiply(np.ones([2, 3, 4]), np.ones([3, 1, 5]))).toThrow('multiply: operands could not be broadcast together with shapes (2,3,4) and (3,1,5)');
    expect(() => A().subtract(np.ones([3, 2]))).toThrow(/subtract: .* \(2,3\) and \(3,2\)/);
  });
  it('unary functions', () => {
    const x = np.array([-2, 0, 4]);
    expect(np.negative(x).tolist()).toEqual([2, -0, -4]);
    expect(np.abs(x).tolist()).toEqual([2, 0, 4]);
    expect(np.sign(x).tolist()).toEqual([-1, 0, 1]);
    expect(np.sqrt([4, 9]).tolist()).toEqual([2, 3]);
    expect(np.square(x).tolist()).toEqual([4, 0, 16]);
    expect(np.exp([0, 1]).tolist()).toEqual([1, Math.E]);
    expect(np.log([1, Math.E]).tolist()).toEqual([0, 1]);
    expect(np.tanh([0]).tolist()).toEqual([0]);
    expect(np.log([0]).tolist()).toEqual([-Infinity]);
  });
  it('maximum, minimum (NaN propagates), clip, where, comparisons as 0/1', () => {
    expect(np.maximum([[-1, 2]], 0).tolist()).toEqual([[0, 2]]);
    expect(np.minimum([1, 5], [3, 2]).tolist()).toEqual([1, 2]);
    expect(np.maximum([NaN, 1], [0, NaN]).tolist()).toEqual([NaN, NaN]);
    expect(np.clip([-3, 0.5, 3], 0, 1).tolist()).toEqual([0, 0.5, 1]);
    expect(np.clip([-3, 3], null, 1).tolist()).toEqual([-3, 1]);
    expect(np.where(np.greater(A(), 2), A(), -1).tolist()).toEqual([[-1, -1, -1], [3, 4, 5]]);
    expect(np.where([[1], [0]], [1, 2], [[7], [8]]).tolist()).toEqual([[1, 2], [8, 8]]);
    expect(np.where(1, 2, 3).shape).toEqual([]);
    expect(np.where(0, 2, 3).item()).toBe(3);
    expect(np.where([NaN, -1, 0], 1, 0).tolist()).toEqual([1, 1, 0]); // numpy: bool(nan) is True
    expect(np.equal([1, 2], [1, 3]).tolist()).toEqual([1, 0]);
    expect(np.not_equal([1, 2], 1).tolist()).toEqual([0, 1]);
    expect(np.greater_equal([1, 2], 2).tolist()).toEqual([0, 1]);
    expect(np.less([1, 2], 2).tolist()).toEqual([1, 0]);
    expect(np.less_equal([1, 2], 1).tolist()).toEqual([1, 0]);
  });
  it('isclose and allclose: |a − b| ≤ atol + rtol·|b|', () => {
    expect(np.isclose([1, 1.1, NaN], [1 + 1e-9, 1, NaN]).tolist()).toEqual([1, 0, 0]);
    expect(np.isclose([NaN], [NaN], 1e-5, 1e-8, true).tolist()).toEqual([1]);
    expect(np.allclose([100, 200], [100.0009, 200.001])).toBe(true);
    expect(np.allclose([1, 2], [1, 2.1], 0, 0.05)).toBe(false);
    expect(np.allclose([1, 2], [1, 2.1], 0, 0.2)).toBe(true);
  });
});

describe('reductions', () => {
  const x = () => np.arange(24).reshape(2, 3, 4);
  it('over all axes, one axis, negative axes, several axes', () => {
    expect(np.sum(x()).shape).toEqual([]);
    expect(np.sum(x()).item()).toBe(276);
    expect(np.sum(x(), 1).tolist()).toEqual([[12, 15, 18, 21], [48, 51, 54, 57]]);
    expect(np.sum(x(), -1).tolist()).toEqual([[6, 22, 38], [54, 70, 86]]);
    expect(np.sum(x(), [0, 2]).tolist()).toEqual([60, 92, 124]);
    expect(np.sum(x(), [-1, 0]).tolist()).toEqual([60, 92, 124]);
    expect(x().sum(0).shape).toEqual([3, 4]);
  });
  it('keepdims, as an argument and as numpy keywords', () => {
    expect(np.sum(x(), 1, true).shape).toEqual([2, 1, 4]);
    expect(np.sum(x(), { axis: -1, keepdims: true }).shape).toEqual([2, 3, 1]);
    expect(np.max(x(), null, true).shape).toEqual([1, 1, 1]);
    expect(np.mean(A(), 1, true).tolist()).toEqual([[1], [4]]);
    // the keepdims result broadcasts back against the input: x − max(x, -1, keepdims)
    expect(np.subtract(A(), np.max(A(), -1, true)).tolist()).toEqual([[-2, -1, 0], [-2, -1, 0]]);
  });
  it('mean, max, min, prod, argmax, argmin', () => {
    const m = np.array([[3, 9, 1], [4, 4, 8]]);
    expect(np.mean(m).item()).toBeCloseTo(29 / 6, 15);
    expect(np.mean(m, 0).tolist()).toEqual([3.5, 6.5, 4.5]);
    expect(np.max(m, 1).tolist()).toEqual([9, 8]);
    expect(m.min(0).tolist()).toEqual([3, 4, 1]);
    expect(np.prod(m, -1).tolist()).toEqual([27, 128]);
    expect(np.argmax(m).item()).toBe(1);
    expect(np.argmax(m, 1).tolist()).toEqual([1, 2]);
    expect(np.argmax(np.array([[4, 4, 1]]), 1).tolist()).toEqual([0]); // the first of ties
    expect(np.argmin(m, 0).tolist()).toEqual([0, 1, 0]);
    expect(np.argmax(m, 1, true).shape).toEqual([2, 1]);
    expect(np.amax(m).item()).toBe(9);
  });
  it('bad axes and empty maxima are refused', () => {
    expect(() => np.sum(A(), 2)).toThrow('sum: axis 2 is out of bounds for an array of dimension 2');
    expect(() => np.sum(A(), -3)).toThrow('axis -3 is out of bounds');
    expect(() => np.sum(A(), [1, -1])).toThrow('an axis is repeated');
    expect(() => np.max(np.zeros([0]))).toThrow('zero-size array to reduction operation maximum which has no identity');
    expect(np.sum(np.zeros([0, 3]), 0).tolist()).toEqual([0, 0, 0]);
  });
});

describe('shape changes', () => {
  it('reshape with -1, as a function and a method', () => {
    expect(np.reshape(np.arange(6), [3, -1]).shape).toEqual([3, 2]);
    expect(np.arange(6).reshape(-1).shape).toEqual([6]);
    expect(np.arange(6).reshape([1, 2, 3]).get(0, 1).tolist()).toEqual([3, 4, 5]);
    expect(() => np.arange(6).reshape(4, -1)).toThrow('reshape: cannot reshape array of size 6 into shape (4,-1)');
    expect(() => np.arange(6).reshape(5)).toThrow('cannot reshape array of size 6 into shape (5,)');
    expect(() => np.arange(6).reshape(-1, -1)).toThrow('only specify one unknown dimension');
  });
  it('transpose with axes, swapaxes, expand_dims, squeeze, flatten', () => {
    const x = np.arange(24).reshape(2, 3, 4);
    const t = np.transpose(x, [1, 0, 2]);
    expect(t.shape).toEqual([3, 2, 4]);
    expect(t.get(2, 1, 3).item()).toBe(x.get(1, 2, 3).item());
    expect(x.transpose().shape).toEqual([4, 3, 2]);
    expect(x.transpose(0, -1, 1).shape).toEqual([2, 4, 3]);
    expect(x.transpose([2, 0, 1]).get(3, 1, 2).item()).toBe(23);
    expect(np.swapaxes(x, 0, 2).shape).toEqual([4, 3, 2]);
    expect(() => np.transpose(x, [0, 0, 1])).toThrow('not a permutation');
    expect(np.expand_dims(A(), 0).shape).toEqual([1, 2, 3]);
    expect(np.expand_dims(A(), -1).shape).toEqual([2, 3, 1]);
    expect(np.expand_dims(A(), [0, 2]).shape).toEqual([1, 2, 1, 3]);
    expect(np.squeeze(np.ones([1, 2, 1])).shape).toEqual([2]);
    expect(np.squeeze(np.ones([1, 2, 1]), -1).shape).toEqual([1, 2]);
    expect(() => np.squeeze(np.ones([1, 2]), 1)).toThrow('its size is 2, not 1');
    expect(A().flatten().tolist()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(np.ravel(A().T).tolist()).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it('concatenate and stack', () => {
    expect(np.concatenate([A(), A()]).shape).toEqual([4, 3]);
    expect(np.concatenate([A(), np.ones([2, 1])], 1).tolist()).toEqual([[0, 1, 2, 1], [3, 4, 5, 1]]);
    expect(np.concatenate([A(), [[9, 9, 9]]], -2).get(-1).tolist()).toEqual([9, 9, 9]);
    expect(np.concatenate([A(), A()], null).shape).toEqual([12]);
    expect(() => np.concatenate([A(), np.ones([3, 3])], 1)).toThrow('concatenate: shapes (2,3) and (3,3) differ outside axis 1');
    expect(np.stack([[1, 2], [3, 4]]).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(np.stack([[1, 2], [3, 4]], 1).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(np.stack([A(), A()], -1).shape).toEqual([2, 3, 2]);
    expect(() => np.stack([[1, 2], [1]])).toThrow('same shape');
  });
});

describe('pad', () => {
  it("numpy's pad_width forms", () => {
    const x = np.array([[1, 2], [3, 4]]);
    expect(np.pad(x, 1).tolist()).toEqual([[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]);
    expect(np.pad(x, [1]).shape).toEqual([4, 4]);
    expect(np.pad(x, [0, 1]).tolist()).toEqual([[1, 2, 0], [3, 4, 0], [0, 0, 0]]);
    expect(np.pad(x, [[1, 0]]).tolist()).toEqual([[0, 0, 0], [0, 1, 2], [0, 3, 4]]);
    expect(np.pad(x, [[0, 0], [2, 1]]).tolist()).toEqual([[0, 0, 1, 2, 0], [0, 0, 3, 4, 0]]);
    expect(np.pad(np.array([1, 2]), [1, 2], 'constant', 9).tolist()).toEqual([9, 1, 2, 9, 9]);
    expect(np.pad(np.array([1]), 1, { mode: 'constant', constant_values: -1 }).tolist()).toEqual([-1, 1, -1]);
  });
  it('pads H and W of an NHWC batch and leaves N and C', () => {
    const x = np.arange(2 * 2 * 3 * 2).reshape(2, 2, 3, 2);
    const p = np.pad(x, [[0, 0], [1, 1], [2, 2], [0, 0]]);
    expect(p.shape).toEqual([2, 4, 7, 2]);
    expect(p.get(1, '1:3', '2:5', ':').tolist()).toEqual(x.get(1).tolist());
    expect(np.sum(p).item()).toBe(np.sum(x).item());
  });
  it('refuses other modes and bad widths', () => {
    expect(() => np.pad(A(), 1, 'reflect' as 'constant')).toThrow("pad: only mode 'constant' is offered, not 'reflect'");
    expect(() => np.pad(A(), [[1, 1], [1, 1], [1, 1]])).toThrow('does not fit an array of 2 dimensions');
    expect(() => np.pad(A(), -1)).toThrow('non-negative integers');
  });
});

describe('sliding_window_view', () => {
  const swv = np.lib.stride_tricks.sliding_window_view;
  it('1-D and 2-D windows over all axes', () => {
    expect(swv(np.arange(5), 3).tolist()).toEqual([[0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    const w = swv(np.arange(12).reshape(3, 4), [2, 3]);
    expect(w.shape).toEqual([2, 2, 2, 3]);
    expect(w.get(1, 1).tolist()).toEqual([[5, 6, 7], [9, 10, 11]]);
  });
  it('NHWC windows over H and W: (N, H−kh+1, W−kw+1, C, kh, kw), out[n,i,j,c,p,q] = x[n,i+p,j+q,c]', () => {
    const x = np.arange(2 * 5 * 4 * 3).reshape(2, 5, 4, 3);
    const w = swv(x, [3, 2], [1, 2]);
    expect(w.shape).toEqual([2, 3, 3, 3, 3, 2]);
    for (const [n, i, j, c, p, q] of [[0, 0, 0, 0, 0, 0], [1, 2, 1, 2, 2, 1], [0, 1, 2, 1, 1, 0]]) {
      expect(w.get(n, i, j, c, p, q).item()).toBe(x.get(n, i + p, j + q, c).item());
    }
    // stride 2: every second window
    expect(w.get(':', '::2', '::2').shape).toEqual([2, 2, 2, 3, 3, 2]);
    expect(swv(x, 2, -1).shape).toEqual([2, 5, 4, 2, 2]);
  });
  it('a window larger than its axis is refused', () => {
    expect(() => swv(np.ones([2, 3]), [3], [0])).toThrow('window 3 is larger than axis 0 of shape (2,3)');
    expect(() => swv(np.ones([2, 3]), [1, 1, 1])).toThrow('needs one size per axis');
  });
});

describe('random', () => {
  it('the same seed gives the same numbers; shapes and ranges', () => {
    np.random.seed(42);
    const a = np.random.randn(3, 4);
    const u = np.random.rand([2, 2]);
    np.random.seed(42);
    expect(np.random.randn(3, 4).tolist()).toEqual(a.tolist());
    expect(np.random.rand(2, 2).tolist()).toEqual(u.tolist());
    expect(a.shape).toEqual([3, 4]);
    expect(u.data.every((v) => v >= 0 && v < 1)).toBe(true);
    const r = np.random.randint(2, 5, [1000]);
    expect(r.data.every((v) => Number.isInteger(v) && v >= 2 && v < 5)).toBe(true);
    expect(new Set(r.data).size).toBe(3);
    expect(np.random.randint(3, null, 10).data.every((v) => v >= 0 && v < 3)).toBe(true);
    const g = np.random.normal(5, 2, [20000]);
    expect(Math.abs(np.mean(g).item() - 5)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(np.mean(np.square(np.subtract(g, 5))).item()) - 2)).toBeLessThan(0.1);
    const v = np.random.uniform(-1, 1, [2, 3]);
    expect(v.shape).toEqual([2, 3]);
    expect(v.data.every((x) => x >= -1 && x < 1)).toBe(true);
    expect([...np.random.permutation(5).data].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(np.random.randn().shape).toEqual([]);
  });
});

it('np.ndarray is NDArray', () => {
  expect(np.zeros([1]) instanceof np.ndarray).toBe(true);
  expect(np.ndarray).toBe(NDArray);
});
