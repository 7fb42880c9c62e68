// Chapter 3's state: the hyperparameters the reader sets (kept in the URL), the training
// session of cell 3.1 and the sweep of cell 3.2 (each its own worker).
//
// URL keys: iris.lr, iris.h, iris.bs, iris.ep, iris.seed, iris.dev (webgpu | cpu),
// iris.pace (steps per second, 0 = full speed), iris.slr and iris.sh (the sweep's lists),
// iris.sep (epochs per sweep run).
//
// The settings are what the reader asked for; the session follows them: a change of the
// learning rate, hidden size, batch size or epochs is sent to the running session (it
// takes effect at the next step and is marked on the chart); a new seed or device builds
// a new session.

import { create } from 'zustand';
import { createSweepStore } from '../../../store/sweep';
import { createTrainingStore } from '../../../store/training';
import { bindUrl, formatNumber, parseNumber, syncUrl } from '../../../store/url';
import { EXPERIMENTS } from '../../../train/experiments';
import type { SessionConfig, SweepSpec } from '../../../train/protocol';

export type Device = 'webgpu' | 'cpu';

export interface IrisSettings {
  lr: number;
  hidden: number;
  batchSize: number;
  epochs: number;
  seed: number;
  device: Device;
  /** steps per second; 0 = as fast as the device goes */
  pace: number;
  sweepLrs: number[];
  sweepHidden: number[];
  sweepEpochs: number;
}

export const IRIS_DEFAULTS: IrisSettings = {
  lr: 0.1,
  hidden: 8,
  batchSize: 8,
  epochs: 200,
  // the first of the course experiment's ten splits (npm run train -- iris)
  seed: EXPERIMENTS.iris.config.seed,
  device: 'webgpu',
  pace: 200,
  sweepLrs: EXPERIMENTS.iris.sweep!.learningRates,
  sweepHidden: EXPERIMENTS.iris.sweep!.hiddenSizes,
  sweepEpochs: EXPERIMENTS.iris.withinEpochs,
};

