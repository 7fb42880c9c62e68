// Losses on WebGPU (shaders/cross_entropy.wgsl, src/engine/ops/losses) vs the float64 CPU
// reference: the fused and unfused cross-entropy paths (and their agreement), the loss with
// its gradient in one kernel, MSE.
import { describe, expect, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import { Rng } from '../../src/engine/random';
import { logits, ROW_SHAPES as SHAPES } from './inputs';
import { expectClose, randomArray, randomOneHot } from '../helpers/check';

useGpu('ops/losses');

/** random probability rows bounded away from 0 (the unfused CE divides by them) */
function probabilities(rng: Rng, m: number, k: number): Float64Array {
  const p = randomArray(rng, m * k, 0.05, 1);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += p[i * k + j]!;
    for (let j = 0; j < k; j++) p[i * k + j]! /= s;
  }
  return p;
}

describe('cross-entropy', () => {
  it('unfused loss and gradient −y/(m·ŷ) match', async () => {
    const rng = new Rng(13);
    for (const [m, k] of SHAPES) {
      const [pg, pc] = pair(probabilities(rng, m, k), [m, k]);
      const [yg, yc] = pair(randomOneHot(rng, m, k), [m, k]);
      let [got, ref] = await both(gpu.crossEntropy(pg, yg), cpu.crossEntropy(pc, yc));
      expect(got.length).toBe(1);
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `crossEntropy ${m}×${k}` });
      [got, ref] = await both(gpu.crossEntropyBackward(pg, yg), cpu.crossEntropyBackward(pc, yc));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `crossEntropyBackward ${m}×${k}` });
    }
  });

  it('unfused gradient: exactly 0 where y = 0 even where ŷ underflowed to 0; where a target ŷ is 0 the loss is +∞ and the gradient finite', async () => {
    const rng = new Rng(21);
    for (const [m, k] of [[1, 2], [37, 5], [300, 17]] as [number, number][]) {
      const y = randomOneHot(rng, m, k);
      const p = probabilities(rng, m, k);
      // every non-target ŷ of the even rows underflowed (0, or a float32 subnormal)
      for (let i = 0; i < m; i += 2) for (let j = 0; j < k; j++) if (y[i * k + j] === 0) p[i * k + j] = j % 2 ? 0 : 1e-45;
      const [pg, pc] = pair(p, [m, k]);
      const [yg, yc] = pair(y, [m, k]);
      const [dg, dc] = await both(gpu.crossEntropyBackward(pg, yg), cpu.crossEntropyBackward(pc, yc));
      for (let e = 0; e < m * k; e++) {
        if (y[e] === 0) {
          expect(dg[e], `WebGPU (${m}, ${k}) element ${e}`).toBe(0);
          expect(dc[e], `CPU (${m}, ${k}) element ${e}`).toBe(0);
        }
      }
      expectClose(dg, dc, { atol: 1e-6, rtol: 1e-5, label: `dL/dŷ (${m}, ${k})` });
      const [lg, lc] = await both(gpu.crossEntropy(pg, yg), cpu.crossEntropy(pc, yc));
      expectClose(lg, lc, { atol: 1e-5, rtol: 1e-5, label: `loss (${m}, ${k})` });
      // now the target of row 0 underflows too
      const p0 = Float32Array.from(p);
      for (let j = 0; j < k; j++) if (y[j] === 1) p0[j] = 0;
      const [qg, qc] = pair(p0, [m, k]);
      const [ug, uc] = await both(gpu.crossEntropy(qg, yg), cpu.crossEntropy(qc, yc));
      expect([ug[0], uc[0]]).toEqual([Infinity, Infinity]);
      const [gg, gc] = await both(gpu.crossEntropyBackward(qg, yg), cpu.crossEntropyBackward(qc, yc));
      expect(Array.from(gg).every(Number.isFinite), 'WebGPU gradient finite').toBe(true);
      expect(Array.from(gc).every(Number.isFinite), 'CPU gradient finite').toBe(true);
    }
  });

  it('fused softmax–cross-entropy: loss, probabilities and (probs − y)/m match, large logits included', async () => {
    const rng = new Rng(14);
    for (const [m, k] of [...SHAPES, [1000, 10] as [number, number]]) {
      const [zg, zc] = pair(logits(rng, m, k), [m, k]);
      const [yg, yc] = pair(randomOneHot(rng, m, k), [m, k]);
      const g = gpu.softmaxCrossEntropy(zg, yg);
      const c = cpu.softmaxCrossEntropy(zc, yc);
      let [got, ref] = await both(g.loss, c.loss);
      expect(Number.isFinite(got[0])).toBe(true);
      expectClose(got, ref, { atol: 1e-5, rtol: 1e-5, label: `softmaxCrossEntropy loss ${m}×${k}` });
      [got, ref] = await both(g.probs, c.probs);
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-4, label: `softmaxCrossEntropy probs ${m}×${k}` });
      [got, ref] = await both(gpu.softmaxCrossEntropyBackward(g.probs, yg), cpu.softmaxCrossEntropyBackward(c.probs, yc));
      expectClose(got, ref, { atol: 1e-7, rtol: 1e-4, label: `softmaxCrossEntropyBackward ${m}×${k}` });
    }
  });

  it('softmax–cross-entropy forward and backward in one dispatch: loss, probs and dZ = (probs − y)/m', async () => {
    const rng = new Rng(19);
    for (const [m, k] of [...SHAPES, [600, 10] as [number, number]]) {
      const [zg, zc] = pair(logits(rng, m, k), [m, k]);
      const [yg, yc] = pair(randomOneHot(rng, m, k), [m, k]);
      const d0 = gpu.stats.dispatches;
      const g = gpu.softmaxCrossEntropy(zg, yg, { grad: true });
      expect(gpu.stats.dispatches - d0, 'one dispatch for loss, probs and dZ').toBe(1);
      const c = cpu.softmaxCrossEntropy(zc, yc, { grad: true });
      expect(g.dz?.shape).toEqual([m, k]);
      let [got, ref] = await both(g.loss, c.loss);
      expectClose(got, ref, { atol: 1e-5, rtol: 1e-5, label: `softmaxCrossEntropy+grad loss ${m}×${k}` });
      [got, ref] = await both(g.probs, c.probs);
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-4, label: `softmaxCrossEntropy+grad probs ${m}×${k}` });
      [got, ref] = await both(g.dz!, c.dz!);
      expectClose(got, ref, { atol: 1e-7, rtol: 1e-4, label: `softmaxCrossEntropy+grad dZ ${m}×${k}` });
      // the same numbers as the two-kernel path
      expectClose(got, await gpu.read(gpu.softmaxCrossEntropyBackward(g.probs, yg)), { atol: 0, rtol: 0, label: `dZ fused vs separate kernel ${m}×${k}` });
      gpu.dispose(zg, yg, g.loss, g.probs, g.dz);
    }
  });

  it('fused and unfused paths agree on moderate logits (loss and dL/dZ)', async () => {
    const rng = new Rng(15);
    const [m, k] = [32, 10];
    const z = gpu.fromArray(randomArray(rng, m * k, -4, 4), [m, k]);
    const y = gpu.fromArray(randomOneHot(rng, m, k), [m, k]);
    const fused = gpu.softmaxCrossEntropy(z, y);
    const dzFused = gpu.softmaxCrossEntropyBackward(fused.probs, y);
    const sigma = gpu.softmax(z);
    const lossUnfused = gpu.crossEntropy(sigma, y);
    const dzUnfused = gpu.softmaxBackward(gpu.crossEntropyBackward(sigma, y), sigma);
    expectClose(await gpu.read(lossUnfused), await gpu.read(fused.loss), { atol: 1e-5, rtol: 1e-5, label: 'loss fused vs unfused' });
    expectClose(await gpu.read(dzUnfused), await gpu.read(dzFused), { atol: 1e-5, rtol: 1e-3, label: 'dZ fused vs unfused' });
  });
});

describe('mse', () => {
  it('loss (1/2m)Σ(ŷ − y)² and gradient (ŷ − y)/m match', async () => {
    const rng = new Rng(16);
    for (const [m, k] of SHAPES) {
      const [pg, pc] = pair(randomArray(rng, m * k, -2, 2), [m, k]);
      const [yg, yc] = pair(randomArray(rng, m * k, -2, 2), [m, k]);
      let [got, ref] = await both(gpu.mse(pg, yg), cpu.mse(pc, yc));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `mse ${m}×${k}` });
      [got, ref] = await both(gpu.mseBackward(pg, yg), cpu.mseBackward(pc, yc));
      expectClose(got, ref, { atol: 1e-7, rtol: 1e-5, label: `mseBackward ${m}×${k}` });
    }
  });
});
