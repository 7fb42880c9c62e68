// The playground cell: controls, the data with the boundary (or the fitted curve), the
// network diagram with the selected weight's numbers, the loss, and the gradients of the
// last step layer by layer in the order backward computes them.

import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { MetricChart, type MetricSeries } from '../../../ui/MetricChart';
import { fmtValue } from '../../../ui/format';
import { ArchControls, DataControls, TrainingControls, useSetter } from './controls';
import { CsvControls } from './CsvControls';
import { CLASS_COLORS, DataPlot } from './DataPlot';
import { gradientRows, NetDiagram, weightName, weightNumbers, type DiagramView, type WeightKey } from './NetDiagram';
import { mountRun, useRun } from './run';
import { DATA_INFO, effectiveLoss, usePlaygroundSettings } from './settings';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

function RunButtons() {
  const phase = useRun((s) => s.phase);
  const ready = useRun((s) => s.params !== null);
  const { train, pause, stepOnce, reset } = useRun.getState();
  return (
    <div className="button-row" role="group" aria-label="Training">
      <button type="button" className="primary" onClick={train} disabled={!ready || phase === 'running' || phase === 'diverged'}>
        Train
      </button>
      <button type="button" onClick={pause} disabled={phase !== 'running'}>
        Pause
      </button>
      <button type="button" onClick={() => void stepOnce()} disabled={!ready || phase === 'diverged'}>
        Step once
      </button>
      <button type="button" onClick={() => void reset()} disabled={!ready && phase !== 'diverged'}>
        Reset
      </button>
    </div>
  );
}

function Status() {
  const phase = useRun((s) => s.phase);
  const step = useRun((s) => s.step);
  const epoch = useRun((s) => s.epoch);
  const loss = useRun((s) => s.loss);
  const accuracy = useRun((s) => s.accuracy);
  const message = useRun((s) => s.message);
  const n = useRun((s) => s.data?.n ?? null);
  const batchSize = usePlaygroundSettings((s) => s.batchSize);
  const lossName = usePlaygroundSettings((s) => (effectiveLoss(s) === 'mse' ? 'squared error' : 'cross-entropy'));
  return (
    <>
      <p className="train-status pg-status">
        <span className={`dot ${phase === 'running' ? 'on' : ''}`} aria-hidden="true" />
        <span>{phase === 'running' ? 'training' : phase === 'diverged' ? 'diverged' : step ? 'paused' : 'ready'}</span>
        <span>
          step <output className="mono" aria-label="Step" aria-live="off">{step.toLocaleString('en-US')}</output>
        </span>
        <span>
          epoch <output className="mono" aria-label="Epoch" aria-live="off">{epoch}</output>
        </span>
        {n !== null ? (
          <span>
            batch{' '}
            <output className="mono" aria-label="Points per step" aria-live="off">
              {Math.min(batchSize, n)} of {n}
            </output>{' '}
            points
          </span>
        ) : null}
        <span>
          {lossName} over all points{' '}
          <output className="mono" aria-label="Loss over all points" aria-live="off">
            {loss === null ? '—' : fmtValue(loss)}
          </output>
        </span>
        {accuracy !== null ? (
          <span>
            accuracy <output className="mono" aria-label="Accuracy" aria-live="off">{pct(accuracy)}</output>
          </span>
        ) : null}
      </p>
      {message ? (
        <p className="notice warn" role="alert">
          {message}
        </p>
      ) : null}
    </>
  );
}

