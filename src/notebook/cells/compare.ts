// Comparing a result with its reference, element by element:
//   pass ⇔ every |x − ref| ≤ atol + rtol·|ref|   (a non-finite x never passes)
// plus the tensor's relative error ‖x − ref‖ / (‖x‖ + ‖ref‖) and the first mismatches.

export interface Comparison {
  n: number;
  /** max |x − ref| over finite pairs (Infinity when some x is not finite) */
  maxAbs: number;
  /** ‖x − ref‖₂ / (‖x‖₂ + ‖ref‖₂), 0 when both are zero; Infinity when x is not finite */
  relErr: number;
  /** elements outside the tolerance */
  bad: number;
  /** elements of x that are NaN or ±Infinity */
  nonFinite: number;
  /** "[i] got …, ref …" for the first few elements out of tolerance */
  mismatches: string[];
  /** index of the largest |x − ref| (the first non-finite one when there is one) */
  worst: number;
  pass: boolean;
  atol: number;
  rtol: number;
}

export function compareArrays(got: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, show = 4): Comparison {
  if (got.length !== ref.length) throw new Error(`compare: ${got.length} values against a reference of ${ref.length}`);
  let maxAbs = 0;
  let worst = 0;
  let bad = 0;
  let nonFinite = 0;
  let d2 = 0;
  let g2 = 0;
  let r2 = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    const r = ref[i]!;
    if (!Number.isFinite(g)) {
      if (nonFinite === 0) worst = i;
      nonFinite++;
    }
    const e = Math.abs(g - r);
    if (Number.isFinite(e)) {
      if (e > maxAbs && nonFinite === 0) worst = i;
      maxAbs = Math.max(maxAbs, e);
      d2 += e * e;
      g2 += g * g;
      r2 += r * r;
    }
    if (!(e <= atol + rtol * Math.abs(r))) {
      bad++;
      if (mismatches.length < show) mismatches.push(`[${i}] got ${fmtValue(g)}, reference ${fmtValue(r)}`);
    }
  }
  const denom = Math.sqrt(g2) + Math.sqrt(r2);
  return {
    n: ref.length,
    maxAbs: nonFinite ? Infinity : maxAbs,
    relErr: nonFinite ? Infinity : denom === 0 ? 0 : Math.sqrt(d2) / denom,
    bad,
    nonFinite,
    mismatches,
    worst,
    pass: bad === 0,
    atol,
    rtol,
  };
}

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

/** central-difference gradient of f at x (float64), entry by entry: (f(x + h·e_i) − f(x − h·e_i)) / 2h */
export async function centralDifference(x: Float64Array, f: (x: Float64Array) => Promise<number>, h = 1e-5): Promise<Float64Array> {
  const g = new Float64Array(x.length);
  const v = x.slice();
  for (let i = 0; i < x.length; i++) {
    v[i] = x[i]! + h;
    const up = await f(v);
    v[i] = x[i]! - h;
    const down = await f(v);
    v[i] = x[i]!;
    g[i] = (up - down) / (2 * h);
  }
  return g;
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

/** the middle value of xs (the mean of the two middle ones for an even count); NaN when empty */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
