// Elementwise kernels on WebGPU (shaders/elementwise.wgsl, src/engine/ops/elementwise) vs
// the float64 CPU reference: bias + activation, σ' from Y, axpby and scale.
import { describe, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import { ACTIVATIONS } from '../../src/engine/backend';
import { Rng } from '../../src/engine/random';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/elementwise');

describe('elementwise vs CPU reference', () => {
  it('biasActivation for every activation, with and without bias', async () => {
    const rng = new Rng(4);
    for (const [M, N] of [[1, 1], [5, 13], [129, 67]] as const) {
      const [xg, xc] = pair(randomArray(rng, M * N, -4, 4), [M, N]);
      const [bg, bc] = pair(randomArray(rng, N), [1, N]);
      for (const act of ACTIVATIONS) {
        for (const withBias of [true, false]) {
          const [got, ref] = await both(gpu.biasActivation(xg, withBias ? bg : null, act), cpu.biasActivation(xc, withBias ? bc : null, act));
          expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `biasActivation ${M}×${N} ${act} bias=${withBias}` });
        }
      }
    }
  });

  it('activationBackward from Y for every activation', async () => {
    const rng = new Rng(5);
    const M = 37;
    const N = 71;
    const [dyg, dyc] = pair(randomArray(rng, M * N), [M, N]);
    const [zg, zc] = pair(randomArray(rng, M * N, -3, 3), [M, N]);
    for (const act of ACTIVATIONS) {
      const yg = gpu.biasActivation(zg, null, act);
      const yc = cpu.biasActivation(zc, null, act);
      const [got, ref] = await both(gpu.activationBackward(dyg, yg, act), cpu.activationBackward(dyc, yc, act));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `activationBackward ${act}` });
    }
  });

  it('axpby and scale', async () => {
    const rng = new Rng(6);
    const shape = [3, 1001];
    const [xg, xc] = pair(randomArray(rng, 3003), shape);
    const [yg, yc] = pair(randomArray(rng, 3003), shape);
    let [got, ref] = await both(gpu.axpby(0.7, xg, -1.3, yg), cpu.axpby(0.7, xc, -1.3, yc));
    expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: 'axpby' });
    [got, ref] = await both(gpu.scale(xg, -2.5), cpu.scale(xc, -2.5));
    expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: 'scale' });
  });
});
