// Training with the student's own layers: their FullyConnected, activations, softmax,
// cross-entropy and model (and Conv2D and Pool2D for the CNN), on the CPU in float64,
// streaming progress. An exercise without a source is stood in for by the reference with
// the same interface; the result says which parts were the student's.
//
//   iris           4 → 16 (relu) → 3 (softmax), standardized, seeded stratified 80/20 split,
//                  SGD lr 0.1, batches of 8, 100 epochs
//   mnist-subset   the first 3000 training digits, tested on the first 500 test digits:
//                  Conv2D 8×(3×3) stride 2 'same' relu (28×28 → 14×14) → max pool 2×2
//                  stride 2 (→ 7×7×8) → flatten → FullyConnected 10 (softmax); SGD with
//                  momentum 0.9, lr 0.05 then 0.015, batches of 16, 2 epochs
//
// 'trace' runs one batch through the student's network and through the reference with the
// same parameters, and returns every layer's tensors with the largest |student − reference|.

import { loadDataset } from '../nn/data/load';
import { BatchLoader } from '../nn/data/loader';
import { count, oneHot, take, type ClassificationDataset, type Dataset } from '../nn/data/dataset';
import { loadSessionData } from '../train/data';
import { type Arr, fromStudent, toNp } from './grader/arrays';
import * as ref from './grader/reference';
import { NDArray, np } from './np';
import { loadStudentModule, mapStudentError, StudentFailure } from './sandbox';
import { maxAbsDiff } from './step-compare';
import { exerciseInfo, type ExerciseId } from './tasks';

export type StudentSources = Partial<Record<ExerciseId, string>>;
export type TrainDataset = 'iris' | 'mnist-subset';

export interface TrainRequest {
  dataset: TrainDataset;
  /** the student's code by exercise; the missing ones run the reference */
  sources: StudentSources;
  /** weights, split and batch order (default 1) */
  seed?: number;
  /** default: the run's (iris 100, mnist-subset 2) */
  epochs?: number;
}

export interface TrainProgress {
  /** optimizer steps so far */
  step: number;
  /** 1-based */
  epoch: number;
  /** mean training loss over the epoch */
  loss: number;
  /** training accuracy over the epoch */
  accuracy: number;
  /** false for the reports within an epoch (loss and accuracy so far in it) */
  endOfEpoch: boolean;
}

export interface TrainResult {
  dataset: TrainDataset;
  testAccuracy: number;
  history: TrainProgress[];
  /** which parts ran the student's code */
  parts: Partial<Record<ExerciseId, 'yours' | 'reference'>>;
  trainExamples: number;
  testExamples: number;
}

interface RunSpec {
  epochs: number;
  batchSize: number;
  lr: number;
  /** SGD momentum (0: plain SGD) */
  momentum: number;
  /** the learning rate is lr·decay^epoch (0-based epoch) */
  decay: number;
  /** also report every this many steps within an epoch (0: at epoch ends only) */
  reportEvery: number;
}

export const STUDENT_RUNS: Record<TrainDataset, RunSpec> = {
  iris: { epochs: 100, batchSize: 8, lr: 0.1, momentum: 0, decay: 1, reportEvery: 0 },
  'mnist-subset': { epochs: 2, batchSize: 16, lr: 0.05, momentum: 0.9, decay: 0.3, reportEvery: 20 },
};

export const MNIST_SUBSET = { train: 3000, test: 500 };

// ── the student's parts ────────────────────────────────────────────────────────────

type Instance = Record<string, unknown>;

/** every method call of the student's object: an exception becomes a StudentFailure at their line */
function guarded<T extends object>(obj: T, source: string, title: string): T {
  return new Proxy(obj, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof v !== 'function' || key === 'constructor') return v;
      return (...args: unknown[]) => {
        try {
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          if (e instanceof StudentFailure) throw e;
          const se = mapStudentError(e, source);
          throw new StudentFailure({ ...se, message: `${title}: ${se.message}` });
        }
      };
    },
  });
}

