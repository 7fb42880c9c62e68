// A session's device-loss checkpoint: the parameters copied to the host (the parameter
// arena of a lean model, P floats; otherwise each layer's parameters by key) and written
// back into a new model of the same configuration on a new device.

import type { Backend } from '../engine/backend';
import type { NeuralNetwork } from '../nn/model';
import type { SessionCheckpoint } from './session-config';

/** reads the model's parameters back (recorded now, so before the next step's update) */
export function readCheckpointParameters(backend: Backend, model: NeuralNetwork): Promise<SessionCheckpoint['params']> {
  const arena = model.arena;
  return arena ? backend.read(arena.params) : model.readParameters();
}

/** writes a checkpoint's parameters into a model of the same configuration and layout */
export function writeCheckpointParameters(backend: Backend, model: NeuralNetwork, params: SessionCheckpoint['params']): void {
  const arena = model.arena;
  if (arena && !Array.isArray(params)) backend.write(arena.params, params as ArrayLike<number>);
  else if (!arena && Array.isArray(params)) model.setParameters(params.map((l) => Object.fromEntries(Object.entries(l).map(([key, t]) => [key, t.data]))));
  else throw new Error('session: the checkpoint holds parameters of another layout');
}
