// The Backend interface: every operation of the course, as the layers call it.
//
// Two implementations:
//   cpu/    float64 reference — simple, obviously right; the tests' oracle and the
//           fallback when a browser has no WebGPU.
//   gpu/    WGSL kernels on WebGPU (navigator.gpu in the browser, Dawn in Node).
//
// Conventions (the course's):
//   - row-major, batch first; dense input (m, d); images NHWC (m, H, W, C);
//   - Conv2D weights (kh, kw, c_in, c_out), biases (1, n);
//   - labels are one-hot (m, k) float tensors.
//
// Execution model: operations are recorded, not run. The GPU backend records every
// op into one command encoder; `flush()` submits it (once per training step) and
// `read()` is the only way data comes back (it flushes first). Nothing reads back
// behind the caller's back. The CPU backend runs each op at once; flush is a no-op.

import type { Padding, Shape, Window2D } from './geometry';

export type BackendKind = 'webgpu' | 'cpu';

/** Element type. 'f32' tensors hold float64 on the CPU reference, float32 on the GPU. */
export type DType = 'f32' | 'u32';

export interface Tensor {
  readonly shape: Shape;
  /** number of elements */
  readonly size: number;
  readonly dtype: DType;
  /** shown in GPU debuggers and error messages */
  readonly label: string;
  /** true once disposed; using it afterwards throws */
  readonly disposed: boolean;
}

/**
 * true for a tensor of either backend (an op's arguments mix tensors, options and
 * numbers: an op listener tells them apart with this)
 */
export function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as Tensor).shape) &&
    typeof (v as Tensor).size === 'number' &&
    typeof (v as Tensor).label === 'string' &&
    typeof (v as Tensor).dtype === 'string'
  );
}

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

/**
 * A backward epilogue: multiply a result elementwise by σ'(Z), written with the forward
 * output Y = σ(Z) (relu [Y > 0], sigmoid Y(1 − Y), tanh 1 − Y²). Fused into the kernel
 * that produces dX of a layer, it turns dL/dY of the layer below into its dL/dZ, so the
 * separate activationBackward dispatch disappears.
 */
export interface ActivationGrad {
  /** the forward output Y of the activation, same shape (and element order) as the result */
  y: Tensor;
  activation: Activation;
}

export interface MatmulOptions {
  /** use Aᵀ: A is stored (K, M) */
  transA?: boolean;
  /** use Bᵀ: B is stored (N, K) */
  transB?: boolean;
  /** fused epilogue: add a (1, N) bias to every row … */
  bias?: Tensor;
  /** … then apply an activation */
  activation?: Activation;
  /** backward epilogue instead: C ← (op(A)·op(B)) ⊙ σ'(Y), Y (M, N) (no bias or activation then) */
  dact?: ActivationGrad;
  /** write C into this (M, N) tensor (e.g. a view of an arena) instead of a new one; it is returned */
  out?: Tensor;
}

/**
 * How the GPU runs a convolution. 'implicit' (the default): the im2col index map lives
 * inside the kernels — the forward is a tiled matrix product whose tile loader reads X
 * through it, dX is one direct kernel — and nothing is unrolled to memory. 'im2col': the
 * course's explicit path, cols = im2col(X) stored, Z = cols·W; dX = col2im(dZ·Wᵀ). Both
 * compute the same thing; the CPU reference ignores the choice.
 */
export type ConvAlgorithm = 'implicit' | 'im2col';

export interface Conv2DOptions {
  stride: number;
  pad: Padding;
  /** default 'implicit' */
  algorithm?: ConvAlgorithm;
}

export interface SoftmaxCrossEntropyOptions {
  /**
   * also return dz = dL/dZ = (probs − y)/m, computed by the same kernel: forward and
   * backward of the loss in one dispatch
   */
  grad?: boolean;
}

/** where conv2dBackward writes, and what it fuses */
export interface Conv2DBackwardExtras {
  /** write dW into this (kh, kw, C, F) tensor */
  dw?: Tensor;
  /** write db into this (1, F) tensor */
  db?: Tensor;
  /** dX ← dX ⊙ σ'(Y), Y (m, H, W, C) the forward output of the layer below */
  dact?: ActivationGrad;
}

export interface Pool2DOptions {
  mode: 'max' | 'avg';
  kernel: readonly [number, number];
  stride: number;
  pad: Padding;
}

export interface PoolResult {
  /** (m, oh, ow, c) */
  y: Tensor;
  /**
   * max pooling only: (m, oh, ow, c) u32 flat index into the input of the chosen element
   * (first maximum in window order i, then j, on ties); 0xFFFFFFFF when the maximum is a
   * padding zero, whose gradient goes nowhere.
   */
  argmax?: Tensor;
}

