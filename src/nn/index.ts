// The course's neural-network package, on any Backend (the float64 CPU reference or WebGPU).
//
//   import { createCpuBackend } from '../engine/cpu/reference-backend';
//   import { NeuralNetwork } from '../nn';
//   const model = new NeuralNetwork(createCpuBackend(), {
//     layers: [{ type: 'fc', nOut: 16, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }],
//     loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 1,
//   });
//   const loss = model.trainStep(x, y);   // x (m, 4), y (m, 3) one-hot tensors
//
// See docs/nn-api.md.

export { type ActivationFunction, type ActivationName, ACTIVATION_NAMES, createActivation } from './activations';
export { type ArrayInput, type HostTensor, type NestedArray, readRecord, readTensor, toFlat } from './arrays';
export { EQUATIONS } from './equations';
export type { ModelListener, ModelPhase, ModelScope } from './events';
export { INIT_NAMES, type InitName, initWeights, layerSeed } from './init';
export {
  type BackwardOptions,
  Conv2D,
  type Conv2DConfig,
  createLayer,
  Flatten,
  type FlattenConfig,
  FullyConnected,
  type FullyConnectedConfig,
  Layer,
  type LayerConfig,
  type LayerOptions,
  type LayerType,
  LAYER_TYPES,
  normalizeLayerConfig,
  type NormalizedLayerConfig,
  Pool2D,
  type Pool2DConfig,
  POOL_MODES,
  type PoolMode,
} from './layers';
export {
  BinaryCrossEntropy,
  createLoss,
  CrossEntropy,
  type Loss,
  type LossConfig,
  type LossName,
  LOSS_NAMES,
  MeanSquaredError,
  type ModelLoss,
  normalizeLossConfig,
  SoftmaxCrossEntropy,
} from './losses';
export {
  type Evaluation,
  type ModelBackwardOptions,
  type ModelConfig,
  type ModelOptions,
  NeuralNetwork,
  normalizeModelConfig,
  type NormalizedModelConfig,
} from './model';
export {
  Adam,
  type AdamConfig,
  createOptimizer,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerName,
  OPTIMIZER_NAMES,
  type ParamSlot,
  SGD,
  type SgdConfig,
} from './optimizers';
export { createScheduler, type Scheduler, type SchedulerConfig, type SchedulerName, SCHEDULER_NAMES } from './schedulers';
export { checkModelFile, type ModelFile, MODEL_FORMAT, MODEL_FORMAT_VERSION, type SavedTensor } from './serialize';

import type { Backend } from '../engine/backend';
import { type ModelConfig, NeuralNetwork } from './model';

/** a model from its configuration (same as new NeuralNetwork(backend, config)) */
export function createModel(backend: Backend, config: ModelConfig): NeuralNetwork {
  return new NeuralNetwork(backend, config);
}

/** a model with the configuration and parameters of a saved file (object or JSON text) */
export function loadModel(backend: Backend, file: unknown): NeuralNetwork {
  return NeuralNetwork.load(backend, file);
}
