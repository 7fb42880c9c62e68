// FullyConnected, cross-entropy and the model.

import { Rng } from '../../engine/random';
import type { NDArray } from '../np';
import { type Arr, fromStudent, shapeText, toNp } from './arrays';
import { batchSize, choose, type ExerciseGrader, instantiate, oneHot, pick, randn } from './exercise';
import { type CaseRun, close, differenceCheck, guard, sameShape, sampleEntries } from './harness';
import * as ref from './reference';
import type { GradCheck } from './types';

interface LayerObject {
  parameters?: Record<string, unknown>;
  gradients?: Record<string, unknown>;
  forward(X: unknown): unknown;
  backward(dLdY: unknown): unknown;
}

/** the parameter (or gradient) `key` of a student's layer, as a plain array */
export function entry(c: CaseRun, layer: LayerObject, dict: 'parameters' | 'gradients', key: string, when: string): Arr {
  const d = layer[dict];
  if (!d || typeof d !== 'object') c.fail(`${dict}`, `the layer has no ${dict} dictionary ${when}`);
  const raw = (d as Record<string, unknown>)[key];
  if (raw === undefined) c.fail(`${dict}.${key}`, `${dict}.${key} is missing ${when}${dict === 'parameters' ? ': create W and b on the first forward' : ''}`);
  const v = fromStudent(raw);
  if (typeof v === 'string') c.fail(`${dict}.${key}`, `${dict}.${key} ${when} is ${v}`);
  return v;
}

/**
 * After the first forward: W has the right shape and is random, b has shape (1, n_out) and
 * is zero. `wShape` is W's expected shape.
 */
export function checkInit(c: CaseRun, layer: LayerObject, wShape: number[], nOut: number): void {
  const when = 'after the first forward';
  const w = entry(c, layer, 'parameters', 'W', when);
  const b = entry(c, layer, 'parameters', 'b', when);
  if (sameShape(b.shape, [nOut]) && nOut !== 1) c.fail('b (after init)', `b has shape ${shapeText(b.shape)}, expected (1, ${nOut})`, 'bias-shape');
  if (!sameShape(b.shape, [1, nOut])) c.fail('b (after init)', `b has shape ${shapeText(b.shape)}, expected (1, ${nOut})`, sameShape(b.shape, [nOut]) ? 'bias-shape' : undefined);
  if (!sameShape(w.shape, wShape)) c.fail('W (after init)', `W has shape ${shapeText(w.shape)}, expected ${shapeText(wShape)}: its shape comes from the input's`);
  if (b.data.some((v) => v !== 0)) c.fail('b (after init)', 'b should start at zero');
  if (!w.data.every(Number.isFinite) || w.data.every((v) => v === w.data[0]) && w.data.length > 1) {
    c.fail('W (after init)', 'W should start random (Xavier uniform), not constant: equal weights stay equal in training');
  }
  const keys = Object.keys(layer.parameters!).sort().join(', ');
  if (keys !== 'W, b') c.fail('parameters', `parameters has keys ${keys}; expected exactly W and b`);
}

/** puts the grader's values into the student's parameters */
export function setParameters(layer: LayerObject, w: Arr, b: Arr): void {
  layer.parameters!.W = toNp(w);
  layer.parameters!.b = toNp(b);
}

export function checkGradientKeys(c: CaseRun, layer: LayerObject): void {
  const g = layer.gradients;
  if (!g || typeof g !== 'object') c.fail('gradients', 'backward did not fill the gradients dictionary');
  const keys = Object.keys(g).sort().join(', ');
  if (keys !== 'W, b') c.fail('gradients', `gradients has keys ${keys || 'none'}; expected the same keys as parameters: W and b`);
}

const ELEMENTWISE: ref.ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh'];