function PlotPanel() {
  const data = useRun((s) => s.data);
  const prediction = useRun((s) => s.prediction);
  const batch = useRun((s) => s.batch);
  const before = useRun((s) => s.before);
  const frames = useRun((s) => s.frames);
  const step = useRun((s) => s.step);
  const accuracy = useRun((s) => s.accuracy);
  if (!data) return <div className="pg-plot pg-placeholder">Making the data…</div>;
  const classification = data.task === 'classification';
  const label = classification
    ? `${data.name}: ${data.n} points in ${data.k} classes, with the network's decision regions after step ${step}${accuracy !== null ? ` (accuracy ${pct(accuracy)})` : ''}`
    : `${data.name}: ${data.n} points and the network's fitted curve after step ${step}`;
  return (
    <figure className="pg-figure">
      <DataPlot data={data} prediction={prediction} batch={before ? batch : null} frame={frames} label={label} />
      <figcaption className="pg-legend">
        {classification ? (
          data.classNames.map((name, c) => (
            <span key={name} className="pg-key">
              <span className="pg-swatch" style={{ background: CLASS_COLORS[c] }} aria-hidden="true" />
              {name}
            </span>
          ))
        ) : (
          <>
            <span className="pg-key">
              <span className="pg-swatch round" style={{ background: '#c2571a' }} aria-hidden="true" />
              the course's points
            </span>
            <span className="pg-key">
              <span className="pg-swatch line" style={{ background: '#2f5fa7' }} aria-hidden="true" />
              the network's ŷ(x)
            </span>
          </>
        )}
        {data.axisNames ? (
          <span className="pg-key">
            x₁ (across): <span className="mono">{data.axisNames[0]}</span> · x₂ (up): <span className="mono">{data.axisNames[1]}</span>
          </span>
        ) : null}
        {before ? <span className="pg-key muted">ringed: the mini-batch of the last step</span> : null}
        {classification ? <span className="pg-key muted">background: the predicted class, paler where the network is unsure</span> : null}
      </figcaption>
    </figure>
  );
}

