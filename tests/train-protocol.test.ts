// The worker protocol, round trip: TrainingClient ⇄ MessageChannel (structured clone) ⇄
// the message handler the Web Worker runs (createMessageHandler), in-process on the CPU
// reference with the real loadDataset (a toy set, made in code).

import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { TrainingClient, type PortLike } from '../src/train/client';
import { createMessageHandler } from '../src/train/handler';
import type { TrainingSession } from '../src/train/session';
import type { MetricEvent, MetricsBatch, SessionConfig, SweepTable, WorkerMessage } from '../src/train/protocol';
import { blobsSession } from './helpers/sessions';

// every op as the course writes it (lean: false): the step-through path the trace below checks
const config: SessionConfig = blobsSession({}, { lean: false });

const ports: { close(): void }[] = [];
afterEach(() => ports.splice(0).forEach((p) => p.close()));

function connect(onSession?: (s: TrainingSession | null) => void) {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const posted: WorkerMessage[] = [];
  const handle = createMessageHandler({
    post: (m) => {
      posted.push(m);
      port2.postMessage(m);
    },
    createBackend: async () => ({ backend: createCpuBackend(), fallbackReason: null }),
    onSession,
  });
  port2.on('message', (m) => void handle(m));
  const client = new TrainingClient(port1 as unknown as PortLike);
  const batches: MetricsBatch[] = [];
  const frames: number[] = [];
  client.onMetrics((b) => {
    frames.push(b.length);
    batches.push(...b);
  });
  const events = () => batches.flatMap((b) => b.events);
  return { client, posted, batches, frames, events };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('worker protocol', () => {
  it('init, start, live lr change, pause, single-step, trace, hidden-size restart, dispose', async () => {
    const { client, posted, events, frames } = connect();
    const ready = await client.init(config, 'cpu');
    expect(ready.backend).toEqual({ kind: 'cpu', deviceName: 'float64 CPU reference', isFallback: true, fallbackReason: null });
    expect(ready.dataset).toMatchObject({ train: 225, validation: 75, test: 300, sampleShape: [2], classes: 3 });
    expect(ready.snapshot).toMatchObject({ state: 'idle', step: 0, hidden: 10, lr: 0.1, batchSize: 8 });

    await client.start();
    await until(() => events().filter((e) => e.kind === 'loss').length >= 20);
    const atChange = await client.setLearningRate(0.02);
    await until(() => events().some((e) => e.kind === 'loss' && e.step > atChange.step + 30));
    await expect(client.step()).rejects.toThrow(/pause before single-stepping/);
    const paused = await client.pause();
    expect(paused.state).toBe('paused');
    expect(paused.lr).toBe(0.02);

    // the change is recorded with the index of the first step that used it
    const lr = events().filter((e) => e.kind === 'lr');
    expect(lr).toEqual([{ kind: 'lr', run: 0, step: atChange.step + 1, lr: 0.02, previous: 0.1 }]);
    // every step's loss (lossEvery 1) arrived, in order, finite, before the pause's reply
    const steps = events().flatMap((e) => (e.kind === 'loss' ? [e.step] : []));
    expect(steps).toEqual(Array.from({ length: paused.step }, (_, i) => i + 1));
    // batched: far fewer messages than steps, and several batches per delivered frame at times
    const metricMessages = posted.filter((m) => m.type === 'metrics').length;
    expect(metricMessages).toBeLessThan(paused.step / 5);
    expect(frames.reduce((a, b) => a + b, 0)).toBe(metricMessages);
    // per-epoch evaluation streamed (28.1 steps per epoch → some epochs done)
    const evals = events().filter((e): e is Extract<MetricEvent, { kind: 'eval' }> => e.kind === 'eval');
    expect(evals.length).toBeGreaterThan(0);
    expect(evals[0]).toMatchObject({ epoch: 1, step: 29 });
    expect(evals[0]!.valAccuracy).not.toBeNull();
    expect(evals[0]!.testAccuracy).not.toBeNull();

    const stepped = await client.step(2);
    expect(stepped.step).toBe(paused.step + 2);

    const trace = await client.trace(16);
    expect(trace.step).toBe(paused.step + 3);
    expect(trace.ops.map((o) => `${o.phase}:${o.layer}:${o.equation}`)).toEqual([
      'forward:fc_0:fc.forward',
      'forward:fc_1:fc.logits',
      'loss:loss:loss.softmax_ce',
      'backward:loss:loss.softmax_ce.backward',
      'backward:fc_1:fc.backward.dW',
      'backward:fc_1:fc.backward.db',
      'backward:fc_1:fc.backward.dX',
      'backward:fc_0:activation.backward',
      'backward:fc_0:fc.backward.dW',
      'backward:fc_0:fc.backward.db',
      'update:fc_0:sgd.update',
      'update:fc_0:sgd.update',
      'update:fc_1:sgd.update',
      'update:fc_1:sgd.update',
    ]);
    const fwd = trace.ops[0]!;
    // 225 training examples at batch 8: 29 steps an epoch, the last one a batch of 225 − 28·8 = 1
    const m = (trace.step - 1) % 29 === 28 ? 1 : 8;
    expect(fwd.inputs.map((t) => [t.role, t.shape])).toEqual([
      ['X', [m, 2]],
      ['W', [2, 10]],
      ['b', [1, 10]],
    ]);
    expect(fwd.inputs[0]!.values).toHaveLength(2 * m); // small: values kept
    // Y has 10·m values: more than 16 keeps the shape only
    if (m === 8) expect(fwd.outputs[0]!.values).toBeNull();
    else expect(fwd.outputs[0]!.values).toHaveLength(10);
    expect(fwd.kernels).toEqual([]); // the CPU reference runs no WGSL
    expect(trace.equations['loss.softmax_ce.backward']).toBe('dZ = (Ŷ − y)/m');

    const rebuilt = await client.setHiddenSize(20);
    expect(rebuilt).toMatchObject({ run: 1, step: 0, hidden: 20, state: 'idle' });
    await until(() => events().some((e) => e.kind === 'restart'));
    expect(events().filter((e) => e.kind === 'restart')).toEqual([
      { kind: 'restart', run: 1, step: 0, reason: 'hidden', hidden: 20, previousRun: 0, previousStep: paused.step + 3 },
    ]);
    await expect(client.setHiddenSize(0)).rejects.toThrow(/positive integer/);
    await client.dispose();
    await expect(client.start()).rejects.toThrow(/closed/);
  });

  it('runs a sweep through the worker, streaming its table', async () => {
    const { client, batches } = connect();
    const tables: SweepTable[] = [];
    client.onSweepTable((t) => tables.push(t));
    const final = await client.sweep({ base: { ...config, epochs: 1 }, learningRates: [0.01, 0.1, 1], hiddenSizes: [3, 12, 24] });
    expect(final.rows).toHaveLength(9);
    expect(final.rows[0]!.best).toBe(true);
    expect(tables.map((t) => t.rows.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await until(() => new Set(batches.map((b) => b.sweepRun)).size === 9);
    await client.dispose();
  });

  it('tells onSession of each session it makes and drops (requests beside the protocol read it)', async () => {
    const seen: (TrainingSession | null)[] = [];
    const { client } = connect((s) => seen.push(s));
    const ready = await client.init(config, 'cpu');
    const made = seen.filter((s) => s !== null);
    expect(made).toHaveLength(1);
    expect(made[0]!.snapshot().step).toBe(ready.snapshot.step);
    await client.init({ ...config, seed: 8 }, 'cpu');
    expect(seen.filter((s) => s !== null)).toHaveLength(2);
    expect(seen.filter((s) => s !== null)[1]).not.toBe(made[0]);
    await client.dispose();
    expect(seen[seen.length - 1]).toBeNull();
  });

  it('answers bad requests with errors, not silence', async () => {
    const { client } = connect();
    await expect(client.start()).rejects.toThrow(/send init first/);
    await expect(client.init({ ...config, batchSize: 0 }, 'cpu')).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(client.init({ ...config, model: { ...config.model, layers: [{ type: 'fc', nOut: 3, activation: 'relu6' as 'relu' }] } }, 'cpu')).rejects.toThrow(
      /Unknown activation 'relu6'/,
    );
    await client.init(config, 'cpu');
    await expect(client.setLearningRate(Number.NaN)).rejects.toThrow(/learning rate/);
    await client.dispose();
  });
});
