// Saved runs and sweeps: every finished (or stopped) training run and sweep, kept in the
// browser (IndexedDB) across reloads, listed per chapter so a student compares today's
// run with yesterday's.
//
//   SavedRun   chapter and cell, when, how it ended, its settings, its metric history
//              (each series thinned to ≤ MAX_SAVED_POINTS), its final metrics and times
//   runHistory the store's series of one run → step / epoch within the run
//   runCsv     a run's metrics as CSV: step, epoch, loss, then the evaluation columns the
//              run has (one row per step read back; evaluation values on the epoch's last step)
//
// The pure parts (history, thinning, CSV, summaries) are tested in Node; the database in
// the browser. Database 'backprop-notebook-runs', object stores 'runs' and 'sweeps' (key:
// id, index: chapter).

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { create } from 'zustand';
import type { SessionConfig, SessionSnapshot, SweepRow, SweepSpec } from '../train/protocol';
import { appendBounded } from './history';
import { fmt, type EvalPoint, type Marker, type SeriesPoint } from './training';

/** at most this many points per saved series */
export const MAX_SAVED_POINTS = 2000;

export interface RunLossPoint {
  /** updates done in the run */
  step: number;
  /** fractional epochs of the run */
  epoch: number;
  value: number;
}

/** an evaluation at the end of an epoch: `epoch` complete epochs of the run, `step` its updates */
export type RunEvalPoint = Pick<EvalPoint, 'step' | 'epoch' | 'trainLoss' | 'valLoss' | 'valAccuracy' | 'testLoss' | 'testAccuracy'>;

export interface RunHistory {
  loss: RunLossPoint[];
  evals: RunEvalPoint[];
}

export interface RunSettings {
  dataset: string;
  lr: number;
  /** hidden units (null when the model has no hidden fc layer) */
  hidden: number | null;
  batchSize: number;
  epochs: number;
  seed: number;
  optimizer: string;
  backend: string;
}

export interface SavedRun {
  id: string;
  /** the chapter's id (e.g. 'iris') and the training cell's name (e.g. 'Iris training') */
  chapter: string;
  cell: string;
  /** ms since 1970 */
  savedAt: number;
  status: 'done' | 'diverged' | 'stopped';
  settings: RunSettings;
  steps: number;
  epochs: number;
  trainMs: number;
  final: { loss: number | null } & Omit<RunEvalPoint, 'step' | 'epoch'>;
  history: RunHistory;
}

/** a sweep's grid and its results table (sorted, best first) */
export interface SavedSweep {
  id: string;
  chapter: string;
  cell: string;
  savedAt: number;
  status: 'done' | 'stopped';
  dataset: string;
  learningRates: number[];
  hiddenSizes: number[];
  epochs: number;
  seed: number;
  rankBy: 'test' | 'validation';
  /** runs in the grid (rows.length < total when stopped) */
  total: number;
  rows: SweepRow[];
  wallMs: number;
}

// ── pure parts ─────────────────────────────────────────────────────────────────

/** a series thinned to at most `max` points over its whole span (the first and last kept) */
export function thinSeries<T extends { step: number }>(points: readonly T[], max = MAX_SAVED_POINTS): T[] {
  if (points.length <= max) return points.slice();
  return appendBounded([], points, max, (p) => p.step);
}

/**
 * One run's history from a training store's series: its points (those of `run`), with
 * the epoch counted from the run's start (the global epoch less the offset at which the
 * run began: its restart marker's, or 0), each series thinned to ≤ max.
 */
export function runHistory(s: { loss: readonly SeriesPoint[]; evals: readonly EvalPoint[]; markers: readonly Marker[] }, run: number, max = MAX_SAVED_POINTS): RunHistory {
  const start = s.markers.find((m) => m.kind === 'restart' && m.run === run)?.ex ?? 0;
  const loss = s.loss.filter((p) => p.run === run).map((p) => ({ step: p.step, epoch: Math.max(0, p.ex - start), value: p.value }));
  const evals = s.evals
    .filter((e) => e.run === run)
    .map((e) => ({ step: e.step, epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss, valAccuracy: e.valAccuracy, testLoss: e.testLoss, testAccuracy: e.testAccuracy }));
  return { loss: thinSeries(loss, max), evals: thinSeries(evals, max) };
}

const EVAL_COLUMNS = [
  ['trainLoss', 'train_loss_epoch_mean'],
  ['valLoss', 'validation_loss'],
  ['valAccuracy', 'validation_accuracy'],
  ['testLoss', 'test_loss'],
  ['testAccuracy', 'test_accuracy'],
] as const;

/** a number in CSV: shortest round-trip text, empty for none */
const cell = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

