// matmul/dot/outer/trace and einsum against numpy's results; einsum also against a plain
// loop over every index combination on random operands.

import { describe, expect, it } from 'vitest';
import { NDArray, np } from '../../src/exercises/np';

const A = () => np.array([[1, 2, 3], [4, 5, 6]]); // (2,3)
const B = () => np.array([[1, 0], [0, 1], [2, 3]]); // (3,2)
const AB = [[7, 11], [16, 23]];

/** Σ over every index combination, the definition einsum abbreviates */
function einsumLoop(spec: string, ...ops: NDArray[]): number[] {
  const [lhs, out] = spec.split('->');
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((l, i) => size.set(l, ops[k].shape[i])));
  const letters = [...size.keys()];
  const outL = [...out];
  const res = new Array(outL.reduce((n, l) => n * size.get(l)!, 1)).fill(0);
  const idx = new Map<string, number>();
  const rec = (d: number) => {
    if (d === letters.length) {
      let p = 1;
      terms.forEach((t, k) => (p *= ops[k].get(...[...t].map((l) => idx.get(l)!)).item()));
      const o = outL.reduce((f, l) => f * size.get(l)! + idx.get(l)!, 0);
      res[o] += p;
      return;
    }
    for (let i = 0; i < size.get(letters[d])!; i++) {
      idx.set(letters[d], i);
      rec(d + 1);
    }
  };
  rec(0);
  return res;
}

