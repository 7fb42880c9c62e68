// get/set/add_at against numpy's indexing: slices with steps and negatives, newaxis,
// ellipsis, integer arrays (together, apart, broadcast), and np.add.at's repeated indices.

import { describe, expect, it } from 'vitest';
import { IndexError, np } from '../../src/exercises/np';

const X = () => np.arange(24).reshape(2, 3, 4);

describe('get: basic indexing', () => {
  it('numbers drop their axis; negatives count from the end', () => {
    expect(X().get(1).shape).toEqual([3, 4]);
    expect(X().get(1, 2).tolist()).toEqual([20, 21, 22, 23]);
    expect(X().get(-1, -1, -1).item()).toBe(23);
    expect(X().get(0, 1, 2).shape).toEqual([]);
    expect(X().get('-1').shape).toEqual([3, 4]);
  });
  it('slices: start:stop:step, defaults, negative steps, clipping, empty', () => {
    const a = np.arange(10);
    expect(a.get('2:5').tolist()).toEqual([2, 3, 4]);
    expect(a.get('::3').tolist()).toEqual([0, 3, 6, 9]);
    expect(a.get('::-1').tolist()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(a.get('-3:').tolist()).toEqual([7, 8, 9]);
    expect(a.get(':-7').tolist()).toEqual([0, 1, 2]);
    expect(a.get('8:2:-2').tolist()).toEqual([8, 6, 4]);
    expect(a.get('-2::-3').tolist()).toEqual([8, 5, 2]);
    expect(a.get('5:100').tolist()).toEqual([5, 6, 7, 8, 9]);
    expect(a.get('-100:2').tolist()).toEqual([0, 1]);
    expect(a.get('7:3').tolist()).toEqual([]);
    expect(a.get(':-20:-1').tolist()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(X().get(':', '1:', '::2').tolist()).toEqual([[[4, 6], [8, 10]], [[16, 18], [20, 22]]]);
    expect(X().get('1:3, ::-1, 0').tolist()).toEqual([[20, 16, 12]]);
  });
  it('null (newaxis) and the ellipsis', () => {
    expect(X().get(null).shape).toEqual([1, 2, 3, 4]);
    expect(X().get(':', null, 0).shape).toEqual([2, 1, 4]);
    expect(X().get('...', 0).tolist()).toEqual([[0, 4, 8], [12, 16, 20]]);
    expect(X().get(1, '...').shape).toEqual([3, 4]);
    expect(X().get('...', null).shape).toEqual([2, 3, 4, 1]);
    expect(X().get(0, '...', 1, np.newaxis).tolist()).toEqual([[1], [5], [9]]);
    expect(np.arange(3).get(':', 'None').shape).toEqual([3, 1]);
  });
  it('get returns a copy', () => {
    const a = np.zeros([2, 2]);
    a.get(0).fill(5);
    expect(np.sum(a).item()).toBe(0);
  });
  it('bad indices are refused with their reason', () => {
    expect(() => X().get(2)).toThrow(new IndexError('get: index 2 is out of bounds for axis 0 with size 2'));
    expect(() => X().get(0, -4)).toThrow('index -4 is out of bounds for axis 1 with size 3');
    expect(() => X().get(0, 0, 0, 0)).toThrow('too many indices for array: array is 3-dimensional, but 4 were indexed');
    expect(() => X().get('...', 0, '...')).toThrow('single ellipsis');
    expect(() => X().get('1:a')).toThrow("'1:a' is not an index");
    expect(() => X().get('::0')).toThrow('slice step cannot be zero');
    expect(() => X().get(0.5)).toThrow('only integers');
    expect(() => X().get(undefined)).toThrow('index 0 is undefined');
    expect(() => X().get([0.5])).toThrow('index arrays hold integers');
  });
});

describe('get: integer-array indexing', () => {
  const M = () => np.arange(12).reshape(3, 4);
  it('one array picks rows; a 2-D index array gives its shape', () => {
    expect(M().get([2, 0, 2]).tolist()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(M().get(np.array([[0], [-1]])).shape).toEqual([2, 1, 4]);
    expect(M().get(':', [3, 0]).tolist()).toEqual([[3, 0], [7, 4], [11, 8]]);
  });
  it('two arrays pair up (and broadcast): the picked elements', () => {
    expect(M().get([0, 1, 2], [3, 2, 1]).tolist()).toEqual([3, 6, 9]);
    // Y[arange(m), labels]: the probability of each example's class
    const P = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    expect(P.get(np.arange(3), [1, 0, 1]).tolist()).toEqual([0.9, 0.8, 0.7]);
    expect(M().get(np.array([[0], [2]]), [1, 3]).tolist()).toEqual([[1, 3], [9, 11]]);
  });
  it("numpy's placement: adjacent arrays replace their axes, separated ones go first", () => {
    const x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5);
    expect(x.get(':', [0, 1], [1, 2]).shape).toEqual([2, 2, 5]);
    expect(x.get([0, 1], ':', [1, 2]).shape).toEqual([2, 3, 5]);
    // a number beside an array counts as an array: separated → first
    expect(x.get(0, ':', [1, 2, 3]).shape).toEqual([3, 3, 5]);
    expect(x.get(0, ':', [1, 2, 3]).get(1, 2, 4).item()).toBe(x.get(0, 2, 2, 4).item());
    expect(x.get(':', ':', [0, 3], null).shape).toEqual([2, 3, 2, 1, 5]);
  });
  it('a comparison used as a boolean mask is refused with what to write instead', () => {
    const a = np.array([-1, 2, -3]);
    expect(() => a.get(np.greater(a, 0))).toThrow('get: boolean masks (A[A > 0]) are not offered: keep the shape with np.where(mask, A, 0) or np.multiply(A, mask)');
    expect(() => a.set(a.less(0), 0)).toThrow('boolean masks');
    expect(np.where(np.greater(a, 0), a, 0).tolist()).toEqual([0, 2, 0]);
    expect(a.get(np.argmax(a, null, true).reshape(1)).tolist()).toEqual([2]);
  });
  it('index arrays that do not broadcast, and out-of-range entries, are refused', () => {
    expect(() => M().get([0, 1], [0, 1, 2])).toThrow('could not be broadcast together with shapes (2,) and (3,)');
    expect(() => M().get([0, 3])).toThrow('index 3 is out of bounds for axis 0 with size 3');
  });
});

describe('set', () => {
  it('writes a number, a broadcast row, a slice with steps, picked elements', () => {
    const a = np.zeros([3, 4]);
    a.set(0, 5);
    expect(a.get(0).tolist()).toEqual([5, 5, 5, 5]);
    a.set(':', -1, [7, 8, 9]);
    expect(a.get(':', 3).tolist()).toEqual([7, 8, 9]);
    a.set('1:', '::2', [[1, 2]]);
    expect(a.tolist()).toEqual([[5, 5, 5, 7], [1, 0, 2, 8], [1, 0, 2, 9]]);
    a.set([0, 2], [1, 1], -1);
    expect(a.get(':', 1).tolist()).toEqual([-1, 0, -1]);
    a.set('...', 0);
    expect(np.sum(a).item()).toBe(0);
    expect(a.set(0, 0, 1)).toBe(a);
  });
  it('the window of a padded gradient: dXp[n, i:i+k, j:j+k, :] = value', () => {
    const dXp = np.zeros([1, 4, 4, 2]);
    dXp.set(0, '1:3', '2:4', ':', np.ones([2, 2, 2]));
    expect(np.sum(dXp).item()).toBe(8);
    expect(dXp.get(0, 1, 3).tolist()).toEqual([1, 1]);
    expect(dXp.get(0, 0, 3).tolist()).toEqual([0, 0]);
  });
  it('with a repeated index the last write wins (numpy)', () => {
    const a = np.zeros([3]);
    a.set([0, 0, 2], [1, 2, 3]);
    expect(a.tolist()).toEqual([2, 0, 3]);
  });
  it('a value that does not fit names both shapes', () => {
    expect(() => np.zeros([2, 2]).set(':', [1, 2, 3])).toThrow('set: could not broadcast input array from shape (3,) into shape (2,2)');
    expect(() => np.zeros([2]).set()).toThrow('give the index, then the value');
  });
});

describe('add_at (np.add.at)', () => {
  it('repeated indices accumulate', () => {
    const a = np.zeros([4]);
    np.add_at(a, [0, 1, 1, 3, 1], 1);
    expect(a.tolist()).toEqual([1, 3, 0, 1]);
    const b = np.zeros([3]);
    np.add.at(b, [2, 2], [5, 6]);
    expect(b.tolist()).toEqual([0, 0, 11]);
  });
  it('per-axis index lists, slices and rows', () => {
    const a = np.zeros([2, 3]);
    np.add_at(a, [[0, 0, 1], [2, 2, 0]], [1, 2, 3]);
    expect(a.tolist()).toEqual([[0, 0, 3], [3, 0, 0]]);
    np.add_at(a, [':', '1:3'], [[1, 1]]);
    expect(a.tolist()).toEqual([[0, 1, 4], [3, 1, 1]]);
    np.add_at(a, np.array([1, 1]), [10, 20, 30]);
    expect(a.tolist()).toEqual([[0, 1, 4], [23, 41, 61]]);
  });
  it('the pooling backward pattern: gradients into overlapping windows add up', () => {
    // windows of 2 with stride 1 over 3 positions: the middle position is in both
    const dx = np.zeros([3]);
    for (let i = 0; i < 2; i++) np.add_at(dx, [`${i}:${i + 2}`], [1, 1]);
    expect(dx.tolist()).toEqual([1, 2, 1]);
  });
});
