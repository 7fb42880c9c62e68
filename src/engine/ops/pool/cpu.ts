// Pooling on the float64 CPU reference (the math of shaders/pool.wgsl): max or average
// over kh×kw windows of an NHWC image; zero padding takes part in the window.

import type { Window2D } from '../../geometry';

/** 0xffffffff: the arg-max of a window whose maximum is a padding zero (its gradient goes nowhere) */
export const NO_INDEX = 0xffffffff;

/** y (n, oh, ow, c) = max or mean of each window; max also gives the flat index into x of its maximum */
export function pool2d(X: Float64Array, win: Window2D, mode: 'max' | 'avg'): { y: Float64Array; argmax: Float64Array | null } {
  const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
  const y = new Float64Array(n * oh * ow * c);
  const arg = mode === 'max' ? new Float64Array(n * oh * ow * c) : null;
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let bestIdx = -1;
          let sum = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const hi = p * stride + i - padTop;
              const wj = q * stride + j - padLeft;
              const inside = hi >= 0 && hi < h && wj >= 0 && wj < w;
              const idx = inside ? ((b * h + hi) * w + wj) * c + ch : -1;
              const v = inside ? X[idx]! : 0; // zero padding takes part
              sum += v;
              if (v > best) {
                best = v;
                bestIdx = idx;
              }
            }
          const o = ((b * oh + p) * ow + q) * c + ch;
          if (arg) {
            y[o] = best;
            arg[o] = bestIdx < 0 ? NO_INDEX : bestIdx;
          } else {
            y[o] = sum / (kh * kw);
          }
        }
  return { y, argmax: arg };
}

/** dx (n, h, w, c) from dy (n, oh, ow, c): max routes dy to the recorded arg-max, avg spreads dy/(kh·kw) */
export function pool2dBackward(D: Float64Array, win: Window2D, argmax: Float64Array | null): Float64Array {
  const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
  const dx = new Float64Array(n * h * w * c);
  if (argmax) {
    for (let o = 0; o < D.length; o++) {
      const idx = argmax[o]!;
      if (idx !== NO_INDEX) dx[idx] += D[o]!;
    }
    return dx;
  }
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let ch = 0; ch < c; ch++) {
          const g = D[((b * oh + p) * ow + q) * c + ch]! / (kh * kw);
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const hi = p * stride + i - padTop;
              const wj = q * stride + j - padLeft;
              if (hi >= 0 && hi < h && wj >= 0 && wj < w) dx[((b * h + hi) * w + wj) * c + ch] += g;
            }
        }
  return dx;
}