describe('matmul and dot', () => {
  it('2-D, 1-D promotion and vectors', () => {
    expect(np.matmul(A(), B()).tolist()).toEqual(AB);
    expect(A().matmul(B()).tolist()).toEqual(AB);
    expect(np.matmul(A(), [1, 1, 1]).tolist()).toEqual([6, 15]);
    expect(np.matmul([1, 1], A()).tolist()).toEqual([5, 7, 9]);
    expect(np.matmul([1, 2, 3], [4, 5, 6]).shape).toEqual([]);
    expect(np.matmul([1, 2, 3], [4, 5, 6]).item()).toBe(32);
  });
  it('batched with broadcasting batch axes: (2,1,2,3) @ (4,3,2) → (2,4,2,2)', () => {
    const a = np.arange(12).reshape(2, 1, 2, 3);
    const b = np.arange(24).reshape(4, 3, 2);
    const c = np.matmul(a, b);
    expect(c.shape).toEqual([2, 4, 2, 2]);
    for (const [i, j] of [[0, 0], [1, 3], [1, 2]]) expect(c.get(i, j).tolist()).toEqual(np.matmul(a.get(i, 0), b.get(j)).tolist());
    expect(np.matmul(np.ones([5, 2, 3]), B()).shape).toEqual([5, 2, 2]);
  });
  it('shapes that do not align are named with the sizes', () => {
    expect(() => np.matmul(np.ones([3, 4]), np.ones([5, 2]))).toThrow('matmul: shapes (3,4) and (5,2) do not align: 4 ≠ 5');
    expect(() => np.matmul(np.ones([2, 2, 3]), np.ones([3, 3, 1]))).toThrow('matmul: operands could not be broadcast together with shapes (2,) and (3,)');
    expect(() => np.matmul(np.ones([3]), 2)).toThrow('0-dimensional');
    expect(() => np.dot(np.ones([2, 3]), np.ones([2, 3]))).toThrow('dot: shapes (2,3) and (2,3) do not align: 3 ≠ 2');
  });
  it("dot: inner, matrix, scalar and numpy's N-D rule", () => {
    expect(np.dot([1, 2], [3, 4]).item()).toBe(11);
    expect(np.dot(A(), B()).tolist()).toEqual(AB);
    expect(np.dot(A(), 2).tolist()).toEqual([[2, 4, 6], [8, 10, 12]]);
    const a = np.arange(6).reshape(1, 2, 3);
    const b = np.arange(24).reshape(2, 3, 4);
    const d = np.dot(a, b); // d[i,j,k,m] = Σ_p a[i,j,p] b[k,p,m]
    expect(d.shape).toEqual([1, 2, 2, 4]);
    expect(d.get(0, 1, 1, 2).item()).toBe(3 * 14 + 4 * 18 + 5 * 22);
  });
  it('outer, trace, diagonal', () => {
    expect(np.outer([1, 2], [3, 4, 5]).tolist()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(np.trace(np.arange(9).reshape(3, 3)).item()).toBe(12);
    expect(np.trace(np.arange(6).reshape(2, 3)).item()).toBe(4);
    expect(np.trace(np.arange(9).reshape(3, 3), 1).item()).toBe(6);
    expect(np.diagonal(np.arange(9).reshape(3, 3)).tolist()).toEqual([0, 4, 8]);
  });
});

describe('einsum', () => {
  it('matmul, batched matmul, transpose, trace, diagonal, sums, outer', () => {
    expect(np.einsum('ij,jk->ik', A(), B()).tolist()).toEqual(AB);
    expect(np.einsum('ij,jk', A(), B()).tolist()).toEqual(AB); // implicit output: i,k
    const a = np.arange(12).reshape(2, 2, 3);
    const b = np.arange(12).reshape(2, 3, 2);
    expect(np.einsum('bij,bjk->bik', a, b).tolist()).toEqual(np.matmul(a, b).tolist());
    expect(np.einsum('ij->ji', A()).tolist()).toEqual(A().T.tolist());
    expect(np.einsum('ji', A()).tolist()).toEqual(A().T.tolist()); // implicit: alphabetical i,j
    expect(np.einsum('ii', np.arange(9).reshape(3, 3)).item()).toBe(12);
    expect(np.einsum('ii->', np.arange(9).reshape(3, 3)).item()).toBe(12);
    expect(np.einsum('ii->i', np.arange(9).reshape(3, 3)).tolist()).toEqual([0, 4, 8]);
    expect(np.einsum('ij->', A()).item()).toBe(21);
    expect(np.einsum('ij->j', A()).tolist()).toEqual([5, 7, 9]);
    expect(np.einsum('ij->i', A()).tolist()).toEqual([6, 15]);
    expect(np.einsum('i,j->ij', [1, 2], [3, 4, 5]).tolist()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(np.einsum('i,i->', [1, 2], [3, 4]).item()).toBe(11);
    expect(np.einsum('ij,ij->ij', A(), A()).tolist()).toEqual(np.multiply(A(), A()).tolist());
    expect(np.einsum(' ij , jk -> ik ', A(), B()).tolist()).toEqual(AB);
  });
  it('repeated letters, three operands and a conv-shaped contraction agree with the plain loop', () => {
    np.random.seed(3);
    const r = (...s: number[]) => np.random.randn(...s);
    const cases: [string, NDArray[]][] = [
      ['iij->j', [r(3, 3, 2)]],
      ['ij,jk,kl->il', [r(2, 3), r(3, 4), r(4, 2)]],
      ['ij,j,i->', [r(3, 2), r(2), r(3)]],
      ['bi,bi->b', [r(4, 3), r(4, 3)]],
      ['nhwcpq,pqcf->nhwf', [r(2, 3, 2, 2, 2, 3), r(2, 3, 2, 4)]],
      ['nhwf,pqcf->nhwcpq', [r(1, 2, 3, 2), r(2, 2, 3, 2)]],
      ['ik,jk->ijk', [r(2, 3), r(4, 3)]],
      ['ii,ij->j', [r(3, 3), r(3, 2)]],
    ];
    for (const [spec, ops] of cases) {
      const got = np.einsum(spec, ...ops);
      const want = einsumLoop(spec, ...ops);
      expect(got.size, spec).toBe(want.length);
      got.data.forEach((v, i) => expect(Math.abs(v - want[i]), `${spec} [${i}]`).toBeLessThan(1e-12));
    }
  });
  it('does not alias its operand', () => {
    const a = np.ones([2]);
    np.einsum('i->i', a).fill(3);
    expect(a.tolist()).toEqual([1, 1]);
  });
  it('mismatches and unsupported forms are refused', () => {
    expect(() => np.einsum('ij,jk->ik', np.ones([2, 3]), np.ones([4, 2]))).toThrow("einsum: letter 'j' has size 3 in one place and 4 in operand 1 (shape (4,2))");
    expect(() => np.einsum('ij->ik', A())).toThrow("output letter 'k' does not appear");
    expect(() => np.einsum('ijk', A())).toThrow("operand 0 has shape (2,3) (2 axes) but 'ijk' names 3");
    expect(() => np.einsum('ij,jk', A())).toThrow('names 2 operand(s) but 1 were given');
    expect(() => np.einsum('...ij->...ji', A())).toThrow("'...' is not offered");
    expect(() => np.einsum('ij->ii', A())).toThrow('repeats a letter');
  });
});
