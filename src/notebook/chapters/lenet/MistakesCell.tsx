// Cell 5.3: the trained model on the whole test set — the confusion matrix (true class ×
// predicted class) and the test images it gets wrong, most confident mistakes first.
// Choosing a mistake cell of the matrix narrows the grid to that pair; choosing an image
// opens it in cell 5.2.

import { memo, useMemo, useState } from 'react';
import { useLenet, useLenetTraining } from './settings';
import { ConfusionMatrix, confusionCounts } from '../../../ui/ConfusionMatrix';
import { Progress } from '../../../ui/controls';
import type { TestSet } from '../../../train/inspect';
import { DigitImage } from './widgets';

/** how many misclassified images the grid shows */
export const MISTAKES_SHOWN = 48;

export interface Mistake {
  index: number;
  truth: number;
  predicted: number;
  /** the probability given to the (wrong) predicted class */
  confidence: number;
}

/** every misclassified example, most confident first (then by index) */
export function mistakesOf(p: { labels: Uint8Array; predicted: Uint8Array; probs: Float32Array; classes: number }): Mistake[] {
  const out: Mistake[] = [];
  for (let i = 0; i < p.labels.length; i++) {
    const t = p.labels[i]!;
    const q = p.predicted[i]!;
    if (t !== q) out.push({ index: i, truth: t, predicted: q, confidence: p.probs[i * p.classes + q]! });
  }
  return out.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** the mistakes as buttons: the digit, true → predicted and the confidence; choosing one opens it in cell 5.2 */
const MistakeGrid = memo(function MistakeGrid({
  shown,
  testSet,
  classNames,
  onOpen,
}: {
  shown: readonly Mistake[];
  testSet: TestSet | null;
  classNames: readonly string[];
  onOpen: (index: number) => void;
}) {
  const side = testSet?.height ?? 28;
  return (
    <ul className="mistake-grid">
      {shown.map((m) => (
        <li key={m.index}>
          <button
            type="button"
            className="thumb mistake"
            onClick={() => {
              onOpen(m.index);
              scrollToCell('lenet-inside');
            }}
            aria-label={`${classNames[m.truth]} → ${classNames[m.predicted]} ${(100 * m.confidence).toFixed(0)}%: test image ${m.index}, a ${classNames[m.truth]} predicted as ${classNames[m.predicted]}; open it in cell 5.2`}
          >
            {testSet ? <DigitImage pixels={testSet.images.subarray(m.index * side * side, (m.index + 1) * side * side)} side={side} zoom={2} label="" /> : null}
            <span className="thumb-label" aria-hidden="true">
              <span className="truth">{classNames[m.truth]}</span> → <span className="wrong">{classNames[m.predicted]}</span>{' '}
              <span className="conf">{(100 * m.confidence).toFixed(0)}%</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
});

function scrollToCell(id: string): void {
  document.getElementById(id)?.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

export function MistakesCellBody() {
  const predictions = useLenet((s) => s.predictions);
  const predicting = useLenet((s) => s.predicting);
  const predictError = useLenet((s) => s.predictError);
  const testSet = useLenet((s) => s.testSet);
  const state = useLenetTraining((s) => s.snapshot?.state ?? null);
  const refresh = useLenet((s) => s.refresh);
  const select = useLenet((s) => s.select);
  const [pair, setPair] = useState<readonly [number, number] | null>(null);

  const counts = useMemo(
    () => (predictions ? confusionCounts(predictions.labels, predictions.predicted, predictions.classes) : null),
    [predictions],
  );
  const mistakes = useMemo(() => (predictions ? mistakesOf(predictions) : []), [predictions]);
  const pool = useMemo(() => (pair ? mistakes.filter((m) => m.truth === pair[0] && m.predicted === pair[1]) : mistakes), [mistakes, pair]);
  const shown = useMemo(() => pool.slice(0, MISTAKES_SHOWN), [pool]);
  const classNames = testSet?.classNames ?? DIGITS;
  const stale = predictions && state === 'running';

  return (
    <>
      {predicting ? (
        <Progress
          label="Predicting the test set"
          value={predicting.done}
          max={Math.max(1, predicting.total)}
          detail={`${predicting.done.toLocaleString('en-US')} of ${predicting.total.toLocaleString('en-US')} images`}
        />
      ) : null}
      {predictError ? (
        <p className="notice warn" role="alert">
          {predictError}
        </p>
      ) : null}
      {!predictions && !predicting ? (
        <p className="muted">
          {state === 'paused' || state === 'done' || state === 'stopped' ? (
            <button type="button" onClick={() => void refresh()}>
              Predict the test set
            </button>
          ) : (
            'The matrix fills when training pauses or finishes (cell 5.1).'
          )}
        </p>
      ) : null}
      {predictions && counts ? (
        <>
          <p className="muted small">
            Predictions of the model after step {predictions.step.toLocaleString('en-US')} on {predictions.count.toLocaleString('en-US')} test
            images, computed in {(predictions.ms / 1000).toFixed(1)} s{stale ? '; training has moved on since — pause to update them' : ''}.
          </p>
          <ConfusionMatrix
            counts={counts}
            classNames={classNames}
            caption="Confusion matrix on the test set: rows are the true digit, columns the prediction"
            onSelect={(t, p) => setPair((cur) => (cur && cur[0] === t && cur[1] === p ? null : [t, p]))}
            selected={pair}
          />
          <section className="mistakes" aria-labelledby="lenet-mistakes-title">
            <h3 id="lenet-mistakes-title" className="lenet-subhead">
              {pair
                ? `${classNames[pair[0]]} predicted as ${classNames[pair[1]]}: ${pool.length} ${pool.length === 1 ? 'image' : 'images'}`
                : `Misclassified test images: ${mistakes.length.toLocaleString('en-US')} of ${predictions.count.toLocaleString('en-US')}`}
              {shown.length < pool.length ? `, the ${shown.length} most confident shown` : ''}
            </h3>
            {pair ? (
              <button type="button" className="link-button" onClick={() => setPair(null)}>
                Show every mistake
              </button>
            ) : null}
            {shown.length ? (
              <MistakeGrid shown={shown} testSet={testSet} classNames={classNames} onOpen={select} />
            ) : (
              <p className="muted">{pair ? 'The model makes this mistake on no test image now.' : 'No mistakes on these test images.'}</p>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
