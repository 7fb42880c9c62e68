// Number formats shared by the chapters' readouts, one per purpose. Each keeps the text the
// page has always shown (the end-to-end tests read some of it).
//
//   fmtValue     a value in a comparison table: 4 significant digits, "−", non-finite named
//   fmtError     an error measure: "3.1e−8", "0", "not finite"
//   fmtSig       n significant digits, trailing zeros dropped, exponent outside a range
//   fmtFixed     fixed decimals (chosen by magnitude), exponent outside a range
//   fmtDuration  seconds for a reader ("3.4 s", "6 min 12 s")
//   fmtMs        a kernel or step time ("0.42 ms", "42 µs")
//   fmtCount     a count or a mean count ("20", "2.5")
//   fmtRate      examples per second ("12,345", "42.0")

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

export interface ExponentRange {
  /** |v| below this (v ≠ 0) is written with an exponent (default 0: never) */
  expBelow?: number;
  /** |v| at or above this is written with an exponent (default ∞: never) */
  expFrom?: number;
  /** digits after the point in the exponent form */
  expDigits?: number;
}

function exponent(v: number, { expBelow = 0, expFrom = Infinity, expDigits = 2 }: ExponentRange): string | null {
  const a = Math.abs(v);
  return a !== 0 && (a < expBelow || a >= expFrom) ? v.toExponential(expDigits) : null;
}

/** `digits` significant digits, trailing zeros dropped ("0.125", "1e-7"); "NaN", "Infinity" as such */
export function fmtSig(v: number, digits: number, range: ExponentRange = {}): string {
  if (!Number.isFinite(v)) return String(v);
  return exponent(v, range) ?? String(Number(v.toPrecision(digits)));
}

/**
 * Fixed decimals, `decimals(|v|)` of them ("0.500", "12.5"); integers as they are when
 * `integers` is set; trailing zeros dropped when `trim` is ("0.5"); "NaN", "Infinity" as such.
 */
export function fmtFixed(
  v: number,
  decimals: number | ((a: number) => number),
  range: ExponentRange & { integers?: boolean; trim?: boolean } = {},
): string {
  if (!Number.isFinite(v)) return String(v);
  if (range.integers && Number.isInteger(v)) return String(v);
  const s = exponent(v, range) ?? v.toFixed(typeof decimals === 'number' ? decimals : decimals(Math.abs(v)));
  return range.trim ? String(Number(s)) : s;
}

/** a duration in seconds for a reader: "420 ms", "3.4 s", "42 s", "6 min 12 s", "1 h 05 min"; "—" when unknown */
export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '—';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 59.5) return `${sec.toFixed(sec < 10 ? 1 : 0)} s`;
  const s = Math.round(sec);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** a time in milliseconds: "1.25 s", "42.0 ms", "0.42 ms", "42 µs"; "—" when unknown */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

/** a count, or a mean count with one decimal */
export function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** a rate: "12,345" from 100 up, "42.0" below; "—" when unknown */
export function fmtRate(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
}