class Parts {
  readonly used: Partial<Record<ExerciseId, 'yours' | 'reference'>> = {};
  constructor(private readonly sources: StudentSources) {}

  /** the student's class for exercise id, or null when it has no source */
  private make(id: ExerciseId, cls: string, args: unknown[]): Instance | null {
    const source = this.sources[id];
    if (source === undefined) {
      this.used[id] = 'reference';
      return null;
    }
    const info = exerciseInfo(id)!;
    const loaded = loadStudentModule(source, info.names);
    if (loaded.error) throw new StudentFailure({ ...loaded.error, message: `${info.title}: ${loaded.error.message}` });
    this.used[id] = 'yours';
    const C = loaded.exports[cls] as unknown as new (...a: unknown[]) => Instance;
    try {
      return guarded(new C(...args), source, info.title);
    } catch (e) {
      const se = mapStudentError(e, source);
      throw new StudentFailure({ ...se, message: `${info.title}: ${se.message}` });
    }
  }

  activation(name: 'relu' | 'sigmoid' | 'tanh' | 'softmax'): ref.ReferenceActivation {
    const [id, cls] = ({ relu: ['relu', 'ReLU'], sigmoid: ['sigmoid', 'Sigmoid'], tanh: ['tanh', 'TanH'], softmax: ['softmax', 'SoftMax'] } as const)[name];
    const mine = this.make(id, cls, []);
    if (!mine) return new ref.ReferenceActivation(name);
    if (!('name' in mine)) (mine as { name?: string }).name = name;
    return mine as unknown as ref.ReferenceActivation;
  }
  fullyConnected(nOut: number, act: ref.ReferenceActivation, seed: number): ref.StudentLayer {
    return (this.make('fully-connected', 'FullyConnected', [nOut, act]) as unknown as ref.StudentLayer) ?? new ref.ReferenceFullyConnected(nOut, act, seed);
  }
  conv2d(nOut: number, kernel: [number, number], act: ref.ReferenceActivation, stride: number, pad: 'same' | 'valid' | number, seed: number): ref.StudentLayer {
    return (this.make('conv2d', 'Conv2D', [nOut, kernel, act, stride, pad]) as unknown as ref.StudentLayer) ?? new ref.ReferenceConv2D(nOut, kernel, act, stride, pad, seed);
  }
  pool2d(kernel: [number, number], mode: 'max' | 'average', stride: number, pad: 'same' | 'valid' | number): ref.StudentLayer {
    return (this.make('pool2d', 'Pool2D', [kernel, mode, stride, pad]) as unknown as ref.StudentLayer) ?? new ref.ReferencePool2D(kernel, mode, stride, pad);
  }
  loss(): ref.ReferenceCrossEntropy {
    return (this.make('cross-entropy', 'CrossEntropy', []) as unknown as ref.ReferenceCrossEntropy) ?? new ref.ReferenceCrossEntropy();
  }
  model(layers: ref.StudentLayer[], loss: ref.ReferenceCrossEntropy): ref.ReferenceModel {
    return (this.make('model', 'NeuralNetwork', [layers, loss]) as unknown as ref.ReferenceModel) ?? new ref.ReferenceModel(layers, loss);
  }
}

/** (m, H, W, C) → (m, H·W·C) and back: not an exercise */
class Flatten implements ref.StudentLayer {
  parameters = {};
  gradients = {};
  private shape: number[] = [];
  forward(X: NDArray): NDArray {
    this.shape = [...X.shape];
    return np.reshape(X, [X.shape[0]!, -1]);
  }
  backward(dLdY: NDArray): NDArray {
    return np.reshape(dLdY, this.shape);
  }
}

interface Network {
  model: ref.ReferenceModel;
  layers: ref.StudentLayer[];
  names: string[];
}

