// Cell 3.2: the 4–h–3 network trained on Iris in the training worker, with live loss and
// accuracy charts. The hyperparameters can change while it trains: the learning rate,
// batch size and epochs apply from the next step on; a new hidden size builds a new model
// from the same seed. Each change is marked on the charts at the step where it applied.

import { useEffect } from 'react';
import type { TrainingStore } from '../../../store/training';
import { TrainCell } from '../../cells/TrainCell';
import { useDisplayState } from '../../cells/training-parts';
import { deviceLabel, SettingsControls } from '../../cells/SettingsControls';
import { continueIrisRun, IRIS_SETTINGS, startIrisSession, useIrisSettings, useIrisTraining, VALIDATION_FRACTION } from './settings';

const PACE_LABELS: Record<number, string> = { 0: 'full speed', 1000: '1000 steps/s', 200: '200 steps/s', 50: '50 steps/s', 10: '10 steps/s' };

export function IrisSettingsControls() {
  return (
    <SettingsControls
      settings={IRIS_SETTINGS}
      controls={[
        { key: 'lr', label: 'Learning rate', hint: 'η' },
        { key: 'hidden', label: 'Hidden size', hint: 'h' },
        { key: 'batchSize', label: 'Batch size', hint: '|B|' },
        { key: 'epochs', label: 'Epochs' },
        { key: 'seed', label: 'Seed' },
        { key: 'device', label: 'Device', choiceLabel: deviceLabel },
        { key: 'pace', label: 'Speed', choiceLabel: (p) => PACE_LABELS[p as number]! },
      ]}
    />
  );
}

function DatasetLine({ store }: { store: TrainingStore }) {
  const ds = store((s) => s.dataset);
  const seed = store((s) => s.config?.seed);
  if (!ds) return null;
  return (
    <p className="provenance" data-testid="iris-data">
      {ds.train} training, {ds.validation} validation and {ds.test} test flowers — a stratified split seeded with {seed} (test {Math.round(ds.test / (ds.train + ds.validation + ds.test) * 100)}%, then{' '}
      {Math.round(VALIDATION_FRACTION * 100)}% of the rest for validation), features standardized with the training part's mean and standard deviation.{' '}
      <span className="muted">Source: {ds.source}.</span>
    </p>
  );
}

/** a finished run whose learning rate was changed since: continue it at the new rate */
function useContinue(): (() => void) | null {
  const lr = useIrisSettings((s) => s.lr);
  const done = useIrisTraining((s) => s.snapshot?.state === 'done' && s.snapshot.lr !== lr);
  return done ? () => void continueIrisRun() : null;
}

export function IrisTrainCellBody() {
  const display = useDisplayState(useIrisTraining);
  const continueRun = useContinue();
  useEffect(() => {
    if (useIrisTraining.getState().phase === 'off') void startIrisSession();
    // leaving the chapter pauses the run (the session and its charts stay)
    return () => void useIrisTraining.getState().pause();
  }, []);
  return (
    <TrainCell
      store={useIrisTraining}
      what="Iris training"
      controls={<IrisSettingsControls />}
      status={{ showTest: true }}
      continueRun={continueRun}
      loading={<p className="muted small">Loading Iris and building the network in the worker…</p>}
      notices={
        display === 'failed' ? (
          <div className="button-row">
            <button type="button" onClick={() => void startIrisSession()}>
              Try again
            </button>
          </div>
        ) : null
      }
      chart={{ axis: 'step', batchLoss: { name: 'training loss (per step)' }, valLoss: 'validation loss (per epoch)', accuracy: true, testId: 'iris' }}
      footer={<DatasetLine store={useIrisTraining} />}
    />
  );
}
