// The playground's run: one network at a time, trained on the page in slices of an
// animation frame (at most `speed` steps and FRAME_BUDGET_MS of work, then the picture,
// the loss and the numbers of the diagram are refreshed once; the picture is computed from
// the parameters read back, by forward.ts). A 'rebuild' setting makes
// new data and a new network from the seed (step 0; a running run goes on with it); the
// learning rate and the batch size apply from the next step. The data is a generated set
// or the student's CSV (csv.ts), which the run follows while it is the data set.

import { create } from 'zustand';
import { appendBounded } from '../../../store/history';
import type { MetricPoint } from '../../../ui/MetricChart';
import { csvPlaygroundData, useCsv } from './csv';
import { makePlaygroundData, standardize, type PlaygroundData } from './data';
import { forwardDense } from './forward';
import { gridPoints, linePoints } from './grid';
import {
  DATA_INFO,
  onPlaygroundSettingsChange,
  PLAYGROUND_DEFAULTS,
  PLAYGROUND_REBUILD_KEYS,
  playgroundSettings,
  usePlaygroundSettings,
  type PlaygroundSettings,
} from './settings';
import { PlaygroundTrainer, playgroundModel, type DenseNumbers } from './trainer';

/** boundary grid: GRID_RES × GRID_RES cells over the plot */
export const GRID_RES = 48;
/** fitted curve: this many x's across the plot */
export const CURVE_RES = 160;
/** most milliseconds of training steps per animation frame (the page stays responsive) */
export const FRAME_BUDGET_MS = 6;
export const MAX_HISTORY = 800;

export type Phase = 'idle' | 'running' | 'paused' | 'diverged';

export interface RunState {
  phase: Phase;
  /** why the run stopped on its own, or why the network could not be built */
  message: string | null;
  data: PlaygroundData | null;
  step: number;
  epoch: number;
  /** over all the points */
  loss: number | null;
  accuracy: number | null;
  /** the loss over all the points, once per frame */
  history: MetricPoint[];
  params: DenseNumbers[] | null;
  /** of the last step (null before the first) */
  grads: DenseNumbers[] | null;
  /** the parameters before the last step, when it was a single step */
  before: DenseNumbers[] | null;
  /** counts single steps: the diagram replays the backward pass when it changes */
  singleSteps: number;
  /** the point indices of the last step's mini-batch */
  batch: Uint32Array;
  /** classification: (GRID_RES², k) probabilities; regression: (CURVE_RES) ŷ in the data's units */
  prediction: Float64Array | null;
  /** pictures drawn so far (one per refresh) */
  frames: number;

  train: () => void;
  pause: () => void;
  stepOnce: () => Promise<void>;
  /** a new network from the seed, on the same data */
  reset: () => Promise<void>;
}

let trainer: PlaygroundTrainer | null = null;
/** bumps with every new trainer: results of an older one are dropped */
let generation = 0;
let mounted = false;
let busy = false;
let raf = 0;

/** the points the picture is computed at, standardized as the network sees them */
let predictAt: Float64Array | null = null;

function build(s: PlaygroundSettings): void {
  trainer?.dispose();
  trainer = null;
  generation++;
  const csv = useCsv.getState().csv;
  const data = s.data === 'csv' && csv ? csvPlaygroundData(csv.dataset, csv.axes) : makePlaygroundData(s);
  trainer = new PlaygroundTrainer(data, playgroundModel(s, data.k), s.batchSize, s.seed);
  predictAt =
    data.task === 'classification' ? standardize(gridPoints(data.extent, GRID_RES), data.inputScale) : standardize(linePoints(data.extent.x, CURVE_RES), data.inputScale);
}

/** the picture, the loss and the numbers of the current network, in one state update */
async function refresh(extra: Partial<RunState> = {}): Promise<void> {
  const t = trainer;
  if (!t || !predictAt) return;
  const gen = generation;
  const [evaluation, params, grads] = await Promise.all([t.evaluate(), t.parameters(), t.gradients()]);
  if (gen !== generation) return;
  const { data } = t;
  const out = forwardDense(params, t.activations, predictAt);
  const prediction = data.task === 'classification' ? out : out.map((v) => v * data.targetScale.std + data.targetScale.mean);
  const s = useRun.getState();
  const point = { x: t.step, value: evaluation.loss };
  const history = s.history.length && s.history[s.history.length - 1]!.x === t.step ? s.history : appendBounded(s.history, [point], MAX_HISTORY, (p) => p.x);
  useRun.setState({
    data,
    step: t.step,
    epoch: t.epoch,
    loss: evaluation.loss,
    accuracy: evaluation.accuracy,
    history,
    params,
    grads,
    batch: t.lastBatch,
    prediction,
    frames: s.frames + 1,
    ...extra,
  });
}

