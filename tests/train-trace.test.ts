// The step-through trace on the CPU reference: a small CNN, traced on the course's path
// (lean: false) and on the fused path; the captured values are the tensors as they were
// at the moment of each op (parameters before the update in, after it out).

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { Rng } from '../src/engine/random';
import type { ClassificationDataset } from '../src/nn/data/dataset';
import { prepareSplits } from '../src/train/data';
import type { SessionConfig } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { EQUATIONS } from '../src/train/trace';
import { expectClose } from './helpers/check';

/** 24 random 6×6×1 images in 2 classes */
function images(): ClassificationDataset {
  const rng = new Rng(9);
  const n = 24;
  return {
    task: 'classification',
    name: 'tiny images',
    split: 'train: 24',
    source: 'generated in the test',
    notes: [],
    shape: [n, 6, 6, 1],
    features: Float32Array.from({ length: n * 36 }, () => rng.uniform()),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 2),
    numClasses: 2,
    classNames: ['a', 'b'],
  };
}

const spec = { name: 'mnist' as const };
const config = (lean: boolean): SessionConfig => ({
  dataset: spec,
  model: {
    layers: [
      { type: 'conv2d', nOut: 2, kernel: 3, pad: 'same', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
      { type: 'flatten' },
      { type: 'fc', nOut: 4, activation: 'sigmoid' },
      { type: 'fc', nOut: 2, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: 0.1 },
  },
  batchSize: 4,
  epochs: 1,
  seed: 2,
  lean,
});

async function traced(lean: boolean) {
  const s = await TrainingSession.create(createCpuBackend(), config(lean), () => {}, { data: prepareSplits(spec, images(), null, 2) });
  const before = await s.model.readParameters();
  const trace = await s.trace(1000);
  const after = await s.model.readParameters();
  await s.dispose();
  return { trace, before, after };
}

describe('trace', () => {
  it("records the course's path op by op, layer by layer, with the values of the moment", async () => {
    const { trace, before, after } = await traced(false);
    expect(trace).toMatchObject({ step: 1, batchSize: 4, backend: 'cpu', lean: false });
    expect(trace.layers.map((l) => l.name)).toEqual(['conv2d_0', 'pool2d_1', 'flatten_2', 'fc_3', 'fc_4']);
    expect(trace.ops.map((o) => `${o.phase}:${o.layer}:${o.equation}`)).toEqual([
      'forward:conv2d_0:conv2d.forward',
      'forward:pool2d_1:pool2d.forward.max',
      'forward:flatten_2:flatten.forward',
      'forward:fc_3:fc.forward',
      'forward:fc_4:fc.logits',
      'loss:loss:loss.softmax_ce',
      'backward:loss:loss.softmax_ce.backward',
      'backward:fc_4:fc.backward.dW',
      'backward:fc_4:fc.backward.db',
      'backward:fc_4:fc.backward.dX',
      'backward:fc_3:activation.backward',
      'backward:fc_3:fc.backward.dW',
      'backward:fc_3:fc.backward.db',
      'backward:fc_3:fc.backward.dX',
      'backward:flatten_2:flatten.backward',
      'backward:pool2d_1:pool2d.backward.max',
      'backward:conv2d_0:activation.backward',
      'backward:conv2d_0:conv2d.backward',
      ...['conv2d_0', 'conv2d_0', 'fc_3', 'fc_3', 'fc_4', 'fc_4'].map((l) => `update:${l}:sgd.update`),
    ]);
    // shapes: conv (4, 6, 6, 1) → (4, 6, 6, 2) → pool (4, 3, 3, 2) → (4, 18) → (4, 4) → (4, 2)
    expect(trace.ops[0]!.outputs[0]!.shape).toEqual([4, 6, 6, 2]);
    expect(trace.ops[2]!.outputs[0]!.shape).toEqual([4, 18]);
    // the first layer needs no dX: its backward gives dW and db only
    expect(trace.ops[17]!.outputs.map((t) => [t.role, t.shape])).toEqual([
      ['dW', [3, 3, 1, 2]],
      ['db', [1, 2]],
    ]);
    // the W the forward read is the parameter before the step; the update writes the one after
    const wIn = trace.ops[0]!.inputs.find((t) => t.role === 'W')!;
    expectClose(wIn.values!, before[0]!.W!.data, { atol: 0, rtol: 0, label: 'conv W seen by the forward' });
    const upd = trace.ops[18]!;
    expectClose(upd.inputs.find((t) => t.role === 'p')!.values!, before[0]!.W!.data, { atol: 0, rtol: 0, label: 'update p in' });
    expectClose(upd.outputs.find((t) => t.role === 'p')!.values!, after[0]!.W!.data, { atol: 0, rtol: 0, label: 'update p out' });
    // p_after = p_before − lr·g, with g the dW the backward produced
    const dW = trace.ops[17]!.outputs[0]!.values!;
    expectClose(after[0]!.W!.data, before[0]!.W!.data.map((p, i) => p - 0.1 * dW[i]!), { atol: 1e-15, rtol: 1e-12, label: 'SGD from the traced dW' });
    for (const id of Object.keys(trace.equations)) expect(trace.equations[id]).toBe(EQUATIONS[id]);
  });

  it('records the fused path with the same loss', async () => {
    const plain = await traced(false);
    const { trace } = await traced(true);
    expect(trace.lean).toBe(true);
    expect(trace.loss).toBeCloseTo(plain.trace.loss!, 12);
    expect(trace.ops.map((o) => `${o.phase}:${o.layer}:${o.equation}`)).toEqual([
      'forward:conv2d_0:conv2d.forward',
      'forward:pool2d_1:pool2d.forward.max',
      'forward:flatten_2:flatten.forward',
      'forward:fc_3:fc.forward',
      'forward:fc_4:fc.logits',
      'loss:loss:loss.softmax_ce.grad',
      'backward:fc_4:fc.backward.dWdb',
      'backward:fc_4:fc.backward.dX.dact',
      'backward:fc_3:fc.backward.dWdb',
      'backward:fc_3:fc.backward.dX',
      'backward:flatten_2:flatten.backward',
      'backward:pool2d_1:pool2d.backward.max.dact',
      'backward:conv2d_0:conv2d.backward',
      'update:parameters:sgd.update',
    ]);
    // σ' of the sigmoid layer fused into fc_4's dX; relu's into the pool's backward
    expect(trace.ops[7]!.args.dact).toBe('sigmoid');
    expect(trace.ops[11]!.args.dact).toBe('relu');
  });
});
