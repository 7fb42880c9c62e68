// Step-through trace: the timeline of one training step as data the notebook renders.
//
//   forward   layer 0 … layer n−1      (each op: Z = X·W + 1b, σ, conv, pool, reshape)
//   loss      L(Ŷ, y)                   (fused softmax–cross-entropy or the unfused loss)
//   backward  loss gradient, layer n−1 … layer 0   (dZ, dW, db, dX)
//   update    every parameter            (SGD / Adam)
//
// Each op records its name (the Backend method), its layer, an equation id (EQUATIONS),
// its input and output tensors (role, label, shape, and the values when small), its
// non-tensor arguments, and the WGSL kernels that ran (file and entry point; none on the
// CPU reference, whose function of the same name is the kernel's reference).
//
// A lean model (the nn default) runs fused kernels — the loss and its gradient in one,
// σ' of the layer below fused into each dX, [dW; db] in one pass, one update over the
// parameter arena — and the trace shows exactly those; a session with lean: false runs
// and traces every op as the course writes it.
//
// How: the session builds its model on `Tracer.backend`, a pass-through wrapper of the
// real backend. While `record` runs, every compute op is logged; the layers, the loss and
// the optimizer of the model are wrapped for that one step to say which layer and phase
// each op belongs to; on the WebGPU backend the context's dispatch is observed to name
// the kernels. Values are captured as copies at the moment of the op (parameters change
// in place in the update), then read back once the step is submitted.

import type { Backend, Tensor } from '../engine/backend';
import type { NeuralNetwork } from '../nn/model';

export type TracePhase = 'forward' | 'loss' | 'backward' | 'update';

export interface TraceTensor {
  /** its part in the equation: X, W, b, Z, Y, dY, dW, … */
  role: string;
  /** the tensor's label (e.g. "fc_0.W") */
  label: string;
  shape: number[];
  /** row-major values, when the tensor has at most maxValues elements; else null */
  values: number[] | null;
}

export interface TraceKernel {
  /** shaders/<shader>.wgsl */
  shader: string;
  entry: string;
}

export interface TraceOp {
  index: number;
  phase: TracePhase;
  /** the layer's name (e.g. "fc_0"), 'loss', or null */
  layer: string | null;
  /** fc, conv2d, pool2d, flatten, loss, sgd, adam */
  layerType: string | null;
  /** the Backend method, e.g. "matmul" */
  op: string;
  /** key of EQUATIONS */
  equation: string;
  inputs: TraceTensor[];
  outputs: TraceTensor[];
  /** non-tensor arguments: transA, activation, lr, stride, … */
  args: Record<string, string | number | boolean | number[]>;
  /** WGSL kernels dispatched by this op, in order (empty on the CPU backend) */
  kernels: TraceKernel[];
}

export interface Trace {
  /** the training step this is (1-based update count of the run) */
  step: number;
  run: number;
  batchSize: number;
  backend: 'webgpu' | 'cpu';
  deviceName: string;
  /** the step's loss (null when it was not finite: the session is then 'diverged') */
  loss: number | null;
  layers: { name: string; type: string }[];
  ops: TraceOp[];
  /** id → the equation, for every id in ops */
  equations: Record<string, string>;
  /** the model runs the fused (lean) kernels; false: every op as the course writes it */
  lean: boolean;
  maxValues: number;
}

