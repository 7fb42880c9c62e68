// Training with the student's own layers: their FullyConnected, activations, softmax,
// cross-entropy and model (and Conv2D and Pool2D for the CNN), on the CPU in float64,
// streaming progress. An exercise without a source is stood in for by the reference with
// the same interface; the result says which parts were the student's. The two networks
// and their data are student-network.ts's:
//
//   iris           SGD lr 0.1, batches of 8, 100 epochs
//   mnist-subset   SGD with momentum 0.9, lr 0.05 then 0.015, batches of 16, 2 epochs

import { BatchLoader } from '../nn/data/loader';
import { count, type ClassificationDataset } from '../nn/data/dataset';
import { fromStudent, toNp } from './grader/arrays';
import * as ref from './grader/reference';
import { NDArray, np } from './np';
import { StudentFailure } from './sandbox';
import { features, loadData, makeLayers, NETWORKS, Parts, type StudentSources, type TrainDataset } from './student-network';
import type { ExerciseId } from './tasks';

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

interface Network {
  model: ref.ReferenceModel;
  layers: ref.StudentLayer[];
  names: string[];
}

function buildNetwork(dataset: TrainDataset, parts: Parts, seed: number): Network {
  const layers = makeLayers(NETWORKS[dataset].layers, parts, seed);
  return { model: parts.model(layers, parts.loss()), layers, names: NETWORKS[dataset].names };
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
