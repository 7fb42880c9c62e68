// Chapter 1's state: the settings (the data set, the chosen input x, the learning rate,
// steps per frame, the seed and the 13 weights of the 1-4-1 network) and a
// gradient-descent run (step count, loss history) that moves the weights.
// URL keys: hand.set, hand.x, hand.lr, hand.spf, hand.seed, hand.w (the weights, when
// they differ from the seed's starting point). Each is bounded like the control that sets
// it (a weight by its slider's range, the learning rate and steps per frame by their
// inputs); a value outside is refused (the default is used) and leaves the address bar.

import { create } from 'zustand';
import { Rng } from '../../../engine/random';
import {
  DATASETS,
  HIDDEN,
  PARAM_RANGES,
  PARAM_REFS,
  backward,
  datasetLoss,
  flatten,
  gdStep,
  setParam as withParam,
  unflatten,
  type DatasetId,
  type HandParams,
  type ParamRef,
} from './hand-net';
import { appendBounded } from '../../../store/history';
import { custom, defineSettings, num, oneOf } from '../../../store/settings';
import { formatNumber, parseNumberList } from '../../../store/url';

/** Hand-picked start (seed 0): four kinks inside the data range (x = 3, 5, 7, 9), far from a fit. */
export const HAND_START: HandParams = { w1: [-1, 1, 1, 0.5], b1: [5, -3, -7, -4.5], w2: [1.5, -1, 1, 1], b2: 1 };

export const DEFAULT_LR = 0.003;
export const DEFAULT_STEPS_PER_FRAME = 20;
export const DEFAULT_X = 2;
export const MAX_HISTORY = 2000;
/** the learning-rate input's bounds */
export const LR_RANGE = { min: 1e-6, max: 1 } as const;
/** the steps-per-frame slider's bounds */
export const SPF_RANGE = { min: 1, max: 200 } as const;
/** seeds the Reseed button can reach */
export const MAX_SEED = 2 ** 31 - 1;

/**
 * How far past its slider a weight in hand.w may lie: training (not only the slider) sets
 * the weights and can carry one a little past the slider's end, and a link to that state
 * must reload it; 1e200 (Infinity on the loss chart at step 0) is refused.
 */
export const URL_WEIGHT_REACH = 10;

/** the 13 weights of hand.w, when each lies within URL_WEIGHT_REACH × its slider's range; otherwise undefined */
export function parseWeights(raw: string | null): number[] | undefined {
  const w = parseNumberList(raw, 3 * HIDDEN + 1);
  if (!w) return undefined;
  const within = (v: number, k: number) => {
    const r = PARAM_RANGES[PARAM_REFS[k]!.group];
    return v >= URL_WEIGHT_REACH * r.min && v <= URL_WEIGHT_REACH * r.max;
  };
  return w.every(within) ? w : undefined;
}

/**
 * Starting weights for a seed. Seed 0 is HAND_START; any other seed draws each unit's
 * kink position uniformly in the data's x range, a slope |w1| ∈ [0.5, 1.5] with a random
 * sign, b1 = −w1·kink (so the unit switches at the kink), w2 ∈ [−2, 2] and b2 = mean(y).
 */
export function startingParams(seed: number, dataset: DatasetId): HandParams {
  if (seed === 0) return HAND_START;
  const rng = new Rng(seed);
  const pts = DATASETS[dataset].points;
  const xs = pts.map((p) => p[0]);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const w1: number[] = [];
  const b1: number[] = [];
  const w2: number[] = [];
  for (let j = 0; j < HIDDEN; j++) {
    const kink = rng.range(lo + 0.5, hi - 0.5);
    const slope = rng.range(0.5, 1.5) * (rng.uniform() < 0.5 ? -1 : 1);
    w1.push(round(slope));
    b1.push(round(-slope * kink));
    w2.push(round(rng.range(-2, 2)));
  }
  const b2 = round(pts.reduce((s, p) => s + p[1], 0) / pts.length);
  return { w1, b1, w2, b2 };
}

const round = (v: number) => Math.round(v * 100) / 100;

const settings = defineSettings({
  prefix: 'hand',
  fields: {
    dataset: oneOf<DatasetId>('the data set', ['1', '2'], { default: '1', url: 'set', change: 'none' }),
    /** the input whose forward and backward pass is shown (one of the data set's x) */
    x: num('the input x', { min: -1e6, max: 1e6, default: DEFAULT_X, url: 'x', change: 'none' }),
    lr: num('the learning rate', { ...LR_RANGE, default: DEFAULT_LR, url: 'lr', change: 'none' }),
    stepsPerFrame: num('steps per frame', { ...SPF_RANGE, int: true, default: DEFAULT_STEPS_PER_FRAME, url: 'spf', change: 'none' }),
    seed: num('the seed', { min: 0, max: MAX_SEED, int: true, default: 0, url: 'seed', change: 'none' }),
    /** the 13 weights, flattened (training may carry them anywhere finite; the URL holds them within reach of the sliders) */
    w: custom<number[]>({
      default: (s) => flatten(startingParams(s.seed as number, s.dataset as DatasetId)),
      url: 'w',
      change: 'none',
      check: (v) => (Array.isArray(v) && v.length === 3 * HIDDEN + 1 && v.every(Number.isFinite) ? null : `the weights must be ${3 * HIDDEN + 1} finite numbers`),
      parse: (raw) => parseWeights(raw),
      format: (v) => v.map(formatNumber).join(','),
      same: (a, b) => a.every((v, k) => formatNumber(v) === formatNumber(b[k]!)),
    }),
  },
  // a new data set keeps x when it is one of its points
  implies: (key, value, s) => (key === 'dataset' ? { x: validX(value as DatasetId, s.x) } : {}),
  normalize: (s) => ({ x: validX(s.dataset, s.x) }),
});

