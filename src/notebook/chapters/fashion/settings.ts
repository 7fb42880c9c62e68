// Chapter 6's state: the MLP's hyperparameters (kept in the URL) and its training
// session in the worker.
//
// URL keys: fashion.h, fashion.lr, fashion.bs, fashion.ep, fashion.opt (sgd | momentum |
// adam), fashion.sched (constant | exponential | step), fashion.seed, fashion.dev
// (webgpu | cpu), fashion.n (training examples per epoch; absent = all), fashion.eval
// (examples of validation and of test evaluated per epoch; absent = all).
//
// Learning rate, hidden size, batch size and epochs go to the live session (marked on the
// charts); optimizer, schedule, subset, seed and device need a new session, which keeps
// the previous run on the accuracy chart for comparison. The data set (30 MB) is fetched
// only when the reader first presses Train.

import { create } from 'zustand';
import { createTrainingStore } from '../../../store/training';
import { bindUrl, formatNumber, parseNumber, syncUrl } from '../../../store/url';
import { EXPERIMENTS } from '../../../train/experiments';
import type { OptimizerConfig } from '../../../nn/optimizers';
import type { SchedulerConfig } from '../../../nn/schedulers';
import type { SessionConfig } from '../../../train/protocol';

export type Device = 'webgpu' | 'cpu';
export type OptimizerChoice = 'sgd' | 'momentum' | 'adam';
export type ScheduleChoice = 'constant' | 'exponential' | 'step';

export interface FashionSettings {
  hidden: number;
  lr: number;
  batchSize: number;
  epochs: number;
  optimizer: OptimizerChoice;
  schedule: ScheduleChoice;
  seed: number;
  device: Device;
  /** training examples per epoch (the first n of the training part); 0 = all */
  limit: number;
  /** about this many validation and this many test examples per evaluation; 0 = all (5000 and 10 000) */
  evalSize: number;
}

const EXP = EXPERIMENTS['fashion-mlp'].config;

export const FASHION_DEFAULTS: FashionSettings = {
  hidden: 128,
  lr: 0.001,
  batchSize: EXP.batchSize,
  epochs: EXP.epochs,
  optimizer: 'adam',
  schedule: 'constant',
  seed: EXP.seed,
  device: 'webgpu',
  limit: 0,
  evalSize: 0,
};

/** a learning rate that trains well with each optimizer (set when the optimizer changes) */
export const SUGGESTED_LR: Record<OptimizerChoice, number> = { sgd: 0.1, momentum: 0.02, adam: 0.001 };

export const OPTIMIZER_LABELS: Record<OptimizerChoice, string> = { sgd: 'SGD', momentum: 'SGD with momentum 0.9', adam: 'Adam' };
export const SCHEDULE_LABELS: Record<ScheduleChoice, string> = {
  constant: 'constant',
  exponential: 'exponential: ×0.7 per epoch',
  step: 'step: halve every 2 epochs',
};

export const LIMIT_CHOICES = [0, 20000, 5000, 1000] as const;
export const EVAL_CHOICES = [0, 1000] as const;