export interface SgdHyper {
  lr: number;
  /** 0 disables momentum: v ← μ·v − lr·g; p ← p + v */
  momentum: number;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step count, for bias correction */
  t: number;
}

/** The GPU time of one dispatch of a profiled step. */
export interface KernelTiming {
  /** the WGSL file (shaders/<kernel>.wgsl) */
  kernel: string;
  /** its entry point */
  entry: string;
  /** the dispatch's label, e.g. "matmul 64×400·400×120" */
  label: string;
  /** milliseconds the dispatch ran on the GPU */
  ms: number;
}

/**
 * Per-kernel times of the work recorded between beginProfile() and endProfile():
 *   'timestamp-query'  the device's own clock: each dispatch in its own compute pass with
 *                      timestampWrites at its start and end (exact, per dispatch);
 *   'cpu'              no 'timestamp-query' on this device: each dispatch submitted on its
 *                      own and timed by when the CPU hears it has finished (an estimate
 *                      that includes submission overhead);
 *   'none'             nothing to time (the CPU reference runs each op at once).
 * A profiled step is not lean (one pass, or one submission, per dispatch): profile one
 * step, measure throughput on others.
 */
export interface StepProfile {
  source: 'timestamp-query' | 'cpu' | 'none';
  /** one per dispatch, in recording order */
  timings: KernelTiming[];
  /** Σ timings.ms */
  totalMs: number;
  /** wall-clock milliseconds from beginProfile() until the profiled work had finished */
  wallMs: number;
  /** what the numbers are, for the reader (e.g. why there are no GPU timestamps) */
  note: string;
}

/** Counters for the lean-step checks (instrumented, not timed). */
export interface BackendStats {
  dispatches: number;
  submissions: number;
  readbacks: number;
}

/** A WGSL kernel an op dispatched: shaders/<shader>.wgsl, entry point `entry`. */
export interface OpKernel {
  shader: string;
  entry: string;
  /** [first, last] line (0-based) of the entry point in the file, its attributes included */
  lines: readonly [number, number] | null;
  /** the dispatch's override constants (tile shape, GROUP_SIZE, fused activation, …) */
  constants?: Readonly<Record<string, number | boolean>>;
  /** compiled with the subgroup path of the group-sum helpers */
  subgroups?: boolean;
  /** the dispatch's label (as a profile names it) */
  label?: string;
}

/**
 * One compute op as a backend ran it (see onOp):
 *   op       the Backend method, e.g. "matmul"
 *   args     its positional arguments as the caller passed them (tensors, options)
 *   result   what it returned: a tensor, an object of tensors ({ dw, db }, { y, argmax },
 *            { loss, probs, dz? }, { dx?, dw, db }), or undefined for the in-place ops
 *            (assign, sgdUpdate, adamUpdate: their first argument is the output)
 *   kernels  the WGSL kernels it dispatched, in order; empty on the CPU reference and for
 *            ops that only relabel data (reshape)
 */
export interface OpEvent {
  readonly op: string;
  readonly args: readonly unknown[];
  readonly result: unknown;
  readonly kernels: readonly OpKernel[];
}

/**
 * Told about every outermost compute op: begin before it records anything (its inputs
 * still hold their values), end after it. A listener may use the backend (copy a tensor)
 * while it is told; those calls are not announced.
 */
export interface OpListener {
  begin?(op: string, args: readonly unknown[]): void;
  end?(event: OpEvent): void;
}

/**
 * What a backend reports about how it runs (the Performance page's record of a run):
 * the kernel variants in use on the GPU, null on the CPU reference.
 */
export interface BackendProfile {
  /** the matrix-product kernel: 'tiled' (workgroup tiles) or 'registers' (register blocks) */
  matmulKernel: string | null;
  /** the convolution backward: 'blocked' (register blocks, no im2col) or 'per-weight' */
  convBackwardKernel: string | null;
}

export interface Backend {
  readonly kind: BackendKind;
  /** e.g. "SwiftShader Device (Subzero)" or "NVIDIA H100"; "float64 CPU reference" on cpu */
  readonly deviceName: string;
  /** true for a software adapter (SwiftShader, WARP, llvmpipe) or the CPU backend */
  readonly isFallback: boolean;
  readonly stats: BackendStats;
  /** how this backend runs its kernels (see BackendProfile) */
  readonly profile: BackendProfile;
  /**
   * Subscribes to the compute ops (see OpListener); returns the unsubscribe. The step-
   * through's tracer is such a listener. With no listener an op pays one length test.
   */
  onOp(listener: OpListener): () => void;

