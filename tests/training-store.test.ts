// The notebook's training and sweep stores over the real worker protocol: TrainingClient
// ⇄ MessageChannel ⇄ the message handler the Web Worker runs, in-process on the CPU
// reference with a toy data set. Checks what the charts read: the loss series, markers
// for learning-rate and hidden-size changes, divergence without a NaN anywhere, bounded
// histories, pacing, the sweep table and its curves.

import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import type { PortLike } from '../src/train/client';
import { createMessageHandler } from '../src/train/handler';
import type { MetricsBatch, SessionConfig, SessionSnapshot } from '../src/train/protocol';
import { createTrainingStore, ingestBatches, type TrainingStore } from '../src/store/training';
import { createSweepStore } from '../src/store/sweep';
import { appendBounded } from '../src/store/history';
import { blobsSession } from './helpers/sessions';

const config: SessionConfig = blobsSession();

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

function port(): PortLike {
  const { port1, port2 } = new MessageChannel();
  const handle = createMessageHandler({
    post: (m) => port2.postMessage(m),
    createBackend: async () => ({ backend: createCpuBackend(), fallbackReason: null }),
  });
  port2.on('message', (m) => void handle(m));
  closers.push(() => {
    port1.close();
    port2.close();
  });
  return port1 as unknown as PortLike;
}

const frame = (cb: () => void) => void setTimeout(cb, 16);

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function allFinite(store: TrainingStore): void {
  const s = store.getState();
  const nums = [
    ...s.loss.flatMap((p) => [p.x, p.ex, p.value]),
    ...s.evals.flatMap((p) => [p.x, p.ex, p.trainLoss ?? 0, p.valLoss ?? 0, p.valAccuracy ?? 0]),
    ...s.speed.map((p) => p.value),
    ...s.markers.map((m) => m.x),
  ];
  const bad = nums.filter((v) => !Number.isFinite(v));
  expect(bad, 'non-finite numbers in the series').toEqual([]);
}

