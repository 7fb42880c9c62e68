// Cell 3.1: the 4–h–3 network trained on Iris in the training worker, with live loss and
// accuracy charts. The hyperparameters can change while it trains: the learning rate,
// batch size and epochs apply from the next step on; a new hidden size builds a new model
// from the same seed. Each change is marked on the charts at the step where it applied.

import { useEffect, useMemo } from 'react';
import type { TrainingStore } from '../../../store/training';
import { NumberInput, Select } from '../../../ui/controls';
import { MetricChart, type ChartMarker, type MetricSeries } from '../../../ui/MetricChart';
import { DeviceLine, EpochProgress, LiveSummary, SessionNotices, SessionStatus, TrainButtons, useDisplayState } from '../../cells/TrainingParts';
import { LIMITS, PACES, startIrisSession, useIrisSettings, useIrisTraining, VALIDATION_FRACTION, type Device } from './settings';

const PACE_LABELS: Record<number, string> = { 0: 'full speed', 1000: '1000 steps/s', 200: '200 steps/s', 50: '50 steps/s', 10: '10 steps/s' };

export function IrisSettingsControls() {
  const lr = useIrisSettings((s) => s.lr);
  const hidden = useIrisSettings((s) => s.hidden);
  const batchSize = useIrisSettings((s) => s.batchSize);
  const epochs = useIrisSettings((s) => s.epochs);
  const seed = useIrisSettings((s) => s.seed);
  const device = useIrisSettings((s) => s.device);
  const pace = useIrisSettings((s) => s.pace);
  const set = useIrisSettings((s) => s.set);
  return (
    <fieldset className="settings-group">
      <legend>Hyperparameters</legend>
      <div className="controls-row">
        <NumberInput label="Learning rate" hint="η" value={lr} min={LIMITS.lr.min} max={LIMITS.lr.max} onChange={(v) => set('lr', v)} />
        <NumberInput label="Hidden size" hint="h" value={hidden} min={LIMITS.hidden.min} max={LIMITS.hidden.max} step={1} onChange={(v) => set('hidden', Math.round(v))} />
        <NumberInput label="Batch size" hint="|B|" value={batchSize} min={LIMITS.batchSize.min} max={LIMITS.batchSize.max} step={1} onChange={(v) => set('batchSize', Math.round(v))} />
        <NumberInput label="Epochs" value={epochs} min={LIMITS.epochs.min} max={LIMITS.epochs.max} step={1} onChange={(v) => set('epochs', Math.round(v))} />
        <NumberInput label="Seed" value={seed} min={LIMITS.seed.min} max={LIMITS.seed.max} step={1} onChange={(v) => set('seed', Math.round(v))} />
        <Select<Device>
          label="Device"
          value={device}
          options={[
            { value: 'webgpu', label: 'WebGPU' },
            { value: 'cpu', label: 'CPU reference (float64)' },
          ]}
          onChange={(v) => set('device', v)}
        />
        <Select<string>
          label="Speed"
          value={String(pace)}
          options={PACES.map((p) => ({ value: String(p), label: PACE_LABELS[p]! }))}
          onChange={(v) => set('pace', Number(v))}
        />
      </div>
    </fieldset>
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

export function useChartData(store: TrainingStore) {
  const rawLoss = store((s) => s.loss);
  const rawEvals = store((s) => s.evals);
  const rawMarkers = store((s) => s.markers);
  // the chart redraws a few times a second (it throttles its own redraws)
  const [loss, evals, markers] = [rawLoss, rawEvals, rawMarkers];
  const lossSeries = useMemo<MetricSeries[]>(
    () => [
      { name: 'training loss (per step)', points: loss.map((p) => ({ x: p.x, value: p.value, run: p.run })) },
      {
        name: 'validation loss (per epoch)',
        points: evals.flatMap((e) => (e.valLoss === null ? [] : [{ x: e.x, value: e.valLoss, run: e.run }])),
        dots: evals.length <= 25,
      },
    ],
    [loss, evals],
  );
  const accSeries = useMemo<MetricSeries[]>(
    () => [
      {
        name: 'validation accuracy',
        points: evals.flatMap((e) => (e.valAccuracy === null ? [] : [{ x: e.x, value: e.valAccuracy, run: e.run }])),
        dots: evals.length <= 25,
      },
      {
        name: 'test accuracy',
        points: evals.flatMap((e) => (e.testAccuracy === null ? [] : [{ x: e.x, value: e.testAccuracy, run: e.run }])),
        dashed: true,
      },
    ],
    [evals],
  );
  const chartMarkers = useMemo<ChartMarker[]>(() => markers.map((m) => ({ kind: m.kind, x: m.x, label: m.label })), [markers]);
  return { lossSeries, accSeries, chartMarkers };
}

function IrisCharts() {
  const { lossSeries, accSeries, chartMarkers } = useChartData(useIrisTraining);
  return (
    <div className="two-col">
      <MetricChart title="Loss" xLabel="step" yLabel="cross-entropy loss" series={lossSeries} markers={chartMarkers} allowLog testId="iris-loss-chart" />
      <MetricChart
        title="Accuracy"
        xLabel="step"
        yLabel="accuracy"
        series={accSeries}
        markers={chartMarkers}
        yDomain={[0, 1]}
        format={(v) => v.toFixed(3)}
        emptyText="No points yet — accuracy is measured at the end of each epoch."
        testId="iris-accuracy-chart"
      />
    </div>
  );
}

export function IrisTrainCellBody() {
  const phase = useIrisTraining((s) => s.phase);
  const display = useDisplayState(useIrisTraining);
  useEffect(() => {
    if (useIrisTraining.getState().phase === 'off') void startIrisSession();
    // leaving the chapter pauses the run (the session and its charts stay)
    return () => void useIrisTraining.getState().pause();
  }, []);
  return (
    <>
      <IrisSettingsControls />
      <TrainButtons store={useIrisTraining} />
      <SessionStatus store={useIrisTraining} showTest />
      <LiveSummary store={useIrisTraining} what="Iris training" />
      {phase === 'failed' ? (
        <div className="button-row">
          <button type="button" onClick={() => void startIrisSession()}>
            Try again
          </button>
        </div>
      ) : null}
      <SessionNotices store={useIrisTraining} />
      {display === 'loading' ? <p className="muted small">Loading Iris and building the network in the worker…</p> : <EpochProgress store={useIrisTraining} />}
      <IrisCharts />
      <footer className="cell-foot">
        <DeviceLine store={useIrisTraining} />
        <DatasetLine store={useIrisTraining} />
      </footer>
    </>
  );
}
