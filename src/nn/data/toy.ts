// Small datasets made in code: the course's two 1-D regression sets, exactly as the
// course gives them, and 2-D classification toys drawn from a seed (the same seed
// gives the same points, in every browser and in Node).

import { allocF32, allocU8 } from './alloc';
import { checkSize, type ClassificationDataset, type RegressionDataset, type SizeLimits } from './dataset';
import { DataFormatError } from './errors';
import { rngFor } from './random';

// ── the course's 1-D regression sets ───────────────────────────────────────────

/** (x, y) pairs of regression set 1: a "W" shape over 0…12 */
export const REGRESSION_1: readonly (readonly [number, number])[] = [
  [0, 8], [1, 6], [2, 4], [3, 2], [4, 0], [5, 2], [6, 4], [7, 2], [8, 0], [9, 2], [10, 4], [11, 6], [12, 8],
];

/** (x, y) pairs of regression set 2: rise, dip, then a steady climb over 0…10 */
export const REGRESSION_2: readonly (readonly [number, number])[] = [
  [0, 0], [1, 1], [2, 2], [3, 3], [4, 2], [5, 1], [6, 1.5], [7, 2], [8, 2.5], [9, 3], [10, 3.5],
];

/** Regression set 1 or 2 of the course: x (n, 1), targets (n, 1). */
export function courseRegression(which: 1 | 2): RegressionDataset {
  const pts = which === 1 ? REGRESSION_1 : REGRESSION_2;
  const n = pts.length;
  return {
    task: 'regression',
    name: `Regression set ${which}`,
    split: `all ${n} points`,
    source: "the course's exercise data",
    notes: ['raw values, not normalized'],
    shape: [n, 1],
    features: Float32Array.from(pts, (p) => p[0]),
    featureNames: ['x'],
    targets: Float32Array.from(pts, (p) => p[1]),
    targetShape: [n, 1],
  };
}

// ── 2-D classification toys ────────────────────────────────────────────────────

export interface ToyOptions {
  /** points per class (default 100) */
  perClass?: number;
  /** standard deviation of the Gaussian noise (default depends on the set) */
  noise?: number;
  /** default 0 */
  seed?: number;
  /** spiral and blobs: number of classes (default 3) */
  classes?: number;
  /** names the part in the metadata, e.g. "train"; the stream is keyed by it too */
  part?: string;
}

/**
 * Checks a toy's options before its arrays are made: perClass a positive integer,
 * classes an integer in 1…256 (labels are bytes), noise a finite number ≥ 0, and
 * N·K·2 values within the dataset limits. Returns [N, K].
 */
function toySize(name: string, opts: ToyOptions, classes: number, limits: SizeLimits = {}): [number, number] {
  const N = opts.perClass ?? 100;
  if (typeof N !== 'number' || !Number.isSafeInteger(N) || N < 1) {
    throw new DataFormatError(`${name}: perClass must be a positive integer, got ${JSON.stringify(N)}`);
  }
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new DataFormatError(`${name}: classes must be an integer in 1…256, got ${JSON.stringify(classes)}`);
  }
  if (opts.noise !== undefined && !(typeof opts.noise === 'number' && Number.isFinite(opts.noise) && opts.noise >= 0)) {
    throw new DataFormatError(`${name}: noise must be a finite number ≥ 0, got ${JSON.stringify(opts.noise)}`);
  }
  checkSize(name, `${classes} classes of ${N} points in 2-D`, N * classes * 2, limits);
  return [N, classes];
}

export type ToyName = 'spiral' | 'circles' | 'xor' | 'blobs';
export const TOY_NAMES: readonly ToyName[] = ['spiral', 'circles', 'xor', 'blobs'];

function toy(
  name: string,
  generator: string,
  xs: Float32Array,
  labels: Uint8Array,
  classNames: string[],
  seed: number,
  part: string,
): ClassificationDataset {
  const n = labels.length;
  return {
    task: 'classification',
    name,
    split: `${part}: ${n} points, seed ${seed}`,
    source: `generated: ${generator}`,
    notes: [],
    shape: [n, 2],
    features: xs,
    featureNames: ['x1', 'x2'],
    labels,
    numClasses: classNames.length,
    classNames,
  };
}

function partKey(part: string): number {
  let h = 0;
  for (let i = 0; i < part.length; i++) h = (Math.imul(h, 31) + part.charCodeAt(i)) >>> 0;
  return h;
}

/**
 * Interleaved spiral arms (the classic CS231n set): for class j and i = 0…N−1,
 * r = i/(N−1), t = 4j + 4i/(N−1) + noise·ε, point = (r·sin t, r·cos t).
 */