export const fullyConnected: ExerciseGrader = {
  runCase(mod, c) {
    const m = batchSize(c);
    const nIn = pick(c.rng, 1, 6);
    const nOut = c.index === 2 ? 1 : pick(c.rng, 2, 5);
    const act: ref.ActivationName = c.index === 1 || c.index % 5 === 3 ? 'softmax' : choose(c.rng, ELEMENTWISE);
    c.describe(`m = ${m}, n_in = ${nIn}, n_out = ${nOut}, activation ${act}`);
    const x = randn(c.rng, [m, nIn]);
    const w = randn(c.rng, [nIn, nOut], 0.7);
    const b = randn(c.rng, [1, nOut], 0.5);
    c.shape('X', x.shape);
    c.shape('W', w.shape);
    c.shape('b', b.shape);
    const layer = instantiate<LayerObject>(mod, 'FullyConnected', c.source, nOut, new ref.ReferenceActivation(act));
    c.call(() => layer.forward(toNp(x)));
    checkInit(c, layer, [nIn, nOut], nOut);
    setParameters(layer, w, b);

    const z = ref.denseForward(x, w, b);
    const y = ref.activationForward(act, z);
    c.expect('Y = forward(X)', c.call(() => layer.forward(toNp(x))), y);

    // the gradient a softmax output layer receives is the loss's: −Y/(m·Ŷ)
    const dy = act === 'softmax' ? ref.crossEntropyBackward(oneHot(c.rng, m, nOut), y) : randn(c.rng, [m, nOut]);
    c.shape('dL/dY', dy.shape);
    const want = ref.denseBackward(x, w, ref.activationBackward(act, z, dy));
    const skipped = ref.denseBackward(x, w, dy);
    const skip = (got: Arr, model: Arr) => (act !== 'linear' && close(got, model) ? (act === 'softmax' ? 'loss-grad-skips-softmax' : 'activation-backward-skipped') : undefined);
    c.expect('dL/dX = backward(dL/dY)', c.call(() => layer.backward(toNp(dy))), want.dX, (got) => skip(got, skipped.dX));
    checkGradientKeys(c, layer);
    c.expect('dL/dW (gradients.W)', layer.gradients!.W, want.dW, (got) => skip(got, skipped.dW));
    c.expect('dL/db (gradients.b)', layer.gradients!.b, want.db, (got) => (sameShape(got.shape, [nOut]) ? 'bias-shape' : skip(got, skipped.db)));
  },
  atBatch(mod, m, source) {
    const g = new Rng(3);
    const layer = instantiate<LayerObject>(mod, 'FullyConnected', source, 3, new ref.ReferenceActivation('tanh'));
    const x = toNp(randn(g, [m, 4]));
    const dy = toNp(randn(g, [m, 3]));
    guard(source, () => {
      layer.forward(x);
      layer.backward(dy);
    });
  },
  gradCheck(mod, rng, source) {
    const [m, nIn, nOut] = [3, 4, 3];
    const x = randn(rng, [m, nIn]);
    const w = randn(rng, [nIn, nOut], 0.7);
    const b = randn(rng, [1, nOut], 0.5);
    const r = randn(rng, [m, nOut]);
    const layer = instantiate<LayerObject>(mod, 'FullyConnected', source, nOut, new ref.ReferenceActivation('tanh'));
    return layerGradCheck(layer, source, rng, { X: x, W: w, b }, r, 'tanh, m = 3, n_in = 4, n_out = 3');
  },
};

/**
 * Central differences of L = Σ R ⊙ forward(X) for a layer with parameters W and b: with
 * respect to X, W and b, against dL/dX from backward(R) and the gradients it filled.
 */
export function layerGradCheck(layer: LayerObject, source: string, rng: Rng, at: { X: Arr; W: Arr; b: Arr }, r: Arr, what: string): GradCheck {
  const sum = (v: unknown) => {
    const y = fromStudent(v);
    return typeof y === 'string' || y.data.length !== r.data.length ? NaN : y.data.reduce((s, yi, i) => s + yi * r.data[i]!, 0);
  };
  guard(source, () => layer.forward(toNp(at.X)));
  setParameters(layer, at.W, at.b);
  guard(source, () => layer.forward(toNp(at.X)));
  const dX = fromStudent(guard(source, () => layer.backward(toNp(r))));
  const nan = (n: number) => new Float64Array(n).fill(NaN);
  const analytic = (v: unknown, n: number) => {
    const a = fromStudent(v);
    return typeof a === 'string' || a.data.length !== n ? nan(n) : a.data;
  };
  const dW = analytic(layer.gradients?.W, at.W.data.length);
  const db = analytic(layer.gradients?.b, at.b.data.length);
  const withParams = (w: Arr, b: Arr, x: Arr) => {
    setParameters(layer, w, b);
    return sum(guard(source, () => layer.forward(toNp(x))));
  };
  const checks = [
    differenceCheck('dL/dX', at.X.data, typeof dX === 'string' ? nan(at.X.data.length) : dX.data, (v) => withParams(at.W, at.b, { data: v, shape: at.X.shape }), sampleEntries(rng, at.X.data.length, 8)),
    differenceCheck('dL/dW', at.W.data, dW, (v) => withParams({ data: v, shape: at.W.shape }, at.b, at.X), sampleEntries(rng, at.W.data.length, 8)),
    differenceCheck('dL/db', at.b.data, db, (v) => withParams(at.W, { data: v, shape: at.b.shape }, at.X), sampleEntries(rng, at.b.data.length, 4)),
  ];
  setParameters(layer, at.W, at.b);
  return { case: `${what}, L = Σ R ⊙ Y for a random R`, checks, pass: checks.every((k) => k.pass) };
}

interface LossObject {
  forward(Y: unknown, Y_hat: unknown): unknown;
  backward(Y: unknown, Y_hat: unknown): unknown;
}

