// The nn package's layers, losses and a whole model agree with central differences in
// float64 on the CPU backend.
//
// For a layer Y = f(X; W, b) and a fixed random R, take L = Σ R ⊙ Y. Then dL/dY = R, the
// analytic gradients are layer.backward(R) (dX) and layer.gradients (dW, db), and each
// entry of the numerical gradient is (L(θ + h·e_i) − L(θ − h·e_i)) / 2h, computed by
// writing the perturbed value into the very tensor the layer uses and running forward.
// Pass: relative error ‖a − n‖ / (‖a‖ + ‖n‖) < 1e-6 for every tensor.
// ReLU inputs are kept off the kink (|Z| ≥ 1e-4 = 10·h) and max-pool windows have no near-ties.

import { describe, expect, it } from 'vitest';
import type { Activation, Backend, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { type Padding, type Shape, sizeOf, window2d } from '../src/engine/geometry';
import { Rng } from '../src/engine/random';
import {
  ACTIVATION_NAMES,
  type ActivationName,
  Conv2D,
  createLoss,
  Flatten,
  FullyConnected,
  type Layer,
  type LayerConfig,
  NeuralNetwork,
  Pool2D,
} from '../src/nn';
import { centralDifference, randomArray, randomOneHot, relativeError } from './helpers/check';

const cpu: Backend = createCpuBackend();
const H = 1e-5;
const TOL = 1e-6;
/** at most this many entries of one tensor are perturbed (a random subset beyond that) */
const MAX_ENTRIES = 250;

async function host(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await cpu.read(t));
}

/** dot(r, Y) read back */
async function dot(y: Tensor, r: Float64Array): Promise<number> {
  const v = await host(y);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * r[i]!;
  return s;
}

/**
 * Central differences of `objective` with respect to the entries of tensor t (perturbed in
 * place with backend.write), compared with `analytic`.
 */
async function checkTensor(
  name: string,
  t: Tensor,
  analytic: Float64Array,
  objective: () => Promise<number>,
  rng: Rng,
): Promise<void> {
  expect(analytic.length, `${name}: analytic gradient size`).toBe(t.size);
  const base = await host(t);
  let idx = Array.from({ length: t.size }, (_, i) => i);
  if (idx.length > MAX_ENTRIES) idx = (rng.shuffle(idx) as number[]).slice(0, MAX_ENTRIES);
  const num = await centralDifference(
    base,
    async (v) => {
      cpu.write(t, v);
      return objective();
    },
    { h: H, at: idx },
  );
  const ana = idx.map((i) => analytic[i]!);
  cpu.write(t, base);
  const err = relativeError(ana, num);
  const norm = Math.sqrt(num.reduce((s, x) => s + x * x, 0));
  expect(norm, `${name}: the numerical gradient is not all zeros (a vacuous check)`).toBeGreaterThan(1e-8);
  let worst = 0;
  let at = 0;
  ana.forEach((a, k) => {
    const d = Math.abs(a - num[k]!);
    if (d > worst) [worst, at] = [d, k];
  });
  expect(
    err,
    `${name}: relative error ${err.toExponential(2)} over ${idx.length} entries; worst at [${idx[at]}]: analytic ${ana[at]}, numerical ${num[at]}`,
  ).toBeLessThan(TOL);
}

/** checks dX and every parameter gradient of a layer for L = Σ R ⊙ layer(X) */
async function checkLayer(name: string, layer: Layer, X: Tensor, rng: Rng): Promise<void> {
  const y = layer.forward(X);
  const r = randomArray(rng, y.size);
  const R = cpu.fromArray(r, y.shape);
  const dX = layer.backward(R);
  const objective = () => dot(layer.forward(X), r);
  await checkTensor(`${name} dX`, X, await host(dX), objective, rng);
  const keys = Object.keys(layer.parameters);
  expect(Object.keys(layer.gradients).sort(), `${name}: gradients have the keys of parameters`).toEqual(keys.sort());
  for (const key of keys) {
    await checkTensor(`${name} d${key}`, layer.parameters[key]!, await host(layer.gradients[key]!), objective, rng);
  }
  cpu.dispose(R, dX);
}

/** min |Z| of the pre-activation, to keep ReLU off its kink */
async function minAbs(t: Tensor): Promise<number> {
  return (await host(t)).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
}

