// What the page reads from the training worker's session beyond its metrics: the trained
// parameters, the test images, and the model's predictions on the test set (the protocol's
// snapshot, testSet and predictTest requests, answered by handler.ts with these):
//
//   snapshot     the session's model: configuration and parameters after `step` updates
//   testSet      the session's test split as bytes
//   predictTest  softmax outputs of the session's model on every test image, in chunks of
//                `chunk` rows (one forward and one read each), progress after each chunk
//
// Each forward is recorded synchronously, so a pass started while the loop is paused
// cannot interleave with a training step's forward and backward.

import type { NormalizedModelConfig } from '../nn/model';
import type { ClassificationDataset } from '../nn/data/dataset';
import type { TrainingSession } from './session';

/** a parameter tensor: float64 values (exact for both backends), row-major */
export interface SnapshotTensor {
  shape: number[];
  data: Float64Array;
}

/**
 * The session's model as it is now: its configuration and input shape (to rebuild the
 * architecture) and every layer's parameters, as typed arrays that travel without copying.
 */
export interface ModelSnapshot {
  /** the session's run (restarts count up) and updates done when the parameters were read */
  run: number;
  step: number;
  config: NormalizedModelConfig;
  /** per example, e.g. [28, 28, 1] */
  inputShape: number[];
  layers: { name: string; type: string; parameters: Record<string, SnapshotTensor> }[];
}

/** the session's test split, pixels as bytes (value · 255, exact for MNIST) */
export interface TestSet {
  count: number;
  height: number;
  width: number;
  /** (count, height, width) row-major, 0 … 255 */
  images: Uint8Array;
  /** (count) class indices */
  labels: Uint8Array;
  classNames: string[];
}

/** the model's outputs on every test image */
export interface TestPredictions {
  run: number;
  step: number;
  count: number;
  classes: number;
  /** (count) true class */
  labels: Uint8Array;
  /** (count) arg-max of the probabilities (the first on ties) */
  predicted: Uint8Array;
  /** (count, classes) softmax outputs */
  probs: Float32Array;
  /** wall time of the pass, ms */
  ms: number;
}

/** rows per forward pass of predictTest when the request does not say */
export const PREDICT_CHUNK = 500;

function testSplit(s: TrainingSession): ClassificationDataset {
  const t = s.data.test;
  if (!t) throw new Error('this session has no test split');
  if (t.task !== 'classification') throw new Error(`the test split of ${t.name} is not a classification set`);
  return t;
}

export async function snapshotModel(s: TrainingSession): Promise<ModelSnapshot> {
  const { run, step } = s.snapshot();
  const model = s.model;
  const params = await model.readParameters();
  return {
    run,
    step,
    config: model.config,
    inputShape: [...model.sampleShape!],
    layers: model.layers.map((l, i) => ({ name: l.name, type: l.type, parameters: params[i]! })),
  };
}

/** the test split as bytes: pixel = round(value · 255) (MNIST's values are k/255) */
export function testSetOf(s: TrainingSession): TestSet {
  const t = testSplit(s);
  const [count, height, width] = [t.shape[0]!, t.shape[1]!, t.shape[2] ?? 1];
  const px = t.features;
  const images = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i++) images[i] = Math.round(Math.min(1, Math.max(0, px[i]!)) * 255);
  return { count, height, width, images, labels: Uint8Array.from(t.labels), classNames: [...t.classNames] };
}

/** softmax outputs and arg-max of the session's model on every test image */
export async function predictTest(s: TrainingSession, chunk: number, onProgress?: (done: number, total: number) => void): Promise<TestPredictions> {
  if (s.status === 'running') throw new Error('pause the training before predicting the test set');
  const t = testSplit(s);
  const b = s.backend;
  const model = s.model;
  const { run, step } = s.snapshot();
  const n = t.shape[0]!;
  const d = t.features.length / n;
  const k = t.numClasses;
  const probs = new Float32Array(n * k);
  const predicted = new Uint8Array(n);
  const t0 = performance.now();
  try {
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const x = b.fromArray(t.features.subarray(start * d, (start + m) * d), [m, ...t.shape.slice(1)], 'test images');
      const p = model.predict(x); // (m, k)
      b.dispose(x);
      let host: Float32Array | Float64Array;
      try {
        host = await b.read(p);
      } finally {
        b.dispose(p);
      }
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let c = 0; c < k; c++) {
          const v = host[i * k + c]!;
          probs[(start + i) * k + c] = v;
          if (v > host[i * k + best]!) best = c;
        }
        predicted[start + i] = best;
      }
      onProgress?.(start + m, n);
    }
  } finally {
    model.clearCaches();
  }
  return { run, step, count: n, classes: k, labels: Uint8Array.from(t.labels), predicted, probs, ms: performance.now() - t0 };
}

/** the buffers a snapshot's arrays own whole, to transfer rather than copy (a shared one is copied) */
export function snapshotBuffers(snap: ModelSnapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const l of snap.layers)
    for (const t of Object.values(l.parameters)) {
      const buf = t.data.buffer as ArrayBuffer;
      if (t.data.byteOffset === 0 && buf.byteLength === t.data.byteLength) out.add(buf);
    }
  return [...out];
}
