// The worker's side of chapter 5's extra requests (inspect-protocol.ts), answered from
// the training session the worker holds:
//
//   snapshot     the session's model: configuration and parameters after `step` updates
//   testSet      the session's test split as bytes
//   predictTest  softmax outputs of the session's model on every test image, in chunks of
//                `chunk` rows (one forward and one read each), progress after each chunk
//
// Each forward is recorded synchronously, so a pass started while the loop is paused
// cannot interleave with a training step's forward and backward.

import type { ClassificationDataset } from '../../../nn/data/dataset';
import type { TrainingSession } from '../../../train/session';
import {
  INSPECT_CHANNEL,
  type InspectMessage,
  type InspectOp,
  type InspectRequest,
  type InspectValues,
  type ModelSnapshot,
  type TestPredictions,
  type TestSet,
} from './inspect-protocol';

export interface InspectorEnv {
  /** the session the worker holds now (null before the first init) */
  session(): TrainingSession | null;
  post(msg: InspectMessage, transfer?: Transferable[]): void;
  /** rows per forward pass of predictTest (default 500) */
  chunk?: number;
}

function testSplit(s: TrainingSession): ClassificationDataset {
  const t = s.data.test;
  if (!t) throw new Error('this session has no test split');
  if (t.task !== 'classification') throw new Error(`the test split of ${t.name} is not a classification set`);
  return t;
}

function need(env: InspectorEnv): TrainingSession {
  const s = env.session();
  if (!s) throw new Error('no training session: send init first');
  return s;
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

/** the buffers a snapshot's arrays own whole, to transfer rather than copy (a shared one is copied) */
function buffersOf(snap: ModelSnapshot): Transferable[] {
  const out = new Set<ArrayBuffer>();
  for (const l of snap.layers)
    for (const t of Object.values(l.parameters)) {
      const buf = t.data.buffer as ArrayBuffer;
      if (t.data.byteOffset === 0 && buf.byteLength === t.data.byteLength) out.add(buf);
    }
  return [...out];
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

export function createInspector(env: InspectorEnv): (req: InspectRequest) => Promise<void> {
  const chunk = env.chunk ?? 500;
  async function run(req: InspectRequest): Promise<{ value: InspectValues[InspectOp]; transfer: Transferable[] }> {
    const s = need(env);
    switch (req.op) {
      case 'snapshot': {
        const v = await snapshotModel(s);
        return { value: v, transfer: buffersOf(v) };
      }
      case 'testSet': {
        const v = testSetOf(s);
        return { value: v, transfer: [v.images.buffer, v.labels.buffer] };
      }
      case 'predictTest': {
        const v = await predictTest(s, chunk, (done, total) =>
          env.post({ channel: INSPECT_CHANNEL, type: 'inspect-progress', id: req.id, done, total }),
        );
        return { value: v, transfer: [v.labels.buffer, v.predicted.buffer, v.probs.buffer] };
      }
      default:
        throw new Error(`unknown inspect op '${(req as { op?: unknown }).op}'; known: snapshot, testSet, predictTest`);
    }
  }
  return async (req) => {
    try {
      const { value, transfer } = await run(req);
      env.post({ channel: INSPECT_CHANNEL, type: 'inspect-reply', id: req.id, ok: true, value }, transfer);
    } catch (e) {
      env.post({ channel: INSPECT_CHANNEL, type: 'inspect-reply', id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
