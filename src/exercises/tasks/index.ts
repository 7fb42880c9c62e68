// The exercises in the course's order: what the page shows (prompt, starter) and what the
// grader needs to know (the names the code defines, whether a loop over examples is allowed).
// The solutions are not here: they live in the tests.

import { CONV } from './conv';
import { LAYERS } from './layers';
import type { ExerciseId, ExerciseInfo } from './types';
import { WARMUPS } from './warmup';

export type { ExerciseId, ExerciseInfo } from './types';

export const EXERCISES: readonly ExerciseInfo[] = [...WARMUPS, ...LAYERS, ...CONV];

export const EXERCISE_IDS: readonly ExerciseId[] = EXERCISES.map((e) => e.id);

export function exerciseInfo(id: string): ExerciseInfo | undefined {
  return EXERCISES.find((e) => e.id === id);
}
