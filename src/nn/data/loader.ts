// Minibatches: one pass over the data per epoch, in an order drawn from (seed, epoch),
// so a run is reproducible and every epoch sees every example exactly once. The last
// batch keeps the remainder (n mod batchSize examples) rather than dropping it.
//
// A batch of m examples:
//   x       (m, ...feature dims) float32 — the dataset's features, pixels in [0, 1]
//   y       classification: one-hot (m, k); regression: targets (m, t)
//   labels  classification: the m class indices (for accuracy)

import { count, oneHot, rowSize, type Dataset, type Labels } from './dataset';
import { permutation } from './random';

export interface Batch {
  readonly x: Float32Array;
  /** [m, ...feature dims] */
  readonly shape: readonly number[];
  readonly y: Float32Array;
  /** [m, k] one-hot or [m, t] targets */
  readonly yShape: readonly [number, number];
  /** classification only */
  readonly labels?: Labels;
  /** positions of the examples in the dataset */
  readonly indices: Uint32Array;
  readonly epoch: number;
  /** 0-based batch number within the epoch */
  readonly index: number;
}

export interface LoaderOptions {
  batchSize: number;
  /** default true; false keeps the dataset's order every epoch */
  shuffle?: boolean;
  /** default 0 */
  seed?: number;
}

export class BatchLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  private cached?: { epoch: number; order: Uint32Array };

  constructor(
    readonly dataset: Dataset,
    opts: LoaderOptions,
  ) {
    const n = count(dataset);
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) {
      throw new RangeError(`BatchLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    if (n === 0) throw new RangeError(`BatchLoader: ${dataset.name} has no examples`);
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.seed = opts.seed ?? 0;
  }

  get size(): number {
    return count(this.dataset);
  }

  /** batches per epoch: ⌈n / batchSize⌉ */
  get batchesPerEpoch(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the examples (a permutation of 0…n−1). */
  order(epoch: number): Uint32Array {
    if (this.cached?.epoch === epoch) return this.cached.order;
    const n = this.size;
    const order = this.shuffle ? permutation(n, this.seed, 0xe90c, epoch) : Uint32Array.from({ length: n }, (_, i) => i);
    this.cached = { epoch, order };
    return order;
  }

  /** Batch `index` of epoch `epoch` (random access: the same arguments give the same batch). */
  batch(epoch: number, index: number): Batch {
    const nb = this.batchesPerEpoch;
    if (!(Number.isInteger(index) && index >= 0 && index < nb)) {
      throw new RangeError(`BatchLoader: batch ${index} out of range 0–${nb - 1} (${this.size} examples, batch size ${this.batchSize})`);
    }
    const ds = this.dataset;
    const start = index * this.batchSize;
    const indices = this.order(epoch).slice(start, Math.min(start + this.batchSize, this.size));
    const m = indices.length;
    const d = rowSize(ds.shape);
    const x = new Float32Array(m * d);
    for (let i = 0; i < m; i++) x.set(ds.features.subarray(indices[i]! * d, (indices[i]! + 1) * d), i * d);
    const shape = [m, ...ds.shape.slice(1)];
    if (ds.task === 'classification') {
      const labels = ds.labels instanceof Uint8Array ? new Uint8Array(m) : new Int32Array(m);
      for (let i = 0; i < m; i++) labels[i] = ds.labels[indices[i]!]!;
      return { x, shape, y: oneHot(labels, ds.numClasses), yShape: [m, ds.numClasses], labels, indices, epoch, index };
    }
    const t = ds.targetShape[1];
    const y = new Float32Array(m * t);
    for (let i = 0; i < m; i++) y.set(ds.targets.subarray(indices[i]! * t, (indices[i]! + 1) * t), i * t);
    return { x, shape, y, yShape: [m, t], indices, epoch, index };
  }

  /** Every batch of one epoch, in order. */
  *epoch(epoch: number): Generator<Batch> {
    for (let b = 0; b < this.batchesPerEpoch; b++) yield this.batch(epoch, b);
  }
}
