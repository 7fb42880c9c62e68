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

import { defineSettings, followSettings, num, oneOf } from '../../../store/settings';
import { createTrainingStore } from '../../../store/training';
import { formatNumber } from '../../../store/url';
import { EXPERIMENTS } from '../../../train/experiments';
import type { OptimizerConfig } from '../../../nn/optimizers';
import type { SchedulerConfig } from '../../../nn/schedulers';
import type { SessionConfig } from '../../../train/protocol';

export type Device = 'webgpu' | 'cpu';
export type OptimizerChoice = 'sgd' | 'momentum' | 'adam';
export type ScheduleChoice = 'constant' | 'exponential' | 'step';

const EXP = EXPERIMENTS['fashion-mlp'].config;

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

const settings = defineSettings({
  prefix: 'fashion',
  fields: {
    hidden: num('the hidden size', { min: 1, max: 1024, int: true, default: 128, url: 'h', change: 'live' }),
    // without an explicit rate, the optimizer's suggested one
    lr: num('the learning rate', { min: 0, max: 100, default: (s) => SUGGESTED_LR[s.optimizer as OptimizerChoice], url: 'lr', change: 'live' }),
    batchSize: num('the batch size', { min: 1, max: 4096, int: true, default: EXP.batchSize, url: 'bs', change: 'live' }),
    epochs: num('the number of epochs', { min: 1, max: 200, int: true, default: EXP.epochs, url: 'ep', change: 'live' }),
    optimizer: oneOf<OptimizerChoice>('optimizer', ['sgd', 'momentum', 'adam'], { default: 'adam', url: 'opt', change: 'rebuild' }),
    schedule: oneOf<ScheduleChoice>('schedule', ['constant', 'exponential', 'step'], { default: 'constant', url: 'sched', change: 'rebuild' }),
    seed: num('the seed', { min: 0, max: 2 ** 31 - 1, int: true, default: EXP.seed, url: 'seed', change: 'rebuild' }),
    device: oneOf<Device>('device', ['webgpu', 'cpu'], { default: 'webgpu', url: 'dev', change: 'rebuild' }),
    /** training examples per epoch (the first n of the training part); 0 = all */
    limit: oneOf<number>('examples per epoch', LIMIT_CHOICES, { default: 0, url: 'n', change: 'rebuild' }),
    /** about this many validation and this many test examples per evaluation; 0 = all (5000 and 10 000) */
    evalSize: oneOf<number>('evaluation examples', EVAL_CHOICES, { default: 0, url: 'eval', change: 'rebuild' }),
  },
  // a new optimizer comes with a learning rate that suits it
  implies: (key, value) => (key === 'optimizer' ? { lr: SUGGESTED_LR[value as OptimizerChoice] } : {}),
});

/** the schema (for the controls made from it) */
export const FASHION_SETTINGS = settings;
export type FashionSettings = typeof settings.defaults;
export const useFashionSettings = settings.use;
export const fashionSettings = settings.values;

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
    return describeRun({ optimizer, schedule, lr: snap?.lr ?? o.lr, hidden: snap?.hidden ?? settings.defaults.hidden });
  },
});

const session = followSettings(settings, useFashionTraining, (s) => fashionConfig(s));

/** a new session from the settings: downloads the data (once per page), builds the model */
export const startFashionSession = session.start;
/** brings the session in line with the settings (nothing before the first Train) */
export const syncFashionSession = session.sync;
/** a finished run continued at the settings' learning rate */
export const continueFashionRun = session.continueRun;

/** Train: the first press starts the session (download included), then trains */
export async function trainFashion(): Promise<void> {
  const t = useFashionTraining.getState();
  if (t.phase === 'off' || t.phase === 'failed') await startFashionSession();
  const now = useFashionTraining.getState();
  if (now.phase === 'ready') await now.train();
}