/** The equations the notebook shows beside each op (course notation, row-major, batch first). */
export const EQUATIONS: Readonly<Record<string, string>> = {
  'fc.forward': 'Y = σ(X·W + 1b)   X (m, n_in), W (n_in, n_out), b (1, n_out)',
  'fc.logits': 'Z = X·W + 1b',
  'fc.backward.dW': 'dW = Xᵀ·dZ',
  'fc.backward.db': 'db = 1ᵀ·dZ (column sums)',
  'fc.backward.dX': 'dX = dZ·Wᵀ',
  'fc.backward.dX.dact': "dZ_below = (dZ·Wᵀ) ⊙ σ'(Y_below): dX and the activation derivative of the layer below in one kernel",
  'fc.backward.dWdb': '[dW; db] = [X 1]ᵀ·dZ: dW = Xᵀ·dZ and db = 1ᵀ·dZ in one pass',
  'activation.forward': 'Y = σ(Z)',
  'activation.backward': "dZ = dY ⊙ σ'(Z), written with Y: relu [Y > 0], sigmoid Y(1 − Y), tanh 1 − Y²",
  'softmax.forward': 'σ(z)_k = e^{z_k − max z} / Σ_j e^{z_j − max z}, per row',
  'softmax.backward': 'dZ = σ ⊙ (dY − Σ_k dY_k σ_k), per row',
  'loss.softmax_ce': 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik (log-sum-exp form)',
  'loss.softmax_ce.backward': 'dZ = (Ŷ − y)/m',
  'loss.softmax_ce.grad': 'Ŷ = softmax(Z); L = −(1/m) Σ_i Σ_k y_ik · ln Ŷ_ik; dZ = (Ŷ − y)/m, all in one kernel',
  'loss.cross_entropy': 'L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik',
  'loss.cross_entropy.backward': 'dŶ = −y / (m · Ŷ)',
  'loss.mse': 'L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²',
  'loss.mse.backward': 'dŶ = (Ŷ − y)/m',
  'conv2d.forward': 'Z[n,d1,d2,f] = Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n, d1·s+i, d2·s+j, c] + b[f]; Y = σ(Z)',
  'conv2d.backward': 'dW = colsᵀ·dZ, db = Σ dZ, dX = col2im(dZ·Wᵀ)   (cols = im2col(X))',
  'conv2d.backward.dact': "dW = colsᵀ·dZ, db = Σ dZ, dZ_below = col2im(dZ·Wᵀ) ⊙ σ'(Y_below)",
  'conv2d.im2col': 'cols[(n,d1,d2), (i·kw + j)·C + c] = Xpad[n, d1·s+i, d2·s+j, c]',
  'conv2d.col2im': 'dX = Σ over overlapping patches of dcols (the adjoint of im2col)',
  'pool2d.forward.max': 'Y[n,d1,d2,c] = max over the kh×kw window of Xpad',
  'pool2d.forward.avg': 'Y[n,d1,d2,c] = mean over the kh×kw window of Xpad',
  'pool2d.backward.max': 'dX gets dY at the arg-max of each window, 0 elsewhere',
  'pool2d.backward.avg': 'dX gets dY/(kh·kw) at every position of each window',
  'pool2d.backward.max.dact': "dX gets dY at the arg-max of each window, times σ'(Y_below) there: the conv's dZ",
  'pool2d.backward.avg.dact': "dX gets dY/(kh·kw) at every position of each window, times σ'(Y_below)",
  'tensor.assign': 'dst ← src (a copy, e.g. into a gradient arena)',
  'flatten.forward': '(m, H, W, C) → (m, H·W·C), the same data',
  'flatten.backward': '(m, H·W·C) → (m, H, W, C), the same data',
  'sgd.update': 'v ← μ·v − lr·g;  p ← p + v   (μ = 0: p ← p − lr·g)',
  'adam.update': 'm ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − lr·m̂/(√v̂ + ε)',
};

/** the Backend methods that compute (traced); tensor bookkeeping (fromArray, read, …) is not */
const TRACED = new Set([
  'matmul',
  'denseGrads',
  'assign',
  'biasActivation',
  'activationBackward',
  'sumRows',
  'axpby',
  'scale',
  'softmax',
  'softmaxBackward',
  'crossEntropy',
  'crossEntropyBackward',
  'softmaxCrossEntropy',
  'softmaxCrossEntropyBackward',
  'mse',
  'mseBackward',
  'im2col',
  'col2im',
  'conv2d',
  'conv2dBackward',
  'pool2d',
  'pool2dBackward',
  'sgdUpdate',
  'adamUpdate',
  'argmax',
  'countCorrect',
  'allFinite',
  'reshape',
]);

