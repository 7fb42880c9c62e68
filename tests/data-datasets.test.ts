// Datasets made in code and the operations on datasets: the course's regression sets
// exactly, seeded toys, the stratified Iris split, standardization fitted on train only,
// one-hot targets.

import { describe, expect, it } from 'vitest';
import {
  blobs,
  circles,
  count,
  courseRegression,
  DataFormatError,
  fitStandardizer,
  loadDataset,
  oneHot,
  parseCsv,
  spiral,
  stratifiedSplit,
  TOY_NAMES,
  toyDataset,
  withShape,
  xor,
  type ClassificationDataset,
} from '../src/nn/data';

function counts(labels: ArrayLike<number>, k: number): number[] {
  const c = new Array(k).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]++;
  return c;
}

describe("the course's regression sets", () => {
  it('set 1 is exactly (0,8) (1,6) (2,4) (3,2) (4,0) (5,2) (6,4) (7,2) (8,0) (9,2) (10,4) (11,6) (12,8)', () => {
    const ds = courseRegression(1);
    expect(ds.task).toBe('regression');
    expect(ds.shape).toEqual([13, 1]);
    expect(ds.targetShape).toEqual([13, 1]);
    expect(Array.from(ds.features)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(ds.targets)).toEqual([8, 6, 4, 2, 0, 2, 4, 2, 0, 2, 4, 6, 8]);
  });

  it('set 2 is exactly (0,0) (1,1) (2,2) (3,3) (4,2) (5,1) (6,1.5) (7,2) (8,2.5) (9,3) (10,3.5)', () => {
    const ds = courseRegression(2);
    expect(ds.shape).toEqual([11, 1]);
    expect(Array.from(ds.features)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(ds.targets)).toEqual([0, 1, 2, 3, 2, 1, 1.5, 2, 2.5, 3, 3.5]);
  });

  it('loadDataset gives the same sets, raw (not normalized), without a test part', async () => {
    const r1 = await loadDataset('regression-1');
    expect(r1.test).toBeNull();
    expect(r1.train.task === 'regression' && Array.from(r1.train.targets)).toEqual([8, 6, 4, 2, 0, 2, 4, 2, 0, 2, 4, 6, 8]);
    const r2 = await loadDataset('regression-2');
    expect(r2.train.task === 'regression' && Array.from(r2.train.targets)).toEqual([0, 1, 2, 3, 2, 1, 1.5, 2, 2.5, 3, 3.5]);
  });
});

