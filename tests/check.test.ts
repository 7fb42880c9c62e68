// The shared closeness check and central differences (src/engine/check.ts) on cases
// whose answers are known by hand.

import { describe, expect, it } from 'vitest';
import { centralDifference, compareArrays } from '../src/engine/check';
import { median } from '../src/engine/stats';

describe('compareArrays: |x − ref| ≤ atol + rtol·|ref|', () => {
  it('passes inside the bound and lists the first mismatches in index order', () => {
    const ref = [1, 2, 100, -4, 5];
    const got = [1 + 0.5e-3, 2.1, 100.05, -4.5, 5];
    const c = compareArrays(got, ref, 1e-3, 1e-3, { show: 1 });
    // bounds: 0.002, 0.003, 0.101, 0.005, 0.006 → elements 1 and 3 are out
    expect(c.bad).toBe(2);
    expect(c.pass).toBe(false);
    expect(c.first).toHaveLength(1);
    expect(c.first[0]!.index).toBe(1);
    expect(c.first[0]!.got).toBe(2.1);
    expect(c.first[0]!.ref).toBe(2);
    expect(c.first[0]!.bound).toBeCloseTo(0.003, 12);
    expect(c.maxAbs).toBeCloseTo(0.5, 12);
    expect(c.worst).toBe(3);
    expect(compareArrays(got, ref, 0.5, 0).pass).toBe(true);
  });

  it('a non-finite result never passes unless sameNonFinite, and then only against the same value', () => {
    const c = compareArrays([NaN, Infinity], [NaN, Infinity], 1, 1);
    expect(c.bad).toBe(2);
    expect(c.nonFinite).toBe(2);
    expect(c.maxAbs).toBe(Infinity);
    expect(c.relErr).toBe(Infinity);
    expect(compareArrays([NaN, Infinity], [NaN, Infinity], 1, 1, { sameNonFinite: true }).pass).toBe(true);
    expect(compareArrays([NaN, -Infinity, 5], [0, Infinity, Infinity], 1, 1, { sameNonFinite: true }).bad).toBe(3);
  });

  it('refuses arrays of different lengths with a message naming both', () => {
    expect(() => compareArrays([1, 2], [1], 0, 0, { label: 'dW' })).toThrow('dW: 2 values against a reference of 1');
  });
});

describe('centralDifference', () => {
  // f(x) = x0²·x1 + sin(x2): ∇f = (2·x0·x1, x0², cos(x2))
  const f = (v: Float64Array) => v[0]! ** 2 * v[1]! + Math.sin(v[2]!);
  const x = Float64Array.of(1.5, -2, 0.3);
  const grad = [2 * 1.5 * -2, 1.5 ** 2, Math.cos(0.3)];

  it('matches the analytic gradient, synchronously, without changing x', () => {
    const g = centralDifference(x, f);
    expect(compareArrays(g, grad, 1e-8, 1e-8).pass).toBe(true);
    expect(Array.from(x)).toEqual([1.5, -2, 0.3]);
  });

  it('with an async f, and only at the chosen entries, in their order', async () => {
    const g = await centralDifference(x, async (v) => f(v), { at: [2, 0], h: 1e-6 });
    expect(g).toHaveLength(2);
    expect(compareArrays(g, [grad[2]!, grad[0]!], 1e-8, 1e-8).pass).toBe(true);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones; NaN when empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