/** the two networks, as layer lists (the step-through's requests use the same kinds) */
const NETWORKS: Record<TrainDataset, { layers: StepLayer[]; names: string[] }> = {
  iris: {
    layers: [
      { type: 'fc', nOut: 16, activation: 'relu' },
      { type: 'fc', nOut: 3, activation: 'softmax' },
    ],
    names: ['fully connected 16, relu', 'fully connected 3, softmax'],
  },
  'mnist-subset': {
    layers: [
      { type: 'conv2d', nOut: 8, kernel: [3, 3], stride: 2, pad: 'same', activation: 'relu' },
      { type: 'pool2d', kernel: [2, 2], mode: 'max', stride: 2, pad: 0 },
      { type: 'flatten' },
      { type: 'fc', nOut: 10, activation: 'softmax' },
    ],
    names: ['conv 8×(3×3), stride 2, relu', 'max pool 2×2, stride 2', 'flatten', 'fully connected 10, softmax'],
  },
};

/**
 * The layers of a list, the student's where they have a source: np.random seeded with
 * `seed`, the k-th layer with parameters seeded seed + k. `activation` wraps each
 * activation object (the step-through records what passes through it).
 */
function makeLayers(
  specs: readonly StepLayer[],
  parts: Parts,
  seed: number,
  activation: (a: ref.ReferenceActivation, layer: number) => ref.ReferenceActivation = (a) => a,
): ref.StudentLayer[] {
  np.random.seed(seed);
  let k = 0;
  return specs.map((s, i) => {
    if (s.type === 'fc') return parts.fullyConnected(s.nOut, activation(parts.activation(s.activation), i), seed + k++);
    if (s.type === 'conv2d') return parts.conv2d(s.nOut, s.kernel, activation(parts.activation(s.activation), i), s.stride, s.pad, seed + k++);
    if (s.type === 'pool2d') return parts.pool2d(s.kernel, s.mode, s.stride, s.pad);
    return new Flatten();
  });
}

function buildNetwork(dataset: TrainDataset, parts: Parts, seed: number): Network {
  const layers = makeLayers(NETWORKS[dataset].layers, parts, seed);
  return { model: parts.model(layers, parts.loss()), layers, names: NETWORKS[dataset].names };
}

// ── data ───────────────────────────────────────────────────────────────────────

interface TrainData {
  train: ClassificationDataset;
  test: ClassificationDataset;
}

async function loadData(dataset: TrainDataset, seed: number): Promise<TrainData> {
  if (dataset === 'iris') {
    const d = await loadSessionData({ name: 'iris', standardize: true, testFraction: 0.2 }, seed);
    return { train: d.train as ClassificationDataset, test: d.test as ClassificationDataset };
  }
  const d = await loadDataset('mnist', { layout: 'image' });
  return { train: take(d.train, MNIST_SUBSET.train) as ClassificationDataset, test: take(d.test!, MNIST_SUBSET.test) as ClassificationDataset };
}

function features(ds: Dataset, rows?: { x: Float32Array; shape: readonly number[] }): NDArray {
  const x = rows ?? { x: ds.features, shape: ds.shape };
  return toNp({ data: Float64Array.from(x.x), shape: [...x.shape] });
}

function correct(pred: unknown, labels: ArrayLike<number>): number {
  const p = fromStudent(pred);
  if (typeof p === 'string' || p.data.length !== labels.length) {
    throw new StudentFailure({ kind: 'runtime', message: `predict(X) should return the ${labels.length} classes, shape (${labels.length},); it returned ${typeof p === 'string' ? p : `shape (${p.shape.join(', ')})`}` });
  }
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (p.data[i] === labels[i]) n++;
  return n;
}