export const LIMITS = {
  lr: { min: 0, max: 1000 },
  hidden: { min: 1, max: 512 },
  batchSize: { min: 1, max: 120 },
  epochs: { min: 1, max: 20000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  sweepEpochs: { min: 1, max: 2000 },
  listLength: 6,
} as const;

export const PACES = [0, 1000, 200, 50, 10] as const;

/** share of the flowers held out for the test (the course's 80/20 split) */
export const TEST_FRACTION = EXPERIMENTS.iris.config.dataset.testFraction ?? 0.2;
/** share of the training flowers held out for validation in cell 3.1 */
export const VALIDATION_FRACTION = 0.2;

/** the session of cell 3.1: 4 → hidden (ReLU) → 3 (softmax), SGD, standardized features */
export function irisConfig(s: IrisSettings): SessionConfig {
  return {
    dataset: { name: 'iris', standardize: true, testFraction: TEST_FRACTION, validationFraction: VALIDATION_FRACTION },
    model: {
      layers: [
        { type: 'fc', nOut: s.hidden, activation: 'relu' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: s.lr },
    },
    batchSize: s.batchSize,
    epochs: s.epochs,
    seed: s.seed,
    // every step's loss is read back: Iris steps are tiny and the curve is the point
    lossEvery: 1,
  };
}

/** the sweep of cell 3.2: the course's experiment (train/test split, no validation), at the page's seed */
export function irisSweepSpec(s: IrisSettings): SweepSpec {
  const base = EXPERIMENTS.iris.config;
  return {
    // every step's loss read back, so each epoch's mean training loss is over all its batches
    base: { ...base, seed: s.seed, epochs: s.sweepEpochs, lossEvery: 1 },
    learningRates: s.sweepLrs,
    hiddenSizes: s.sweepHidden,
    rankBy: 'test',
  };
}

// ── the stores ─────────────────────────────────────────────────────────────────

export const useIrisTraining = createTrainingStore({
  name: 'Iris training',
  describe: (c, snap) => `lr ${snap?.lr ?? c.model.optimizer.lr}, ${snap?.hidden ?? '?'} hidden`,
});

export const useIrisSweep = createSweepStore({ name: 'Iris sweep' });

interface IrisSettingsState extends IrisSettings {
  /** sets one hyperparameter (validated), records it in the URL and sends it to the session */
  set: <K extends keyof IrisSettings>(key: K, value: IrisSettings[K]) => void;
}

function validate<K extends keyof IrisSettings>(key: K, v: IrisSettings[K]): void {
  const num = (what: string, x: unknown, lo: number, hi: number, int: boolean) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi || (int && !Number.isInteger(x))) {
      throw new Error(`${what} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(x)}`);
    }
  };
  switch (key) {
    case 'lr':
      return num('the learning rate', v, LIMITS.lr.min, LIMITS.lr.max, false);
    case 'hidden':
      return num('the hidden size', v, LIMITS.hidden.min, LIMITS.hidden.max, true);
    case 'batchSize':
      return num('the batch size', v, LIMITS.batchSize.min, LIMITS.batchSize.max, true);
    case 'epochs':
      return num('the number of epochs', v, LIMITS.epochs.min, LIMITS.epochs.max, true);
    case 'seed':
      return num('the seed', v, LIMITS.seed.min, LIMITS.seed.max, true);
    case 'sweepEpochs':
      return num('epochs per run', v, LIMITS.sweepEpochs.min, LIMITS.sweepEpochs.max, true);
    case 'pace':
      if (!(PACES as readonly number[]).includes(v as number)) throw new Error(`speed must be one of ${PACES.join(', ')} steps per second, got ${String(v)}`);
      return;
    case 'device':
      if (v !== 'webgpu' && v !== 'cpu') throw new Error(`device must be webgpu or cpu, got ${String(v)}`);
      return;
    case 'sweepLrs':
    case 'sweepHidden': {
      const xs = v as number[];
      if (!Array.isArray(xs) || xs.length === 0 || xs.length > LIMITS.listLength) throw new Error(`a sweep list has 1 to ${LIMITS.listLength} values`);
      for (const x of xs) key === 'sweepLrs' ? num('a learning rate', x, LIMITS.lr.min, LIMITS.lr.max, false) : num('a hidden size', x, LIMITS.hidden.min, LIMITS.hidden.max, true);
      return;
    }
  }
}

export const useIrisSettings = create<IrisSettingsState>()((set) => ({
  ...IRIS_DEFAULTS,
  set: (key, value) => {
    validate(key, value);
    set({ [key]: value } as Partial<IrisSettings>);
    syncUrl();
    if (key === 'pace') useIrisTraining.getState().setPace(value as number);
    else syncIrisSession();
  },
}));

/** the settings without the action */
export function irisSettings(): IrisSettings {
  const { set: _set, ...s } = useIrisSettings.getState();
  return s;
}

/**
 * Brings the session in line with the settings: a new session when the seed or device
 * differ, otherwise the live controls for what changed. Called on every settings change
 * and after a session starts (settings may have moved while it loaded).
 */
export function syncIrisSession(): void {
  const t = useIrisTraining.getState();
  const s = irisSettings();
  if (t.phase !== 'ready' || !t.config || !sent) return;
  if (t.config.seed !== s.seed || t.prefer !== s.device) {
    void startIrisSession();
    return;
  }
  // compare with what was last sent, not with the snapshot (a reply may still be on its way)
  if (sent.lr !== s.lr) void t.setLearningRate((sent.lr = s.lr));
  if (sent.hidden !== s.hidden) void t.setHiddenSize((sent.hidden = s.hidden));
  if (sent.batchSize !== s.batchSize) void t.setBatchSize((sent.batchSize = s.batchSize));
  if (sent.epochs !== s.epochs) void t.setEpochs((sent.epochs = s.epochs));
}

/** the live settings last sent to the session (null before a session exists) */
let sent: Pick<IrisSettings, 'lr' | 'hidden' | 'batchSize' | 'epochs'> | null = null;