/**
 * The run's metrics as CSV with a header row: step, epoch, loss, then the evaluation
 * columns of which the run has at least one value. One row per step that has a loss or
 * an evaluation, in step order; epoch is fractional on loss rows, whole at evaluations.
 */
export function runCsv(h: RunHistory): string {
  const cols = EVAL_COLUMNS.filter(([k]) => h.evals.some((e) => e[k] !== null));
  const rows = new Map<number, { epoch: number; loss: number | null; ev: RunEvalPoint | null }>();
  for (const p of h.loss) rows.set(p.step, { epoch: p.epoch, loss: p.value, ev: null });
  for (const e of h.evals) {
    const r = rows.get(e.step);
    rows.set(e.step, { epoch: e.epoch, loss: r?.loss ?? null, ev: e });
  }
  const lines = [['step', 'epoch', 'loss', ...cols.map(([, name]) => name)].join(',')];
  for (const step of [...rows.keys()].sort((a, b) => a - b)) {
    const r = rows.get(step)!;
    lines.push([String(step), cell(Number(r.epoch.toPrecision(10))), cell(r.loss), ...cols.map(([k]) => cell(r.ev ? r.ev[k] : null))].join(','));
  }
  return lines.join('\n') + '\n';
}

/** the settings a run was trained with, from the session's configuration and its snapshot */
export function runSettings(config: SessionConfig, snap: SessionSnapshot | null, backend: string): RunSettings {
  const fcHidden = config.model.layers.filter((l) => (l as { type?: string }).type === 'fc').slice(0, -1);
  const hidden = snap?.hidden ?? ((fcHidden[0] as { nOut?: number } | undefined)?.nOut ?? null);
  const opt = config.model.optimizer as { type?: string; lr?: number } | undefined;
  return {
    dataset: config.dataset.name,
    lr: snap?.lr ?? opt?.lr ?? NaN,
    hidden,
    batchSize: snap?.batchSize ?? config.batchSize,
    epochs: snap?.epochs ?? config.epochs,
    seed: config.seed,
    optimizer: opt?.type ?? 'sgd',
    backend,
  };
}

/** "lr 0.1 · 8 hidden · batch 8 · 200 epochs · seed 42 · SGD · CPU reference" */
export function settingsSummary(s: RunSettings): string {
  return [
    `lr ${fmt(s.lr)}`,
    s.hidden !== null ? `${s.hidden} hidden` : null,
    `batch ${s.batchSize}`,
    `${s.epochs} epochs`,
    `seed ${s.seed}`,
    s.optimizer === 'sgd' ? 'SGD' : s.optimizer === 'adam' ? 'Adam' : s.optimizer,
    s.backend,
  ]
    .filter((x) => x !== null)
    .join(' · ');
}

/** the last evaluation's numbers and the last loss read back */
export function finalMetrics(h: RunHistory): SavedRun['final'] {
  const e = h.evals[h.evals.length - 1];
  return {
    loss: h.loss.length ? h.loss[h.loss.length - 1]!.value : null,
    trainLoss: e?.trainLoss ?? null,
    valLoss: e?.valLoss ?? null,
    valAccuracy: e?.valAccuracy ?? null,
    testLoss: e?.testLoss ?? null,
    testAccuracy: e?.testAccuracy ?? null,
  };
}

/** "3 learning rates × 2 hidden sizes, 30 epochs per run, seed 1" */
export function sweepSummary(s: Pick<SavedSweep, 'learningRates' | 'hiddenSizes' | 'epochs' | 'seed'>): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `${n(s.learningRates.length, 'learning rate', 'learning rates')} (${s.learningRates.map(fmt).join(', ')}) × ${n(s.hiddenSizes.length, 'hidden size', 'hidden sizes')} (${s.hiddenSizes.join(', ')}), ${s.epochs} epochs per run, seed ${s.seed}`;
}

/** a sweep's record from its specification and its table */
export function sweepRecord(o: { id: string; chapter: string; cell: string; status: SavedSweep['status']; spec: SweepSpec; rows: SweepRow[]; total: number; rankBy: SavedSweep['rankBy']; wallMs: number; savedAt?: number }): SavedSweep {
  return {
    id: o.id,
    chapter: o.chapter,
    cell: o.cell,
    savedAt: o.savedAt ?? Date.now(),
    status: o.status,
    dataset: o.spec.base.dataset.name,
    learningRates: [...o.spec.learningRates],
    hiddenSizes: [...o.spec.hiddenSizes],
    epochs: o.spec.base.epochs,
    seed: o.spec.base.seed,
    rankBy: o.rankBy,
    total: o.total,
    rows: o.rows.map((r) => ({ ...r })),
    wallMs: o.wallMs,
  };
}

