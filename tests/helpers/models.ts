// The nn package's test models: a small MLP and a small CNN (configurations), and a tensor
// read back as plain numbers.

import type { Backend, Tensor } from '../../src/engine/backend';
import { createCpuBackend } from '../../src/engine/cpu/reference-backend';
import type { ModelConfig } from '../../src/nn';

export const cpu = createCpuBackend();

export async function host(t: Tensor, backend: Backend = cpu): Promise<number[]> {
  return Array.from(await backend.read(t));
}

/** 4 → 8 (tanh) → 3 (softmax), SGD with momentum */
export const MLP: ModelConfig = {
  layers: [
    { type: 'fc', nOut: 8, activation: 'tanh' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5, momentum: 0.9 },
  seed: 7,
};

/** conv 4×(3×3) 'same' relu → max pool 2×2 → flatten → 3 (softmax), Adam with a step schedule */
export const CNN: ModelConfig = {
  layers: [
    { type: 'conv2d', nOut: 4, kernel: 3, stride: 1, pad: 'same', activation: 'relu' },
    { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.01 },
  scheduler: { type: 'step', stepSize: 5, gamma: 0.5 },
  seed: 3,
};