function diverged(step: number, loss: number): string {
  const { lr, optimizer } = playgroundSettings();
  return `The loss became ${loss} at step ${step} (${optimizer}, learning rate ${lr}): the steps are too large. Lower the learning rate (that starts a new network) or press Reset.`;
}

async function tick(): Promise<void> {
  raf = 0;
  const s = useRun.getState();
  if (s.phase !== 'running' || !trainer) return;
  if (!busy) {
    busy = true;
    try {
      const gen = generation;
      const r = await trainer.train(playgroundSettings().speed, FRAME_BUDGET_MS);
      if (gen === generation) {
        if (!r.finite) await refresh({ phase: 'diverged', message: diverged(trainer.step, r.lastLoss), before: null });
        else await refresh({ before: null });
      }
    } finally {
      busy = false;
    }
  }
  if (useRun.getState().phase === 'running') raf = requestAnimationFrame(() => void tick());
}

function schedule(): void {
  if (!raf) raf = requestAnimationFrame(() => void tick());
}

function stopLoop(): void {
  if (raf) cancelAnimationFrame(raf);
  raf = 0;
}

/** new data and network from the settings; keeps running when it was */
async function rebuild(): Promise<void> {
  const was = useRun.getState().phase;
  stopLoop();
  if (playgroundSettings().data === 'csv' && !useCsv.getState().csv) {
    // the address names the student's file, which it cannot hold: the default set instead
    const fallback = PLAYGROUND_DEFAULTS.data;
    useCsv.setState({
      note: `The address names your CSV, but a link cannot carry a file, so this is the ${DATA_INFO[fallback].label.toLowerCase()}. Drop the file again under "Your CSV" to bring it back.`,
    });
    usePlaygroundSettings.getState().set('data', fallback);
    return;
  }
  try {
    build(playgroundSettings());
  } catch (e) {
    trainer = null;
    useRun.setState({ phase: 'idle', message: `The network could not be built: ${(e as Error).message}`, params: null, grads: null, prediction: null });
    return;
  }
  useRun.setState({ phase: was === 'running' ? 'running' : 'idle', message: null, history: [], before: null, grads: null, step: 0, epoch: 0 });
  await refresh();
  if (useRun.getState().phase === 'running') schedule();
}

export const useRun = create<RunState>()((set, get) => ({
  phase: 'idle',
  message: null,
  data: null,
  step: 0,
  epoch: 0,
  loss: null,
  accuracy: null,
  history: [],
  params: null,
  grads: null,
  before: null,
  singleSteps: 0,
  batch: new Uint32Array(0),
  prediction: null,
  frames: 0,

  train: () => {
    const s = get();
    if (!trainer || s.phase === 'running' || s.phase === 'diverged') return;
    set({ phase: 'running', before: null });
    schedule();
  },
  pause: () => {
    if (get().phase !== 'running') return;
    stopLoop();
    set({ phase: 'paused' });
  },
  stepOnce: async () => {
    const s = get();
    if (!trainer || s.phase === 'diverged' || busy) return;
    stopLoop();
    busy = true;
    try {
      const gen = generation;
      const before = await trainer.parameters();
      const r = await trainer.train(1);
      if (gen !== generation) return;
      await refresh({
        phase: r.finite ? 'paused' : 'diverged',
        message: r.finite ? null : diverged(trainer.step, r.lastLoss),
        before,
        singleSteps: get().singleSteps + 1,
      });
    } finally {
      busy = false;
    }
  },
  reset: async () => {
    set({ phase: 'idle' });
    await rebuild();
  },
}));

/** the chapter is on screen: build the network (once per visit) */
export function mountRun(): () => void {
  mounted = true;
  void rebuild();
  return () => {
    mounted = false;
    stopLoop();
    trainer?.dispose();
    trainer = null;
    generation++;
    useRun.setState({ phase: 'idle' });
    // the file lives with the page's drop zone, which goes with the chapter
    useCsv.setState({ csv: null });
  };
}

// a new file, label column or pair of axes while the CSV is the data set
useCsv.subscribe((now, was) => {
  if (mounted && now.csv !== was.csv && playgroundSettings().data === 'csv') void rebuild();
});

// the run follows the settings while the chapter is on screen
onPlaygroundSettingsChange((key) => {
  if (!mounted) return;
  const s = playgroundSettings();
  if (key === null || (PLAYGROUND_REBUILD_KEYS as string[]).includes(key)) {
    void rebuild();
    return;
  }
  if (!trainer) return;
  // a diverged network's weights are not finite: a new rate starts it again
  if (key === 'lr' && useRun.getState().phase === 'diverged') {
    void rebuild();
    return;
  }
  if (key === 'lr') trainer.lr = s.lr;
  if (key === 'batchSize') trainer.batchSize = s.batchSize;
});
