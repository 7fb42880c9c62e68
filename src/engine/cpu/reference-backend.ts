// The float64 CPU reference: every operation of the Backend interface, its math in
// ops/<family>/cpu.ts (the plainest loops that match it), its shapes checked by
// signatures.ts as on the GPU. It is the oracle of the tests and the fallback when a
// browser has no WebGPU. Each op's name is the GPU kernel's name.

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
  Tensor,
  StepProfile,
} from '../backend';
import { OpHook } from '../ops-hook';
import { DeviceLimitError, ShapeError } from '../errors';
import { type Shape, shapeStr, sizeOf, type Window2D } from '../geometry';
import * as sig from '../signatures';
import * as conv from '../ops/conv/cpu';
import * as elementwise from '../ops/elementwise/cpu';
import * as losses from '../ops/losses/cpu';
import * as matmul from '../ops/matmul/cpu';
import * as optimizers from '../ops/optimizers/cpu';
import * as pool from '../ops/pool/cpu';
import * as reduce from '../ops/reduce/cpu';
import * as softmax from '../ops/softmax/cpu';

export { activate, activateGrad } from '../ops/elementwise/cpu';

export class CpuTensor implements Tensor {
  disposed = false;
  readonly size: number;
  constructor(
    public data: Float64Array,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly label: string,
  ) {
    this.size = sizeOf(shape);
  }
}

function t(x: Tensor, op: string): CpuTensor {
  if (!(x instanceof CpuTensor)) throw new Error(`${op}: tensor '${x.label}' does not belong to the CPU backend`);
  if (x.disposed) throw new Error(`${op}: tensor '${x.label}' was disposed`);
  return x;
}

/**
 * The largest tensor the reference allocates, in elements (2²⁷ float64 = 1 GiB): the
 * host bound that checkFits applies before any allocation.
 */