describe('training store', () => {
  it('init, train, live learning-rate change with a marker, pause, single step, hidden-size restart, reset', async () => {
    const store = createTrainingStore({ name: 'test', createPort: port, frame, maxPoints: 64 });
    const s = () => store.getState();
    await s().init(config, 'cpu');
    expect(s().phase).toBe('ready');
    expect(s().backend?.kind).toBe('cpu');
    expect(s().dataset).toMatchObject({ train: 225, validation: 75, classes: 3 });
    expect(s().snapshot).toMatchObject({ state: 'idle', step: 0, lr: 0.1, hidden: 10 });

    await s().train();
    await until(() => s().loss.length >= 30, '30 loss points');
    await s().setLearningRate(0.02);
    expect(s().error).toBeNull();
    const lrMarker = s().markers.find((m) => m.kind === 'lr');
    expect(lrMarker, 'a marker for the learning-rate change').toBeDefined();
    expect(lrMarker!.label).toBe('lr 0.1 → 0.02');
    await until(() => s().loss.some((p) => p.x > lrMarker!.x + 20), 'steps after the change');
    await s().pause();
    expect(s().snapshot?.state).toBe('paused');
    expect(s().snapshot?.lr).toBe(0.02);
    // bounded: never more than maxPoints, and the series spans the whole run
    expect(s().loss.length).toBeLessThanOrEqual(64);
    expect(s().loss[0]!.step).toBe(1);
    const xs = s().loss.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(s().evals.length).toBeGreaterThan(0);
    expect(s().evals[0]!.valAccuracy).toBeGreaterThan(0);

    // a batch-size change is marked where it applies
    await s().setBatchSize(16);
    const batchMarker = s().markers.find((m) => m.kind === 'batchSize')!;
    expect(batchMarker).toMatchObject({ label: 'batch 8 → 16', step: s().snapshot!.step + 1 });
    expect(s().snapshot!.batchSize).toBe(16);

    const before = s().snapshot!.step;
    await s().step();
    expect(s().snapshot!.step).toBe(before + 1);
    expect(s().loss[s().loss.length - 1]!.step).toBe(before + 1);

    // hidden-size restart: the x axis continues, with a marker at the old run's end
    await s().setHiddenSize(4);
    const restart = s().markers.find((m) => m.kind === 'restart');
    expect(restart).toMatchObject({ x: before + 1, label: 'new model: 4 hidden' });
    expect(s().snapshot).toMatchObject({ run: 1, step: 0, hidden: 4, state: 'idle' });
    await s().step(3);
    const last = s().loss[s().loss.length - 1]!;
    expect(last).toMatchObject({ run: 1, step: 3, x: before + 1 + 3 });

    await s().reset();
    expect(s().loss).toEqual([]);
    expect(s().markers).toEqual([]);
    expect(s().offset).toEqual({ x: 0, ex: 0 });
    expect(s().snapshot).toMatchObject({ step: 0, state: 'idle' });
    allFinite(store);
    await s().dispose();
  });

  it('a learning rate that blows up ends the run as diverged, with no NaN in any series', async () => {
    const store = createTrainingStore({ name: 'test', createPort: port, frame });
    const s = () => store.getState();
    await s().init({ ...config, model: { ...config.model, optimizer: { type: 'sgd', lr: 1e6 } } }, 'cpu');
    await s().train();
    await until(() => s().snapshot?.state === 'diverged', 'divergence');
    const d = s().divergence!;
    expect(d.step).toBeGreaterThan(0);
    const marker = s().markers.find((m) => m.kind === 'diverged')!;
    expect(marker.label).toBe(`diverged at step ${d.step}`);
    expect(s().loss.every((p) => p.step < d.step)).toBe(true);
    allFinite(store);
    // training again needs a reset; the store says why instead of throwing
    await s().train();
    expect(s().error).toMatch(/diverged at step/);
    await s().dispose();
  });

  it('paced training: single steps at a set rate, pausable; switching to full speed keeps training', async () => {
    const store = createTrainingStore({ name: 'test', createPort: port, frame });
    const s = () => store.getState();
    await s().init(config, 'cpu');
    s().setPace(100);
    const t0 = performance.now();
    await s().train();
    expect(s().pacing).toBe(true);
    await until(() => s().snapshot!.step >= 10, 'ten paced steps');
    const steps = s().snapshot!.step;
    const elapsed = performance.now() - t0;
    // paced: never more than 100 steps per second of the store's clock (a busy machine
    // only gives fewer), and every step is a single-step request, not the session's loop
    expect(steps).toBeLessThanOrEqual(Math.floor((100 * elapsed) / 1000) + 1);
    expect(s().snapshot!.state).toBe('paused');
    await s().pause();
    expect(s().pacing).toBe(false);
    const paused = s().snapshot!.step;
    await new Promise((r) => setTimeout(r, 150));
    expect(s().snapshot!.step).toBe(paused);
    await s().train();
    s().setPace(0);
    await until(() => s().snapshot?.state === 'running', 'full-speed loop');
    await until(() => s().snapshot!.step > paused + 200, 'full-speed steps');
    await s().pause();
    await s().dispose();
  });

  it('a new init keeps the previous run for comparison and drops its late metrics', async () => {
    const store = createTrainingStore({ name: 'test', createPort: port, frame, describe: (c) => `lr ${c.model.optimizer.lr}` });
    const s = () => store.getState();
    await s().init(config, 'cpu');
    await s().train();
    await until(() => s().evals.length >= 2, 'two epochs');
    await s().init({ ...config, model: { ...config.model, optimizer: { type: 'sgd', lr: 0.05 } } }, 'cpu');
    expect(s().pastRuns.map((r) => r.label)).toEqual(['lr 0.1']);
    expect(s().pastRuns[0]!.evals.length).toBeGreaterThanOrEqual(2);
    expect(s().loss).toEqual([]);
    expect(s().snapshot).toMatchObject({ step: 0, lr: 0.05, state: 'idle' });
    await new Promise((r) => setTimeout(r, 100));
    expect(s().loss).toEqual([]);
    await s().dispose();
  });
});

describe('ingestBatches', () => {
  const snap = { state: 'running' } as SessionSnapshot;
  it('continues the x axis over a hidden-size restart and clears on reset', () => {
    const batches: MetricsBatch[] = [
      {
        snapshot: snap,
        events: [
          { kind: 'loss', run: 0, step: 10, epoch: 0.5, loss: 1 },
          { kind: 'lr', run: 0, step: 11, lr: 0.5, previous: 0.1 },
          { kind: 'loss', run: 0, step: 20, epoch: 1, loss: 0.5 },
          { kind: 'restart', run: 1, step: 0, reason: 'hidden', hidden: 4, previousRun: 0, previousStep: 20 },
          { kind: 'loss', run: 1, step: 5, epoch: 0.25, loss: 2 },
        ],
      },
    ];
    const empty = { loss: [], evals: [], speed: [], markers: [], latestLoss: null, divergence: null, offset: { x: 0, ex: 0 } };
    const r = ingestBatches(empty, batches, { maxPoints: 100, maxMarkers: 10, lastEpoch: 0 });
    expect(r.loss.map((p) => [p.x, p.ex])).toEqual([
      [10, 0.5],
      [20, 1],
      [25, 1.25],
    ]);
    expect(r.markers.map((m) => [m.kind, m.x, m.label])).toEqual([
      ['lr', 10, 'lr 0.1 → 0.5'],
      ['restart', 20, 'new model: 4 hidden'],
    ]);
    expect(r.latestLoss).toBe(2);
    const reset = ingestBatches(r, [{ snapshot: snap, events: [{ kind: 'restart', run: 2, step: 0, reason: 'reset', hidden: 4, previousRun: 1, previousStep: 5 }, { kind: 'loss', run: 2, step: 1, epoch: 0.05, loss: 3 }] }], {
      maxPoints: 100,
      maxMarkers: 10,
      lastEpoch: r.lastEpoch,
    });
    expect(reset.loss.map((p) => p.x)).toEqual([1]);
    expect(reset.markers).toEqual([]);
  });
  it('ignores sweep batches and keeps at most maxMarkers', () => {
    const events = Array.from({ length: 8 }, (_, i) => ({ kind: 'lr' as const, run: 0, step: i + 1, lr: i, previous: i - 1 }));
    const empty = { loss: [], evals: [], speed: [], markers: [], latestLoss: null, divergence: null, offset: { x: 0, ex: 0 } };
    const r = ingestBatches(empty, [{ snapshot: snap, events }, { snapshot: snap, sweepRun: 0, events: [{ kind: 'loss', run: 0, step: 1, epoch: 0, loss: 1 }] }], { maxPoints: 100, maxMarkers: 5, lastEpoch: 0 });
    expect(r.markers.map((m) => m.step)).toEqual([4, 5, 6, 7, 8]);
    expect(r.loss).toEqual([]);
  });
});

