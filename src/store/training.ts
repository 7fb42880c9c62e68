// Training sessions for the notebook's cells: one zustand store per cell, each over its
// own TrainingClient (a Web Worker running src/train's session). The store turns the
// worker's metric stream into what the charts draw:
//
//   worker ─ MetricsBatch ─▶ client (batched per animation frame) ─▶ ingest() ─▶ one set()
//
//   loss      training loss per step read back            x = global step
//   evals     per epoch: mean train loss, validation and test loss and accuracy
//   speed     examples per second
//   markers   learning-rate and batch-size changes, hidden-size restarts, divergence
//
// "Global step" counts steps over the restarts of one session: a hidden-size change
// builds a new model whose steps continue the x axis where the old one stopped, with a
// marker there; Reset (or a new init) clears the chart. Every series is bounded
// (appendBounded thins it to one resolution over the whole run), so a long run costs the same to
// draw as a short one.
//
// Usage, per cell (module level, so the session outlives re-renders):
//   export const useIrisTraining = createTrainingStore({ name: 'iris' });
//   const loss = useIrisTraining((s) => s.loss);            // components select one field
//   useIrisTraining.getState().init(config, 'webgpu');      // actions live next to the state

import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { createTrainingWorker, DEVICE_LOST_DURING, TrainingClient, type PortLike } from '../train/client';
import type { BackendInfo, DatasetInfo, SessionConfig, SessionSnapshot, SessionState } from '../train/protocol';
import { ingestBatches, type DownloadProgress, type EvalPoint, type Marker, type PastRun, type SeriesPoint, type SeriesState } from './training-series';

export * from './training-series';

/**
 * off       no worker yet
 * starting  the worker is loading the data and building the model (init in flight)
 * ready     a session exists (its own state is in `state`)
 * failed    init failed (`error` says why); init again to retry
 * stopped   the worker died (`error` says "the training worker stopped: …"); restart()
 *           starts a fresh worker and session with the same configuration
 */
export type ConnectionPhase = 'off' | 'starting' | 'ready' | 'failed' | 'stopped';

/** the session's connection and its chart series (SeriesState: loss, evals, speed, markers, latest loss, divergence, offset) */
export interface TrainingData extends SeriesState {
  phase: ConnectionPhase;
  /** the last error of an action (shown in the cell), null when the last action worked */
  error: string | null;
  backend: BackendInfo | null;
  dataset: DatasetInfo | null;
  /** the data download while init runs (null when nothing is downloading) */
  download: DownloadProgress | null;
  /** the configuration of the current session */
  config: SessionConfig | null;
  prefer: 'webgpu' | 'cpu';
  /** the session's own state and counters (null before the first init) */
  snapshot: SessionSnapshot | null;
  /** true while the store paces training with single steps (speed limit set) */
  pacing: boolean;
  /** steps per second when pacing; 0 runs the session's loop at full speed */
  pace: number;
  /** examples per second: the session's figure at full speed, the paced rate otherwise */
  examplesPerSec: number;
  pastRuns: PastRun[];
  /** the GPU device was lost and the session went on on a new one: what the worker said (null otherwise) */
  deviceNote: string | null;
}

export interface TrainingActions {
  /** (re)creates the session with `config` on the preferred backend; clears the charts */
  init: (config: SessionConfig, prefer?: 'webgpu' | 'cpu') => Promise<void>;
  /** starts or resumes training (paced when `pace` > 0) */
  train: () => Promise<void>;
  pause: () => Promise<void>;
  /** one training step (or `count`) while idle or paused */
  step: (count?: number) => Promise<void>;
  /** a new model from the same seed; clears the charts */
  reset: () => Promise<void>;
  setLearningRate: (lr: number) => Promise<void>;
  setHiddenSize: (hidden: number) => Promise<void>;
  setBatchSize: (batchSize: number) => Promise<void>;
  setEpochs: (epochs: number) => Promise<void>;
  /** steps per second (0: full speed); takes effect at once while training */
  setPace: (stepsPerSec: number) => void;
  clearPastRuns: () => void;
  /** the client, for cells that drive the same session directly (e.g. a step-through trace) */
  client: () => TrainingClient | null;
  /** a fresh worker and session with the last configuration (after the worker stopped) */
  restart: () => Promise<void>;
  /** frees the worker (the store can init again afterwards) */
  dispose: () => Promise<void>;
}

