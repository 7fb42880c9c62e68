// The step-through beside the student's layers: a step of the Iris network traced on the
// CPU reference backend (the course's path and the fused one), the same batch and
// parameters run through the student's code (the reference solutions, and a ReLU whose
// backward passes the gradient everywhere), each traced tensor matched to the student's.

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/engine/cpu/reference-backend';
import { fetcherFromReadFile, setDataFetcher } from '../../src/nn/data/load';
import { loadSessionData } from '../../src/train/data';
import { EXPERIMENTS } from '../../src/train/experiments';
import { convStepNet } from '../../src/notebook/chapters/conv/conv-lab';
import { traceTrainingStep } from '../../src/notebook/cells/step-through-run';
import { EXERCISE_IDS } from '../../src/exercises/tasks';
import type { SessionConfig } from '../../src/train/protocol';
import { TrainingSession } from '../../src/train/session';
import type { Trace } from '../../src/train/trace';
import { compareStep, compareTensor, stepRequest } from '../../src/exercises/step-compare';
import type { StudentSources } from '../../src/exercises/student-network';
import { stepStudent } from '../../src/exercises/trace-student';
import { mistake, solution } from './known';

const IRIS = ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model'] as const;
const all: StudentSources = Object.fromEntries(IRIS.map((id) => [id, solution(id)]));

/** the ReLU backward that passes the gradient everywhere (forgets the mask Z > 0) */
const reluEverywhere = solution('relu').replace('return np.multiply(dY, np.greater(Z, 0));', 'return dY;');

beforeAll(() => setDataFetcher(fetcherFromReadFile((p) => readFile(`public/data/${p}`))));

/** the step-through's trace of training step `step` (1-based) of the Iris net 4 → 6 → 3 */
async function irisTrace(lean: boolean, step = 1, batchSize = 8): Promise<Trace> {
  const base = EXPERIMENTS.iris.config;
  const config: SessionConfig = {
    ...base,
    model: { ...base.model, layers: [{ type: 'fc', nOut: 6, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }] },
    batchSize,
    lean,
    lossEvery: 1,
  };
  const s = await TrainingSession.create(createCpuBackend(), config, () => {}, { data: await loadSessionData(config.dataset, config.seed) });
  let t!: Trace;
  for (let i = 0; i < step; i++) t = await s.trace(4096);
  await s.dispose();
  return t;
}

const summary = (t: Trace, sources: StudentSources) => {
  const r = stepRequest(t, sources);
  if ('error' in r) throw new Error(r.error);
  const matches = compareStep(t, stepStudent(r.request));
  // the float64 reference on the same inputs: every tensor with a counterpart is exact for correct layers
  for (const x of matches) for (const m of x.tensors) if (sources === all) expect(m.exact, m.role).toBe(true);
  return t.ops.map((o, i) => `${o.equation}:${matches[i]!.tensors.map((m) => m.role).join('+')}:${matches[i]!.verdict}`);
};

