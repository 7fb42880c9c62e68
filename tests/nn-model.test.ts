// The nn package's contracts on the CPU backend: factories refuse unknown names, seeds
// reproduce parameters, initializers have their variances, layers build lazily with the
// course's shapes, optimizers match hand-computed updates, schedulers, the model's
// training step (no readback, one submission, no leak, lr changes at once), fused vs
// unfused softmax–cross-entropy, and save/load.

import { describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { Rng } from '../src/engine/random';
import {
  Adam,
  Conv2D,
  createActivation,
  createLayer,
  createLoss,
  createModel,
  createOptimizer,
  createScheduler,
  Flatten,
  FullyConnected,
  initWeights,
  loadModel,
  type ModelConfig,
  NeuralNetwork,
  Pool2D,
  readTensor,
  SGD,
} from '../src/nn';
import { expectClose, randomArray, randomOneHot } from './helpers/check';

const cpu = createCpuBackend();

async function host(t: Tensor, backend: Backend = cpu): Promise<number[]> {
  return Array.from(await backend.read(t));
}

const MLP: ModelConfig = {
  layers: [
    { type: 'fc', nOut: 8, activation: 'tanh' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5, momentum: 0.9 },
  seed: 7,
};

const CNN: ModelConfig = {
  layers: [
    { type: 'conv2d', nOut: 4, kernel: 3, stride: 1, pad: 'same', activation: 'relu' },
    { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.01 },
  scheduler: { type: 'step', stepSize: 5, gamma: 0.5 },
  seed: 3,
};

/** three Gaussian blobs in 4-D, one-hot labels */
function blobs(rng: Rng, m: number): { x: Float64Array; y: Float64Array } {
  const centers = [
    [2, 0, 0, 1],
    [-2, 1, 0, -1],
    [0, -2, 2, 0],
  ];
  const x = new Float64Array(m * 4);
  const y = new Float64Array(m * 3);
  for (let i = 0; i < m; i++) {
    const k = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = centers[k]![j]! + 0.5 * rng.normal();
    y[i * 3 + k] = 1;
  }
  return { x, y };
}

describe('factories refuse unknown names, listing the valid ones', () => {
  it('activation, layer type, initializer, loss, optimizer, scheduler, pooling mode', () => {
    expect(() => createActivation('relu6')).toThrow("Unknown activation 'relu6'. Valid: linear, relu, sigmoid, tanh, softmax");
    expect(() => createLayer(cpu, { type: 'dense' } as never)).toThrow("Unknown layer type 'dense'. Valid: fc, conv2d, pool2d, flatten");
    expect(() => createLayer(cpu, { type: 'fc', nOut: 2, init: 'glorot' } as never)).toThrow(
      "Unknown initializer 'glorot'. Valid: xavier_uniform, xavier_normal, he_uniform, he_normal, normal, zeros",
    );
    expect(() => createLayer(cpu, { type: 'pool2d', mode: 'min' } as never)).toThrow("Unknown pooling mode 'min'. Valid: max, average");
    expect(() => createLayer(cpu, { type: 'conv2d', nOut: 2, activation: 'softmax' } as never)).toThrow(
      "Unknown Conv2D activation 'softmax'. Valid: linear, relu, sigmoid, tanh",
    );
    expect(() => createLoss(cpu, 'hinge')).toThrow("Unknown loss 'hinge'. Valid: cross_entropy, binary_cross_entropy, mse");
    expect(() => createOptimizer(cpu, { type: 'rmsprop', lr: 1 } as never)).toThrow("Unknown optimizer 'rmsprop'. Valid: sgd, adam");
    expect(() => createScheduler({ type: 'cosine' } as never)).toThrow("Unknown scheduler 'cosine'. Valid: constant, exponential, step");
    expect(() => new NeuralNetwork(cpu, { ...MLP, loss: 'l1' as never })).toThrow("Unknown loss 'l1'");
  });
  it('misspelled options and bad values are refused with the layer named', () => {
    expect(() => createLayer(cpu, { type: 'fc', nout: 3 } as never)).toThrow(/unknown option 'nout'. Valid: type, nOut, activation, init/);
    expect(() => createLayer(cpu, { type: 'fc', nOut: 0 })).toThrow(/nOut must be a positive integer, got 0/);
    expect(() => createLayer(cpu, { type: 'conv2d', nOut: 2, pad: 'full' as never })).toThrow(/pad must be 'same', 'valid' or a non-negative integer/);
    expect(() => new NeuralNetwork(cpu, { ...MLP, layers: [MLP.layers[0]!, { type: 'fc', nOut: 3 }] })).toThrow(
      /cross_entropy takes probabilities.*layer 1 is fc with linear/,
    );
    expect(() => new NeuralNetwork(cpu, { ...MLP, optimizer: { type: 'sgd', lr: -1 } })).toThrow(/lr must be a number in \[0, Infinity\]/);
  });
});

describe('initializers and seeds', () => {
  it('same seed → identical parameters; another seed → different ones', async () => {
    const x = cpu.fromArray(randomArray(new Rng(1), 2 * 6 * 5 * 1), [2, 6, 5, 1]);
    const params = async (seed: number) => {
      const model = createModel(cpu, { ...CNN, seed });
      model.forward(x);
      return (await model.readParameters()).map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, Array.from(v.data)])));
    };
    const a = await params(11);
    expect(await params(11)).toEqual(a);
    expect((await params(12))[0]!.W).not.toEqual(a[0]!.W);
    // a layer on its own: the same seed gives the same weights
    const w = async (seed: number) => {
      const l = new FullyConnected(cpu, { nOut: 4 }, { seed });
      l.build([1, 5]);
      return host(l.parameters.W!);
    };
    expect(await w(5)).toEqual(await w(5));
  });

  it('each initializer has its range or variance; biases start at zero', () => {
    const [nIn, nOut] = [300, 200];
    const n = nIn * nOut;
    const stats = (a: Float64Array) => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return { mean, variance: a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length, max: Math.max(...a.map(Math.abs)) };
    };
    const want: Record<string, number> = {
      xavier_uniform: 2 / (nIn + nOut),
      xavier_normal: 2 / (nIn + nOut),
      he_uniform: 2 / nIn,
      he_normal: 2 / nIn,
      normal: 1 / Math.max(nIn, nOut),
    };
    for (const [name, variance] of Object.entries(want)) {
      const s = stats(initWeights(name, [nIn, nOut], nIn, nOut, new Rng(4)));
      expect(Math.abs(s.mean), `${name} mean`).toBeLessThan(4 * Math.sqrt(variance / n));
      expect(Math.abs(s.variance / variance - 1), `${name} variance ${s.variance} vs ${variance}`).toBeLessThan(0.03);
      if (name.endsWith('uniform')) expect(s.max, `${name} bound`).toBeLessThanOrEqual(Math.sqrt(3 * variance));
    }
    expect(stats(initWeights('zeros', [3, 4], 3, 4, new Rng(1))).max).toBe(0);
  });

  it('conv fan-in/out are kh·kw·c_in and kh·kw·c_out', async () => {
    const conv = new Conv2D(cpu, { nOut: 16, kernel: [5, 3], init: 'he_uniform' }, { seed: 2 });
    conv.build([1, 10, 10, 8]);
    const w = await host(conv.parameters.W!);
    const bound = Math.sqrt(6 / (5 * 3 * 8));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(await host(conv.parameters.b!)).toEqual(new Array(16).fill(0));
  });
});

