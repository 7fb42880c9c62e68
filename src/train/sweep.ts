// Hyperparameter sweeps: a grid of learning rate × hidden size, one run after another on
// the same backend and the same data (loaded once), each a TrainingSession from the same
// seed. Every run streams its own curve (MetricsBatch.sweepRun = its grid index) and,
// when it ends, the results table is streamed again, sorted with the picked run marked.
//
// The pick uses the validation split (held out of the training data, seeded and
// stratified): the test accuracy of every run is reported, but it never chooses, so the
// picked run's test figure stays an honest estimate. Without a validation split (the
// course's Iris experiment in scripts/train.ts) the test split ranks — or what `rankBy` says.
//
// Ties: accuracies are shown with ACCURACY_DECIMALS decimals, and runs equal at that
// precision are tied: all of them are marked, and TIE_RULE breaks the tie.

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

/** decimals an accuracy is shown with; runs equal at this precision are tied */
export const ACCURACY_DECIMALS = 3;

/** how a tie of the ranking accuracy is broken, in words (the page states it) */
export const TIE_RULE: Record<SweepTable['rankBy'], string> = {
  validation: 'the lower validation loss, then the lower training loss, then the earlier run in the grid',
  test: 'the lower training loss, then the earlier run in the grid',
};

export type UnrankedRow = Omit<SweepRow, 'rank' | 'best' | 'tied' | 'error'>;

/** the ranking accuracy at the shown precision, as an integer (null: unknown) */
function shown(a: number | null): number | null {
  return a === null || !Number.isFinite(a) ? null : Math.round(a * 10 ** ACCURACY_DECIMALS);
}

/**
 * Rows sorted by the ranking accuracy at the shown precision (unknown last), ties broken
 * by TIE_RULE; ranked, the first marked best, and every row tied with it marked tied.
 */
export function rankRows(rows: UnrankedRow[], rankBy: 'test' | 'validation'): SweepRow[] {
  const acc = (r: UnrankedRow) => (rankBy === 'test' ? r.testAccuracy : r.valAccuracy);
  const loss = (v: number | null) => (v === null || !Number.isFinite(v) ? Infinity : v);
  const sorted = [...rows].sort((a, b) => {
    const ka = shown(acc(a));
    const kb = shown(acc(b));
    if (ka === null || kb === null) return ka === null && kb === null ? a.index - b.index : ka === null ? 1 : -1;
    if (kb !== ka) return kb - ka;
    if (rankBy === 'validation' && loss(a.valLoss) !== loss(b.valLoss)) return loss(a.valLoss) - loss(b.valLoss);
    const la = loss(a.finalTrainLoss);
    const lb = loss(b.finalTrainLoss);
    return la !== lb ? la - lb : a.index - b.index;
  });
  const top = sorted.length > 0 ? shown(acc(sorted[0]!)) : null;
  const tiedCount = top === null ? 0 : sorted.filter((r) => shown(acc(r)) === top).length;
  return sorted.map((r, i) => {
    const k = acc(r);
    const known = shown(k) !== null;
    return { ...r, error: known ? 1 - k! : null, rank: i + 1, best: i === 0 && known, tied: tiedCount > 1 && known && shown(k) === top };
  });
}

/** the lr × hidden grid of a sweep's results, for a heatmap */
export interface SweepHeatmap {
  learningRates: number[];
  hiddenSizes: number[];
  /** (learningRates, hiddenSizes) row-major, cell i·H + j = grid index: the ranking accuracy (null: not run yet, or unknown) */
  values: (number | null)[];
  /** the run of each cell (null: not run yet) */
  rows: (SweepRow | null)[];
  /** grid index of the picked run (null: none yet) */
  picked: number | null;
  /** grid indices tied with the picked run (empty when there is no tie) */
  tied: number[];
}

export function sweepHeatmap(spec: Pick<SweepSpec, 'learningRates' | 'hiddenSizes'>, table: SweepTable | null): SweepHeatmap {
  const n = spec.learningRates.length * spec.hiddenSizes.length;
  const rows = new Array<SweepRow | null>(n).fill(null);
  for (const r of table?.rows ?? []) {
    if (r.index < 0 || r.index >= n) throw new Error(`sweepHeatmap: run ${r.index} is outside the ${spec.learningRates.length} × ${spec.hiddenSizes.length} grid`);
    rows[r.index] = r;
  }
  const by = table?.rankBy ?? 'validation';
  return {
    learningRates: [...spec.learningRates],
    hiddenSizes: [...spec.hiddenSizes],
    values: rows.map((r) => (r === null ? null : by === 'test' ? r.testAccuracy : r.valAccuracy)),
    rows,
    picked: table?.rows.find((r) => r.best)?.index ?? null,
    tied: (table?.rows ?? []).filter((r) => r.tied).map((r) => r.index),
  };
}

/** Runs every cell of the grid in order; resolves with the final table. */
export async function runSweep(backend: Backend, spec: SweepSpec, data: SessionData, cb: SweepCallbacks = {}): Promise<SweepTable> {
  const grid = sweepGrid(spec);
  const rankBy = spec.rankBy ?? (data.validation ? 'validation' : 'test');
  if (rankBy === 'test' && !data.test) throw new Error('sweep: rankBy test, but the dataset has no test split');
  if (rankBy === 'validation' && !data.validation) {
    throw new Error('sweep: rankBy validation, but there is no validation split (set dataset.validationFraction)');
  }
  const done: UnrankedRow[] = [];
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
        valLoss: snap.state === 'diverged' ? null : (ev?.valLoss ?? null),
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