export const CPU_MAX_TENSOR_ELEMENTS = 2 ** 27;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly deviceName = 'float64 CPU reference';
  readonly isFallback = true;
  readonly stats: BackendStats = { dispatches: 0, submissions: 0, readbacks: 0 };
  private count = 0;
  private readonly ops = new OpHook();
  readonly profile: BackendProfile = { matmulKernel: null, convBackwardKernel: null };

  onOp(listener: OpListener): () => void {
    return this.ops.on(listener);
  }

  private make(data: Float64Array, shape: Shape, label?: string, dtype: DType = 'f32'): CpuTensor {
    this.stats.dispatches++;
    return new CpuTensor(data, [...shape], dtype, label ?? `t${this.count++}`);
  }

  /** the result in `out` when one is given (shape checked, values copied), else a new tensor */
  private emit(op: string, what: string, data: Float64Array, shape: Shape, out: Tensor | undefined): CpuTensor {
    if (!out) return this.make(data, shape);
    const o = t(out, op);
    sig.outShape(op, what, o.shape, shape);
    if (o.dtype !== 'f32') throw new TypeError(`${op}: out '${o.label}' must be f32, got ${o.dtype}`);
    o.data.set(data);
    this.stats.dispatches++;
    return o;
  }

  // ── tensors ────────────────────────────────────────────────────────────────
  fromArray(data: ArrayLike<number>, shape: Shape, label?: string, dtype: DType = 'f32'): Tensor {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`fromArray: ${data.length} values do not fill shape ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
    }
    return new CpuTensor(Float64Array.from(data), [...shape], dtype, label ?? `t${this.count++}`);
  }
  zeros(shape: Shape, label?: string): Tensor {
    return new CpuTensor(new Float64Array(sizeOf(shape)), [...shape], 'f32', label ?? `t${this.count++}`);
  }
  write(x: Tensor, data: ArrayLike<number>): void {
    const a = t(x, 'write');
    if (data.length !== a.size) throw new ShapeError(`write: ${data.length} values for tensor '${a.label}' of shape ${shapeStr(a.shape)}`);
    a.data.set(data);
  }
  reshape(x: Tensor, shape: Shape): Tensor {
    return this.ops.op('reshape', [x, shape], () => {
      const a = t(x, 'reshape');
      if (sizeOf(shape) !== a.size) throw new ShapeError(`reshape: cannot view ${shapeStr(a.shape)} as ${shapeStr(shape)}`);
      return new CpuTensor(a.data, [...shape], a.dtype, a.label);
    });
  }
  clone(x: Tensor, label?: string): Tensor {
    const a = t(x, 'clone');
    return new CpuTensor(a.data.slice(), a.shape, a.dtype, label ?? a.label);
  }
  readonly viewAlignment = 1;
  view(x: Tensor, offset: number, shape: Shape, label?: string): Tensor {
    const a = t(x, 'view');
    const n = sizeOf(shape);
    if (!Number.isInteger(offset) || offset < 0 || offset + n > a.size) {
      throw new ShapeError(`view: elements [${offset}, ${offset + n}) lie outside '${a.label}' ${shapeStr(a.shape)} (${a.size} elements)`);
    }
    return new CpuTensor(a.data.subarray(offset, offset + n), [...shape], a.dtype, label ?? `${a.label}[${offset}…]`);
  }
  assign(dst: Tensor, src: Tensor): void {
    return this.ops.op('assign', [dst, src], () => {
      const d = t(dst, 'assign');
      const s = t(src, 'assign');
      if (d.size !== s.size) throw new ShapeError(`assign: '${s.label}' ${shapeStr(s.shape)} and '${d.label}' ${shapeStr(d.shape)} differ in size`);
      d.data.set(s.data);
    });
  }
  async read(x: Tensor): Promise<Float64Array> {
    this.stats.readbacks++;
    return t(x, 'read').data.slice();
  }
  dispose(...ts: (Tensor | undefined | null)[]): void {
    for (const x of ts) if (x instanceof CpuTensor) x.disposed = true;
  }
  flush(): void {
    this.stats.submissions++;
  }

  profiling = false;
  #profileT0 = 0;

  /** the CPU reference runs each op when it is called: there is no kernel to time */
  beginProfile(): void {
    this.profiling = true;
    this.#profileT0 = performance.now();
  }

  async endProfile(): Promise<StepProfile> {
    const wallMs = this.profiling ? performance.now() - this.#profileT0 : 0;
    this.profiling = false;
    return { source: 'none', timings: [], totalMs: 0, wallMs, note: 'the float64 CPU reference runs each operation at once, in JavaScript: there are no GPU kernels to time' };
  }

  async sync(): Promise<void> {}
  destroy(): void {}

  // ── dense algebra ──────────────────────────────────────────────────────────
  matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
    return this.ops.op('matmul', [a, b, opts], () => {
      const A = t(a, 'matmul');
      const B = t(b, 'matmul');
      const bias = opts.bias ? t(opts.bias, 'matmul') : null;
      const dactY = opts.dact ? t(opts.dact.y, 'matmul') : null;
      const s = sig.matmulSignature(A.shape, B.shape, { ...opts, bias: bias?.shape, dactY: dactY?.shape });
      const C = matmul.matmul(A.data, B.data, s, bias?.data ?? null, opts.activation ?? 'linear');
      if (opts.dact) elementwise.applyActivationGrad(C, dactY!.data, opts.dact.activation);
      return this.emit('matmul', 'C', C, [s.M, s.N], opts.out);
    });
  }

  denseGrads(x: Tensor, dz: Tensor, out: { dw?: Tensor; db?: Tensor } = {}): { dw: Tensor; db: Tensor } {
    return this.ops.op('denseGrads', [x, dz, out], () => {
      const X = t(x, 'denseGrads');
      const D = t(dz, 'denseGrads');
      const { m, nIn, nOut } = sig.denseGradsSignature(X.shape, D.shape);
      const { dw, db } = matmul.denseGrads(X.data, D.data, m, nIn, nOut);
      return { dw: this.emit('denseGrads', 'dW', dw, [nIn, nOut], out.dw), db: this.emit('denseGrads', 'db', db, [1, nOut], out.db) };
    });
  }

  biasActivation(x: Tensor, b: Tensor | null, act: Activation): Tensor {
    return this.ops.op('biasActivation', [x, b, act], () => {
      const X = t(x, 'biasActivation');
      const B = b ? t(b, 'biasActivation') : null;
      const [M, N] = sig.biasActivationSignature(X.shape, B?.shape ?? null);
      return this.make(elementwise.biasActivation(X.data, B?.data ?? null, M, N, act), [M, N]);
    });
  }

  activationBackward(dy: Tensor, y: Tensor, act: Activation): Tensor {
    return this.ops.op('activationBackward', [dy, y, act], () => {
      const D = t(dy, 'activationBackward');
      const Y = t(y, 'activationBackward');
      sig.sameAs('activationBackward', 'dY', D.shape, Y.shape);
      return this.make(elementwise.activationBackward(D.data, Y.data, act), Y.shape);
    });
  }

  sumRows(x: Tensor): Tensor {
    return this.ops.op('sumRows', [x], () => {
      const X = t(x, 'sumRows');
      const [M, N] = sig.rows('sumRows', 'X', X.shape);
      return this.make(reduce.sumRows(X.data, M, N), [1, N]);
    });
  }

  axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
    return this.ops.op('axpby', [alpha, x, beta, y], () => {
      const X = t(x, 'axpby');
      const Y = t(y, 'axpby');
      sig.sameAs('axpby', 'y', Y.shape, X.shape);
      return this.make(elementwise.axpby(alpha, X.data, beta, Y.data), X.shape);
    });
  }

  scale(x: Tensor, s: number): Tensor {
    return this.ops.op('scale', [x, s], () => {
      const X = t(x, 'scale');
      return this.make(elementwise.scale(X.data, s), X.shape);
    });
  }

  // ── softmax and losses ─────────────────────────────────────────────────────
  softmax(x: Tensor): Tensor {
    return this.ops.op('softmax', [x], () => {
      const X = t(x, 'softmax');
      const [M, N] = sig.rows('softmax', 'X', X.shape);
      return this.make(softmax.softmax(X.data, M, N), [M, N]);
    });
  }

  softmaxBackward(dy: Tensor, sigma: Tensor): Tensor {
    return this.ops.op('softmaxBackward', [dy, sigma], () => {
      const D = t(dy, 'softmaxBackward');
      const S = t(sigma, 'softmaxBackward');
      const [M, N] = sig.softmaxBackwardSignature(D.shape, S.shape);
      return this.make(softmax.softmaxBackward(D.data, S.data, M, N), [M, N]);
    });
  }

  /** (ŷ, y) of a loss, shapes checked: both (m, k) */
  private lossPair(op: string, what: string, yhat: Tensor, y: Tensor): [CpuTensor, CpuTensor, number, number] {
    const P = t(yhat, op);
    const Y = t(y, op);
    const [M, N] = sig.lossSignature(op, what, P.shape, Y.shape);
    return [P, Y, M, N];
  }

  crossEntropy(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropy', [yhat, y], () => {
      const [P, Y, M] = this.lossPair('crossEntropy', 'ŷ', yhat, y);
      return this.make(Float64Array.of(losses.crossEntropy(P.data, Y.data, M)), [1]);
    });
  }

  crossEntropyBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropyBackward', [yhat, y], () => {
      const [P, Y, M] = this.lossPair('crossEntropyBackward', 'ŷ', yhat, y);
      return this.make(losses.crossEntropyBackward(P.data, Y.data, M), P.shape);
    });
  }

  softmaxCrossEntropy(logits: Tensor, y: Tensor, opts: SoftmaxCrossEntropyOptions = {}): { loss: Tensor; probs: Tensor; dz?: Tensor } {
    return this.ops.op('softmaxCrossEntropy', [logits, y, opts], () => {
      const [Z, Y, M, N] = this.lossPair('softmaxCrossEntropy', 'logits', logits, y);
      const { loss, probs } = losses.softmaxCrossEntropy(Z.data, Y.data, M, N);
      const lossT = this.make(Float64Array.of(loss), [1]);
      const probsT = this.make(probs, [M, N]);
      if (!opts.grad) return { loss: lossT, probs: probsT };
      return { loss: lossT, probs: probsT, dz: this.make(losses.softmaxCrossEntropyBackward(probs, Y.data, M), [M, N]) };
    });
  }

  softmaxCrossEntropyBackward(probs: Tensor, y: Tensor): Tensor {
    return this.ops.op('softmaxCrossEntropyBackward', [probs, y], () => {
      const [P, Y, M] = this.lossPair('softmaxCrossEntropyBackward', 'probs', probs, y);
      return this.make(losses.softmaxCrossEntropyBackward(P.data, Y.data, M), P.shape);
    });
  }

  mse(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mse', [yhat, y], () => {
      const [P, Y, M] = this.lossPair('mse', 'ŷ', yhat, y);
      return this.make(Float64Array.of(losses.mse(P.data, Y.data, M)), [1]);
    });
  }

  mseBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mseBackward', [yhat, y], () => {
      const [P, Y, M] = this.lossPair('mseBackward', 'ŷ', yhat, y);
      return this.make(losses.mseBackward(P.data, Y.data, M), P.shape);
    });
  }

  // ── convolution and pooling ────────────────────────────────────────────────
  im2col(x: Tensor, win: Window2D): Tensor {
    return this.ops.op('im2col', [x, win], () => {
      const X = t(x, 'im2col');
      return this.make(conv.im2col(X.data, win), sig.im2colSignature(X.shape, win));
    });
  }

  col2im(colsT: Tensor, win: Window2D): Tensor {
    return this.ops.op('col2im', [colsT, win], () => {
      const C = t(colsT, 'col2im');
      return this.make(conv.col2im(C.data, win), sig.col2imSignature(C.shape, win));
    });
  }

  conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2DOptions, act: Activation = 'linear'): Tensor {
    return this.ops.op('conv2d', [x, w, b, opts, act], () => {
      const X = t(x, 'conv2d');
      const W = t(w, 'conv2d');
      const B = b ? t(b, 'conv2d') : null;
      const { win, F } = sig.conv2dSignature(X.shape, W.shape, B?.shape ?? null, opts);
      return this.make(conv.conv2d(X.data, W.data, B?.data ?? null, win, F, act), [win.n, win.oh, win.ow, F]);
    });
  }

  conv2dBackward(dz: Tensor, x: Tensor, w: Tensor, opts: Conv2DOptions, needInput: boolean, extras: Conv2DBackwardExtras = {}) {
    return this.ops.op('conv2dBackward', [dz, x, w, opts, needInput, extras], () => {
      const op = 'conv2dBackward';
      const D = t(dz, op);
      const X = t(x, op);
      const W = t(w, op);
      const dactY = extras.dact ? t(extras.dact.y, op) : null;
      const { win, F } = sig.conv2dBackwardSignature(D.shape, X.shape, W.shape, opts, dactY?.shape);
      const { dx, dw, db } = conv.conv2dBackward(D.data, X.data, W.data, win, F, needInput);
      if (dx && extras.dact) elementwise.applyActivationGrad(dx, dactY!.data, extras.dact.activation);
      return {
        dx: dx ? this.make(dx, X.shape) : undefined,
        dw: this.emit(op, 'dW', dw, W.shape, extras.dw),
        db: this.emit(op, 'db', db, [1, F], extras.db),
      };
    });
  }

  pool2d(x: Tensor, opts: Pool2DOptions): PoolResult {
    return this.ops.op('pool2d', [x, opts], () => {
      const X = t(x, 'pool2d');
      const { win, mode, shape } = sig.pool2dSignature(X.shape, opts);
      const { y, argmax } = pool.pool2d(X.data, win, mode);
      return { y: this.make(y, shape), argmax: argmax ? this.make(argmax, shape, undefined, 'u32') : undefined };
    });
  }

  pool2dBackward(dy: Tensor, xShape: Shape, opts: Pool2DOptions, argmax?: Tensor, dact?: ActivationGrad): Tensor {
    return this.ops.op('pool2dBackward', [dy, xShape, opts, argmax, dact], () => {
      const op = 'pool2dBackward';
      const D = t(dy, op);
      const A = argmax ? t(argmax, op) : undefined;
      const dactY = dact ? t(dact.y, op) : null;
      const { win, mode } = sig.pool2dBackwardSignature(D.shape, xShape, opts, A?.shape, dactY?.shape);
      const dx = pool.pool2dBackward(D.data, win, mode === 'max' ? A!.data : null);
      if (dact) elementwise.applyActivationGrad(dx, dactY!.data, dact.activation);
      return this.make(dx, xShape);
    });
  }

  // ── optimizers (in place) ──────────────────────────────────────────────────
  sgdUpdate(param: Tensor, grad: Tensor, velocity: Tensor | null, hp: SgdHyper): void {
    return this.ops.op('sgdUpdate', [param, grad, velocity, hp], () => {
      const P = t(param, 'sgdUpdate');
      const G = t(grad, 'sgdUpdate');
      const V = velocity && hp.momentum !== 0 ? t(velocity, 'sgdUpdate') : null;
      sig.updateSignature('sgdUpdate', P.shape, V ? { gradient: G.shape, velocity: V.shape } : { gradient: G.shape });
      this.stats.dispatches++;
      optimizers.sgd(P.data, G.data, V?.data ?? null, hp);
    });
  }

  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hp: AdamHyper): void {
    return this.ops.op('adamUpdate', [param, grad, m, v, hp], () => {
      const P = t(param, 'adamUpdate');
      const G = t(grad, 'adamUpdate');
      const Mt = t(m, 'adamUpdate');
      const Vt = t(v, 'adamUpdate');
      sig.updateSignature('adamUpdate', P.shape, { gradient: G.shape, m: Mt.shape, v: Vt.shape });
      this.stats.dispatches++;
      optimizers.adam(P.data, G.data, Mt.data, Vt.data, hp);
    });
  }

  // ── evaluation ─────────────────────────────────────────────────────────────
  argmax(x: Tensor): Tensor {
    return this.ops.op('argmax', [x], () => {
      const X = t(x, 'argmax');
      const [M, N] = sig.rows('argmax', 'X', X.shape);
      return this.make(reduce.argmax(X.data, M, N), [M], undefined, 'u32');
    });
  }

  countCorrect(scores: Tensor, onehot: Tensor): Tensor {
    return this.ops.op('countCorrect', [scores, onehot], () => {
      const S = t(scores, 'countCorrect');
      const Y = t(onehot, 'countCorrect');
      const [M, N] = sig.countCorrectSignature(S.shape, Y.shape);
      return this.make(Float64Array.of(reduce.countCorrect(S.data, Y.data, M, N)), [1]);
    });
  }

  allFinite(x: Tensor, y?: Tensor | null): Tensor {
    return this.ops.op('allFinite', [x, y], () => {
      const X = t(x, 'allFinite');
      const Y = y ? t(y, 'allFinite') : null;
      return this.make(Float64Array.of(reduce.allFinite(X.data, Y?.data ?? null)), [1]);
    });
  }

  checkFits(shape: Shape, what: string): void {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > CPU_MAX_TENSOR_ELEMENTS) {
      throw new DeviceLimitError(
        `${what} ${shapeStr(shape)} has ${n} elements, above the CPU reference's bound of ${CPU_MAX_TENSOR_ELEMENTS} (2^27 float64 numbers, 1 GiB)`,
      );
    }
  }
}

export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}

let shared: CpuBackend | null = null;

/** The one CPU reference of a page, that GPU results are compared with (created on first use). */
export function cpuReference(): CpuBackend {
  shared ??= new CpuBackend();
  return shared;
}
