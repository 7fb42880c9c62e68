// A model's configuration: layers, loss, optimizer, scheduler and seed, checked and
// filled with defaults before anything is built (unknown keys and names refused, the loss
// matched to the last layer's activation).

import type { LayerConfig, NormalizedLayerConfig } from './layers';
import { normalizeLayerConfig } from './layers';
import { type LossConfig, normalizeLossConfig, type NormalizedLossConfig } from './losses';
import { checkKeys } from './names';
import { type NormalizedOptimizerConfig, normalizeOptimizerConfig, type OptimizerConfig } from './optimizers';
import { type NormalizedSchedulerConfig, normalizeSchedulerConfig, type SchedulerConfig } from './schedulers';

export interface ModelConfig {
  layers: LayerConfig[];
  /** 'cross_entropy' | 'binary_cross_entropy' | 'mse' | { type: 'cross_entropy', fused: false } */
  loss: LossConfig;
  optimizer: OptimizerConfig;
  /** default { type: 'constant' } */
  scheduler?: SchedulerConfig;
  /** seeds every initializer; default 0 */
  seed?: number;
}

export interface NormalizedModelConfig {
  layers: NormalizedLayerConfig[];
  loss: NormalizedLossConfig;
  optimizer: NormalizedOptimizerConfig;
  scheduler: NormalizedSchedulerConfig;
  seed: number;
}

export interface ModelOptions {
  /**
   * default true, as for a standalone layer (LayerOptions.lean): parameters in arenas,
   * one-dispatch optimizer, fused loss and activation derivatives, [dW; db] in one pass,
   * implicit-GEMM convolution. false: every op as the course writes it (im2col
   * convolution, separate activation backward, dW and db apart, one update per
   * parameter) — the path the notebook steps through. Both compute the same.
   */
  lean?: boolean;
}

export interface Evaluation {
  /** mean loss over the batch */
  loss: number;
  /** rows whose arg-max matches the label's (one-of-k classification; null with a single output column or binary cross-entropy) */
  correct: number | null;
  /** correct / count, or null */
  accuracy: number | null;
  /** rows in the batch */
  count: number;
}

/**
 * The loss must fit the output: cross_entropy takes a softmax's probabilities (one class
 * of k); binary_cross_entropy a sigmoid's (each output its own yes/no). Cross-entropy
 * after a sigmoid is refused: it would compute −(1/m) Σ y·ln ŷ without the
 * (1 − y)·ln(1 − ŷ) term.
 */
function checkLossFits(layers: NormalizedLayerConfig[], loss: NormalizedLossConfig): void {
  const i = layers.length - 1;
  const last = layers[i]!;
  const act = last.type === 'fc' || last.type === 'conv2d' ? last.activation : null;
  const what = `layer ${i} is ${last.type}${act ? ` with ${act}` : ''}`;
  if (loss.type === 'cross_entropy' && act === 'sigmoid') {
    throw new Error(
      `model: cross_entropy after a sigmoid output would leave out the (1 − y)·ln(1 − ŷ) term; ` +
        `use loss 'binary_cross_entropy' for sigmoid outputs (or a softmax output for one class of k)`,
    );
  }
  if (loss.type === 'cross_entropy' && act !== 'softmax') {
    throw new Error(`model: cross_entropy takes probabilities, so the last layer must be fc with a softmax activation; ${what}`);
  }
  if (loss.type === 'binary_cross_entropy' && act !== 'sigmoid') {
    throw new Error(`model: binary_cross_entropy takes one probability per output, so the last layer must have a sigmoid activation; ${what}`);
  }
}

export function normalizeModelConfig(config: unknown): NormalizedModelConfig {
  if (typeof config !== 'object' || config === null) throw new Error(`model: expected a configuration object, got ${JSON.stringify(config)}`);
  const c = config as Record<string, unknown>;
  checkKeys('model', c, ['layers', 'loss', 'optimizer', 'scheduler', 'seed']);
  if (!Array.isArray(c.layers) || c.layers.length === 0) throw new Error('model: layers must be a non-empty array of layer configurations');
  const layers = c.layers.map((l, i) => normalizeLayerConfig(l, `layer ${i}`));
  const loss = normalizeLossConfig(c.loss);
  const seed = c.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`model: seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`);
  }
  checkLossFits(layers, loss);
  return { layers, loss, optimizer: normalizeOptimizerConfig(c.optimizer), scheduler: normalizeSchedulerConfig(c.scheduler), seed };
}
