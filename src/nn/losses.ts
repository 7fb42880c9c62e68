// Losses over a batch of m rows; ŷ and y are (m, k), y one-hot for classification.
//
//   CrossEntropy      L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik      dL/dŷ = −y / (m·ŷ)
//     on probabilities ŷ (dL/dŷ = 0 where y = 0; where a target's ŷ has underflowed below
//     the smallest normal number, L = +∞ and ŷ is clamped in dL/dŷ, so no NaN reaches the
//     parameters: see Backend.crossEntropyBackward). When the last activation is softmax the model fuses the two:
//     L from the logits Z by log-sum-exp, and dL/dZ = (ŷ − y)/m, which is exactly
//     softmax-backward ∘ CE-backward without the fragile division by ŷ.
//     `fused: false` keeps the two steps apart (the course teaches both; they agree).
//   SoftmaxCrossEntropy  the fused pair on its own, for a layer's logits Z: forward(Z, y)
//     gives L, backward() gives dL/dZ = (softmax(Z) − y)/m.
//   BinaryCrossEntropy  L = −(1/m) Σ_i Σ_j [y_ij · ln ŷ_ij + (1 − y_ij) · ln(1 − ŷ_ij)]
//     for sigmoid outputs (each column its own yes/no);
//     dL/dŷ = −(1/m) [y/ŷ − (1 − y)/(1 − ŷ)]. Made of the cross-entropy ops:
//     L = CE(ŷ, y) + CE(1 − ŷ, 1 − y), dL/dŷ = CE'(ŷ, y) − CE'(1 − ŷ, 1 − y).
//   MeanSquaredError  L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²      dL/dŷ = (ŷ − y)/m
//
// forward returns a (1) tensor that belongs to the caller; nothing is read back.

import type { Backend, Tensor } from '../engine/backend';
import { sameShape, sizeOf } from '../engine/geometry';
import { checkKeys, checkName } from './names';

export type LossName = 'cross_entropy' | 'binary_cross_entropy' | 'mse';
export const LOSS_NAMES: readonly LossName[] = ['cross_entropy', 'binary_cross_entropy', 'mse'];

export type LossConfig =
  | LossName
  | { type: 'cross_entropy'; /** default true: fuse with a final softmax */ fused?: boolean }
  | { type: 'binary_cross_entropy' }
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
  if (type !== 'cross_entropy') {
    checkKeys(`loss ${type}`, c, ['type', 'fused']);
    if (c.fused === true) throw new Error(`loss ${type}: 'fused' applies to cross_entropy after softmax only`);
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
  /** frees what the loss holds (a gradient no backward took, constants) */
  dispose(): void;
}

abstract class LossBase implements Loss {
  abstract readonly name: LossName;
  protected yhat: Tensor | null = null;
  protected y: Tensor | null = null;
  constructor(readonly backend: Backend) {}
  abstract forward(yhat: Tensor, y: Tensor): Tensor;
  abstract backward(): Tensor;
  dispose(): void {}
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

  override dispose(): void {
    this.discardGradient();
  }
}

/**
 * The fused softmax–cross-entropy on a layer's logits, one call each way, no model needed:
 *
 *   const fc = new FullyConnected(backend, { nOut: 3 });   // linear: Z = X·W + 1b
 *   const sce = new SoftmaxCrossEntropy(backend);
 *   const loss = sce.forward(fc.forward(x), y);            // L (1), from Z by log-sum-exp
 *   const dX = fc.backward(sce.backward());                // dL/dZ = (softmax(Z) − y)/m
 *
 * `probs` is softmax(Z) of the last forward (it belongs to this object). Lean (default
 * true) computes dL/dZ in the forward's kernel; false runs the backward kernel for it.
 */
export class SoftmaxCrossEntropy {
  readonly name = 'softmax_cross_entropy' as const;
  private readonly ce: CrossEntropy;
  private _probs: Tensor | null = null;
  private readonly lean: boolean;

  constructor(
    readonly backend: Backend,
    opts: { lean?: boolean } = {},
  ) {
    this.ce = new CrossEntropy(backend);
    this.lean = opts.lean ?? true;
  }

  /** L = −(1/m) Σ y·ln softmax(Z) for logits Z (m, k) and targets y (m, k); a (1) tensor for the caller */
  forward(z: Tensor, y: Tensor): Tensor {
    this.backend.dispose(this._probs);
    const { loss, probs } = this.ce.forwardLogits(z, y, this.lean);
    this._probs = probs;
    return loss;
  }

  /** dL/dZ = (softmax(Z) − y)/m (m, k) for the last forward; belongs to the caller */
  backward(): Tensor {
    if (!this._probs) throw new Error('softmax_cross_entropy: backward needs forward(logits, y) first');
    return this.ce.backwardLogits();
  }

  /** softmax(Z) of the last forward */
  get probs(): Tensor {
    if (!this._probs) throw new Error('softmax_cross_entropy: no probabilities before forward(logits, y)');
    return this._probs;
  }

  dispose(): void {
    this.ce.dispose();
    this.backend.dispose(this._probs);
    this._probs = null;
  }
}

export class BinaryCrossEntropy extends LossBase {
  readonly name = 'binary_cross_entropy' as const;
  /** a tensor of ones of the last shape seen, for 1 − t */
  private ones: Tensor | null = null;

  /** 1 − t, a new tensor */
  private complement(t: Tensor): Tensor {
    if (!this.ones || !sameShape(this.ones.shape, t.shape)) {
      this.backend.dispose(this.ones);
      this.ones = this.backend.fromArray(new Float64Array(sizeOf(t.shape)).fill(1), t.shape, 'ones');
    }
    return this.backend.axpby(1, this.ones, -1, t);
  }

  /** L = CE(ŷ, y) + CE(1 − ŷ, 1 − y): the terms with y = 1 and those with y = 0 */
  forward(yhat: Tensor, y: Tensor): Tensor {
    this.yhat = yhat;
    this.y = y;
    const b = this.backend;
    const pos = b.crossEntropy(yhat, y);
    const [u, t] = [this.complement(yhat), this.complement(y)];
    const neg = b.crossEntropy(u, t);
    const loss = b.axpby(1, pos, 1, neg);
    b.dispose(pos, neg, u, t);
    return loss;
  }

  /** dL/dŷ = −(1/m) [y/ŷ − (1 − y)/(1 − ŷ)] = CE'(ŷ, y) − CE'(1 − ŷ, 1 − y) */
  backward(): Tensor {
    const [yhat, y] = this.inputs();
    const b = this.backend;
    const pos = b.crossEntropyBackward(yhat, y);
    const [u, t] = [this.complement(yhat), this.complement(y)];
    const neg = b.crossEntropyBackward(u, t);
    const grad = b.axpby(1, pos, -1, neg);
    b.dispose(pos, neg, u, t);
    return grad;
  }

  override dispose(): void {
    this.backend.dispose(this.ones);
    this.ones = null;
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

export type ModelLoss = CrossEntropy | BinaryCrossEntropy | MeanSquaredError;

/** a loss by name: 'cross_entropy', 'binary_cross_entropy' or 'mse' */
export function createLoss(backend: Backend, name: string): ModelLoss {
  switch (checkName('loss', name, LOSS_NAMES)) {
    case 'mse':
      return new MeanSquaredError(backend);
    case 'binary_cross_entropy':
      return new BinaryCrossEntropy(backend);
    default:
      return new CrossEntropy(backend);
  }
}
