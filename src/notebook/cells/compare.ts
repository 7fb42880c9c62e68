// The gradient-check cells' tolerances and rows (the comparison itself: engine/check.ts).

import type { Comparison } from '../../engine/check';

/** a number for a table: never "NaN" — not-finite values are named */
export function fmtValue(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'not a number (0·∞)';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(digits - 1).replace('-', '−') : Number(v.toPrecision(digits)).toString().replace('-', '−');
}

/** an error measure for a table: "3.1e−8", "0", or "not finite" */
export function fmtError(v: number): string {
  if (!Number.isFinite(v)) return 'not finite';
  if (v === 0) return '0';
  return v.toExponential(1).replace('e-', 'e−');
}

/** float32 analytic against float64 numbers: |a − n| ≤ ATOL + RTOL·|n| */
export const GRAD_ATOL = 1e-6;
export const GRAD_RTOL = 1e-4;
/** the central-difference step */
export const GRAD_H = 1e-5;

export interface GradRow {
  /** e.g. "fc_0.W" */
  name: string;
  shape: number[];
  analytic: Float64Array;
  numerical: Float64Array;
  cmp: Comparison;
}
