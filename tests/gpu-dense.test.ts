// Dense algebra on WebGPU vs the float64 CPU reference, on the same random inputs:
// matmul in every transpose mode with fused epilogues, elementwise kernels, column
// sums and the optimizers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activation, Backend, MatmulOptions, Tensor } from '../src/engine/backend';
import { ACTIVATIONS } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { Rng } from '../src/engine/random';
import { expectClose, randomArray } from './helpers/check';

let gpu: WebGPUBackend;
const cpu = createCpuBackend();
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[gpu-dense] backend ${gpu.kind} on ${gpu.deviceName}${gpu.isFallback ? ' (software)' : ''}`);
});
afterAll(() => gpu?.destroy());

/** the same inputs on both backends */
function pair(data: ArrayLike<number>, shape: number[]): [Tensor, Tensor] {
  const f32 = Float32Array.from(data); // both backends get the same (float32) values
  return [gpu.fromArray(f32, shape), cpu.fromArray(f32, shape)];
}

async function both(g: Tensor, c: Tensor): Promise<[Float32Array | Float64Array, Float32Array | Float64Array]> {
  return [await gpu.read(g), await cpu.read(c)];
}

// float32 accumulation over K terms of size ≤ 1: the error grows like √K
const matmulTol = (K: number) => ({ atol: 3e-5 * Math.sqrt(K), rtol: 1e-4 });

async function checkMatmul(rng: Rng, M: number, K: number, N: number, opts: Omit<MatmulOptions, 'bias'> & { bias?: boolean }) {
  const aShape = opts.transA ? [K, M] : [M, K];
  const bShape = opts.transB ? [N, K] : [K, N];
  const [ag, ac] = pair(randomArray(rng, M * K), aShape);
  const [bg, bc] = pair(randomArray(rng, K * N), bShape);
  const [biasg, biasc] = opts.bias ? pair(randomArray(rng, N), [1, N]) : [undefined, undefined];
  const base = { transA: opts.transA, transB: opts.transB, activation: opts.activation };
  const g = gpu.matmul(ag, bg, { ...base, bias: biasg });
  const c = cpu.matmul(ac, bc, { ...base, bias: biasc });
  expect(g.shape).toEqual([M, N]);
  const [got, ref] = await both(g, c);
  const mode = `${opts.transA ? 'Aᵀ' : 'A'}·${opts.transB ? 'Bᵀ' : 'B'}`;
  expectClose(got, ref, { ...matmulTol(K), label: `matmul ${M}×${K}×${N} ${mode} bias=${!!opts.bias} ${opts.activation ?? 'linear'}` });
  gpu.dispose(ag, bg, biasg, g);
}

describe('matmul vs CPU reference', () => {
  it('7×600×513 in every transpose mode (a dimension above 512, none a multiple of the tile)', async () => {
    const rng = new Rng(1);
    for (const transA of [false, true]) for (const transB of [false, true]) await checkMatmul(rng, 7, 600, 513, { transA, transB });
  });

  it('batch 1, odd sizes, exact tile multiples, K smaller than a slice', async () => {
    const rng = new Rng(2);
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 17, 5],
      [1, 784, 10],
      [3, 5, 2],
      [65, 33, 67],
      [64, 64, 64],
      [128, 16, 64],
      [130, 3, 129],
      [33, 200, 1],
    ];
    for (const [M, K, N] of shapes) {
      await checkMatmul(rng, M, K, N, {});
      await checkMatmul(rng, M, K, N, { transA: true });
      await checkMatmul(rng, M, K, N, { transB: true });
    }
  });

  it('fused epilogue: bias + every activation, with and without transposes', async () => {
    const rng = new Rng(3);
    for (const activation of ACTIVATIONS) {
      await checkMatmul(rng, 33, 70, 19, { bias: true, activation });
      await checkMatmul(rng, 70, 9, 65, { bias: false, activation });
    }
    await checkMatmul(rng, 66, 45, 20, { bias: true, activation: 'relu', transA: true, transB: true });
  });

  it('large pre-activations saturate sigmoid and tanh without NaN', async () => {
    const x = [-200, -30, -1, 0, 1, 30, 200];
    const [ag, ac] = pair(x, [7, 1]);
    const [bg, bc] = pair([1], [1, 1]);
    for (const activation of ['sigmoid', 'tanh'] as Activation[]) {
      const [got, ref] = await both(gpu.matmul(ag, bg, { activation }), cpu.matmul(ac, bc, { activation }));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `matmul epilogue ${activation}` });
    }
  });
});

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

  it('sumRows: column sums of tall, wide and single-row inputs', async () => {
    const rng = new Rng(7);
    for (const [M, N] of [[1, 7], [64, 10], [1000, 3], [5, 300], [257, 1]] as const) {
      const [xg, xc] = pair(randomArray(rng, M * N), [M, N]);
      const [got, ref] = await both(gpu.sumRows(xg), cpu.sumRows(xc));
      expectClose(got, ref, { atol: 2e-6 * Math.sqrt(M) + 1e-6, rtol: 1e-5, label: `sumRows ${M}×${N}` });
    }
  });
});

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
