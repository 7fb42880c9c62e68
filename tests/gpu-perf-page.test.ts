// The Performance page's measurement (src/notebook/chapters/perf/measure.ts) on Dawn
// (SwiftShader here): LeNet's lean step counts 20 dispatches, one submission and no
// readback per step; the profiled step has one timing per dispatch; the Iris net's step
// is 7 dispatches; progress goes warm-up → steps → profile; bad settings are refused;
// on the CPU reference the counters still come out, with no kernels to time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { median } from '../src/engine/stats';
import { kernelRows, measureTraining, type PerfProgress } from '../src/notebook/chapters/perf/measure';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
});
afterAll(() => gpu?.destroy());

describe('measureTraining on WebGPU', () => {
  it('LeNet, batch 4, 2 steps: 20 dispatches, 1 submission, 0 readbacks per step; 20 kernels profiled', async () => {
    const seen: PerfProgress[] = [];
    const r = await measureTraining(gpu, { model: 'lenet', batch: 4, steps: 2 }, (p) => seen.push(p));
    expect(r.perStep).toEqual({ dispatches: 20, submissions: 1, readbacks: 0 });
    expect(r.stepMs).toHaveLength(2);
    expect(r.medianMs).toBe(median(r.stepMs));
    expect(r.examplesPerSecond).toBeCloseTo((4 / r.medianMs) * 1000, 9);
    expect(Number.isFinite(r.loss) && r.loss > 0).toBe(true);
    expect(r.backendKind).toBe('webgpu');
    expect(r.isFallback).toBe(true);
    expect(r.matmulKernel).toBe('registers');
    expect(r.convBackwardKernel).toBe('blocked');
    // a full MNIST epoch (60000 training images) at the measured rate
    expect(r.epochSeconds).toBeCloseTo(60000 / r.examplesPerSecond, 9);
    expect(r.profile.source).toBe('timestamp-query');
    expect(r.profile.timings).toHaveLength(20);
    // the conv backward that ran: conv1 (no dX, rows split: + the chunk reduce), conv2 (dW, db and dX)
    const convBackward = r.profile.timings.filter((t) => t.kernel === 'conv_backward' || t.entry === 'conv2d_weight_grad_reduce');
    expect(convBackward.map((t) => `${t.kernel}:${t.entry}`).sort()).toEqual([
      'conv2d:conv2d_weight_grad_reduce',
      'conv_backward:conv2d_backward_blocked',
      'conv_backward:conv2d_backward_blocked',
    ]);
    const rows = kernelRows(r.profile);
    expect(rows).toHaveLength(20);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.ms).toBeGreaterThanOrEqual(rows[i]!.ms);
    expect(rows.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 9);
    expect(seen.map((p) => p.phase)).toEqual(['warmup', 'steps', 'steps', 'profile']);
    expect(seen.filter((p) => p.phase === 'steps').map((p) => p.done)).toEqual([0, 1]);
  });

  it('the Iris net, batch 30: 7 dispatches per step, each profiled', async () => {
    const r = await measureTraining(gpu, { model: 'iris', batch: 30, steps: 3 }, () => {});
    expect(r.perStep).toEqual({ dispatches: 7, submissions: 1, readbacks: 0 });
    expect(r.epochSeconds).toBeCloseTo(150 / r.examplesPerSecond, 9);
    expect(r.profile.timings.map((t) => t.kernel)).toEqual(['matmul', 'matmul', 'cross_entropy', 'matmul', 'matmul', 'matmul', 'optimizers']);
    expect(r.profile.timings.every((t) => Number.isFinite(t.ms) && t.ms >= 0)).toBe(true);
  });

  it('refuses bad settings before touching the device', async () => {
    const d0 = gpu.stats.dispatches;
    await expect(measureTraining(gpu, { model: 'lenet', batch: 0, steps: 2 })).rejects.toThrow(/batch size must be an integer from 1 to 512, got 0/);
    await expect(measureTraining(gpu, { model: 'lenet', batch: 8, steps: 1.5 })).rejects.toThrow(/steps must be an integer from 1 to 100, got 1.5/);
    await expect(measureTraining(gpu, { model: 'resnet' as 'lenet', batch: 8, steps: 1 })).rejects.toThrow(/unknown model 'resnet'; known: lenet, iris/);
    expect(gpu.stats.dispatches).toBe(d0);
  });

  it('stops between steps when aborted, and leaves profiling off', async () => {
    const ac = new AbortController();
    const run = measureTraining(gpu, { model: 'iris', batch: 8, steps: 50 }, (p) => {
      if (p.phase === 'steps' && p.done === 2) ac.abort();
    }, ac.signal);
    await expect(run).rejects.toThrow(/stopped/);
    expect(gpu.profiling).toBe(false);
  });
});

describe('measureTraining on the CPU reference', () => {
  it('counts the steps and says there is nothing to time', async () => {
    const r = await measureTraining(createCpuBackend(), { model: 'iris', batch: 10, steps: 2 });
    expect(r.backendKind).toBe('cpu');
    expect(r.matmulKernel).toBeNull();
    expect(r.convBackwardKernel).toBeNull();
    // the CPU reference counts every op's result as a "dispatch"
    expect(r.perStep.dispatches).toBeGreaterThan(7);
    expect(r.profile.source).toBe('none');
    expect(kernelRows(r.profile)).toEqual([]);
  });
});
