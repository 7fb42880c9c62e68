// The minibatch loader: per-epoch seeded shuffling, reproducible, every example once
// per epoch, last partial batch kept, one-hot targets that match the labels.

import { describe, expect, it } from 'vitest';
import { BatchLoader, courseRegression, spiral, subset, type ClassificationDataset } from '../src/nn/data';

/** 103 examples of 3 features; feature 0 of example i is i, so batches can be traced */
const ds: ClassificationDataset = (() => {
  const base = spiral({ perClass: 103, classes: 1, seed: 0 });
  const n = 103;
  const features = new Float32Array(n * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    features.set([i, i / 2, -i], i * 3);
    labels[i] = i % 4;
  }
  return { ...base, shape: [n, 3], features, labels, numClasses: 4, classNames: ['a', 'b', 'c', 'd'] };
})();

function epochRows(loader: BatchLoader, epoch: number): number[][] {
  return [...loader.epoch(epoch)].map((b) => Array.from({ length: b.shape[0]! }, (_, i) => b.x[i * 3]!));
}

describe('BatchLoader', () => {
  it('covers every example exactly once per epoch; the last partial batch is kept', () => {
    const loader = new BatchLoader(ds, { batchSize: 10, seed: 42 });
    expect(loader.batchesPerEpoch).toBe(11);
    for (const epoch of [0, 1, 5]) {
      const batches = epochRows(loader, epoch);
      expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
      expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    }
  });

  it('is reproducible: same seed and epoch, same order; epochs and seeds differ', () => {
    const a = new BatchLoader(ds, { batchSize: 16, seed: 7 });
    const b = new BatchLoader(ds, { batchSize: 16, seed: 7 });
    const c = new BatchLoader(ds, { batchSize: 16, seed: 8 });
    expect(epochRows(a, 3)).toEqual(epochRows(b, 3));
    expect(epochRows(a, 0)).not.toEqual(epochRows(a, 1));
    expect(epochRows(a, 0)).not.toEqual(epochRows(c, 0));
    // shuffled, not the identity order
    expect(epochRows(a, 0).flat()).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
    // random access agrees with iteration
    expect(Array.from(a.batch(3, 4).indices)).toEqual(Array.from(b.order(3).slice(64, 80)));
    // no shuffling: dataset order every epoch
    const plain = new BatchLoader(ds, { batchSize: 50, shuffle: false });
    expect(epochRows(plain, 9).flat()).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('yields x (m, d) rows, one-hot y (m, k) and labels that belong together', () => {
    const loader = new BatchLoader(ds, { batchSize: 32, seed: 1 });
    for (const b of loader.epoch(2)) {
      const m = b.shape[0]!;
      expect(b.shape).toEqual([m, 3]);
      expect(b.yShape).toEqual([m, 4]);
      expect(b.y.length).toBe(m * 4);
      for (let i = 0; i < m; i++) {
        const row = b.indices[i]!;
        expect(Array.from(b.x.subarray(i * 3, i * 3 + 3))).toEqual([row, row / 2, -row]);
        expect(b.labels![i]).toBe(row % 4);
        const y = Array.from(b.y.subarray(i * 4, i * 4 + 4));
        expect(y).toEqual([0, 1, 2, 3].map((k) => (k === row % 4 ? 1 : 0)));
      }
    }
  });

  it('regression batches carry the targets', () => {
    const r = courseRegression(1);
    const loader = new BatchLoader(r, { batchSize: 5, seed: 3 });
    const seen: [number, number][] = [];
    for (const b of loader.epoch(0)) {
      expect(b.labels).toBeUndefined();
      for (let i = 0; i < b.shape[0]!; i++) seen.push([b.x[i]!, b.y[i]!]);
    }
    seen.sort((p, q) => p[0] - q[0]);
    expect(seen).toEqual([[0, 8], [1, 6], [2, 4], [3, 2], [4, 0], [5, 2], [6, 4], [7, 2], [8, 0], [9, 2], [10, 4], [11, 6], [12, 8]]);
  });

  it('refuses a bad batch size and a batch out of range', () => {
    expect(() => new BatchLoader(ds, { batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
    expect(() => new BatchLoader(subset(ds, []), { batchSize: 4 })).toThrow('has no examples');
    expect(() => new BatchLoader(ds, { batchSize: 10 }).batch(0, 11)).toThrow('batch 11 out of range 0–10');
  });
});
