// Sweeps: a 3 × 3 grid of learning rate × hidden size on a toy set, run one after another;
// per-run curves in the stream, the table streamed after each run, sorted, best marked.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import type { MetricsBatch, SweepSpec, SweepTable } from '../src/train/protocol';
import { averageOverSplits, rankRows, runSweep } from '../src/train/sweep';

const spec = { name: 'circles' as const, validationFraction: 0.2 };
const data = prepareSplits(spec, toyDataset('circles', { seed: 4, part: 'train', perClass: 60 }), toyDataset('circles', { seed: 4, part: 'test', perClass: 60 }), 4);

const sweep: SweepSpec = {
  base: {
    dataset: spec,
    model: {
      layers: [
        { type: 'fc', nOut: 4, activation: 'relu' },
        { type: 'fc', nOut: 2, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.1 },
    },
    batchSize: 16,
    epochs: 6,
    seed: 5,
    lossEvery: 2,
    flushMs: 0,
  },
  learningRates: [0.003, 0.1, 1],
  hiddenSizes: [2, 8, 32],
};

describe('sweep', () => {
  it('fills a 3×3 table, sorted by test accuracy, the best marked, streamed run by run', async () => {
    const batches: MetricsBatch[] = [];
    const tables: SweepTable[] = [];
    const final = await runSweep(createCpuBackend(), sweep, data, { onMetrics: (b) => batches.push(b), onTable: (t) => tables.push(t) });

    expect(final.rankBy).toBe('test');
    expect(final.done).toBe(true);
    expect(final.total).toBe(9);
    expect(final.rows).toHaveLength(9);
    // every cell once
    const cells = final.rows.map((r) => `${r.lr}×${r.hidden}`).sort();
    expect(cells).toEqual(sweep.learningRates.flatMap((lr) => sweep.hiddenSizes.map((h) => `${lr}×${h}`)).sort());
    // sorted by test accuracy, ranks 1…9, exactly the first marked best, error = 1 − accuracy
    const acc = final.rows.map((r) => r.testAccuracy!);
    expect(acc.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    expect(final.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(final.rows.map((r) => r.best)).toEqual([true, false, false, false, false, false, false, false, false]);
    for (const r of final.rows) {
      expect(r.error).toBeCloseTo(1 - r.testAccuracy!, 12);
      expect(r).toMatchObject({ state: 'done', epochs: 6, steps: 6 * 6 }); // 96 train examples / 16
      expect(r.valAccuracy).not.toBeNull();
    }
    // the grid differs: not every run ends with the same accuracy
    expect(new Set(acc).size).toBeGreaterThan(1);

    // streamed: one table after each run, growing, the last one final
    expect(tables.map((t) => t.rows.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tables.map((t) => t.done)).toEqual([false, false, false, false, false, false, false, false, true]);
    // per-run curves: every run's losses tagged with its grid index, in grid order
    const runsSeen = [...new Set(batches.filter((b) => b.events.some((e) => e.kind === 'loss')).map((b) => b.sweepRun))];
    expect(runsSeen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (const b of batches) expect(b.snapshot.hidden).toBe(sweep.hiddenSizes[b.sweepRun! % 3]);
  });

  it('ranks diverged or unknown runs last and ties by the lower training loss', () => {
    const base = { state: 'done' as const, epochs: 1, steps: 1, valAccuracy: null, wallMs: 1, message: '' };
    const rows = rankRows(
      [
        { ...base, index: 0, lr: 1, hidden: 1, finalTrainLoss: null, testAccuracy: null, state: 'diverged' },
        { ...base, index: 1, lr: 1, hidden: 2, finalTrainLoss: 0.5, testAccuracy: 0.9 },
        { ...base, index: 2, lr: 1, hidden: 3, finalTrainLoss: 0.3, testAccuracy: 0.9 },
        { ...base, index: 3, lr: 1, hidden: 4, finalTrainLoss: 0.1, testAccuracy: 0.8 },
      ],
      'test',
    );
    expect(rows.map((r) => r.index)).toEqual([2, 1, 3, 0]);
    expect(rows.map((r) => r.best)).toEqual([true, false, false, false]);
    expect(rows[3]!.error).toBeNull();
  });

  it('refuses an empty grid and a ranking split that does not exist', async () => {
    await expect(runSweep(createCpuBackend(), { ...sweep, hiddenSizes: [] }, data)).rejects.toThrow(/hiddenSizes/);
    const noVal = prepareSplits({ name: 'circles' }, data.train, data.test, 4);
    await expect(runSweep(createCpuBackend(), { ...sweep, rankBy: 'validation' }, noVal)).rejects.toThrow(/no validation split/);
  });

  it('averages a grid over several splits: the mean per cell ranks, a diverged split counts as 0', () => {
    const base = { state: 'done' as const, epochs: 1, steps: 1, valAccuracy: null, wallMs: 1, message: '', finalTrainLoss: 0.1 };
    const table = (accs: (number | null)[]): SweepTable => ({
      rankBy: 'test',
      total: 3,
      done: true,
      rows: rankRows(accs.map((a, index) => ({ ...base, index, lr: 0.1 * (index + 1), hidden: 4, testAccuracy: a })), 'test'),
    });
    // split 1 alone would pick cell 0 (1.0); over both splits cell 1 is better on average
    const rows = averageOverSplits([table([1, 0.9, 0.5]), table([0.8, 0.95, null])]);
    expect(rows.map((r) => r.index)).toEqual([1, 0, 2]);
    expect(rows[0]!.mean).toBeCloseTo(0.925, 12);
    expect(rows[0]!.perSplit).toEqual([0.9, 0.95]);
    expect(rows[2]!.perSplit).toEqual([0.5, null]);
    expect(rows[2]!.mean).toBeCloseTo(0.25, 12);
    expect(rows.map((r) => r.best)).toEqual([true, false, false]);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(() => averageOverSplits([])).toThrow(/no sweeps/);
    // one split: the same order as that sweep's own table (ties by the lower training loss)
    const one = table([0.9, 0.9, 0.8]);
    one.rows = rankRows(one.rows.map((r) => ({ ...r, finalTrainLoss: r.index === 1 ? 0.05 : 0.2 })), 'test');
    expect(averageOverSplits([one]).map((r) => r.index)).toEqual(one.rows.map((r) => r.index));
    expect(averageOverSplits([one])[0]!.index).toBe(1);
  });
});
