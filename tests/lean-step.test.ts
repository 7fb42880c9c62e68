// Lean training steps, instrumented (counted, not timed), on WebGPU (Dawn: SwiftShader
// here; the suite fails, never skips, without an adapter).
//
//   LeNet at batch 64 — conv 5×5×6 same + relu, max pool 2×2/2, conv 5×5×16 valid + relu,
//   max pool 2×2/2, flatten, fc 120 relu, fc 84 relu, fc 10 softmax, fused cross-entropy:
//     forward + loss   8 dispatches  (2 implicit-GEMM convs, 2 pools, 3 matmuls, 1 loss kernel
//                                     that also makes dZ)
//     backward        11 dispatches  (3 × [dW; db] + 3 × dX·σ' for the dense layers, 2 pool
//                                     backward ·σ', conv_backward.wgsl once per conv — conv2's
//                                     dX in the same dispatch as its [dW; db] — and the
//                                     chunk reduce of conv1's split rows)
//     update           1 dispatch    (every parameter in one arena)
//   = 20, against 40 on the course's explicit path (lean: false): one submission, no readback.
//   Reading the loss every k steps adds exactly one readback per read.
//   The lean step computes what the float64 CPU reference computes: parameters after three
//   steps agree within float32 tolerance (and within float64 rounding on the CPU itself).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendStats, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { Rng } from '../src/engine/random';
import { type LayerConfig, type ModelConfig, NeuralNetwork, type OptimizerConfig } from '../src/nn';
import { expectClose, randomArray, randomOneHot } from './helpers/check';
import { kernelsOf } from './ops/backends';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[lean-step] ${gpu.kind} on ${gpu.deviceName}${gpu.isFallback ? ' (software adapter)' : ''}`);
});
afterAll(() => gpu?.destroy());

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

const SGD: OptimizerConfig = { type: 'sgd', lr: 0.05, momentum: 0.9 };
// eps well above float32 noise of the gradients: Adam's first steps are ±lr·g/|g|, and a
// gradient within rounding of 0 would otherwise flip sign between float32 and float64
const ADAM: OptimizerConfig = { type: 'adam', lr: 0.002, eps: 1e-3 };

function lenet(backend: Backend, optimizer: OptimizerConfig, lean = true, layers = LENET): NeuralNetwork {
  const config: ModelConfig = { layers, loss: 'cross_entropy', optimizer, seed: 7 };
  return new NeuralNetwork(backend, config, { lean });
}

/** a batch of m 28×28×1 images with values in [0, 1] and one-hot labels, as float32 */
function batch(rng: Rng, m: number): { x: Float32Array; y: Float32Array } {
  return { x: Float32Array.from(randomArray(rng, m * 784, 0, 1)), y: Float32Array.from(randomOneHot(rng, m, 10)) };
}

interface StepCount {
  forward: number;
  backward: number;
  update: number;
  total: number;
  submissions: number;
  readbacks: number;
}

const diff = (a: BackendStats, b: BackendStats) => ({
  dispatches: b.dispatches - a.dispatches,
  submissions: b.submissions - a.submissions,
  readbacks: b.readbacks - a.readbacks,
});

/** one training step (what trainStep does), counted by phase; returns the loss tensor too */
function countedStep(backend: Backend, model: NeuralNetwork, x: Tensor, y: Tensor, submit = true): StepCount & { loss: Tensor } {
  const s0 = { ...backend.stats };
  const loss = model.computeLoss(x, y);
  const s1 = { ...backend.stats };
  model.backward();
  const s2 = { ...backend.stats };
  model.step();
  if (submit) backend.flush();
  const s3 = { ...backend.stats };
  const all = diff(s0, s3);
  return {
    forward: diff(s0, s1).dispatches,
    backward: diff(s1, s2).dispatches,
    update: diff(s2, s3).dispatches,
    total: all.dispatches,
    submissions: all.submissions,
    readbacks: all.readbacks,
    loss,
  };
}

describe('a lean LeNet step at batch 64 (WebGPU)', () => {
  it('SGD with momentum and Adam: 20 dispatches (8 forward + loss, 11 backward, 1 update), one submission, no readback', async () => {
    const rng = new Rng(1);
    const { x, y } = batch(rng, 64);
    const xt = gpu.fromArray(x, [64, 28, 28, 1]);
    const yt = gpu.fromArray(y, [64, 10]);
    for (const optimizer of [SGD, ADAM]) {
      const model = lenet(gpu, optimizer);
      // SGD: the first step (arenas and velocity set up) and a steady one; Adam: its first
      for (let step = 1; step <= (optimizer === SGD ? 2 : 1); step++) {
        let c!: ReturnType<typeof countedStep>;
        const entries = kernelsOf(() => {
          c = countedStep(gpu, model, xt, yt);
        }, gpu).map((kern) => `${kern.shader}:${kern.entry}`);
        // the convolution backward that ran: the blocked kernel, neither im2col nor col2im
        expect(entries.filter((e) => e.startsWith('conv_backward:') || e.includes('col'))).toEqual([
          'conv_backward:conv2d_backward_blocked',
          'conv_backward:conv2d_backward_blocked',
        ]);
        const what = `${optimizer.type} step ${step}: ${JSON.stringify({ ...c, loss: undefined })}`;
        console.log(`[lean-step] LeNet batch 64, ${what}`);
        expect(c.forward, what).toBe(8);
        expect(c.backward, what).toBe(11);
        expect(c.update, what).toBe(1);
        expect(c.total, what).toBeLessThanOrEqual(20);
        expect(c.submissions, what).toBe(1);
        expect(c.readbacks, what).toBe(0);
        if (step === 2) {
          // the loss read: exactly one readback (its copy is the only other submission)
          const r0 = { ...gpu.stats };
          const loss = (await gpu.read(c.loss))[0]!;
          expect(diff(r0, gpu.stats)).toEqual({ dispatches: 0, submissions: 1, readbacks: 1 });
          expect(Number.isFinite(loss) && loss > 0, `loss ${loss}`).toBe(true);
        }
        gpu.dispose(c.loss);
      }
      model.dispose();
    }
    gpu.dispose(xt, yt);
  });

  it('the course\'s explicit path (lean: false) records 40 dispatches for the same step (10 forward + loss, 20 backward, 10 updates)', async () => {
    // recorded, never submitted: a backend of its own, destroyed with the step unsubmitted
    const other = await createWebGPUBackend(await nodeGPU());
    try {
      const { x, y } = batch(new Rng(2), 64);
      const model = lenet(other, SGD, false);
      const c = countedStep(other, model, other.fromArray(x, [64, 28, 28, 1]), other.fromArray(y, [64, 10]), false);
      console.log(`[lean-step] LeNet batch 64, explicit path: ${JSON.stringify({ ...c, loss: undefined })}`);
      expect([c.forward, c.backward, c.update, c.total]).toEqual([10, 20, 10, 40]);
      expect(c.submissions).toBe(0);
    } finally {
      other.destroy();
    }
  });

  it('reading the loss every k steps adds exactly one readback per read (batch 8, k = 3, 6 steps)', async () => {
    const rng = new Rng(3);
    const model = lenet(gpu, SGD);
    const { x, y } = batch(rng, 8);
    const xt = gpu.fromArray(x, [8, 28, 28, 1]);
    const yt = gpu.fromArray(y, [8, 10]);
    const s0 = { ...gpu.stats };
    const losses: number[] = [];
    for (let step = 1; step <= 6; step++) {
      const loss = model.trainStep(xt, yt);
      if (step % 3 === 0) losses.push((await gpu.read(loss))[0]!);
      gpu.dispose(loss);
    }
    expect(losses.length).toBe(2);
    expect(diff(s0, gpu.stats)).toEqual({ dispatches: 6 * 20, submissions: 6 + 2, readbacks: 2 });
    // the same batch six times: the loss falls
    expect(losses[1]!, `losses ${losses}`).toBeLessThan(losses[0]!);
    model.dispose();
    gpu.dispose(xt, yt);
  });
});

/** the model's parameters, layer by layer, as flat float64 arrays keyed "layer.key" */
async function parameters(model: NeuralNetwork): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  (await model.readParameters()).forEach((rec, i) => {
    for (const [key, t] of Object.entries(rec)) out.set(`${model.layers[i]!.name}.${key}`, t.data);
  });
  return out;
}

/** models on two backends with the same float32-representable parameters */
async function twins(a: NeuralNetwork, b: NeuralNetwork, inputShape: number[]): Promise<void> {
  a.build(inputShape);
  b.build(inputShape);
  const values = (await a.readParameters()).map((rec) => Object.fromEntries(Object.entries(rec).map(([k, t]) => [k, Float32Array.from(t.data)])));
  a.setParameters(values);
  b.setParameters(values);
}

/** trains both models `steps` steps on the same batches; compares losses and the final parameters */
async function compareTraining(
  a: NeuralNetwork,
  b: NeuralNetwork,
  inputShape: number[],
  classes: number,
  steps: number,
  tol: { atol: number; rtol: number },
  label: string,
): Promise<void> {
  await twins(a, b, inputShape);
  const rng = new Rng(11);
  const m = inputShape[0]!;
  for (let s = 1; s <= steps; s++) {
    const x = Float32Array.from(randomArray(rng, inputShape.reduce((p, d) => p * d, 1), 0, 1));
    const y = Float32Array.from(randomOneHot(rng, m, classes));
    const la = a.trainStep(a.backend.fromArray(x, inputShape), a.backend.fromArray(y, [m, classes]));
    const lb = b.trainStep(b.backend.fromArray(x, inputShape), b.backend.fromArray(y, [m, classes]));
    expectClose(await a.backend.read(la), await b.backend.read(lb), { ...tol, label: `${label}: loss at step ${s}` });
  }
  const pa = await parameters(a);
  const pb = await parameters(b);
  expect([...pa.keys()]).toEqual([...pb.keys()]);
  for (const [k, v] of pa) expectClose(v, pb.get(k)!, { ...tol, label: `${label}: ${k} after ${steps} steps` });
}

describe('the lean step computes what the reference computes', () => {
  // float32 sums over up to 6400 terms (conv 2's weight gradient at batch 8), three steps
  const F32 = { atol: 2e-5, rtol: 2e-4 };
  const F64 = { atol: 1e-12, rtol: 1e-10 };

  for (const optimizer of [SGD, ADAM]) {
    it(`LeNet, ${optimizer.type}: WebGPU lean vs the CPU reference's explicit path, 3 steps at batch 8`, async () => {
      const g = lenet(gpu, optimizer, true);
      const c = lenet(createCpuBackend(), optimizer, false);
      await compareTraining(g, c, [8, 28, 28, 1], 10, 3, F32, `LeNet ${optimizer.type} GPU lean vs CPU`);
      expect(g.arena).not.toBeNull();
      g.dispose();
    });
  }

  it('on the CPU, lean and explicit paths agree to float64 rounding, for LeNet and for other shapes of network', async () => {
    const cases: { name: string; layers: LayerConfig[]; input: number[]; classes: number; loss?: ModelConfig['loss']; optimizer: OptimizerConfig }[] = [
      { name: 'LeNet', layers: LENET, input: [4, 28, 28, 1], classes: 10, optimizer: SGD },
      { name: 'LeNet, Adam', layers: LENET, input: [4, 28, 28, 1], classes: 10, optimizer: ADAM },
      {
        // σ' of a conv's tanh fused by the dense layer above a flatten; stride 2
        name: 'conv tanh stride 2 → flatten → fc sigmoid → fc softmax',
        layers: [
          { type: 'conv2d', nOut: 3, kernel: 3, stride: 2, pad: 'same', activation: 'tanh' },
          { type: 'flatten' },
          { type: 'fc', nOut: 7, activation: 'sigmoid' },
          { type: 'fc', nOut: 4, activation: 'softmax' },
        ],
        input: [5, 9, 8, 2],
        classes: 4,
        optimizer: { type: 'sgd', lr: 0.1, momentum: 0 },
      },
      {
        name: 'conv sigmoid → avg pool → conv linear → flatten → fc softmax, unfused cross-entropy',
        layers: [
          { type: 'conv2d', nOut: 4, kernel: [3, 2], pad: 1, activation: 'sigmoid' },
          { type: 'pool2d', mode: 'average', kernel: 2, stride: 2 },
          { type: 'conv2d', nOut: 3, kernel: 2, pad: 'valid' },
          { type: 'flatten' },
          { type: 'fc', nOut: 3, activation: 'softmax' },
        ],
        input: [3, 8, 9, 1],
        classes: 3,
        loss: { type: 'cross_entropy', fused: false },
        optimizer: ADAM,
      },
      {
        name: 'dense tanh → relu → linear, MSE',
        layers: [
          { type: 'fc', nOut: 6, activation: 'tanh' },
          { type: 'fc', nOut: 5, activation: 'relu' },
          { type: 'fc', nOut: 2 },
        ],
        input: [7, 3],
        classes: 2,
        loss: 'mse',
        optimizer: { type: 'sgd', lr: 0.05, momentum: 0.5 },
      },
    ];
    for (const t of cases) {
      const mk = (lean: boolean) =>
        new NeuralNetwork(createCpuBackend(), { layers: t.layers, loss: t.loss ?? 'cross_entropy', optimizer: t.optimizer, seed: 3 }, { lean });
      await compareTraining(mk(true), mk(false), t.input, t.classes, 3, F64, `${t.name}: CPU lean vs explicit`);
    }
  });
});
