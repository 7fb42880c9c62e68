// TrainingSession on WebGPU (the adapter Dawn gives: SwiftShader here; fails without one):
// one submission per step, loss reads that do not stall, seeds that reproduce, the same
// curve as the CPU reference within float32 tolerance, divergence seen through allFinite,
// and a trace that names the WGSL kernels that ran.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import type { Backend } from '../src/engine/backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { SHADERS } from '../src/engine/gpu/shaders';
import { courseRegression, toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import { collectingSink } from '../src/train/metrics';
import type { MetricEvent, SessionConfig } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { expectClose } from './helpers/check';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[train-gpu] ${gpu.kind} on ${gpu.deviceName}`);
});
afterAll(() => gpu?.destroy());

const spec = { name: 'blobs' as const };
const data = prepareSplits(spec, toyDataset('blobs', { seed: 2, part: 'train', perClass: 40 }), toyDataset('blobs', { seed: 2, part: 'test', perClass: 40 }), 2);

function config(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    dataset: spec,
    model: {
      layers: [
        { type: 'fc', nOut: 12, activation: 'tanh' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.2, momentum: 0.5 },
    },
    batchSize: 16,
    epochs: 2,
    seed: 11,
    lossEvery: 2,
    flushMs: 0,
    ...over,
  };
}

async function losses(backend: Backend, over: Partial<SessionConfig> = {}): Promise<number[]> {
  const c = collectingSink();
  const s = await TrainingSession.create(backend, config(over), c.sink, { data });
  const snap = await s.runToEnd();
  expect(snap.state).toBe('done');
  await s.dispose();
  return c
    .events()
    .filter((e): e is Extract<MetricEvent, { kind: 'loss' }> => e.kind === 'loss')
    .map((e) => e.loss);
}

describe('TrainingSession (WebGPU)', () => {
  it('submits once per step; a read step adds one copy-only submission', async () => {
    const c = collectingSink();
    // 120 examples in batches of 8: 15 steps per epoch, so no evaluation below
    const s = await TrainingSession.create(gpu, config({ lossEvery: 4, batchSize: 8 }), c.sink, { data });
    await s.stepOnce(1); // pipelines compiled, input tensors made
    const before = { ...gpu.stats };
    const snap = await s.stepOnce(8); // steps 2…9: reads at 4 and 8 (lossEvery) and 9 (the last)
    const after = gpu.stats;
    expect(snap.step).toBe(9);
    const read = c.events().flatMap((e) => (e.kind === 'loss' && e.step > 1 ? [e.step] : []));
    expect(read).toEqual([4, 8, 9]);
    // 8 steps: one submission each (on a read step the loss read submits it); each read
    // adds one submission that only copies the allFinite flag
    expect(after.submissions - before.submissions).toBe(8 + 3);
    expect(after.readbacks - before.readbacks).toBe(2 * 3);
    await s.dispose();
  });

  it('gives the same loss sequence twice with the same seed, and the CPU curve within float32 tolerance', async () => {
    const a = await losses(gpu);
    const b = await losses(gpu);
    expect(a.length).toBe(2 * 4); // 120 examples / 16 = 8 steps per epoch, read every 2
    expect(b).toEqual(a);
    const ref = await losses(createCpuBackend());
    expectClose(a, ref, { atol: 1e-4, rtol: 1e-3, label: 'WebGPU vs CPU losses' });
  });

  it('reports divergence read through allFinite, with no NaN in the stream', async () => {
    const rspec = { name: 'regression-1' as const };
    const c = collectingSink();
    const s = await TrainingSession.create(
      gpu,
      {
        dataset: rspec,
        model: { layers: [{ type: 'fc', nOut: 8, activation: 'tanh' }, { type: 'fc', nOut: 1 }], loss: 'mse', optimizer: { type: 'sgd', lr: 1e4 } },
        batchSize: 4,
        epochs: 1000,
        seed: 3,
        lossEvery: 2,
        flushMs: 0,
      },
      c.sink,
      { data: prepareSplits(rspec, courseRegression(1), null, 3) },
    );
    const snap = await s.runToEnd();
    expect(snap.state).toBe('diverged');
    expect(snap.message).toMatch(/^diverged at step \d+ \(lr 10000\)/);
    for (const e of c.events()) for (const v of Object.values(e)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    await s.dispose();
  });

  it('traces one lean step with the WGSL kernel of every op', async () => {
    const s = await TrainingSession.create(gpu, config(), () => {}, { data });
    const trace = await s.trace(64);
    expect(trace.backend).toBe('webgpu');
    expect(trace.lean).toBe(true);
    // the fused path: loss and dZ in one kernel, [dW; db] in one pass, σ' fused into dX,
    // one update over the parameter arena
    expect(trace.ops.map((o) => `${o.phase}:${o.layer}:${o.equation}`)).toEqual([
      'forward:fc_0:fc.forward',
      'forward:fc_1:fc.logits',
      'loss:loss:loss.softmax_ce.grad',
      'backward:fc_1:fc.backward.dWdb',
      'backward:fc_1:fc.backward.dX.dact',
      'backward:fc_0:fc.backward.dWdb',
      'update:parameters:sgd.update',
    ]);
    const dx = trace.ops[4]!;
    expect(dx.inputs.map((t) => [t.role, t.shape])).toEqual([
      ['dZ', [16, 3]],
      ['W', [12, 3]],
      ['Y_below', [16, 12]],
    ]);
    expect(dx.args.dact).toBe('tanh');
    expect(trace.step).toBe(1);
    expect(trace.loss).toBeGreaterThan(0);
    const phases = trace.ops.map((o) => o.phase);
    // forward, loss, backward, update, in that order
    const order = ['forward', 'loss', 'backward', 'update'];
    expect([...new Set(phases)]).toEqual(order);
    expect(phases.map((p) => order.indexOf(p))).toEqual([...phases.map((p) => order.indexOf(p))].sort((x, y) => x - y));
    for (const op of trace.ops) {
      expect(op.kernels.length, `${op.op} dispatched no kernel`).toBeGreaterThan(0);
      for (const k of op.kernels) {
        expect(SHADERS[k.shader], `shader ${k.shader}`).toBeDefined();
        expect(SHADERS[k.shader]).toMatch(new RegExp(`fn\\s+${k.entry}\\s*\\(`));
      }
    }
    const fwd = trace.ops.find((o) => o.equation === 'fc.forward')!;
    expect(fwd.layer).toBe('fc_0');
    expect(fwd.kernels.map((k) => k.shader)).toEqual(['matmul']);
    await s.dispose();
  });
});
