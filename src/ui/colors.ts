// Colour scales shared by the widgets. Diverging: blue for negative, near-white for
// zero, red for positive (ColorBrewer RdBu, reversed), symmetric around 0.

type Rgb = readonly [number, number, number];

const NEG: Rgb = [33, 102, 172];
const MID: Rgb = [247, 247, 247];
const POS: Rgb = [178, 24, 43];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** v in [−range, range] → rgb; values beyond the range saturate; NaN is grey */
export function diverging(v: number, range: number): Rgb {
  if (!Number.isFinite(v)) return [150, 150, 150];
  const t = range > 0 ? Math.max(-1, Math.min(1, v / range)) : 0;
  return t < 0 ? mix(MID, NEG, -t) : mix(MID, POS, t);
}

/** v in [lo, hi] → white … near-black (images, probabilities) */
export function sequential(v: number, lo: number, hi: number): Rgb {
  if (!Number.isFinite(v)) return [200, 80, 80];
  const t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
  return mix([255, 255, 255], [20, 24, 36], t);
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
}

/** black or white text, whichever reads better on the background */
export function textOn([r, g, b]: Rgb): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#1b1f27' : '#ffffff';
}

/** the palette of series in charts and plots (restrained, distinguishable, colour-blind safe) */
export const SERIES_COLORS = ['#2f5fa7', '#c2571a', '#3b8a5a', '#8a4fa3', '#a8862a', '#5f6b7a'] as const;

/** the four hidden units of chapter 1 (distinct from the data's orange and the curve's blue) */
export const UNIT_COLORS = ['#2a8c82', '#8a4fa3', '#b0851c', '#c2417a'] as const;