/** names of each op's positional arguments (tensors get these roles) */
const ARG_NAMES: Record<string, string[]> = {
  matmul: ['A', 'B', 'opts'],
  denseGrads: ['X', 'dZ', 'out'],
  assign: ['dst', 'src'],
  biasActivation: ['X', 'b', 'activation'],
  activationBackward: ['dY', 'Y', 'activation'],
  sumRows: ['X'],
  axpby: ['alpha', 'x', 'beta', 'y'],
  scale: ['x', 's'],
  softmax: ['Z'],
  softmaxBackward: ['dY', 'σ'],
  crossEntropy: ['Ŷ', 'y'],
  crossEntropyBackward: ['Ŷ', 'y'],
  softmaxCrossEntropy: ['Z', 'y', 'opts'],
  softmaxCrossEntropyBackward: ['Ŷ', 'y'],
  mse: ['Ŷ', 'y'],
  mseBackward: ['Ŷ', 'y'],
  im2col: ['X', 'window'],
  col2im: ['cols', 'window'],
  conv2d: ['X', 'W', 'b', 'opts', 'activation'],
  conv2dBackward: ['dZ', 'X', 'W', 'opts', 'needInput', 'extras'],
  pool2d: ['X', 'opts'],
  pool2dBackward: ['dY', 'xShape', 'opts', 'argmax', 'dact'],
  sgdUpdate: ['p', 'g', 'velocity', 'hyper'],
  adamUpdate: ['p', 'g', 'm', 'v', 'hyper'],
  argmax: ['X'],
  countCorrect: ['scores', 'y'],
  allFinite: ['x', 'y'],
  reshape: ['X', 'shape'],
};

function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as Tensor).shape) &&
    typeof (v as Tensor).size === 'number' &&
    typeof (v as Tensor).label === 'string' &&
    typeof (v as Tensor).dtype === 'string'
  );
}

type Scalar = string | number | boolean | number[];

/** the JSON-safe, non-tensor part of an argument (options objects flattened one level) */
function plainArgs(name: string, v: unknown, into: Record<string, Scalar>): void {
  if (v === undefined || v === null || isTensor(v)) return;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') into[name] = v;
  else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) into[name] = [...v];
  else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (isTensor(x)) into[k] = true;
      else if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') into[k] = x;
      else if (Array.isArray(x) && x.every((y) => typeof y === 'number')) into[k] = [...x];
    }
  }
}

interface Context {
  phase: TracePhase;
  layer: string | null;
  layerType: string | null;
}

interface PendingTensor {
  role: string;
  label: string;
  shape: number[];
  copy: Tensor | null;
}

interface PendingOp extends Omit<TraceOp, 'inputs' | 'outputs'> {
  inputs: PendingTensor[];
  outputs: PendingTensor[];
}

/**
 * the equation id and the roles of the outputs (and of the inputs, where the op's own
 * argument names say less than the equation), from the op, its phase and its arguments
 */
