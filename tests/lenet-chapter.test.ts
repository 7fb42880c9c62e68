// Chapter 5's pieces outside the browser: the MNIST-style scaling of a drawing, the
// confusion matrix counts and the list of mistakes, the chapter's session settings, and
// the training worker's inspection requests (parameters, test images, test predictions)
// answered from a real TrainingSession on the CPU reference, checked against the model
// run directly, and through the worker's message handler.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { Rng } from '../src/engine/random';
import type { ClassificationDataset } from '../src/nn/data/dataset';
import { mistakesOf } from '../src/notebook/chapters/lenet/MistakesCell';
import { inkStats, MNIST_BOX, MNIST_SIDE, mnistify } from '../src/notebook/chapters/lenet/mnistify';
import { PageModel } from '../src/notebook/chapters/lenet/page-model';
import { lenetConfig, DEFAULTS, DEFAULT_EXAMPLES, DEFAULT_TEST_IMAGES, EXAMPLE_CHOICES, fasterOnSoftware, trainingBackend } from '../src/notebook/chapters/lenet/settings';
import { EXPERIMENTS } from '../src/train/experiments';
import { createMessageHandler } from '../src/train/handler';
import { predictTest, snapshotModel, testSetOf } from '../src/train/inspect';
import { collectingSink } from '../src/train/metrics';
import type { Request, SessionConfig, WorkerMessage } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { confusionCounts } from '../src/ui/ConfusionMatrix';
import { expectClose } from './helpers/check';

/** an (h, w) drawing with the rectangle rows y0…y1−1, columns x0…x1−1 set to v */
function rect(h: number, w: number, y0: number, y1: number, x0: number, x1: number, v = 1): Float32Array {
  const a = new Float32Array(h * w);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) a[y * w + x] = v;
  return a;
}

function inkBox(img: Float32Array, side: number, threshold = 0.5) {
  return inkStats(img, side, side, threshold)!;
}