function probabilities(rng: Rng, m: number, k: number): Arr {
  return ref.activationForward('softmax', randn(rng, [m, k], 1.5));
}

export const crossEntropy: ExerciseGrader = {
  runCase(mod, c) {
    const m = batchSize(c);
    const k = pick(c.rng, 2, 7);
    c.describe(`m = ${m}, ${k} classes`);
    const t = oneHot(c.rng, m, k);
    const p = probabilities(c.rng, m, k);
    c.shape('Y', t.shape);
    c.shape('Y_hat', p.shape);
    const loss = instantiate<LossObject>(mod, 'CrossEntropy', c.source);
    const l = ref.crossEntropy(t, p);
    c.expectScalar('L = forward(Y, Y_hat)', c.call(() => loss.forward(toNp(t), toNp(p))), l, (got) => (m > 1 && Math.abs(got - m * l) <= 1e-6 * Math.abs(m * l) ? 'ce-not-averaged' : undefined));
    const g = ref.crossEntropyBackward(t, p);
    const fused = { data: p.data.map((v, i) => (v - t.data[i]!) / m), shape: p.shape };
    c.expect('dL/dY_hat = backward(Y, Y_hat)', c.call(() => loss.backward(toNp(t), toNp(p))), g, (got) =>
      m > 1 && close(got, { data: g.data.map((v) => v * m), shape: g.shape }) ? 'ce-not-averaged' : close(got, fused) ? 'ce-fused-gradient' : undefined,
    );
  },
  atBatch(mod, m, source) {
    const g = new Rng(5);
    const t = toNp(oneHot(g, m, 4));
    const p = toNp(probabilities(g, m, 4));
    const loss = instantiate<LossObject>(mod, 'CrossEntropy', source);
    guard(source, () => {
      loss.forward(t, p);
      loss.backward(t, p);
    });
  },
  gradCheck(mod, rng, source) {
    const t = oneHot(rng, 3, 4);
    const p = probabilities(rng, 3, 4);
    const loss = instantiate<LossObject>(mod, 'CrossEntropy', source);
    const value = (v: Float64Array) => {
      const l = fromStudent(guard(source, () => loss.forward(toNp(t), toNp({ data: v, shape: p.shape }))));
      return typeof l === 'string' ? NaN : l.data[0]!;
    };
    const g = fromStudent(guard(source, () => loss.backward(toNp(t), toNp(p))));
    const analytic = typeof g === 'string' || g.data.length !== p.data.length ? new Float64Array(p.data.length).fill(NaN) : g.data;
    const check = differenceCheck('dL/dY_hat', p.data, analytic, value, sampleEntries(rng, p.data.length, 12));
    return { case: 'm = 3, 4 classes', checks: [check], pass: check.pass };
  },
};

// ── the model ──────────────────────────────────────────────────────────────────

/**
 * A reference layer that watches how the student's model uses it: the input it gets must
 * be the previous layer's output, and in the backward the gradient the next layer returned.
 */
class WatchedLayer implements ref.StudentLayer {
  lastOutput: Arr | null = null;
  lastGradOut: Arr | null = null;
  backwardCalls = 0;
  constructor(
    private readonly inner: ref.ReferenceFullyConnected,
    private readonly c: CaseRun,
    private readonly position: number,
    private readonly expectedInput: () => Arr | null,
    private readonly expectedGrad: () => Arr | null,
  ) {}
  get parameters() {
    return this.inner.parameters;
  }
  get gradients() {
    return this.inner.gradients;
  }
  forward(X: NDArray): NDArray {
    const want = this.expectedInput();
    const got = fromStudent(X);
    if (want && (typeof got === 'string' || !sameShape(got.shape, want.shape) || !close(got, want))) {
      this.c.fail(
        `layer ${this.position + 1}'s input`,
        `layer ${this.position + 1} received ${typeof got === 'string' ? got : `an input of shape ${shapeText(got.shape)}`} that is not ${this.position === 0 ? 'X' : `layer ${this.position}'s output`}`,
        'layers-not-chained',
      );
    }
    const y = this.inner.forward(X);
    this.lastOutput = fromStudent(y) as Arr;
    return y;
  }
  backward(dLdY: NDArray): NDArray {
    this.backwardCalls++;
    const want = this.expectedGrad();
    const got = fromStudent(dLdY);
    if (!want || typeof got === 'string' || !sameShape(got.shape, want.shape) || !close(got, want)) {
      this.c.fail(
        `layer ${this.position + 1}'s dL/dY`,
        want
          ? `layer ${this.position + 1}'s backward received a gradient that is not ${this.expectedGradName()}`
          : `layer ${this.position + 1}'s backward was called before the layer after it`,
        'backward-not-reversed',
      );
    }
    const dx = this.inner.backward(dLdY);
    this.lastGradOut = fromStudent(dx) as Arr;
    return dx;
  }
  expectedGradName(): string {
    return this.expectedGradLabel;
  }
  expectedGradLabel = '';
}

