// Conv2D and Pool2D on NHWC input: random kernels 1–5, strides 1–3, every padding mode,
// 1–4 channels, batches of 1 and odd sizes, non-square inputs and kernels.

import { type Padding, resolvePad, window2d } from '../../engine/geometry';
import { Rng } from '../../engine/random';
import { type Arr, arr, toNp } from './arrays';
import { batchSize, type ExerciseGrader, instantiate, pick, randn } from './exercise';
import { checkGradientKeys, checkInit, layerGradCheck, setParameters } from './dense';
import { type CaseRun, close, differenceCheck, guard, sameShape, sampleEntries } from './harness';
import { fromStudent } from './arrays';
import * as ref from './reference';
import type { DiagnosisId } from './diagnoses';

interface LayerObject {
  parameters?: Record<string, unknown>;
  gradients?: Record<string, unknown>;
  forward(X: unknown): unknown;
  backward(dLdY: unknown): unknown;
}

interface Geometry {
  m: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  stride: number;
  pad: Padding;
}

function padText(p: Padding): string {
  return typeof p === 'number' ? String(p) : `'${p}'`;
}

/** a random window over a random input that fits it; the padding mode cycles with the case */
function geometry(c: CaseRun, maxKernel = 5): Geometry {
  const m = batchSize(c, 5);
  const kh = pick(c.rng, 1, maxKernel);
  const kw = c.index % 4 === 0 ? kh : pick(c.rng, 1, maxKernel);
  const stride = c.index % 3 === 0 ? 1 : pick(c.rng, 1, 3);
  const pad: Padding = (['same', 'valid', pick(c.rng, 0, 2)] as Padding[])[c.index % 3]!;
  const min = (k: number) => (pad === 'valid' ? k : typeof pad === 'number' ? Math.max(1, k - 2 * pad) : 1);
  const h = pick(c.rng, min(kh), min(kh) + 5);
  const w = pick(c.rng, min(kw), min(kw) + 5);
  return { m, h, w, c: pick(c.rng, 1, 4), kh, kw, stride, pad };
}

function describe(g: Geometry): string {
  return `m = ${g.m}, input ${g.h}×${g.w}×${g.c}, kernel ${g.kh}×${g.kw}, stride ${g.stride}, padding ${padText(g.pad)}`;
}

/** (m, H + top + bottom, W + left + right, C): the shape of the padded input */
function paddedShape(g: Geometry): number[] {
  const [t, b] = resolvePad(g.h, g.kh, g.stride, g.pad, 'pad');
  const [l, r] = resolvePad(g.w, g.kw, g.stride, g.pad, 'pad');
  return [g.m, g.h + t + b, g.w + l + r, g.c];
}

/** X with its zero border: (m, H + top + bottom, W + left + right, C) */
function padInput(x: Arr, g: Geometry): Arr {
  const [t] = resolvePad(g.h, g.kh, g.stride, g.pad, 'pad');
  const [l] = resolvePad(g.w, g.kw, g.stride, g.pad, 'pad');
  const shape = paddedShape(g);
  const [, hp, wp] = shape as [number, number, number, number];
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let n = 0; n < g.m; n++)
    for (let i = 0; i < g.h; i++)
      for (let j = 0; j < g.w; j++)
        for (let ch = 0; ch < g.c; ch++) out[((n * hp + i + t) * wp + j + l) * g.c + ch] = x.data[((n * g.h + i) * g.w + j) * g.c + ch]!;
  return { data: out, shape };
}

function leftPadded(g: Geometry) {
  const p = paddedShape(g);
  return (got: Arr): DiagnosisId | undefined => (!sameShape(p, [g.m, g.h, g.w, g.c]) && sameShape(got.shape, p) ? 'grad-left-padded' : undefined);
}

const CONV_ACTIVATIONS: ref.ActivationName[] = ['relu', 'sigmoid', 'linear', 'tanh'];

