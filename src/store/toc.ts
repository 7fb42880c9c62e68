// The table of contents: every chapter's id (used in the URL, ?ch=<id>), number and title.
// The chapters' content lives in notebook/chapters/; this list has no components so
// that stores can validate chapter ids without importing the content.

export interface ChapterInfo {
  id: string;
  /** 0 is the preface */
  number: number;
  title: string;
  /** one line for the navigation */
  blurb: string;
}

export const CHAPTERS: readonly ChapterInfo[] = [
  { id: 'start', number: 0, title: 'Start here: your device', blurb: 'What runs where; one kernel checked against the CPU' },
  { id: 'hand', number: 1, title: 'A network by hand', blurb: 'Thirteen weights, the chain rule, gradient descent' },
  { id: 'layers', number: 2, title: 'Layers', blurb: 'Dense layers, activations, softmax and losses as tensors' },
  { id: 'iris', number: 3, title: 'A two-layer network on Iris', blurb: 'Mini-batches, cross-entropy, accuracy' },
  { id: 'conv', number: 4, title: 'Convolution and pooling', blurb: 'im2col, kernels, and where pooling sends the gradient' },
  { id: 'lenet', number: 5, title: 'LeNet on MNIST', blurb: 'A convolutional network on handwritten digits' },
  { id: 'fashion', number: 6, title: 'An MLP on Fashion-MNIST', blurb: 'Optimizers, schedules and sweeps on a harder data set' },
  { id: 'playground', number: 7, title: 'A playground in two dimensions', blurb: 'Any stack of layers, decision boundaries, every weight and gradient' },
  { id: 'perf', number: 8, title: 'Performance', blurb: 'Examples per second, dispatches per step, GPU time per kernel' },
  { id: 'yourturn', number: 9, title: 'Your turn: progress', blurb: 'Which of your layers pass; export and import your code' },
];

export const DEFAULT_CHAPTER = 'start';

export function chapterInfo(id: string): ChapterInfo | undefined {
  return CHAPTERS.find((c) => c.id === id);
}
