// Convolution on the float64 CPU reference: the direct loops of the definition, and the
// course's im2col / col2im (the math of shaders/conv2d.wgsl, conv_backward.wgsl,
// conv_weight_grad.wgsl, im2col.wgsl, col2im.wgsl). X (m, H, W, C) NHWC; W (kh, kw, C, F);
// the window geometry (padding, output size) is geometry.ts's window2d.

import type { Activation } from '../../backend';
import type { Window2D } from '../../geometry';
import { activate } from '../elementwise/cpu';

/**
 * Calls visit(xi, k) for every pair of an input element and a column of the unrolled
 * patch of output pixel `row` (= (b·oh + p)·ow + q) that lies inside the image:
 * xi = ((b·h + hi)·w + wj)·c + ch, k = (i·kw + j)·c + ch.
 */
function patch(win: Window2D, b: number, p: number, q: number, visit: (xi: number, k: number) => void): void {
  const { h, w, c, kh, kw, stride, padTop, padLeft } = win;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const hi = p * stride + i - padTop;
      const wj = q * stride + j - padLeft;
      if (hi < 0 || hi >= h || wj < 0 || wj >= w) continue;
      for (let ch = 0; ch < c; ch++) visit(((b * h + hi) * w + wj) * c + ch, (i * kw + j) * c + ch);
    }
}

/** X (n, h, w, c) → cols (n·oh·ow, kh·kw·c); column (i·kw + j)·c + ch; zeros in the padding */
export function im2col(X: Float64Array, win: Window2D): Float64Array {
  const { n, c, kh, kw, oh, ow } = win;
  const cols = kh * kw * c;
  const out = new Float64Array(n * oh * ow * cols);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++) {
        const row = (b * oh + p) * ow + q;
        patch(win, b, p, q, (xi, k) => (out[row * cols + k] = X[xi]!));
      }
  return out;
}

/** the adjoint of im2col: cols (n·oh·ow, kh·kw·c) → (n, h, w, c), overlapping patches summed */
export function col2im(C: Float64Array, win: Window2D): Float64Array {
  const { n, h, w, c, kh, kw, oh, ow } = win;
  const cols = kh * kw * c;
  const out = new Float64Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++) {
        const row = (b * oh + p) * ow + q;
        patch(win, b, p, q, (xi, k) => (out[xi] += C[row * cols + k]!));
      }
  return out;
}

/** Z[n,d1,d2,f] = σ(Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n,d1·s+i,d2·s+j,c] + b[f]) → (n, oh, ow, F) */
export function conv2d(X: Float64Array, W: Float64Array, B: Float64Array | null, win: Window2D, F: number, act: Activation): Float64Array {
  const { n, h, w: iw, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
  const out = new Float64Array(n * oh * ow * F);
  for (let bn = 0; bn < n; bn++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let f = 0; f < F; f++) {
          let s = B ? B[f]! : 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const hi = p * stride + i - padTop;
              const wj = q * stride + j - padLeft;
              if (hi < 0 || hi >= h || wj < 0 || wj >= iw) continue;
              for (let ch = 0; ch < c; ch++) s += W[((i * kw + j) * c + ch) * F + f]! * X[((bn * h + hi) * iw + wj) * c + ch]!;
            }
          out[((bn * oh + p) * ow + q) * F + f] = activate(act, s);
        }
  return out;
}

/**
 * Gradients of Z = conv(X, W) + b given dZ (n, oh, ow, F): dW[k, f] = Σ dZ·X over the
 * windows, db[f] = Σ dZ, and (needInput) dX[x] = Σ dZ·W over the windows that read x.
 */
export function conv2dBackward(
  D: Float64Array,
  X: Float64Array,
  W: Float64Array,
  win: Window2D,
  F: number,
  needInput: boolean,
): { dx: Float64Array | null; dw: Float64Array; db: Float64Array } {
  const { n, h, w: iw, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
  const dw = new Float64Array(W.length);
  const db = new Float64Array(F);
  const dx = needInput ? new Float64Array(X.length) : null;
  for (let bn = 0; bn < n; bn++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let f = 0; f < F; f++) {
          const g = D[((bn * oh + p) * ow + q) * F + f]!;
          db[f] += g;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const hi = p * stride + i - padTop;
              const wj = q * stride + j - padLeft;
              if (hi < 0 || hi >= h || wj < 0 || wj >= iw) continue;
              for (let ch = 0; ch < c; ch++) {
                const xi = ((bn * h + hi) * iw + wj) * c + ch;
                const wi = ((i * kw + j) * c + ch) * F + f;
                dw[wi] += g * X[xi]!;
                if (dx) dx[xi] += g * W[wi]!;
              }
            }
        }
  return { dx, dw, db };
}
