// The nn model on the CPU backend: its training step (no readback, one submission, no
// leak, lr changes at once), lean arenas, fused vs unfused softmax–cross-entropy, and
// save/load. (Factories, initializers, layers and optimizers: nn-layers.test.ts.)

import { describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { Rng } from '../src/engine/random';
import { loadModel, NeuralNetwork, readTensor } from '../src/nn';
import { expectClose, randomArray, randomOneHot } from './helpers/check';
import { CNN, cpu, host, MLP } from './helpers/models';

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
