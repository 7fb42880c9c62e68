// The WebGPU backend: every Backend operation as WGSL kernels (shaders/), recorded into
// one command encoder per step by the GpuContext and submitted by flush().
//
// Each method checks its inputs (f32 tensors of this device; shapes by signatures.ts, the
// rules the CPU reference checks too), allocates the output from the buffer pool (or
// writes into the `out` it is given, e.g. a view of an arena) and records its dispatches
// with the launch code of its op family, ops/<family>/gpu.ts:
//
//   matmul, denseGrads           matmul.wgsl        (bias + activation, or σ'(Y), fused; tiles and
//                                                    vec4 loads chosen by shape)
//   biasActivation, activationBackward, axpby, scale     elementwise.wgsl
//   softmax, softmaxBackward     softmax.wgsl
//   crossEntropy(+Backward), softmaxCrossEntropy(+Backward, or with its gradient), mse(+Backward)
//                                cross_entropy.wgsl (ops/losses)
//   sumRows, argmax, countCorrect, allFinite     reduce.wgsl (sumRows adds with group_sum: subgroups
//                                                when the device has them)
//   sgdUpdate, adamUpdate        optimizers.wgsl    (a whole arena in one dispatch)
//   im2col, col2im, conv2d(+Backward)    ops/conv (conv2d.wgsl: implicit GEMM; or the im2col path)
//   pool2d(+Backward)                    ops/pool (pooling kernels, σ' fused into the backward)
//   view, assign                 no kernel: a window into a buffer; a recorded copy

import type {
  Activation,
  ActivationGrad,
  AdamHyper,
  Backend,
  BackendProfile,
  BackendStats,
  Conv2DBackwardExtras,
  Conv2DOptions,
  DType,
  MatmulOptions,
  OpListener,
  Pool2DOptions,
  PoolResult,
  SgdHyper,
  SoftmaxCrossEntropyOptions,
  StepProfile,
  Tensor,
} from '../backend';
import type { OpHook } from '../ops-hook';
import { NoAdapterError } from '../errors';
import { shapeStr, type Shape, type Window2D } from '../geometry';
import * as sig from '../signatures';
import * as conv from '../ops/conv/gpu';
import * as elementwise from '../ops/elementwise/gpu';
import * as losses from '../ops/losses/gpu';
import * as matmul from '../ops/matmul/gpu';
import * as optimizers from '../ops/optimizers/gpu';
import * as pool from '../ops/pool/gpu';
import * as reduce from '../ops/reduce/gpu';
import * as softmax from '../ops/softmax/gpu';
import { createGpuContext, GpuContext, type GpuContextOptions, GpuTensor, isSoftwareAdapter } from './context';
import type { KernelTuning } from './tuning';

export interface WebGPUBackendOptions extends GpuContextOptions {
  powerPreference?: GPUPowerPreference;
}

/** "vendor architecture — description" from whatever the adapter reports */
export function describeAdapter(info: GPUAdapterInfo | undefined): { name: string; isFallback: boolean } {
  const parts = [info?.description, info?.vendor, info?.architecture, info?.device].filter((s): s is string => !!s && s.length > 0);
  const name = [...new Set(parts)].join(' / ') || 'WebGPU adapter (unnamed)';
  return { name, isFallback: isSoftwareAdapter(info, name) };
}

