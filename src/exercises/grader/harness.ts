// The machinery every exercise's grader shares: one random case at a time, the student's
// calls guarded, results compared with |x − ref| ≤ atol + rtol·|ref| (compareArrays), the
// loop-over-examples check by counting np operations, and central differences of the
// student's own forward.

import { centralDifference, compareArrays } from '../../engine/check';
import { Rng } from '../../engine/random';
import { opCount, resetOpCount } from '../np';
import { mapStudentError } from '../sandbox';
import { type Arr, fromStudent, shapeText, unravel } from './arrays';
import { diagnosis, type DiagnosisId } from './diagnoses';
import type { CaseFailure, Diagnosis, GradCheck, StudentError } from './types';

/** float64 against float64: only the order of the sums differs */
export const ATOL = 1e-7;
export const RTOL = 1e-6;
/** central differences (h = 1e-5) against the student's backward */
export const GRAD_ATOL = 1e-6;
export const GRAD_RTOL = 1e-4;

/** A case failed: carries what the verdict says about it. */
export class CaseFail extends Error {
  constructor(readonly detail: Omit<CaseFailure, 'case' | 'shapes'>) {
    super(detail.message);
  }
}

/** The student's code threw (or returned something unusable where it must not). */
export class StudentThrew extends Error {
  constructor(readonly error: StudentError) {
    super(error.message);
  }
}

/** the student's module: the names it defines */
export type StudentExports = Record<string, unknown>;

/** a diagnosis for a result that is wrong, or none */
export type Diagnose = (got: Arr) => DiagnosisId | undefined;

/** One case as it runs. */
export class CaseRun {
  description = '';
  readonly shapes: Record<string, number[]> = {};
  constructor(
    readonly rng: Rng,
    readonly index: number,
    readonly total: number,
    readonly source: string,
  ) {}

  describe(text: string): void {
    this.description = text;
  }
  shape(name: string, shape: readonly number[]): void {
    this.shapes[name] = [...shape];
  }
  label(): string {
    return `case ${this.index + 1} of ${this.total}${this.description ? `: ${this.description}` : ''}`;
  }

  /** runs the student's code; an exception becomes a StudentError at the student's line */
  call<T>(f: () => T): T {
    return guard(this.source, f);
  }

  /** the student's result must be an array of ref's shape and values */
  expect(what: string, value: unknown, ref: Arr, diagnose?: Diagnose, atol = ATOL, rtol = RTOL): Arr {
    const got = fromStudent(value);
    if (typeof got === 'string') throw new CaseFail({ what, message: `${what} is ${got}${value === undefined ? ' (a missing return?)' : ''}; expected an array of shape ${shapeText(ref.shape)}`, mismatches: [] });
    this.shape(`${what} (yours)`, got.shape);
    if (got.shape.length !== ref.shape.length || got.shape.some((d, i) => d !== ref.shape[i])) {
      const id = diagnose?.(got);
      throw new CaseFail({
        what,
        message: `${what} has shape ${shapeText(got.shape)}, expected ${shapeText(ref.shape)}`,
        mismatches: [],
        ...(id ? { diagnosis: diagnosis(id) } : {}),
      });
    }
    const c = compareArrays(got.data, ref.data, atol, rtol, { show: 4 });
    if (!c.pass) {
      const id = diagnose?.(got);
      throw new CaseFail({
        what,
        message: `${what}: ${c.bad} of ${c.n} values differ from the reference${c.nonFinite ? ` (${c.nonFinite} are NaN or infinite)` : ''}`,
        mismatches: c.first.map((m) => ({ index: unravel(m.index, ref.shape), expected: m.ref, actual: m.got })),
        ...(id ? { diagnosis: diagnosis(id) } : {}),
      });
    }
    return got;
  }

  /** a scalar result (a number, or an array of one element) */
  expectScalar(what: string, value: unknown, ref: number, diagnose?: (got: number) => DiagnosisId | undefined): number {
    const got = fromStudent(value);
    if (typeof got === 'string' || got.data.length !== 1) {
      const was = typeof got === 'string' ? `${got}${value === undefined ? ' (a missing return?)' : ''}` : `shape ${shapeText(got.shape)}`;
      throw new CaseFail({ what, message: `${what} should be one number, got ${was}`, mismatches: [] });
    }
    const v = got.data[0]!;
    const c = compareArrays([v], [ref], ATOL, RTOL);
    if (!c.pass) {
      const id = diagnose?.(v);
      throw new CaseFail({
        what,
        message: `${what} is ${v}, expected ${ref}`,
        mismatches: [{ index: [], expected: ref, actual: v }],
        ...(id ? { diagnosis: diagnosis(id) } : {}),
      });
    }
    return v;
  }

  /** fails the case with a message (and a diagnosis) */
  fail(what: string, message: string, id?: DiagnosisId): never {
    throw new CaseFail({ what, message, mismatches: [], ...(id ? { diagnosis: diagnosis(id) } : {}) });
  }
}

export function guard<T>(source: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CaseFail || e instanceof StudentThrew) throw e;
    throw new StudentThrew(mapStudentError(e, source));
  }
}

/** an element-wise "does this match" for the diagnoses: every |a − b| within the grader's tolerance */
export function close(a: Arr | Float64Array, b: Arr | Float64Array): boolean {
  const x = a instanceof Float64Array ? a : a.data;
  const y = b instanceof Float64Array ? b : b.data;
  return x.length === y.length && compareArrays(x, y, ATOL, RTOL).pass;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function countNow(): number {
  return typeof opCount === 'function' ? (opCount as () => number)() : (opCount as unknown as number);
}

/**
 * np operations the student's code makes for a batch of m examples; a count that grows
 * with m means a loop over the examples.
 */
export function countOps(source: string, run: () => void): number {
  resetOpCount();
  guard(source, run);
  return countNow();
}

/** the loop-over-examples verdict from the counts at two batch sizes */
export function loopFailure(small: { m: number; ops: number }, large: { m: number; ops: number }): CaseFailure | null {
  if (large.ops <= small.ops) return null;
  return {
    case: `no loop over examples: the same layer at batch sizes ${small.m} and ${large.m}`,
    shapes: {},
    what: 'np operations',
    message: `your code made ${small.ops} np operations for a batch of ${small.m} and ${large.ops} for a batch of ${large.m}: the count grows with the batch`,
    mismatches: [],
    diagnosis: diagnosis('loop-over-examples'),
  };
}

/** up to n distinct entries of [0, size), in order */
export function sampleEntries(rng: Rng, size: number, n: number): number[] {
  if (size <= n) return Array.from({ length: size }, (_, i) => i);
  const set = new Set<number>();
  while (set.size < n) set.add(rng.int(size));
  return [...set].sort((a, b) => a - b);
}

/**
 * Central differences of L(v) = the student's forward, as a function of one input, at the
 * sampled entries, against the student's analytic gradient there.
 */
export function differenceCheck(what: string, base: Float64Array, analytic: Float64Array, loss: (v: Float64Array) => number, at: number[]): GradCheck['checks'][number] {
  const num = centralDifference(base, loss, { at });
  const ana = Float64Array.from(at, (i) => analytic[i]!);
  const c = compareArrays(ana, num, GRAD_ATOL, GRAD_RTOL);
  return { what, entries: at.length, maxError: c.maxAbs, pass: c.pass };
}

export type { Diagnosis };
