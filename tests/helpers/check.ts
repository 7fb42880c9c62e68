// The comparison every kernel test uses: |x − ref| ≤ atol + rtol·|ref|, element by
// element, failing with the first mismatches listed (index, got, expected, error).

import type { Rng } from '../../src/engine/random';

export interface Tolerance {
  atol: number;
  rtol: number;
  label?: string;
  /** how many mismatches to list */
  show?: number;
}

export function mismatches(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance): string[] {
  const out: string[] = [];
  if (got.length !== ref.length) return [`length ${got.length} ≠ expected ${ref.length}`];
  let count = 0;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    const r = ref[i]!;
    const err = Math.abs(g - r);
    const bound = tol.atol + tol.rtol * Math.abs(r);
    const bad = !(err <= bound) && !(Number.isNaN(g) && Number.isNaN(r)) && g !== r;
    if (bad) {
      count++;
      worst = Math.max(worst, Number.isFinite(err) ? err : Infinity);
      if (out.length < (tol.show ?? 8)) out.push(`  [${i}] got ${g}, expected ${r}, |diff| ${err.toExponential(3)} > ${bound.toExponential(3)}`);
    }
  }
  if (count > 0) out.unshift(`${count} of ${ref.length} elements differ (worst |diff| ${worst.toExponential(3)}):`);
  return out;
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

/** relative error of two gradient vectors, ‖a − b‖ / max(‖a‖ + ‖b‖, tiny) */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-300);
}
