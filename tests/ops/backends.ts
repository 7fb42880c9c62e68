// The two backends a kernel test compares, on the same inputs: the WebGPU backend on
// Dawn (created before a file's tests, destroyed after them) and the float64 CPU
// reference.
import { afterAll, beforeAll, expect } from 'vitest';
import type { OpKernel, Tensor } from '../../src/engine/backend';
import { createCpuBackend } from '../../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../../src/engine/gpu/node';

/** the WebGPU backend of the running test file (set by useGpu's beforeAll) */
export let gpu: WebGPUBackend;
export const cpu = createCpuBackend();

/** creates `gpu` before the file's tests and names its adapter in the log; destroys it after */
export function useGpu(tag: string): void {
  beforeAll(async () => {
    gpu = await createWebGPUBackend(await nodeGPU());
    console.log(`[${tag}] backend ${gpu.kind} on ${gpu.deviceName}${gpu.isFallback ? ' (software)' : ''}`);
  });
  afterAll(() => gpu?.destroy());
}

/** the same (float32) inputs on both backends */
export function pair(data: ArrayLike<number>, shape: number[]): [Tensor, Tensor] {
  const f32 = Float32Array.from(data); // both backends get the same (float32) values
  return [gpu.fromArray(f32, shape), cpu.fromArray(f32, shape)];
}

/** the GPU's and the CPU's values of one result */
export async function both(g: Tensor, c: Tensor): Promise<[Float32Array | Float64Array, Float32Array | Float64Array]> {
  expect(g.shape).toEqual(c.shape);
  return [await gpu.read(g), await cpu.read(c)];
}

/**
 * Runs fn (calls of backend ops) on `be` (default: gpu), returning every kernel its ops
 * dispatched, in order: told by the op hook, backend.onOp.
 */
export function kernelsOf(fn: () => void, be: WebGPUBackend = gpu): OpKernel[] {
  const seen: OpKernel[] = [];
  const off = be.onOp({ end: (e) => seen.push(...e.kernels) });
  try {
    fn();
  } finally {
    off();
  }
  return seen;
}

/** the override constants (and, as `entry`, the entry point) of every kernel fn's ops dispatched */
export function constantsOf(fn: () => void): Record<string, number | boolean | string>[] {
  return kernelsOf(fn).map((k) => ({ ...(k.constants ?? {}), entry: k.entry }));
}