export const conv2d: ExerciseGrader = {
  runCase(mod, c) {
    const g = geometry(c);
    const nOut = pick(c.rng, 1, 4);
    const act = CONV_ACTIVATIONS[c.index % 4]!;
    c.describe(`${describe(g)}, ${nOut} filter${nOut === 1 ? "" : "s"}, activation ${act}`);
    const x = randn(c.rng, [g.m, g.h, g.w, g.c]);
    const w = randn(c.rng, [g.kh, g.kw, g.c, nOut], 0.5);
    const b = randn(c.rng, [1, nOut], 0.5);
    c.shape('X', x.shape);
    c.shape('W', w.shape);
    c.shape('b', b.shape);
    const layer = instantiate<LayerObject>(mod, 'Conv2D', c.source, nOut, [g.kh, g.kw], new ref.ReferenceActivation(act, 'conv-cache-wrong'), g.stride, g.pad);
    c.call(() => layer.forward(toNp(x)));
    checkInit(c, layer, w.shape, nOut);
    setParameters(layer, w, b);

    const z = ref.convForward(x, w, b, g);
    const y = ref.activationForward(act, z);
    c.shape('Y', y.shape);
    c.expect('Y = forward(X)', c.call(() => layer.forward(toNp(x))), y);

    const dy = randn(c.rng, y.shape);
    const want = ref.convBackward(x, w, ref.activationBackward(act, z, dy), g);
    // the known mistakes: the activation's output, or the padded input, cached as Z (a
    // padded input of Z's shape gets this far; one of another shape stops in activation.backward)
    const xp = padInput(x, g);
    const models = [y, ...(sameShape(xp.shape, y.shape) ? [xp] : [])].map((cached) => ref.convBackward(x, w, ref.activationBackward(act, cached, dy), g));
    const cacheWrong = (got: Arr, pick: (m: { dX: Arr; dW: Arr; db: Arr }) => Arr): DiagnosisId | undefined =>
      models.some((m) => close(got, pick(m))) ? 'conv-cache-wrong' : undefined;
    c.expect('dL/dX = backward(dL/dY)', c.call(() => layer.backward(toNp(dy))), want.dX, (got) => leftPadded(g)(got) ?? cacheWrong(got, (m) => m.dX));
    checkGradientKeys(c, layer);
    c.expect('dL/dW (gradients.W)', layer.gradients!.W, want.dW, (got) => cacheWrong(got, (m) => m.dW));
    c.expect('dL/db (gradients.b)', layer.gradients!.b, want.db, (got) => (sameShape(got.shape, [nOut]) ? 'bias-shape' : cacheWrong(got, (m) => m.db)));
  },
  atBatch(mod, m, source) {
    const r = new Rng(13);
    const layer = instantiate<LayerObject>(mod, 'Conv2D', source, 3, [3, 2], new ref.ReferenceActivation('relu'), 1, 'same');
    const x = toNp(randn(r, [m, 5, 4, 2]));
    guard(source, () => {
      const y = layer.forward(x);
      const shape = (fromStudent(y) as Arr).shape ?? [m, 5, 4, 3];
      layer.backward(toNp(randn(r, shape)));
    });
  },
  gradCheck(mod, rng, source) {
    const g = { stride: 2, pad: 'same' as Padding };
    const x = randn(rng, [2, 5, 4, 2]);
    const w = randn(rng, [3, 2, 2, 3], 0.5);
    const b = randn(rng, [1, 3], 0.5);
    const r = randn(rng, ref.convForward(x, w, b, g).shape);
    const layer = instantiate<LayerObject>(mod, 'Conv2D', source, 3, [3, 2], new ref.ReferenceActivation('tanh'), g.stride, g.pad);
    return layerGradCheck(layer, source, rng, { X: x, W: w, b }, r, "tanh, X 2×5×4×2, kernel 3×2, 3 filters, stride 2, padding 'same'");
  },
};

/**
 * Max pooling's gradient routed by a known mistake: to every position tying for the
 * window's maximum; or from the right window's arg-max (i, j) to (p + i, q + j), the window
 * placed as if the stride were 1.
 */
function routeMax(x: Arr, dy: Arr, g: Geometry, mistake: 'all-ties' | 'no-stride'): Arr {
  const win = window2d('pool2d', x.shape, [g.kh, g.kw], g.stride, g.pad);
  const { n, h, w, c, kh, kw, stride, padTop, padLeft, oh, ow } = win;
  const dx = new Float64Array(x.data.length);
  const at = (bn: number, r: number, q: number, ch: number) => (r >= 0 && r < h && q >= 0 && q < w ? ((bn * h + r) * w + q) * c + ch : -1);
  for (let bn = 0; bn < n; bn++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let ch = 0; ch < c; ch++) {
          const cells: { i: number; j: number; v: number }[] = [];
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const idx = at(bn, p * stride + i - padTop, q * stride + j - padLeft, ch);
              cells.push({ i, j, v: idx >= 0 ? x.data[idx]! : 0 });
            }
          const best = Math.max(...cells.map((e) => e.v));
          const gval = dy.data[((bn * oh + p) * ow + q) * c + ch]!;
          const s = mistake === 'no-stride' ? 1 : stride;
          const to = mistake === 'all-ties' ? cells.filter((e) => e.v === best) : [cells.find((e) => e.v === best)!];
          for (const e of to) {
            const idx = at(bn, p * s + e.i - padTop, q * s + e.j - padLeft, ch);
            if (idx >= 0) dx[idx] += gval;
          }
        }
  return { data: dx, shape: [...x.shape] };
}