export type TrainingState = TrainingData & TrainingActions;
export type TrainingStore = UseBoundStore<StoreApi<TrainingState>>;

export interface TrainingStoreOptions {
  /** names the store in error messages */
  name: string;
  /** the port to the worker (default: a new training Web Worker); tests pass a MessagePort */
  createPort?: () => PortLike & { terminate?: () => void };
  /** points kept per series before old points are thinned (default 2000) */
  maxPoints?: number;
  /** markers kept (default 200; the oldest go first) */
  maxMarkers?: number;
  /** runs kept in pastRuns (default 4) */
  maxPastRuns?: number;
  /** a label for a run of `config` (for pastRuns), e.g. "Adam, lr 0.001, 128 hidden" */
  describe?: (config: SessionConfig, snapshot: SessionSnapshot | null) => string;
  /** the animation frame the client batches metrics by (tests: a timer) */
  frame?: (cb: () => void) => void;
}

/** the ports of the live training workers of every store (for the test faults, src/store/faults.ts) */
const livePorts = new Set<PortLike>();
export function liveTrainingPorts(): PortLike[] {
  return [...livePorts];
}

const EMPTY_SERIES = {
  loss: [] as SeriesPoint[],
  evals: [] as EvalPoint[],
  speed: [] as SeriesPoint[],
  markers: [] as Marker[],
  latestLoss: null,
  divergence: null,
  offset: { x: 0, ex: 0 },
} satisfies Partial<TrainingData>;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** states in which the session trains or can be told to */
export function canTrain(s: SessionState | undefined): boolean {
  return s === 'idle' || s === 'paused';
}

// ── the store ──────────────────────────────────────────────────────────────────

/** how often a paced run asks for its next steps, in ms */
const PACE_TICK_MS = 50;

