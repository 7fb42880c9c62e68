// What one exercise's grader provides to grade(): random cases, and where the exercise asks
// for them, the loop-over-examples count, the gradient check and the two ways compared.

import { Rng } from '../../engine/random';
import { type Arr, arr, sizeOf } from './arrays';
import { type CaseRun, guard, type StudentExports } from './harness';
import type { GradCheck } from './types';

export interface ExerciseGrader {
  /** one random case (c.index 0, 1, … picks the special cases first); throws CaseFail */
  runCase(mod: StudentExports, c: CaseRun): void;
  /** runs the student's code on a batch of m examples (the same configuration for every m) */
  atBatch?(mod: StudentExports, m: number, source: string): void;
  /** central differences of the student's forward against their backward */
  gradCheck?(mod: StudentExports, rng: Rng, source: string): GradCheck;
  /** the warm-ups: ‖first way − second way‖ on one random input */
  difference?(mod: StudentExports, rng: Rng, source: string): { between: [string, string]; norm: number };
}

export function randn(rng: Rng, shape: readonly number[], scale = 1, shift = 0): Arr {
  return arr(Array.from({ length: sizeOf(shape) }, () => shift + scale * rng.normal()), shape);
}

/** one-hot rows (m, k) */
export function oneHot(rng: Rng, m: number, k: number): Arr {
  const y = new Float64Array(m * k);
  for (let i = 0; i < m; i++) y[i * k + rng.int(k)] = 1;
  return { data: y, shape: [m, k] };
}

/** an integer in [lo, hi] */
export function pick(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

export function choose<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** batch sizes the cases cycle through first: one example, then odd batches */
export function batchSize(c: CaseRun, max = 7): number {
  if (c.index === 0) return 1;
  return c.index % 2 === 1 ? 2 * pick(c.rng, 0, (max - 1) >> 1) + 1 : pick(c.rng, 1, max);
}

/** the student's class, instantiated (a constructor that throws is the student's error) */
export function instantiate<T>(mod: StudentExports, name: string, source: string, ...args: unknown[]): T {
  const C = mod[name];
  return guard(source, () => {
    if (typeof C !== 'function') throw new TypeError(`${name} is not a class`);
    return new (C as new (...a: unknown[]) => T)(...args);
  });
}

/** the student's function */
export function fn(mod: StudentExports, name: string): (...args: unknown[]) => unknown {
  const f = mod[name];
  if (typeof f !== 'function') throw new TypeError(`${name} is not a function`);
  return f as (...args: unknown[]) => unknown;
}

export function seeded(seed: number, k: number): Rng {
  return new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0);
}