export type HandSettings = typeof settings.defaults;
export const useHandSettings = settings.use;
const handSettings = settings.values;
const setSetting = <K extends keyof HandSettings>(k: K, v: HandSettings[K]) => settings.use.getState().set(k, v);

export interface LossPoint {
  step: number;
  /** mean loss over the data set, (1/2m) Σ (ŷ − y)² */
  loss: number;
  /** loss of the chosen point alone, ½ (ŷ(x) − y(x))² */
  lossAtX: number;
}

interface HandNetworkState {
  /** the weights (the settings' w, unflattened) */
  params: HandParams;
  running: boolean;
  step: number;
  history: LossPoint[];
  /** why the last run stopped on its own (divergence), or null */
  stopReason: string | null;

  setParam: (ref: ParamRef, value: number) => void;
  setDataset: (d: DatasetId) => void;
  setX: (x: number) => void;
  setLr: (lr: number) => void;
  setStepsPerFrame: (n: number) => void;
  /** new random starting weights (seed + 1) and a fresh run */
  reseed: (seed?: number) => void;
  /** back to the seed's starting weights; clears the run */
  reset: () => void;
  train: () => void;
  pause: () => void;
  /** run n gradient-descent steps at once (one animation frame's worth) */
  advance: (n: number) => void;
}

/** the y of the chosen x in a data set (x is always one of its points) */
export function targetAt(dataset: DatasetId, x: number): number {
  const p = DATASETS[dataset].points.find((q) => q[0] === x);
  if (!p) throw new Error(`x = ${x} is not a point of ${DATASETS[dataset].name}`);
  return p[1];
}

function validX(dataset: DatasetId, x: number): number {
  const pts = DATASETS[dataset].points;
  return pts.some((p) => p[0] === x) ? x : pts.some((p) => p[0] === DEFAULT_X) ? DEFAULT_X : pts[0]![0];
}

function lossPoint(s: { params: HandParams; dataset: DatasetId; x: number; step: number }): LossPoint {
  const data = DATASETS[s.dataset].points;
  return {
    step: s.step,
    loss: datasetLoss(s.params, data),
    lossAtX: backward(s.params, s.x, targetAt(s.dataset, s.x)).loss,
  };
}

/** a fresh run: nothing trained, no history */
const FRESH = { running: false, step: 0, history: [] as LossPoint[], stopReason: null };

export const useHandNetwork = create<HandNetworkState>()((set, get) => {
  /** new weights: kept in the settings (and so in the URL) */
  const setParams = (params: HandParams, more: Partial<HandNetworkState> = {}) => {
    set({ params, ...more });
    setSetting('w', flatten(params));
  };
  return {
    params: unflatten(handSettings().w),
    ...FRESH,

    setParam: (ref, value) => {
      if (!Number.isFinite(value)) throw new Error(`${ref.name} must be a finite number, got ${value}`);
      setParams(withParam(get().params, ref, value), FRESH);
    },
    setDataset: (d) => {
      if (!(d in DATASETS)) throw new Error(`unknown data set '${d}'; known: ${Object.keys(DATASETS).join(', ')}`);
      setSetting('dataset', d);
      set(FRESH);
    },
    setX: (x) => {
      targetAt(handSettings().dataset, x); // rejects an x that is not a data point
      setSetting('x', x);
    },
    setLr: (lr) => setSetting('lr', lr),
    setStepsPerFrame: (n) => setSetting('stepsPerFrame', n),
    reseed: (seed) => {
      const next = seed ?? handSettings().seed + 1;
      setSetting('seed', next);
      setParams(startingParams(next, handSettings().dataset), FRESH);
    },
    reset: () => {
      const s = handSettings();
      setParams(startingParams(s.seed, s.dataset), FRESH);
    },
    train: () => {
      const s = get();
      if (s.running) return;
      const { dataset, x } = handSettings();
      set({ running: true, stopReason: null, history: s.history.length ? s.history : [lossPoint({ params: s.params, dataset, x, step: s.step })] });
    },
    pause: () => set({ running: false }),
    advance: (n) => {
      const s = get();
      const { dataset, x, lr } = handSettings();
      const data = DATASETS[dataset].points;
      let p = s.params;
      for (let i = 0; i < n; i++) p = gdStep(p, data, lr);
      const step = s.step + n;
      const point = lossPoint({ params: p, dataset, x, step });
      if (!Number.isFinite(point.loss) || !flatten(p).every(Number.isFinite)) {
        set({
          running: false,
          stopReason: `The loss became ${point.loss} after step ${step}: the learning rate ${lr} is too large for these weights. Lower it and press Reset.`,
        });
        return;
      }
      setParams(p, { step, history: appendBounded(s.history, [point], MAX_HISTORY, (h) => h.step) });
    },
  };
});

// back/forward or a loaded link: the weights from the URL, a fresh run
settings.onChange((key) => {
  if (key === null) useHandNetwork.setState({ params: unflatten(handSettings().w), ...FRESH });
});
