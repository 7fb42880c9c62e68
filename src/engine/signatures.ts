// Output shapes and shape errors of every op, written once: both backends call these
// before they compute anything, so a wrong shape gets the same message on the CPU
// reference and on the GPU. Shapes follow the course's conventions (backend.ts):
// dense (m, n) row-major, images NHWC (m, H, W, C), conv weights (kh, kw, C, F).

import type { Activation, Conv2DOptions, Pool2DOptions } from './backend';
import { ShapeError } from './errors';
import { assertRank, assertShape, sameShape, shapeStr, window2d, type Shape, type Window2D } from './geometry';

export { assertShape };

/** (rows, cols) of a matrix; anything but rank 2 throws */
export function rows(op: string, what: string, shape: Shape): [number, number] {
  assertRank(op, what, shape, 2);
  return [shape[0]!, shape[1]!];
}

/** `out` given for a result must have the result's shape */
export function outShape(op: string, what: string, got: Shape, want: Shape): void {
  assertShape(op, `out (${what})`, got, want);
}

// ── matmul ───────────────────────────────────────────────────────────────────

export interface MatmulSignature {
  /** op(A) (M, K) · op(B) (K, N) → C (M, N) */
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
}

/**
 * C = act(op(A)·op(B) + 1·b), op(A) = A or Aᵀ: A (M, K) or (K, M), B (K, N) or (N, K),
 * bias (1, N); or, with a backward epilogue, (op(A)·op(B)) ⊙ σ'(Y) with Y (M, N) and
 * neither bias nor activation.
 */
export function matmulSignature(
  a: Shape,
  b: Shape,
  opts: { transA?: boolean; transB?: boolean; bias?: Shape | null; activation?: Activation; dactY?: Shape | null },
): MatmulSignature {
  const [ar, ac] = rows('matmul', 'A', a);
  const [br, bc] = rows('matmul', 'B', b);
  const transA = opts.transA === true;
  const transB = opts.transB === true;
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const [K2, N] = transB ? [bc, br] : [br, bc];
  if (K !== K2) {
    throw new ShapeError(
      `matmul: inner sizes differ: A${transA ? 'ᵀ' : ''} is ${M}×${K} (A ${shapeStr(a)}), ` +
        `B${transB ? 'ᵀ' : ''} is ${K2}×${N} (B ${shapeStr(b)})`,
    );
  }
  if (opts.bias) assertShape('matmul', 'bias', opts.bias, [1, N]);
  if (opts.dactY) {
    if (opts.bias || (opts.activation ?? 'linear') !== 'linear') {
      throw new Error('matmul: dact (a backward epilogue) cannot be combined with bias or activation');
    }
    assertShape('matmul', 'dact.y', opts.dactY, [M, N]);
  }
  return { M, N, K, transA, transB };
}

/** [dW; db] = [Xᵀ; 1ᵀ]·dZ: X (m, n_in), dZ (m, n_out) → dW (n_in, n_out), db (1, n_out) */
export function denseGradsSignature(x: Shape, dz: Shape): { m: number; nIn: number; nOut: number } {
  const [m, nIn] = rows('denseGrads', 'X', x);
  const [m2, nOut] = rows('denseGrads', 'dZ', dz);
  if (m !== m2) throw new ShapeError(`denseGrads: X ${shapeStr(x)} and dZ ${shapeStr(dz)} have different row counts`);
  return { m, nIn, nOut };
}

// ── elementwise ──────────────────────────────────────────────────────────────

/** Y = σ(X + 1·b): X (M, N), b (1, N) or none → (M, N) */
export function biasActivationSignature(x: Shape, bias: Shape | null): [number, number] {
  const [M, N] = rows('biasActivation', 'X', x);
  if (bias) assertShape('biasActivation', 'bias', bias, [1, N]);
  return [M, N];
}

/** `what` of an elementwise op must have the shape of its first operand */
export function sameAs(op: string, what: string, got: Shape, want: Shape): void {
  assertShape(op, what, got, want);
}

// ── softmax and losses ───────────────────────────────────────────────────────

/** dX = σ ⊙ (dY − rowsum(dY ⊙ σ)): σ (M, N), dY (M, N) → (M, N) */
export function softmaxBackwardSignature(dy: Shape, sigma: Shape): [number, number] {
  const [M, N] = rows('softmaxBackward', 'σ', sigma);
  assertShape('softmaxBackward', 'dY', dy, sigma);
  return [M, N];
}

/** a loss's prediction (`what`: ŷ, logits or probs) and one-hot targets y, both (m, k) */
export function lossSignature(op: string, what: string, yhat: Shape, y: Shape): [number, number] {
  const [M, N] = rows(op, what, yhat);
  assertShape(op, 'y', y, yhat);
  return [M, N];
}

/** scores and one-hot labels of countCorrect, both (m, k) */
export function countCorrectSignature(scores: Shape, labels: Shape): [number, number] {
  if (!sameShape(scores, labels)) {
    throw new ShapeError(`countCorrect: scores ${shapeStr(scores)} and labels ${shapeStr(labels)} differ`);
  }
  return rows('countCorrect', 'scores', scores);
}

// ── convolution ──────────────────────────────────────────────────────────────