export class WebGPUBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly stats: BackendStats;

  constructor(
    readonly ctx: GpuContext,
    readonly deviceName: string,
    readonly isFallback: boolean,
  ) {
    this.stats = ctx.stats;
    this.ops = ctx.ops;
  }

  private readonly ops: OpHook;

  onOp(listener: OpListener): () => void {
    return this.ops.on(listener);
  }

  get profile(): BackendProfile {
    return { matmulKernel: this.ctx.tuning.matmul, convBackwardKernel: this.ctx.tuning.convBackward };
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  private f32(t: Tensor, op: string, what: string): GpuTensor {
    return this.ctx.useF32(t, op, what);
  }

  /** `out` checked as the f32 result of `shape`, or a new tensor */
  private output(op: string, what: string, out: Tensor | undefined, shape: Shape, label: string): GpuTensor {
    if (!out) return this.ctx.empty(shape, 'f32', label);
    const o = this.f32(out, op, `out (${what})`);
    sig.outShape(op, what, o.shape, shape);
    return o;
  }

  /** the kernel variants in use (vec4 loads, skinny tiles, subgroups); change to compare paths */
  get tuning(): KernelTuning {
    return this.ctx.tuning;
  }
  set tuning(t: KernelTuning) {
    this.ctx.tuning = { ...t };
  }

  /** true when the device has the 'subgroups' feature (and reductions may use it) */
  get hasSubgroups(): boolean {
    return this.ctx.hasSubgroups;
  }

  // ── tensors ────────────────────────────────────────────────────────────────

  fromArray(data: ArrayLike<number>, shape: Shape, label = 'tensor', dtype: DType = 'f32'): Tensor {
    return this.ctx.fromArray(data, shape, dtype, label);
  }

  zeros(shape: Shape, label = 'zeros'): Tensor {
    return this.ctx.zeros(shape, 'f32', label);
  }

  write(t: Tensor, data: ArrayLike<number>): void {
    this.ctx.upload(this.ctx.use(t, 'write', 'tensor'), data);
  }

  reshape(t: Tensor, shape: Shape): Tensor {
    return this.ops.op('reshape', [t, shape], () => {
      return this.ctx.alias(this.ctx.use(t, 'reshape', 'tensor'), shape);
    });
  }

  clone(t: Tensor, label?: string): Tensor {
    const g = this.ctx.use(t, 'clone', 'tensor');
    return this.ctx.copy(g, label ?? g.label);
  }

  get viewAlignment(): number {
    return this.ctx.viewAlignment;
  }

  view(t: Tensor, offset: number, shape: Shape, label?: string): Tensor {
    return this.ctx.view(this.ctx.use(t, 'view', 'tensor'), offset, shape, label);
  }

  assign(dst: Tensor, src: Tensor): void {
    return this.ops.op('assign', [dst, src], () => {
      this.ctx.copyInto(this.ctx.use(src, 'assign', 'src'), this.ctx.use(dst, 'assign', 'dst'));
    });
  }

  read(t: Tensor): Promise<Float32Array | Float64Array> {
    return this.ctx.read(this.ctx.use(t, 'read', 'tensor'));
  }

  dispose(...ts: (Tensor | undefined | null)[]): void {
    for (const t of ts) this.ctx.dispose(t);
  }

  flush(): void {
    this.ctx.flush();
  }

  sync(): Promise<void> {
    return this.ctx.sync();
  }

  beginProfile(): void {
    this.ctx.beginProfile();
  }

  endProfile(): Promise<StepProfile> {
    return this.ctx.endProfile();
  }

  get profiling(): boolean {
    return this.ctx.profiling;
  }

  destroy(): void {
    this.ctx.destroy();
  }

  get lost(): Promise<string> {
    return this.ctx.lost;
  }

  // ── dense algebra ──────────────────────────────────────────────────────────

  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    return this.ops.op('matmul', [a, b, opts], () => {
      const A = this.f32(a, 'matmul', 'A');
      const B = this.f32(b, 'matmul', 'B');
      const bias = opts.bias ? this.f32(opts.bias, 'matmul', 'bias') : null;
      const dactY = opts.dact ? this.f32(opts.dact.y, 'matmul', 'dact.y') : null;
      const s = sig.matmulSignature(A.shape, B.shape, { ...opts, bias: bias?.shape, dactY: dactY?.shape });
      const C = this.output('matmul', 'C', opts.out, [s.M, s.N], 'matmul');
      matmul.matmul(this.ctx, A, B, C, s, { bias, act: opts.activation ?? 'linear', dactY, dact: opts.dact?.activation });
      return C;
    });
  }

  denseGrads(x: Tensor, dz: Tensor, out: { dw?: Tensor; db?: Tensor } = {}): { dw: Tensor; db: Tensor } {
    return this.ops.op('denseGrads', [x, dz, out], () => {
      const op = 'denseGrads';
      const X = this.f32(x, op, 'X');
      const D = this.f32(dz, op, 'dZ');
      const { m, nIn, nOut } = sig.denseGradsSignature(X.shape, D.shape);
      const dw = this.output(op, 'dW', out.dw, [nIn, nOut], 'dense dW');
      const db = this.output(op, 'db', out.db, [1, nOut], 'dense db');
      matmul.denseGrads(this.ctx, X, D, dw, db, m, nIn, nOut);
      return { dw, db };
    });
  }

  biasActivation(x: Tensor, b: Tensor | null, act: Activation): Tensor {
    return this.ops.op('biasActivation', [x, b, act], () => {
      const X = this.f32(x, 'biasActivation', 'X');
      const B = b ? this.f32(b, 'biasActivation', 'bias') : null;
      const [M, N] = sig.biasActivationSignature(X.shape, B?.shape ?? null);
      return elementwise.biasActivation(this.ctx, X, B, M, N, act);
    });
  }

  activationBackward(dy: Tensor, y: Tensor, act: Activation): Tensor {
    return this.ops.op('activationBackward', [dy, y, act], () => {
      const D = this.f32(dy, 'activationBackward', 'dY');
      const Y = this.f32(y, 'activationBackward', 'Y');
      sig.sameAs('activationBackward', 'dY', D.shape, Y.shape);
      return elementwise.activationBackward(this.ctx, D, Y, elementwise.actCode('activationBackward', act), `d${act}`);
    });
  }

  sumRows(x: Tensor): Tensor {
    return this.ops.op('sumRows', [x], () => {
      const X = this.f32(x, 'sumRows', 'X');
      const [M, N] = sig.rows('sumRows', 'X', X.shape);
      return reduce.sumRows(this.ctx, X, M, N);
    });
  }

  axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
    return this.ops.op('axpby', [alpha, x, beta, y], () => {
      const X = this.f32(x, 'axpby', 'x');
      const Y = this.f32(y, 'axpby', 'y');
      sig.sameAs('axpby', 'y', Y.shape, X.shape);
      return elementwise.axpby(this.ctx, alpha, X, beta, Y, 'axpby');
    });
  }

  scale(x: Tensor, s: number): Tensor {
    return this.ops.op('scale', [x, s], () => {
      return elementwise.axpby(this.ctx, s, this.f32(x, 'scale', 'x'), 0, null, 'scale');
    });
  }

  // ── softmax and losses ─────────────────────────────────────────────────────

  softmax(x: Tensor): Tensor {
    return this.ops.op('softmax', [x], () => {
      const X = this.f32(x, 'softmax', 'X');
      const [M, N] = sig.rows('softmax', 'X', X.shape);
      return softmax.softmax(this.ctx, X, M, N);
    });
  }

  softmaxBackward(dy: Tensor, sigma: Tensor): Tensor {
    return this.ops.op('softmaxBackward', [dy, sigma], () => {
      const D = this.f32(dy, 'softmaxBackward', 'dY');
      const S = this.f32(sigma, 'softmaxBackward', 'σ');
      const [M, N] = sig.softmaxBackwardSignature(D.shape, S.shape);
      return softmax.softmaxBackward(this.ctx, D, S, M, N);
    });
  }

  /** checks (ŷ, y) of a loss: both (m, k), f32 */
  private lossPair(op: string, what: string, yhat: Tensor, y: Tensor): [GpuTensor, GpuTensor, number, number] {
    const P = this.f32(yhat, op, what);
    const Y = this.f32(y, op, 'y');
    const [M, N] = sig.lossSignature(op, what, P.shape, Y.shape);
    return [P, Y, M, N];
  }

  private lossGrad(op: string, entry: string, what: string, yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op(op, [yhat, y], () => losses.lossGrad(this.ctx, op, entry, ...this.lossPair(op, what, yhat, y)));
  }

  private reducedLoss(op: string, entry: string, yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op(op, [yhat, y], () => losses.reducedLoss(this.ctx, op, entry, ...this.lossPair(op, 'ŷ', yhat, y)));
  }

  crossEntropy(yhat: Tensor, y: Tensor): Tensor {
    return this.reducedLoss('crossEntropy', 'ce_loss', yhat, y);
  }

  crossEntropyBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.lossGrad('crossEntropyBackward', 'ce_backward', 'ŷ', yhat, y);
  }

  softmaxCrossEntropy(logits: Tensor, y: Tensor, opts: SoftmaxCrossEntropyOptions = {}): { loss: Tensor; probs: Tensor; dz?: Tensor } {
    return this.ops.op('softmaxCrossEntropy', [logits, y, opts], () => {
      const [Z, Y, M, N] = this.lossPair('softmaxCrossEntropy', 'logits', logits, y);
      return losses.softmaxCrossEntropy(this.ctx, Z, Y, M, N, opts.grad === true);
    });
  }

  softmaxCrossEntropyBackward(probs: Tensor, y: Tensor): Tensor {
    return this.lossGrad('softmaxCrossEntropyBackward', 'softmax_ce_backward', 'probs', probs, y);
  }

  mse(yhat: Tensor, y: Tensor): Tensor {
    return this.reducedLoss('mse', 'mse_loss', yhat, y);
  }

  mseBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.lossGrad('mseBackward', 'mse_backward', 'ŷ', yhat, y);
  }

  // ── convolution and pooling (ops/conv/gpu.ts, ops/pool/gpu.ts) ─────────────

  im2col(x: Tensor, win: Window2D): Tensor {
    return this.ops.op('im2col', [x, win], () => conv.im2col(this.ctx, x, win));
  }

  col2im(cols: Tensor, win: Window2D): Tensor {
    return this.ops.op('col2im', [cols, win], () => conv.col2im(this.ctx, cols, win));
  }

  conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2DOptions, act?: Activation): Tensor {
    return this.ops.op('conv2d', [x, w, b, opts, act], () => conv.conv2d(this, x, w, b, opts, act));
  }

  conv2dBackward(
    dz: Tensor,
    x: Tensor,
    w: Tensor,
    opts: Conv2DOptions,
    needInput: boolean,
    extras?: Conv2DBackwardExtras,
  ): { dx?: Tensor; dw: Tensor; db: Tensor } {
    return this.ops.op('conv2dBackward', [dz, x, w, opts, needInput, extras], () => {
      return conv.conv2dBackward(this, dz, x, w, opts, needInput, extras);
    });
  }

  pool2d(x: Tensor, opts: Pool2DOptions): PoolResult {
    return this.ops.op('pool2d', [x, opts], () => pool.pool2d(this.ctx, x, opts));
  }

  pool2dBackward(dy: Tensor, xShape: Shape, opts: Pool2DOptions, argmax?: Tensor, dact?: ActivationGrad): Tensor {
    return this.ops.op('pool2dBackward', [dy, xShape, opts, argmax, dact], () => {
      return pool.pool2dBackward(this.ctx, dy, xShape, opts, argmax, dact);
    });
  }

  // ── optimizers (in place) ──────────────────────────────────────────────────

  sgdUpdate(param: Tensor, grad: Tensor, velocity: Tensor | null, h: SgdHyper): void {
    return this.ops.op('sgdUpdate', [param, grad, velocity, h], () => {
      const P = this.f32(param, 'sgdUpdate', 'param');
      const G = this.f32(grad, 'sgdUpdate', 'gradient');
      const V = velocity && h.momentum !== 0 ? this.f32(velocity, 'sgdUpdate', 'velocity') : null;
      sig.updateSignature('sgdUpdate', P.shape, V ? { gradient: G.shape, velocity: V.shape } : { gradient: G.shape });
      optimizers.sgd(this.ctx, P, G, V, h);
    });
  }

  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void {
    return this.ops.op('adamUpdate', [param, grad, m, v, h], () => {
      const P = this.f32(param, 'adamUpdate', 'param');
      const G = this.f32(grad, 'adamUpdate', 'gradient');
      const Mt = this.f32(m, 'adamUpdate', 'm');
      const Vt = this.f32(v, 'adamUpdate', 'v');
      sig.updateSignature('adamUpdate', P.shape, { gradient: G.shape, m: Mt.shape, v: Vt.shape });
      optimizers.adam(this.ctx, P, G, Mt, Vt, h);
    });
  }

  // ── evaluation ─────────────────────────────────────────────────────────────

  argmax(x: Tensor): Tensor {
    return this.ops.op('argmax', [x], () => {
      const X = this.f32(x, 'argmax', 'X');
      const [M, N] = sig.rows('argmax', 'X', X.shape);
      return reduce.argmax(this.ctx, X, M, N);
    });
  }

  countCorrect(scores: Tensor, onehot: Tensor): Tensor {
    return this.ops.op('countCorrect', [scores, onehot], () => {
      const S = this.f32(scores, 'countCorrect', 'scores');
      const Y = this.f32(onehot, 'countCorrect', 'labels');
      const [M, N] = sig.countCorrectSignature(S.shape, Y.shape);
      return reduce.countCorrect(this.ctx, S, Y, M, N);
    });
  }

  allFinite(x: Tensor, y?: Tensor | null): Tensor {
    return this.ops.op('allFinite', [x, y], () => {
      const X = this.f32(x, 'allFinite', 'x');
      const Y = y ? this.f32(y, 'allFinite', 'y') : null;
      return reduce.allFinite(this.ctx, X, Y);
    });
  }

  checkFits(shape: Shape, what: string): void {
    this.ctx.checkFits(shape.reduce((a, b) => a * b, 1) * 4, `${what} ${shapeStr(shape)}`);
  }
}

/**
 * A WebGPU backend on `gpu` (navigator.gpu in the browser, nodeGPU() in Node).
 * Throws NoAdapterError when no adapter is offered; device errors propagate.
 */
export async function createWebGPUBackend(gpu: GPU, opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  if (!adapter) throw new NoAdapterError('navigator.gpu offered no WebGPU adapter');
  const { name, isFallback } = describeAdapter(adapter.info);
  const ctx = await createGpuContext(adapter, { software: isFallback, ...opts });
  return new WebGPUBackend(ctx, name, isFallback);
}