describe('layers: lazy parameters, the course shapes, parameters from arrays', () => {
  it('FullyConnected: W (n_in, n_out), b (1, n_out) created by the first forward; Y = relu(X·W + 1b)', async () => {
    const fc = new FullyConnected(cpu, { nOut: 2, activation: 'relu' });
    expect(fc.parameters).toEqual({});
    expect(() => fc.setParameters({ W: [1] })).toThrow(/no parameters yet, and these values do not tell the input shape/);
    const X = cpu.fromArray([1, 2, 3, -1, 0, 1], [2, 3]);
    fc.forward(X);
    expect(fc.parameters.W!.shape).toEqual([3, 2]);
    expect(fc.parameters.b!.shape).toEqual([1, 2]);
    fc.setParameters({
      W: [
        [1, -1],
        [0, 2],
        [1, 0],
      ],
      b: [[0.5, -3]],
    });
    // row 0: [1+0+3, −1+4+0] + b = [4.5, 0] → relu [4.5, 0]; row 1: [−1+0+1, 1+0+0] + b = [0.5, −2] → [0.5, 0]
    expect(await host(fc.forward(X))).toEqual([4.5, 0, 0.5, 0]);
    expect(Object.keys(fc.cache).sort()).toEqual(['X', 'Y']);
    const dX = fc.backward(cpu.fromArray([1, 1, 1, 1], [2, 2]));
    // relu' = [1, 0] on both rows: dZ = [[1, 0], [1, 0]]; dW = Xᵀ·dZ; db = [2, 0]; dX = dZ·Wᵀ
    expect(await host(fc.gradients.W!)).toEqual([0, 0, 2, 0, 4, 0]);
    expect(await host(fc.gradients.b!)).toEqual([2, 0]);
    expect(await host(dX)).toEqual([1, 0, 1, 1, 0, 1]);
    expect(Object.keys(fc.gradients).sort()).toEqual(Object.keys(fc.parameters).sort());
    expect(() => fc.setParameters({ W: [1, 2, 3] })).toThrow('fc.W: 3 values given for shape (3, 2) (6 elements)');
    expect(() => fc.setParameters({ w: [1] })).toThrow("fc: unknown parameter 'w'. Valid: W, b");
    expect(() => fc.forward(cpu.fromArray([1, 2], [1, 2]))).toThrow('fc: built for inputs (m, 3) but got (1, 2)');
    expect(() => new FullyConnected(cpu, { nOut: 2 }).forward(cpu.zeros([1, 2, 2, 1]))).toThrow(/put a flatten layer before it/);
  });

  it('Conv2D, Pool2D, Flatten: output shapes and parameter shapes', () => {
    const conv = new Conv2D(cpu, { nOut: 5, kernel: [3, 2], stride: 2, pad: 'same' });
    const y = conv.forward(cpu.zeros([2, 7, 6, 3]));
    expect(y.shape).toEqual([2, 4, 3, 5]);
    expect(conv.parameters.W!.shape).toEqual([3, 2, 3, 5]);
    expect(conv.parameters.b!.shape).toEqual([1, 5]);
    const pool = new Pool2D(cpu, { mode: 'average', kernel: 2, stride: 2 });
    expect(pool.forward(y).shape).toEqual([2, 2, 1, 5]);
    expect(pool.parameters).toEqual({});
    const flat = new Flatten(cpu);
    expect(flat.forward(pool.cache.Y!).shape).toEqual([2, 10]);
    expect(() => new Conv2D(cpu, { nOut: 1, kernel: 5, pad: 'valid' }).forward(cpu.zeros([1, 3, 3, 1]))).toThrow(/does not fit input \(1, 3, 3, 1\)/);
  });

  it('max pooling routes the gradient to the arg-max', async () => {
    const pool = new Pool2D(cpu, { mode: 'max', kernel: 2, stride: 2 });
    const X = cpu.fromArray([1, 5, 3, 2, 0, 9, 4, 8, 7, 6, 2, 1, 3, 3.5, 0, 1], [1, 4, 4, 1]);
    expect(await host(pool.forward(X))).toEqual([9, 8, 7, 2]);
    const dX = pool.backward(cpu.fromArray([1, 2, 3, 4], [1, 2, 2, 1]));
    expect(await host(dX)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 0]);
  });
});