function WeightDetails({ k }: { k: WeightKey }) {
  const params = useRun((s) => s.params);
  const grads = useRun((s) => s.grads);
  const before = useRun((s) => s.before);
  const step = useRun((s) => s.step);
  const lr = usePlaygroundSettings((s) => s.lr);
  const optimizer = usePlaygroundSettings((s) => s.optimizer);
  const n = params ? weightNumbers(k, params, grads, before) : null;
  if (!params || !n) return null;
  const name = weightName(k, params[k.layer]!.nIn);
  return (
    <dl className="pg-weight" aria-label="Selected weight">
      <div>
        <dt>selected</dt>
        <dd className="mono" data-testid="selected-weight-name">
          {name}
        </dd>
      </div>
      <div>
        <dt>value</dt>
        <dd>
          <output className="mono" aria-label="Selected weight value">
            {fmtValue(n.value, 6)}
          </output>
        </dd>
      </div>
      <div>
        <dt>∂L/∂{name.startsWith('b') ? 'b' : 'w'} of step {step}</dt>
        <dd>
          <output className="mono" aria-label="Selected weight gradient">
            {n.grad === null ? '— (no step yet)' : fmtValue(n.grad, 6)}
          </output>
        </dd>
      </div>
      {n.before !== null && n.grad !== null ? (
        <div>
          <dt>{optimizer === 'sgd' ? `update −η·g (η = ${lr})` : 'update (after − before)'}</dt>
          <dd className="mono">
            {fmtValue(n.before, 6)} → {fmtValue(n.value, 6)} ({fmtValue(n.value - n.before, 4)})
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function GradientTable() {
  const grads = useRun((s) => s.grads);
  const step = useRun((s) => s.step);
  const params = useRun((s) => s.params);
  const rows = useMemo(() => (grads ? gradientRows(grads) : []), [grads]);
  if (!grads || !params) return <p className="muted small">The gradients appear after the first step (press Step once).</p>;
  const L = grads.length;
  return (
    <div className="pg-grads-wrap">
      <table className="pg-grads" aria-label={`Gradients of step ${step}, output layer first`}>
        <caption>
          Backward pass of step {step}: output layer first, as backward computes them
        </caption>
        <thead>
          <tr>
            <th scope="col">layer</th>
            <th scope="col">‖∂L/∂W‖</th>
            <th scope="col">max |∂L/∂W|</th>
            <th scope="col">‖∂L/∂b‖</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.layer}>
              <th scope="row">
                W{r.layer + 1}, b{r.layer + 1} <span className="muted">{r.layer === L - 1 ? 'output' : `hidden ${r.layer + 1}`}</span>
              </th>
              <td className="mono">{fmtValue(r.wNorm, 3)}</td>
              <td className="mono">{fmtValue(r.wMax, 3)}</td>
              <td className="mono">{fmtValue(r.bNorm, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DiagramPanel() {
  const params = useRun((s) => s.params);
  const grads = useRun((s) => s.grads);
  const before = useRun((s) => s.before);
  const singleSteps = useRun((s) => s.singleSteps);
  const step = useRun((s) => s.step);
  const data = useRun((s) => s.data);
  const layers = usePlaygroundSettings((s) => s.layers);
  const [view, setView] = useState<DiagramView>('weights');
  const [selected, setSelected] = useState<WeightKey>({ layer: 0, from: 0, to: 0 });
  // a single step shows its backward pass
  useEffect(() => {
    if (singleSteps > 0) setView('gradients');
  }, [singleSteps]);
  // a new architecture: keep the selection inside it
  const sel = useMemo<WeightKey>(() => {
    if (!params) return selected;
    const layer = Math.min(selected.layer, params.length - 1);
    const p = params[layer]!;
    return { layer, from: Math.min(selected.from, p.nIn), to: Math.min(selected.to, p.nOut - 1) };
  }, [params, selected]);
  if (!params || !data) return <div className="pg-placeholder">Building the network…</div>;
  // a new network has no gradients until its first step
  const shown: DiagramView = grads ? view : 'weights';
  const activations = [...layers.map((l) => l.activation), data.task === 'classification' ? 'softmax' : 'linear'];
  const inputNames = data.d === 2 ? ['x₁', 'x₂'] : ['x'];
  const outputNames = data.task === 'classification' ? data.classNames : ['ŷ'];
  return (
    <div className="pg-net">
      <div className="pg-view" role="radiogroup" aria-label="The edges show">
        {(['weights', 'gradients'] as const).map((v) => (
          <label key={v} className="checkbox">
            <input type="radio" name="pg-view" value={v} checked={shown === v} onChange={() => setView(v)} disabled={v === 'gradients' && !grads} />
            {v === 'weights' ? 'weights' : 'gradients of the last step'}
          </label>
        ))}
      </div>
      <NetDiagram
        params={params}
        grads={grads}
        before={before}
        view={shown}
        inputNames={inputNames}
        outputNames={outputNames}
        activations={activations}
        selected={sel}
        onSelect={setSelected}
        sweep={shown === 'gradients' ? singleSteps : 0}
        step={step}
      />
      <p className="muted small pg-note">
        {shown === 'gradients'
          ? 'Edge width: |∂L/∂w| relative to the largest in its layer; red where the gradient is positive (the step lowers the weight), blue where negative. Unit colour: ∂L/∂b.'
          : 'Edge width: |w| relative to the largest weight; red positive, blue negative. Unit colour: its bias.'}{' '}
        Hover an edge or a unit, or Tab to the diagram and move with ↑ ↓ (the unit a weight enters), Shift + ↑ ↓ (the unit it leaves; past
        the last, the bias), ← → (the layer).
      </p>
      <WeightDetails k={sel} />
    </div>
  );
}

function LossPanel() {
  // the chart renders at a lower priority than the picture and the diagram
  const history = useDeferredValue(useRun((s) => s.history));
  const series = useMemo<MetricSeries[]>(() => [{ name: 'loss over all points', points: history }], [history]);
  return <MetricChart title="Loss while training" series={series} xLabel="step" yLabel="loss" height={220} allowLog defaultLog testId="playground-loss" />;
}

export function PlaygroundCellBody() {
  useEffect(() => mountRun(), []);
  const [set, error] = useSetter();
  const data = usePlaygroundSettings((s) => s.data);
  return (
    <div className="pg">
      <div className="pg-controls">
        <DataControls set={set} />
        <ArchControls set={set} />
        <TrainingControls set={set} />
      </div>
      <CsvControls />
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <RunButtons />
      <Status />
      <div className="pg-main">
        <div>
          <h3 className="pg-h">{DATA_INFO[data].task === 'classification' ? 'Data and decision regions' : 'Data and fitted curve'}</h3>
          <PlotPanel />
        </div>
        <div>
          <h3 className="pg-h">The network</h3>
          <DiagramPanel />
        </div>
      </div>
      <div className="pg-main">
        <LossPanel />
        <GradientTable />
      </div>
    </div>
  );
}