  // ── tensors ────────────────────────────────────────────────────────────────
  fromArray(data: ArrayLike<number>, shape: Shape, label?: string, dtype?: DType): Tensor;
  zeros(shape: Shape, label?: string): Tensor;
  /** overwrite a tensor's contents (setting parameters); data.length must equal t.size */
  write(t: Tensor, data: ArrayLike<number>): void;
  /** a tensor with the same data and a new shape of equal size (Flatten) */
  reshape(t: Tensor, shape: Shape): Tensor;
  /** copy of t in a new tensor */
  clone(t: Tensor, label?: string): Tensor;
  /**
   * Elements a view must start at a multiple of: the GPU binds a view at a byte offset,
   * which must be a multiple of minStorageBufferOffsetAlignment (256 bytes = 64 floats on
   * most devices). 1 on the CPU reference.
   */
  readonly viewAlignment: number;
  /**
   * A tensor of `shape` over t's elements [offset, offset + size(shape)), sharing t's data
   * (writes through either are seen by both). offset must be a multiple of viewAlignment.
   * Arenas are built from views: one buffer holds every parameter of a model, each
   * parameter a view, so one kernel can update them all.
   */
  view(t: Tensor, offset: number, shape: Shape, label?: string): Tensor;
  /** dst ← src, same number of elements (recorded like any op) */
  assign(dst: Tensor, src: Tensor): void;
  /** flushes pending work and copies the tensor to the host */
  read(t: Tensor): Promise<Float32Array | Float64Array>;
  dispose(...ts: (Tensor | undefined | null)[]): void;
  /** submit recorded work (GPU: one command buffer); no-op on the CPU */
  flush(): void;
  /**
   * Profiling, off by default and free when off: after beginProfile(), every dispatch is
   * timed on its own; endProfile() flushes, waits for the work and returns the times (and
   * turns profiling off). Meant for one training step.
   */
  beginProfile(): void;
  endProfile(): Promise<StepProfile>;
  /** true while a profile is being recorded */
  readonly profiling: boolean;
  /** resolves when all submitted work is done */
  sync(): Promise<void>;
  /** release every resource; the backend is unusable afterwards */
  destroy(): void;
  /**
   * WebGPU: resolves with the reason when the device is lost (driver reset, out of memory,
   * device.destroy() by someone else); the backend is unusable from then on and a new one
   * must be created. Absent on the CPU reference, which cannot be lost.
   */
  readonly lost?: Promise<string>;

  // ── dense algebra ──────────────────────────────────────────────────────────
  /** C (M, N) = op(A) · op(B) [+ 1·bias] then activation; op is identity or transpose */
  matmul(a: Tensor, b: Tensor, opts?: MatmulOptions): Tensor;
  /** Y = act(X + 1·b); X (M, N), b (1, N) or null for no bias */
  biasActivation(x: Tensor, b: Tensor | null, act: Activation): Tensor;
  /** dZ = dY ⊙ act'(Y), written in terms of the activation's output Y */
  activationBackward(dy: Tensor, y: Tensor, act: Activation): Tensor;
  /**
   * The parameter gradients of Z = X·W + 1b in one pass: [dW; db] = [X 1]ᵀ·dZ, i.e.
   * dW = Xᵀ·dZ (n_in, n_out) and db = 1ᵀ·dZ (1, n_out); X (m, n_in), dZ (m, n_out).
   * `out` names tensors to write into (e.g. views of a gradient arena).
   */
  denseGrads(x: Tensor, dz: Tensor, out?: { dw?: Tensor; db?: Tensor }): { dw: Tensor; db: Tensor };
  /** (M, N) → (1, N): column sums (bias gradients) */
  sumRows(x: Tensor): Tensor;
  /** elementwise a·x + b·y (gradient accumulation, momentum bookkeeping) */
  axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor;
  /** elementwise x·scale */
  scale(x: Tensor, s: number): Tensor;