describe('sweep store', () => {
  it('runs a 3 × 3 grid: nine rows sorted with the best marked, one curve per run', async () => {
    const store = createSweepStore({ name: 'test sweep', createPort: port, frame });
    const s = () => store.getState();
    const tables: number[] = [];
    const off = store.subscribe((st, prev) => {
      if (st.table !== prev.table && st.table) tables.push(st.table.rows.length);
    });
    await s().run({ base: { ...config, epochs: 3, dataset: { name: 'blobs' } }, learningRates: [0.01, 0.1, 0.5], hiddenSizes: [2, 4, 8] }, 'cpu');
    off();
    expect(s().status).toBe('done');
    const t = s().table!;
    expect(t.rows).toHaveLength(9);
    expect(t.rankBy).toBe('test');
    expect(t.rows.filter((r) => r.best)).toHaveLength(1);
    expect(t.rows[0]!.best).toBe(true);
    const acc = t.rows.map((r) => r.testAccuracy ?? -1);
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    // the table streamed as runs finished
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(s().curves).toHaveLength(9);
    for (const c of s().curves) {
      expect(c.points.length, `curve of run ${c.index}`).toBeGreaterThan(0);
      // one mean training loss per epoch, epochs 1, 2, 3
      expect(c.epochLoss.map((p) => p.step), `epoch curve of run ${c.index}`).toEqual([1, 2, 3]);
    }
    expect(s().backend?.kind).toBe('cpu');
    await s().dispose();
  });

  it('Stop ends the sweep after the run in progress; the table keeps the finished runs', async () => {
    const store = createSweepStore({ name: 'test sweep', createPort: port, frame });
    const s = () => store.getState();
    const done = s().run({ base: { ...config, epochs: 2000, dataset: { name: 'blobs' } }, learningRates: [0.05, 0.1], hiddenSizes: [4, 8] }, 'cpu');
    await until(() => s().status === 'running' && (s().current?.snapshot.step ?? 0) > 50, 'the first run under way');
    await s().stop();
    await done;
    expect(s().status).toBe('stopped');
    expect(s().table!.total).toBe(4);
    expect(s().table!.rows.length).toBeLessThan(4);
    expect(s().table!.done).toBe(true);
    await s().dispose();
  });

  it('rejects an empty list with a clear error and runs nothing', async () => {
    const store = createSweepStore({ name: 'test sweep', createPort: port, frame });
    await store.getState().run({ base: config, learningRates: [], hiddenSizes: [4] }, 'cpu');
    expect(store.getState().error).toMatch(/learningRates .* non-empty list/);
    expect(store.getState().status).toBe('idle');
  });
});

describe('appendBounded: a long series keeps one resolution over the whole run', () => {
  it('after 20 000 appends one at a time (max 200), the first three quarters of the run keep about as many points each', () => {
    let h: { x: number }[] = [];
    for (let x = 1; x <= 20000; x++) {
      h = appendBounded(h, [{ x }], 200, (p) => p.x);
      expect(h.length).toBeLessThanOrEqual(200);
    }
    expect(h[0]!.x).toBe(1);
    expect(h[h.length - 1]!.x).toBe(20000);
    const xs = h.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    // repeated halving of the old points would leave the first quarter nearly empty; the
    // newest points (since the last thinning) are denser
    const quarters = [0, 1, 2].map((q) => xs.filter((x) => x > q * 5000 && x <= (q + 1) * 5000).length);
    expect(Math.min(...quarters), `points per quarter: ${quarters.join(', ')}`).toBeGreaterThanOrEqual(15);
    expect(Math.max(...quarters), `points per quarter: ${quarters.join(', ')}`).toBeLessThanOrEqual(2 * Math.min(...quarters));
  });
});
