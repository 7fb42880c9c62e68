// Optimizer updates on WebGPU (shaders/optimizers.wgsl, src/engine/ops/optimizers) vs the
// float64 CPU reference, in place over several steps: SGD, SGD with momentum, Adam.
import { describe, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import type { Backend, Tensor } from '../../src/engine/backend';
import { Rng } from '../../src/engine/random';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/optimizers');

describe('optimizers vs CPU reference (in place, several steps)', () => {
  async function run(step: (b: Backend, t: Record<string, Tensor>, k: number) => void, names: string[], n: number) {
    const rng = new Rng(8);
    const g: Record<string, Tensor> = {};
    const c: Record<string, Tensor> = {};
    for (const name of names) {
      const data = name === 'v' || name === 'm' ? new Float64Array(n) : randomArray(rng, n);
      [g[name], c[name]] = pair(data, [n]);
    }
    for (let k = 1; k <= 3; k++) {
      step(gpu, g, k);
      step(cpu, c, k);
    }
    for (const name of names) {
      const [got, ref] = await both(g[name]!, c[name]!);
      expectClose(got, ref, { atol: 1e-5, rtol: 1e-4, label: `${name} after 3 steps` });
    }
  }

  it('plain SGD', () => run((b, t) => b.sgdUpdate(t.p!, t.g!, null, { lr: 0.1, momentum: 0 }), ['p', 'g'], 333));
  it('SGD with momentum', () => run((b, t) => b.sgdUpdate(t.p!, t.g!, t.v!, { lr: 0.05, momentum: 0.9 }), ['p', 'g', 'v'], 333));
  it('Adam with bias correction', () =>
    run((b, t, k) => b.adamUpdate(t.p!, t.g!, t.m!, t.v!, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, t: k }), ['p', 'g', 'm', 'v'], 1025));
});
