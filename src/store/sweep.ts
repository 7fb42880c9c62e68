// Hyperparameter sweeps for the notebook's cells: a zustand store per cell over its own
// training worker. The worker runs the grid (learning rates × hidden sizes) one run after
// another (src/train/sweep.ts); this store keeps
//
//   table    the results so far, sorted, best marked (streamed after every run)
//   curves   each run's training loss per step read and per epoch (mean), bounded
//   current  the run in progress: its grid index and counters (progress bar)
//
//   export const useIrisSweep = createSweepStore({ name: 'iris sweep' });
//   useIrisSweep.getState().run(spec, 'cpu');

import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { createTrainingWorker, TrainingClient, type PortLike } from '../train/client';
import type { BackendInfo, DatasetInfo, MetricsBatch, SessionSnapshot, SweepSpec, SweepTable } from '../train/protocol';
import { sweepGrid, type SweepCell } from '../train/sweep';
import { appendBounded } from './history';

export interface CurvePoint {
  step: number;
  value: number;
}

export interface SweepCurve {
  index: number;
  lr: number;
  hidden: number;
  /** the training loss of each step read back (step, loss) */
  points: CurvePoint[];
  /** per complete epoch: the mean training loss read during it (step = epoch) */
  epochLoss: CurvePoint[];
  /** the step whose loss was not finite (the curve stops before it), or null */
  divergedAt: number | null;
}

/**
 * idle      nothing run yet
 * starting  the worker loads the data
 * running   runs in progress
 * done      every run finished
 * stopped   stopped by the user (the table has the runs that finished)
 * failed    an error ended the sweep (`error`)
 */
export type SweepStatus = 'idle' | 'starting' | 'running' | 'done' | 'stopped' | 'failed';

export interface SweepData {
  status: SweepStatus;
  error: string | null;
  backend: BackendInfo | null;
  dataset: DatasetInfo | null;
  spec: SweepSpec | null;
  grid: SweepCell[];
  table: SweepTable | null;
  /** per grid index, in grid order */
  curves: SweepCurve[];
  /** the run in progress and its counters */
  current: { index: number; snapshot: SessionSnapshot } | null;
  /** wall time of the sweep so far, ms */
  wallMs: number;
  startedAt: number | null;
}

export interface SweepActions {
  /** runs the grid (a sweep already running is stopped first) */
  run: (spec: SweepSpec, prefer?: 'webgpu' | 'cpu') => Promise<void>;
  stop: () => Promise<void>;
  dispose: () => Promise<void>;
}

export type SweepState = SweepData & SweepActions;
export type SweepStore = UseBoundStore<StoreApi<SweepState>>;

