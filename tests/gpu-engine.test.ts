// The WebGPU backend as the layers see it: which device ran, the lean-step counters
// (one submission per flush, readbacks only from read), errors that name the op and
// the shapes, device limits, large 1-D dispatches split into a 2-D grid, device loss
// and device errors surfaced on the next call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceLimitError, DeviceLostError, ShapeError } from '../src/engine/errors';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { GpuError } from '../src/engine/gpu/context';
import { nodeGPU } from '../src/engine/gpu/node';
import { createBackend } from '../src/engine/index';
import { Rng } from '../src/engine/random';
import { randomArray, randomOneHot } from './helpers/check';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[gpu-engine] backend ${gpu.kind} on ${gpu.deviceName}${gpu.isFallback ? ' (software adapter)' : ''}`);
});
afterAll(() => gpu?.destroy());

describe('WebGPU backend', () => {
  it('runs on a real WebGPU adapter and names it', () => {
    expect(gpu.kind).toBe('webgpu');
    expect(gpu.deviceName.length).toBeGreaterThan(0);
    // SwiftShader in this test environment; a hardware GPU elsewhere
    expect(gpu.isFallback).toBe(/swiftshader|llvmpipe|warp/i.test(gpu.deviceName));
  });

  it('a dense training step records into one submission; data comes back only through read()', async () => {
    const rng = new Rng(21);
    const [m, d, h, k] = [16, 20, 12, 5];
    const x = gpu.fromArray(randomArray(rng, m * d), [m, d]);
    const y = gpu.fromArray(randomOneHot(rng, m, k), [m, k]);
    const w1 = gpu.fromArray(randomArray(rng, d * h), [d, h]);
    const b1 = gpu.zeros([1, h]);
    const w2 = gpu.fromArray(randomArray(rng, h * k), [h, k]);
    const b2 = gpu.zeros([1, k]);
    gpu.flush();
    const s0 = { ...gpu.stats };

    const a1 = gpu.matmul(x, w1, { bias: b1, activation: 'relu' }); // 1
    const z2 = gpu.matmul(a1, w2, { bias: b2 }); // 2
    const { loss, probs } = gpu.softmaxCrossEntropy(z2, y); // 3
    const dz2 = gpu.softmaxCrossEntropyBackward(probs, y); // 4
    const dw2 = gpu.matmul(a1, dz2, { transA: true }); // 5
    const db2 = gpu.sumRows(dz2); // 6
    const da1 = gpu.matmul(dz2, w2, { transB: true }); // 7
    const dz1 = gpu.activationBackward(da1, a1, 'relu'); // 8
    const dw1 = gpu.matmul(x, dz1, { transA: true }); // 9
    const db1 = gpu.sumRows(dz1); // 10
    for (const [p, g] of [[w1, dw1], [b1, db1], [w2, dw2], [b2, db2]] as const) gpu.sgdUpdate(p, g, null, { lr: 0.1, momentum: 0 }); // 11–14

    expect(gpu.stats.submissions - s0.submissions).toBe(0);
    gpu.flush();
    expect(gpu.stats.dispatches - s0.dispatches).toBe(14);
    expect(gpu.stats.submissions - s0.submissions).toBe(1);
    expect(gpu.stats.readbacks - s0.readbacks).toBe(0);
    gpu.flush(); // nothing recorded: nothing submitted
    expect(gpu.stats.submissions - s0.submissions).toBe(1);

    const l = await gpu.read(loss);
    expect(gpu.stats.readbacks - s0.readbacks).toBe(1);
    expect(l[0]).toBeGreaterThan(0);
    await gpu.sync();
    expect(gpu.stats.readbacks - s0.readbacks).toBe(1);
  });

  it('shape mismatches name the op and both shapes', () => {
    const a = gpu.zeros([3, 4]);
    const b = gpu.zeros([5, 6]);
    const y = gpu.zeros([3, 5]);
    expect(() => gpu.matmul(a, b)).toThrow(ShapeError);
    expect(() => gpu.matmul(a, b)).toThrow(/matmul.*\(3, 4\).*\(5, 6\)/);
    expect(() => gpu.matmul(a, b, { transB: true })).toThrow(/matmul.*Bᵀ/);
    expect(() => gpu.axpby(1, a, 1, b)).toThrow(/axpby.*\(5, 6\).*\(3, 4\)/);
    expect(() => gpu.softmaxCrossEntropy(a, y)).toThrow(/softmaxCrossEntropy.*\(3, 5\).*\(3, 4\)/);
    expect(() => gpu.biasActivation(a, gpu.zeros([1, 5]), 'relu')).toThrow(/biasActivation.*bias.*\(1, 5\).*\(1, 4\)/);
    expect(() => gpu.softmax(gpu.zeros([2, 3, 4]))).toThrow(/softmax.*rank 2.*\(2, 3, 4\)/);
    expect(() => gpu.fromArray([1, 2, 3], [2, 2])).toThrow(/3 values.*\(2, 2\)/);
    expect(() => gpu.matmul(a, gpu.argmax(y))).toThrow(/must be f32/);
    // an in-place update may not read the tensor it writes
    const p = gpu.zeros([4]);
    expect(() => gpu.sgdUpdate(p, p, null, { lr: 1, momentum: 0 })).toThrow(/bound to both 'p' and 'g'/);
  });

  it('a tensor larger than the device can bind is refused, naming the limit and both numbers', () => {
    const limit = gpu.ctx.limits.maxStorageBufferBindingSize;
    const n = Math.floor(limit / 4) + 1;
    let err: unknown;
    try {
      gpu.zeros([n], 'too big');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceLimitError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/maxStorageBufferBindingSize|maxBufferSize/);
    expect(msg).toContain(String(n * 4));
    expect(msg).toMatch(new RegExp(String(limit < gpu.ctx.limits.maxBufferSize ? limit : gpu.ctx.limits.maxBufferSize)));
  });

  it('a 1-D op over more than 65535·64 elements runs as a 2-D grid and covers every element', async () => {
    const per = 64; // elementwise.wgsl workgroup size
    const n = gpu.ctx.limits.maxComputeWorkgroupsPerDimension * per + 1000;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 1024) - 512;
    const x = gpu.fromArray(data, [n]);
    const y = gpu.scale(x, 2);
    const got = await gpu.read(y);
    let bad = -1;
    for (let i = 0; i < n; i++) {
      if (got[i] !== 2 * data[i]!) {
        bad = i;
        break;
      }
    }
    expect(bad, bad >= 0 ? `element ${bad}: got ${got[bad]}, expected ${2 * data[bad]!}` : '').toBe(-1);
    gpu.dispose(x, y);
  });

  it('a device error (validation) is surfaced on the next call, not swallowed', async () => {
    gpu.ctx.device.createBuffer({ label: 'deliberately invalid', size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await expect(gpu.sync()).rejects.toThrow(GpuError);
    // reported once; the backend keeps working afterwards
    const t = gpu.fromArray([1, 2], [2]);
    expect(Array.from(await gpu.read(gpu.scale(t, 3)))).toEqual([3, 6]);
  });

  it('after device loss every call throws DeviceLostError with the reason', async () => {
    const other = await createWebGPUBackend(await nodeGPU());
    const t = other.fromArray([1, 2, 3], [3]);
    other.ctx.device.destroy(); // what a driver reset looks like from here
    await other.ctx.device.lost;
    expect(() => other.scale(t, 2)).toThrow(DeviceLostError);
    expect(() => other.scale(t, 2)).toThrow(/lost.*destroyed/);
    await expect(other.read(t)).rejects.toThrow(DeviceLostError);
    other.destroy();
  });

  it('createBackend picks WebGPU when it can and says why when it falls back to the CPU', async () => {
    const real = await nodeGPU();
    const ok = await createBackend({ gpu: real });
    expect(ok.backend.kind).toBe('webgpu');
    expect(ok.fallbackReason).toBeNull();
    ok.backend.destroy();

    const chosen = await createBackend({ prefer: 'cpu', gpu: real });
    expect(chosen.backend.kind).toBe('cpu');
    expect(chosen.fallbackReason).toBeNull();

    const absent = await createBackend({ gpu: null });
    expect(absent.backend.kind).toBe('cpu');
    expect(absent.fallbackReason).toMatch(/navigator\.gpu is missing/);

    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const na = await createBackend({ gpu: noAdapter });
    expect(na.backend.kind).toBe('cpu');
    expect(na.fallbackReason).toMatch(/no adapter/);

    const adapter = await real.requestAdapter();
    const failing = {
      requestAdapter: async () =>
        new Proxy(adapter!, {
          get: (target, prop) =>
            prop === 'requestDevice' ? async () => Promise.reject(new Error('out of device memory')) : Reflect.get(target, prop, target),
        }),
    } as unknown as GPU;
    const fd = await createBackend({ gpu: failing });
    expect(fd.backend.kind).toBe('cpu');
    expect(fd.fallbackReason).toMatch(/device request failed: out of device memory/);
  });
});
