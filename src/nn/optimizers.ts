// Optimizers update parameters in place from their gradients; the state each keeps
// (velocity, Adam moments) lives on the backend next to the parameter.
//
//   SGD   v ← μ·v − lr·g;  p ← p + v          (μ = 0: p ← p − lr·g, no velocity kept)
//   Adam  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//         p ← p − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t),  t = 1, 2, …
//
// `lr` is a plain field: change it between steps and the next step uses it. A scheduler,
// if any, scales it (see schedulers.ts); the model passes the scheduled rate to update().

import type { Backend, Tensor } from '../engine/backend';
import { checkKeys, checkName, checkNumber } from './names';

export type OptimizerName = 'sgd' | 'adam';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam'];

export interface SgdConfig {
  type: 'sgd';
  lr: number;
  /** default 0 */
  momentum?: number;
}
export interface AdamConfig {
  type: 'adam';
  lr: number;
  /** defaults 0.9, 0.999, 1e-8 */
  beta1?: number;
  beta2?: number;
  eps?: number;
}
export type OptimizerConfig = SgdConfig | AdamConfig;
export type NormalizedOptimizerConfig = Required<SgdConfig> | Required<AdamConfig>;

export function normalizeOptimizerConfig(config: unknown): NormalizedOptimizerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new Error(`optimizer: expected { type: ${OPTIMIZER_NAMES.join(' | ')}, lr, … }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = checkName('optimizer', c.type, OPTIMIZER_NAMES);
  const lr = checkNumber(`optimizer ${type}`, 'lr', c.lr, 0);
  if (type === 'sgd') {
    checkKeys('optimizer sgd', c, ['type', 'lr', 'momentum']);
    return { type, lr, momentum: checkNumber('optimizer sgd', 'momentum', c.momentum ?? 0, 0, 1) };
  }
  checkKeys('optimizer adam', c, ['type', 'lr', 'beta1', 'beta2', 'eps']);
  return {
    type,
    lr,
    beta1: checkNumber('optimizer adam', 'beta1', c.beta1 ?? 0.9, 0, 1),
    beta2: checkNumber('optimizer adam', 'beta2', c.beta2 ?? 0.999, 0, 1),
    eps: checkNumber('optimizer adam', 'eps', c.eps ?? 1e-8, 0),
  };
}

/** one parameter to update: a stable id (e.g. "fc0.W") keys the optimizer's state */
export interface ParamSlot {
  id: string;
  param: Tensor;
  grad: Tensor;
}

export interface Optimizer {
  readonly type: OptimizerName;
  /** the base learning rate; a plain field, read at every update */
  lr: number;
  /** one step over every parameter, with learning rate `lr` (the scheduled rate) */
  update(slots: readonly ParamSlot[], lr?: number): void;
  /** number of updates done */
  readonly steps: number;
  /** forget the state (velocities, moments, step count) */
  reset(): void;
  dispose(): void;
}

function checkSlot(s: ParamSlot): void {
  if (!s.grad) throw new Error(`optimizer: no gradient for ${s.id}; run backward before step`);
}

export class SGD implements Optimizer {
  readonly type = 'sgd' as const;
  lr: number;
  momentum: number;
  steps = 0;
  private readonly velocity = new Map<string, Tensor>();

  constructor(
    readonly backend: Backend,
    config: Omit<SgdConfig, 'type'>,
  ) {
    const c = normalizeOptimizerConfig({ type: 'sgd', ...config }) as Required<SgdConfig>;
    this.lr = c.lr;
    this.momentum = c.momentum;
  }

  update(slots: readonly ParamSlot[], lr = this.lr): void {
    for (const s of slots) {
      checkSlot(s);
      let v: Tensor | null = null;
      if (this.momentum !== 0) {
        v = this.velocity.get(s.id) ?? null;
        if (!v) {
          v = this.backend.zeros(s.param.shape, `${s.id}.velocity`);
          this.velocity.set(s.id, v);
        }
      }
      this.backend.sgdUpdate(s.param, s.grad, v, { lr, momentum: this.momentum });
    }
    this.steps++;
  }

  reset(): void {
    this.dispose();
    this.steps = 0;
  }
  dispose(): void {
    this.backend.dispose(...this.velocity.values());
    this.velocity.clear();
  }
}

export class Adam implements Optimizer {
  readonly type = 'adam' as const;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  steps = 0;
  private readonly moments = new Map<string, { m: Tensor; v: Tensor }>();

  constructor(
    readonly backend: Backend,
    config: Omit<AdamConfig, 'type'>,
  ) {
    const c = normalizeOptimizerConfig({ type: 'adam', ...config }) as Required<AdamConfig>;
    this.lr = c.lr;
    this.beta1 = c.beta1;
    this.beta2 = c.beta2;
    this.eps = c.eps;
  }

  update(slots: readonly ParamSlot[], lr = this.lr): void {
    const t = this.steps + 1;
    for (const s of slots) {
      checkSlot(s);
      let st = this.moments.get(s.id);
      if (!st) {
        st = { m: this.backend.zeros(s.param.shape, `${s.id}.m`), v: this.backend.zeros(s.param.shape, `${s.id}.v`) };
        this.moments.set(s.id, st);
      }
      this.backend.adamUpdate(s.param, s.grad, st.m, st.v, { lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, t });
    }
    this.steps = t;
  }

  reset(): void {
    this.dispose();
    this.steps = 0;
  }
  dispose(): void {
    for (const { m, v } of this.moments.values()) this.backend.dispose(m, v);
    this.moments.clear();
  }
}

export function createOptimizer(backend: Backend, config: OptimizerConfig): SGD | Adam {
  const c = normalizeOptimizerConfig(config);
  return c.type === 'sgd' ? new SGD(backend, c) : new Adam(backend, c);
}
