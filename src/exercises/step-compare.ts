// The step-through beside the student's code: which tensor of the student's layers each
// traced op's output is, and how far apart the two are.
//
//   the request   the traced step's mini-batch X (the first forward op's input), its one-hot
//                 targets y (the loss op's), each layer's W and b as its forward op read them
//                 (before the update) and the layers' kinds → StepRequest (trace-student.ts)
//   the match     per op and output tensor, the student's tensor of the same meaning:
//                   fc.forward / activation.forward / conv2d.forward (fused σ) / pool / flatten  Y → the layer's Y
//                   fc.logits, conv2d.forward (no σ)                    Z → the layer's Z
//                   softmax.forward, the loss's Ŷ                       Ŷ → the last layer's Y
//                   the loss                                            L → model.backward(y, out)
//                   cross-entropy backward                              dŶ → the last layer's dY
//                   softmax / activation / the loss's backward          dZ → the layer's dZ
//                   dW, db, dX                                          → the layer's gradients, backward's return
//                   fused σ' of the layer below (dZ_below)              → the layer below's dZ
//                   SGD without momentum                                p → p − η·(the student's gradient)
//                 (argmax, im2col, velocities and Adam's moments have no counterpart)
//   the verdict   the engine runs in float32, the student's code in float64: a tensor agrees
//                 when every entry is within F32_TOLERANCE of the engine's; the float64
//                 reference on the same inputs gives the exact check (F64_TOLERANCE).

import type { Trace, TraceOp, TraceTensor } from '../train/trace';
import type { StepActivation, StepLayer, StudentSources } from './student-network';
import type { PlainTensor, StepRequest, StepResult } from './trace-student';

/** |yours − engine| ≤ atol + rtol·|engine| + scaled·max|engine over the tensor| (float32 rounding, summed over a batch) */
export const F32_TOLERANCE = { atol: 1e-6, rtol: 1e-3, scaled: 1e-4 };
/** |yours − reference| ≤ atol + rtol·max|reference| (float64 on both sides: exactMatch, also the trace table's check) */
export const F64_TOLERANCE = { atol: 1e-8, rtol: 1e-6 };

/** where a traced tensor lives in the student's code */
export type Counterpart =
  | { kind: 'layer'; layer: number; key: string }
  | { kind: 'loss' }
  /** p − η·g for parameters `of` (layer, key), concatenated in that order */
  | { kind: 'update'; of: { layer: number; key: string }[]; lr: number };

export interface TensorMatch {
  /** the engine tensor's role in its op (Y, dZ, dW, …) */
  role: string;
  /** what it is in the student's code, in words */
  yours: string;
  shape: number[];
  engine: number[];
  mine: number[];
  /** the float64 reference's values on the same inputs */
  reference: number[] | null;
  /** max |yours − engine| (Infinity when the sizes differ or a value is not finite) */
  maxDiff: number;
  agree: boolean;
  /** max |yours − float64 reference| and whether it is within F64_TOLERANCE */
  maxDiff64: number | null;
  exact: boolean | null;
  /** the first entries outside the tolerance: multi-index, yours, the engine's */
  firstDiffs: { index: number[]; yours: number; engine: number }[];
}

export interface OpMatch {
  tensors: TensorMatch[];
  /** null: no output of this op has a counterpart in the student's code */
  verdict: 'agree' | 'disagree' | null;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

const plain = (t: TraceTensor): PlainTensor | null => (t.values ? { shape: [...t.shape], data: t.values } : null);

/** the activation a layer's forward applies: its fused σ, a separate activation/softmax op, or softmax folded into the loss */
function activationOf(trace: Trace, name: string, last: boolean): StepActivation | null {
  const fwd = trace.ops.filter((o) => o.phase === 'forward' && o.layer === name);
  for (const o of fwd) {
    if (o.op === 'softmax') return 'softmax';
    const a = o.args.activation;
    if (typeof a === 'string' && a !== 'linear') return a as StepActivation;
  }
  if (last && trace.ops.some((o) => o.phase === 'loss' && o.equation.startsWith('loss.softmax_ce'))) return 'softmax';
  return null;
}

const padding = (v: unknown): 'same' | 'valid' | number => (v === 'same' || v === 'valid' ? v : Number(v ?? 0));
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);

