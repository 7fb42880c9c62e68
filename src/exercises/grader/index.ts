// The grader: grade(id, source, { seed, cases }) runs the student's code on random cases
// against the float64 reference, checks their backward against central differences of their
// own forward, counts np operations at two batch sizes where a loop over the examples is
// forbidden, and names a known mistake where the numbers match one. The page (in a worker)
// and the teacher's command line (in Node) call the same function and print the same text.

import { exerciseInfo, EXERCISE_IDS, type ExerciseId } from '../tasks';
import { loadStudentModule } from '../sandbox';
import * as activations from './activations';
import * as conv from './conv';
import * as dense from './dense';
import { diagnosis } from './diagnoses';
import { type ExerciseGrader, seeded } from './exercise';
import { CaseFail, CaseRun, countOps, loopFailure, StudentThrew, type StudentExports } from './harness';
import type { CaseFailure, GradCheck, GradeOptions, Verdict } from './types';
import * as warmup from './warmup';

export type { CaseFailure, Diagnosis, GradCheck, GradeOptions, GradeRequest, Mismatch, StudentError, Verdict } from './types';
export { DIAGNOSES, type DiagnosisId } from './diagnoses';
export { verdictText, verdictSummary } from './text';

/** random cases per Check in the page */
export const DEFAULT_CASES = 25;
/** the batch sizes of the loop-over-examples check */
export const LOOP_CHECK_BATCHES = [2, 7] as const;

const GRADERS: Record<ExerciseId, ExerciseGrader> = {
  'warmup-trace': warmup.warmupTrace,
  'warmup-matmul': warmup.warmupMatmul,
  'warmup-batched-matmul': warmup.warmupBatchedMatmul,
  relu: activations.relu,
  sigmoid: activations.sigmoid,
  tanh: activations.tanh,
  'fully-connected': dense.fullyConnected,
  softmax: activations.softmax,
  'cross-entropy': dense.crossEntropy,
  model: dense.model,
  conv2d: conv.conv2d,
  pool2d: conv.pool2d,
};

export async function grade(id: string, source: string, opts: GradeOptions = {}): Promise<Verdict> {
  const info = exerciseInfo(id);
  if (!info) throw new Error(`unknown exercise '${id}'; the exercises are ${EXERCISE_IDS.join(', ')}`);
  const g = GRADERS[info.id];
  const seed = opts.seed ?? 1;
  const cases = Math.max(1, Math.floor(opts.cases ?? DEFAULT_CASES));
  const loopCheck = info.forbidsExampleLoop && g.atBatch !== undefined;
  const total = cases + (loopCheck ? 1 : 0);
  const verdict: Verdict = { id, pass: false, passed: 0, total, gradedAt: new Date().toISOString() };

  const loaded = loadStudentModule(source, info.names);
  if ('error' in loaded) return { ...verdict, error: loaded.error };
  const mod = loaded.exports as StudentExports;

  let failure: CaseFailure | undefined;
  let current = 'loading your code';
  let shapes: Record<string, number[]> = {};
  try {
    for (let k = 0; k < cases; k++) {
      const c = new CaseRun(seeded(seed, k), k, cases, source);
      current = `case ${k + 1} of ${cases}`;
      shapes = c.shapes;
      try {
        g.runCase(mod, c);
        verdict.passed++;
      } catch (e) {
        if (!(e instanceof CaseFail)) {
          current = c.label();
          throw e;
        }
        failure ??= { case: c.label(), shapes: c.shapes, ...e.detail };
      }
    }
    // the loop check means something only for code that computes the right thing
    if (loopCheck && !failure) {
      current = 'the loop-over-examples check';
      shapes = {};
      const f = runLoopCheck(g, mod, source);
      if (f) failure ??= f;
      else verdict.passed++;
    }
    if (g.gradCheck) {
      current = 'the gradient check';
      shapes = {};
      const gc = runGradCheck(g, mod, seed, source);
      if ('failure' in gc) failure ??= gc.failure;
      else {
        verdict.gradCheck = gc;
        if (!gc.pass) failure ??= gradCheckFailure(gc);
      }
    }
    if (g.difference) verdict.difference = g.difference(mod, seeded(seed, 20011), source);
  } catch (e) {
    if (!(e instanceof StudentThrew)) throw e;
    return {
      ...verdict,
      error: e.error,
      failure: failure ?? { case: current, shapes, what: 'your code', message: `your code threw: ${e.error.message}`, mismatches: [] },
    };
  }
  if (failure) verdict.failure = failure;
  verdict.pass = !failure && verdict.passed === total;
  return verdict;
}

/** the counts at two batch sizes; a failure when they grow (or when the code fails there) */
function runLoopCheck(g: ExerciseGrader, mod: StudentExports, source: string): CaseFailure | null {
  const [m1, m2] = LOOP_CHECK_BATCHES;
  try {
    const small = { m: m1, ops: countOps(source, () => g.atBatch!(mod, m1, source)) };
    const large = { m: m2, ops: countOps(source, () => g.atBatch!(mod, m2, source)) };
    return loopFailure(small, large);
  } catch (e) {
    if (!(e instanceof CaseFail)) throw e;
    return { case: `the loop-over-examples check (batches of ${m1} and ${m2})`, shapes: {}, ...e.detail };
  }
}

function runGradCheck(g: ExerciseGrader, mod: StudentExports, seed: number, source: string): GradCheck | { failure: CaseFailure } {
  try {
    return g.gradCheck!(mod, seeded(seed, 10007), source);
  } catch (e) {
    if (!(e instanceof CaseFail)) throw e;
    return { failure: { case: 'the gradient check', shapes: {}, ...e.detail } };
  }
}

function gradCheckFailure(gc: GradCheck): CaseFailure {
  const bad = gc.checks.filter((k) => !k.pass);
  return {
    case: `gradient check: ${gc.case}`,
    shapes: {},
    what: bad.map((k) => k.what).join(', '),
    message: `central differences of your forward disagree with your backward for ${bad.map((k) => `${k.what} (largest difference ${k.maxError.toPrecision(3)})`).join(', ')}`,
    mismatches: [],
    diagnosis: diagnosis('gradient-check'),
  };
}
