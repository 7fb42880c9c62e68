// Hyperparameter sweeps: a grid of learning rate × hidden size, one run after another on
// the same backend and the same data (loaded once), each a TrainingSession from the same
// seed. Every run streams its own curve (MetricsBatch.sweepRun = its grid index) and,
// when it ends, the results table is streamed again, sorted by accuracy with the best
// marked. Ranking uses the test split when the dataset has one (the course's practice;
// it makes the best figure optimistic), else validation — or what `rankBy` says.

import type { Backend } from '../engine/backend';
import type { SessionData } from './data';
import type { MetricsBatch, SweepRow, SweepSpec, SweepTable } from './protocol';
import { TrainingSession, withHiddenSize } from './session';

export interface SweepCallbacks {
  /** each run's metric stream; batch.sweepRun is the run's grid index */
  onMetrics?: (batch: MetricsBatch) => void;
  /** the table after each finished run */
  onTable?: (table: SweepTable) => void;
  /** aborting stops the current run and skips the rest */
  signal?: AbortSignal;
}

export interface SweepCell {
  index: number;
  lr: number;
  hidden: number;
}

/** the grid: learning rates outer, hidden sizes inner */
export function sweepGrid(spec: SweepSpec): SweepCell[] {
  const check = (what: string, xs: unknown, ok: (v: number) => boolean) => {
    if (!Array.isArray(xs) || xs.length === 0 || !xs.every((v) => typeof v === 'number' && ok(v))) {
      throw new Error(`sweep: ${what} must be a non-empty list, got ${JSON.stringify(xs)}`);
    }
  };
  check('learningRates (finite numbers ≥ 0)', spec.learningRates, (v) => Number.isFinite(v) && v >= 0);
  check('hiddenSizes (positive integers)', spec.hiddenSizes, (v) => Number.isInteger(v) && v >= 1);
  return spec.learningRates.flatMap((lr, i) => spec.hiddenSizes.map((hidden, j) => ({ index: i * spec.hiddenSizes.length + j, lr, hidden })));
}

/** rows sorted by the ranking accuracy (unknown last; ties: lower train loss, then grid order), ranked, best marked */
export function rankRows(rows: Omit<SweepRow, 'rank' | 'best' | 'error'>[], rankBy: 'test' | 'validation'): SweepRow[] {
  const key = (r: Omit<SweepRow, 'rank' | 'best' | 'error'>) => (rankBy === 'test' ? r.testAccuracy : r.valAccuracy);
  const sorted = [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === null && kb === null ? a.index - b.index : ka === null ? 1 : -1;
    if (kb !== ka) return kb - ka;
    const la = a.finalTrainLoss ?? Infinity;
    const lb = b.finalTrainLoss ?? Infinity;
    return la !== lb ? la - lb : a.index - b.index;
  });
  return sorted.map((r, i) => {
    const k = key(r);
    return { ...r, error: k === null ? null : 1 - k, rank: i + 1, best: i === 0 && k !== null };
  });
}