  // ── softmax and losses ─────────────────────────────────────────────────────
  /** row-wise max-shifted softmax of (M, N) */
  softmax(x: Tensor): Tensor;
  /** Jacobian-vector product per row: dZ = σ ⊙ (dY − Σ_k dY_k σ_k), σ the softmax output */
  softmaxBackward(dy: Tensor, sigma: Tensor): Tensor;
  /**
   * L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik, ŷ probabilities; returns a (1) tensor. Terms with
   * y = 0 are skipped; a target's ŷ below the smallest normal number (2⁻¹²⁶ in float32,
   * 2⁻¹⁰²² in float64: it has underflowed) makes L = +∞.
   */
  crossEntropy(yhat: Tensor, y: Tensor): Tensor;
  /**
   * dL/dŷ = −y / (m · max(ŷ, tiny)) where y ≠ 0, and 0 where y = 0 — the unfused path
   * (numerically fragile when ŷ → 0). tiny is the smallest normal number: where a target's
   * ŷ underflowed the gradient stays finite (and wrong: the loss is then +∞, which stops a
   * training run naming the cause), never −∞ (which the softmax backward turns into NaN).
   */
  crossEntropyBackward(yhat: Tensor, y: Tensor): Tensor;
  /**
   * Fused softmax–cross-entropy on logits Z (m, k):
   * probs = softmax(Z), loss = −(1/m) Σ y·ln probs (computed as log-sum-exp, stable),
   * dZ = (probs − y)/m. One kernel family; the backward needs only probs and y.
   */
  softmaxCrossEntropy(logits: Tensor, y: Tensor, opts?: SoftmaxCrossEntropyOptions): { loss: Tensor; probs: Tensor; dz?: Tensor };
  softmaxCrossEntropyBackward(probs: Tensor, y: Tensor): Tensor;
  /** L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)², squared error halved and averaged over rows; a (1) tensor */
  mse(yhat: Tensor, y: Tensor): Tensor;
  /** dL/dŷ = (ŷ − y)/m */
  mseBackward(yhat: Tensor, y: Tensor): Tensor;

  // ── convolution (im2col) ───────────────────────────────────────────────────
  /** X (m, H, W, C) → cols (m·oh·ow, kh·kw·C), column index (i·kw + j)·C + c; zeros in the padding */
  im2col(x: Tensor, win: Window2D): Tensor;
  /** adjoint of im2col: cols (m·oh·ow, kh·kw·C) → dX (m, H, W, C), summing overlapping patches */
  col2im(cols: Tensor, win: Window2D): Tensor;
  /** Z = conv(X, W) + b, then activation; W (kh, kw, C, F), b (1, F) → (m, oh, ow, F) */
  conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2DOptions, act?: Activation): Tensor;
  /**
   * gradients of Z = conv(X, W) + b given dZ; dX only when needInput. `extras` names
   * tensors to write dW and db into, and an activation derivative to fuse into dX.
   */
  conv2dBackward(
    dz: Tensor,
    x: Tensor,
    w: Tensor,
    opts: Conv2DOptions,
    needInput: boolean,
    extras?: Conv2DBackwardExtras,
  ): { dx?: Tensor; dw: Tensor; db: Tensor };

  // ── pooling ────────────────────────────────────────────────────────────────
  /** zero padding takes part in the window (the course's pad-then-pool) */
  pool2d(x: Tensor, opts: Pool2DOptions): PoolResult;
  /**
   * max: the gradient goes to the arg-max; avg: spread evenly over the kh·kw window.
   * With dact, dX ← dX ⊙ σ'(Y), Y (xShape) the pool's input when that is an activation's
   * output (a conv layer's relu): the conv's dZ straight away.
   */
  pool2dBackward(dy: Tensor, xShape: Shape, opts: Pool2DOptions, argmax?: Tensor, dact?: ActivationGrad): Tensor;

  // ── optimizers (in place) ──────────────────────────────────────────────────
  /** v ← μ·v − lr·g; p ← p + v (velocity may be null when μ = 0) */
  sgdUpdate(param: Tensor, grad: Tensor, velocity: Tensor | null, h: SgdHyper): void;
  /** m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·m̂/(√v̂ + ε) */
  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void;

  // ── evaluation ─────────────────────────────────────────────────────────────
  /** (M, N) → (M) u32 index of the row maximum (first one on ties) */
  argmax(x: Tensor): Tensor;
  /** number of rows where argmax(scores) == argmax(onehot), as a (1) f32 tensor */
  countCorrect(scores: Tensor, onehot: Tensor): Tensor;
  /**
   * (1) f32 tensor: 1 when every element of x (and of y, when given) is finite, 0 if any
   * is NaN or ±Inf. The GPU tests each float's bits (exponent all ones), never its value:
   * WGSL leaves NaN arithmetic to the implementation (max, clamp, log and comparisons may
   * turn NaN into a finite number), so a loss can read back finite while every parameter
   * is NaN — check the parameters with the loss (x = a model's parameter arena, y = its
   * loss: one dispatch).
   */
  allFinite(x: Tensor, y?: Tensor | null): Tensor;

  // ── limits ─────────────────────────────────────────────────────────────────
  /**
   * Throws DeviceLimitError, naming `what`, its shape and the limit, when a tensor of this
   * shape is more than the backend can hold (GPU: maxStorageBufferBindingSize and
   * maxBufferSize; CPU: a host bound). Allocates nothing: models check every parameter
   * and activation before drawing any weight.
   */
  checkFits(shape: Shape, what: string): void;
}
