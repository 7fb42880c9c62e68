// The course's reference experiments, as session configurations: the Node script
// (scripts/train.ts) runs them and docs/results.md records what they measured; the
// notebook can offer them as presets.
//
//   iris           one hidden layer; sweep 3 learning rates × 3 hidden sizes on 10
//                  seeded stratified 80/20 splits (seeds 1–10, standardized); the best
//                  cell's mean test accuracy over the splits ≥ 0.97
//   mnist-lenet    LeNet-style CNN; validation accuracy ≥ 0.97 after one epoch
//   fashion-mlp    MLP; validation accuracy ≥ 0.85 within 8 epochs
//   mnist-sigmoid  784-32-32-10 sigmoid MLP, per-sample SGD (batch 1) at lr 0.003,
//                  weights N(0, 1/max(n_in, n_out)); test accuracy ≥ 0.70 after 3 epochs

import type { SessionConfig } from './protocol';

export type ExperimentName = 'iris' | 'mnist-lenet' | 'fashion-mlp' | 'mnist-sigmoid';

export interface Experiment {
  name: ExperimentName;
  title: string;
  config: SessionConfig;
  /** a learning-rate × hidden-size grid over config (iris) */
  sweep?: { learningRates: number[]; hiddenSizes: number[] };
  /**
   * the sweep is repeated on this many splits, seeds config.seed, config.seed + 1, …, and
   * each cell judged by its mean accuracy over them (a 30-flower test set moves in steps of
   * 1/30: one split alone says little about a cell)
   */
  splits?: number;
  /** what is judged: the final test accuracy, or the validation accuracy after some epoch */
  metric: 'test accuracy' | 'validation accuracy';
  target: number;
  /** the target must hold after this many epochs at most */
  withinEpochs: number;
  /** the faster backend on the 2-core development machine (SwiftShader as its only adapter); see docs/results.md */
  defaultBackend: 'cpu' | 'webgpu';
}

const softmaxOut = { type: 'fc', nOut: 10, activation: 'softmax' } as const;

export const EXPERIMENTS: Readonly<Record<ExperimentName, Experiment>> = {
  iris: {
    name: 'iris',
    title: 'Iris: one hidden layer, learning rate × hidden size sweep',
    config: {
      dataset: { name: 'iris', standardize: true, testFraction: 0.2 },
      model: {
        layers: [
          { type: 'fc', nOut: 8, activation: 'relu' },
          { type: 'fc', nOut: 3, activation: 'softmax' },
        ],
        loss: 'cross_entropy',
        optimizer: { type: 'sgd', lr: 0.1 },
      },
      batchSize: 8,
      epochs: 100,
      seed: 1,
      lossEvery: 1,
    },
    sweep: { learningRates: [0.01, 0.05, 0.2], hiddenSizes: [4, 8, 16] },
    splits: 10,
    metric: 'test accuracy',
    target: 0.97,
    withinEpochs: 100,
    defaultBackend: 'cpu',
  },
  'mnist-lenet': {
    name: 'mnist-lenet',
    title: 'MNIST: LeNet-style CNN',
    config: {
      dataset: { name: 'mnist', layout: 'image', validationFraction: 1 / 12 },
      model: {
        layers: [
          { type: 'conv2d', nOut: 6, kernel: 5, pad: 'same', activation: 'relu' },
          { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
          { type: 'conv2d', nOut: 16, kernel: 5, pad: 'valid', activation: 'relu' },
          { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
          { type: 'flatten' },
          { type: 'fc', nOut: 120, activation: 'relu' },
          { type: 'fc', nOut: 84, activation: 'relu' },
          softmaxOut,
        ],
        loss: 'cross_entropy',
        optimizer: { type: 'adam', lr: 0.001 },
      },
      batchSize: 64,
      epochs: 1,
      seed: 1,
      lossEvery: 20,
    },
    metric: 'validation accuracy',
    target: 0.97,
    withinEpochs: 1,
    defaultBackend: 'cpu',
  },
  'fashion-mlp': {
    name: 'fashion-mlp',
    title: 'Fashion-MNIST: MLP 784-128-10',
    config: {
      dataset: { name: 'fashion-mnist', layout: 'flat', validationFraction: 1 / 12 },
      model: {
        layers: [{ type: 'fc', nOut: 128, activation: 'relu' }, softmaxOut],
        loss: 'cross_entropy',
        optimizer: { type: 'adam', lr: 0.001 },
      },
      batchSize: 64,
      epochs: 8,
      seed: 1,
      lossEvery: 20,
    },
    metric: 'validation accuracy',
    target: 0.85,
    withinEpochs: 8,
    defaultBackend: 'cpu',
  },
  'mnist-sigmoid': {
    name: 'mnist-sigmoid',
    title: 'MNIST: 784-32-32-10 sigmoid MLP, per-sample SGD',
    config: {
      dataset: { name: 'mnist', layout: 'flat' },
      model: {
        layers: [
          { type: 'fc', nOut: 32, activation: 'sigmoid', init: 'normal' },
          { type: 'fc', nOut: 32, activation: 'sigmoid', init: 'normal' },
          { ...softmaxOut, init: 'normal' },
        ],
        loss: 'cross_entropy',
        optimizer: { type: 'sgd', lr: 0.003 },
      },
      batchSize: 1,
      epochs: 3,
      seed: 1,
      lossEvery: 200,
    },
    metric: 'test accuracy',
    target: 0.7,
    withinEpochs: 3,
    defaultBackend: 'cpu',
  },
};

export const EXPERIMENT_NAMES = Object.keys(EXPERIMENTS) as ExperimentName[];