describe('2-D toys', () => {
  it('are seeded: same seed same points, another seed other points; train and test differ', () => {
    for (const name of TOY_NAMES) {
      const a = toyDataset(name, { seed: 3 });
      const b = toyDataset(name, { seed: 3 });
      const c = toyDataset(name, { seed: 4 });
      const t = toyDataset(name, { seed: 3, part: 'test' });
      expect(a.shape[1], name).toBe(2);
      expect(Array.from(a.features), name).toEqual(Array.from(b.features));
      expect(Array.from(a.features), name).not.toEqual(Array.from(c.features));
      expect(Array.from(a.features), name).not.toEqual(Array.from(t.features));
      expect(a.features.every(Number.isFinite), name).toBe(true);
    }
  });

  it('spiral: K arms of N points, radius i/(N−1) growing along each arm', () => {
    const ds = spiral({ perClass: 50, classes: 4, seed: 1 });
    expect(ds.shape).toEqual([200, 2]);
    expect(counts(ds.labels, 4)).toEqual([50, 50, 50, 50]);
    // r = |x| = i/(N−1) whatever the angle noise
    for (let k = 0; k < 200; k++) {
      const r = Math.hypot(ds.features[2 * k]!, ds.features[2 * k + 1]!);
      expect(Math.abs(r - (k % 50) / 49)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('circles: class 0 near radius 1, class 1 near radius 0.5', () => {
    const ds = circles({ perClass: 200, noise: 0.05, seed: 2 });
    const mean = [0, 0];
    for (let k = 0; k < 400; k++) mean[ds.labels[k]!]! += Math.hypot(ds.features[2 * k]!, ds.features[2 * k + 1]!) / 200;
    expect(Math.abs(mean[0]! - 1)).toBeLessThan(0.02);
    expect(Math.abs(mean[1]! - 0.5)).toBeLessThan(0.02);
  });

  it('xor without noise: label 1 exactly when the coordinates have opposite signs', () => {
    const ds = xor({ perClass: 100, seed: 5 });
    expect(count(ds)).toBe(200);
    for (let k = 0; k < 200; k++) {
      expect(ds.labels[k]).toBe(ds.features[2 * k]! * ds.features[2 * k + 1]! < 0 ? 1 : 0);
      expect(Math.max(Math.abs(ds.features[2 * k]!), Math.abs(ds.features[2 * k + 1]!))).toBeLessThanOrEqual(1);
    }
    const c = counts(ds.labels, 2);
    expect(Math.min(...c)).toBeGreaterThan(70);
  });

  it('blobs: each class centred on its point of the radius-3 circle', () => {
    const ds = blobs({ perClass: 400, classes: 3, noise: 0.5, seed: 6 });
    for (let j = 0; j < 3; j++) {
      let sx = 0;
      let sy = 0;
      for (let k = j * 400; k < (j + 1) * 400; k++) {
        sx += ds.features[2 * k]!;
        sy += ds.features[2 * k + 1]!;
      }
      expect(Math.hypot(sx / 400 - 3 * Math.cos((2 * Math.PI * j) / 3), sy / 400 - 3 * Math.sin((2 * Math.PI * j) / 3))).toBeLessThan(0.1);
    }
  });
});

describe('stratified split (Iris-sized)', () => {
  // 150 rows, 50 per class, features encode the row number so rows can be traced
  const text = 'f0,f1,species\n' + Array.from({ length: 150 }, (_, i) => `${i},${i % 7},${['setosa', 'versicolor', 'virginica'][Math.floor(i / 50)]}`).join('\n');
  const all = parseCsv(text, { label: 'species' }) as ClassificationDataset;
  const rowsOf = (d: ClassificationDataset): number[] => Array.from({ length: count(d) }, (_, i) => d.features[2 * i]!);

  it('keeps the class proportions in train and test', () => {
    const { train, test } = stratifiedSplit(all, { testFraction: 0.2, seed: 1 });
    expect(count(train)).toBe(120);
    expect(count(test)).toBe(30);
    expect(counts(train.labels, 3)).toEqual([40, 40, 40]);
    expect(counts(test.labels, 3)).toEqual([10, 10, 10]);
    // a partition: every row exactly once, labels travel with their rows
    expect([...rowsOf(train), ...rowsOf(test)].sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    rowsOf(test).forEach((r, i) => expect(test.labels[i]).toBe(Math.floor(r / 50)));
  });

  it('is seeded: same seed same split, different seed different split', () => {
    const a = rowsOf(stratifiedSplit(all, { seed: 7 }).test);
    const b = rowsOf(stratifiedSplit(all, { seed: 7 }).test);
    const c = rowsOf(stratifiedSplit(all, { seed: 8 }).test);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(() => stratifiedSplit(all, { testFraction: 1 })).toThrow(/testFraction must be in \[0, 1\)/);
  });
});

describe('standardization and one-hot', () => {
  it('fits mean and std on the given set only', () => {
    const ds = parseCsv('a,b,y\n1,10,0\n3,10,1\n5,10,0\n', { label: 'y' });
    const st = fitStandardizer(ds);
    expect(Array.from(st.mean)).toEqual([3, 10]);
    // population std of 1, 3, 5 = √(8/3); the constant column gets 1
    expect(Math.abs(st.std[0]! - Math.sqrt(8 / 3))).toBeLessThanOrEqual(1e-12);
    expect(st.std[1]).toBe(1);
  });

  it('one-hot (m) → (m, k), refusing labels out of range', () => {
    expect(Array.from(oneHot([2, 0, 1], 3))).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(() => oneHot([0, 3], 3)).toThrow(DataFormatError);
    expect(() => oneHot([0, 3], 3)).toThrow('label 3 out of range 0–2 at index 1');
    const out = new Float32Array(6).fill(9);
    expect(Array.from(oneHot([1, 1], 3, out))).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('withShape views the same buffer with another shape of equal size', () => {
    const ds = spiral({ perClass: 3 });
    const v = withShape(ds, [1, 2, 1]);
    expect(v.shape).toEqual([9, 1, 2, 1]);
    expect(v.features).toBe(ds.features);
    expect(() => withShape(ds, [3])).toThrow(/3 values per example, the data has \(2\) = 2/);
  });
});
