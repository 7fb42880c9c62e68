// The warm-ups: trace, matrix product and batched matrix product, each two ways (plain np
// and einsum), both against the reference and against each other.

import { Rng } from '../../engine/random';
import { type Arr, fromStudent, toNp } from './arrays';
import { type ExerciseGrader, fn, pick, randn } from './exercise';
import { type CaseRun, guard, type StudentExports } from './harness';
import * as ref from './reference';

interface TwoWays {
  names: [string, string];
  /** the inputs of one case (k picks special sizes first) */
  inputs(rng: Rng, k: number, batch?: number): Arr[];
  expected(inputs: Arr[]): Arr | number;
  describe(inputs: Arr[]): string;
  argNames: string[];
}

function twoWays(spec: TwoWays, forbidsLoop: boolean): ExerciseGrader {
  return {
    runCase(mod: StudentExports, c: CaseRun) {
      const inputs = spec.inputs(c.rng, c.index);
      inputs.forEach((a, i) => c.shape(spec.argNames[i]!, a.shape));
      c.describe(spec.describe(inputs));
      const want = spec.expected(inputs);
      for (const name of spec.names) {
        const got = c.call(() => fn(mod, name)(...inputs.map(toNp)));
        if (typeof want === 'number') c.expectScalar(`${name}(${spec.argNames.join(', ')})`, got, want);
        else c.expect(`${name}(${spec.argNames.join(', ')})`, got, want);
      }
    },
    atBatch: forbidsLoop
      ? (mod, m, source) => {
          const inputs = spec.inputs(new Rng(12345), 99, m).map(toNp);
          guard(source, () => spec.names.forEach((name) => fn(mod, name)(...inputs)));
        }
      : undefined,
    difference(mod, rng, source) {
      const inputs = spec.inputs(rng, 99).map(toNp);
      const [a, b] = spec.names.map((name) => fromStudent(guard(source, () => fn(mod, name)(...inputs))));
      let norm = NaN;
      if (typeof a !== 'string' && typeof b !== 'string' && a!.data.length === b!.data.length) {
        norm = Math.sqrt(a!.data.reduce((s, v, i) => s + (v - b!.data[i]!) ** 2, 0));
      }
      return { between: spec.names, norm };
    },
  };
}

export const warmupTrace = twoWays(
  {
    names: ['trace', 'traceEinsum'],
    argNames: ['A'],
    inputs: (rng, k) => {
      const n = k === 0 ? 1 : pick(rng, 1, 7);
      return [randn(rng, [n, n])];
    },
    expected: ([a]) => {
      const n = a!.shape[0]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += a!.data[i * n + i]!;
      return s;
    },
    describe: ([a]) => `A is ${a!.shape[0]}×${a!.shape[0]}`,
  },
  false,
);

export const warmupMatmul = twoWays(
  {
    names: ['matmul', 'matmulEinsum'],
    argNames: ['A', 'B'],
    inputs: (rng, k) => {
      const [n, p, m] = k === 0 ? [1, 1, 1] : [pick(rng, 1, 6), pick(rng, 1, 6), pick(rng, 1, 6)];
      return [randn(rng, [n, p]), randn(rng, [p, m])];
    },
    expected: ([a, b]) => ref.matmul(a!, b!),
    describe: ([a, b]) => `A is ${a!.shape.join('×')}, B is ${b!.shape.join('×')}`,
  },
  false,
);

export const warmupBatchedMatmul = twoWays(
  {
    names: ['batchedMatmul', 'batchedMatmulEinsum'],
    argNames: ['A', 'B'],
    inputs: (rng, k, batch) => {
      const b = batch ?? (k === 0 ? 1 : pick(rng, 1, 5));
      const [n, p, m] = batch !== undefined ? [3, 4, 2] : [pick(rng, 1, 5), pick(rng, 1, 5), pick(rng, 1, 5)];
      return [randn(rng, [b, n, p]), randn(rng, [b, p, m])];
    },
    expected: ([a, b]) => ref.batchedMatmul(a!, b!),
    describe: ([a, b]) => `A is ${a!.shape.join('×')}, B is ${b!.shape.join('×')}`,
  },
  true,
);