export function createTrainingStore(opts: TrainingStoreOptions): TrainingStore {
  const maxPoints = opts.maxPoints ?? 2000;
  const maxMarkers = opts.maxMarkers ?? 200;
  const maxPastRuns = opts.maxPastRuns ?? 4;
  const name = opts.name;

  let client: TrainingClient | null = null;
  let port: (PortLike & { terminate?: () => void }) | null = null;
  let unsubscribe: (() => void)[] = [];
  /** metric batches are dropped while an init replaces the session (they belong to the old one) */
  let accepting = false;
  let lastEpoch = 0;
  /** bumps when pacing stops or restarts, so a stale paced loop ends */
  let paceGen = 0;
  let pacedLoop: Promise<void> | null = null;
  let initGen = 0;

  const store = create<TrainingState>()((set, get) => {
    const connect = (): TrainingClient => {
      if (client) return client;
      const made = opts.createPort ? opts.createPort() : createTrainingWorker();
      port = made;
      livePorts.add(made);
      client = new TrainingClient(made, opts.frame ? { frame: opts.frame } : {});
      unsubscribe = [
        client.onMetrics((batches) => {
          if (!accepting) return;
          const s = get();
          const note = batches.flatMap((b) => (b.sweepRun === undefined ? b.events : [])).filter((e) => e.kind === 'device').at(-1);
          if (note) {
            // the session waits, paused, on its new device: a paced run stops too
            set({ deviceNote: note.message });
            if (get().pacing) void stopPacing();
          }
          const next = ingestBatches(s, batches, { maxPoints, maxMarkers, lastEpoch });
          lastEpoch = next.lastEpoch;
          const snapshot = batches[batches.length - 1]!.snapshot;
          set({
            loss: next.loss,
            evals: next.evals,
            speed: next.speed,
            markers: next.markers,
            latestLoss: next.latestLoss,
            divergence: next.divergence,
            offset: next.offset,
            snapshot,
            examplesPerSec: snapshot.state === 'running' ? snapshot.examplesPerSec : s.examplesPerSec,
            download: null,
          });
        }),
        client.onProgress((p) => set({ download: p })),
        client.onStopped((message) => workerStopped(message)),
      ];
      return client;
    };

    /** the worker died: forget it (the next init makes a new one) and say so */
    const workerStopped = (message: string): void => {
      paceGen++;
      if (port) livePorts.delete(port);
      client = null;
      port = null;
      accepting = false;
      unsubscribe.forEach((u) => u());
      unsubscribe = [];
      initGen++;
      const snap = get().snapshot;
      set({
        phase: 'stopped',
        error: `${name}: ${message}`,
        pacing: false,
        download: null,
        snapshot: snap ? { ...snap, state: 'failed', message } : null,
      });
    };

    /** runs a control; its error (if any) lands in `error`, and the snapshot it returns in `snapshot` */
    const control = async (what: string, fn: (c: TrainingClient) => Promise<SessionSnapshot | null>): Promise<void> => {
      const c = client;
      if (get().phase === 'stopped') return;
      if (!c || get().phase !== 'ready') {
        set({ error: `${name}: ${what}: no training session yet (it is still loading, or it failed to start)` });
        return;
      }
      try {
        const snap = await fn(c);
        if (client !== c) return;
        if (snap) set({ snapshot: snap, error: null });
        else set({ error: null });
      } catch (e) {
        // a stopped worker has said so already (phase 'stopped'); a lost device says so in deviceNote
        if (client !== c || errorText(e).startsWith(DEVICE_LOST_DURING)) return;
        set({ error: `${what}: ${errorText(e)}` });
      }
    };

    const stopPacing = async (): Promise<void> => {
      paceGen++;
      const loop = pacedLoop;
      if (get().pacing) set({ pacing: false });
      if (loop) await loop;
    };

    /** single steps at `pace` per second until paused, done or diverged */
    const startPacing = (): void => {
      const gen = ++paceGen;
      set({ pacing: true, error: null });
      const loop = (async () => {
        let carry = 0;
        let t = performance.now();
        let window = { t, examples: get().snapshot?.examplesSeen ?? 0 };
        while (gen === paceGen) {
          const now = performance.now();
          carry += (get().pace * Math.min(now - t, 250)) / 1000;
          t = now;
          const k = Math.floor(carry);
          if (k >= 1) {
            carry -= k;
            let snap: SessionSnapshot;
            try {
              snap = await client!.step(k);
            } catch (e) {
              if (gen === paceGen && get().phase !== 'stopped' && !errorText(e).startsWith(DEVICE_LOST_DURING)) set({ error: `Train: ${errorText(e)}` });
              break;
            }
            if (gen !== paceGen) break;
            const t1 = performance.now();
            const patch: Partial<TrainingData> = { snapshot: snap };
            if (t1 - window.t >= 500) {
              patch.examplesPerSec = ((snap.examplesSeen - window.examples) * 1000) / (t1 - window.t);
              window = { t: t1, examples: snap.examplesSeen };
            }
            set(patch);
            if (snap.state !== 'paused') break;
          }
          await new Promise((r) => setTimeout(r, PACE_TICK_MS));
        }
        if (gen === paceGen) set({ pacing: false });
      })();
      pacedLoop = loop;
      void loop.finally(() => {
        if (pacedLoop === loop) pacedLoop = null;
      });
    };

    return {
      phase: 'off',
      error: null,
      backend: null,
      dataset: null,
      download: null,
      config: null,
      prefer: 'webgpu',
      snapshot: null,
      pacing: false,
      pace: 0,
      examplesPerSec: 0,
      ...EMPTY_SERIES,
      pastRuns: [],
      deviceNote: null,

      init: async (config, prefer = 'webgpu') => {
        const gen = ++initGen;
        await stopPacing();
        const s = get();
        // keep the run that is being replaced, to compare with the next one
        if (s.config && s.loss.length) {
          const label = opts.describe ? opts.describe(s.config, s.snapshot) : `run ${s.pastRuns.length + 1}`;
          const pastRuns = s.pastRuns.concat({ label, evals: s.evals, loss: s.loss });
          set({ pastRuns: pastRuns.slice(Math.max(0, pastRuns.length - maxPastRuns)) });
        }
        accepting = false;
        lastEpoch = 0;
        set({ phase: 'starting', error: null, config, prefer, download: null, snapshot: null, examplesPerSec: 0, deviceNote: null, ...EMPTY_SERIES });
        const c = connect();
        try {
          const ready = await c.init(config, prefer);
          if (gen !== initGen) return;
          accepting = true;
          lastEpoch = 0;
          set({ phase: 'ready', backend: ready.backend, dataset: ready.dataset, snapshot: ready.snapshot, download: null, ...EMPTY_SERIES });
        } catch (e) {
          if (gen !== initGen) return;
          set({ phase: 'failed', error: `${name}: the session could not start: ${errorText(e)}`, download: null });
        }
      },

      train: async () => {
        const s = get();
        if (s.pacing || s.snapshot?.state === 'running') return;
        if (s.deviceNote) set({ deviceNote: null });
        if (s.pace > 0) {
          if (s.phase !== 'ready' || !client) return void set({ error: `${name}: Train: no training session yet` });
          if (!canTrain(s.snapshot?.state)) return void set({ error: `Train: ${s.snapshot?.message ?? 'not ready'}` });
          startPacing();
          return;
        }
        await control('Train', (c) => c.start());
      },

      pause: async () => {
        if (get().pacing) {
          await stopPacing();
          return;
        }
        await control('Pause', (c) => c.pause());
      },

      step: async (count = 1) => {
        await stopPacing();
        if (get().deviceNote) set({ deviceNote: null });
        await control('Step forward', (c) => c.step(count));
      },

      reset: async () => {
        await stopPacing();
        set({ ...EMPTY_SERIES, examplesPerSec: 0, deviceNote: null });
        lastEpoch = 0;
        await control('Reset', (c) => c.reset());
      },

      setLearningRate: (lr) => control('Learning rate', (c) => c.setLearningRate(lr)),
      setHiddenSize: (hidden) => control('Hidden size', (c) => c.setHiddenSize(hidden)),
      setBatchSize: (batchSize) => control('Batch size', (c) => c.setBatchSize(batchSize)),
      setEpochs: (epochs) => control('Epochs', (c) => c.setEpochs(epochs)),

      setPace: (stepsPerSec) => {
        if (!(Number.isFinite(stepsPerSec) && stepsPerSec >= 0)) throw new Error(`${name}: pace must be a number of steps per second ≥ 0, got ${stepsPerSec}`);
        const s = get();
        set({ pace: stepsPerSec });
        // switch between the paced loop and the session's own loop without stopping
        if (s.pacing && stepsPerSec === 0) void stopPacing().then(() => get().train());
        else if (s.snapshot?.state === 'running' && stepsPerSec > 0) void get().pause().then(() => get().train());
      },

      clearPastRuns: () => set({ pastRuns: [] }),

      client: () => client,

      restart: async () => {
        const { config, prefer } = get();
        if (!config) return void set({ error: `${name}: nothing to restart: no session was started yet` });
        await get().init(config, prefer);
      },

      dispose: async () => {
        await stopPacing();
        const c = client;
        const p = port;
        if (p) livePorts.delete(p);
        client = null;
        port = null;
        accepting = false;
        unsubscribe.forEach((u) => u());
        unsubscribe = [];
        set({ phase: 'off', snapshot: null, backend: null, dataset: null, config: null, ...EMPTY_SERIES });
        if (c) await c.dispose().catch(() => undefined);
        p?.terminate?.();
      },
    };
  });
  return store;
}
