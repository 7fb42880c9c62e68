// The solutions file: every exercise's code and its last verdict, one JSON file that the
// page exports and imports and that a teacher grades with `npm run grade -- file.json`.
//
//   { "format": "backprop-notebook-solutions", "version": 1, "exportedAt": ISO time,
//     "exercises": { "<id>": { "source": code, "verdict"?: Verdict, "updatedAt": ISO time } } }
//
// parseSolutionsFile checks every field and names the first one that is wrong.

import { DataFormatError } from '../nn/data/errors';
import type { Verdict } from './grader/types';
import { EXERCISE_IDS, exerciseInfo, type ExerciseId } from './tasks';

export const SOLUTIONS_FORMAT = 'backprop-notebook-solutions';
export const SOLUTIONS_VERSION = 1;

export interface SavedExercise {
  source: string;
  verdict?: Verdict;
  updatedAt: string;
}

export interface SolutionsFile {
  format: typeof SOLUTIONS_FORMAT;
  version: typeof SOLUTIONS_VERSION;
  exportedAt: string;
  exercises: Partial<Record<ExerciseId, SavedExercise>>;
}

/** a solutions file that cannot be read; the message says where and what was expected */
export class SolutionsFileError extends DataFormatError {
  override name = 'SolutionsFileError';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function isTime(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v));
}

function checkVerdict(v: unknown, where: string, id: string): Verdict {
  if (!isObject(v)) throw new SolutionsFileError(`${where}: a verdict must be an object, got ${describe(v)}`);
  if (v.id !== id) throw new SolutionsFileError(`${where}.id: expected "${id}", got ${describe(v.id)}`);
  if (typeof v.pass !== 'boolean') throw new SolutionsFileError(`${where}.pass: expected true or false, got ${describe(v.pass)}`);
  for (const k of ['passed', 'total'] as const) {
    if (typeof v[k] !== 'number' || !Number.isInteger(v[k]) || (v[k] as number) < 0) {
      throw new SolutionsFileError(`${where}.${k}: expected a count, got ${describe(v[k])}`);
    }
  }
  if (!isTime(v.gradedAt)) throw new SolutionsFileError(`${where}.gradedAt: expected an ISO time, got ${describe(v.gradedAt)}`);
  return v as unknown as Verdict;
}

/** the file's contents, checked; throws SolutionsFileError naming the first problem */
export function parseSolutionsFile(text: string, name = 'the solutions file'): SolutionsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SolutionsFileError(`${name} is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(data)) throw new SolutionsFileError(`${name}: expected a JSON object, got ${describe(data)}`);
  if (data.format !== SOLUTIONS_FORMAT) {
    throw new SolutionsFileError(`${name}: "format" should be "${SOLUTIONS_FORMAT}", got ${describe(data.format)} — is this a Backprop Notebook export?`);
  }
  if (data.version !== SOLUTIONS_VERSION) {
    throw new SolutionsFileError(`${name}: version ${JSON.stringify(data.version) ?? '(none)'} is not supported (this notebook reads version ${SOLUTIONS_VERSION})`);
  }
  if (!isTime(data.exportedAt)) throw new SolutionsFileError(`${name}: "exportedAt" should be an ISO time, got ${describe(data.exportedAt)}`);
  if (!isObject(data.exercises)) throw new SolutionsFileError(`${name}: "exercises" should be an object keyed by exercise id, got ${describe(data.exercises)}`);
  const exercises: Partial<Record<ExerciseId, SavedExercise>> = {};
  for (const [id, entry] of Object.entries(data.exercises)) {
    const where = `${name}: exercises["${id}"]`;
    if (!exerciseInfo(id)) throw new SolutionsFileError(`${where}: unknown exercise; the exercises are ${EXERCISE_IDS.join(', ')}`);
    if (!isObject(entry)) throw new SolutionsFileError(`${where}: expected an object with "source" and "updatedAt", got ${describe(entry)}`);
    if (typeof entry.source !== 'string') throw new SolutionsFileError(`${where}.source: expected the code as text, got ${describe(entry.source)}`);
    if (!isTime(entry.updatedAt)) throw new SolutionsFileError(`${where}.updatedAt: expected an ISO time, got ${describe(entry.updatedAt)}`);
    const saved: SavedExercise = { source: entry.source, updatedAt: entry.updatedAt };
    if (entry.verdict !== undefined) saved.verdict = checkVerdict(entry.verdict, `${where}.verdict`, id);
    exercises[id as ExerciseId] = saved;
  }
  return { format: SOLUTIONS_FORMAT, version: SOLUTIONS_VERSION, exportedAt: data.exportedAt, exercises };
}

/** the file's text for these exercises (in course order) */
export function serializeSolutions(exercises: Partial<Record<ExerciseId, SavedExercise>>, exportedAt: Date = new Date()): string {
  const ordered: Partial<Record<ExerciseId, SavedExercise>> = {};
  for (const id of EXERCISE_IDS) if (exercises[id]) ordered[id] = exercises[id];
  const file: SolutionsFile = { format: SOLUTIONS_FORMAT, version: SOLUTIONS_VERSION, exportedAt: exportedAt.toISOString(), exercises: ordered };
  return JSON.stringify(file, null, 2) + '\n';
}