/** input values all distinct, ≥ `gap` apart and ≥ gap/2 away from 0 (the padding value): no max-pool ties */
function spacedValues(rng: Rng, n: number): Float64Array {
  const gap = 2 / n;
  const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i)) as number[];
  return Float64Array.from(perm, (k) => -1 + (k + 0.5) * gap);
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

const PADS: readonly Padding[] = ['same', 'valid', 0, 1, 2];

interface WindowCase {
  m: number;
  h: number;
  w: number;
  c: number;
  kernel: [number, number];
  stride: number;
  pad: Padding;
}

/** a random window configuration that fits: kernel 1–5, stride 1–2, pad same/valid/int, non-square inputs */
function randomWindow(rng: Rng): WindowCase {
  for (;;) {
    const kernel: [number, number] = [1 + rng.int(5), 1 + rng.int(5)];
    const stride = 1 + rng.int(2);
    const pad = pick(rng, PADS);
    const h = 2 + rng.int(6);
    let w = 2 + rng.int(6);
    if (w === h) w++; // non-square
    const c = 1 + rng.int(4);
    const m = 1 + rng.int(5);
    try {
      window2d('case', [m, h, w, c], kernel, stride, pad);
      return { m, h, w, c, kernel, stride, pad };
    } catch {
      // the window does not fit this input: draw again
    }
  }
}

function describeCase(k: WindowCase): string {
  return `X (${k.m}, ${k.h}, ${k.w}, ${k.c}) kernel ${k.kernel.join('×')} stride ${k.stride} pad ${JSON.stringify(k.pad)}`;
}

describe('nn layers vs central differences (float64, CPU backend)', () => {
  it.each(ACTIVATION_NAMES.map((a) => [a] as [ActivationName]))('FullyConnected with %s: dX, dW, db', async (act) => {
    const rng = new Rng(101 + ACTIVATION_NAMES.indexOf(act));
    // both paths of a standalone layer: lean (the default, the kernels training runs) and the course's explicit one
    for (const [m, nIn, nOut, lean] of [[1, 3, 2, true], [5, 4, 3, false], [3, 7, 5, true], [3, 7, 5, false]] as const) {
      const layer = new FullyConnected(cpu, { nOut, activation: act, init: 'xavier_normal' }, { seed: rng.int(1e9), lean });
      const X = cpu.fromArray(randomArray(rng, m * nIn), [m, nIn]);
      layer.build(X.shape);
      layer.setParameters({ b: randomArray(rng, nOut, -0.5, 0.5) });
      if (act === 'relu') {
        // nudge the bias until every pre-activation is ≥ 10·h away from the kink
        for (let tries = 0; ; tries++) {
          const z = cpu.matmul(X, layer.parameters.W!, { bias: layer.parameters.b });
          if ((await minAbs(z)) >= 1e-4) break;
          expect(tries, 'could not move Z off the ReLU kink').toBeLessThan(50);
          layer.setParameters({ b: randomArray(rng, nOut, -0.5, 0.5) });
        }
      }
      await checkLayer(`fc ${act} (${m}, ${nIn}) → ${nOut}${lean ? '' : ', lean: false'}`, layer, X, rng);
    }
  });

  it('Conv2D over random configurations (kernel 1–5, stride 1–2, same/valid/int pad, 1–4 channels, batch 1–5)', async () => {
    const rng = new Rng(2026);
    const acts: Activation[] = ['linear', 'relu', 'sigmoid', 'tanh'];
    for (let n = 0; n < 12; n++) {
      const k = randomWindow(rng);
      const act = acts[n % acts.length]!;
      const nOut = 1 + rng.int(4);
      // lean (implicit GEMM, the default) and the course's im2col path, alternately
      const lean = n % 3 !== 2;
      const layer = new Conv2D(cpu, { nOut, kernel: k.kernel, stride: k.stride, pad: k.pad, activation: act }, { seed: n, lean });
      const X = cpu.fromArray(randomArray(rng, k.m * k.h * k.w * k.c), [k.m, k.h, k.w, k.c]);
      layer.build(X.shape);
      layer.setParameters({ b: randomArray(rng, nOut, -0.5, 0.5) });
      if (act === 'relu') {
        for (let tries = 0; ; tries++) {
          const z = cpu.conv2d(X, layer.parameters.W!, layer.parameters.b!, { stride: k.stride, pad: k.pad });
          if ((await minAbs(z)) >= 1e-4) break;
          expect(tries, 'could not move Z off the ReLU kink').toBeLessThan(200);
          cpu.write(X, randomArray(rng, X.size));
          layer.setParameters({ b: randomArray(rng, nOut, -0.5, 0.5) });
        }
      }
      await checkLayer(`conv2d ${act} ${describeCase(k)} → ${nOut} filters${lean ? '' : ', lean: false'}`, layer, X, rng);
    }
  });

  it('Pool2D max and average over random configurations', async () => {
    const rng = new Rng(77);
    for (let n = 0; n < 12; n++) {
      const k = randomWindow(rng);
      const mode = n % 2 === 0 ? 'max' : 'average';
      const layer = new Pool2D(cpu, { mode, kernel: k.kernel, stride: k.stride, pad: k.pad });
      const X = cpu.fromArray(spacedValues(rng, k.m * k.h * k.w * k.c), [k.m, k.h, k.w, k.c]);
      expect(Object.keys(layer.parameters)).toEqual([]);
      await checkLayer(`pool2d ${mode} ${describeCase(k)}`, layer, X, rng);
    }
  });

  it('Flatten: (m, H, W, C) → (m, H·W·C) and back', async () => {
    const rng = new Rng(5);
    const layer = new Flatten(cpu);
    const X = cpu.fromArray(randomArray(rng, 2 * 3 * 4 * 2), [2, 3, 4, 2]);
    expect(layer.forward(X).shape).toEqual([2, 24]);
    await checkLayer('flatten', layer, X, rng);
  });
});