describe('optimizers match hand-computed updates', () => {
  const p0 = [1, -2, 0.5];
  const g1 = [0.5, -1, 2];
  const g2 = [-0.25, 0.5, 1];

  async function run(opt: SGD | Adam, lrs: number[]): Promise<number[][]> {
    const p = cpu.fromArray(p0, [1, 3]);
    const out: number[][] = [];
    for (const [i, g] of [g1, g2].entries()) {
      opt.update([{ id: 'p', param: p, grad: cpu.fromArray(g, [1, 3]) }], lrs[i]);
      out.push(await host(p));
    }
    return out;
  }

  it('SGD without momentum: p ← p − lr·g', async () => {
    const got = await run(new SGD(cpu, { lr: 0.1 }), [0.1, 0.2]);
    const p1 = p0.map((p, i) => p - 0.1 * g1[i]!);
    const p2 = p1.map((p, i) => p - 0.2 * g2[i]!);
    expectClose(got[0]!, p1, { atol: 1e-15, rtol: 0, label: 'step 1' });
    expectClose(got[1]!, p2, { atol: 1e-15, rtol: 0, label: 'step 2' });
  });

  it('SGD with momentum: v ← μ·v − lr·g; p ← p + v', async () => {
    const got = await run(new SGD(cpu, { lr: 0.1, momentum: 0.9 }), [0.1, 0.1]);
    const v1 = g1.map((g) => -0.1 * g);
    const p1 = p0.map((p, i) => p + v1[i]!);
    const v2 = v1.map((v, i) => 0.9 * v - 0.1 * g2[i]!);
    const p2 = p1.map((p, i) => p + v2[i]!);
    expectClose(got[0]!, p1, { atol: 1e-15, rtol: 0, label: 'step 1' });
    expectClose(got[1]!, p2, { atol: 1e-15, rtol: 0, label: 'step 2' });
  });

  it('Adam with bias correction', async () => {
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
    const got = await run(new Adam(cpu, { lr, beta1: b1, beta2: b2, eps }), [lr, lr]);
    // step 1: m = (1−β1)g, v = (1−β2)g², m̂ = g, v̂ = g² → p − lr·g/(|g| + ε)
    const p1 = p0.map((p, i) => p - (lr * g1[i]!) / (Math.abs(g1[i]!) + eps));
    const m2 = g1.map((g, i) => b1 * (1 - b1) * g + (1 - b1) * g2[i]!);
    const v2 = g1.map((g, i) => b2 * (1 - b2) * g * g + (1 - b2) * g2[i]! ** 2);
    const p2 = p1.map((p, i) => p - (lr * (m2[i]! / (1 - b1 ** 2))) / (Math.sqrt(v2[i]! / (1 - b2 ** 2)) + eps));
    expectClose(got[0]!, p1, { atol: 1e-15, rtol: 1e-14, label: 'step 1' });
    expectClose(got[1]!, p2, { atol: 1e-15, rtol: 1e-14, label: 'step 2' });
  });

  it('schedulers: constant, exponential (smooth and staircase), step', () => {
    expect([0, 1, 9].map((t) => createScheduler({ type: 'constant' }).rate(0.1, t))).toEqual([0.1, 0.1, 0.1]);
    const exp = createScheduler({ type: 'exponential', decay: 0.5, stages: 2 });
    expect([0, 1, 2, 4].map((t) => exp.rate(1, t))).toEqual([1, 0.5 ** 0.5, 0.5, 0.25]);
    const stair = createScheduler({ type: 'exponential', decay: 0.5, stages: 2, staircase: true });
    expect([0, 1, 2, 3, 4].map((t) => stair.rate(1, t))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const step = createScheduler({ type: 'step', stepSize: 3, gamma: 0.1 });
    expect([0, 2, 3, 5, 6].map((t) => step.rate(2, t))).toEqual([2, 2, 2 * 0.1, 2 * 0.1, 2 * 0.1 ** 2]);
  });
});

describe('the model', () => {
  it('trains: the loss falls, with no readback and one submission per step', async () => {
    const rng = new Rng(8);
    const { x, y } = blobs(rng, 60);
    const X = cpu.fromArray(x, [60, 4]);
    const Y = cpu.fromArray(y, [60, 3]);
    const model = new NeuralNetwork(cpu, MLP);
    const losses: Tensor[] = [];
    const before = { ...cpu.stats };
    for (let i = 0; i < 40; i++) losses.push(model.trainStep(X, Y));
    expect(cpu.stats.readbacks - before.readbacks, 'trainStep must not read back').toBe(0);
    expect(cpu.stats.submissions - before.submissions, 'one submission per step').toBe(40);
    const first = (await host(losses[0]!))[0]!;
    const last = (await host(losses[39]!))[0]!;
    cpu.dispose(...losses);
    expect(first).toBeGreaterThan(0.5);
    expect(last, `loss ${first} → ${last}`).toBeLessThan(0.1);
    const ev = await model.evaluate(X, Y);
    expect(ev.accuracy).toBeGreaterThan(0.95);
    expect(ev.count).toBe(60);
    expect(model.iteration).toBe(40);
  });

  it('the learning rate is a plain value: a new lr applies at the very next step, scheduled', async () => {
    const rng = new Rng(9);
    const { x, y } = blobs(rng, 12);
    const X = cpu.fromArray(x, [12, 4]);
    const Y = cpu.fromArray(y, [12, 3]);
    const model = new NeuralNetwork(cpu, {
      ...MLP,
      optimizer: { type: 'sgd', lr: 0.1 },
      scheduler: { type: 'step', stepSize: 2, gamma: 0.5 },
    });
    for (const [step, lr, scheduled] of [
      [0, 0.1, 0.1],
      [1, 0.3, 0.3],
      [2, 0.3, 0.15],
      [3, 0.01, 0.005],
    ] as const) {
      model.lr = lr;
      expect(model.currentLr).toBeCloseTo(scheduled, 15);
      cpu.dispose(model.computeLoss(X, Y));
      model.backward();
      const w0 = await host(model.layers[0]!.parameters.W!);
      const g = await host(model.layers[0]!.gradients.W!);
      model.step();
      const w1 = await host(model.layers[0]!.parameters.W!);
      expectClose(w1, w0.map((w, i) => w - scheduled * g[i]!), { atol: 1e-15, rtol: 1e-14, label: `step ${step}` });
    }
    expect(() => {
      model.lr = Number.NaN;
    }).toThrow(/learning rate must be a finite number/);
  });

  it('frees what it allocates: live tensors stay flat over a long run', () => {
    const { backend, live } = countingBackend(createCpuBackend());
    const rng = new Rng(10);
    const X = backend.fromArray(randomArray(rng, 4 * 6 * 6 * 2), [4, 6, 6, 2]);
    const Y = backend.fromArray(randomOneHot(rng, 4, 3), [4, 3]);
    const model = new NeuralNetwork(backend, { ...CNN, layers: [...CNN.layers.slice(0, 3), { type: 'fc', nOut: 5, activation: 'tanh' }, CNN.layers[3]!] });
    const counts: number[] = [];
    for (let i = 0; i < 25; i++) {
      backend.dispose(model.trainStep(X, Y));
      counts.push(live.size);
    }
    expect(new Set(counts.slice(1)).size, `live tensors per step: ${counts.join(' ')}`).toBe(1);
    // predict hands its output over; evaluate frees its own
    const p = model.predict(X);
    backend.dispose(p);
    model.clearCaches();
    model.dispose();
    backend.dispose(X, Y);
    expect([...live].map((t) => t.label), 'nothing left after dispose').toEqual([]);
  });

  it('backward and step refuse to run out of order', () => {
    const model = new NeuralNetwork(cpu, MLP);
    const X = cpu.zeros([2, 4]);
    expect(() => model.backward()).toThrow(/backward needs computeLoss/);
    model.forward(X);
    expect(() => model.backward()).toThrow(/backward needs computeLoss/);
    expect(() => model.step()).toThrow(/has no gradient; run backward before step/);
    expect(() => model.computeLoss(X, cpu.zeros([2, 2]))).toThrow('model: targets y (2, 2) do not match the output (2, 3) for input (2, 4)');
  });

  it('a lean model keeps every parameter in one arena and every gradient in another, in layer order', async () => {
    const model = new NeuralNetwork(cpu, { layers: CNN.layers, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 3 });
    expect(model.lean).toBe(true);
    expect(model.arena).toBeNull();
    const rng = new Rng(12);
    const X = cpu.fromArray(randomArray(rng, 4 * 6 * 6 * 2), [4, 6, 6, 2]);
    const Y = cpu.fromArray(randomOneHot(rng, 4, 3), [4, 3]);
    cpu.dispose(model.trainStep(X, Y));
    const arena = model.arena!;
    const flat = async (recs: Record<string, { data: Float64Array }>[]) => recs.flatMap((r) => Object.values(r).flatMap((t) => Array.from(t.data)));
    // viewAlignment 1 on the CPU: the views are back to back
    expect(await host(arena.params)).toEqual(await flat(await model.readParameters()));
    expect(await host(arena.grads)).toEqual(await flat(await model.readGradients()));
    // parameters are views: a write through the layer shows in the arena
    const first = model.layers[0]!;
    const w = first.parameters.W!;
    first.setParameters({ W: new Float64Array(w.size).fill(0.25) });
    expect((await host(arena.params)).slice(0, w.size)).toEqual(new Array(w.size).fill(0.25));
    // the optimizer updates the whole arena in one call: p ← p + v with one velocity arena
    const before = await host(arena.params);
    const g = await host(arena.grads);
    cpu.dispose(model.computeLoss(X, Y));
    model.backward();
    const g2 = await host(arena.grads);
    model.step();
    const lr = model.optimizer.lr;
    const after = await host(arena.params);
    expect(g2).not.toEqual(g);
    // SGD with momentum 0.9: v₂ = 0.9·v₁ − lr·g₂ with v₁ = −lr·g₁
    const expected = before.map((p, i) => p + 0.9 * -lr * g[i]! - lr * g2[i]!);
    expectClose(after, expected, { atol: 1e-12, rtol: 1e-12, label: 'one arena update' });
  });

  it('lean is chosen before training: switching after a step is refused; lean: false has no arenas', () => {
    const rng = new Rng(13);
    const X = cpu.fromArray(randomArray(rng, 8), [2, 4]);
    const Y = cpu.fromArray(randomOneHot(rng, 2, 3), [2, 3]);
    const explicit = new NeuralNetwork(cpu, MLP, { lean: false });
    cpu.dispose(explicit.trainStep(X, Y));
    expect(explicit.arena).toBeNull();
    expect(() => (explicit.lean = true)).toThrow(/choose lean before the first training step/);
    const model = new NeuralNetwork(cpu, MLP);
    model.lean = false;
    model.lean = true;
    cpu.dispose(model.trainStep(X, Y));
    expect(() => (model.lean = false)).toThrow(/choose lean before the first training step/);
    expect(model.lean).toBe(true);
  });

  it('computeLoss without a backward to follow: the same loss, nothing left behind', async () => {
    const { backend, live } = countingBackend(createCpuBackend());
    const rng = new Rng(14);
    const X = backend.fromArray(randomArray(rng, 8), [2, 4]);
    const Y = backend.fromArray(randomOneHot(rng, 2, 3), [2, 3]);
    const model = new NeuralNetwork(backend, MLP);
    const a = model.computeLoss(X, Y);
    model.clearCaches(); // frees the loss gradient the fused kernel made, too
    const b = model.computeLoss(X, Y, { backward: false });
    expect(await host(b, backend)).toEqual(await host(a, backend));
    model.clearCaches();
    backend.dispose(a, b);
    model.dispose();
    backend.dispose(X, Y);
    expect([...live].map((t) => t.label)).toEqual([]);
  });

  it('predict returns a tensor that outlives the next forward', async () => {
    const model = new NeuralNetwork(cpu, MLP);
    const X = cpu.fromArray(randomArray(new Rng(2), 8), [2, 4]);
    const p = model.predict(X);
    const before = await host(p);
    model.forward(cpu.fromArray(randomArray(new Rng(3), 8), [2, 4]));
    expect(p.disposed).toBe(false);
    expect(await host(p)).toEqual(before);
    expect(before.slice(0, 3).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});

describe('softmax–cross-entropy: fused and unfused training agree', () => {
  it('same loss and parameters after several Adam steps (float64)', async () => {
    const rng = new Rng(12);
    const X = cpu.fromArray(randomArray(rng, 5 * 6 * 5 * 2), [5, 6, 5, 2]);
    const Y = cpu.fromArray(randomOneHot(rng, 5, 3), [5, 3]);
    const run = async (fused: boolean) => {
      const model = new NeuralNetwork(cpu, { ...CNN, loss: { type: 'cross_entropy', fused } });
      expect(model.fused).toBe(fused);
      const losses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const L = model.trainStep(X, Y);
        losses.push((await host(L))[0]!);
        cpu.dispose(L);
      }
      return { losses, params: (await model.readParameters()).flatMap((l) => Object.values(l).flatMap((t) => Array.from(t.data))) };
    };
    const a = await run(true);
    const b = await run(false);
    expectClose(b.losses, a.losses, { atol: 1e-12, rtol: 1e-12, label: 'losses' });
    expectClose(b.params, a.params, { atol: 1e-12, rtol: 1e-10, label: 'parameters' });
  });
});

describe('save and load', () => {
  it('round-trips the configuration and parameters through JSON', async () => {
    const rng = new Rng(13);
    const X = cpu.fromArray(randomArray(rng, 3 * 6 * 6 * 1), [3, 6, 6, 1]);
    const Y = cpu.fromArray(randomOneHot(rng, 3, 3), [3, 3]);
    const model = new NeuralNetwork(cpu, CNN);
    for (let i = 0; i < 3; i++) cpu.dispose(model.trainStep(X, Y));
    const text = await model.toJSON();
    const file = JSON.parse(text);
    expect(file.format).toBe('backprop-notebook/nn-model');
    expect(file.version).toBe(1);
    expect(file.inputShape).toEqual([6, 6, 1]);
    expect(file.layers[0].parameters.W.shape).toEqual([3, 3, 1, 4]);
    const copy = loadModel(cpu, text);
    expect(copy.config).toEqual(model.config);
    expect(await copy.readParameters()).toEqual(await model.readParameters());
    expect(await host(copy.predict(X))).toEqual(await host(model.predict(X)));
    // into an existing model of the same architecture (another seed)
    const other = new NeuralNetwork(cpu, { ...CNN, seed: 99 });
    other.loadParameters(file);
    expect(await other.readParameters()).toEqual(await model.readParameters());
  });

  it('refuses a mismatched file, saying what differs', async () => {
    const model = new NeuralNetwork(cpu, MLP);
    model.build([1, 4]);
    const file = await model.save();
    const wider = new NeuralNetwork(cpu, { ...MLP, layers: [{ type: 'fc', nOut: 9, activation: 'tanh' }, MLP.layers[1]!] });
    expect(() => wider.loadParameters(file)).toThrow(/model file does not match this model: layer 0 is .*"nOut":8.* in the file but .*"nOut":9/);
    const built5 = new NeuralNetwork(cpu, MLP);
    built5.build([1, 5]);
    expect(() => built5.loadParameters(file)).toThrow('model file is for inputs (m, 4); this model takes (m, 5)');
    expect(() => loadModel(cpu, { ...file, version: 2 })).toThrow(/version 2 was written by a newer version.*reads version 1/);
    expect(() => loadModel(cpu, { ...file, format: 'keras' })).toThrow(/format is "keras"/);
    expect(() => loadModel(cpu, '{ not json')).toThrow(/model file: not valid JSON/);
    const bad = structuredClone(file);
    bad.layers[1]!.parameters.W!.shape = [3, 8];
    expect(() => loadModel(cpu, bad)).toThrow('model file: fc_1.W has shape (3, 8), expected (8, 3)');
    const short = structuredClone(file);
    short.layers[0]!.parameters.b!.data.pop();
    expect(() => loadModel(cpu, short)).toThrow('model file: layer 0 parameter b: 7 values for shape (1, 8)');
  });

  it('reads tensors back as float64 arrays with their shapes', async () => {
    const t = cpu.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const h = await readTensor(cpu, t);
    expect(h.shape).toEqual([2, 3]);
    expect(Array.from(h.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

/** a backend that records every tensor it hands out and forgets those disposed */
function countingBackend(inner: Backend): { backend: Backend; live: Set<Tensor> } {
  const live = new Set<Tensor>();
  const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && 'disposed' in v;
  const track = (v: unknown): void => {
    if (isTensor(v)) live.add(v);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) if (isTensor(x)) live.add(x);
  };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'dispose') {
        return (...ts: (Tensor | null | undefined)[]) => {
          for (const t of ts) if (t) live.delete(t);
          return v.apply(target, ts);
        };
      }
      return (...args: unknown[]) => {
        const r = v.apply(target, args);
        track(r);
        return r;
      };
    },
  });
  return { backend, live };
}
