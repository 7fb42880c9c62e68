// The session's data: the dataset by name, split into train / validation / test, and the
// two ways a session reads it:
//   - minibatches in the seeded order of a BatchLoader (one permutation per epoch), taken
//     from any offset, so a batch-size change takes effect at the very next step;
//   - evaluation chunks in dataset order.
//
// Split: train → (train, validation) by a seeded stratified split (seeded shuffle for
// regression). Standardization, when asked, is fitted on the final train part only and
// applied to all three.

import { applyStandardizer, count, fitStandardizer, oneHot, rowSize as valuesPer, stratifiedSplit, subset, take, withShape, type Dataset } from '../nn/data/dataset';
import { loadDataset, type LoadProgress } from '../nn/data/load';
import { BatchLoader } from '../nn/data/loader';
import { permutation } from '../nn/data/random';
import { loadOwnData } from './own-data';
import type { DatasetInfo, DatasetSpec } from './protocol';

export interface SessionData {
  train: Dataset;
  validation: Dataset | null;
  test: Dataset | null;
}

/** values per example */
function rowSize(ds: Dataset): number {
  return ds.shape.slice(1).reduce((a, b) => a * b, 1);
}

function checkFraction(what: string, f: number): void {
  if (!(f >= 0 && f < 1)) throw new Error(`dataset: ${what} must be in [0, 1), got ${f}`);
}

/** Splits off validation, applies limits and standardization (fitted on train only). */
export function prepareSplits(spec: DatasetSpec, train: Dataset, test: Dataset | null, seed: number): SessionData {
  const vf = spec.validationFraction ?? 0;
  checkFraction('validationFraction', vf);
  let validation: Dataset | null = null;
  if (vf > 0) {
    if (train.task === 'classification') {
      const s = stratifiedSplit(train, { testFraction: vf, seed });
      train = s.train;
      validation = { ...s.test, split: s.test.split.replace(/^test:/, 'validation:') };
    } else {
      const n = count(train);
      const p = permutation(n, seed, 0x7a11d);
      const nv = Math.round(vf * n);
      validation = subset(train, p.slice(0, nv).sort(), `validation: ${nv} examples (seeded, seed ${seed})`);
      train = subset(train, p.slice(nv).sort(), `train: ${n - nv} examples (seeded, seed ${seed})`);
    }
  }
  if (spec.trainLimit !== undefined) train = take(train, spec.trainLimit);
  if (test && spec.testLimit !== undefined) test = take(test, spec.testLimit);
  if (spec.standardize) {
    const st = fitStandardizer(train);
    const what = `the train part (${count(train)} examples)`;
    train = applyStandardizer(train, st, what);
    if (validation) validation = applyStandardizer(validation, st, what);
    if (test) test = applyStandardizer(test, st, what);
  }
  if (count(train) === 0) throw new Error(`dataset ${spec.name}: no training examples left after the split`);
  return { train, validation, test };
}

/** Loads spec.name with loadDataset (browser fetch, or the fetcher Node code injected). */
export async function loadSessionData(spec: DatasetSpec, seed: number, onProgress?: (p: LoadProgress) => void): Promise<SessionData> {
  if (spec.name === 'own') {
    if (!spec.own) throw new Error("dataset own: the files are missing (dataset.own)");
    let { train, test } = await loadOwnData(spec.own, seed, spec.testFraction);
    // images as (n, H·W·C) rows for an MLP
    if (spec.layout === 'flat' && train.shape.length > 2) {
      train = withShape(train, [valuesPer(train.shape)]) as typeof train;
      test = withShape(test, [valuesPer(test.shape)]) as typeof test;
    }
    return prepareSplits(spec, train, test, seed);
  }
  const { train, test } = await loadDataset(spec.name, {
    layout: spec.layout,
    toy: spec.toy,
    testFraction: spec.testFraction,
    seed,
    onProgress,
  });
  return prepareSplits(spec, train, test, seed);
}

export function describeData(spec: DatasetSpec, d: SessionData): DatasetInfo {
  return {
    name: d.train.name || spec.name,
    train: count(d.train),
    validation: d.validation ? count(d.validation) : 0,
    test: d.test ? count(d.test) : 0,
    sampleShape: d.train.shape.slice(1),
    classes: d.train.task === 'classification' ? d.train.numClasses : null,
    source: d.train.source,
  };
}

export interface HostBatch {
  /** (m, …feature dims) */
  x: Float32Array;
  xShape: number[];
  /** one-hot (m, k) or targets (m, t) */
  y: Float32Array;
  yShape: [number, number];
}

/** Rows `rows` of ds (in that order) as one batch. */
export function gather(ds: Dataset, rows: ArrayLike<number>): HostBatch {
  const m = rows.length;
  const d = rowSize(ds);
  const x = new Float32Array(m * d);
  for (let i = 0; i < m; i++) x.set(ds.features.subarray(rows[i]! * d, (rows[i]! + 1) * d), i * d);
  const xShape = [m, ...ds.shape.slice(1)];
  if (ds.task === 'classification') {
    const labels = new Int32Array(m);
    for (let i = 0; i < m; i++) labels[i] = ds.labels[rows[i]!]!;
    return { x, xShape, y: oneHot(labels, ds.numClasses), yShape: [m, ds.numClasses] };
  }
  const t = ds.targetShape[1];
  const y = new Float32Array(m * t);
  for (let i = 0; i < m; i++) y.set(ds.targets.subarray(rows[i]! * t, (rows[i]! + 1) * t), i * t);
  return { x, xShape, y, yShape: [m, t] };
}

/** Rows start … start+m−1 in dataset order (evaluation). */
export function slice(ds: Dataset, start: number, m: number): HostBatch {
  const d = rowSize(ds);
  const x = ds.features.subarray(start * d, (start + m) * d);
  const xShape = [m, ...ds.shape.slice(1)];
  if (ds.task === 'classification') {
    return { x, xShape, y: oneHot(ds.labels.subarray(start, start + m), ds.numClasses), yShape: [m, ds.numClasses] };
  }
  const t = ds.targetShape[1];
  return { x, xShape, y: ds.targets.subarray(start * t, (start + m) * t), yShape: [m, t] };
}

/**
 * The training order: epoch e visits the examples in the loader's seeded permutation
 * (seed, e); a batch is the next m positions of it from any offset.
 */
export class BatchOrder {
  private readonly loader: BatchLoader;
  constructor(
    readonly dataset: Dataset,
    seed: number,
  ) {
    // the permutation does not depend on the batch size
    this.loader = new BatchLoader(dataset, { batchSize: 1, seed, shuffle: true });
  }
  get size(): number {
    return count(this.dataset);
  }
  batch(epoch: number, offset: number, m: number): HostBatch {
    const order = this.loader.order(epoch);
    return gather(this.dataset, order.subarray(offset, Math.min(offset + m, order.length)));
  }
}