describe('nn losses vs central differences (float64, CPU backend)', () => {
  it('CrossEntropy on probabilities: dL/dŷ', async () => {
    const rng = new Rng(11);
    for (const [m, k] of [[1, 2], [4, 5], [3, 10]] as const) {
      const loss = createLoss(cpu, 'cross_entropy');
      const P = cpu.fromArray(randomArray(rng, m * k, 0.05, 1), [m, k]);
      const Y = cpu.fromArray(randomOneHot(rng, m, k), [m, k]);
      loss.forward(P, Y);
      const d = await host(loss.backward());
      await checkTensor(`cross_entropy (${m}, ${k})`, P, d, async () => (await host(loss.forward(P, Y)))[0]!, rng);
    }
  });

  it('MeanSquaredError: dL/dŷ, with L = (1/2m) Σ (ŷ − y)²', async () => {
    const rng = new Rng(12);
    for (const [m, k] of [[1, 1], [4, 3], [5, 7]] as const) {
      const loss = createLoss(cpu, 'mse');
      const P = cpu.fromArray(randomArray(rng, m * k), [m, k]);
      const y = randomArray(rng, m * k);
      const Y = cpu.fromArray(y, [m, k]);
      const L = (await host(loss.forward(P, Y)))[0]!;
      const p = await host(P);
      expect(L).toBeCloseTo(p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / (2 * m), 12);
      const d = await host(loss.backward());
      await checkTensor(`mse (${m}, ${k})`, P, d, async () => (await host(loss.forward(P, Y)))[0]!, rng);
    }
  });
});

/** checks every parameter gradient of a model against central differences of its loss */
async function checkModel(name: string, model: NeuralNetwork, X: Tensor, Y: Tensor, rng: Rng): Promise<void> {
  cpu.dispose(model.computeLoss(X, Y));
  model.backward();
  const objective = async () => {
    const L = model.computeLoss(X, Y);
    const v = (await host(L))[0]!;
    cpu.dispose(L);
    return v;
  };
  for (const layer of model.layers) {
    for (const key of Object.keys(layer.parameters)) {
      await checkTensor(`${name} ${layer.name}.${key}`, layer.parameters[key]!, await host(layer.gradients[key]!), objective, rng);
    }
  }
}

describe('softmax + cross-entropy, fused and unfused', () => {
  it('both paths match central differences and each other', async () => {
    const rng = new Rng(31);
    for (const [m, nIn, k] of [[1, 3, 2], [5, 4, 6]] as const) {
      const X = cpu.fromArray(randomArray(rng, m * nIn, -2, 2), [m, nIn]);
      const Y = cpu.fromArray(randomOneHot(rng, m, k), [m, k]);
      const grads: Float64Array[][] = [];
      const losses: number[] = [];
      for (const fused of [true, false]) {
        const model = new NeuralNetwork(cpu, {
          layers: [{ type: 'fc', nOut: k, activation: 'softmax' }],
          loss: { type: 'cross_entropy', fused },
          optimizer: { type: 'sgd', lr: 0.1 },
          seed: 9,
        });
        expect(model.fused).toBe(fused);
        await checkModel(`softmax+CE ${fused ? 'fused' : 'unfused'} (${m}, ${nIn}) → ${k}`, model, X, Y, rng);
        const L = model.computeLoss(X, Y);
        losses.push((await host(L))[0]!);
        model.backward();
        grads.push(await Promise.all(['W', 'b'].map((key) => host(model.layers[0]!.gradients[key]!))));
      }
      expect(Math.abs(losses[0]! - losses[1]!)).toBeLessThan(1e-12);
      for (let i = 0; i < 2; i++) expect(relativeError(grads[0]![i]!, grads[1]![i]!)).toBeLessThan(1e-12);
    }
  });
});