describe('the step-through on the student’s layers', () => {
  it('takes the traced batch, targets and parameters, and the layers’ kinds, from the trace', async () => {
    const t = await irisTrace(false, 2);
    const r = stepRequest(t, all);
    if ('error' in r) throw new Error(r.error);
    expect(r.request.layers).toEqual([
      { type: 'fc', nOut: 6, activation: 'relu' },
      { type: 'fc', nOut: 3, activation: 'softmax' },
    ]);
    expect(r.request.x.shape).toEqual([8, 4]);
    expect(r.request.y.shape).toEqual([8, 3]);
    expect(r.request.parameters.map((p) => Object.keys(p).sort())).toEqual([['W', 'b'], ['W', 'b']]);
    // step 2: the parameters after the first update, as the step's forward read them
    expect(r.request.parameters[0]!.W!.data).toEqual(t.ops[0]!.inputs.find((x) => x.role === 'W')!.values);
    expect(r.request.parameters[1]!.b!.data.some((v) => v !== 0)).toBe(true);
  });

  it('correct layers agree with every traced tensor that has a counterpart, the course’s path', async () => {
    const t = await irisTrace(false, 3);
    expect(summary(t, all)).toEqual([
      'fc.forward:Y:agree',
      'fc.logits:Z:agree',
      'loss.softmax_ce:L+Ŷ:agree',
      'loss.softmax_ce.backward:dZ:agree',
      'fc.backward.dW:dW:agree',
      'fc.backward.db:db:agree',
      'fc.backward.dX:dX:agree',
      'activation.backward:dZ:agree',
      'fc.backward.dW:dW:agree',
      'fc.backward.db:db:agree',
      'sgd.update:p:agree',
      'sgd.update:p:agree',
      'sgd.update:p:agree',
      'sgd.update:p:agree',
    ]);
  });

  it('and on the fused path, the parameter arena’s update included', async () => {
    const t = await irisTrace(true);
    expect(summary(t, all)).toEqual([
      'fc.forward:Y:agree',
      'fc.logits:Z:agree',
      'loss.softmax_ce.grad:L+Ŷ+dZ:agree',
      'fc.backward.dWdb:dW+db:agree',
      'fc.backward.dX.dact:dZ_below:agree',
      'fc.backward.dWdb:dW+db:agree',
      'sgd.update:p:agree',
    ]);
  });

  it('the ReLU whose backward passes the gradient everywhere: its step and the ones after disagree, the ones before agree', async () => {
    const t = await irisTrace(false);
    const r = stepRequest(t, { ...all, relu: reluEverywhere });
    if ('error' in r) throw new Error(r.error);
    const m = compareStep(t, stepStudent(r.request));
    const at = t.ops.findIndex((o) => o.equation === 'activation.backward');
    expect(at).toBe(7);
    expect(m.slice(0, at).map((x) => x.verdict)).toEqual(Array(at).fill('agree'));
    expect(m[at]!.verdict).toBe('disagree');
    // dW and db of the hidden layer, and the update of its parameters
    expect(m.slice(at + 1).filter((x) => x.verdict === 'disagree').length).toBeGreaterThanOrEqual(3);
    const dz = m[at]!.tensors[0]!;
    expect(dz.exact).toBe(false);
    expect(dz.firstDiffs.length).toBeGreaterThan(0);
    // the first differing entry: a hidden unit with Z ≤ 0 (the engine's dZ is 0 there, theirs is not)
    const d = dz.firstDiffs[0]!;
    expect(d.engine).toBe(0);
    expect(d.yours).not.toBe(0);
    expect(d.index).toHaveLength(2);
  });

  it('a loss gradient not divided by m: the forward and the loss agree, the loss’s gradient and everything after it disagree', async () => {
    const t = await irisTrace(true);
    const r = stepRequest(t, { ...all, 'cross-entropy': mistake('ce-not-averaged') });
    if ('error' in r) throw new Error(r.error);
    const m = compareStep(t, stepStudent(r.request));
    expect(m.map((x) => x.verdict)).toEqual(['agree', 'agree', 'disagree', 'disagree', 'disagree', 'disagree', 'disagree']);
    // in the fused loss step, L and Ŷ (the softmax) are theirs and right; dZ is m = 8 times too large
    expect(m[2]!.tensors.map((x) => `${x.role}:${x.agree}`)).toEqual(['L:true', 'Ŷ:true', 'dZ:false']);
    const dz = m[2]!.tensors[2]!;
    expect(dz.mine[0]! / dz.engine[0]!).toBeCloseTo(8, 4);
  });
});

/** chapter 4's step-through (its network, convStepNet) on two 7×7×2 images */
async function convTrace(kernel: number, stride: number, pad: 'same' | 'valid' | number): Promise<Trace> {
  const x = Float64Array.from({ length: 2 * 7 * 7 * 2 }, (_, i) => Math.fround(Math.sin(i * 1.7)));
  return traceTrainingStep(createCpuBackend(), convStepNet(kernel, stride, pad, 3), { data: x, shape: [2, 7, 7, 2] }, { data: [1, 0, 0, 1], shape: [2, 2] }, { lean: false, maxValues: 4096 });
}