describe('mnistify: a drawing as MNIST would have it', () => {
  it('scales the longer side of the ink to 20 pixels and centres the mass at (14, 14)', () => {
    // a 100 × 50 bar in the top-left corner of a 280 × 280 pad: s = 20/100
    const ink = rect(280, 280, 10, 110, 20, 70);
    const out = mnistify(ink, 280, 280)!;
    expect(out.length).toBe(MNIST_SIDE * MNIST_SIDE);
    const st = inkStats(out, MNIST_SIDE, MNIST_SIDE, 0)!;
    expectClose([st.cx, st.cy], [14, 14], { atol: 1e-9, rtol: 0, label: 'centre of mass' });
    const box = inkBox(out, MNIST_SIDE);
    expect(box.y1 - box.y0).toBe(MNIST_BOX);
    expect(box.x1 - box.x0).toBe(MNIST_BOX / 2);
    // the box filter keeps the mean: Σ out = s² Σ ink
    const s = MNIST_BOX / 100;
    expectClose([out.reduce((a, b) => a + b, 0)], [s * s * 100 * 50], { atol: 1e-3, rtol: 1e-6, label: 'mass' });
    expect(Math.max(...out)).toBeCloseTo(1, 6);
  });

  it('anti-aliases: an edge that falls between output pixels gives fractional values', () => {
    // an L: a 30 × 30 square with a 7 × 7 block on its right; the centre of mass is off the
    // box's centre, so after centring the box's edges do not land on pixel borders
    const ink = rect(100, 100, 10, 40, 10, 40);
    for (let y = 10; y < 17; y++) for (let x = 40; x < 47; x++) ink[y * 100 + x] = 1;
    const out = mnistify(ink, 100, 100)!;
    const partial = Array.from(out).filter((v) => v > 0.01 && v < 0.99);
    expect(partial.length).toBeGreaterThan(0);
    for (const v of out) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('moves a digit drawn off-centre to the same image as one drawn in the middle', () => {
    const a = mnistify(rect(280, 280, 20, 220, 20, 60), 280, 280)!;
    const b = mnistify(rect(280, 280, 60, 260, 200, 240), 280, 280)!;
    expectClose(a, b, { atol: 1e-6, rtol: 0, label: 'translated drawing' });
  });

  it('returns null for an empty pad and refuses a wrong size', () => {
    expect(mnistify(new Float32Array(64), 8, 8)).toBeNull();
    expect(() => mnistify(new Float32Array(10), 8, 8)).toThrow(/10 values for a 8 × 8 drawing/);
  });
});

describe('confusion matrix and mistakes', () => {
  it('counts (true, predicted) pairs; the counts add up to the examples', () => {
    const labels = [0, 1, 2, 2, 1, 0, 2];
    const predicted = [0, 2, 2, 1, 1, 0, 2];
    const m = confusionCounts(labels, predicted, 3);
    expect(Array.from(m)).toEqual([2, 0, 0, 0, 1, 1, 0, 1, 2]);
    expect(m.reduce((a, b) => a + b, 0)).toBe(labels.length);
    expect(() => confusionCounts([0, 3], [0, 0], 3)).toThrow(/example 1 has class 3 → 0, outside 0…2/);
    expect(() => confusionCounts([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
  });

  it('lists the mistakes, most confident first', () => {
    const probs = Float32Array.from([0.9, 0.1, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4]);
    const p = { labels: Uint8Array.from([0, 0, 0, 1]), predicted: Uint8Array.from([0, 1, 1, 0]), probs, classes: 2 };
    expect(mistakesOf(p).map((m) => [m.index, m.truth, m.predicted])).toEqual([
      [2, 0, 1],
      [1, 0, 1],
      [3, 1, 0],
    ]);
  });
});

describe('the chapter session', () => {
  it("is the course's LeNet experiment with the chosen settings and no validation split", () => {
    const full = lenetConfig({ ...DEFAULTS, examples: 0, testImages: 0 });
    expect(full.model.layers).toEqual(EXPERIMENTS['mnist-lenet'].config.model.layers);
    expect(full.dataset).toEqual({ name: 'mnist', layout: 'image' });
    expect(full.batchSize).toBe(64);
    expect(full.lossEvery).toBe(9); // ⌈60 000 / 64⌉ = 938 steps, ~100 loss points
    const quick = lenetConfig({ ...DEFAULTS, lr: 0.01, batchSize: 50, examples: 100, testImages: 100, seed: 3 });
    expect(quick.dataset).toEqual({ name: 'mnist', layout: 'image', trainLimit: 100, testLimit: 100 });
    expect(quick.model.optimizer).toEqual({ type: 'adam', lr: 0.01 });
    expect(quick.lossEvery).toBe(1);
    expect(quick.seed).toBe(3);
  });

  it('starts with a short epoch on a test subset, the full epoch one setting away', () => {
    expect(lenetConfig({ ...DEFAULTS }).dataset).toEqual({ name: 'mnist', layout: 'image', trainLimit: DEFAULT_EXAMPLES, testLimit: DEFAULT_TEST_IMAGES });
    expect(EXAMPLE_CHOICES).toContain(0);
  });

  it('trains on the faster backend on a software adapter unless the other is asked for; on WebGPU on hardware', () => {
    const swift = { kind: 'webgpu' as const, deviceName: 'SwiftShader driver 5.0.0 / google / swiftshader / swiftshader-device-subzero' };
    // the faster of the two as measured decides
    expect(trainingBackend(swift, 'auto', { webgpu: 3, cpu: 1 })).toEqual({ prefer: 'webgpu', software: 'SwiftShader' });
    expect(trainingBackend(swift, 'auto', { webgpu: 1, cpu: 2.7 })).toEqual({ prefer: 'cpu', software: 'SwiftShader' });
    expect(fasterOnSoftware({ webgpu: 1, cpu: 2.7 })).toEqual({ faster: 'cpu', slower: 'webgpu', ratio: 2.7 });
    expect(trainingBackend(swift, 'auto')).toEqual({ prefer: fasterOnSoftware().faster, software: 'SwiftShader' });
    // asked for, either one runs
    expect(trainingBackend(swift, 'cpu', { webgpu: 3, cpu: 1 })).toEqual({ prefer: 'cpu', software: 'SwiftShader' });
    expect(trainingBackend(swift, 'webgpu', { webgpu: 1, cpu: 3 })).toEqual({ prefer: 'webgpu', software: 'SwiftShader' });
    expect(trainingBackend({ kind: 'webgpu', deviceName: 'NVIDIA GeForce RTX 3060' }, 'auto', { webgpu: 1, cpu: 3 })).toEqual({ prefer: 'webgpu', software: null });
    // no WebGPU on the page: the worker's request falls back by itself
    expect(trainingBackend({ kind: 'cpu', deviceName: 'float64 CPU reference' }, 'auto')).toEqual({ prefer: 'webgpu', software: null });
  });
});

// ── the worker's inspect requests, on a real session ────────────────────────────

/** n (8, 8, 1) images in 3 classes: a bright row, column or diagonal, with noise */
function images(n: number, seed: number, part: string): ClassificationDataset {
  const rng = new Rng(seed);
  const features = new Float32Array(n * 64);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    labels[i] = k;
    const at = rng.int(8);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const on = k === 0 ? y === at : k === 1 ? x === at : x === y;
        // values k/255 like MNIST's bytes
        features[i * 64 + y * 8 + x] = Math.round(255 * Math.min(1, (on ? 0.8 : 0) + 0.2 * rng.uniform())) / 255;
      }
  }
  return {
    task: 'classification',
    name: 'lines',
    split: `${part}: ${n} examples`,
    source: 'made in the test',
    shape: [n, 8, 8, 1],
    features,
    labels,
    numClasses: 3,
    classNames: ['row', 'column', 'diagonal'],
    notes: [],
  };
}

const config: SessionConfig = {
  dataset: { name: 'mnist', layout: 'image' },
  model: {
    layers: [
      { type: 'conv2d', nOut: 3, kernel: 3, pad: 'same', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
      { type: 'conv2d', nOut: 4, kernel: 3, pad: 'valid', activation: 'relu' },
      { type: 'flatten' },
      { type: 'fc', nOut: 3, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'adam', lr: 0.01 },
  },
  batchSize: 10,
  epochs: 1,
  seed: 5,
  lossEvery: 1,
};

async function trainedSession(): Promise<TrainingSession> {
  const backend = createCpuBackend();
  const { sink } = collectingSink();
  const s = await TrainingSession.create(backend, config, sink, { data: { train: images(60, 1, 'train'), validation: null, test: images(23, 2, 'test') } });
  await s.runToEnd();
  expect(s.status).toBe('done');
  return s;
}

describe('inspect requests answered from a session', () => {
  it('predictTest equals the model run directly, in any chunk size; the snapshot reloads the same model', async () => {
    const s = await trainedSession();
    const b = s.backend;
    const test = s.data.test as ClassificationDataset;
    const x = b.fromArray(test.features, [23, 8, 8, 1]);
    const ref = await b.read(s.model.predict(x));
    const progress: [number, number][] = [];
    const p = await predictTest(s, 10, (d, t) => progress.push([d, t]));
    expect(progress).toEqual([
      [10, 23],
      [20, 23],
      [23, 23],
    ]);
    expect(p.count).toBe(23);
    expect(p.step).toBe(6);
    expectClose(p.probs, ref, { atol: 1e-6, rtol: 1e-6, label: 'test probabilities' });
    for (let i = 0; i < 23; i++) {
      const row = Array.from(ref.subarray(i * 3, i * 3 + 3));
      expect(p.predicted[i]).toBe(row.indexOf(Math.max(...row)));
    }
    expect(Array.from(p.labels)).toEqual(Array.from(test.labels));
    // the model learned something on this easy set, so the counts are not trivial
    const correct = p.labels.reduce((a, t, i) => a + (t === p.predicted[i] ? 1 : 0), 0);
    expect(correct).toBeGreaterThan(23 / 3);

    const snap = await snapshotModel(s);
    expect(snap.step).toBe(6);
    expect(snap.inputShape).toEqual([8, 8, 1]);
    expect(snap.layers.map((l) => Object.keys(l.parameters).sort().join())).toEqual(['W,b', '', 'W,b', '', 'W,b']);
    expect(snap.layers[0]!.parameters.W!.shape).toEqual([3, 3, 1, 3]);
    const saved = await s.model.readParameters();
    expectClose(snap.layers[4]!.parameters.W!.data, saved[4]!.W!.data, { atol: 0, rtol: 0, label: 'snapshot W' });

    // the page's model from the snapshot: per conv layer its ReLU output, and the probabilities of one image
    const pm = new PageModel(createCpuBackend());
    await pm.load(snap);
    const r = await pm.infer(test.features.slice(64 * 4, 64 * 5));
    expect(r.maps.map((m) => [m.index, m.out.shape])).toEqual([
      [0, [1, 8, 8, 3]],
      [2, [1, 2, 2, 4]],
    ]);
    expect(Math.min(...r.maps[0]!.out.data)).toBeGreaterThanOrEqual(0);
    expectClose(r.probs, ref.subarray(12, 15), { atol: 1e-12, rtol: 0, label: 'page model probabilities' });
    expect(r.predicted).toBe(p.predicted[4]);
    // every test image through the page's model gives the worker's probabilities
    for (let i = 0; i < 23; i++) {
      const ri = await pm.infer(test.features.slice(64 * i, 64 * (i + 1)));
      expectClose(ri.probs, ref.subarray(3 * i, 3 * i + 3), { atol: 1e-12, rtol: 0, label: `page model, image ${i}` });
    }
    // a later snapshot goes into the same model
    await s.setEpochs(2);
    await s.runToEnd();
    const later = await snapshotModel(s);
    expect(later.step).toBe(12);
    await pm.load(later);
    const ref2 = await b.read(s.model.predict(x));
    expectClose((await pm.infer(test.features.slice(0, 64))).probs, ref2.subarray(0, 3), { atol: 1e-12, rtol: 0, label: 'after a second epoch' });
    await expect(pm.infer(new Float32Array(10))).rejects.toThrow(/takes 8 × 8 × 1 = 64 values per image, got 10/);
  });

  it('testSet sends the pixels as the bytes they came from', async () => {
    const s = await trainedSession();
    const t = testSetOf(s);
    const test = s.data.test as ClassificationDataset;
    expect([t.count, t.height, t.width]).toEqual([23, 8, 8]);
    expect(Array.from(t.images)).toEqual(Array.from(test.features, (v) => Math.round(v * 255)));
    expectClose(Array.from(t.images, (v) => v / 255), test.features, { atol: 1e-7, rtol: 0, label: 'bytes / 255' });
    expect(t.classNames).toEqual(['row', 'column', 'diagonal']);
  });

  it("the training worker's handler answers snapshot, testSet and predictTest, with progress and transfers", async () => {
    const posted: { msg: WorkerMessage; transfer: Transferable[] }[] = [];
    const trained = await trainedSession();
    const handle = createMessageHandler({
      post: (msg, transfer) => posted.push({ msg, transfer: transfer ?? [] }),
      createBackend: async () => ({ backend: trained.backend, fallbackReason: null }),
      loadData: async () => trained.data,
    });
    const last = () => posted[posted.length - 1]!;
    await handle({ id: 1, type: 'snapshot' });
    expect(last().msg).toEqual({ type: 'reply', id: 1, ok: false, error: 'no training session: send init first' });
    await handle({ id: 2, type: 'init', config, prefer: 'cpu' });
    expect(last().msg).toMatchObject({ type: 'reply', id: 2, ok: true });
    await handle({ id: 3, type: 'step', count: 2 });
    posted.length = 0;
    await handle({ id: 4, type: 'predictTest', chunk: 8 });
    const reply = last();
    expect(reply.msg).toMatchObject({ type: 'reply', id: 4, ok: true, value: { count: 23, classes: 3, step: 2 } });
    expect(reply.transfer).toHaveLength(3);
    expect(posted.slice(0, -1).map((p) => p.msg)).toEqual([
      { type: 'predict-progress', id: 4, done: 8, total: 23 },
      { type: 'predict-progress', id: 4, done: 16, total: 23 },
      { type: 'predict-progress', id: 4, done: 23, total: 23 },
    ]);
    await handle({ id: 5, type: 'snapshot' });
    expect(last().msg).toMatchObject({ type: 'reply', id: 5, ok: true, value: { step: 2, inputShape: [8, 8, 1] } });
    expect(last().transfer).toHaveLength(6); // W and b of three layers
    await handle({ id: 6, type: 'testSet' });
    expect(last().msg).toMatchObject({ type: 'reply', id: 6, ok: true, value: { count: 23, height: 8, width: 8 } });
    // parseRequest checks the new kinds like the others
    await handle({ id: 7, type: 'predictTest', chunk: 0 } as Request);
    expect(last().msg).toEqual({ type: 'reply', id: 7, ok: false, error: 'predictTest request: chunk must be a positive integer, got 0' });
    expect(last().transfer).toEqual([]);
  });
});