export interface SweepStoreOptions {
  name: string;
  createPort?: () => PortLike & { terminate?: () => void };
  /** points kept per run's curve (default 600) */
  maxPoints?: number;
  frame?: (cb: () => void) => void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** applies metric batches of sweep runs to the curves (new arrays; the old are not mutated) */
export function ingestSweepBatches(curves: SweepCurve[], batches: readonly MetricsBatch[], maxPoints: number): { curves: SweepCurve[]; current: { index: number; snapshot: SessionSnapshot } | null } {
  const add = new Map<number, CurvePoint[]>();
  const addEpoch = new Map<number, CurvePoint[]>();
  const diverged = new Map<number, number>();
  let current: { index: number; snapshot: SessionSnapshot } | null = null;
  for (const b of batches) {
    if (b.sweepRun === undefined) continue;
    current = { index: b.sweepRun, snapshot: b.snapshot };
    for (const e of b.events) {
      if (e.kind === 'loss') {
        let a = add.get(b.sweepRun);
        if (!a) add.set(b.sweepRun, (a = []));
        a.push({ step: e.step, value: e.loss });
      } else if (e.kind === 'eval' && e.trainLoss !== null) {
        let a = addEpoch.get(b.sweepRun);
        if (!a) addEpoch.set(b.sweepRun, (a = []));
        a.push({ step: e.epoch, value: e.trainLoss });
      } else if (e.kind === 'diverged') diverged.set(b.sweepRun, e.step);
    }
  }
  if (add.size === 0 && addEpoch.size === 0 && diverged.size === 0) return { curves, current };
  const next = curves.map((c) => {
    const pts = add.get(c.index);
    const ep = addEpoch.get(c.index);
    const d = diverged.get(c.index);
    if (!pts && !ep && d === undefined) return c;
    return {
      ...c,
      points: pts ? appendBounded(c.points, pts, maxPoints, (p) => p.step) : c.points,
      epochLoss: ep ? appendBounded(c.epochLoss, ep, maxPoints, (p) => p.step) : c.epochLoss,
      divergedAt: d ?? c.divergedAt,
    };
  });
  return { curves: next, current };
}

export function createSweepStore(opts: SweepStoreOptions): SweepStore {
  const maxPoints = opts.maxPoints ?? 600;
  let client: TrainingClient | null = null;
  let port: (PortLike & { terminate?: () => void }) | null = null;
  let gen = 0;

  return create<SweepState>()((set, get) => {
    const connect = (): TrainingClient => {
      if (client) return client;
      port = opts.createPort ? opts.createPort() : createTrainingWorker();
      client = new TrainingClient(port, opts.frame ? { frame: opts.frame } : {});
      client.onMetrics((batches) => {
        const s = get();
        if (s.status !== 'running') return;
        const next = ingestSweepBatches(s.curves, batches, maxPoints);
        set({ curves: next.curves, current: next.current ?? s.current, wallMs: s.startedAt === null ? 0 : performance.now() - s.startedAt });
      });
      client.onSweepTable((table) => {
        if (get().status === 'running') set({ table });
      });
      // a worker that died: the sweep in flight rejects with its message; the next run starts a new worker
      const mine = client;
      client.onStopped(() => {
        if (client !== mine) return;
        client = null;
        port = null;
      });
      return client;
    };

    return {
      status: 'idle',
      error: null,
      backend: null,
      dataset: null,
      spec: null,
      grid: [],
      table: null,
      curves: [],
      current: null,
      wallMs: 0,
      startedAt: null,

      run: async (spec, prefer = 'webgpu') => {
        let grid: SweepCell[];
        try {
          grid = sweepGrid(spec);
        } catch (e) {
          set({ error: errorText(e) });
          return;
        }
        if (get().status === 'running' || get().status === 'starting') await get().stop();
        const my = ++gen;
        const c = connect();
        set({
          status: 'starting',
          error: null,
          spec,
          grid,
          table: null,
          curves: grid.map((g) => ({ ...g, points: [], epochLoss: [], divergedAt: null })),
          current: null,
          wallMs: 0,
          startedAt: null,
        });
        try {
          // the session the sweep's backend comes with (and the data, loaded once)
          const ready = await c.init(spec.base, prefer);
          if (my !== gen) return;
          const t0 = performance.now();
          set({ status: 'running', backend: ready.backend, dataset: ready.dataset, startedAt: t0 });
          const table = await c.sweep(spec);
          if (my !== gen) return;
          set({ table, status: table.rows.length < table.total ? 'stopped' : 'done', current: null, wallMs: performance.now() - t0 });
        } catch (e) {
          if (my !== gen) return;
          set({ status: 'failed', error: errorText(e), current: null });
        }
      },

      stop: async () => {
        const c = client;
        if (!c) return;
        const s = get().status;
        if (s !== 'running' && s !== 'starting') return;
        try {
          await c.stop();
        } catch (e) {
          set({ error: `Stop: ${errorText(e)}` });
        }
      },

      dispose: async () => {
        gen++;
        const c = client;
        const p = port;
        client = null;
        port = null;
        set({ status: 'idle', current: null });
        if (c) await c.dispose().catch(() => undefined);
        p?.terminate?.();
      },
    };
  });
}