describe('a whole model: conv → pool → flatten → fc', () => {
  const cases: { name: string; layers: LayerConfig[]; loss: 'cross_entropy' | 'mse'; input: Shape; k: number }[] = [
    {
      name: 'conv(tanh) → max pool → flatten → fc(softmax), fused CE',
      layers: [
        { type: 'conv2d', nOut: 3, kernel: [3, 2], stride: 1, pad: 'same', activation: 'tanh' },
        { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'fc', nOut: 4, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      input: [3, 6, 5, 2],
      k: 4,
    },
    {
      name: 'conv(sigmoid, stride 2, pad 1) → average pool → flatten → fc(tanh) → fc(linear), MSE',
      layers: [
        { type: 'conv2d', nOut: 2, kernel: 3, stride: 2, pad: 1, activation: 'sigmoid', init: 'he_normal' },
        { type: 'pool2d', mode: 'average', kernel: 2, stride: 1, pad: 'valid' },
        { type: 'flatten' },
        { type: 'fc', nOut: 5, activation: 'tanh', init: 'normal' },
        { type: 'fc', nOut: 3, activation: 'linear' },
      ],
      loss: 'mse',
      input: [2, 7, 6, 3],
      k: 3,
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s: every parameter gradient', async (_name, c) => {
    const rng = new Rng(41);
    const model = new NeuralNetwork(cpu, { layers: c.layers, loss: c.loss, optimizer: { type: 'sgd', lr: 0.1 }, seed: 3 });
    // the max pool reads conv outputs; keep its windows free of near-ties for these inputs
    const X = cpu.fromArray(randomArray(rng, sizeOf(c.input)), c.input);
    const m = c.input[0]!;
    const Y = cpu.fromArray(c.loss === 'mse' ? randomArray(rng, m * c.k) : randomOneHot(rng, m, c.k), [m, c.k]);
    model.build(X.shape);
    for (const layer of model.layers) {
      if (layer.parameters.b) layer.setParameters({ b: randomArray(rng, layer.parameters.b.size, -0.3, 0.3) });
    }
    if (c.layers[1]!.type === 'pool2d' && (c.layers[1] as { mode: string }).mode === 'max') {
      const conv = model.layers[0]!;
      const pool = model.layers[1] as Pool2D;
      const gap = await minWindowGap(conv.forward(X), pool);
      expect(gap, 'max-pool windows must have no near-ties for a finite-difference check').toBeGreaterThan(1e-4);
    }
    await checkModel(c.name, model, X, Y, rng);
  });
});

/** smallest gap between the largest and second-largest value of any pooling window (padding counts as 0) */
async function minWindowGap(x: Tensor, pool: Pool2D): Promise<number> {
  const v = await host(x);
  const { kernel, stride, pad } = pool.config;
  const win = window2d('gap', x.shape, kernel, stride, pad);
  let gap = Infinity;
  for (let b = 0; b < win.n; b++)
    for (let p = 0; p < win.oh; p++)
      for (let q = 0; q < win.ow; q++)
        for (let ch = 0; ch < win.c; ch++) {
          const vals: number[] = [];
          for (let i = 0; i < win.kh; i++)
            for (let j = 0; j < win.kw; j++) {
              const hi = p * win.stride + i - win.padTop;
              const wj = q * win.stride + j - win.padLeft;
              const inside = hi >= 0 && hi < win.h && wj >= 0 && wj < win.w;
              vals.push(inside ? v[((b * win.h + hi) * win.w + wj) * win.c + ch]! : 0);
            }
          vals.sort((a, c) => c - a);
          if (vals.length > 1) gap = Math.min(gap, vals[0]! - vals[1]!);
        }
  return gap;
}
