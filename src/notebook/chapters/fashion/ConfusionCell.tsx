// Cell 6.5: which classes the MLP of cell 6.2 mixes up — its confusion matrix on the
// session's test split, predicted in the training worker whenever a run pauses, finishes
// or stops (confusion.ts); before any run, a message that says so.

import { ConfusionMatrix } from '../../../ui/ConfusionMatrix';
import { Progress } from '../../../ui/controls';
import { useFashionTraining } from './settings';
import { CLASS_NAMES, useFashionConfusion } from './confusion';

/** the most frequent mistake (true, predicted) and its count */
function worstMistake(counts: Uint32Array): { t: number; p: number; n: number } | null {
  const k = CLASS_NAMES.length;
  let best: { t: number; p: number; n: number } | null = null;
  for (let t = 0; t < k; t++)
    for (let p = 0; p < k; p++) {
      const n = counts[t * k + p]!;
      if (t !== p && n > 0 && (!best || n > best.n)) best = { t, p, n };
    }
  return best;
}

export function FashionConfusionCellBody() {
  const result = useFashionConfusion((s) => s.result);
  const predicting = useFashionConfusion((s) => s.predicting);
  const error = useFashionConfusion((s) => s.error);
  const refresh = useFashionConfusion((s) => s.refresh);
  const state = useFashionTraining((s) => s.snapshot?.state);
  const phase = useFashionTraining((s) => s.phase);
  const run = useFashionTraining((s) => s.snapshot?.run);
  const step = useFashionTraining((s) => s.snapshot?.step ?? 0);
  const held = phase === 'ready' && (state === 'paused' || state === 'done' || state === 'stopped');
  const worst = result ? worstMistake(result.counts) : null;
  const stale = result !== null && (result.run !== run || result.step !== step);
  return (
    <>
      {!result && !predicting ? (
        <p className="notice" data-testid="fashion-confusion-empty">
          {state === 'running'
            ? 'Training is running: the matrix appears when the run pauses or finishes.'
            : 'No trained model yet: train the MLP in cell 6.2, and the matrix of its test predictions appears here when the run pauses or finishes.'}
        </p>
      ) : null}
      {predicting ? <Progress label="Predicting the test set" value={predicting.done} max={predicting.total || 1} detail={`${predicting.done.toLocaleString('en-US')} of ${predicting.total.toLocaleString('en-US')} images`} /> : null}
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <p className="small" data-testid="fashion-confusion-status">
            The model after step {result.step.toLocaleString('en-US')}, on {result.count.toLocaleString('en-US')} test images: accuracy{' '}
            {result.accuracy.toFixed(3)}.
            {worst ? (
              <>
                {' '}
                The most frequent mistake: <strong>{CLASS_NAMES[worst.t]}</strong> taken for <strong>{CLASS_NAMES[worst.p]}</strong> ({worst.n} images).
              </>
            ) : null}
            {stale ? <span className="muted"> Training has moved on since; the matrix refreshes at the next pause.</span> : null}
          </p>
          <ConfusionMatrix counts={result.counts} classNames={CLASS_NAMES} caption="Fashion-MNIST test images: true class (rows) × predicted class (columns)" />
        </>
      ) : null}
      <div className="button-row">
        <button type="button" onClick={() => void refresh()} disabled={!held || predicting !== null}>
          Predict the test set again
        </button>
      </div>
    </>
  );
}
