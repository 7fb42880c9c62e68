// Chapter 1's state: the 13 parameters of the 1-4-1 network, the data set, the chosen
// input x, and a gradient-descent run (learning rate, step count, loss history).
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
} from './handnet';
import { appendBounded } from '../../../store/history';
import { bindUrl, formatNumber, parseNumber, parseNumberList, syncUrl } from '../../../store/url';

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

export interface LossPoint {
  step: number;
  /** mean loss over the data set, (1/2m) Σ (ŷ − y)² */
  loss: number;
  /** loss of the chosen point alone, ½ (ŷ(x) − y(x))² */
  lossAtX: number;
}

interface HandNetworkState {
  dataset: DatasetId;
  params: HandParams;
  seed: number;
  /** the input whose forward and backward pass is shown (one of the data set's x) */
  x: number;
  lr: number;
  stepsPerFrame: number;
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

export const useHandNetwork = create<HandNetworkState>()((set, get) => ({
  dataset: '1',
  params: HAND_START,
  seed: 0,
  x: DEFAULT_X,
  lr: DEFAULT_LR,
  stepsPerFrame: DEFAULT_STEPS_PER_FRAME,
  running: false,
  step: 0,
  history: [],
  stopReason: null,

  setParam: (ref, value) => {
    if (!Number.isFinite(value)) throw new Error(`${ref.name} must be a finite number, got ${value}`);
    set((s) => ({ params: withParam(s.params, ref, value), running: false, step: 0, history: [], stopReason: null }));
    syncUrl();
  },
  setDataset: (d) => {
    if (!(d in DATASETS)) throw new Error(`unknown data set '${d}'; known: ${Object.keys(DATASETS).join(', ')}`);
    set((s) => ({ dataset: d, x: validX(d, s.x), running: false, step: 0, history: [], stopReason: null }));
    syncUrl();
  },
  setX: (x) => {
    const { dataset } = get();
    targetAt(dataset, x); // rejects an x that is not a data point
    set({ x });
    syncUrl();
  },
  setLr: (lr) => {
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`the learning rate must be a positive number, got ${lr}`);
    set({ lr });
    syncUrl();
  },
  setStepsPerFrame: (n) => {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`steps per frame must be a positive integer, got ${n}`);
    set({ stepsPerFrame: n });
    syncUrl();
  },
  reseed: (seed) => {
    const next = seed ?? get().seed + 1;
    set((s) => ({ seed: next, params: startingParams(next, s.dataset), running: false, step: 0, history: [], stopReason: null }));
    syncUrl();
  },
  reset: () => {
    set((s) => ({ params: startingParams(s.seed, s.dataset), running: false, step: 0, history: [], stopReason: null }));
    syncUrl();
  },
  train: () => {
    const s = get();
    if (s.running) return;
    set({ running: true, stopReason: null, history: s.history.length ? s.history : [lossPoint(s)] });
  },
  pause: () => {
    set({ running: false });
    syncUrl();
  },
  advance: (n) => {
    const s = get();
    const data = DATASETS[s.dataset].points;
    let p = s.params;
    for (let i = 0; i < n; i++) p = gdStep(p, data, s.lr);
    const next = { ...s, params: p, step: s.step + n };
    const point = lossPoint(next);
    if (!Number.isFinite(point.loss) || !flatten(p).every(Number.isFinite)) {
      set({
        running: false,
        stopReason: `The loss became ${point.loss} after step ${next.step}: the learning rate ${s.lr} is too large for these weights. Lower it and press Reset.`,
      });
      return;
    }
    set({ params: p, step: next.step, history: appendBounded(s.history, [point], MAX_HISTORY, (h) => h.step) });
    syncUrl();
  },
}));

bindUrl({
  keys: ['hand.set', 'hand.x', 'hand.lr', 'hand.spf', 'hand.seed', 'hand.w'],
  read: (q) => {
    const setRaw = q.get('hand.set');
    const dataset: DatasetId = setRaw === '2' ? '2' : '1';
    const seed = parseNumber(q.get('hand.seed'), 0, MAX_SEED);
    const seedInt = seed !== undefined && Number.isInteger(seed) ? seed : 0;
    const w = parseWeights(q.get('hand.w'));
    const spf = parseNumber(q.get('hand.spf'), SPF_RANGE.min, SPF_RANGE.max);
    useHandNetwork.setState({
      dataset,
      seed: seedInt,
      params: w ? unflatten(w) : startingParams(seedInt, dataset),
      x: validX(dataset, parseNumber(q.get('hand.x')) ?? DEFAULT_X),
      lr: parseNumber(q.get('hand.lr'), LR_RANGE.min, LR_RANGE.max) ?? DEFAULT_LR,
      stepsPerFrame: spf !== undefined && Number.isInteger(spf) ? spf : DEFAULT_STEPS_PER_FRAME,
      running: false,
      step: 0,
      history: [],
      stopReason: null,
    });
  },
  write: () => {
    const s = useHandNetwork.getState();
    const start = flatten(startingParams(s.seed, s.dataset));
    const cur = flatten(s.params);
    const moved = cur.some((v, k) => formatNumber(v) !== formatNumber(start[k]!));
    return {
      'hand.set': s.dataset === '1' ? null : s.dataset,
      'hand.x': s.x === DEFAULT_X ? null : String(s.x),
      'hand.lr': s.lr === DEFAULT_LR ? null : formatNumber(s.lr),
      'hand.spf': s.stepsPerFrame === DEFAULT_STEPS_PER_FRAME ? null : String(s.stepsPerFrame),
      'hand.seed': s.seed === 0 ? null : String(s.seed),
      'hand.w': moved ? cur.map(formatNumber).join(',') : null,
    };
  },
});
