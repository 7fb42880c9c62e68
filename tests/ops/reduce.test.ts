// Reductions on WebGPU (shaders/reduce.wgsl with lib/group_sum.wgsl, src/engine/ops/reduce)
// vs the float64 CPU reference: column sums reduced with subgroups and in workgroup memory,
// argmax, count-correct and the all-finite check.
import { describe, expect, it } from 'vitest';
import { both, constantsOf, cpu, gpu, pair, useGpu } from './backends';
import type { Tensor } from '../../src/engine/backend';
import type { GpuTensor } from '../../src/engine/gpu/context';
import { Rng } from '../../src/engine/random';
import { expectClose, randomArray, randomOneHot } from '../helpers/check';

useGpu('ops/reduce');


describe('sumRows vs CPU reference', () => {

  it('sumRows: column sums of tall, wide and single-row inputs, reduced with subgroups and in workgroup memory', async () => {
    const rng = new Rng(7);
    expect(gpu.hasSubgroups, 'the adapter offers subgroups').toBe(true);
    const saved = gpu.tuning;
    try {
      for (const subgroups of [true, false]) {
        gpu.tuning = { ...saved, subgroups };
        for (const [M, N] of [[1, 7], [64, 10], [1000, 3], [5, 300], [257, 1]] as const) {
          const [xg, xc] = pair(randomArray(rng, M * N), [M, N]);
          let g: Tensor | null = null;
          const [k] = constantsOf(() => void (g = gpu.sumRows(xg)));
          expect(k!.GROUP_SIZE).toBe(subgroups ? gpu.ctx.subgroupMinSize : 64);
          const [got, ref] = await both(g!, cpu.sumRows(xc));
          expectClose(got, ref, { atol: 2e-6 * Math.sqrt(M) + 1e-6, rtol: 1e-5, label: `sumRows ${M}×${N} subgroups=${subgroups}` });
        }
      }
    } finally {
      gpu.tuning = saved;
    }
  });

  it('group_sum with subgroups on a workgroup the device splits into several subgroups takes the workgroup-memory path', async () => {
    // 64 invocations in subgroups of 4: subgroupAdd alone would sum only 4 of them
    expect(gpu.ctx.subgroupMinSize).toBeLessThan(64);
    const rng = new Rng(44);
    const [M, N] = [300, 5];
    const [xg, xc] = pair(randomArray(rng, M * N), [M, N]);
    const out = gpu.zeros([1, N]);
    gpu.ctx.dispatch(
      { shader: 'reduce', entry: 'sum_rows', subgroups: true, constants: { GROUP_SIZE: 64 } },
      { bind: { x: xg as GpuTensor, out: out as GpuTensor }, params: { rows: M, cols: N }, groups: N },
    );
    const [got, ref] = await both(out, cpu.sumRows(xc));
    expectClose(got, ref, { atol: 2e-6 * Math.sqrt(M) + 1e-6, rtol: 1e-5, label: 'sumRows, subgroup helper, 64 invocations' });
  });
});

describe('evaluation reductions', () => {
  it('argmax per row (first maximum on ties) and countCorrect', async () => {
    const rng = new Rng(17);
    for (const [m, k] of [[1, 1], [1, 10], [64, 10], [700, 3]] as [number, number][]) {
      const s = randomArray(rng, m * k);
      if (m > 1 && k > 2) {
        s[0] = 0.5; s[1] = 0.9; s[2] = 0.9; // a tie in row 0: index 1 wins
      }
      const [sg, sc] = pair(s, [m, k]);
      const [yg, yc] = pair(randomOneHot(rng, m, k), [m, k]);
      const ag = gpu.argmax(sg);
      expect(ag.dtype).toBe('u32');
      let [got, ref] = await both(ag, cpu.argmax(sc));
      expect(Array.from(got)).toEqual(Array.from(ref));
      [got, ref] = await both(gpu.countCorrect(sg, yg), cpu.countCorrect(sc, yc));
      expect(got[0]).toBe(ref[0]);
    }
    // a perfect and a hopeless predictor on the same labels
    const y = randomOneHot(rng, 50, 4);
    const yt = gpu.fromArray(y, [50, 4]);
    expect((await gpu.read(gpu.countCorrect(yt, yt)))[0]).toBe(50);
    expect((await gpu.read(gpu.countCorrect(gpu.scale(yt, -1), yt)))[0]).toBe(0);
  });

  it('allFinite: 1 for finite data, 0 with a NaN, +Inf or −Inf anywhere', async () => {
    const rng = new Rng(18);
    const n = 5003;
    const base = randomArray(rng, n, -1e30, 1e30);
    expect((await gpu.read(gpu.allFinite(gpu.fromArray(base, [n]))))[0]).toBe(1);
    for (const [pos, bad] of [[0, NaN], [n - 1, Infinity], [2500, -Infinity], [4097, NaN]] as [number, number][]) {
      const data = Float32Array.from(base);
      data[pos] = bad;
      const t = gpu.fromArray(data, [n]);
      const c = cpu.fromArray(data, [n]);
      const [got, ref] = await both(gpu.allFinite(t), cpu.allFinite(c));
      expect(ref[0]).toBe(0);
      expect(got[0], `allFinite with ${bad} at ${pos}`).toBe(0);
    }
  });
});
