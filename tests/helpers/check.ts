// The comparison every kernel test uses (src/engine/check.ts): |x − ref| ≤ atol + rtol·|ref|,
// element by element, failing with the first mismatches listed (index, got, expected, error).

import { compareArrays } from '../../src/engine/check';
import type { Rng } from '../../src/engine/random';

export { centralDifference, relativeError } from '../../src/engine/check';

export interface Tolerance {
  atol: number;
  rtol: number;
  label?: string;
  /** how many mismatches to list */
  show?: number;
}

export function mismatches(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): string[] {
  if (got.length !== ref.length) return [`length ${got.length} ≠ expected ${ref.length}`];
  const cmp = compareArrays(got, ref, tol.atol, tol.rtol, { show: tol.show ?? 8, sameNonFinite: true });
  if (cmp.pass) return [];
  return [
    `${cmp.bad} of ${ref.length} elements differ (largest |diff| ${cmp.maxAbs.toExponential(3)}):`,
    ...cmp.first.map(({ index, got: g, ref: r, diff, bound }) => `  [${index}] got ${g}, expected ${r}, |diff| ${diff.toExponential(3)} > ${bound.toExponential(3)}`),
  ];
}

/** throws listing the first mismatches */
export function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): void {
  const m = mismatches(got, ref, tol);
  if (m.length > 0) {
    throw new Error(`${tol.label ?? 'values'}: not within atol ${tol.atol}, rtol ${tol.rtol}\n${m.join('\n')}`);
  }
}

export function randomArray(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(lo, hi);
  return a;
}

/** random one-hot rows (m, k) */
export function randomOneHot(rng: Rng, m: number, k: number): Float64Array {
  const a = new Float64Array(m * k);
  for (let i = 0; i < m; i++) a[i * k + rng.int(k)] = 1;
  return a;
}
