// The float64 CPU reference: every operation of the Backend interface written as the
// plainest loops that match the math. It is the oracle of the tests and the fallback
// when a browser has no WebGPU. Each function's name is the GPU kernel's name.

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
import { assertRank, assertShape, sameShape, type Shape, shapeStr, sizeOf, window2d, type Window2D } from '../geometry';

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

function rows(op: string, what: string, x: Tensor): [number, number] {
  assertRank(op, what, x.shape, 2);
  return [x.shape[0]!, x.shape[1]!];
}

/** σ(z) for each activation */
export function activate(act: Activation, z: number): number {
  switch (act) {
    case 'linear':
      return z;
    case 'relu':
      return z > 0 ? z : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
  }
}

/** σ'(z) written with y = σ(z) */
export function activateGrad(act: Activation, y: number): number {
  switch (act) {
    case 'linear':
      return 1;
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
  }
}

/** 2⁻¹⁰²², the smallest normal double: a probability below it has underflowed */
const TINY = 2.2250738585072014e-308;

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
    assertShape(op, `out (${what})`, o.shape, shape);
    if (o.dtype !== 'f32') throw new TypeError(`${op}: out '${o.label}' must be f32, got ${o.dtype}`);
    o.data.set(data);
    this.stats.dispatches++;
    return o;
  }

  /** data ⊙ σ'(Y) in place, for a backward epilogue */
  private applyDact(op: string, data: Float64Array, shape: Shape, dact: ActivationGrad | undefined): void {
    if (!dact) return;
    const Y = t(dact.y, op);
    if (Y.size !== data.length) throw new ShapeError(`${op}: dact.y ${shapeStr(Y.shape)} does not match the result ${shapeStr(shape)}`);
    for (let i = 0; i < data.length; i++) data[i]! *= activateGrad(dact.activation, Y.data[i]!);
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
      const [ar, ac] = rows('matmul', 'A', A);
      const [br, bc] = rows('matmul', 'B', B);
      const [M, K] = opts.transA ? [ac, ar] : [ar, ac];
      const [K2, N] = opts.transB ? [bc, br] : [br, bc];
      if (K !== K2) {
        throw new ShapeError(
          `matmul: inner sizes differ: A${opts.transA ? 'ᵀ' : ''} is ${M}×${K} (A ${shapeStr(A.shape)}), ` +
            `B${opts.transB ? 'ᵀ' : ''} is ${K2}×${N} (B ${shapeStr(B.shape)})`,
        );
      }
      const bias = opts.bias ? t(opts.bias, 'matmul') : null;
      if (bias) assertShape('matmul', 'bias', bias.shape, [1, N]);
      const act = opts.activation ?? 'linear';
      if (opts.dact) {
        if (bias || act !== 'linear') throw new Error('matmul: dact (a backward epilogue) cannot be combined with bias or activation');
        assertShape('matmul', 'dact.y', opts.dact.y.shape, [M, N]);
      }
      const C = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const av = opts.transA ? A.data[k * ac + i]! : A.data[i * ac + k]!;
            const bv = opts.transB ? B.data[j * bc + k]! : B.data[k * bc + j]!;
            s += av * bv;
          }
          C[i * N + j] = activate(act, s + (bias ? bias.data[j]! : 0));
        }
      }
      this.applyDact('matmul', C, [M, N], opts.dact);
      return this.emit('matmul', 'C', C, [M, N], opts.out);
    });
  }

  denseGrads(x: Tensor, dz: Tensor, out: { dw?: Tensor; db?: Tensor } = {}): { dw: Tensor; db: Tensor } {
    return this.ops.op('denseGrads', [x, dz, out], () => {
      const X = t(x, 'denseGrads');
      const D = t(dz, 'denseGrads');
      const [m, nIn] = rows('denseGrads', 'X', X);
      const [m2, nOut] = rows('denseGrads', 'dZ', D);
      if (m !== m2) throw new ShapeError(`denseGrads: X ${shapeStr(X.shape)} and dZ ${shapeStr(D.shape)} have different row counts`);
      const dw = new Float64Array(nIn * nOut);
      const db = new Float64Array(nOut);
      for (let r = 0; r < m; r++)
        for (let j = 0; j < nOut; j++) {
          const g = D.data[r * nOut + j]!;
          db[j] += g;
          for (let i = 0; i < nIn; i++) dw[i * nOut + j] += X.data[r * nIn + i]! * g;
        }
      return { dw: this.emit('denseGrads', 'dW', dw, [nIn, nOut], out.dw), db: this.emit('denseGrads', 'db', db, [1, nOut], out.db) };
    });
  }

  biasActivation(x: Tensor, b: Tensor | null, act: Activation): Tensor {
    return this.ops.op('biasActivation', [x, b, act], () => {
      const X = t(x, 'biasActivation');
      const [M, N] = rows('biasActivation', 'X', X);
      const B = b ? t(b, 'biasActivation') : null;
      if (B) assertShape('biasActivation', 'bias', B.shape, [1, N]);
      const Y = new Float64Array(M * N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) Y[i * N + j] = activate(act, X.data[i * N + j]! + (B ? B.data[j]! : 0));
      return this.make(Y, [M, N]);
    });
  }

  activationBackward(dy: Tensor, y: Tensor, act: Activation): Tensor {
    return this.ops.op('activationBackward', [dy, y, act], () => {
      const D = t(dy, 'activationBackward');
      const Y = t(y, 'activationBackward');
      assertShape('activationBackward', 'dY', D.shape, Y.shape);
      const out = new Float64Array(D.size);
      for (let i = 0; i < D.size; i++) out[i] = D.data[i]! * activateGrad(act, Y.data[i]!);
      return this.make(out, Y.shape);
    });
  }

  sumRows(x: Tensor): Tensor {
    return this.ops.op('sumRows', [x], () => {
      const X = t(x, 'sumRows');
      const [M, N] = rows('sumRows', 'X', X);
      const out = new Float64Array(N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[j] += X.data[i * N + j]!;
      return this.make(out, [1, N]);
    });
  }

  axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
    return this.ops.op('axpby', [alpha, x, beta, y], () => {
      const X = t(x, 'axpby');
      const Y = t(y, 'axpby');
      assertShape('axpby', 'y', Y.shape, X.shape);
      const out = new Float64Array(X.size);
      for (let i = 0; i < X.size; i++) out[i] = alpha * X.data[i]! + beta * Y.data[i]!;
      return this.make(out, X.shape);
    });
  }

  scale(x: Tensor, s: number): Tensor {
    return this.ops.op('scale', [x, s], () => {
      const X = t(x, 'scale');
      return this.make(X.data.map((v) => v * s), X.shape);
    });
  }

  // ── softmax and losses ─────────────────────────────────────────────────────
  softmax(x: Tensor): Tensor {
    return this.ops.op('softmax', [x], () => {
      const X = t(x, 'softmax');
      const [M, N] = rows('softmax', 'X', X);
      const out = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        let mx = -Infinity;
        for (let j = 0; j < N; j++) mx = Math.max(mx, X.data[i * N + j]!);
        let s = 0;
        for (let j = 0; j < N; j++) s += out[i * N + j] = Math.exp(X.data[i * N + j]! - mx);
        for (let j = 0; j < N; j++) out[i * N + j]! /= s;
      }
      return this.make(out, [M, N]);
    });
  }

  softmaxBackward(dy: Tensor, sigma: Tensor): Tensor {
    return this.ops.op('softmaxBackward', [dy, sigma], () => {
      const D = t(dy, 'softmaxBackward');
      const S = t(sigma, 'softmaxBackward');
      const [M, N] = rows('softmaxBackward', 'σ', S);
      assertShape('softmaxBackward', 'dY', D.shape, S.shape);
      const out = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        let dot = 0;
        for (let k = 0; k < N; k++) dot += D.data[i * N + k]! * S.data[i * N + k]!;
        for (let j = 0; j < N; j++) out[i * N + j] = S.data[i * N + j]! * (D.data[i * N + j]! - dot);
      }
      return this.make(out, [M, N]);
    });
  }

  crossEntropy(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropy', [yhat, y], () => {
      const P = t(yhat, 'crossEntropy');
      const Y = t(y, 'crossEntropy');
      const [M] = rows('crossEntropy', 'ŷ', P);
      assertShape('crossEntropy', 'y', Y.shape, P.shape);
      // a target's ŷ below the smallest normal double counts as 0: ln 0 = −∞, L = +∞ (as on the GPU)
      let s = 0;
      for (let i = 0; i < P.size; i++) if (Y.data[i] !== 0) s += P.data[i]! < TINY ? -Infinity : Y.data[i]! * Math.log(P.data[i]!);
      return this.make(Float64Array.of(-s / M), [1]);
    });
  }

  crossEntropyBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('crossEntropyBackward', [yhat, y], () => {
      const P = t(yhat, 'crossEntropyBackward');
      const Y = t(y, 'crossEntropyBackward');
      const [M] = rows('crossEntropyBackward', 'ŷ', P);
      assertShape('crossEntropyBackward', 'y', Y.shape, P.shape);
      const out = new Float64Array(P.size);
      // 0 where y = 0 (no −0/0 where a non-target ŷ underflowed); ŷ clamped at the smallest
      // normal double where a target's ŷ underflowed, so the gradient stays finite
      for (let i = 0; i < P.size; i++) out[i] = Y.data[i] === 0 ? 0 : -Y.data[i]! / (M * Math.max(P.data[i]!, TINY));
      return this.make(out, P.shape);
    });
  }

  softmaxCrossEntropy(logits: Tensor, y: Tensor, opts: SoftmaxCrossEntropyOptions = {}): { loss: Tensor; probs: Tensor; dz?: Tensor } {
    return this.ops.op('softmaxCrossEntropy', [logits, y, opts], () => {
      const Z = t(logits, 'softmaxCrossEntropy');
      const Y = t(y, 'softmaxCrossEntropy');
      const [M, N] = rows('softmaxCrossEntropy', 'logits', Z);
      assertShape('softmaxCrossEntropy', 'y', Y.shape, Z.shape);
      const probs = new Float64Array(M * N);
      let loss = 0;
      for (let i = 0; i < M; i++) {
        let mx = -Infinity;
        for (let j = 0; j < N; j++) mx = Math.max(mx, Z.data[i * N + j]!);
        let s = 0;
        for (let j = 0; j < N; j++) s += Math.exp(Z.data[i * N + j]! - mx);
        const lse = mx + Math.log(s);
        for (let j = 0; j < N; j++) {
          probs[i * N + j] = Math.exp(Z.data[i * N + j]! - lse);
          loss += Y.data[i * N + j]! * (Z.data[i * N + j]! - lse); // y·ln softmax(z) = y·(z − lse)
        }
      }
      const lossT = this.make(Float64Array.of(-loss / M), [1]);
      const probsT = this.make(probs, [M, N]);
      if (!opts.grad) return { loss: lossT, probs: probsT };
      const dz = new Float64Array(M * N);
      for (let i = 0; i < M * N; i++) dz[i] = (probs[i]! - Y.data[i]!) / M;
      return { loss: lossT, probs: probsT, dz: this.make(dz, [M, N]) };
    });
  }

  softmaxCrossEntropyBackward(probs: Tensor, y: Tensor): Tensor {
    return this.ops.op('softmaxCrossEntropyBackward', [probs, y], () => {
      const P = t(probs, 'softmaxCrossEntropyBackward');
      const Y = t(y, 'softmaxCrossEntropyBackward');
      const [M] = rows('softmaxCrossEntropyBackward', 'probs', P);
      assertShape('softmaxCrossEntropyBackward', 'y', Y.shape, P.shape);
      const out = new Float64Array(P.size);
      for (let i = 0; i < P.size; i++) out[i] = (P.data[i]! - Y.data[i]!) / M;
      return this.make(out, P.shape);
    });
  }

  mse(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mse', [yhat, y], () => {
      const P = t(yhat, 'mse');
      const Y = t(y, 'mse');
      const [M] = rows('mse', 'ŷ', P);
      assertShape('mse', 'y', Y.shape, P.shape);
      let s = 0;
      for (let i = 0; i < P.size; i++) s += (P.data[i]! - Y.data[i]!) ** 2;
      return this.make(Float64Array.of(s / (2 * M)), [1]);
    });
  }

  mseBackward(yhat: Tensor, y: Tensor): Tensor {
    return this.ops.op('mseBackward', [yhat, y], () => {
      const P = t(yhat, 'mseBackward');
      const Y = t(y, 'mseBackward');
      const [M] = rows('mseBackward', 'ŷ', P);
      assertShape('mseBackward', 'y', Y.shape, P.shape);
      const out = new Float64Array(P.size);
      for (let i = 0; i < P.size; i++) out[i] = (P.data[i]! - Y.data[i]!) / M;
      return this.make(out, P.shape);
    });
  }

  // ── convolution ────────────────────────────────────────────────────────────
  im2col(x: Tensor, win: Window2D): Tensor {
    return this.ops.op('im2col', [x, win], () => {
      const X = t(x, 'im2col');
      assertShape('im2col', 'X', X.shape, [win.n, win.h, win.w, win.c]);
      const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      const cols = kh * kw * c;
      const out = new Float64Array(n * oh * ow * cols);
      for (let b = 0; b < n; b++)
        for (let p = 0; p < oh; p++)
          for (let q = 0; q < ow; q++) {
            const row = (b * oh + p) * ow + q;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const hi = p * stride + i - padTop;
                const wj = q * stride + j - padLeft;
                if (hi < 0 || hi >= h || wj < 0 || wj >= w) continue;
                for (let ch = 0; ch < c; ch++) out[row * cols + (i * kw + j) * c + ch] = X.data[((b * h + hi) * w + wj) * c + ch]!;
              }
          }
      return this.make(out, [n * oh * ow, cols]);
    });
  }

  col2im(colsT: Tensor, win: Window2D): Tensor {
    return this.ops.op('col2im', [colsT, win], () => {
      const C = t(colsT, 'col2im');
      const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      const cols = kh * kw * c;
      assertShape('col2im', 'cols', C.shape, [n * oh * ow, cols]);
      const out = new Float64Array(n * h * w * c);
      for (let b = 0; b < n; b++)
        for (let p = 0; p < oh; p++)
          for (let q = 0; q < ow; q++) {
            const row = (b * oh + p) * ow + q;
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const hi = p * stride + i - padTop;
                const wj = q * stride + j - padLeft;
                if (hi < 0 || hi >= h || wj < 0 || wj >= w) continue;
                for (let ch = 0; ch < c; ch++) out[((b * h + hi) * w + wj) * c + ch]! += C.data[row * cols + (i * kw + j) * c + ch]!;
              }
          }
      return this.make(out, [n, h, w, c]);
    });
  }

  private convWindow(op: string, x: Tensor, w: Tensor, opts: Conv2DOptions): Window2D {
    assertRank(op, 'W (kh, kw, c_in, c_out)', w.shape, 4);
    const [kh, kw, cin] = w.shape as [number, number, number, number];
    const win = window2d(op, x.shape, [kh, kw], opts.stride, opts.pad);
    if (win.c !== cin) {
      throw new ShapeError(`${op}: input ${shapeStr(x.shape)} has ${win.c} channels but W ${shapeStr(w.shape)} expects ${cin}`);
    }
    return win;
  }

  /** direct loops of the definition Z[n,d1,d2,f] = Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n,d1·s+i,d2·s+j,c] + b[f] */
  conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2DOptions, act: Activation = 'linear'): Tensor {
    return this.ops.op('conv2d', [x, w, b, opts, act], () => {
      const X = t(x, 'conv2d');
      const W = t(w, 'conv2d');
      const win = this.convWindow('conv2d', X, W, opts);
      const F = W.shape[3]!;
      const B = b ? t(b, 'conv2d') : null;
      if (B) assertShape('conv2d', 'bias', B.shape, [1, F]);
      const { n, h, w: iw, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      const out = new Float64Array(n * oh * ow * F);
      for (let bn = 0; bn < n; bn++)
        for (let p = 0; p < oh; p++)
          for (let q = 0; q < ow; q++)
            for (let f = 0; f < F; f++) {
              let s = B ? B.data[f]! : 0;
              for (let i = 0; i < kh; i++)
                for (let j = 0; j < kw; j++) {
                  const hi = p * stride + i - padTop;
                  const wj = q * stride + j - padLeft;
                  if (hi < 0 || hi >= h || wj < 0 || wj >= iw) continue;
                  for (let ch = 0; ch < c; ch++) s += W.data[((i * kw + j) * c + ch) * F + f]! * X.data[((bn * h + hi) * iw + wj) * c + ch]!;
                }
              out[((bn * oh + p) * ow + q) * F + f] = activate(act, s);
            }
      return this.make(out, [n, oh, ow, F]);
    });
  }

  conv2dBackward(dz: Tensor, x: Tensor, w: Tensor, opts: Conv2DOptions, needInput: boolean, extras: Conv2DBackwardExtras = {}) {
    return this.ops.op('conv2dBackward', [dz, x, w, opts, needInput, extras], () => {
      const D = t(dz, 'conv2dBackward');
      const X = t(x, 'conv2dBackward');
      const W = t(w, 'conv2dBackward');
      const win = this.convWindow('conv2dBackward', X, W, opts);
      const F = W.shape[3]!;
      assertShape('conv2dBackward', 'dZ', D.shape, [win.n, win.oh, win.ow, F]);
      const { n, h, w: iw, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      const dw = new Float64Array(W.size);
      const db = new Float64Array(F);
      const dx = needInput ? new Float64Array(X.size) : null;
      for (let bn = 0; bn < n; bn++)
        for (let p = 0; p < oh; p++)
          for (let q = 0; q < ow; q++)
            for (let f = 0; f < F; f++) {
              const g = D.data[((bn * oh + p) * ow + q) * F + f]!;
              db[f] += g;
              for (let i = 0; i < kh; i++)
                for (let j = 0; j < kw; j++) {
                  const hi = p * stride + i - padTop;
                  const wj = q * stride + j - padLeft;
                  if (hi < 0 || hi >= h || wj < 0 || wj >= iw) continue;
                  for (let ch = 0; ch < c; ch++) {
                    const xi = ((bn * h + hi) * iw + wj) * c + ch;
                    const wi = ((i * kw + j) * c + ch) * F + f;
                    dw[wi] += g * X.data[xi]!;
                    if (dx) dx[xi] += g * W.data[wi]!;
                  }
                }
            }
      if (dx) this.applyDact('conv2dBackward', dx, X.shape, extras.dact);
      return {
        dx: dx ? this.make(dx, X.shape) : undefined,
        dw: this.emit('conv2dBackward', 'dW', dw, W.shape, extras.dw),
        db: this.emit('conv2dBackward', 'db', db, [1, F], extras.db),
      };
    });
  }

  // ── pooling ────────────────────────────────────────────────────────────────
  pool2d(x: Tensor, opts: Pool2DOptions): PoolResult {
    return this.ops.op('pool2d', [x, opts], () => {
      const X = t(x, 'pool2d');
      const win = window2d('pool2d', X.shape, opts.kernel, opts.stride, opts.pad);
      const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      const y = new Float64Array(n * oh * ow * c);
      const arg = opts.mode === 'max' ? new Float64Array(n * oh * ow * c) : null;
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
                  const v = inside ? X.data[idx]! : 0; // zero padding takes part
                  sum += v;
                  if (v > best) {
                    best = v;
                    bestIdx = idx;
                  }
                }
              const o = ((b * oh + p) * ow + q) * c + ch;
              if (arg) {
                y[o] = best;
                // a window whose maximum is a padding zero routes its gradient nowhere
                arg[o] = bestIdx < 0 ? 0xffffffff : bestIdx;
              } else {
                y[o] = sum / (kh * kw);
              }
            }
      const shape = [n, oh, ow, c];
      return { y: this.make(y, shape), argmax: arg ? this.make(arg, shape, undefined, 'u32') : undefined };
    });
  }

  pool2dBackward(dy: Tensor, xShape: Shape, opts: Pool2DOptions, argmax?: Tensor, dact?: ActivationGrad): Tensor {
    return this.ops.op('pool2dBackward', [dy, xShape, opts, argmax, dact], () => {
      const D = t(dy, 'pool2dBackward');
      const win = window2d('pool2dBackward', xShape, opts.kernel, opts.stride, opts.pad);
      const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
      assertShape('pool2dBackward', 'dY', D.shape, [n, oh, ow, c]);
      const dx = new Float64Array(sizeOf(xShape));
      if (opts.mode === 'max') {
        if (!argmax) throw new Error('pool2dBackward: max pooling needs the arg-max recorded by pool2d');
        const A = t(argmax, 'pool2dBackward');
        assertShape('pool2dBackward', 'argmax', A.shape, D.shape);
        for (let o = 0; o < D.size; o++) {
          const idx = A.data[o]!;
          if (idx !== 0xffffffff) dx[idx] += D.data[o]!;
        }
      } else {
        for (let b = 0; b < n; b++)
          for (let p = 0; p < oh; p++)
            for (let q = 0; q < ow; q++)
              for (let ch = 0; ch < c; ch++) {
                const g = D.data[((b * oh + p) * ow + q) * c + ch]! / (kh * kw);
                for (let i = 0; i < kh; i++)
                  for (let j = 0; j < kw; j++) {
                    const hi = p * stride + i - padTop;
                    const wj = q * stride + j - padLeft;
                    if (hi >= 0 && hi < h && wj >= 0 && wj < w) dx[((b * h + hi) * w + wj) * c + ch] += g;
                  }
              }
      }
      this.applyDact('pool2dBackward', dx, xShape, dact);
      return this.make(dx, xShape);
    });
  }

  // ── optimizers ─────────────────────────────────────────────────────────────
  sgdUpdate(param: Tensor, grad: Tensor, velocity: Tensor | null, hp: SgdHyper): void {
    return this.ops.op('sgdUpdate', [param, grad, velocity, hp], () => {
      const P = t(param, 'sgdUpdate');
      const G = t(grad, 'sgdUpdate');
      assertShape('sgdUpdate', 'gradient', G.shape, P.shape);
      this.stats.dispatches++;
      if (velocity && hp.momentum !== 0) {
        const V = t(velocity, 'sgdUpdate');
        assertShape('sgdUpdate', 'velocity', V.shape, P.shape);
        for (let i = 0; i < P.size; i++) {
          V.data[i] = hp.momentum * V.data[i]! - hp.lr * G.data[i]!;
          P.data[i]! += V.data[i]!;
        }
      } else {
        for (let i = 0; i < P.size; i++) P.data[i]! -= hp.lr * G.data[i]!;
      }
    });
  }

  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, hp: AdamHyper): void {
    return this.ops.op('adamUpdate', [param, grad, m, v, hp], () => {
      const P = t(param, 'adamUpdate');
      const G = t(grad, 'adamUpdate');
      const Mt = t(m, 'adamUpdate');
      const Vt = t(v, 'adamUpdate');
      for (const [what, s] of [['gradient', G], ['m', Mt], ['v', Vt]] as const) assertShape('adamUpdate', what, s.shape, P.shape);
      this.stats.dispatches++;
      const c1 = 1 - hp.beta1 ** hp.t;
      const c2 = 1 - hp.beta2 ** hp.t;
      for (let i = 0; i < P.size; i++) {
        const g = G.data[i]!;
        Mt.data[i] = hp.beta1 * Mt.data[i]! + (1 - hp.beta1) * g;
        Vt.data[i] = hp.beta2 * Vt.data[i]! + (1 - hp.beta2) * g * g;
        P.data[i]! -= (hp.lr * (Mt.data[i]! / c1)) / (Math.sqrt(Vt.data[i]! / c2) + hp.eps);
      }
    });
  }

  // ── evaluation ─────────────────────────────────────────────────────────────
  argmax(x: Tensor): Tensor {
    return this.ops.op('argmax', [x], () => {
      const X = t(x, 'argmax');
      const [M, N] = rows('argmax', 'X', X);
      const out = new Float64Array(M);
      for (let i = 0; i < M; i++) {
        let best = 0;
        for (let j = 1; j < N; j++) if (X.data[i * N + j]! > X.data[i * N + best]!) best = j;
        out[i] = best;
      }
      return this.make(out, [M], undefined, 'u32');
    });
  }

  countCorrect(scores: Tensor, onehot: Tensor): Tensor {
    return this.ops.op('countCorrect', [scores, onehot], () => {
      const S = t(scores, 'countCorrect');
      const Y = t(onehot, 'countCorrect');
      if (!sameShape(S.shape, Y.shape)) {
        throw new ShapeError(`countCorrect: scores ${shapeStr(S.shape)} and labels ${shapeStr(Y.shape)} differ`);
      }
      const a = t(this.argmax(S), 'countCorrect').data;
      const b = t(this.argmax(Y), 'countCorrect').data;
      let n = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) n++;
      return this.make(Float64Array.of(n), [1]);
    });
  }

  allFinite(x: Tensor, y?: Tensor | null): Tensor {
    return this.ops.op('allFinite', [x, y], () => {
      const X = t(x, 'allFinite');
      const Y = y ? t(y, 'allFinite') : null;
      return this.make(Float64Array.of(X.data.every(Number.isFinite) && (!Y || Y.data.every(Number.isFinite)) ? 1 : 0), [1]);
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
