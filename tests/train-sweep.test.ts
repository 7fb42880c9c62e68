// Sweeps: a 3 × 3 grid of learning rate × hidden size on a toy set, run one after another;
// per-run curves in the stream, the table streamed after each run, sorted, best marked.
// The pick uses the validation split, never the test split; ties at the shown precision
// are marked and broken by the stated rule; the heatmap lays the table out on the grid.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import type { MetricsBatch, SweepSpec, SweepTable } from '../src/train/protocol';
import type { ClassificationDataset } from '../src/nn/data/dataset';
import { ACCURACY_DECIMALS, averageOverSplits, rankRows, runSweep, sweepHeatmap, type UnrankedRow } from '../src/train/sweep';

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
  it('fills a 3×3 table, sorted by validation accuracy, the best marked, streamed run by run', async () => {
    const batches: MetricsBatch[] = [];
    const tables: SweepTable[] = [];
    const final = await runSweep(createCpuBackend(), sweep, data, { onMetrics: (b) => batches.push(b), onTable: (t) => tables.push(t) });

    // a validation split exists: it ranks (the default), the test split is only reported
    expect(final.rankBy).toBe('validation');
    expect(final.done).toBe(true);
    expect(final.total).toBe(9);
    expect(final.rows).toHaveLength(9);
    // every cell once
    const cells = final.rows.map((r) => `${r.lr}×${r.hidden}`).sort();
    expect(cells).toEqual(sweep.learningRates.flatMap((lr) => sweep.hiddenSizes.map((h) => `${lr}×${h}`)).sort());
    // sorted by validation accuracy, ranks 1…9, exactly the first marked best, error = 1 − accuracy
    const acc = final.rows.map((r) => r.valAccuracy!);
    expect(acc.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    expect(final.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(final.rows.map((r) => r.best)).toEqual([true, false, false, false, false, false, false, false, false]);
    for (const r of final.rows) {
      expect(r.error).toBeCloseTo(1 - r.valAccuracy!, 12);
      expect(r).toMatchObject({ state: 'done', epochs: 6, steps: 6 * 6 }); // 96 train examples / 16
      expect(r.testAccuracy).not.toBeNull();
      expect(r.valLoss).toBeGreaterThan(0);
    }
    // tied rows: exactly those equal to the best at the shown precision (when more than one)
    const top = acc[0]!.toFixed(ACCURACY_DECIMALS);
    const equal = final.rows.filter((r) => r.valAccuracy!.toFixed(ACCURACY_DECIMALS) === top);
    expect(final.rows.filter((r) => r.tied)).toEqual(equal.length > 1 ? equal : []);
    // among tied rows, the lower validation loss first
    for (let i = 1; i < equal.length; i++) expect(equal[i]!.valLoss!).toBeGreaterThanOrEqual(equal[i - 1]!.valLoss!);
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

  it('picks by validation even when another run has the better test accuracy (a test set with swapped labels)', async () => {
    // the test split is the training distribution with the two classes swapped: a run that
    // learns the task well scores high on validation and low on test, so a pick by test
    // accuracy would choose the worst learner
    const t = data.test as ClassificationDataset;
    const swapped: ClassificationDataset = { ...t, labels: Int32Array.from(t.labels, (y) => 1 - y) };
    const flipped = { ...data, test: swapped };
    const final = await runSweep(createCpuBackend(), { ...sweep, hiddenSizes: [2, 32] }, flipped);
    const byVal = Math.max(...final.rows.map((r) => r.valAccuracy!));
    const byTest = Math.max(...final.rows.map((r) => r.testAccuracy!));
    const picked = final.rows.find((r) => r.best)!;
    expect(picked.valAccuracy).toBe(byVal);
    // the construction works: the best validation run is not the best test run
    expect(picked.testAccuracy!).toBeLessThan(byTest);
    expect(final.rows.find((r) => r.testAccuracy === byTest)!.best).toBe(false);
  });

  it('marks ties at the shown precision and breaks them by the lower validation loss', () => {
    const base = { state: 'done' as const, epochs: 1, steps: 1, wallMs: 1, message: '', finalTrainLoss: 0.2, testAccuracy: 0.5 };
    const rows = rankRows(
      [
        // 0.9 and 0.90004 are both shown as 0.900: tied; the test accuracy plays no part
        { ...base, index: 0, lr: 0.1, hidden: 2, valAccuracy: 0.9, valLoss: 0.4, testAccuracy: 0.99 },
        { ...base, index: 1, lr: 0.1, hidden: 4, valAccuracy: 0.90004, valLoss: 0.3 },
        { ...base, index: 2, lr: 0.3, hidden: 2, valAccuracy: 0.9, valLoss: 0.3, finalTrainLoss: 0.1 },
        { ...base, index: 3, lr: 0.3, hidden: 4, valAccuracy: 0.8996, valLoss: 0.1 },
        { ...base, index: 4, lr: 1, hidden: 2, valAccuracy: 0.85, valLoss: 0.01 },
        { ...base, index: 5, lr: 1, hidden: 4, valAccuracy: null, valLoss: null, state: 'diverged' },
      ],
      'validation',
    );
    // 0.8996 is shown as 0.900 too; order: loss 0.1, then 0.3 (train loss 0.1 before 0.2), then 0.4
    expect(rows.map((r) => r.index)).toEqual([3, 2, 1, 0, 4, 5]);
    expect(rows.map((r) => r.tied)).toEqual([true, true, true, true, false, false]);
    expect(rows.map((r) => r.best)).toEqual([true, false, false, false, false, false]);
    expect(rows[5]!.error).toBeNull();
    // no tie: nothing marked tied
    const one = rankRows([{ ...base, index: 0, lr: 1, hidden: 1, valAccuracy: 0.95, valLoss: 1 }, { ...base, index: 1, lr: 1, hidden: 2, valAccuracy: 0.9, valLoss: 0.1 }], 'validation');
    expect(one.map((r) => [r.index, r.best, r.tied])).toEqual([
      [0, true, false],
      [1, false, false],
    ]);
  });

  it('lays the table out on the lr × hidden grid for the heatmap, picked and tied cells named', () => {
    const base = { state: 'done' as const, epochs: 1, steps: 1, wallMs: 1, message: '', finalTrainLoss: 0.2, testAccuracy: 0.5 };
    const grid = { learningRates: [0.01, 0.1], hiddenSizes: [4, 8, 16] };
    const run = (index: number, valAccuracy: number | null, valLoss: number | null): UnrankedRow => ({
      ...base,
      index,
      lr: grid.learningRates[Math.floor(index / 3)]!,
      hidden: grid.hiddenSizes[index % 3]!,
      valAccuracy,
      valLoss,
    });
    // four of six runs done (a sweep in progress); runs 1 and 4 tie, 4 has the lower loss
    const table: SweepTable = { rankBy: 'validation', total: 6, done: false, rows: rankRows([run(0, 0.5, 1), run(1, 0.9, 0.5), run(4, 0.9, 0.2), run(3, null, null)], 'validation') };
    const h = sweepHeatmap(grid, table);
    expect(h.learningRates).toEqual([0.01, 0.1]);
    expect(h.hiddenSizes).toEqual([4, 8, 16]);
    // row-major (lr, hidden): cell 4 is lr 0.1, hidden 8
    expect(h.values).toEqual([0.5, 0.9, null, null, 0.9, null]);
    expect(h.rows.map((r) => r?.index ?? null)).toEqual([0, 1, null, 3, 4, null]);
    expect(h.rows[4]).toMatchObject({ lr: 0.1, hidden: 8 });
    expect(h.picked).toBe(4);
    expect(h.tied.sort()).toEqual([1, 4]);
    // before any run: all empty, nothing picked
    expect(sweepHeatmap(grid, null)).toMatchObject({ values: [null, null, null, null, null, null], picked: null, tied: [] });
    // a row outside the grid is refused
    expect(() => sweepHeatmap({ learningRates: [0.1], hiddenSizes: [4] }, table)).toThrow(/outside the 1 × 1 grid/);
  });

  it('ranks diverged or unknown runs last and ties by the lower training loss', () => {
    const base = { state: 'done' as const, epochs: 1, steps: 1, valAccuracy: null, valLoss: null, wallMs: 1, message: '' };
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
    const base = { state: 'done' as const, epochs: 1, steps: 1, valAccuracy: null, valLoss: null, wallMs: 1, message: '', finalTrainLoss: 0.1 };
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
