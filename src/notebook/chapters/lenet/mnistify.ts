// A drawing made to look like an MNIST digit. The MNIST images were made this way
// (LeCun et al.): the ink's bounding box is scaled, keeping its aspect ratio, so that
// its longer side is 20 pixels (anti-aliased), and the result is placed in a 28 × 28
// field with the ink's centre of mass at the centre.
//
//   ink      (h, w) intensities in [0, 1], row-major (e.g. a canvas's alpha channel)
//   result   (28, 28) in [0, 1], row-major: the network's input for one image
//
// The map from the drawing to the field is x' = s·(x − cx) + 14 (likewise y), with
// s = 20 / max(box width, box height) and (cx, cy) the centre of mass. Each output pixel
// averages the ink over its preimage, a square of side 1/s (an area, or box, filter):
//
//   out[i][j] = s² · Σ_y Σ_x cov(i, y) · cov(j, x) · ink[y][x]
//
// where cov(j, x) is the length of [x, x + 1) ∩ [(j − 14)/s + cx, (j + 1 − 14)/s + cx).
// The filter is separable, so it costs one matrix product per axis.

export const MNIST_SIDE = 28;
/** the longer side of the ink's box after scaling */
export const MNIST_BOX = 20;

export interface InkStats {
  /** the bounding box of the pixels above the threshold: columns x0 … x1 − 1, rows y0 … y1 − 1 */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** centre of mass in pixel coordinates (pixel x covers [x, x + 1), so its centre is x + ½) */
  cx: number;
  cy: number;
  /** Σ ink */
  mass: number;
}

/** bounding box and centre of mass of the ink; null when nothing is drawn */
export function inkStats(ink: ArrayLike<number>, h: number, w: number, threshold = 0.02): InkStats | null {
  if (ink.length !== h * w) throw new Error(`inkStats: ${ink.length} values for a ${h} × ${w} drawing`);
  let x0 = w;
  let x1 = 0;
  let y0 = h;
  let y1 = 0;
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x]!;
      if (!(v > threshold)) continue;
      if (x < x0) x0 = x;
      if (x + 1 > x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y + 1 > y1) y1 = y + 1;
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  if (mass === 0) return null;
  return { x0, x1, y0, y1, cx: sx / mass, cy: sy / mass, mass };
}

/**
 * cov (out, n): cov[j][x] = |[x, x + 1) ∩ [(j − c)/s + m, (j + 1 − c)/s + m)|, the share of
 * source pixel x inside output pixel j's preimage (c the output centre, m the source point
 * mapped to it). Rows are zero where the preimage misses the source.
 */
function coverage(out: number, n: number, s: number, m: number, c: number): Float64Array {
  const cov = new Float64Array(out * n);
  for (let j = 0; j < out; j++) {
    const a = (j - c) / s + m;
    const b = (j + 1 - c) / s + m;
    const lo = Math.max(0, Math.floor(a));
    const hi = Math.min(n, Math.ceil(b));
    for (let x = lo; x < hi; x++) {
      const len = Math.min(b, x + 1) - Math.max(a, x);
      if (len > 0) cov[j * n + x] = len;
    }
  }
  return cov;
}

/**
 * The MNIST-style (28, 28) image of a drawing, or null when nothing is drawn.
 * Values are clamped to [0, 1].
 */
export function mnistify(ink: ArrayLike<number>, h: number, w: number): Float32Array | null {
  const st = inkStats(ink, h, w);
  if (!st) return null;
  const side = Math.max(st.x1 - st.x0, st.y1 - st.y0);
  const s = MNIST_BOX / side;
  const c = MNIST_SIDE / 2;
  const cx = coverage(MNIST_SIDE, w, s, st.cx, c); // (28, w)
  const cy = coverage(MNIST_SIDE, h, s, st.cy, c); // (28, h)
  // tmp (28, w) = cy · ink; out (28, 28) = s² · tmp · cxᵀ
  const tmp = new Float64Array(MNIST_SIDE * w);
  for (let i = 0; i < MNIST_SIDE; i++) {
    for (let y = 0; y < h; y++) {
      const k = cy[i * h + y]!;
      if (k === 0) continue;
      for (let x = 0; x < w; x++) tmp[i * w + x] += k * ink[y * w + x]!;
    }
  }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  const s2 = s * s;
  for (let i = 0; i < MNIST_SIDE; i++) {
    for (let j = 0; j < MNIST_SIDE; j++) {
      let acc = 0;
      for (let x = 0; x < w; x++) {
        const k = cx[j * w + x]!;
        if (k !== 0) acc += k * tmp[i * w + x]!;
      }
      out[i * MNIST_SIDE + j] = Math.min(1, Math.max(0, acc * s2));
    }
  }
  return out;
}