/** a new session from the settings (loads Iris in the worker, builds the model) */
export async function startIrisSession(): Promise<void> {
  const s = irisSettings();
  const t = useIrisTraining.getState();
  t.setPace(s.pace);
  sent = null;
  await t.init(irisConfig(s), s.device);
  if (useIrisTraining.getState().phase === 'ready') sent = { lr: s.lr, hidden: s.hidden, batchSize: s.batchSize, epochs: s.epochs };
  syncIrisSession();
}

// ── URL ────────────────────────────────────────────────────────────────────────

function parseList(raw: string | null, int: boolean, lo: number, hi: number): number[] | undefined {
  if (raw === null) return undefined;
  const xs = raw.split(',').map((p) => parseNumber(p, lo, hi));
  if (xs.length === 0 || xs.length > LIMITS.listLength || xs.some((x) => x === undefined || (int && !Number.isInteger(x)))) return undefined;
  return xs as number[];
}

function parseInt_(raw: string | null, lo: number, hi: number): number | undefined {
  const v = parseNumber(raw, lo, hi);
  return v !== undefined && Number.isInteger(v) ? v : undefined;
}

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

bindUrl({
  keys: ['iris.lr', 'iris.h', 'iris.bs', 'iris.ep', 'iris.seed', 'iris.dev', 'iris.pace', 'iris.slr', 'iris.sh', 'iris.sep'],
  read: (q) => {
    const d = IRIS_DEFAULTS;
    const pace = parseNumber(q.get('iris.pace'));
    useIrisSettings.setState({
      lr: parseNumber(q.get('iris.lr'), LIMITS.lr.min, LIMITS.lr.max) ?? d.lr,
      hidden: parseInt_(q.get('iris.h'), LIMITS.hidden.min, LIMITS.hidden.max) ?? d.hidden,
      batchSize: parseInt_(q.get('iris.bs'), LIMITS.batchSize.min, LIMITS.batchSize.max) ?? d.batchSize,
      epochs: parseInt_(q.get('iris.ep'), LIMITS.epochs.min, LIMITS.epochs.max) ?? d.epochs,
      seed: parseInt_(q.get('iris.seed'), LIMITS.seed.min, LIMITS.seed.max) ?? d.seed,
      device: q.get('iris.dev') === 'cpu' ? 'cpu' : 'webgpu',
      pace: pace !== undefined && (PACES as readonly number[]).includes(pace) ? pace : d.pace,
      sweepLrs: parseList(q.get('iris.slr'), false, LIMITS.lr.min, LIMITS.lr.max) ?? d.sweepLrs,
      sweepHidden: parseList(q.get('iris.sh'), true, LIMITS.hidden.min, LIMITS.hidden.max) ?? d.sweepHidden,
      sweepEpochs: parseInt_(q.get('iris.sep'), LIMITS.sweepEpochs.min, LIMITS.sweepEpochs.max) ?? d.sweepEpochs,
    });
    // back/forward: the live session follows
    useIrisTraining.getState().setPace(useIrisSettings.getState().pace);
    syncIrisSession();
  },
  write: () => {
    const s = useIrisSettings.getState();
    const d = IRIS_DEFAULTS;
    return {
      'iris.lr': s.lr === d.lr ? null : formatNumber(s.lr),
      'iris.h': s.hidden === d.hidden ? null : String(s.hidden),
      'iris.bs': s.batchSize === d.batchSize ? null : String(s.batchSize),
      'iris.ep': s.epochs === d.epochs ? null : String(s.epochs),
      'iris.seed': s.seed === d.seed ? null : String(s.seed),
      'iris.dev': s.device === d.device ? null : s.device,
      'iris.pace': s.pace === d.pace ? null : String(s.pace),
      'iris.slr': sameList(s.sweepLrs, d.sweepLrs) ? null : s.sweepLrs.map(formatNumber).join(','),
      'iris.sh': sameList(s.sweepHidden, d.sweepHidden) ? null : s.sweepHidden.join(','),
      'iris.sep': s.sweepEpochs === d.sweepEpochs ? null : String(s.sweepEpochs),
    };
  },
});
