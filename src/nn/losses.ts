// Losses over a batch of m rows; ŷ and y are (m, k), y one-hot for classification.
//
//   CrossEntropy      L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik      dL/dŷ = −y / (m·ŷ)
//     on probabilities ŷ (dL/dŷ = 0 where y = 0; where a target's ŷ has underflowed below
//     the smallest normal number, L = +∞ and ŷ is clamped in dL/dŷ, so no NaN reaches the
//     parameters: see Backend.crossEntropyBackward). When the last activation is softmax the model fuses the two:
//     L from the logits Z by log-sum-exp, and dL/dZ = (ŷ − y)/m, which is exactly
//     softmax-backward ∘ CE-backward without the fragile division by ŷ.
//     `fused: false` keeps the two steps apart (the course teaches both; they agree).
//   MeanSquaredError  L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²      dL/dŷ = (ŷ − y)/m
//
// forward returns a (1) tensor that belongs to the caller; nothing is read back.

import type { Backend, Tensor } from '../engine/backend';
import { checkKeys, checkName } from './names';

export type LossName = 'cross_entropy' | 'mse';
export const LOSS_NAMES: readonly LossName[] = ['cross_entropy', 'mse'];

export type LossConfig =
  | LossName
  | { type: 'cross_entropy'; /** default true: fuse with a final softmax */ fused?: boolean }
  | { type: 'mse' };

export interface NormalizedLossConfig {
  type: LossName;
  fused: boolean;
}

export function normalizeLossConfig(config: unknown): NormalizedLossConfig {
  if (typeof config === 'string') return { type: checkName('loss', config, LOSS_NAMES), fused: config === 'cross_entropy' };
  if (typeof config !== 'object' || config === null) {
    throw new Error(`loss: expected a name (${LOSS_NAMES.join(', ')}) or { type, … }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = checkName('loss', c.type, LOSS_NAMES);
  if (type === 'mse') {
    checkKeys('loss mse', c, ['type', 'fused']);
    if (c.fused === true) throw new Error("loss mse: 'fused' applies to cross_entropy after softmax only");
    return { type, fused: false };
  }
  checkKeys('loss cross_entropy', c, ['type', 'fused']);
  if (c.fused !== undefined && typeof c.fused !== 'boolean') throw new Error(`loss cross_entropy: fused must be true or false, got ${JSON.stringify(c.fused)}`);
  return { type, fused: c.fused ?? true };
}

export interface Loss {
  readonly name: LossName;
  /** L as a (1) tensor; keeps references to ŷ and y for backward */
  forward(yhat: Tensor, y: Tensor): Tensor;
  /** dL/dŷ (m, k) for the last forward's ŷ and y; belongs to the caller */
  backward(): Tensor;
}

abstract class LossBase implements Loss {
  abstract readonly name: LossName;
  protected yhat: Tensor | null = null;
  protected y: Tensor | null = null;
  constructor(readonly backend: Backend) {}
  abstract forward(yhat: Tensor, y: Tensor): Tensor;
  abstract backward(): Tensor;
  protected inputs(): [Tensor, Tensor] {
    if (!this.yhat || !this.y) throw new Error(`${this.name}: backward needs a forward first`);
    return [this.yhat, this.y];
  }
}

export class CrossEntropy extends LossBase {
  readonly name = 'cross_entropy' as const;
  private probs: Tensor | null = null;
  /** dL/dZ computed by the forward (lean: one kernel for both), handed out by backwardLogits */
  private dz: Tensor | null = null;

  forward(yhat: Tensor, y: Tensor): Tensor {
    this.yhat = yhat;
    this.y = y;
    this.probs = null;
    return this.backend.crossEntropy(yhat, y);
  }

  /** dL/dŷ = −y/(m·ŷ): the unfused path, to be followed by the softmax backward */
  backward(): Tensor {
    const [yhat, y] = this.inputs();
    return this.backend.crossEntropyBackward(yhat, y);
  }

  /**
   * Fused softmax–cross-entropy on logits Z (m, k): loss (1) and probs = softmax(Z) (m, k),
   * both for the caller to keep or free. With grad, the same kernel also computes
   * dL/dZ = (probs − y)/m, which the next backwardLogits hands out.
   */
  forwardLogits(z: Tensor, y: Tensor, grad = false): { loss: Tensor; probs: Tensor } {
    this.backend.dispose(this.dz);
    const r = this.backend.softmaxCrossEntropy(z, y, { grad });
    this.yhat = null;
    this.probs = r.probs;
    this.y = y;
    this.dz = r.dz ?? null;
    return { loss: r.loss, probs: r.probs };
  }

  /** dL/dZ = (probs − y)/m after forwardLogits (belongs to the caller) */
  backwardLogits(): Tensor {
    if (this.dz) {
      const dz = this.dz;
      this.dz = null;
      return dz;
    }
    if (!this.probs || !this.y) throw new Error('cross_entropy: backwardLogits needs forwardLogits first');
    return this.backend.softmaxCrossEntropyBackward(this.probs, this.y);
  }

  /** frees a dL/dZ computed by the forward and not taken (an evaluation's) */
  discardGradient(): void {
    this.backend.dispose(this.dz);
    this.dz = null;
  }
}

export class MeanSquaredError extends LossBase {
  readonly name = 'mse' as const;
  forward(yhat: Tensor, y: Tensor): Tensor {
    this.yhat = yhat;
    this.y = y;
    return this.backend.mse(yhat, y);
  }
  backward(): Tensor {
    const [yhat, y] = this.inputs();
    return this.backend.mseBackward(yhat, y);
  }
}

/** a loss by name: 'cross_entropy' or 'mse' */
export function createLoss(backend: Backend, name: string): CrossEntropy | MeanSquaredError {
  return checkName('loss', name, LOSS_NAMES) === 'mse' ? new MeanSquaredError(backend) : new CrossEntropy(backend);
}
