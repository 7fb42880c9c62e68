// Shapes and geometry shared by both backends: the single definition of how
// convolution and pooling windows are laid out, so the CPU reference and the
// WGSL kernels cannot disagree about padding or output sizes.

import { ShapeError } from './errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `(${shape.join(', ')})`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertShape(op: string, what: string, got: Shape, want: Shape): void {
  if (!sameShape(got, want)) {
    throw new ShapeError(`${op}: ${what} has shape ${shapeStr(got)}, expected ${shapeStr(want)}`);
  }
}

export function assertRank(op: string, what: string, got: Shape, rank: number): void {
  if (got.length !== rank) {
    throw new ShapeError(`${op}: ${what} must have rank ${rank}, got shape ${shapeStr(got)}`);
  }
}

/** Padding as the course writes it: 'same', 'valid' or a symmetric integer. */
export type Padding = 'same' | 'valid' | number;

/**
 * A 2-D window (convolution kernel or pooling window) applied to NHWC input.
 *
 * Out size = floor((H + padTop + padBottom − kh) / stride) + 1.
 * 'valid' → no padding; integer p → p on every side;
 * 'same'  → out = ceil(H / stride), total padding max((out−1)·s + kh − H, 0),
 *           split with the extra row/column at the bottom/right (as TensorFlow does).
 *           With stride 1 and odd kh this is the symmetric p = (kh − 1)/2.
 */
export interface Window2D {
  /** input batch, height, width, channels */
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  stride: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  /** output height and width */
  oh: number;
  ow: number;
}

/**
 * The window's fields as the WGSL uniform structs name them (the common head of `Conv` in
 * conv2d.wgsl / conv_backward.wgsl, `Win` in im2col.wgsl, col2im.wgsl and pool.wgsl):
 * n, h, w, c, kh, kw, stride, pad_top, pad_left, oh, ow. Bottom and right padding need no
 * field: oh and ow already say where the windows end.
 */
export function windowUniforms(win: Window2D): Record<string, number> {
  return {
    n: win.n,
    h: win.h,
    w: win.w,
    c: win.c,
    kh: win.kh,
    kw: win.kw,
    stride: win.stride,
    pad_top: win.padTop,
    pad_left: win.padLeft,
    oh: win.oh,
    ow: win.ow,
  };
}

export function resolvePad(size: number, k: number, stride: number, pad: Padding, op: string): [number, number] {
  if (pad === 'valid') return [0, 0];
  if (pad === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + k - size, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  }
  if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) return [pad, pad];
  throw new ShapeError(`${op}: padding must be 'same', 'valid' or a non-negative integer, got ${JSON.stringify(pad)}`);
}

export function window2d(
  op: string,
  inputShape: Shape,
  kernel: readonly [number, number],
  stride: number,
  pad: Padding,
): Window2D {
  assertRank(op, 'input (m, H, W, C)', inputShape, 4);
  const [n, h, w, c] = inputShape as [number, number, number, number];
  const [kh, kw] = kernel;
  if (!Number.isInteger(stride) || stride < 1) throw new ShapeError(`${op}: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(kh) || !Number.isInteger(kw) || kh < 1 || kw < 1) {
    throw new ShapeError(`${op}: kernel size must be positive integers, got ${kh}×${kw}`);
  }
  const [padTop, padBottom] = resolvePad(h, kh, stride, pad, op);
  const [padLeft, padRight] = resolvePad(w, kw, stride, pad, op);
  const oh = Math.floor((h + padTop + padBottom - kh) / stride) + 1;
  const ow = Math.floor((w + padLeft + padRight - kw) / stride) + 1;
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      `${op}: a ${kh}×${kw} window with stride ${stride} and padding ${JSON.stringify(pad)} does not fit input ${shapeStr(inputShape)}`,
    );
  }
  return { n, h, w, c, kh, kw, stride, padTop, padBottom, padLeft, padRight, oh, ow };
}