function classify(op: string, ctx: Context, args: unknown[]): { equation: string; outRoles: string[]; inRoles?: string[] } {
  const opts = (args[2] ?? {}) as { transA?: boolean; transB?: boolean; activation?: string };
  switch (op) {
    case 'matmul':
      if (ctx.phase === 'backward') {
        if (opts.transA) return { equation: 'fc.backward.dW', outRoles: ['dW'], inRoles: ['X', 'dZ'] };
        if (opts.transB) {
          return (opts as { dact?: unknown }).dact
            ? { equation: 'fc.backward.dX.dact', outRoles: ['dZ_below'], inRoles: ['dZ', 'W', 'Y_below'] }
            : { equation: 'fc.backward.dX', outRoles: ['dX'], inRoles: ['dZ', 'W'] };
        }
      }
      return opts.activation && opts.activation !== 'linear'
        ? { equation: 'fc.forward', outRoles: ['Y'], inRoles: ['X', 'W', 'b'] }
        : { equation: 'fc.logits', outRoles: ['Z'], inRoles: ['X', 'W', 'b'] };
    case 'sumRows':
      return { equation: 'fc.backward.db', outRoles: ['db'], inRoles: ['dZ'] };
    case 'denseGrads':
      return { equation: 'fc.backward.dWdb', outRoles: ['dW', 'db'] };
    case 'assign':
      return { equation: 'tensor.assign', outRoles: ['dst'] };
    case 'biasActivation':
      return { equation: 'activation.forward', outRoles: ['Y'] };
    case 'activationBackward':
      return { equation: 'activation.backward', outRoles: ['dZ'] };
    case 'softmax':
      return { equation: 'softmax.forward', outRoles: ['Ŷ'] };
    case 'softmaxBackward':
      return { equation: 'softmax.backward', outRoles: ['dZ'] };
    case 'softmaxCrossEntropy':
      return (args[2] as { grad?: boolean } | undefined)?.grad
        ? { equation: 'loss.softmax_ce.grad', outRoles: ['L', 'Ŷ', 'dZ'] }
        : { equation: 'loss.softmax_ce', outRoles: ['L', 'Ŷ'] };
    case 'softmaxCrossEntropyBackward':
      return { equation: 'loss.softmax_ce.backward', outRoles: ['dZ'] };
    case 'crossEntropy':
      return { equation: 'loss.cross_entropy', outRoles: ['L'] };
    case 'crossEntropyBackward':
      return { equation: 'loss.cross_entropy.backward', outRoles: ['dŶ'] };
    case 'mse':
      return { equation: 'loss.mse', outRoles: ['L'] };
    case 'mseBackward':
      return { equation: 'loss.mse.backward', outRoles: ['dŶ'] };
    case 'conv2d':
      return { equation: 'conv2d.forward', outRoles: ['Y'] };
    case 'conv2dBackward': {
      const dact = (args[5] as { dact?: unknown } | undefined)?.dact;
      return { equation: dact ? 'conv2d.backward.dact' : 'conv2d.backward', outRoles: [dact ? 'dZ_below' : 'dX', 'dW', 'db'] };
    }
    case 'im2col':
      return { equation: 'conv2d.im2col', outRoles: ['cols'] };
    case 'col2im':
      return { equation: 'conv2d.col2im', outRoles: ['dX'] };
    case 'pool2d': {
      const mode = (args[1] as { mode?: string } | undefined)?.mode === 'avg' ? 'avg' : 'max';
      return { equation: `pool2d.forward.${mode}`, outRoles: ['Y', 'argmax'] };
    }
    case 'pool2dBackward': {
      const mode = (args[2] as { mode?: string } | undefined)?.mode === 'avg' ? 'avg' : 'max';
      return args[4] ? { equation: `pool2d.backward.${mode}.dact`, outRoles: ['dZ_below'] } : { equation: `pool2d.backward.${mode}`, outRoles: ['dX'] };
    }
    case 'reshape':
      return ctx.phase === 'backward'
        ? { equation: 'flatten.backward', outRoles: ['dX'], inRoles: ['dY'] }
        : { equation: 'flatten.forward', outRoles: ['Y'] };
    case 'sgdUpdate':
      return { equation: 'sgd.update', outRoles: ['p', 'velocity'] };
    case 'adamUpdate':
      return { equation: 'adam.update', outRoles: ['p', 'm', 'v'] };
    default:
      return { equation: op, outRoles: ['out'] };
  }
}

/**
 * the tensors an op wrote, in the order of classify's outRoles (dx, dw, db; y, argmax;
 * loss, probs, dz); an absent one (dx without needInput, no velocity) stays undefined
 * so the roles stay aligned
 */
function resultTensors(op: string, result: unknown, args: unknown[]): (Tensor | undefined)[] {
  const only = (xs: unknown[]) => xs.map((x) => (isTensor(x) ? x : undefined));
  if (op === 'sgdUpdate') return only([args[0], args[2]]);
  if (op === 'adamUpdate') return only([args[0], args[2], args[3]]);
  if (op === 'assign') return only([args[0]]);
  if (isTensor(result)) return [result];
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    const order =
      op === 'conv2dBackward' ? ['dx', 'dw', 'db'] : op === 'pool2d' ? ['y', 'argmax'] : op === 'denseGrads' ? ['dw', 'db'] : ['loss', 'probs', 'dz'];
    return only(order.map((k) => r[k]));
  }
  return [];
}

