// Learning-rate schedulers: the rate used at update t (t = 0, 1, 2, … counts the
// optimizer updates done before this one) from the base rate lr.
//
//   constant     lr_t = lr
//   exponential  lr_t = lr · decay^(t / stages)          (staircase: ⌊t / stages⌋)
//   step         lr_t = lr · gamma^⌊t / stepSize⌋
//
// The base rate is read at every step, so changing it mid-run takes effect at once and
// the schedule continues from there.

import { checkKeys, checkName, checkNumber, checkPositiveInt } from './names';

export type SchedulerName = 'constant' | 'exponential' | 'step';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['constant', 'exponential', 'step'];

export type SchedulerConfig =
  | { type: 'constant' }
  | {
      type: 'exponential';
      decay: number;
      /** updates per factor of `decay`; default 1 */
      stages?: number;
      /** default false: decay smoothly; true: in whole stages */
      staircase?: boolean;
    }
  | { type: 'step'; stepSize: number; gamma: number };

export type NormalizedSchedulerConfig =
  | { type: 'constant' }
  | { type: 'exponential'; decay: number; stages: number; staircase: boolean }
  | { type: 'step'; stepSize: number; gamma: number };

export function normalizeSchedulerConfig(config: unknown): NormalizedSchedulerConfig {
  if (config === undefined) return { type: 'constant' };
  if (typeof config === 'string') config = { type: config };
  if (typeof config !== 'object' || config === null) {
    throw new Error(`scheduler: expected { type: ${SCHEDULER_NAMES.join(' | ')}, … }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = checkName('scheduler', c.type, SCHEDULER_NAMES);
  switch (type) {
    case 'constant':
      checkKeys('scheduler constant', c, ['type']);
      return { type };
    case 'exponential':
      checkKeys('scheduler exponential', c, ['type', 'decay', 'stages', 'staircase']);
      if (c.staircase !== undefined && typeof c.staircase !== 'boolean') {
        throw new Error(`scheduler exponential: staircase must be true or false, got ${JSON.stringify(c.staircase)}`);
      }
      return {
        type,
        decay: checkNumber('scheduler exponential', 'decay', c.decay, 0),
        stages: checkPositiveInt('scheduler exponential', 'stages', c.stages ?? 1),
        staircase: c.staircase ?? false,
      };
    case 'step':
      checkKeys('scheduler step', c, ['type', 'stepSize', 'gamma']);
      return {
        type,
        stepSize: checkPositiveInt('scheduler step', 'stepSize', c.stepSize),
        gamma: checkNumber('scheduler step', 'gamma', c.gamma, 0),
      };
  }
}

export interface Scheduler {
  readonly config: NormalizedSchedulerConfig;
  /** the learning rate for update t (0-based) given the base rate */
  rate(lr: number, t: number): number;
}

export function createScheduler(config: SchedulerConfig | SchedulerName = { type: 'constant' }): Scheduler {
  const c = normalizeSchedulerConfig(config);
  switch (c.type) {
    case 'constant':
      return { config: c, rate: (lr) => lr };
    case 'exponential':
      return {
        config: c,
        rate: (lr, t) => lr * c.decay ** (c.staircase ? Math.floor(t / c.stages) : t / c.stages),
      };
    case 'step':
      return { config: c, rate: (lr, t) => lr * c.gamma ** Math.floor(t / c.stepSize) };
  }
}
