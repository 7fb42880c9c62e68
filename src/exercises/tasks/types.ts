export type ExerciseId =
  | 'warmup-trace'
  | 'warmup-matmul'
  | 'warmup-batched-matmul'
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'fully-connected'
  | 'softmax'
  | 'cross-entropy'
  | 'model'
  | 'conv2d'
  | 'pool2d';

export interface ExerciseInfo {
  id: ExerciseId;
  /** the chapter (toc id) whose "Your turn" section holds it */
  chapter: 'hand' | 'layers' | 'iris' | 'conv';
  title: string;
  /** the task in markdown, math in $…$ (KaTeX) */
  prompt: string;
  /** the code the editor starts with */
  starter: string;
  /** the top-level functions or classes the code must define */
  names: string[];
  /** the grader counts np operations at two batch sizes: they must not grow with the batch */
  forbidsExampleLoop: boolean;
}