type MethodHost = Record<string, unknown>;

/**
 * A pass-through wrapper of a backend that can record one step. The model must be built
 * on `tracer.backend`; everything else (inputs, reads) may use the raw backend.
 */
export class Tracer {
  readonly backend: Backend;
  private recording: {
    ops: PendingOp[];
    stack: Context[];
    maxValues: number;
    kernels: TraceKernel[] | null;
  } | null = null;

  constructor(readonly raw: Backend) {
    const bound = new Map<PropertyKey, unknown>();
    this.backend = new Proxy(raw, {
      get: (target, prop) => {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function') return v;
        let f = bound.get(prop);
        if (!f) {
          const name = String(prop);
          f = TRACED.has(name)
            ? (...args: unknown[]) => (this.recording ? this.traced(name, v as (...a: unknown[]) => unknown, args) : (v as (...a: unknown[]) => unknown).apply(target, args))
            : (v as (...a: unknown[]) => unknown).bind(target);
          bound.set(prop, f);
        }
        return f;
      },
    });
  }

  get active(): boolean {
    return this.recording !== null;
  }

  private copyOf(t: Tensor): Tensor | null {
    return t.size <= this.recording!.maxValues ? this.raw.clone(t, `trace ${t.label}`) : null;
  }

  private traced(op: string, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    const rec = this.recording!;
    const ctx = rec.stack[rec.stack.length - 1] ?? { phase: 'forward', layer: null, layerType: null };
    const names = ARG_NAMES[op] ?? args.map((_, i) => `arg${i}`);
    const inputs: PendingTensor[] = [];
    const plain: Record<string, Scalar> = {};
    args.forEach((a, i) => {
      const name = names[i] ?? `arg${i}`;
      if (isTensor(a)) inputs.push({ role: name, label: a.label, shape: [...a.shape], copy: this.copyOf(a) });
      else {
        plainArgs(name, a, plain);
        if (typeof a === 'object' && a !== null) {
          const o = a as { bias?: unknown; dact?: unknown; y?: unknown; activation?: unknown };
          if (isTensor(o.bias)) inputs.push({ role: 'b', label: o.bias.label, shape: [...o.bias.shape], copy: this.copyOf(o.bias) });
          // a fused activation derivative: { y: Y of the layer below, activation }
          const dact = (name === 'dact' ? o : o.dact) as { y?: unknown; activation?: unknown } | undefined;
          if (dact && isTensor(dact.y)) {
            inputs.push({ role: 'Y_below', label: dact.y.label, shape: [...dact.y.shape], copy: this.copyOf(dact.y) });
            plain.dact = String(dact.activation);
          }
        }
      }
    });
    const kernels: TraceKernel[] = [];
    rec.kernels = kernels;
    let result: unknown;
    try {
      result = fn.apply(this.raw, args);
    } finally {
      rec.kernels = null;
    }
    const { equation, outRoles, inRoles } = classify(op, ctx, args);
    if (inRoles) inputs.forEach((t, i) => (t.role = inRoles[i] ?? t.role));
    const outs = resultTensors(op, result, args);
    let layer = ctx.layer;
    let layerType = ctx.layerType;
    if (ctx.phase === 'update' && isTensor(args[0])) {
      // parameters are labelled "<layer>.<key>"
      const label = args[0].label;
      layer = label.includes('.') ? label.slice(0, label.lastIndexOf('.')) : label;
    }
    rec.ops.push({
      index: rec.ops.length,
      phase: ctx.phase,
      layer,
      layerType,
      op,
      equation,
      inputs,
      outputs: outs.flatMap((t, i) => (t ? [{ role: outRoles[i] ?? `out${i}`, label: t.label, shape: [...t.shape], copy: this.copyOf(t) }] : [])),
      args: plain,
      kernels,
    });
    return result;
  }

