// The training cell's results toolbar, for the session's current run:
//
//   Download metrics (CSV)   step, epoch, loss and the evaluation columns (runCsv)
//   Download model (JSON)    the model now, in the nn package's format (model-file.ts)
//   Load a model (JSON)      a saved file checked (checkModelFile), refused with the reason
//                            when it is not a model file or its architecture differs (the
//                            session untouched); otherwise the session's model takes its
//                            parameters as a new run, which Train continues from
//   Predict the test set     the model's test accuracy and its first predictions

import { useId, useState } from 'react';
import { checkModelFile, type ModelFile } from '../../nn/serialize';
import { runCsv, runHistory } from '../../store/runs';
import type { TrainingStore } from '../../store/training';
import { downloadText, fileStem } from '../../ui/export-chart';
import { architectureMismatch, modelFileOf } from './model-file';
import { useDisplayState } from './training-parts';
import './results.css';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** how many of the first test predictions are listed */
const FIRST = 10;

interface Prediction {
  step: number;
  run: number;
  count: number;
  correct: number;
  first: number[];
  /** every predicted class (at most ALL), and the mean probability given to the predicted class */
  all: string;
  confidence: number;
}

/** the predicted classes kept on the page (as data, for a comparison between two models) */
const ALL = 2000;

export function RunResults({ store, what }: { store: TrainingStore; what: string }) {
  const display = useDisplayState(store);
  const hasPoints = store((s) => s.loss.length > 0 || s.evals.length > 0);
  // the test set is predicted as classes: a classification data set only
  const classifies = store((s) => (s.dataset?.classes ?? 0) > 0);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const fileId = useId();
  const live = display !== 'off' && display !== 'loading' && display !== 'failed' && display !== 'workerStopped';
  const stem = fileStem(what);

  /** runs `fn` with the session's client, saying what failed */
  const act = async (label: string, fn: (c: NonNullable<ReturnType<ReturnType<TrainingStore['getState']>['client']>>) => Promise<void>) => {
    const c = store.getState().client();
    if (!c) return setNote({ kind: 'error', text: `${label}: no training session yet.` });
    setBusy(label);
    try {
      await fn(c);
    } catch (e) {
      setNote({ kind: 'error', text: `${label}: ${errorText(e)}` });
    } finally {
      setBusy(null);
    }
  };

  const saveCsv = () => {
    const s = store.getState();
    const run = s.snapshot?.run ?? 0;
    downloadText(runCsv(runHistory(s, run)), `${stem}-metrics.csv`, 'text/csv');
  };

  const saveModel = () =>
    act('Download model', async (c) => {
      const snap = await c.snapshot();
      downloadText(JSON.stringify(modelFileOf(snap)), `${stem}-model-step-${snap.step}.json`, 'application/json');
      setNote({ kind: 'ok', text: `Saved the model after step ${snap.step} (run ${snap.run + 1}).` });
    });

  const loadModel = async (f: File) => {
    let file: ModelFile;
    try {
      file = checkModelFile(await f.text());
    } catch (e) {
      setNote({ kind: 'error', text: `${f.name} is not a model file this notebook reads: ${errorText(e)}. Nothing was changed.` });
      return;
    }
    await act('Load a model', async (c) => {
      const mismatch = architectureMismatch(file, await c.snapshot());
      if (mismatch) {
        setNote({ kind: 'error', text: mismatch });
        return;
      }
      if (isTraining(store)) await store.getState().pause();
      await c.setParameters(file);
      setPrediction(null);
      setNote({ kind: 'ok', text: `Loaded ${f.name}: the network now has its parameters. Train continues from them; Predict the test set shows what it does.` });
    });
  };

  const predict = () =>
    act('Predict the test set', async (c) => {
      const p = await c.predictTest();
      let correct = 0;
      let confidence = 0;
      for (let i = 0; i < p.count; i++) {
        if (p.predicted[i] === p.labels[i]) correct++;
        confidence += p.probs[i * p.classes + p.predicted[i]!]!;
      }
      confidence /= Math.max(1, p.count);
      setPrediction({ step: p.step, run: p.run, count: p.count, correct, first: Array.from(p.predicted.subarray(0, FIRST)), all: p.predicted.subarray(0, ALL).join(''), confidence });
    });

  return (
    <div className="run-results" role="group" aria-label="Results of this run">
      <div className="button-row">
        <button type="button" onClick={saveCsv} disabled={!hasPoints}>
          Download metrics (CSV)
        </button>
        <button type="button" onClick={() => void saveModel()} disabled={!live || busy !== null}>
          Download model (JSON)
        </button>
        <span className="file-pick">
          <label htmlFor={fileId}>Load a model (JSON)</label>
          <input
            id={fileId}
            type="file"
            accept=".json,application/json"
            disabled={!live || busy !== null}
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) void loadModel(f);
            }}
          />
        </span>
        {classifies ? (
          <button type="button" onClick={() => void predict()} disabled={!live || display === 'training' || busy !== null}>
            Predict the test set
          </button>
        ) : null}
        {busy ? <span className="muted small">{busy}…</span> : null}
      </div>
      {note ? (
        <p className={note.kind === 'error' ? 'notice warn' : 'muted small'} role={note.kind === 'error' ? 'alert' : 'status'} data-testid="results-note">
          {note.text}
        </p>
      ) : null}
      {prediction ? (
        <p className="small" role="status" data-testid="test-predictions" data-accuracy={prediction.correct / prediction.count} data-first={prediction.first.join(' ')} data-predicted={prediction.all} data-confidence={prediction.confidence}>
          The model after step {prediction.step}: test accuracy <strong className="mono">{(prediction.correct / prediction.count).toFixed(4)}</strong> ({prediction.correct} of {prediction.count} right, mean probability of the predicted class {prediction.confidence.toFixed(4)}); predicted classes of the first {prediction.first.length} test examples:{' '}
          <span className="mono">{prediction.first.join(' ')}</span>
        </p>
      ) : null}
    </div>
  );
}

/** training now (paced or in the session's loop), read outside React */
function isTraining(store: TrainingStore): boolean {
  const s = store.getState();
  return s.pacing || s.snapshot?.state === 'running';
}