/** the traced step as a request for the student's layers, or why it cannot be one */
export function stepRequest(trace: Trace, sources: StudentSources): { request: StepRequest } | { error: string } {
  const layers: StepLayer[] = [];
  const parameters: Record<string, PlainTensor>[] = [];
  for (const [i, l] of trace.layers.entries()) {
    const fwd = trace.ops.find((o) => o.phase === 'forward' && o.layer === l.name);
    if (!fwd) return { error: `the trace has no forward op of ${l.name}` };
    const params: Record<string, PlainTensor> = {};
    for (const t of fwd.inputs.filter((t) => t.role === 'W' || t.role === 'b')) {
      const p = plain(t);
      if (!p) return { error: `${t.label} has too many values to send (${size(t.shape)})` };
      params[t.role] = p;
    }
    parameters.push(params);
    const act = activationOf(trace, l.name, i === trace.layers.length - 1);
    if (l.type === 'fc' || l.type === 'conv2d') {
      if (!act) return { error: `${l.name} has no activation your layers can take (relu, sigmoid, tanh, softmax)` };
      if (l.type === 'fc') layers.push({ type: 'fc', nOut: params.W!.shape[1]!, activation: act });
      else {
        const W = params.W!.shape;
        layers.push({ type: 'conv2d', nOut: W[3]!, kernel: [W[0]!, W[1]!], stride: Number(fwd.args.stride ?? 1), pad: padding(fwd.args.pad), activation: act });
      }
    } else if (l.type === 'pool2d') {
      layers.push({ type: 'pool2d', kernel: pair(fwd.args.kernel), stride: Number(fwd.args.stride ?? 1), pad: padding(fwd.args.pad), mode: fwd.equation.endsWith('.avg') ? 'average' : 'max' });
    } else if (l.type === 'flatten') layers.push({ type: 'flatten' });
    else return { error: `your layers have no ${l.type}` };
  }
  const first = trace.ops.find((o) => o.phase === 'forward')?.inputs.find((t) => t.role === 'X');
  const target = trace.ops.find((o) => o.phase === 'loss')?.inputs.find((t) => t.role === 'y');
  const x = first && plain(first);
  const y = target && plain(target);
  if (!x || !y) return { error: 'the trace kept no values of the mini-batch (too large)' };
  return { request: { sources, layers, parameters, x, y } };
}

const WORDS: Record<string, string> = {
  X: 'the X your layer received',
  Z: 'the Z your layer passed to activation.forward',
  Y: 'your layer’s forward(X)',
  dY: 'the dL/dY your layer’s backward received',
  dZ: 'your activation.backward(Z, dY)',
  dX: 'your layer’s backward(dL/dY)',
  dW: 'your layer’s gradients.W',
  db: 'your layer’s gradients.b',
};

/** what a traced op's output tensor is in the student's code, or null */
export function counterpart(trace: Trace, op: TraceOp, role: string): Counterpart | null {
  const at = trace.layers.findIndex((l) => l.name === op.layer);
  const last = trace.layers.length - 1;
  const eq = op.equation;
  const here = (key: string): Counterpart | null => (at >= 0 ? { kind: 'layer', layer: at, key } : null);
  if (role === 'L') return { kind: 'loss' };
  if (op.phase === 'loss' || (op.phase === 'backward' && op.layer === 'loss')) {
    if (role === 'Ŷ') return { kind: 'layer', layer: last, key: 'Y' };
    if (role === 'dZ') return { kind: 'layer', layer: last, key: 'dZ' };
    if (role === 'dŶ') return { kind: 'layer', layer: last, key: 'dY' };
    return null;
  }
  if (op.phase === 'update') {
    if (eq !== 'sgd.update' || role !== 'p' || Number(op.args.momentum ?? 0) !== 0) return null;
    const label = op.inputs.find((t) => t.role === 'p')?.label ?? '';
    const lr = Number(op.args.lr);
    if (label === 'parameters') {
      // the lean step's arena: every layer's parameters in order
      const of = trace.layers.flatMap((l, layer) => {
        const fwd = trace.ops.find((o) => o.phase === 'forward' && o.layer === l.name);
        return (fwd?.inputs ?? []).filter((t) => t.role === 'W' || t.role === 'b').map((t) => ({ layer, key: t.role }));
      });
      return { kind: 'update', of, lr };
    }
    const dot = label.lastIndexOf('.');
    const layer = trace.layers.findIndex((l) => l.name === label.slice(0, dot));
    return layer >= 0 ? { kind: 'update', of: [{ layer, key: label.slice(dot + 1) }], lr } : null;
  }
  if (role === 'dZ_below') return at > 0 ? { kind: 'layer', layer: at - 1, key: 'dZ' } : null;
  if (role === 'Ŷ') return here('Y');
  if (role === 'Y' || role === 'Z' || role === 'dZ' || role === 'dW' || role === 'db' || role === 'dX') {
    if (eq.startsWith('conv2d.forward')) return here(typeof op.args.activation === 'string' && op.args.activation !== 'linear' ? 'Y' : 'Z');
    return here(role);
  }
  return null;
}