  /** wraps obj[method] so ops inside run under ctx; returns the undo */
  private wrap(obj: object, method: string, ctx: Context): (() => void) | null {
    const host = obj as MethodHost;
    const f = host[method];
    if (typeof f !== 'function') return null;
    const had = Object.prototype.hasOwnProperty.call(host, method);
    const stack = () => this.recording!.stack;
    host[method] = function (this: unknown, ...args: unknown[]) {
      stack().push(ctx);
      try {
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        stack().pop();
      }
    };
    return () => {
      if (had) host[method] = f;
      else delete host[method];
    };
  }

  /** observe the WebGPU context's dispatches (the kernel names) */
  private observeKernels(): (() => void) | null {
    const ctx = (this.raw as unknown as { ctx?: MethodHost }).ctx;
    if (!ctx || typeof ctx.dispatch !== 'function') return null;
    const dispatch = ctx.dispatch as (k: { shader: string; entry: string }, ...rest: unknown[]) => unknown;
    const had = Object.prototype.hasOwnProperty.call(ctx, 'dispatch');
    const self = this;
    ctx.dispatch = function (this: unknown, k: { shader: string; entry: string }, ...rest: unknown[]) {
      self.recording?.kernels?.push({ shader: k.shader, entry: k.entry });
      return dispatch.call(this, k, ...rest);
    };
    return () => {
      if (had) ctx.dispatch = dispatch;
      else delete ctx.dispatch;
    };
  }

  /**
   * Runs `step` (which records one training step of `model` on this tracer's backend)
   * with tracing on; returns the ops with their values read back. `step` must submit
   * its work (flush or read) before it resolves.
   */
  async record(model: NeuralNetwork, maxValues: number, step: () => Promise<void>): Promise<{ ops: TraceOp[]; equations: Record<string, string> }> {
    if (this.recording) throw new Error('trace: a trace is already being recorded');
    if (model.backend !== this.backend) throw new Error('trace: the model was not built on this tracer’s backend');
    this.recording = { ops: [], stack: [], maxValues, kernels: null };
    const undo: (() => void)[] = [];
    const add = (u: (() => void) | null) => u && undo.push(u);
    try {
      for (const layer of model.layers) {
        const ctxF: Context = { phase: 'forward', layer: layer.name, layerType: layer.type };
        const ctxB: Context = { phase: 'backward', layer: layer.name, layerType: layer.type };
        add(this.wrap(layer, 'forward', ctxF));
        add(this.wrap(layer, 'forwardLogits', ctxF));
        add(this.wrap(layer, 'backward', ctxB));
        add(this.wrap(layer, 'backwardLogits', ctxB));
      }
      const lossF: Context = { phase: 'loss', layer: 'loss', layerType: 'loss' };
      const lossB: Context = { phase: 'backward', layer: 'loss', layerType: 'loss' };
      add(this.wrap(model.loss, 'forward', lossF));
      add(this.wrap(model.loss, 'forwardLogits', lossF));
      add(this.wrap(model.loss, 'backward', lossB));
      add(this.wrap(model.loss, 'backwardLogits', lossB));
      add(this.wrap(model.optimizer, 'update', { phase: 'update', layer: null, layerType: model.optimizer.type }));
      add(this.observeKernels());
      await step();
    } catch (e) {
      for (const op of this.recording.ops) for (const t of [...op.inputs, ...op.outputs]) this.raw.dispose(t.copy);
      throw e;
    } finally {
      for (const u of undo.reverse()) u();
    }
    const pending = this.recording.ops;
    this.recording = null;

    const read = async (p: PendingTensor): Promise<TraceTensor> => {
      if (!p.copy) return { role: p.role, label: p.label, shape: p.shape, values: null };
      try {
        const v = await this.raw.read(p.copy);
        return { role: p.role, label: p.label, shape: p.shape, values: Array.from(v) };
      } finally {
        this.raw.dispose(p.copy);
      }
    };
    const ops: TraceOp[] = [];
    for (const op of pending) {
      ops.push({ ...op, inputs: await Promise.all(op.inputs.map(read)), outputs: await Promise.all(op.outputs.map(read)) });
    }
    const equations: Record<string, string> = {};
    for (const op of ops) equations[op.equation] = EQUATIONS[op.equation] ?? op.op;
    return { ops, equations };
  }
}
