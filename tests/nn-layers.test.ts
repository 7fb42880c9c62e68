// The nn package's parts on the CPU backend: factories refuse unknown names, seeds
// reproduce parameters, initializers have their variances, layers build lazily with the
// course's shapes, optimizers match hand-computed updates, schedulers. (The model as a
// whole: nn-model.test.ts.)

import { describe, expect, it } from 'vitest';
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
  NeuralNetwork,
  Pool2D,
  SGD,
} from '../src/nn';
import { expectClose, randomArray } from './helpers/check';
import { CNN, cpu, host, MLP } from './helpers/models';

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
