// The page's sandbox workers for the student's code: one grades ("Check"), one trains and
// traces ("use my implementation"), one runs the step-throughs' steps on the student's
// layers, so a long training run never holds up a check or a step.
// All three run src/exercises/worker.ts; the client's watchdog ends a run that does not finish
// (an endless loop) and starts a fresh worker.

import { SandboxClient, isStudentError, type StudentError } from '../../../exercises/sandbox';
import type { Verdict } from '../../../exercises/grader/types';

const makeWorker = () => new Worker(new URL('../../../exercises/worker.ts', import.meta.url), { type: 'module', name: 'exercises' });

let grading: SandboxClient | null = null;
let training: SandboxClient | null = null;
let stepping: SandboxClient | null = null;

export function gradingClient(): SandboxClient {
  return (grading ??= new SandboxClient(makeWorker));
}

export function trainingClient(): SandboxClient {
  return (training ??= new SandboxClient(makeWorker));
}

export function stepClient(): SandboxClient {
  return (stepping ??= new SandboxClient(makeWorker));
}

/** any rejection as a plain StudentError, fit to be stored (the worker's own failures become 'runtime' errors with no line) */
export function asStudentError(e: unknown): StudentError {
  if (!isStudentError(e)) return { kind: 'runtime', message: e instanceof Error ? e.message : String(e) };
  const out: StudentError = { kind: e.kind, message: e.message };
  if (e.line !== undefined) out.line = e.line;
  if (e.column !== undefined) out.column = e.column;
  return out;
}

/** a fresh seed per check: the cases are randomized like a course autograder's */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** grade one exercise in the worker; a run that fails before a verdict (timeout, worker error) becomes a failing verdict with its error */
export async function gradeInWorker(id: string, source: string, onProgress?: (p: unknown) => void): Promise<Verdict> {
  try {
    return (await gradingClient().run('grade', { id, source, seed: freshSeed() }, { onProgress })) as Verdict;
  } catch (e) {
    return { id, pass: false, passed: 0, total: 0, error: asStudentError(e), gradedAt: new Date().toISOString() };
  }
}