/** Runs every cell of the grid in order; resolves with the final table. */
export async function runSweep(backend: Backend, spec: SweepSpec, data: SessionData, cb: SweepCallbacks = {}): Promise<SweepTable> {
  const grid = sweepGrid(spec);
  const rankBy = spec.rankBy ?? (data.test ? 'test' : 'validation');
  if (rankBy === 'test' && !data.test) throw new Error('sweep: rankBy test, but the dataset has no test split');
  if (rankBy === 'validation' && !data.validation) {
    throw new Error('sweep: rankBy validation, but there is no validation split (set dataset.validationFraction)');
  }
  const done: Omit<SweepRow, 'rank' | 'best' | 'error'>[] = [];
  const table = (finished: boolean): SweepTable => ({ rankBy, rows: rankRows(done, rankBy), total: grid.length, done: finished });

  for (const cell of grid) {
    if (cb.signal?.aborted) break;
    const base = spec.base;
    const model = withHiddenSize({ ...base.model, optimizer: { ...base.model.optimizer, lr: cell.lr } }, cell.hidden);
    const t0 = performance.now();
    const session = await TrainingSession.create(backend, { ...base, model }, (b) => cb.onMetrics?.(b), { data, sweepRun: cell.index });
    const abort = () => void session.stop();
    cb.signal?.addEventListener('abort', abort);
    try {
      const snap = await session.runToEnd();
      const { trainLoss, eval: ev } = session.latest;
      done.push({
        index: cell.index,
        lr: cell.lr,
        hidden: cell.hidden,
        state: snap.state,
        epochs: snap.epoch,
        steps: snap.step,
        finalTrainLoss: snap.state === 'diverged' ? null : (ev?.trainLoss ?? trainLoss),
        valAccuracy: snap.state === 'diverged' ? null : (ev?.valAccuracy ?? null),
        testAccuracy: snap.state === 'diverged' ? null : (ev?.testAccuracy ?? null),
        wallMs: performance.now() - t0,
        message: snap.message,
      });
    } finally {
      cb.signal?.removeEventListener('abort', abort);
      await session.dispose();
    }
    cb.onTable?.(table(done.length === grid.length));
  }
  const final = table(true);
  // aborted: the table is final with fewer rows than the grid
  if (done.length < grid.length) cb.onTable?.(final);
  return final;
}

/** one grid cell's accuracy over several seeded splits (each split a different train/test draw) */
export interface SplitAverageRow {
  index: number;
  lr: number;
  hidden: number;
  /** the ranking accuracy on each split, in the order of the tables (null: unknown, e.g. diverged) */
  perSplit: (number | null)[];
  /** mean of perSplit; an unknown split counts as 0 (a diverged run classifies nothing) */
  mean: number;
  /** mean of the final training losses (Infinity when a split has none): breaks ties, as in one sweep */
  meanTrainLoss: number;
  rank: number;
  best: boolean;
}

/**
 * Averages sweeps of the same grid run on different splits: mean accuracy per cell,
 * sorted best first (ties: lower mean training loss, then grid order, as rankRows). With a 30-flower test set one flower is 0.033
 * of accuracy, so the mean over splits says more about a cell than any single split.
 */
export function averageOverSplits(tables: readonly SweepTable[]): SplitAverageRow[] {
  if (tables.length === 0) throw new Error('averageOverSplits: no sweeps');
  const rankBy = tables[0]!.rankBy;
  const cells = new Map<number, Omit<SplitAverageRow, 'mean' | 'meanTrainLoss' | 'rank' | 'best'> & { losses: (number | null)[] }>();
  tables.forEach((t, s) => {
    if (t.rankBy !== rankBy) throw new Error(`averageOverSplits: split ${s} ranks by ${t.rankBy}, split 0 by ${rankBy}`);
    for (const r of t.rows) {
      const c = cells.get(r.index) ?? {
        index: r.index,
        lr: r.lr,
        hidden: r.hidden,
        perSplit: new Array<number | null>(tables.length).fill(null),
        losses: new Array<number | null>(tables.length).fill(null),
      };
      c.perSplit[s] = rankBy === 'test' ? r.testAccuracy : r.valAccuracy;
      c.losses[s] = r.finalTrainLoss;
      cells.set(r.index, c);
    }
  });
  const mean = (xs: (number | null)[], missing: number) => xs.reduce<number>((a, v) => a + (v ?? missing), 0) / tables.length;
  const rows = [...cells.values()].map(({ losses, ...c }) => ({ ...c, mean: mean(c.perSplit, 0), meanTrainLoss: mean(losses, Infinity) }));
  rows.sort((a, b) => b.mean - a.mean || a.meanTrainLoss - b.meanTrainLoss || a.index - b.index);
  return rows.map((r, i) => ({ ...r, rank: i + 1, best: i === 0 }));
}
