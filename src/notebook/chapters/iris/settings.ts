// Chapter 3's state: the hyperparameters the reader sets (kept in the URL), the training
// session of cell 3.2 and the sweep of cell 3.3 (each its own worker).
//
// URL keys: iris.lr, iris.h, iris.bs, iris.ep, iris.seed, iris.dev (webgpu | cpu),
// iris.pace (steps per second, 0 = full speed), iris.slr and iris.sh (the sweep's lists),
// iris.sep (epochs per sweep run).
//
// The settings are what the reader asked for; the session follows them: a change of the
// learning rate, hidden size, batch size or epochs is sent to the running session (it
// takes effect at the next step and is marked on the chart); a new seed or device builds
// a new session.

import { createSweepStore } from '../../../store/sweep';
import { defineSettings, followSettings, list, num, oneOf } from '../../../store/settings';
import { createTrainingStore } from '../../../store/training';
import { EXPERIMENTS } from '../../../train/experiments';
import type { SessionConfig, SweepSpec } from '../../../train/protocol';

export type Device = 'webgpu' | 'cpu';

export const PACES = [0, 1000, 200, 50, 10] as const;

const lr = { label: 'a learning rate', min: 0, max: 1000 };
const hidden = { label: 'a hidden size', min: 1, max: 512, int: true };
const LIST_LENGTH = 6;

const settings = defineSettings({
  prefix: 'iris',
  fields: {
    lr: num('the learning rate', { ...lr, default: 0.1, url: 'lr', change: 'live' }),
    hidden: num('the hidden size', { ...hidden, default: 8, url: 'h', change: 'live' }),
    batchSize: num('the batch size', { min: 1, max: 120, int: true, default: 8, url: 'bs', change: 'live' }),
    epochs: num('the number of epochs', { min: 1, max: 20000, int: true, default: 200, url: 'ep', change: 'live' }),
    // the first of the course experiment's ten splits (npm run train -- iris)
    seed: num('the seed', { min: 0, max: 2 ** 31 - 1, int: true, default: EXPERIMENTS.iris.config.seed, url: 'seed', change: 'rebuild' }),
    device: oneOf<Device>('device', ['webgpu', 'cpu'], { default: 'webgpu', url: 'dev', change: 'rebuild' }),
    /** steps per second; 0 = as fast as the device goes (the session's pace, not its model) */
    pace: oneOf<number>('speed', PACES, { unit: 'steps per second', default: 200, url: 'pace', change: 'none' }),
    sweepLrs: list('a sweep list', lr, { maxLength: LIST_LENGTH, default: EXPERIMENTS.iris.sweep!.learningRates, url: 'slr', change: 'none' }),
    sweepHidden: list('a sweep list', hidden, { maxLength: LIST_LENGTH, default: EXPERIMENTS.iris.sweep!.hiddenSizes, url: 'sh', change: 'none' }),
    sweepEpochs: num('epochs per run', { min: 1, max: 2000, int: true, default: EXPERIMENTS.iris.withinEpochs, url: 'sep', change: 'none' }),
  },
});

/** the schema (for the controls made from it) */
export const IRIS_SETTINGS = settings;
export type IrisSettings = typeof settings.defaults;
export const useIrisSettings = settings.use;
export const irisSettings = settings.values;

/** share of the flowers held out for the test (the course's 80/20 split) */
export const TEST_FRACTION = EXPERIMENTS.iris.config.dataset.testFraction ?? 0.2;
/** share of the training flowers held out for validation in cell 3.2 */
export const VALIDATION_FRACTION = 0.2;

/** the session of cell 3.2: 4 → hidden (ReLU) → 3 (softmax), SGD, standardized features */
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

/** share of the training flowers the sweep holds out to pick by (24 of 120) */
export const SWEEP_VALIDATION_FRACTION = 0.2;

/**
 * The sweep of cell 3.4: the course's experiment at the page's seed, with a validation
 * split held out of the training flowers (seeded, stratified) that picks the best run;
 * the test flowers only report.
 */
export function irisSweepSpec(s: IrisSettings): SweepSpec {
  const base = EXPERIMENTS.iris.config;
  return {
    // every step's loss read back, so each epoch's mean training loss is over all its batches
    base: { ...base, dataset: { ...base.dataset, validationFraction: SWEEP_VALIDATION_FRACTION }, seed: s.seed, epochs: s.sweepEpochs, lossEvery: 1 },
    learningRates: s.sweepLrs,
    hiddenSizes: s.sweepHidden,
    rankBy: 'validation',
  };
}

// ── the stores ─────────────────────────────────────────────────────────────────

export const useIrisTraining = createTrainingStore({
  name: 'Iris training',
  describe: (c, snap) => `lr ${snap?.lr ?? c.model.optimizer.lr}, ${snap?.hidden ?? '?'} hidden`,
});

export const useIrisSweep = createSweepStore({ name: 'Iris sweep' });

const session = followSettings(settings, useIrisTraining, irisConfig, { beforeStart: (s, t) => t.setPace(s.pace) });
// the pace goes to the session as it is (on load, on its change and on back/forward)
const followPace = () => useIrisTraining.getState().setPace(irisSettings().pace);
settings.onChange((key) => (key === 'pace' || key === null) && followPace());
followPace();

/** a new session from the settings (loads Iris in the worker, builds the model) */
export const startIrisSession = session.start;
/** brings the session in line with the settings (called on every settings change) */
export const syncIrisSession = session.sync;
/** a finished run continued at the settings' learning rate */
export const continueIrisRun = session.continueRun;