export const pool2d: ExerciseGrader = {
  runCase(mod, c) {
    const g = geometry(c, 4);
    const ties = c.index % 4 === 1;
    const mode: 'max' | 'average' = ties || c.index % 2 === 0 ? 'max' : 'average';
    if (ties) {
      g.kh = Math.max(g.kh, 2);
      g.kw = Math.max(g.kw, 2);
      g.h = Math.max(g.h, g.kh);
      g.w = Math.max(g.w, g.kw);
    }
    c.describe(`${describe(g)}, ${mode} pooling${ties ? ', inputs with ties (values 1, 2, 3)' : ''}`);
    const shape = [g.m, g.h, g.w, g.c];
    const x = ties ? arr(Array.from({ length: shape.reduce((a, b) => a * b) }, () => 1 + c.rng.int(3)), shape) : randn(c.rng, shape);
    c.shape('X', x.shape);
    const pg: ref.PoolGeometry = { kernel: [g.kh, g.kw], mode, stride: g.stride, pad: g.pad };
    const layer = instantiate<LayerObject>(mod, 'Pool2D', c.source, [g.kh, g.kw], mode, g.stride, g.pad);
    const y = ref.poolForward(x, pg);
    c.shape('Y', y.shape);
    c.expect('Y = forward(X)', c.call(() => layer.forward(toNp(x))), y);
    const dy = randn(c.rng, y.shape);
    const want = ref.poolBackward(x, dy, pg);
    c.expect('dL/dX = backward(dL/dY)', c.call(() => layer.backward(toNp(dy))), want, (got) => {
      const padded = leftPadded(g)(got);
      if (padded || mode !== 'max') return padded;
      if (close(got, routeMax(x, dy, g, 'all-ties'))) return 'max-grad-all-ties';
      if (g.stride > 1 && close(got, routeMax(x, dy, g, 'no-stride'))) return 'max-grad-wrong-window';
      return undefined;
    });
  },
  atBatch(mod, m, source) {
    const r = new Rng(17);
    const layer = instantiate<LayerObject>(mod, 'Pool2D', source, [2, 2], 'max', 2, 0);
    const x = toNp(randn(r, [m, 6, 5, 2]));
    guard(source, () => {
      const y = layer.forward(x);
      layer.backward(toNp(randn(r, (fromStudent(y) as Arr).shape ?? [m, 3, 2, 2])));
    });
  },
  gradCheck(mod, rng, source) {
    const checks = (['max', 'average'] as const).map((mode) => {
      const pg: ref.PoolGeometry = { kernel: [3, 2], mode, stride: 2, pad: 1 };
      const x = randn(rng, [2, 5, 4, 2]);
      const r = randn(rng, ref.poolForward(x, pg).shape);
      const layer = instantiate<LayerObject>(mod, 'Pool2D', source, pg.kernel, mode, pg.stride, pg.pad);
      const loss = (v: Float64Array) => {
        const y = fromStudent(guard(source, () => layer.forward(toNp({ data: v, shape: x.shape }))));
        return typeof y === 'string' || y.data.length !== r.data.length ? NaN : y.data.reduce((s, yi, i) => s + yi * r.data[i]!, 0);
      };
      guard(source, () => layer.forward(toNp(x)));
      const dx = fromStudent(guard(source, () => layer.backward(toNp(r))));
      const analytic = typeof dx === 'string' || dx.data.length !== x.data.length ? new Float64Array(x.data.length).fill(NaN) : dx.data;
      return differenceCheck(`dL/dX (${mode})`, x.data, analytic, loss, sampleEntries(rng, x.data.length, 10));
    });
    return { case: 'X 2×5×4×2, window 3×2, stride 2, padding 1, L = Σ R ⊙ Y for a random R', checks, pass: checks.every((k) => k.pass) };
  },
};
