// The WebGPU backend: every Backend operation as WGSL kernels (shaders/), recorded into
// one command encoder per step by the GpuContext and submitted by flush().
//
// Each method checks its inputs (shape errors name the op and both shapes), allocates
// the output from the buffer pool (or writes into the `out` it is given, e.g. a view of
// an arena) and records one dispatch (conv2d and its backward: see conv.ts):
//
//   matmul, denseGrads           matmul.wgsl        (bias + activation, or σ'(Y), fused; tiles and
//                                                    vec4 loads chosen by shape: product.ts)
//   biasActivation, activationBackward, axpby, scale     elementwise.wgsl
//   softmax, softmaxBackward     softmax.wgsl
//   crossEntropy(+Backward), softmaxCrossEntropy(+Backward, or with its gradient), mse(+Backward)
//                                cross_entropy.wgsl
//   sumRows, argmax, countCorrect, allFinite     reduce.wgsl (sumRows adds with group_sum: subgroups
//                                                when the device has them)
//   sgdUpdate, adamUpdate        optimizers.wgsl    (a whole arena in one dispatch)
//   im2col, col2im, conv2d(+Backward)    conv.ts (conv2d.wgsl: implicit GEMM; or the im2col path)
//   pool2d(+Backward)                    pool.ts (pooling kernels, σ' fused into the backward)
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
import { NoAdapterError, ShapeError } from '../errors';
import { assertRank, assertShape, sameShape, shapeStr, type Shape, type Window2D } from '../geometry';
import * as conv from './conv';
import * as pool from './pool';
import { createGpuContext, GpuContext, type GpuContextOptions, GpuTensor, isSoftwareAdapter } from './context';
import { actCode, gemm, type KernelTuning } from './product';

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
    const g = this.ctx.use(t, op, what);
    if (g.dtype !== 'f32') throw new TypeError(`${op}: ${what} '${g.label}' must be f32, got ${g.dtype}`);
    return g;
  }

  private rows(op: string, what: string, t: GpuTensor): [number, number] {
    assertRank(op, what, t.shape, 2);
    return [t.shape[0]!, t.shape[1]!];
  }

  /** `out` checked as the f32 result of `shape`, or a new tensor */
  private output(op: string, what: string, out: Tensor | undefined, shape: Shape, label: string): GpuTensor {
    if (!out) return this.ctx.empty(shape, 'f32', label);
    const o = this.f32(out, op, `out (${what})`);
    assertShape(op, `out (${what})`, o.shape, shape);
    return o;
  }

  /** the Y and activation code of a backward epilogue, Y checked against the result's shape */
  private dactOf(op: string, dact: ActivationGrad | undefined, shape: Shape): [GpuTensor | null, number] {
    if (!dact) return [null, 0];
    const Y = this.f32(dact.y, op, 'dact.y');
    assertShape(op, 'dact.y', Y.shape, shape);
    return [Y, actCode(op, dact.activation)];
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
      const [ar, ac] = this.rows('matmul', 'A', A);
      const [br, bc] = this.rows('matmul', 'B', B);
      const transA = opts.transA === true;
      const transB = opts.transB === true;
      const [M, K] = transA ? [ac, ar] : [ar, ac];
      const [K2, N] = transB ? [bc, br] : [br, bc];
      if (K !== K2) {
        throw new ShapeError(
          `matmul: inner sizes differ: A${transA ? 'ᵀ' : ''} is ${M}×${K} (A ${shapeStr(A.shape)}), ` +
            `B${transB ? 'ᵀ' : ''} is ${K2}×${N} (B ${shapeStr(B.shape)})`,
        );
      }
      const bias = opts.bias ? this.f32(opts.bias, 'matmul', 'bias') : null;
      if (bias) assertShape('matmul', 'bias', bias.shape, [1, N]);
      const act = opts.activation ?? 'linear';
      const [dactY, dact] = this.dactOf('matmul', opts.dact, [M, N]);
      if (opts.dact && (bias || act !== 'linear')) throw new Error('matmul: dact (a backward epilogue) cannot be combined with bias or activation');
      const C = this.output('matmul', 'C', opts.out, [M, N], 'matmul');
      gemm(this.ctx, {
        entry: 'matmul',
        A,
        B,
        C,
        M,
        N,
        K,
        transA,
        transB,
        bias,
        act: actCode('matmul', act),
        dactY,
        dact,
        label: `matmul ${M}×${K}·${K}×${N}${dact ? ` ⊙ ${opts.dact!.activation}'` : ''}`,
      });
      return C;
    });
  }

  denseGrads(x: Tensor, dz: Tensor, out: { dw?: Tensor; db?: Tensor } = {}): { dw: Tensor; db: Tensor } {
    return this.ops.op('denseGrads', [x, dz, out], () => {
      const op = 'denseGrads';
      const X = this.f32(x, op, 'X');
      const D = this.f32(dz, op, 'dZ');
      const [m, nIn] = this.rows(op, 'X', X);
      const [m2, nOut] = this.rows(op, 'dZ', D);
      if (m !== m2) throw new ShapeError(`${op}: X ${shapeStr(X.shape)} and dZ ${shapeStr(D.shape)} have different row counts`);
      const dw = this.output(op, 'dW', out.dw, [nIn, nOut], 'dense dW');
      const db = this.output(op, 'db', out.db, [1, nOut], 'dense db');
      // [dW; db] = [Xᵀ; 1ᵀ]·dZ: op(A) = Xᵀ with a row of ones, (n_in + 1) × m
      gemm(this.ctx, {
        entry: 'dense_grads',
        A: X,
        B: D,
        C: dw,
        db,
        M: nIn + 1,
        N: nOut,
        K: m,
        transA: true,
        transB: false,
        label: `dense grads [dW; db] (${nIn}+1)×${m}·${m}×${nOut}`,
      });
      return { dw, db };
    });
  }

  biasActivation(x: Tensor, b: Tensor | null, act: Activation): Tensor {
    return this.ops.op('biasActivation', [x, b, act], () => {
      const X = this.f32(x, 'biasActivation', 'X');
      const [M, N] = this.rows('biasActivation', 'X', X);
      const B = b ? this.f32(b, 'biasActivation', 'bias') : null;
      if (B) assertShape('biasActivation', 'bias', B.shape, [1, N]);
      const Y = this.ctx.empty([M, N], 'f32', `${act}`);
      this.ctx.dispatch(
        { shader: 'elementwise', entry: 'bias_act', constants: { HAS_BIAS: B !== null, ACT: actCode('biasActivation', act) } },
        { bind: { x: X, b: B ?? this.ctx.placeholder, out: Y }, params: { count: M * N, cols: N }, invocations: M * N },
      );
      return Y;
    });
  }

  activationBackward(dy: Tensor, y: Tensor, act: Activation): Tensor {
    return this.ops.op('activationBackward', [dy, y, act], () => {
      const D = this.f32(dy, 'activationBackward', 'dY');
      const Y = this.f32(y, 'activationBackward', 'Y');
      assertShape('activationBackward', 'dY', D.shape, Y.shape);
      const out = this.ctx.empty(Y.shape, 'f32', `d${act}`);
      this.ctx.dispatch(
        { shader: 'elementwise', entry: 'act_backward', constants: { ACT: actCode('activationBackward', act) } },
        { bind: { dy: D, y: Y, out }, params: { count: Y.size, cols: 1 }, invocations: Y.size },
      );
      return out;
    });
  }

  sumRows(x: Tensor): Tensor {
    return this.ops.op('sumRows', [x], () => {
      const X = this.f32(x, 'sumRows', 'X');
      const [M, N] = this.rows('sumRows', 'X', X);
      const out = this.ctx.empty([1, N], 'f32', 'sumRows');
      const red = this.ctx.reduction();
      this.ctx.dispatch(
        { shader: 'reduce', entry: 'sum_rows', subgroups: red.subgroups, constants: { GROUP_SIZE: red.size } },
        { bind: { x: X, out }, params: { rows: M, cols: N }, groups: N },
      );
      return out;
    });
  }

  axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
    return this.ops.op('axpby', [alpha, x, beta, y], () => {
      const X = this.f32(x, 'axpby', 'x');
      const Y = this.f32(y, 'axpby', 'y');
      assertShape('axpby', 'y', Y.shape, X.shape);
      const out = this.ctx.empty(X.shape, 'f32', 'axpby');
      this.ctx.dispatch(
        { shader: 'elementwise', entry: 'axpby' },
        { bind: { x: X, y: Y, out }, params: { count: X.size, alpha, beta }, invocations: X.size },
      );
      return out;
    });
  }

  scale(x: Tensor, s: number): Tensor {
    return this.ops.op('scale', [x, s], () => {
      const X = this.f32(x, 'scale', 'x');
      const out = this.ctx.empty(X.shape, 'f32', 'scale');
      this.ctx.dispatch(
        { shader: 'elementwise', entry: 'scale' },
        { bind: { x: X, out }, params: { count: X.size, alpha: s, beta: 0 }, invocations: X.size },
      );
      return out;
    });
  }

  // ── softmax and losses ─────────────────────────────────────────────────────

  softmax(x: Tensor): Tensor {
    return this.ops.op('softmax', [x], () => {
      const X = this.f32(x, 'softmax', 'X');
      const [M, N] = this.rows('softmax', 'X', X);
      const out = this.ctx.empty([M, N], 'f32', 'softmax');
      this.ctx.dispatch({ shader: 'softmax', entry: 'softmax' }, { bind: { x: X, out }, params: { rows: M, cols: N }, invocations: M });
      return out;
    });
  }

  softmaxBackward(dy: Tensor, sigma: Tensor): Tensor {
    return this.ops.op('softmaxBackward', [dy, sigma], () => {
      const D = this.f32(dy, 'softmaxBackward', 'dY');
      const S = this.f32(sigma, 'softmaxBackward', 'σ');
      const [M, N] = this.rows('softmaxBackward', 'σ', S);
      assertShape('softmaxBackward', 'dY', D.shape, S.shape);
      const out = this.ctx.empty([M, N], 'f32', 'dsoftmax');
      this.ctx.dispatch(
        { shader: 'softmax', entry: 'softmax_backward' },
        { bind: { dy: D, sigma: S, out }, params: { rows: M, cols: N }, invocations: M },
      );
      return out;
    });
  }

  /** checks (ŷ, y) of a loss: both (m, k), f32 */
  private lossPair(op: string, what: string, yhat: Tensor, y: Tensor): [GpuTensor, GpuTensor, number, number] {
    const P = this.f32(yhat, op, what);
    const Y = this.f32(y, op, 'y');
    const [M, N] = this.rows(op, what, P);
    assertShape(op, 'y', Y.shape, P.shape);
    return [P, Y, M, N];
  }

  private elementwiseLossGrad(op: string, entry: string, what: string, yhat: Tensor, y: Tensor): Tensor {
    const [P, Y, M, N] = this.lossPair(op, what, yhat, y);
    const grad = this.ctx.empty([M, N], 'f32', op);
    this.ctx.dispatch({ shader: 'cross_entropy', entry }, { bind: { yhat: P, y: Y, grad }, params: { rows: M, cols: N }, invocations: M * N });
    return grad;
  }

  private reducedLoss(op: string, entry: string, yhat: Tensor, y: Tensor): Tensor {
    const [P, Y, M, N] = this.lossPair(op, 'ŷ', yhat, y);
    const loss = this.ctx.empty([1], 'f32', op);
    this.ctx.dispatch({ shader: 'cross_entropy', entry }, { bind: { yhat: P, y: Y, loss }, params: { rows: M, cols: N }, groups: 1 });
    return loss;
  }

  crossEntropy(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropy', [yhat, y], () => {
      return this.reducedLoss('crossEntropy', 'ce_loss', yhat, y);
    });
  }

  crossEntropyBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropyBackward', [yhat, y], () => {
      return this.elementwiseLossGrad('crossEntropyBackward', 'ce_backward', 'ŷ', yhat, y);
    });
  }

  softmaxCrossEntropy(logits: Tensor, y: Tensor, opts: SoftmaxCrossEntropyOptions = {}): { loss: Tensor; probs: Tensor; dz?: Tensor } {
    return this.ops.op('softmaxCrossEntropy', [logits, y, opts], () => {
      const [Z, Y, M, N] = this.lossPair('softmaxCrossEntropy', 'logits', logits, y);
      const loss = this.ctx.empty([1], 'f32', 'softmaxCrossEntropy loss');
      const probs = this.ctx.empty([M, N], 'f32', 'softmaxCrossEntropy probs');
      if (opts.grad) {
        const dz = this.ctx.empty([M, N], 'f32', 'softmaxCrossEntropy dZ');
        this.ctx.dispatch(
          { shader: 'cross_entropy', entry: 'softmax_ce_grad' },
          { bind: { logits: Z, y: Y, loss, probs, grad: dz }, params: { rows: M, cols: N }, groups: 1 },
        );
        return { loss, probs, dz };
      }
      this.ctx.dispatch(
        { shader: 'cross_entropy', entry: 'softmax_ce' },
        { bind: { logits: Z, y: Y, loss, probs }, params: { rows: M, cols: N }, groups: 1 },
      );
      return { loss, probs };
    });
  }

  softmaxCrossEntropyBackward(probs: Tensor, y: Tensor): Tensor {
    return this.ops.op('softmaxCrossEntropyBackward', [probs, y], () => {
      return this.elementwiseLossGrad('softmaxCrossEntropyBackward', 'softmax_ce_backward', 'probs', probs, y);
    });
  }

  mse(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mse', [yhat, y], () => {
      return this.reducedLoss('mse', 'mse_loss', yhat, y);
    });
  }

  mseBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mseBackward', [yhat, y], () => {
      return this.elementwiseLossGrad('mseBackward', 'mse_backward', 'ŷ', yhat, y);
    });
  }

  // ── convolution and pooling ────────────────────────────────────────────────
  // The kernels and their host code live in conv.ts and pool.ts.

  im2col(x: Tensor, win: Window2D): Tensor {
    return this.ops.op('im2col', [x, win], () => {
      return conv.im2col(this.ctx, x, win);
    });
  }

  col2im(cols: Tensor, win: Window2D): Tensor {
    return this.ops.op('col2im', [cols, win], () => {
      return conv.col2im(this.ctx, cols, win);
    });
  }

  conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2DOptions, act?: Activation): Tensor {
    return this.ops.op('conv2d', [x, w, b, opts, act], () => {
      return conv.conv2d(this, x, w, b, opts, act);
    });
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
    return this.ops.op('pool2d', [x, opts], () => {
      return pool.pool2d(this.ctx, x, opts);
    });
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
      assertShape('sgdUpdate', 'gradient', G.shape, P.shape);
      if (velocity && h.momentum !== 0) {
        const V = this.f32(velocity, 'sgdUpdate', 'velocity');
        assertShape('sgdUpdate', 'velocity', V.shape, P.shape);
        this.ctx.dispatch(
          { shader: 'optimizers', entry: 'sgd_momentum' },
          { bind: { p: P, g: G, v: V }, params: { count: P.size, lr: h.lr, momentum: h.momentum }, invocations: P.size },
        );
      } else {
        this.ctx.dispatch(
          { shader: 'optimizers', entry: 'sgd' },
          { bind: { p: P, g: G }, params: { count: P.size, lr: h.lr, momentum: 0 }, invocations: P.size },
        );
      }
    });
  }

  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void {
    return this.ops.op('adamUpdate', [param, grad, m, v, h], () => {
      const P = this.f32(param, 'adamUpdate', 'param');
      const G = this.f32(grad, 'adamUpdate', 'gradient');
      const Mt = this.f32(m, 'adamUpdate', 'm');
      const Vt = this.f32(v, 'adamUpdate', 'v');
      assertShape('adamUpdate', 'gradient', G.shape, P.shape);
      assertShape('adamUpdate', 'm', Mt.shape, P.shape);
      assertShape('adamUpdate', 'v', Vt.shape, P.shape);
      if (!(h.t >= 1)) throw new Error(`adamUpdate: step count t must be ≥ 1 (1-based), got ${h.t}`);
      this.ctx.dispatch(
        { shader: 'optimizers', entry: 'adam' },
        {
          bind: { p: P, g: G, m: Mt, v: Vt },
          params: {
            count: P.size,
            lr: h.lr,
            beta1: h.beta1,
            beta2: h.beta2,
            eps: h.eps,
            c1: 1 - h.beta1 ** h.t,
            c2: 1 - h.beta2 ** h.t,
          },
          invocations: P.size,
        },
      );
    });
  }

  // ── evaluation ─────────────────────────────────────────────────────────────

  argmax(x: Tensor): Tensor {
    return this.ops.op('argmax', [x], () => {
      const X = this.f32(x, 'argmax', 'X');
      const [M, N] = this.rows('argmax', 'X', X);
      const idx = this.ctx.empty([M], 'u32', 'argmax');
      this.ctx.dispatch({ shader: 'reduce', entry: 'argmax_rows' }, { bind: { x: X, idx }, params: { rows: M, cols: N }, invocations: M });
      return idx;
    });
  }

  countCorrect(scores: Tensor, onehot: Tensor): Tensor {
    return this.ops.op('countCorrect', [scores, onehot], () => {
      const S = this.f32(scores, 'countCorrect', 'scores');
      const Y = this.f32(onehot, 'countCorrect', 'labels');
      if (!sameShape(S.shape, Y.shape)) {
        throw new ShapeError(`countCorrect: scores ${shapeStr(S.shape)} and labels ${shapeStr(Y.shape)} differ`);
      }
      const [M, N] = this.rows('countCorrect', 'scores', S);
      const out = this.ctx.empty([1], 'f32', 'countCorrect');
      this.ctx.dispatch({ shader: 'reduce', entry: 'count_correct' }, { bind: { x: S, y: Y, out }, params: { rows: M, cols: N }, groups: 1 });
      return out;
    });
  }

  allFinite(x: Tensor, y?: Tensor | null): Tensor {
    return this.ops.op('allFinite', [x, y], () => {
      const X = this.f32(x, 'allFinite', 'x');
      const Y = y ? this.f32(y, 'allFinite', 'y') : null;
      const out = this.ctx.empty([1], 'f32', 'allFinite');
      // without y, x is bound in its place too (both read-only; cols = 0: never read as y)
      const bind = { x: X, y: Y ?? X, out };
      this.ctx.dispatch({ shader: 'reduce', entry: 'all_finite' }, { bind, params: { rows: X.size, cols: Y ? Y.size : 0 }, groups: 1 });
      return out;
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