/** SGD with momentum μ: v ← μ·v − lr·g; p ← p + v (velocities kept per layer and key) */
function sgdStep(layers: ref.StudentLayer[], velocity: Map<ref.StudentLayer, Record<string, NDArray>>, lr: number, momentum: number): void {
  for (const l of layers) {
    const v = velocity.get(l) ?? {};
    velocity.set(l, v);
    for (const key of Object.keys(l.parameters ?? {})) {
      const g = l.gradients?.[key];
      if (!g) throw new StudentFailure({ kind: 'runtime', message: `a layer has parameters.${key} but no gradients.${key} after backward` });
      const step = np.multiply(g, -lr);
      v[key] = v[key] && momentum ? np.add(np.multiply(v[key]!, momentum), step) : step;
      l.parameters[key] = np.add(l.parameters[key]!, v[key]!);
    }
  }
}

/** test accuracy of the model, in chunks of 250 */
function evaluate(model: ref.ReferenceModel, test: ClassificationDataset): number {
  const n = count(test);
  const d = test.shape.slice(1).reduce((a, b) => a * b, 1);
  let right = 0;
  for (let at = 0; at < n; at += 250) {
    const m = Math.min(250, n - at);
    const x = features(test, { x: test.features.subarray(at * d, (at + m) * d), shape: [m, ...test.shape.slice(1)] });
    right += correct(model.predict(x), test.labels.subarray(at, at + m));
  }
  return right / n;
}

export async function trainStudent(req: TrainRequest, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
  const seed = req.seed ?? 1;
  const run = STUDENT_RUNS[req.dataset];
  if (!run) throw new Error(`train: unknown data set '${String(req.dataset)}' (iris or mnist-subset)`);
  const epochs = req.epochs ?? run.epochs;
  const data = await loadData(req.dataset, seed);
  const parts = new Parts(req.sources);
  const net = buildNetwork(req.dataset, parts, seed);
  const loader = new BatchLoader(data.train, { batchSize: run.batchSize, seed });
  const history: TrainProgress[] = [];
  const velocity = new Map<ref.StudentLayer, Record<string, NDArray>>();
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let lossSum = 0;
    let right = 0;
    let seen = 0;
    for (const b of loader.epoch(epoch)) {
      const m = b.shape[0]!;
      const x = features(data.train, b);
      const y = toNp({ data: Float64Array.from(b.y), shape: [...b.yShape] });
      const out = net.model.forward(x);
      const loss = fromStudent(net.model.backward(y, out));
      if (typeof loss === 'string' || !Number.isFinite(loss.data[0])) {
        throw new StudentFailure({ kind: 'runtime', message: `the model's backward returned ${typeof loss === 'string' ? loss : loss.data[0]} as the loss at step ${step + 1}` });
      }
      sgdStep(net.layers, velocity, run.lr * run.decay ** epoch, run.momentum);
      step++;
      lossSum += loss.data[0]! * m;
      right += correct(np.argmax(out, 1), b.labels!);
      seen += m;
      if (run.reportEvery && step % run.reportEvery === 0) onProgress?.({ step, epoch: epoch + 1, loss: lossSum / seen, accuracy: right / seen, endOfEpoch: false });
    }
    const p = { step, epoch: epoch + 1, loss: lossSum / seen, accuracy: right / seen, endOfEpoch: true };
    history.push(p);
    onProgress?.(p);
  }
  return { dataset: req.dataset, testAccuracy: evaluate(net.model, data.test), history, parts: parts.used, trainExamples: count(data.train), testExamples: count(data.test) };
}

// ── the step-through ──────────────────────────────────────────────────────────────

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