export function spiral(opts: ToyOptions = {}): ClassificationDataset {
  const [N, K] = toySize('Spiral', opts, opts.classes ?? 3);
  const noise = opts.noise ?? 0.2;
  const seed = opts.seed ?? 0;
  const part = opts.part ?? 'train';
  const rng = rngFor(seed, 0x5b1, partKey(part));
  const xs = allocF32(N * K * 2);
  const labels = allocU8(N * K);
  for (let j = 0; j < K; j++)
    for (let i = 0; i < N; i++) {
      const r = N > 1 ? i / (N - 1) : 0;
      const t = 4 * j + (N > 1 ? (4 * i) / (N - 1) : 0) + noise * rng.normal();
      const k = j * N + i;
      xs[2 * k] = r * Math.sin(t);
      xs[2 * k + 1] = r * Math.cos(t);
      labels[k] = j;
    }
  const names = Array.from({ length: K }, (_, j) => `arm ${j}`);
  return toy('Spiral', `${K} spiral arms, ${N} points each, noise ${noise}`, xs, labels, names, seed, part);
}

/**
 * Two concentric circles (as scikit-learn's make_circles): class 0 on radius 1,
 * class 1 on radius `factor` = 0.5, angles evenly spaced, Gaussian noise added.
 */
export function circles(opts: ToyOptions & { factor?: number } = {}): ClassificationDataset {
  const [N] = toySize('Circles', opts, 2);
  const noise = opts.noise ?? 0.08;
  const factor = opts.factor ?? 0.5;
  const seed = opts.seed ?? 0;
  const part = opts.part ?? 'train';
  const rng = rngFor(seed, 0xc1c, partKey(part));
  const xs = allocF32(2 * N * 2);
  const labels = allocU8(2 * N);
  for (let j = 0; j < 2; j++)
    for (let i = 0; i < N; i++) {
      const a = (2 * Math.PI * i) / N;
      const r = j === 0 ? 1 : factor;
      const k = j * N + i;
      xs[2 * k] = r * Math.cos(a) + noise * rng.normal();
      xs[2 * k + 1] = r * Math.sin(a) + noise * rng.normal();
      labels[k] = j;
    }
  return toy('Circles', `two circles, radii 1 and ${factor}, ${N} points each, noise ${noise}`, xs, labels, ['outer', 'inner'], seed, part);
}

/**
 * XOR: points uniform in the square [−1, 1]², class 1 when exactly one coordinate is
 * positive (x1·x2 < 0); Gaussian noise moves points after labelling, so with noise
 * the classes overlap near the axes. 2N points, not balanced per class exactly.
 */
export function xor(opts: ToyOptions = {}): ClassificationDataset {
  const [N] = toySize('XOR', opts, 2);
  const noise = opts.noise ?? 0;
  const seed = opts.seed ?? 0;
  const part = opts.part ?? 'train';
  const rng = rngFor(seed, 0x0e0, partKey(part));
  const n = 2 * N;
  const xs = allocF32(n * 2);
  const labels = allocU8(n);
  for (let k = 0; k < n; k++) {
    const a = rng.range(-1, 1);
    const b = rng.range(-1, 1);
    labels[k] = a > 0 !== b > 0 ? 1 : 0;
    xs[2 * k] = a + noise * rng.normal();
    xs[2 * k + 1] = b + noise * rng.normal();
  }
  return toy('XOR', `${n} points uniform in [−1, 1]², label = [x1·x2 < 0], noise ${noise}`, xs, labels, ['same sign', 'opposite signs'], seed, part);
}

/**
 * Gaussian blobs: K centres evenly spaced on a circle of radius 3, N points per
 * class drawn from N(centre, noise²·I), noise default 1.
 */
export function blobs(opts: ToyOptions = {}): ClassificationDataset {
  const [N, K] = toySize('Blobs', opts, opts.classes ?? 3);
  const noise = opts.noise ?? 1;
  const seed = opts.seed ?? 0;
  const part = opts.part ?? 'train';
  const rng = rngFor(seed, 0xb10, partKey(part));
  const xs = allocF32(N * K * 2);
  const labels = allocU8(N * K);
  for (let j = 0; j < K; j++) {
    const cx = 3 * Math.cos((2 * Math.PI * j) / K);
    const cy = 3 * Math.sin((2 * Math.PI * j) / K);
    for (let i = 0; i < N; i++) {
      const k = j * N + i;
      xs[2 * k] = cx + noise * rng.normal();
      xs[2 * k + 1] = cy + noise * rng.normal();
      labels[k] = j;
    }
  }
  const names = Array.from({ length: K }, (_, j) => `blob ${j}`);
  return toy('Blobs', `${K} Gaussian blobs on a circle of radius 3, ${N} points each, std ${noise}`, xs, labels, names, seed, part);
}

export function toyDataset(name: ToyName, opts: ToyOptions = {}): ClassificationDataset {
  switch (name) {
    case 'spiral':
      return spiral(opts);
    case 'circles':
      return circles(opts);
    case 'xor':
      return xor(opts);
    case 'blobs':
      return blobs(opts);
  }
  throw new DataFormatError(`unknown toy dataset '${String(name)}'; known: ${TOY_NAMES.join(', ')}`);
}