/** Refuses a hand-made window whose fields are not sizes, or whose output size is wrong. */
export function checkWindow(op: string, win: Window2D): void {
  const fields = ['n', 'h', 'w', 'c', 'kh', 'kw', 'stride', 'padTop', 'padBottom', 'padLeft', 'padRight', 'oh', 'ow'] as const;
  for (const f of fields) {
    const v = win[f];
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${op}: window field ${f} must be a non-negative integer, got ${v}`);
  }
  if (win.kh < 1 || win.kw < 1 || win.stride < 1) {
    throw new ShapeError(`${op}: window ${win.kh}×${win.kw} with stride ${win.stride} must be at least 1×1 with stride ≥ 1`);
  }
  const oh = Math.floor((win.h + win.padTop + win.padBottom - win.kh) / win.stride) + 1;
  const ow = Math.floor((win.w + win.padLeft + win.padRight - win.kw) / win.stride) + 1;
  if (oh !== win.oh || ow !== win.ow) {
    throw new ShapeError(`${op}: window output ${win.oh}×${win.ow} disagrees with its geometry, which gives ${oh}×${ow}`);
  }
}

/** im2col: X (n, h, w, c) → cols (n·oh·ow, kh·kw·c) */
export function im2colSignature(x: Shape, win: Window2D): Shape {
  checkWindow('im2col', win);
  assertShape('im2col', 'X', x, [win.n, win.h, win.w, win.c]);
  return [win.n * win.oh * win.ow, win.kh * win.kw * win.c];
}

/** col2im: cols (n·oh·ow, kh·kw·c) → (n, h, w, c) */
export function col2imSignature(cols: Shape, win: Window2D): Shape {
  checkWindow('col2im', win);
  assertShape('col2im', 'cols', cols, [win.n * win.oh * win.ow, win.kh * win.kw * win.c]);
  return [win.n, win.h, win.w, win.c];
}

/** The window of a convolution of X (m, H, W, C) by W (kh, kw, C, F), checking that the channels agree; F. */
function convWindow(op: string, x: Shape, w: Shape, opts: Conv2DOptions): { win: Window2D; F: number } {
  assertRank(op, 'W (kh, kw, c_in, c_out)', w, 4);
  const [kh, kw, cin, F] = w as [number, number, number, number];
  const win = window2d(op, x, [kh, kw], opts.stride, opts.pad);
  if (win.c !== cin) {
    throw new ShapeError(`${op}: input ${shapeStr(x)} has ${win.c} channels but W ${shapeStr(w)} expects ${cin}`);
  }
  return { win, F };
}

/** Z = act(conv(X, W) + b): X (m, H, W, C), W (kh, kw, C, F), b (1, F) → Z (m, oh, ow, F) */
export function conv2dSignature(x: Shape, w: Shape, bias: Shape | null, opts: Conv2DOptions): { win: Window2D; F: number } {
  const s = convWindow('conv2d', x, w, opts);
  if (bias) assertShape('conv2d', 'bias', bias, [1, s.F]);
  return s;
}

/** conv2dBackward: dZ (m, oh, ow, F) → dW like W, db (1, F), dX like X (Y_prev of dact like X) */
export function conv2dBackwardSignature(dz: Shape, x: Shape, w: Shape, opts: Conv2DOptions, dactY?: Shape): { win: Window2D; F: number } {
  const s = convWindow('conv2dBackward', x, w, opts);
  assertShape('conv2dBackward', 'dZ', dz, [s.win.n, s.win.oh, s.win.ow, s.F]);
  if (dactY) assertShape('conv2dBackward', 'dact.y', dactY, x);
  return s;
}

// ── pooling ──────────────────────────────────────────────────────────────────

function checkPool(op: string, opts: Pool2DOptions): 'max' | 'avg' {
  if (opts.mode !== 'max' && opts.mode !== 'avg') {
    throw new Error(`${op}: unknown pooling mode '${String(opts.mode)}'; known: max, avg`);
  }
  if (!Array.isArray(opts.kernel) || opts.kernel.length !== 2) {
    throw new ShapeError(`${op}: kernel must be [kh, kw], got ${JSON.stringify(opts.kernel)}`);
  }
  return opts.mode;
}

/** pool2d: X (m, H, W, C) → Y (m, oh, ow, C) (and the arg-max, same shape, for max) */
export function pool2dSignature(x: Shape, opts: Pool2DOptions): { win: Window2D; mode: 'max' | 'avg'; shape: Shape } {
  const mode = checkPool('pool2d', opts);
  const win = window2d('pool2d', x, opts.kernel, opts.stride, opts.pad);
  return { win, mode, shape: [win.n, win.oh, win.ow, win.c] };
}

/** pool2dBackward: dY (m, oh, ow, C) → dX (xShape); max needs the arg-max (like dY) */
export function pool2dBackwardSignature(
  dy: Shape,
  xShape: Shape,
  opts: Pool2DOptions,
  argmax: Shape | undefined,
  dactY: Shape | undefined,
): { win: Window2D; mode: 'max' | 'avg' } {
  const op = 'pool2dBackward';
  const mode = checkPool(op, opts);
  const win = window2d(op, xShape, opts.kernel, opts.stride, opts.pad);
  assertShape(op, 'dY', dy, [win.n, win.oh, win.ow, win.c]);
  if (dactY) assertShape(op, 'dact.y', dactY, xShape);
  if (mode === 'max') {
    if (!argmax) throw new Error(`${op}: max pooling needs the arg-max recorded by pool2d`);
    assertShape(op, 'argmax', argmax, dy);
  }
  return { win, mode };
}

// ── optimizers ───────────────────────────────────────────────────────────────

/** an in-place update: every state tensor (gradient, velocity, m, v) has the parameter's shape */
export function updateSignature(op: string, param: Shape, state: Readonly<Record<string, Shape>>): void {
  for (const [what, s] of Object.entries(state)) assertShape(op, what, s, param);
}
