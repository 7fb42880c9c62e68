// Cell 6.5's state: the confusion matrix of the chapter's trained MLP on its test split.
// When the training session of cell 6.2 pauses, finishes or stops, the worker predicts
// the test set (predictTest, src/train/inspect.ts) and the counts land here; a press
// while a pass runs asks for one more pass after it.
//
//   counts (10, 10) row-major: counts[t·10 + p] = #{ test images of class t predicted p }

import { create } from 'zustand';
import { FASHION_MNIST_CLASSES } from '../../../nn/data/load';
import type { SessionState } from '../../../train/protocol';
import { confusionCounts } from '../../../ui/ConfusionMatrix';
import { useFashionTraining } from './settings';

export const CLASS_NAMES: readonly string[] = FASHION_MNIST_CLASSES;

export interface FashionConfusion {
  /** the matrix and the model it came from (the session's run and its updates) */
  result: { counts: Uint32Array; run: number; step: number; count: number; accuracy: number } | null;
  /** a pass in progress: test images done of total */
  predicting: { done: number; total: number } | null;
  error: string | null;
  /** predict the test set now (the loop must not be running) */
  refresh: () => Promise<void>;
}

/** states in which the model holds still and can be predicted */
const HELD: readonly SessionState[] = ['paused', 'done', 'stopped'];

let pass: Promise<void> | null = null;
let again = false;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function predict(): Promise<void> {
  if (pass) {
    again = true;
    return pass;
  }
  pass = (async () => {
    try {
      do {
        again = false;
        const t = useFashionTraining.getState();
        const client = t.client();
        if (!client || t.phase !== 'ready' || !HELD.includes(t.snapshot?.state ?? 'idle')) return;
        useFashionConfusion.setState({ predicting: { done: 0, total: t.dataset?.test ?? 0 }, error: null });
        const p = await client.predictTest((done, total) => useFashionConfusion.setState({ predicting: { done, total } }));
        const counts = confusionCounts(p.labels, p.predicted, CLASS_NAMES.length);
        let correct = 0;
        for (let k = 0; k < CLASS_NAMES.length; k++) correct += counts[k * CLASS_NAMES.length + k]!;
        useFashionConfusion.setState({ result: { counts, run: p.run, step: p.step, count: p.count, accuracy: p.count ? correct / p.count : 0 }, predicting: null });
      } while (again);
    } catch (e) {
      useFashionConfusion.setState({ predicting: null, error: `Could not predict the test set: ${message(e)}` });
    } finally {
      pass = null;
    }
  })();
  return pass;
}

export const useFashionConfusion = create<FashionConfusion>()(() => ({
  result: null,
  predicting: null,
  error: null,
  refresh: predict,
}));

// a run that pauses, finishes or stops is predicted; a new session clears the matrix
useFashionTraining.subscribe((now, before) => {
  if (now.phase === 'starting' && before.phase !== 'starting') useFashionConfusion.setState({ result: null, error: null });
  const state = now.snapshot?.state;
  if (now.phase !== 'ready' || !state) return;
  if (HELD.includes(state) && (state !== before.snapshot?.state || now.snapshot?.run !== before.snapshot?.run)) void predict();
});
