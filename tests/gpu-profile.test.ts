// Per-kernel GPU times of a profiled step (beginProfile … endProfile), on Dawn
// (SwiftShader here, which has 'timestamp-query'; the suite fails, never skips, without
// an adapter):
//   - with timestamps: one timing per dispatch, in recording order, labels and kernels
//     those of the dispatches, every time finite and ≥ 0, the results unchanged;
//   - a lean LeNet step profiled: its 20 dispatches, each timed;
//   - without the feature (a device made without it): the CPU-side estimate, one per
//     dispatch, with a note that says so;
//   - off by default; begin/end out of order throw; the CPU reference has nothing to time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepProfile, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { kernelsOf } from './ops/backends';
import { nodeGPU } from '../src/engine/gpu/node';
import { Rng } from '../src/engine/random';
import { NeuralNetwork, type LayerConfig } from '../src/nn';
import { expectClose, randomArray, randomOneHot } from './helpers/check';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[gpu-profile] ${gpu.deviceName}; timestamp-query: ${gpu.ctx.hasTimestamps}`);
});
afterAll(() => gpu?.destroy());

/** runs fn on `be`, returning the kernel and label of every dispatch it recorded */
function dispatchesOf(be: WebGPUBackend, fn: () => void): { kernel: string; entry: string; label: string }[] {
  // told by the op hook; a kernel dispatched without a label is named by its pipeline key
  return kernelsOf(fn, be).map((k) => ({ kernel: k.shader, entry: k.entry, label: k.label! }));
}

function checkTimings(p: StepProfile, expected: { kernel: string; entry: string; label: string }[], what: string): void {
  expect(p.timings.length, `${what}: one timing per dispatch`).toBe(expected.length);
  p.timings.forEach((t, i) => {
    expect({ kernel: t.kernel, entry: t.entry, label: t.label }, `${what}: dispatch ${i}`).toEqual(expected[i]);
    expect(Number.isFinite(t.ms) && t.ms >= 0, `${what}: ${t.label} took ${t.ms} ms`).toBe(true);
  });
  expect(p.totalMs).toBeCloseTo(p.timings.reduce((a, t) => a + t.ms, 0), 9);
  expect(p.wallMs).toBeGreaterThan(0);
}

describe('profiling with timestamp queries', () => {
  it('the device has timestamp-query, and profiling is off until asked for', () => {
    expect(gpu.ctx.hasTimestamps, 'Dawn on SwiftShader offers timestamp-query').toBe(true);
    expect(gpu.profiling).toBe(false);
  });

  it('a few ops: one timing per dispatch, labels and kernels of the dispatches, ≥ 0 ms; results as without profiling', async () => {
    const rng = new Rng(1);
    const cpu = createCpuBackend();
    const [M, K, N] = [70, 130, 50];
    const a = Float32Array.from(randomArray(rng, M * K));
    const b = Float32Array.from(randomArray(rng, K * N));
    const bias = Float32Array.from(randomArray(rng, N));
    const ag = gpu.fromArray(a, [M, K]);
    const bg = gpu.fromArray(b, [K, N]);
    const biasg = gpu.fromArray(bias, [1, N]);
    await gpu.sync();

    const d0 = gpu.stats.dispatches;
    gpu.beginProfile();
    expect(gpu.profiling).toBe(true);
    let z: Tensor | null = null;
    let s: Tensor | null = null;
    const rec = dispatchesOf(gpu, () => {
      z = gpu.matmul(ag, bg, { bias: biasg, activation: 'relu' });
      s = gpu.softmax(z);
      gpu.dispose(gpu.scale(s, 2));
    });
    const p = await gpu.endProfile();
    expect(gpu.profiling).toBe(false);
    expect(rec.map((r) => r.kernel)).toEqual(['matmul', 'softmax', 'elementwise']);
    expect(gpu.stats.dispatches - d0).toBe(3);
    expect(p.source).toBe('timestamp-query');
    expect(p.note).toMatch(/timestamp/);
    checkTimings(p, rec, 'matmul → softmax → scale');
    expect(p.timings[0]!.label).toBe(`matmul ${M}×${K}·${K}×${N}`);
    // the SwiftShader matmul of 70×130×50 takes measurable time
    expect(p.timings[0]!.ms).toBeGreaterThan(0);

    const zc = cpu.matmul(cpu.fromArray(a, [M, K]), cpu.fromArray(b, [K, N]), { bias: cpu.fromArray(bias, [1, N]), activation: 'relu' });
    expectClose(await gpu.read(z!), await cpu.read(zc), { atol: 1e-4, rtol: 1e-4, label: 'matmul under profiling' });
    expectClose(await gpu.read(s!), await cpu.read(cpu.softmax(zc)), { atol: 1e-6, rtol: 1e-4, label: 'softmax under profiling' });
    gpu.dispose(ag, bg, biasg, z, s);
  });

  it('a lean LeNet training step (batch 8): its 20 dispatches, each timed; the next step is lean again', async () => {
    const LENET: LayerConfig[] = [
      { type: 'conv2d', nOut: 6, kernel: 5, pad: 'same', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
      { type: 'conv2d', nOut: 16, kernel: 5, pad: 'valid', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
      { type: 'flatten' },
      { type: 'fc', nOut: 120, activation: 'relu' },
      { type: 'fc', nOut: 84, activation: 'relu' },
      { type: 'fc', nOut: 10, activation: 'softmax' },
    ];
    const rng = new Rng(2);
    const m = 8;
    const model = new NeuralNetwork(gpu, { layers: LENET, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, seed: 3 });
    const x = gpu.fromArray(Float32Array.from(randomArray(rng, m * 784, 0, 1)), [m, 28, 28, 1]);
    const y = gpu.fromArray(Float32Array.from(randomOneHot(rng, m, 10)), [m, 10]);
    gpu.dispose(model.trainStep(x, y)); // builds the parameters, compiles the pipelines
    await gpu.sync();

    gpu.beginProfile();
    const rec = dispatchesOf(gpu, () => gpu.dispose(model.trainStep(x, y)));
    const p = await gpu.endProfile();
    expect(rec.length).toBe(20);
    checkTimings(p, rec, 'LeNet step');
    // conv2d: the implicit forward and the chunk reduce of conv1's weight gradient; conv_backward: both convs' backward
    expect(new Set(p.timings.map((t) => t.kernel))).toEqual(new Set(['conv2d', 'conv_backward', 'pool', 'matmul', 'cross_entropy', 'optimizers']));
    console.log(
      '[gpu-profile] LeNet step, batch 8: ' + p.timings.map((t) => `${t.label} ${t.ms.toFixed(2)} ms`).join('; ') + ` — Σ ${p.totalMs.toFixed(1)} ms`,
    );

    const s0 = { ...gpu.stats };
    gpu.dispose(model.trainStep(x, y));
    gpu.flush();
    expect(gpu.stats.dispatches - s0.dispatches).toBe(20);
    expect(gpu.stats.submissions - s0.submissions, 'unprofiled: one submission').toBe(1);
    await gpu.sync();
    model.dispose();
    gpu.dispose(x, y);
  });

  it('a read inside the profiled work resolves the timestamps recorded so far; the profile holds them all', async () => {
    const t = gpu.fromArray([1, 2, 3, 4], [2, 2]);
    gpu.beginProfile();
    let rec = dispatchesOf(gpu, () => {
      const u = gpu.scale(t, 3);
      void gpu.read(u).then((v) => expect(Array.from(v)).toEqual([3, 6, 9, 12]));
      gpu.dispose(u);
    });
    rec = rec.concat(dispatchesOf(gpu, () => gpu.dispose(gpu.axpby(1, t, 1, t))));
    const p = await gpu.endProfile();
    checkTimings(p, rec, 'scale, read, axpby');
    gpu.dispose(t);
  });

  it('begin twice or end without begin throws', async () => {
    await expect(gpu.endProfile()).rejects.toThrow(/endProfile: no profile is being recorded; call beginProfile\(\) first/);
    gpu.beginProfile();
    expect(() => gpu.beginProfile()).toThrow(/beginProfile: a profile is already being recorded/);
    const p = await gpu.endProfile();
    expect(p.timings).toEqual([]);
  });
});

describe('profiling without timestamp queries', () => {
  let plain: WebGPUBackend;
  beforeAll(async () => {
    plain = await createWebGPUBackend(await nodeGPU(), { timestamps: false });
  });
  afterAll(() => plain?.destroy());

  it('times each dispatch on the CPU (one submission each) and says so', async () => {
    expect(plain.ctx.hasTimestamps).toBe(false);
    const rng = new Rng(4);
    const a = plain.fromArray(Float32Array.from(randomArray(rng, 40 * 60)), [40, 60]);
    await plain.sync();
    const s0 = plain.stats.submissions;
    plain.beginProfile();
    const rec = dispatchesOf(plain, () => {
      const b = plain.matmul(a, a, { transB: true });
      plain.dispose(plain.softmax(b), b);
    });
    const p = await plain.endProfile();
    expect(p.source).toBe('cpu');
    expect(p.note).toMatch(/no 'timestamp-query'/);
    expect(plain.stats.submissions - s0, 'one submission per dispatch').toBe(2);
    checkTimings(p, rec, 'CPU-timed matmul → softmax');
    plain.dispose(a);
  });
});

describe('the CPU reference', () => {
  it('has no kernels to time, and says so', async () => {
    const cpu = createCpuBackend();
    cpu.beginProfile();
    expect(cpu.profiling).toBe(true);
    cpu.matmul(cpu.fromArray([1, 2], [1, 2]), cpu.fromArray([3, 4], [2, 1]));
    const p = await cpu.endProfile();
    expect(p.source).toBe('none');
    expect(p.timings).toEqual([]);
    expect(p.note).toMatch(/CPU reference/);
    expect(cpu.profiling).toBe(false);
  });
});
