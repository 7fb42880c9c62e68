// The nn package on WebGPU agrees with the float64 CPU reference: the same layers with
// the same (float32-representable) parameters and inputs, forward outputs, dX and every
// parameter gradient within float32 tolerance; then a whole model trained a few steps on
// both, losses and parameters compared after every step. Runs on the adapter Dawn gives
// (SwiftShader here); it fails, never skips, without one.
//
// Tolerance: |gpu − cpu| ≤ atol + rtol·|cpu| with atol = 3e-5·√K, rtol = 1e-4, K the
// longest sum behind an entry (float32 accumulation error grows like √K).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import type { Shape } from '../src/engine/geometry';
import { sizeOf } from '../src/engine/geometry';
import { Rng } from '../src/engine/random';
import { createLayer, type Layer, type LayerConfig, type ModelConfig, NeuralNetwork } from '../src/nn';
import { expectClose, randomArray, randomOneHot } from './helpers/check';

let gpu: WebGPUBackend;
const cpu = createCpuBackend();

beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[nn-backends] ${gpu.kind} on ${gpu.deviceName}${gpu.isFallback ? ' (software adapter)' : ''}`);
});
afterAll(() => gpu?.destroy());

const tol = (K: number, label: string) => ({ atol: 3e-5 * Math.sqrt(K), rtol: 1e-4, label });

/** the same float32 values on both backends */
function pair(data: ArrayLike<number>, shape: Shape): [Tensor, Tensor] {
  const f32 = Float32Array.from(data);
  return [cpu.fromArray(f32, shape), gpu.fromArray(f32, shape)];
}

async function compare(c: Tensor, g: Tensor, K: number, label: string): Promise<void> {
  expect(g.shape, `${label}: shape`).toEqual(c.shape);
  expectClose(await gpu.read(g), await cpu.read(c), tol(K, label));
}

/** copies the CPU layer's parameters, rounded to float32, into both layers */
async function sameParameters(c: Layer, g: Layer): Promise<void> {
  for (const [key, t] of Object.entries(c.parameters)) {
    const v = Float32Array.from(await cpu.read(t));
    c.setParameters({ [key]: v });
    g.setParameters({ [key]: v });
  }
}

interface LayerCase {
  name: string;
  config: LayerConfig;
  input: Shape;
  /** longest sums: forward output, dX, dW */
  k: { y: number; dx: number; dw: number };
}

const CASES: LayerCase[] = [
  ...(['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const).map(
    (activation): LayerCase => ({
      name: `fc ${activation} (37, 70) → 45`,
      config: { type: 'fc', nOut: 45, activation },
      input: [37, 70],
      k: { y: 70, dx: 45, dw: 37 },
    }),
  ),
  {
    name: 'conv2d relu 3×3 same, (3, 9, 7, 3) → 5 filters',
    config: { type: 'conv2d', nOut: 5, kernel: 3, stride: 1, pad: 'same', activation: 'relu' },
    input: [3, 9, 7, 3],
    k: { y: 27, dx: 45, dw: 3 * 9 * 7 },
  },
  {
    name: 'conv2d tanh 5×3 stride 2 pad 1, (2, 10, 8, 4) → 6 filters',
    config: { type: 'conv2d', nOut: 6, kernel: [5, 3], stride: 2, pad: 1, activation: 'tanh' },
    input: [2, 10, 8, 4],
    k: { y: 60, dx: 90, dw: 2 * 4 * 4 },
  },
  {
    name: 'conv2d linear 2×2 valid, (4, 6, 5, 1) → 3 filters',
    config: { type: 'conv2d', nOut: 3, kernel: 2, stride: 1, pad: 'valid', activation: 'linear' },
    input: [4, 6, 5, 1],
    k: { y: 4, dx: 12, dw: 4 * 5 * 4 },
  },
  {
    name: 'pool2d max 2×2 stride 2, (3, 8, 6, 4)',
    config: { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
    input: [3, 8, 6, 4],
    k: { y: 1, dx: 1, dw: 1 },
  },
  {
    name: 'pool2d max 3×3 stride 2 same, (2, 7, 9, 2)',
    config: { type: 'pool2d', mode: 'max', kernel: 3, stride: 2, pad: 'same' },
    input: [2, 7, 9, 2],
    k: { y: 1, dx: 4, dw: 1 },
  },
  {
    name: 'pool2d average 3×2 stride 1 pad 1, (2, 5, 6, 3)',
    config: { type: 'pool2d', mode: 'average', kernel: [3, 2], stride: 1, pad: 1 },
    input: [2, 5, 6, 3],
    k: { y: 6, dx: 6, dw: 1 },
  },
  {
    name: 'flatten (2, 3, 4, 5)',
    config: { type: 'flatten' },
    input: [2, 3, 4, 5],
    k: { y: 1, dx: 1, dw: 1 },
  },
];

describe('nn layers: WebGPU vs CPU reference', () => {
  it('the GPU backend is WebGPU (no silent fallback to the CPU)', () => {
    expect(gpu.kind).toBe('webgpu');
    expect(gpu.deviceName.length).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: Y, dX and gradients', async (_name, c) => {
    const rng = new Rng(sizeOf(c.input));
    const lc = createLayer(cpu, c.config, { name: 'cpu', seed: 5 });
    const lg = createLayer(gpu, c.config, { name: 'gpu', seed: 5 });
    const [xc, xg] = pair(
      c.config.type === 'pool2d' && c.config.mode === 'max' ? distinct(rng, sizeOf(c.input)) : randomArray(rng, sizeOf(c.input)),
      c.input,
    );
    lc.build(xc.shape);
    lg.build(xg.shape);
    await sameParameters(lc, lg);
    const yc = lc.forward(xc);
    const yg = lg.forward(xg);
    await compare(yc, yg, c.k.y, `${c.name} Y`);
    const [dyc, dyg] = pair(randomArray(rng, yc.size), yc.shape);
    const dxc = lc.backward(dyc);
    const dxg = lg.backward(dyg);
    await compare(dxc, dxg, c.k.dx, `${c.name} dX`);
    expect(Object.keys(lg.gradients).sort()).toEqual(Object.keys(lc.gradients).sort());
    for (const key of Object.keys(lc.gradients)) {
      await compare(lc.gradients[key]!, lg.gradients[key]!, key === 'b' ? sizeOf(yc.shape.slice(0, -1)) : c.k.dw, `${c.name} d${key}`);
    }
    gpu.dispose(xg, dyg, dxg);
    lg.dispose();
  });
});

/** the longest sum in a training step: a weight's fan-in (forward) or batch × output positions (dW) */
function longestSum(model: NeuralNetwork, input: Shape): number {
  let k = 1;
  let shape = input;
  for (const layer of model.layers) {
    const out = layer.outputShape(shape);
    const W = layer.parameters.W;
    if (W) k = Math.max(k, sizeOf(W.shape.slice(0, -1)), sizeOf(out.slice(0, -1)), out[out.length - 1]!);
    shape = out;
  }
  return k;
}

/** values at least 1/n apart, so max pooling picks the same element in float32 and float64 */
function distinct(rng: Rng, n: number): Float64Array {
  const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i)) as number[];
  return Float64Array.from(perm, (k) => -1 + (2 * (k + 0.5)) / n);
}

const MODELS: { name: string; config: ModelConfig; input: Shape; k: number }[] = [
  {
    name: 'conv(relu) → max pool → flatten → fc(tanh) → fc(softmax), fused CE, SGD with momentum',
    config: {
      layers: [
        { type: 'conv2d', nOut: 4, kernel: 3, pad: 'same', activation: 'relu' },
        { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'fc', nOut: 16, activation: 'tanh' },
        { type: 'fc', nOut: 5, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 },
      seed: 21,
    },
    input: [6, 8, 8, 2],
    k: 5,
  },
  {
    name: 'fc(sigmoid) → fc(softmax), unfused CE, exponential decay',
    config: {
      layers: [
        { type: 'fc', nOut: 24, activation: 'sigmoid' },
        { type: 'fc', nOut: 4, activation: 'softmax' },
      ],
      loss: { type: 'cross_entropy', fused: false },
      optimizer: { type: 'sgd', lr: 0.2 },
      scheduler: { type: 'exponential', decay: 0.9 },
      seed: 22,
    },
    input: [10, 12],
    k: 4,
  },
  {
    name: 'conv(tanh, stride 2) → average pool → flatten → fc(linear), MSE',
    config: {
      layers: [
        { type: 'conv2d', nOut: 3, kernel: [3, 2], stride: 2, pad: 1, activation: 'tanh' },
        { type: 'pool2d', mode: 'average', kernel: 2, stride: 1 },
        { type: 'flatten' },
        { type: 'fc', nOut: 2, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5 },
      seed: 23,
    },
    input: [4, 9, 7, 3],
    k: 2,
  },
];

describe('a whole model trained on both backends', () => {
  it.each(MODELS.map((m) => [m.name, m] as const))('%s: losses and parameters agree step by step', async (_name, c) => {
    const rng = new Rng(c.k * 1000 + c.input.length);
    const m = c.input[0]!;
    const [xc, xg] = pair(randomArray(rng, sizeOf(c.input)), c.input);
    const [yc, yg] = pair(c.config.loss === 'mse' ? randomArray(rng, m * c.k) : randomOneHot(rng, m, c.k), [m, c.k]);
    // the GPU runs the lean step (fused kernels, arenas); the CPU reference every op as the course writes it
    const mc = new NeuralNetwork(cpu, c.config, { lean: false });
    const mg = new NeuralNetwork(gpu, c.config);
    mc.build(xc.shape);
    mg.build(xg.shape);
    for (let i = 0; i < mc.layers.length; i++) await sameParameters(mc.layers[i]!, mg.layers[i]!);
    const K = longestSum(mc, xc.shape);
    let allocationsAfterWarmup = 0;
    for (let step = 0; step < 4; step++) {
      const before = { ...gpu.stats };
      const lg = mg.trainStep(xg, yg);
      if (step > 0) {
        expect(gpu.stats.readbacks - before.readbacks, 'trainStep reads nothing back').toBe(0);
        expect(gpu.stats.submissions - before.submissions, 'trainStep submits once').toBe(1);
      }
      const lc = mc.trainStep(xc, yc);
      expectClose(await gpu.read(lg), await cpu.read(lc), tol(K, `step ${step} loss`));
      gpu.dispose(lg);
      const [pc, pg] = [await mc.readParameters(), await mg.readParameters()];
      pc.forEach((layer, i) => {
        for (const key of Object.keys(layer)) {
          expectClose(pg[i]![key]!.data, layer[key]!.data, tol(K, `step ${step} ${mc.layers[i]!.name}.${key}`));
        }
      });
      if (step === 1) allocationsAfterWarmup = gpu.ctx.poolStats().allocations;
    }
    expect(gpu.ctx.poolStats().allocations, 'no new GPU buffers once the pool is warm (nothing leaks)').toBe(allocationsAfterWarmup);
    // the arenas: each parameter (and its gradient) at the next aligned offset, in layer
    // order; the gaps between them still zero after the updates
    const arena = mg.arena!;
    const [ap, ag] = [await gpu.read(arena.params), await gpu.read(arena.grads)];
    const [params, grads] = [await mg.readParameters(), await mg.readGradients()];
    const used = new Uint8Array(ap.length);
    let offset = 0;
    params.forEach((layer, i) => {
      for (const key of Object.keys(layer)) {
        offset = Math.ceil(offset / gpu.viewAlignment) * gpu.viewAlignment;
        const n = layer[key]!.data.length;
        expect(Array.from(ap.slice(offset, offset + n)), `${mg.layers[i]!.name}.${key} in the parameter arena`).toEqual(Array.from(layer[key]!.data));
        expect(Array.from(ag.slice(offset, offset + n)), `${mg.layers[i]!.name}.${key} in the gradient arena`).toEqual(Array.from(grads[i]![key]!.data));
        used.fill(1, offset, offset + n);
        offset += n;
      }
    });
    expect(ap.length).toBe(offset);
    expect(ap.every((v, i) => used[i] || v === 0), 'parameter arena gaps stay zero').toBe(true);
    expect(ag.every((v, i) => used[i] || v === 0), 'gradient arena gaps stay zero').toBe(true);
    const ev = await mg.evaluate(xg, yg);
    const evc = await mc.evaluate(xc, yc);
    expectClose([ev.loss], [evc.loss], tol(K, 'evaluate loss'));
    expect(ev.correct).toBe(evc.correct);
    mg.dispose();
    gpu.dispose(xg, yg);
  });
});