export const LIMITS = {
  hidden: { min: 1, max: 1024 },
  lr: { min: 0, max: 100 },
  batchSize: { min: 1, max: 4096 },
  epochs: { min: 1, max: 200 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

/** held out of the training part for validation (the experiment's 1/12: 5000 of 60 000) */
export const VALIDATION_FRACTION = EXP.dataset.validationFraction ?? 1 / 12;
/** the official training set's size (the validation share is taken from it) */
const OFFICIAL_TRAIN_ALL = 60000;

/** the validation share: the experiment's 1/12, or about `evalSize` examples of the official 60 000 */
export function validationFraction(s: Pick<FashionSettings, 'evalSize'>): number {
  return s.evalSize ? s.evalSize / OFFICIAL_TRAIN_ALL : VALIDATION_FRACTION;
}

export function optimizerConfig(s: FashionSettings): OptimizerConfig {
  if (s.optimizer === 'adam') return { type: 'adam', lr: s.lr };
  return { type: 'sgd', lr: s.lr, momentum: s.optimizer === 'momentum' ? 0.9 : 0 };
}

/** steps per epoch at the chosen batch size (the schedules are written in epochs) */
export function stepsPerEpoch(s: FashionSettings, trainCount = s.limit || Math.round(OFFICIAL_TRAIN_ALL * (1 - validationFraction(s)))): number {
  return Math.max(1, Math.ceil(trainCount / s.batchSize));
}

export function schedulerConfig(s: FashionSettings, trainCount?: number): SchedulerConfig {
  const n = stepsPerEpoch(s, trainCount);
  if (s.schedule === 'exponential') return { type: 'exponential', decay: 0.7, stages: n };
  if (s.schedule === 'step') return { type: 'step', stepSize: 2 * n, gamma: 0.5 };
  return { type: 'constant' };
}

/** the session: 784 → hidden (ReLU) → 10 (softmax), on the flattened images */
export function fashionConfig(s: FashionSettings): SessionConfig {
  return {
    dataset: {
      name: 'fashion-mnist',
      layout: 'flat',
      validationFraction: validationFraction(s),
      ...(s.limit ? { trainLimit: s.limit } : {}),
      ...(s.evalSize ? { testLimit: s.evalSize } : {}),
    },
    model: {
      layers: [
        { type: 'fc', nOut: s.hidden, activation: 'relu' },
        { type: 'fc', nOut: 10, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: optimizerConfig(s),
      scheduler: schedulerConfig(s),
    },
    batchSize: s.batchSize,
    epochs: s.epochs,
    seed: s.seed,
    // about 40 loss reads an epoch (every 20th step of the full set; more often on a subset)
    lossEvery: Math.min(EXP.lossEvery ?? 20, Math.max(1, Math.ceil(stepsPerEpoch(s) / 40))),
  };
}

export function describeRun(s: Pick<FashionSettings, 'optimizer' | 'lr' | 'hidden' | 'schedule'>): string {
  const sched = s.schedule === 'constant' ? '' : `, ${s.schedule}`;
  return `${OPTIMIZER_LABELS[s.optimizer].replace(' with momentum 0.9', '+momentum')}, lr ${formatNumber(s.lr)}, ${s.hidden} hidden${sched}`;
}

export const useFashionTraining = createTrainingStore({
  name: 'Fashion-MNIST training',
  maxPastRuns: 3,
  describe: (c, snap) => {
    const o = c.model.optimizer;
    const optimizer: OptimizerChoice = o.type === 'adam' ? 'adam' : (o.momentum ?? 0) > 0 ? 'momentum' : 'sgd';
    const schedule = (c.model.scheduler && typeof c.model.scheduler === 'object' ? c.model.scheduler.type : 'constant') as ScheduleChoice;
    return describeRun({ optimizer, schedule, lr: snap?.lr ?? o.lr, hidden: snap?.hidden ?? FASHION_DEFAULTS.hidden });
  },
});

interface FashionSettingsState extends FashionSettings {
  set: <K extends keyof FashionSettings>(key: K, value: FashionSettings[K]) => void;
}

function check(what: string, v: unknown, lo: number, hi: number, int: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
    throw new Error(`${what} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(v)}`);
  }
}

function validate<K extends keyof FashionSettings>(key: K, v: FashionSettings[K]): void {
  switch (key) {
    case 'hidden':
      return check('the hidden size', v, LIMITS.hidden.min, LIMITS.hidden.max, true);
    case 'lr':
      return check('the learning rate', v, LIMITS.lr.min, LIMITS.lr.max, false);
    case 'batchSize':
      return check('the batch size', v, LIMITS.batchSize.min, LIMITS.batchSize.max, true);
    case 'epochs':
      return check('the number of epochs', v, LIMITS.epochs.min, LIMITS.epochs.max, true);
    case 'seed':
      return check('the seed', v, LIMITS.seed.min, LIMITS.seed.max, true);
    case 'evalSize':
      if (!(EVAL_CHOICES as readonly number[]).includes(v as number)) throw new Error(`evaluation examples must be one of ${EVAL_CHOICES.join(', ')}, got ${String(v)}`);
      return;
    case 'limit':
      if (!(LIMIT_CHOICES as readonly number[]).includes(v as number)) throw new Error(`examples per epoch must be one of ${LIMIT_CHOICES.join(', ')}, got ${String(v)}`);
      return;
    case 'optimizer':
      if (!(v === 'sgd' || v === 'momentum' || v === 'adam')) throw new Error(`optimizer must be sgd, momentum or adam, got ${String(v)}`);
      return;
    case 'schedule':
      if (!(v === 'constant' || v === 'exponential' || v === 'step')) throw new Error(`schedule must be constant, exponential or step, got ${String(v)}`);
      return;
    case 'device':
      if (v !== 'webgpu' && v !== 'cpu') throw new Error(`device must be webgpu or cpu, got ${String(v)}`);
      return;
  }
}

export const useFashionSettings = create<FashionSettingsState>()((set) => ({
  ...FASHION_DEFAULTS,
  set: (key, value) => {
    validate(key, value);
    // a new optimizer comes with a learning rate that suits it
    const patch: Partial<FashionSettings> = key === 'optimizer' ? { optimizer: value as OptimizerChoice, lr: SUGGESTED_LR[value as OptimizerChoice] } : { [key]: value };
    set(patch);
    syncUrl();
    syncFashionSession();
  },
}));

export function fashionSettings(): FashionSettings {
  const { set: _set, ...s } = useFashionSettings.getState();
  return s;
}

/** what the live session was built with (needs a new session when it differs) */
function buildKey(s: FashionSettings): string {
  return JSON.stringify([s.optimizer, s.schedule, s.limit, s.evalSize, s.seed, s.device]);
}

let sent: (Pick<FashionSettings, 'lr' | 'hidden' | 'batchSize' | 'epochs'> & { key: string }) | null = null;

/** Brings the session in line with the settings (nothing before the first Train). */
export function syncFashionSession(): void {
  const t = useFashionTraining.getState();
  const s = fashionSettings();
  if (t.phase !== 'ready' || !sent) return;
  if (sent.key !== buildKey(s)) {
    void startFashionSession();
    return;
  }
  if (sent.lr !== s.lr) void t.setLearningRate((sent.lr = s.lr));
  if (sent.hidden !== s.hidden) void t.setHiddenSize((sent.hidden = s.hidden));
  if (sent.batchSize !== s.batchSize) void t.setBatchSize((sent.batchSize = s.batchSize));
  if (sent.epochs !== s.epochs) void t.setEpochs((sent.epochs = s.epochs));
}

/** a new session from the settings: downloads the data (once per page), builds the model */
export async function startFashionSession(): Promise<void> {
  const s = fashionSettings();
  const t = useFashionTraining.getState();
  sent = null;
  await t.init(fashionConfig(s), s.device);
  if (useFashionTraining.getState().phase === 'ready') sent = { lr: s.lr, hidden: s.hidden, batchSize: s.batchSize, epochs: s.epochs, key: buildKey(s) };
  syncFashionSession();
}

/** Train: the first press starts the session (download included), then trains */
export async function trainFashion(): Promise<void> {
  const t = useFashionTraining.getState();
  if (t.phase === 'off' || t.phase === 'failed') await startFashionSession();
  const now = useFashionTraining.getState();
  if (now.phase === 'ready') await now.train();
}

// ── URL ────────────────────────────────────────────────────────────────────────

function int(raw: string | null, lo: number, hi: number): number | undefined {
  const v = parseNumber(raw, lo, hi);
  return v !== undefined && Number.isInteger(v) ? v : undefined;
}

bindUrl({
  keys: ['fashion.h', 'fashion.lr', 'fashion.bs', 'fashion.ep', 'fashion.opt', 'fashion.sched', 'fashion.seed', 'fashion.dev', 'fashion.n', 'fashion.eval'],
  read: (q) => {
    const d = FASHION_DEFAULTS;
    const opt = q.get('fashion.opt');
    const optimizer: OptimizerChoice = opt === 'sgd' || opt === 'momentum' || opt === 'adam' ? opt : d.optimizer;
    const sch = q.get('fashion.sched');
    const limit = int(q.get('fashion.n'), 0, 1e6);
    const evalSize = int(q.get('fashion.eval'), 0, 1e6);
    useFashionSettings.setState({
      hidden: int(q.get('fashion.h'), LIMITS.hidden.min, LIMITS.hidden.max) ?? d.hidden,
      // without an explicit rate, the optimizer's suggested one
      lr: parseNumber(q.get('fashion.lr'), LIMITS.lr.min, LIMITS.lr.max) ?? SUGGESTED_LR[optimizer],
      batchSize: int(q.get('fashion.bs'), LIMITS.batchSize.min, LIMITS.batchSize.max) ?? d.batchSize,
      epochs: int(q.get('fashion.ep'), LIMITS.epochs.min, LIMITS.epochs.max) ?? d.epochs,
      optimizer,
      schedule: sch === 'exponential' || sch === 'step' || sch === 'constant' ? sch : d.schedule,
      seed: int(q.get('fashion.seed'), LIMITS.seed.min, LIMITS.seed.max) ?? d.seed,
      device: q.get('fashion.dev') === 'cpu' ? 'cpu' : 'webgpu',
      limit: limit !== undefined && (LIMIT_CHOICES as readonly number[]).includes(limit) ? limit : d.limit,
      evalSize: evalSize !== undefined && (EVAL_CHOICES as readonly number[]).includes(evalSize) ? evalSize : d.evalSize,
    });
    syncFashionSession();
  },
  write: () => {
    const s = useFashionSettings.getState();
    const d = FASHION_DEFAULTS;
    return {
      'fashion.h': s.hidden === d.hidden ? null : String(s.hidden),
      'fashion.lr': s.lr === SUGGESTED_LR[s.optimizer] ? null : formatNumber(s.lr),
      'fashion.bs': s.batchSize === d.batchSize ? null : String(s.batchSize),
      'fashion.ep': s.epochs === d.epochs ? null : String(s.epochs),
      'fashion.opt': s.optimizer === d.optimizer ? null : s.optimizer,
      'fashion.sched': s.schedule === d.schedule ? null : s.schedule,
      'fashion.seed': s.seed === d.seed ? null : String(s.seed),
      'fashion.dev': s.device === d.device ? null : s.device,
      'fashion.n': s.limit === d.limit ? null : String(s.limit),
      'fashion.eval': s.evalSize === d.evalSize ? null : String(s.evalSize),
    };
  },
});
