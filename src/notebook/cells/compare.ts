// The gradient-check cells' tolerances and rows (the comparison itself: engine/check.ts).

import type { Comparison } from '../../engine/check';

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