interface ModelObject {
  forward(X: unknown): unknown;
  backward(target: unknown, out: unknown): unknown;
  predict(X: unknown): unknown;
}

interface ModelSpec {
  x: Arr;
  t: Arr;
  widths: number[];
  acts: ref.ActivationName[];
}

function referenceChain(spec: ModelSpec, seed: number): ref.ReferenceFullyConnected[] {
  return spec.widths.map((n, i) => new ref.ReferenceFullyConnected(n, new ref.ReferenceActivation(spec.acts[i]!), seed + i));
}

export const model: ExerciseGrader = {
  runCase(mod, c) {
    const m = batchSize(c);
    const d = pick(c.rng, 2, 6);
    const k = pick(c.rng, 2, 5);
    const hidden = Array.from({ length: pick(c.rng, 1, 2) }, () => pick(c.rng, 2, 6));
    const spec: ModelSpec = {
      x: randn(c.rng, [m, d]),
      t: oneHot(c.rng, m, k),
      widths: [...hidden, k],
      acts: [...hidden.map(() => choose(c.rng, ['relu', 'tanh', 'sigmoid'] as ref.ActivationName[])), 'softmax'],
    };
    const seed = 1 + c.rng.int(1000);
    c.describe(`m = ${m}, layers ${[d, ...spec.widths].join(' → ')} (${spec.acts.join(', ')}), cross-entropy`);
    c.shape('X', spec.x.shape);
    c.shape('target', spec.t.shape);

    // the expected pass, on an identical chain
    const chain = referenceChain(spec, seed);
    let h = toNp(spec.x);
    for (const l of chain) h = l.forward(h);
    const out = fromStudent(h) as Arr;
    const loss = ref.crossEntropy(spec.t, out);
    let g = toNp(ref.crossEntropyBackward(spec.t, out));
    for (const l of [...chain].reverse()) g = l.backward(g);

    const watched: WatchedLayer[] = [];
    const lossGrad = ref.crossEntropyBackward(spec.t, out);
    referenceChain(spec, seed).forEach((inner, i) => {
      const w: WatchedLayer = new WatchedLayer(
        inner,
        c,
        i,
        () => (i === 0 ? spec.x : watched[i - 1]!.lastOutput),
        () => (i === watched.length - 1 ? lossGrad : watched[i + 1]!.backwardCalls ? watched[i + 1]!.lastGradOut : null),
      );
      w.expectedGradLabel = i === spec.widths.length - 1 ? 'the loss gradient dL/dŶ = loss.backward(target, out)' : `what layer ${i + 2}'s backward returned`;
      watched.push(w);
    });
    const net = instantiate<ModelObject>(mod, 'NeuralNetwork', c.source, watched, new ref.ReferenceCrossEntropy());
    const got = c.call(() => net.forward(toNp(spec.x)));
    if (got === undefined) c.expect('Ŷ = forward(X)', got, out);
    for (const [i, w] of watched.entries()) if (!w.lastOutput) c.fail('forward(X)', `forward did not run layer ${i + 1}`, 'layers-not-chained');
    c.expect('Ŷ = forward(X)', got, out);
    c.expectScalar('the loss returned by backward(target, out)', c.call(() => net.backward(toNp(spec.t), toNp(out))), loss);
    for (const [i, w] of watched.entries()) {
      if (w.backwardCalls !== 1) c.fail('backward(target, out)', `backward called layer ${i + 1}'s backward ${w.backwardCalls} times; expected once`, 'backward-not-reversed');
      c.expect(`layer ${i + 1}'s dL/dW`, w.gradients.W, fromStudent(chain[i]!.gradients.W) as Arr);
      c.expect(`layer ${i + 1}'s dL/db`, w.gradients.b, fromStudent(chain[i]!.gradients.b) as Arr);
    }
    // predict: the class of each example, argmax of its row
    const classes = { data: new Float64Array(m), shape: [m] };
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (out.data[i * k + j]! > out.data[i * k + best]!) best = j;
      classes.data[i] = best;
    }
    for (const w of watched) w.lastOutput = null;
    c.expect('predict(X)', c.call(() => net.predict(toNp(spec.x))), classes);
  },
  atBatch(mod, m, source) {
    const g = new Rng(11);
    const spec: ModelSpec = { x: randn(g, [m, 4]), t: oneHot(g, m, 3), widths: [5, 3], acts: ['relu', 'softmax'] };
    const net = instantiate<ModelObject>(mod, 'NeuralNetwork', source, referenceChain(spec, 1), new ref.ReferenceCrossEntropy());
    guard(source, () => {
      const out = net.forward(toNp(spec.x));
      net.backward(toNp(spec.t), out);
    });
  },
};
