// The exercises each of the notebook's networks is made of: its "use my implementation"
// switches stay disabled until all of them pass.

import type { ExerciseId } from '../../../exercises/tasks';
import type { TrainDataset } from '../../../exercises/train-student';

/** Iris: fc relu → fc softmax; the small CNN (and chapter 4's): conv relu → max pool → flatten → fc softmax */
export const NEEDS: Record<TrainDataset, readonly ExerciseId[]> = {
  iris: ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model'],
  'mnist-subset': ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model', 'conv2d', 'pool2d'],
};
