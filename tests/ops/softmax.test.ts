// Softmax on WebGPU (shaders/softmax.wgsl, src/engine/ops/softmax) vs the float64 CPU
// reference: stability on large logits, and the Jacobian-vector product.
import { describe, expect, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import { Rng } from '../../src/engine/random';
import { logits, ROW_SHAPES as SHAPES } from './inputs';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/softmax');

describe('softmax', () => {
  it('forward matches on random shapes, including rows of logits around ±1000', async () => {
    const rng = new Rng(11);
    for (const [m, k] of SHAPES) {
      const [zg, zc] = pair(logits(rng, m, k), [m, k]);
      const [got, ref] = await both(gpu.softmax(zg), cpu.softmax(zc));
      expect(got.every(Number.isFinite)).toBe(true);
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-4, label: `softmax ${m}×${k}` });
    }
  });

  it('backward (Jacobian-vector product) matches', async () => {
    const rng = new Rng(12);
    for (const [m, k] of SHAPES) {
      const [zg, zc] = pair(randomArray(rng, m * k, -3, 3), [m, k]);
      const [dg, dc] = pair(randomArray(rng, m * k), [m, k]);
      const sg = gpu.softmax(zg);
      const sc = cpu.softmax(zc);
      const [got, ref] = await both(gpu.softmaxBackward(dg, sg), cpu.softmaxBackward(dc, sc));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-4, label: `softmaxBackward ${m}×${k}` });
    }
  });
});
