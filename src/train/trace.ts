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
// How: while `record` runs, the tracer listens to the backend's ops (backend.onOp: each
// compute op with its arguments, result and the WGSL kernels it dispatched) and to the
// model's scopes (model.onEvent: which layer and phase each op belongs to); an op outside
// every scope of the model (the caller's own reads and checks) is not part of the trace. Values are
// captured as copies at the moment of the op (parameters change in place in the update),
// then read back once the step is submitted.

import { type Backend, isTensor, type OpEvent, type Tensor } from '../engine/backend';
import { EQUATIONS } from '../nn/equations';
import type { ModelScope } from '../nn/events';
import type { NeuralNetwork } from '../nn/model';

export { EQUATIONS };

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
  /** [first, last] line (0-based) of the entry point in that file */
  lines: [number, number] | null;
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

/** Records one training step of a model built on `backend`. */
export class Tracer {
  private recording: {
    ops: PendingOp[];
    stack: Context[];
    maxValues: number;
    /** inputs copied when the op began, until it ends */
    inputs: PendingTensor[] | null;
    plain: Record<string, Scalar> | null;
  } | null = null;

  constructor(readonly backend: Backend) {}

  get active(): boolean {
    return this.recording !== null;
  }

  private copyOf(t: Tensor): Tensor | null {
    return t.size <= this.recording!.maxValues ? this.backend.clone(t, `trace ${t.label}`) : null;
  }

  /** an op begins: copy its input tensors (before an in-place update changes them) */
  private begin(op: string, args: readonly unknown[]): void {
    const rec = this.recording!;
    if (rec.stack.length === 0) return; // not the model's (e.g. the caller's finiteness check)
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
    rec.inputs = inputs;
    rec.plain = plain;
  }

  /** the op ended: its outputs, its kernels, its place in the step */
  private end({ op, args, result, kernels }: OpEvent): void {
    const rec = this.recording!;
    const ctx = rec.stack[rec.stack.length - 1];
    if (!ctx) return;
    const inputs = rec.inputs ?? [];
    const plain = rec.plain ?? {};
    rec.inputs = rec.plain = null;
    const { equation, outRoles, inRoles } = classify(op, ctx, args as unknown[]);
    if (inRoles) inputs.forEach((t, i) => (t.role = inRoles[i] ?? t.role));
    const outs = resultTensors(op, result, args as unknown[]);
    let layer = ctx.layer;
    const layerType = ctx.layerType;
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
      kernels: kernels.map((k) => ({ shader: k.shader, entry: k.entry, lines: k.lines ? [k.lines[0], k.lines[1]] : null })),
    });
  }

  /**
   * Runs `step` (which records one training step of `model`) with tracing on; returns the
   * ops with their values read back. `step` must submit its work (flush or read) before
   * it resolves.
   */
  async record(model: NeuralNetwork, maxValues: number, step: () => Promise<void>): Promise<{ ops: TraceOp[]; equations: Record<string, string> }> {
    if (this.recording) throw new Error('trace: a trace is already being recorded');
    if (model.backend !== this.backend) throw new Error('trace: the model was not built on this tracer’s backend');
    const rec: NonNullable<Tracer['recording']> = { ops: [], stack: [], maxValues, inputs: null, plain: null };
    this.recording = rec;
    const offOps = this.backend.onOp({ begin: (op, args) => this.begin(op, args), end: (e) => this.end(e) });
    const offModel = model.onEvent({
      enter: (s: ModelScope) => rec.stack.push({ phase: s.phase, layer: s.layer, layerType: s.layerType }),
      exit: () => rec.stack.pop(),
    });
    try {
      await step();
    } catch (e) {
      for (const op of rec.ops) for (const t of [...op.inputs, ...op.outputs]) this.backend.dispose(t.copy);
      this.backend.dispose(...(rec.inputs ?? []).map((t) => t.copy));
      this.recording = null;
      throw e;
    } finally {
      offOps();
      offModel();
    }
    const pending = rec.ops;
    this.recording = null;

    const read = async (p: PendingTensor): Promise<TraceTensor> => {
      if (!p.copy) return { role: p.role, label: p.label, shape: p.shape, values: null };
      try {
        const v = await this.backend.read(p.copy);
        return { role: p.role, label: p.label, shape: p.shape, values: Array.from(v) };
      } finally {
        this.backend.dispose(p.copy);
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
