// The picture behind the points: the network's prediction on a res × res grid over the
// plot (classification), or on `res` x's along the axis (regression).
//
// Grid cell (r, c), r = 0 at the top, is centred at
//   x = x0 + (c + ½)·(x1 − x0)/res,   y = y1 − (r + ½)·(y1 − y0)/res,
// so row-major grid order is image order. Its colour mixes the class colours by the
// predicted probabilities and fades to white as the prediction approaches chance:
//   rgb = white + α·(Σ_c p_c·colour_c − white),   α = A·(max_c p_c − 1/k)/(1 − 1/k).

export type Extent = { x: readonly [number, number]; y: readonly [number, number] };

/** (res², 2) grid-cell centres in the data's units, row-major from the top-left */
export function gridPoints(extent: Extent, res: number): Float64Array {
  if (!Number.isInteger(res) || res < 1) throw new Error(`grid: res must be a positive integer, got ${res}`);
  const [x0, x1] = extent.x;
  const [y0, y1] = extent.y;
  const out = new Float64Array(res * res * 2);
  for (let r = 0; r < res; r++)
    for (let c = 0; c < res; c++) {
      const i = r * res + c;
      out[2 * i] = x0 + ((c + 0.5) * (x1 - x0)) / res;
      out[2 * i + 1] = y1 - ((r + 0.5) * (y1 - y0)) / res;
    }
  return out;
}

/** res x's evenly spaced over [x0, x1], both ends included */
export function linePoints(x: readonly [number, number], res: number): Float64Array {
  if (!Number.isInteger(res) || res < 2) throw new Error(`line: res must be an integer ≥ 2, got ${res}`);
  return Float64Array.from({ length: res }, (_, i) => x[0] + ((x[1] - x[0]) * i) / (res - 1));
}

type Rgb = readonly [number, number, number];

/** "#2f5fa7" → [47, 95, 167] */
export function hexRgb(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a colour '#rrggbb': ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** how strongly the most confident cell is tinted (the points stay readable on top) */
export const TINT = 0.55;

/**
 * RGBA pixels (res², 4) of the boundary image from the predicted probabilities
 * probs (res², k), row-major. k = 1 is not a classification: an error.
 */
export function boundaryPixels(probs: ArrayLike<number>, k: number, res: number, colors: readonly string[]): Uint8ClampedArray {
  if (k < 2) throw new Error(`boundary: needs at least 2 classes, got ${k}`);
  if (probs.length !== res * res * k) throw new Error(`boundary: ${probs.length} probabilities for a ${res}×${res} grid of ${k} classes`);
  if (colors.length < k) throw new Error(`boundary: ${colors.length} colours for ${k} classes`);
  const rgb = colors.slice(0, k).map(hexRgb);
  const out = new Uint8ClampedArray(res * res * 4);
  for (let i = 0; i < res * res; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let top = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[i * k + c]!;
      r += p * rgb[c]![0];
      g += p * rgb[c]![1];
      b += p * rgb[c]![2];
      if (p > top) top = p;
    }
    const a = Number.isFinite(top) ? TINT * Math.max(0, Math.min(1, (top - 1 / k) / (1 - 1 / k))) : 0;
    out[4 * i] = 255 + a * (r - 255);
    out[4 * i + 1] = 255 + a * (g - 255);
    out[4 * i + 2] = 255 + a * (b - 255);
    out[4 * i + 3] = 255;
  }
  return out;
}

/** the predicted class of each grid cell (arg-max of its probabilities; first on ties) */
export function predictedClasses(probs: ArrayLike<number>, k: number): Uint8Array {
  const m = Math.floor(probs.length / k);
  const out = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** FNV-1a of the bytes, 8 hex digits: a fingerprint of an image (equal pixels, equal hash) */
export function hashBytes(bytes: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]! & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** round tick values in [lo, hi]: steps of 1, 2 or 5 × 10ⁿ, at most n + 1 intervals */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= n + 1) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(6)));
  return out;
}