/** records what a layer received and returned */
class Recorder implements ref.StudentLayer {
  seen: Record<string, Arr> = {};
  constructor(readonly inner: ref.StudentLayer) {}
  get parameters() {
    return this.inner.parameters;
  }
  get gradients() {
    return this.inner.gradients;
  }
  forward(X: NDArray): NDArray {
    const y = this.inner.forward(X);
    this.keep('X', X);
    this.keep('Y', y);
    return y;
  }
  backward(dLdY: NDArray): NDArray {
    const dx = this.inner.backward(dLdY);
    this.keep('dL/dY', dLdY);
    this.keep('dL/dX', dx);
    return dx;
  }
  private keep(key: string, v: unknown): void {
    const a = fromStudent(v);
    if (typeof a !== 'string') this.seen[key] = a;
  }
  tensors(): Record<string, Arr> {
    const out = { ...this.seen };
    for (const [k, v] of Object.entries(this.inner.parameters ?? {})) {
      const a = fromStudent(v);
      if (typeof a !== 'string') out[k] = a;
    }
    for (const [k, v] of Object.entries(this.inner.gradients ?? {})) {
      const a = fromStudent(v);
      if (typeof a !== 'string') out[`dL/d${k}`] = a;
    }
    return out;
  }
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

interface RecordedStep {
  layers: Recorder[];
  /** each layer's activation object (null for a pool or a flatten) */
  acts: (ActivationRecorder | null)[];
  loss: number;
}

/**
 * One forward and backward of a layer list on (x, y) with the student's model and loss
 * (or the reference's), every layer and activation recorded. The layers create their
 * parameters on a first forward; `parameters`, where given, then replace them.
 */
function recordedStep(
  specs: readonly StepLayer[],
  parts: Parts,
  model: 'student' | 'reference',
  seed: number,
  x: NDArray,
  y: NDArray,
  parameters?: Record<string, NDArray>[],
): RecordedStep {
  const acts: (ActivationRecorder | null)[] = specs.map(() => null);
  const inner = makeLayers(specs, parts, seed, (a, i) => (acts[i] = new ActivationRecorder(a)) as unknown as ref.ReferenceActivation);
  const layers = inner.map((l) => new Recorder(l));
  const net = model === 'student' ? parts.model(layers, parts.loss()) : new ref.ReferenceModel(layers, new ref.ReferenceCrossEntropy());
  net.forward(x);
  parameters?.forEach((p, i) => {
    for (const [k, v] of Object.entries(p)) layers[i]!.parameters[k] = v;
  });
  const L = fromStudent(net.backward(y, net.forward(x)));
  return { layers, acts, loss: typeof L === 'string' ? NaN : L.data[0]! };
}

// ── one step of a chapter's step-through, on the student's layers ─────────────────
//
// The step-through traces a step of the engine (float32, on the page's backend). Here the
// same network runs that step's mini-batch with that step's parameters on the student's
// layers and, for the exact comparison, on the float64 reference: every layer's X, Z (what
// the layer passed to activation.forward), Y, dY (what backward received), dZ (what
// activation.backward returned), dX, W, b and the gradients dW, db, and the loss.

export type StepActivation = 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export type StepLayer =
  | { type: 'fc'; nOut: number; activation: StepActivation }
  | { type: 'conv2d'; nOut: number; kernel: [number, number]; stride: number; pad: 'same' | 'valid' | number; activation: StepActivation }
  | { type: 'pool2d'; kernel: [number, number]; stride: number; pad: 'same' | 'valid' | number; mode: 'max' | 'average' }
  | { type: 'flatten' };

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

/** an activation object that keeps what its layer gave it and got back (Z in the forward, dZ in the backward) */
class ActivationRecorder {
  seen: Record<string, Arr> = {};
  constructor(readonly inner: ref.ReferenceActivation) {}
  get name(): string {
    return this.inner.name;
  }
  forward(Z: NDArray): NDArray {
    const y = this.inner.forward(Z);
    const z = fromStudent(Z);
    if (typeof z !== 'string') this.seen.Z = z;
    return y;
  }
  backward(Z: NDArray, dY: NDArray): NDArray {
    const dz = this.inner.backward(Z, dY);
    const a = fromStudent(dz);
    if (typeof a !== 'string') this.seen.dZ = a;
    return dz;
  }
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
