// TrainingSession on the float64 CPU reference: the loop lowers the loss, controls act
// between steps, divergence is reported, seeds reproduce, hidden-size changes rebuild.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import type { Backend } from '../src/engine/backend';
import { courseRegression, toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import { collectingSink } from '../src/train/metrics';
import type { MetricEvent, SessionConfig } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { expectClose } from './helpers/check';

const spiralSpec = { name: 'spiral' as const };
function spiralData(seed = 1) {
  return prepareSplits(spiralSpec, toyDataset('spiral', { seed, part: 'train' }), toyDataset('spiral', { seed, part: 'test' }), seed);
}

function spiralConfig(over: Partial<SessionConfig> = {}, hidden = 16, lr = 0.5, optimizer: 'sgd' | 'adam' = 'sgd'): SessionConfig {
  return {
    dataset: spiralSpec,
    model: {
      layers: [
        { type: 'fc', nOut: hidden, activation: 'relu' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: optimizer, lr },
    },
    batchSize: 30,
    epochs: 20,
    seed: 7,
    lossEvery: 5,
    flushMs: 0,
    ...over,
  };
}

async function open(config: SessionConfig, backend: Backend = createCpuBackend()) {
  const c = collectingSink();
  const s = await TrainingSession.create(backend, config, c.sink, { data: spiralData() });
  return { s, c, losses: () => c.events().filter((e): e is Extract<MetricEvent, { kind: 'loss' }> => e.kind === 'loss') };
}

/** every number in the stream is finite */
function expectFiniteStream(events: MetricEvent[]): void {
  for (const e of events) {
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${e.kind}.${k} = ${v} in the stream`);
    }
  }
}

describe('TrainingSession (CPU)', () => {
  it('lowers the loss on a toy set and reports evaluation every epoch', async () => {
    const { s, c, losses } = await open(spiralConfig({}, 32, 0.02, 'adam'));
    const snap = await s.runToEnd();
    expect(snap.state).toBe('done');
    expect(snap.epoch).toBe(20);
    expect(snap.step).toBe(20 * 10); // 300 examples / 30
    const l = losses();
    // read every 5 steps (each epoch ends on a multiple of 5): 40 reads
    expect(l.map((e) => e.step)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    const first = l.slice(0, 4).reduce((a, e) => a + e.loss, 0) / 4;
    const last = l.slice(-4).reduce((a, e) => a + e.loss, 0) / 4;
    expect(last).toBeLessThan(0.5 * first);
    const evals = c.events().filter((e) => e.kind === 'eval');
    expect(evals.map((e) => e.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const final = evals[evals.length - 1]!;
    expect(final.kind === 'eval' && final.testAccuracy).toBeGreaterThan(0.8); // chance is 1/3
    expectFiniteStream(c.events());
    await s.dispose();
  });

  it('uses a new learning rate from the very next step', async () => {
    const { s, c } = await open(spiralConfig({ lossEvery: 1 }));
    await s.stepOnce(3);
    const before = await s.model.readParameters();
    await s.setLearningRate(0);
    await s.stepOnce(1);
    const frozen = await s.model.readParameters();
    for (let i = 0; i < before.length; i++) {
      for (const k of Object.keys(before[i]!)) expectClose(frozen[i]![k]!.data, before[i]![k]!.data, { atol: 0, rtol: 0, label: `layer ${i} ${k} at lr 0` });
    }
    await s.setLearningRate(0.25);
    await s.stepOnce(1);
    // SGD without momentum: p ← p − 0.25·g, g the gradient of step 5
    const after = await s.model.readParameters();
    const grads = await s.model.readGradients();
    for (let i = 0; i < after.length; i++) {
      for (const k of Object.keys(after[i]!)) {
        const want = frozen[i]![k]!.data.map((p, j) => p - 0.25 * grads[i]![k]!.data[j]!);
        expectClose(after[i]![k]!.data, want, { atol: 1e-12, rtol: 1e-12, label: `layer ${i} ${k} at lr 0.25` });
      }
    }
    const lrEvents = c.events().filter((e) => e.kind === 'lr');
    expect(lrEvents).toMatchObject([
      { kind: 'lr', step: 4, lr: 0, previous: 0.5 },
      { kind: 'lr', step: 5, lr: 0.25, previous: 0 },
    ]);
    await s.dispose();
  });

  it('stops a diverging run as "diverged at step k" with no NaN in the stream', async () => {
    const reg = courseRegression(1);
    const spec = { name: 'regression-1' as const };
    const c = collectingSink();
    const s = await TrainingSession.create(
      createCpuBackend(),
      {
        dataset: spec,
        model: { layers: [{ type: 'fc', nOut: 8, activation: 'tanh' }, { type: 'fc', nOut: 1 }], loss: 'mse', optimizer: { type: 'sgd', lr: 1e4 } },
        batchSize: 4,
        epochs: 100000,
        seed: 3,
        lossEvery: 3,
        flushMs: 0,
      },
      c.sink,
      { data: prepareSplits(spec, reg, null, 3) },
    );
    const snap = await s.runToEnd();
    expect(snap.state).toBe('diverged');
    const d = snap.divergedAt!;
    expect(d.lr).toBe(1e4);
    expect(d.step % 3 === 0 || d.step === snap.step).toBe(true);
    expect(['NaN', 'Infinity', '-Infinity']).toContain(d.loss);
    expect(snap.message).toMatch(new RegExp(`^diverged at step ${d.step} \\(lr 10000\\)`));
    const events = c.events();
    expectFiniteStream(events);
    const losses = events.filter((e) => e.kind === 'loss');
    expect(losses.every((e) => e.step < d.step)).toBe(true);
    expect(d.lastFiniteStep).toBe(losses.length ? losses[losses.length - 1]!.step : 0);
    expect(events.filter((e) => e.kind === 'diverged')).toHaveLength(1);
    await expect(s.start()).rejects.toThrow(/reset first/);
    await s.reset();
    expect(s.snapshot()).toMatchObject({ state: 'idle', step: 0, run: 1, divergedAt: null });
    await s.dispose();
  });

  it('pauses between steps, single-steps while paused, resumes', async () => {
    const { s, losses } = await open(spiralConfig({ epochs: 100000 }));
    await s.start();
    await new Promise((r) => setTimeout(r, 60));
    const p = await s.pause();
    expect(p.state).toBe('paused');
    expect(p.step).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.snapshot().step).toBe(p.step); // nothing runs while paused
    // every read issued before the pause has been delivered
    expect(losses().every((e) => e.step <= p.step)).toBe(true);

    const one = await s.stepOnce();
    expect(one.step).toBe(p.step + 1);
    expect(one.state).toBe('paused');
    expect(losses().at(-1)!.step).toBe(p.step + 1); // a single step always reads its loss
    const three = await s.stepOnce(3);
    expect(three.step).toBe(p.step + 4);
    expect(losses().at(-1)!.step).toBe(p.step + 4);

    await s.resume();
    await new Promise((r) => setTimeout(r, 40));
    const q = await s.pause();
    expect(q.step).toBeGreaterThan(p.step + 4);
    await expect(s.start().then(() => s.stepOnce())).rejects.toThrow(/pause before/);
    const st = await s.stop();
    expect(st.state).toBe('stopped');
    await s.dispose();
  });

  it('gives the same loss sequence twice with the same seed', async () => {
    const run = async () => {
      const { s, losses } = await open(spiralConfig({ epochs: 3, lossEvery: 1 }));
      await s.runToEnd();
      await s.dispose();
      return losses().map((e) => e.loss);
    };
    const a = await run();
    const b = await run();
    expect(a).toHaveLength(30);
    expect(b).toEqual(a);
    // and a different seed gives a different one
    const { s, losses } = await open(spiralConfig({ epochs: 3, lossEvery: 1, seed: 8 }));
    await s.runToEnd();
    expect(losses().map((e) => e.loss)).not.toEqual(a);
  });

  it('rebuilds on a hidden-size change (same seed) and marks the restart', async () => {
    const { s, c, losses } = await open(spiralConfig({ epochs: 2, lossEvery: 1 }, 8));
    await s.stepOnce(4);
    await s.setLearningRate(0.3);
    const snap = await s.setHiddenSize(24);
    expect(snap).toMatchObject({ run: 1, step: 0, hidden: 24, state: 'idle', lr: 0.3 });
    expect(s.model.layers[0]!.parameters.W!.shape).toEqual([2, 24]);
    expect(s.model.layers[1]!.parameters.W!.shape).toEqual([24, 3]);
    const restart = c.events().filter((e) => e.kind === 'restart');
    expect(restart).toEqual([{ kind: 'restart', run: 1, step: 0, reason: 'hidden', hidden: 24, previousRun: 0, previousStep: 4 }]);
    await s.runToEnd();
    const after = losses().filter((e) => e.run === 1).map((e) => e.loss);

    // the same as a fresh session built with 24 hidden units, the same seed and lr
    const fresh = await open(spiralConfig({ epochs: 2, lossEvery: 1 }, 24, 0.3));
    await fresh.s.runToEnd();
    expect(after).toEqual(fresh.losses().map((e) => e.loss));
    expect(after).toHaveLength(20);
    await s.dispose();
    await fresh.s.dispose();
  });

  it('rebuilds while running and keeps running the new model', async () => {
    const { s, losses } = await open(spiralConfig({ epochs: 100000 }, 8));
    await s.start();
    await new Promise((r) => setTimeout(r, 30));
    const snap = await s.setHiddenSize(12);
    expect(snap).toMatchObject({ run: 1, state: 'running', hidden: 12 });
    await new Promise((r) => setTimeout(r, 30));
    const p = await s.pause();
    expect(p.run).toBe(1);
    const run1 = losses().filter((e) => e.run === 1);
    expect(run1.length).toBeGreaterThan(0);
    expect(run1[0]!.step).toBe(5); // counted from 0 again
    await s.dispose();
  });

  it('changes the batch size at the next step, from the same place in the epoch', async () => {
    const { s, c } = await open(spiralConfig({ lossEvery: 1 }));
    await s.stepOnce(2); // 60 examples
    await s.setBatchSize(50);
    const snap = await s.stepOnce(1);
    expect(snap.examplesSeen).toBe(110);
    expect(snap.stepsPerEpoch).toBe(6);
    expect(c.events().filter((e) => e.kind === 'setting')).toEqual([{ kind: 'setting', run: 0, step: 3, name: 'batchSize', value: 50, previous: 30 }]);
    // 190 left in epoch 1: four batches of 50, the last one 40, then epoch 2
    const end = await s.stepOnce(4);
    expect(end.epoch).toBe(1);
    expect(end.examplesSeen).toBe(300);
    await s.setEpochs(1); // already trained: done
    expect(s.snapshot()).toMatchObject({ state: 'done', step: 7 });
    await expect(s.stepOnce()).rejects.toThrow(/cannot step: done/);
    await s.setEpochs(2);
    expect(s.snapshot().state).toBe('paused');
    await s.dispose();
  });
});
