// The student's layers beside the float64 reference on the same inputs and parameters.
//
// trace  one batch through the student's network and through the reference, every
//        layer's tensors with the largest |student − reference| (the exercises' chapter).
// step   one step of a chapter's step-through (its batch, its parameters) on the student's
//        layers and on the reference, every layer's tensors from both (below).

import { count, oneHot } from '../nn/data/dataset';
import { type Arr, fromStudent, toNp } from './grader/arrays';
import type { NDArray } from './np';
import { maxAbsDiff } from './step-compare';
import { features, loadData, NETWORKS, Parts, recordedStep, type RecordedStep, type StepLayer, type StudentSources, type TrainDataset } from './student-network';
import type { ExerciseId } from './tasks';

export interface TraceRequest {
  dataset: TrainDataset;
  sources: StudentSources;
  seed?: number;
  /** examples in the batch (default 4) */
  batch?: number;
}

export interface TracedTensor {
  shape: number[];
  /** the student's values */
  data: number[];
  /** the reference's values for the same inputs and parameters */
  reference: number[];
  /** max |student − reference| (Infinity when the shapes differ) */
  maxAbsDiff: number;
}

export interface TracedLayer {
  name: string;
  /** X (input), Y (output), dL/dY (what backward received), dL/dX (what it returned), and each parameter and gradient */
  tensors: Record<string, TracedTensor>;
}

export interface TraceResult {
  dataset: TrainDataset;
  loss: { yours: number; reference: number };
  layers: TracedLayer[];
  parts: Partial<Record<ExerciseId, 'yours' | 'reference'>>;
}


function diff(a: Arr, b: Arr | undefined): TracedTensor {
  const same = b !== undefined && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  return { shape: a.shape, data: Array.from(a.data), reference: b ? Array.from(b.data) : [], maxAbsDiff: same ? maxAbsDiff(a.data, b.data) : Infinity };
}

export async function traceStudent(req: TraceRequest): Promise<TraceResult> {
  const seed = req.seed ?? 1;
  const data = await loadData(req.dataset, seed);
  const m = Math.min(req.batch ?? 4, count(data.train));
  const d = data.train.shape.slice(1).reduce((a, b) => a * b, 1);
  const x = features(data.train, { x: data.train.features.subarray(0, m * d), shape: [m, ...data.train.shape.slice(1)] });
  const y = toNp({ data: Float64Array.from(oneHot(data.train.labels.subarray(0, m), data.train.numClasses)), shape: [m, data.train.numClasses] });
  const { layers: specs, names } = NETWORKS[req.dataset];

  // the student's layers with the parameters they create; the reference with a copy of those
  const parts = new Parts(req.sources);
  const mine = recordedStep(specs, parts, 'student', seed, x, y);
  const copies = mine.layers.map((r) => {
    const out: Record<string, NDArray> = {};
    for (const [k, v] of Object.entries(r.parameters ?? {})) {
      const a = fromStudent(v);
      if (typeof a !== 'string') out[k] = toNp(a);
    }
    return out;
  });
  const reference = recordedStep(specs, new Parts({}), 'reference', seed, x, y, copies);
  const layers = mine.layers.map((r, i) => {
    const want = reference.layers[i]!.tensors();
    const tensors: Record<string, TracedTensor> = {};
    for (const [k, a] of Object.entries(r.tensors())) tensors[k] = diff(a, want[k]);
    return { name: names[i]!, tensors };
  });
  return { dataset: req.dataset, loss: { yours: mine.loss, reference: reference.loss }, layers, parts: parts.used };
}

// ── step: one step of a chapter's step-through, on the student's layers ──────────
//
// The step-through traces a step of the engine (float32, on the page's backend). Here the
// same network runs that step's mini-batch with that step's parameters on the student's
// layers and, for the exact comparison, on the float64 reference: every layer's X, Z (what
// the layer passed to activation.forward), Y, dY (what backward received), dZ (what
// activation.backward returned), dX, W, b and the gradients dW, db, and the loss.

/** a row-major array as it crosses to and from the worker */
export interface PlainTensor {
  shape: number[];
  data: number[];
}

export interface StepRequest {
  sources: StudentSources;
  layers: StepLayer[];
  /** each layer's parameters by key (W, b), as the traced step had them before its update */
  parameters: Record<string, PlainTensor>[];
  /** the mini-batch (m, …) */
  x: PlainTensor;
  /** its one-hot targets (m, classes) */
  y: PlainTensor;
}

export interface StepResult {
  /** per layer: X, Z, Y, dY, dZ, dX, W, b, dW, db (those the layer has) from the student's code */
  yours: Record<string, PlainTensor>[];
  /** the same from the float64 reference on the same inputs and parameters */
  reference: Record<string, PlainTensor>[];
  loss: { yours: number; reference: number };
  parts: Partial<Record<ExerciseId, 'yours' | 'reference'>>;
}


const STEP_KEYS: Record<string, string> = { 'dL/dY': 'dY', 'dL/dX': 'dX', 'dL/dW': 'dW', 'dL/db': 'db' };

/** a recorded step's tensors as they cross back to the page: X, Z, Y, dY, dZ, dX, W, b, dW, db per layer */
function stepTensors(r: RecordedStep): Record<string, PlainTensor>[] {
  return r.layers.map((l, i) => {
    const all = { ...l.tensors(), ...(r.acts[i]?.seen ?? {}) };
    return Object.fromEntries(Object.entries(all).map(([k, a]) => [STEP_KEYS[k] ?? k, { shape: a.shape, data: Array.from(a.data) }]));
  });
}

export function stepStudent(req: StepRequest): StepResult {
  // each side its own copy of the batch and the parameters (a layer may change arrays in place)
  const plain = (t: PlainTensor) => toNp({ data: Float64Array.from(t.data), shape: t.shape });
  const params = () => req.parameters.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, plain(v)])));
  const parts = new Parts(req.sources);
  const yours = recordedStep(req.layers, parts, 'student', 1, plain(req.x), plain(req.y), params());
  const reference = recordedStep(req.layers, new Parts({}), 'reference', 1, plain(req.x), plain(req.y), params());
  return { yours: stepTensors(yours), reference: stepTensors(reference), loss: { yours: yours.loss, reference: reference.loss }, parts: parts.used };
}