/** a run's date and time for the list, e.g. "6 Dec 2026, 05:12" */
export function runDate(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// ── the database ───────────────────────────────────────────────────────────────

interface RunsDB extends DBSchema {
  runs: { key: string; value: SavedRun; indexes: { chapter: string } };
  sweeps: { key: string; value: SavedSweep; indexes: { chapter: string } };
}

const DB_NAME = 'backprop-notebook-runs';
let db: Promise<IDBPDatabase<RunsDB>> | null = null;

function open(): Promise<IDBPDatabase<RunsDB>> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser offers no IndexedDB'));
  db ??= openDB<RunsDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('runs', { keyPath: 'id' }).createIndex('chapter', 'chapter');
      d.createObjectStore('sweeps', { keyPath: 'id' }).createIndex('chapter', 'chapter');
    },
  }).catch((e) => {
    db = null;
    throw e;
  });
  return db;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface SavedRunsState {
  /** by chapter id, newest first; absent until loaded */
  byChapter: Record<string, SavedRun[]>;
  /** ids of saved runs drawn on the charts beside the live run */
  shown: string[];
  /** the last database error, said in the page (null when the last action worked) */
  error: string | null;
  load: (chapter: string) => Promise<void>;
  /** adds or replaces (same id) a run */
  save: (run: SavedRun) => Promise<void>;
  remove: (id: string) => Promise<void>;
  toggleShown: (id: string, on: boolean) => void;
  /** saved sweeps by chapter id, newest first; absent until loaded */
  sweepsByChapter: Record<string, SavedSweep[]>;
  loadSweeps: (chapter: string) => Promise<void>;
  saveSweep: (sweep: SavedSweep) => Promise<void>;
  removeSweep: (id: string) => Promise<void>;
}

const newestFirst = (a: { savedAt: number }, b: { savedAt: number }) => b.savedAt - a.savedAt;

export const useSavedRuns = create<SavedRunsState>()((set, get) => ({
  byChapter: {},
  shown: [],
  error: null,

  load: async (chapter) => {
    try {
      const runs = await (await open()).getAllFromIndex('runs', 'chapter', chapter);
      set({ byChapter: { ...get().byChapter, [chapter]: runs.sort(newestFirst) }, error: null });
    } catch (e) {
      set({ error: `Saved runs cannot be read: ${errorText(e)}` });
    }
  },

  save: async (run) => {
    try {
      await (await open()).put('runs', run);
      const list = (get().byChapter[run.chapter] ?? []).filter((r) => r.id !== run.id).concat(run).sort(newestFirst);
      set({ byChapter: { ...get().byChapter, [run.chapter]: list }, error: null });
    } catch (e) {
      set({ error: `The run could not be saved: ${errorText(e)}` });
    }
  },

  remove: async (id) => {
    try {
      await (await open()).delete('runs', id);
      const byChapter = Object.fromEntries(Object.entries(get().byChapter).map(([k, v]) => [k, v.filter((r) => r.id !== id)]));
      set({ byChapter, shown: get().shown.filter((s) => s !== id), error: null });
    } catch (e) {
      set({ error: `The run could not be deleted: ${errorText(e)}` });
    }
  },

  toggleShown: (id, on) => {
    const shown = get().shown.filter((s) => s !== id);
    set({ shown: on ? shown.concat(id) : shown });
  },

  sweepsByChapter: {},

  loadSweeps: async (chapter) => {
    try {
      const sweeps = await (await open()).getAllFromIndex('sweeps', 'chapter', chapter);
      set({ sweepsByChapter: { ...get().sweepsByChapter, [chapter]: sweeps.sort(newestFirst) }, error: null });
    } catch (e) {
      set({ error: `Saved sweeps cannot be read: ${errorText(e)}` });
    }
  },

  saveSweep: async (sweep) => {
    try {
      await (await open()).put('sweeps', sweep);
      const list = (get().sweepsByChapter[sweep.chapter] ?? []).filter((r) => r.id !== sweep.id).concat(sweep).sort(newestFirst);
      set({ sweepsByChapter: { ...get().sweepsByChapter, [sweep.chapter]: list }, error: null });
    } catch (e) {
      set({ error: `The sweep could not be saved: ${errorText(e)}` });
    }
  },

  removeSweep: async (id) => {
    try {
      await (await open()).delete('sweeps', id);
      const sweepsByChapter = Object.fromEntries(Object.entries(get().sweepsByChapter).map(([k, v]) => [k, v.filter((r) => r.id !== id)]));
      set({ sweepsByChapter, error: null });
    } catch (e) {
      set({ error: `The sweep could not be deleted: ${errorText(e)}` });
    }
  },
}));