function describe(c: Counterpart): string {
  if (c.kind === 'loss') return 'your model.backward(y, out)';
  if (c.kind === 'update') return `p − η·(your gradients.${c.of.map((o) => o.key).join(', ')}), η = ${c.lr}`;
  return WORDS[c.key] ?? c.key;
}

/** the student's (or the reference's) values for a counterpart; null when their code gave none */
function valuesOf(c: Counterpart, side: Record<string, PlainTensor>[], loss: number, op: TraceOp): { shape: number[]; data: number[] } | null {
  if (c.kind === 'loss') return { shape: [1], data: [loss] };
  if (c.kind === 'layer') return side[c.layer]?.[c.key] ?? null;
  const p = op.inputs.find((t) => t.role === 'p')?.values;
  if (!p) return null;
  const g: number[] = [];
  for (const o of c.of) {
    const d = side[o.layer]?.[`d${o.key}`];
    if (!d) return null;
    g.push(...d.data);
  }
  if (g.length !== p.length) return null;
  return { shape: [p.length], data: p.map((v, i) => v - c.lr * g[i]!) };
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

/** max |a − b| over two arrays of one length; Infinity when the lengths differ or a difference is NaN */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    m = Math.max(m, d);
  }
  return m;
}

/** the exact check, float64 on both sides: max |yours − reference| within F64_TOLERANCE */
export function exactMatch(maxDiff: number, reference: ArrayLike<number>): boolean {
  return Number.isFinite(maxDiff) && maxDiff <= F64_TOLERANCE.atol + F64_TOLERANCE.rtol * maxAbs(reference);
}

/** compares the student's values with the engine's (float32 tolerance) and with the float64 reference's (exact) */
export function compareTensor(role: string, yours: string, engine: TraceTensor, mine: readonly number[], reference: readonly number[] | null): TensorMatch {
  const e = engine.values ?? [];
  const scale = maxAbs(e);
  const firstDiffs: TensorMatch['firstDiffs'] = [];
  let maxDiff = mine.length === e.length ? 0 : Infinity;
  if (mine.length === e.length) {
    for (let i = 0; i < e.length; i++) {
      const d = Math.abs(mine[i]! - e[i]!);
      const ok = d <= F32_TOLERANCE.atol + F32_TOLERANCE.rtol * Math.abs(e[i]!) + F32_TOLERANCE.scaled * scale;
      maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
      if (!ok && firstDiffs.length < 3) firstDiffs.push({ index: unravel(i, engine.shape), yours: mine[i]!, engine: e[i]! });
    }
  }
  let maxDiff64: number | null = null;
  let exact: boolean | null = null;
  if (reference) {
    maxDiff64 = maxAbsDiff(mine, reference);
    exact = exactMatch(maxDiff64, reference);
  }
  const agree = Number.isFinite(maxDiff) && firstDiffs.length === 0;
  return { role, yours, shape: [...engine.shape], engine: [...e], mine: [...mine], reference: reference ? [...reference] : null, maxDiff, agree, maxDiff64, exact, firstDiffs };
}

/** per traced op: its outputs beside the student's tensors of the same meaning */
export function compareStep(trace: Trace, result: StepResult): OpMatch[] {
  return trace.ops.map((op) => {
    const tensors: TensorMatch[] = [];
    for (const t of op.outputs) {
      if (!t.values) continue;
      const c = counterpart(trace, op, t.role);
      if (!c) continue;
      const mine = valuesOf(c, result.yours, result.loss.yours, op);
      const ref = valuesOf(c, result.reference, result.loss.reference, op);
      // a counterpart the student's code did not produce (e.g. a layer that skips activation.backward) shows as missing
      tensors.push(compareTensor(t.role, mine ? describe(c) : `${describe(c)} — your code never produced it`, t, mine?.data ?? [], ref?.data ?? null));
    }
    const verdict = tensors.length === 0 ? null : tensors.every((m) => m.agree) ? 'agree' : 'disagree';
    return { tensors, verdict };
  });
}
