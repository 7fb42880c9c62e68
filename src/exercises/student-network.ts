// The student's networks: their layers where they have written them (the reference with the
// same interface where not), built from a layer list, the data they train on, and one
// forward and backward of such a list with every layer and activation recorded. Training
// (train-student.ts) and the trace and step-through (trace-student.ts) build on these.
//
//   iris           4 → 16 (relu) → 3 (softmax), standardized, seeded stratified 80/20 split
//   mnist-subset   the first 3000 training digits, tested on the first 500 test digits:
//                  Conv2D 8×(3×3) stride 2 'same' relu (28×28 → 14×14) → max pool 2×2
//                  stride 2 (→ 7×7×8) → flatten → FullyConnected 10 (softmax)

import { loadDataset } from '../nn/data/load';
import { take, type ClassificationDataset, type Dataset } from '../nn/data/dataset';
import { loadSessionData } from '../train/data';
import { type Arr, fromStudent, toNp } from './grader/arrays';
import * as ref from './grader/reference';
import { NDArray, np } from './np';
import { loadStudentModule, mapStudentError, StudentFailure } from './sandbox';
import { exerciseInfo, type ExerciseId } from './tasks';

export type StudentSources = Partial<Record<ExerciseId, string>>;
export type TrainDataset = 'iris' | 'mnist-subset';

/** a layer of a network as NETWORKS lists it and a step-through's request sends it */
export type StepActivation = 'relu' | 'sigmoid' | 'tanh' | 'softmax';

export type StepLayer =
  | { type: 'fc'; nOut: number; activation: StepActivation }
  | { type: 'conv2d'; nOut: number; kernel: [number, number]; stride: number; pad: 'same' | 'valid' | number; activation: StepActivation }
  | { type: 'pool2d'; kernel: [number, number]; stride: number; pad: 'same' | 'valid' | number; mode: 'max' | 'average' }
  | { type: 'flatten' };

/** the MNIST subset the small CNN trains and is tested on */
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

export class Parts {
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

/** the two networks, as layer lists (the step-through's requests use the same kinds) */
export const NETWORKS: Record<TrainDataset, { layers: StepLayer[]; names: string[] }> = {
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
export function makeLayers(
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

// ── data ───────────────────────────────────────────────────────────────────────────

export interface TrainData {
  train: ClassificationDataset;
  test: ClassificationDataset;
}

export async function loadData(dataset: TrainDataset, seed: number): Promise<TrainData> {
  if (dataset === 'iris') {
    const d = await loadSessionData({ name: 'iris', standardize: true, testFraction: 0.2 }, seed);
    return { train: d.train as ClassificationDataset, test: d.test as ClassificationDataset };
  }
  const d = await loadDataset('mnist', { layout: 'image' });
  return { train: take(d.train, MNIST_SUBSET.train) as ClassificationDataset, test: take(d.test!, MNIST_SUBSET.test) as ClassificationDataset };
}

export function features(ds: Dataset, rows?: { x: Float32Array; shape: readonly number[] }): NDArray {
  const x = rows ?? { x: ds.features, shape: ds.shape };
  return toNp({ data: Float64Array.from(x.x), shape: [...x.shape] });
}

export class Recorder implements ref.StudentLayer {
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

export class ActivationRecorder {
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

export interface RecordedStep {
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
export function recordedStep(
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
