// ReLU, sigmoid, tanh and softmax: forward(Z) → Y and backward(Z, dY) → dL/dZ.

import type { Rng } from '../../engine/random';
import { Rng as Generator } from '../../engine/random';
import { type Arr, fromStudent, toNp } from './arrays';
import { batchSize, type ExerciseGrader, instantiate, pick, randn } from './exercise';
import { type CaseRun, differenceCheck, guard, sampleEntries, type StudentExports } from './harness';
import * as ref from './reference';

interface ActivationObject {
  forward(Z: unknown): unknown;
  backward(Z: unknown, dY: unknown): unknown;
}

function gradCheckOf(className: string, act: ref.ActivationName, z: Arr) {
  return (mod: StudentExports, rng: Rng, source: string) => {
    const r = randn(rng, z.shape);
    const layer = instantiate<ActivationObject>(mod, className, source);
    const loss = (v: Float64Array) => {
      const y = fromStudent(guard(source, () => layer.forward(toNp({ data: v, shape: z.shape }))));
      return typeof y === 'string' ? NaN : y.data.reduce((s, yi, i) => s + yi * r.data[i]!, 0);
    };
    const dz = fromStudent(guard(source, () => layer.backward(toNp(z), toNp(r))));
    const analytic = typeof dz === 'string' ? new Float64Array(z.data.length).fill(NaN) : dz.data;
    const check = differenceCheck('dL/dZ', z.data, analytic, loss, sampleEntries(rng, z.data.length, 8));
    return { case: `${act} on a ${z.shape.join('×')} Z, L = Σ R ⊙ Y for a random R`, checks: [check], pass: check.pass };
  };
}

function elementwise(className: string, act: 'relu' | 'sigmoid' | 'tanh'): ExerciseGrader {
  return {
    runCase(mod, c) {
      const m = batchSize(c);
      const shape = c.index % 3 === 2 ? [m, pick(c.rng, 1, 5), pick(c.rng, 1, 5), pick(c.rng, 1, 4)] : [m, pick(c.rng, 1, 7)];
      c.describe(`Z of shape (${shape.join(', ')})`);
      const z = randn(c.rng, shape, 2);
      const dy = randn(c.rng, shape);
      c.shape('Z', shape);
      c.shape('dY', shape);
      const layer = instantiate<ActivationObject>(mod, className, c.source);
      c.expect('Y = forward(Z)', c.call(() => layer.forward(toNp(z))), ref.activationForward(act, z));
      c.expect('dL/dZ = backward(Z, dY)', c.call(() => layer.backward(toNp(z), toNp(dy))), ref.activationBackward(act, z, dy));
    },
    atBatch(mod, m, source) {
      const g = new Generator(7);
      const z = toNp(randn(g, [m, 5]));
      const dy = toNp(randn(g, [m, 5]));
      const layer = instantiate<ActivationObject>(mod, className, source);
      guard(source, () => {
        layer.forward(z);
        layer.backward(z, dy);
      });
    },
    gradCheck: (mod, rng, source) => gradCheckOf(className, act, randn(rng, [3, 4], 2))(mod, rng, source),
  };
}

export const relu = elementwise('ReLU', 'relu');
export const sigmoid = elementwise('Sigmoid', 'sigmoid');
export const tanh = elementwise('TanH', 'tanh');

/** softmax: a loop over the rows is allowed; large logits must not overflow */
export const softmax: ExerciseGrader = {
  runCase(mod, c: CaseRun) {
    const m = batchSize(c);
    const k = c.index === 2 ? 1 : pick(c.rng, 2, 7);
    const large = c.index === 1 || c.index % 5 === 4;
    const z = large ? randn(c.rng, [m, k], 30, 800) : randn(c.rng, [m, k], 2);
    const dy = randn(c.rng, [m, k]);
    c.describe(`Z of shape (${m}, ${k})${large ? ', large logits (around 800)' : ''}`);
    c.shape('Z', [m, k]);
    c.shape('dY', [m, k]);
    const layer = instantiate<ActivationObject>(mod, 'SoftMax', c.source);
    c.expect('Y = forward(Z)', c.call(() => layer.forward(toNp(z))), ref.activationForward('softmax', z), (got) =>
      got.data.some((v) => !Number.isFinite(v)) ? 'softmax-overflow' : undefined,
    );
    c.expect('dL/dZ = backward(Z, dY)', c.call(() => layer.backward(toNp(z), toNp(dy))), ref.activationBackward('softmax', z, dy), (got) =>
      got.data.some((v) => !Number.isFinite(v)) ? 'softmax-overflow' : undefined,
    );
  },
  gradCheck: (mod, rng, source) => gradCheckOf('SoftMax', 'softmax', randn(rng, [3, 4], 2))(mod, rng, source),
};
