// Checking a result against its reference, used by the tests, the device check and the
// notebook's gradient and kernel cells alike.
//
// Closeness, element by element:
//   pass ⇔ every |x − ref| ≤ atol + rtol·|ref|   (a non-finite x or ref never passes, unless
//          sameNonFinite: then NaN against NaN and ±∞ against the same ±∞ count as equal)
// plus the relative error ‖x − ref‖₂ / (‖x‖₂ + ‖ref‖₂) and the first mismatches.
//
// Central differences, entry by entry (float64):
//   ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h

export interface Mismatch {
  index: number;
  got: number;
  ref: number;
  /** |got − ref| */
  diff: number;
  /** atol + rtol·|ref| */
  bound: number;
}

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
  /** the first `show` elements out of tolerance, in index order */
  first: Mismatch[];
  /** index of the largest |x − ref| (the first non-finite one when there is one) */
  worst: number;
  pass: boolean;
  atol: number;
  rtol: number;
}

export interface CompareOptions {
  /** how many mismatches to keep in `first` (default 4) */
  show?: number;
  /** NaN against NaN and equal infinities pass (default false: a non-finite x never passes) */
  sameNonFinite?: boolean;
  /** names the result in the length error */
  label?: string;
}

export function compareArrays(got: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, opts: CompareOptions = {}): Comparison {
  if (got.length !== ref.length) throw new Error(`${opts.label ?? 'compare'}: ${got.length} values against a reference of ${ref.length}`);
  const show = opts.show ?? 4;
  let maxAbs = 0;
  let worst = 0;
  let bad = 0;
  let nonFinite = 0;
  let d2 = 0;
  let g2 = 0;
  let r2 = 0;
  const first: Mismatch[] = [];
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
    const bound = atol + rtol * Math.abs(r);
    const same = opts.sameNonFinite === true && (g === r || (Number.isNaN(g) && Number.isNaN(r)));
    if (!(e <= bound && Number.isFinite(r)) && !same) {
      bad++;
      if (first.length < show) first.push({ index: i, got: g, ref: r, diff: e, bound });
    }
  }
  const denom = Math.sqrt(g2) + Math.sqrt(r2);
  return {
    n: ref.length,
    maxAbs: nonFinite ? Infinity : maxAbs,
    relErr: nonFinite ? Infinity : denom === 0 ? 0 : Math.sqrt(d2) / denom,
    bad,
    nonFinite,
    first,
    worst,
    pass: bad === 0,
    atol,
    rtol,
  };
}

/** relative error of two vectors, ‖a − b‖₂ / max(‖a‖₂ + ‖b‖₂, tiny) */
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

export interface DifferenceOptions {
  /** the step h (default 1e-5) */
  h?: number;
  /** the entries to differentiate, in this order (default all); the result has one value per entry */
  at?: readonly number[];
}

/** the evaluation points x ± h·e_i in turn (one buffer, restored after each entry); receives f there */
function* steps(x: ArrayLike<number>, opts: DifferenceOptions): Generator<Float64Array, Float64Array, number> {
  const h = opts.h ?? 1e-5;
  const at = opts.at ?? Array.from({ length: x.length }, (_, i) => i);
  const v = Float64Array.from(x);
  const g = new Float64Array(at.length);
  for (let k = 0; k < at.length; k++) {
    const i = at[k]!;
    v[i] = x[i]! + h;
    const up = yield v;
    v[i] = x[i]! - h;
    const down = yield v;
    v[i] = x[i]!;
    g[k] = (up - down) / (2 * h);
  }
  return g;
}

/**
 * Central-difference gradient of the scalar f at x (float64): (f(x + h·e_i) − f(x − h·e_i)) / 2h
 * for each entry i (or each of opts.at). f receives one buffer that it must not keep; x is not
 * changed. With an async f the result is a promise.
 */
export function centralDifference(x: ArrayLike<number>, f: (v: Float64Array) => number, opts?: DifferenceOptions): Float64Array;
export function centralDifference(x: ArrayLike<number>, f: (v: Float64Array) => Promise<number>, opts?: DifferenceOptions): Promise<Float64Array>;
export function centralDifference(
  x: ArrayLike<number>,
  f: (v: Float64Array) => number | Promise<number>,
  opts: DifferenceOptions = {},
): Float64Array | Promise<Float64Array> {
  const it = steps(x, opts);
  let s = it.next();
  if (s.done) return s.value;
  const y = f(s.value);
  if (typeof y !== 'number') {
    return (async () => {
      let t = it.next(await y);
      while (!t.done) t = it.next(await f(t.value));
      return t.value;
    })();
  }
  s = it.next(y);
  while (!s.done) s = it.next(f(s.value) as number);
  return s.value;
}
