// The exercises each of the notebook's networks is made of: its "use my implementation"
// switches stay disabled, saying which, until all of them pass.

import { exerciseInfo, type ExerciseId } from '../../../exercises/tasks';
import type { TrainDataset } from '../../../exercises/student-network';
import { passes, type ExerciseEntry } from '../../../store/exercises';

/** Iris: fc relu → fc softmax; the small CNN (and chapter 4's): conv relu → max pool → flatten → fc softmax */
export const NEEDS: Record<TrainDataset, readonly ExerciseId[]> = {
  iris: ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model'],
  'mnist-subset': ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model', 'conv2d', 'pool2d'],
};

export const exerciseTitle = (id: string): string => exerciseInfo(id)?.title ?? id;

/** the needed exercises whose check does not pass yet */
export function missingOf(needs: readonly ExerciseId[], entries: Readonly<Record<string, ExerciseEntry>>): ExerciseId[] {
  return needs.filter((id) => !passes(entries[id]));
}

/** why a switch is disabled */
export const needsReason = (missing: readonly ExerciseId[]): string => `Needs a passing check of: ${missing.map(exerciseTitle).join(', ')}.`;