describe('the convolutional step-through on the student’s layers', () => {
  const every: StudentSources = Object.fromEntries(EXERCISE_IDS.map((id) => [id, solution(id)]));
  it.each([
    [3, 1, 'same'],
    [2, 2, 'valid'],
    [3, 2, 1],
  ] as const)('kernel %i, stride %i, padding %s: every traced tensor of conv, pool, flatten and fc agrees', async (k, s, p) => {
    const t = await convTrace(k, s, p);
    const r = stepRequest(t, every);
    if ('error' in r) throw new Error(r.error);
    expect(r.request.layers.map((l) => l.type)).toEqual(['conv2d', 'pool2d', 'flatten', 'fc']);
    expect(r.request.layers[0]).toMatchObject({ kernel: [k, k], stride: s, pad: p, activation: 'relu' });
    expect(r.request.layers[1]).toMatchObject({ kernel: [2, 2], stride: 2, pad: 'same', mode: 'max' });
    const m = compareStep(t, stepStudent(r.request));
    expect(m.map((x) => x.verdict)).toEqual(Array(t.ops.length).fill('agree'));
    for (const x of m) for (const y of x.tensors) expect(y.exact, y.role).toBe(true);
    // conv's Y, pool's Y (argmax has no counterpart), flatten, fc's Z, L and Ŷ, …, dW and db of conv, four updates
    expect(m.flatMap((x) => x.tensors).length).toBe(19);
  });

  it('max pooling’s gradient in windows that forget the stride: the pool’s backward is the first step that disagrees', async () => {
    const t = await convTrace(3, 1, 'same');
    const r = stepRequest(t, { ...every, pool2d: mistake('max-grad-wrong-window') });
    if ('error' in r) throw new Error(r.error);
    const m = compareStep(t, stepStudent(r.request));
    const at = t.ops.findIndex((o) => o.equation === 'pool2d.backward.max');
    expect(m.findIndex((x) => x.verdict === 'disagree')).toBe(at);
    expect(m.slice(0, at).every((x) => x.verdict === 'agree')).toBe(true);
    expect(m[at]!.tensors[0]!.firstDiffs[0]!.index).toHaveLength(4);
  });
});

describe('the comparison', () => {
  const engine = (values: number[]) => ({ role: 'Y', label: 't', shape: [2, 2], values });
  it('accepts float32 rounding and names the first entries outside the tolerance', () => {
    const e = [1, -2, 1e-3, 0];
    const f32 = e.map((v) => Math.fround(v + 1e-7));
    expect(compareTensor('Y', 'y', engine(e), f32, null).agree).toBe(true);
    const off = [1, -2, 1e-3 + 5e-3, 0];
    const m = compareTensor('Y', 'y', engine(e), off, off);
    expect(m.agree).toBe(false);
    expect(m.firstDiffs).toEqual([{ index: [1, 0], yours: 1e-3 + 5e-3, engine: 1e-3 }]);
    expect(m.maxDiff).toBeCloseTo(5e-3, 12);
    expect(m.exact).toBe(true);
    // the scaled part of the tolerance: 10⁻⁴ of the tensor's largest |value|
    expect(compareTensor('Y', 'y', engine(e), [1, -2, 1e-3 + 1.5e-4, 0], null).agree).toBe(true);
    expect(compareTensor('Y', 'y', engine(e), [1, -2, 1e-3 + 3e-4, 0], null).agree).toBe(false);
  });
  it('a tensor of another size, or a NaN, disagrees', () => {
    expect(compareTensor('Y', 'y', engine([1, 2, 3, 4]), [1, 2, 3], null)).toMatchObject({ agree: false, maxDiff: Infinity });
    expect(compareTensor('Y', 'y', engine([1, 2, 3, 4]), [1, 2, NaN, 4], null).agree).toBe(false);
  });
});
