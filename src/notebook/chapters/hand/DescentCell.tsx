// Full-batch gradient descent on the mean squared error, animated: each animation
// frame runs `stepsPerFrame` steps θ ← θ − η ∂L/∂θ and appends one point to the loss
// history (metrics arrive per frame, not per step).

import { useEffect, useMemo } from 'react';
import { LR_RANGE, SPF_RANGE, useHandNetwork, useHandSettings } from './settings';
import { MetricChart, type MetricSeries } from '../../../ui/MetricChart';
import { NumberInput, Slider } from '../../../ui/controls';
import { FunctionPlot } from './FunctionPlot';
import { DATASETS, datasetLoss, deadUnits, HIDDEN } from './hand-net';

function useTrainingLoop() {
  const running = useHandNetwork((s) => s.running);
  useEffect(() => {
    if (!running) return;
    let raf = 0;
    const tick = () => {
      const s = useHandNetwork.getState();
      if (!s.running) return;
      s.advance(useHandSettings.getState().stepsPerFrame);
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [running]);
  // leaving the chapter pauses the run
  useEffect(() => () => useHandNetwork.getState().pause(), []);
}

function TrainControls() {
  const running = useHandNetwork((s) => s.running);
  const lr = useHandSettings((s) => s.lr);
  const spf = useHandSettings((s) => s.stepsPerFrame);
  const train = useHandNetwork((s) => s.train);
  const pause = useHandNetwork((s) => s.pause);
  const reset = useHandNetwork((s) => s.reset);
  const setLr = useHandNetwork((s) => s.setLr);
  const setSpf = useHandNetwork((s) => s.setStepsPerFrame);
  return (
    <div className="controls-row">
      <div className="button-row" role="group" aria-label="Training">
        <button type="button" className="primary" onClick={train} disabled={running}>
          Train
        </button>
        <button type="button" onClick={pause} disabled={!running}>
          Pause
        </button>
        <button
          type="button"
          onClick={() => {
            const s = useHandNetwork.getState();
            if (!s.history.length) s.train();
            s.advance(1);
            s.pause();
          }}
          disabled={running}
        >
          Step once
        </button>
        <button type="button" onClick={reset}>
          Reset
        </button>
      </div>
      <NumberInput label="Learning rate" value={lr} min={LR_RANGE.min} max={LR_RANGE.max} step="any" onChange={setLr} hint="η" />
      <Slider label="Steps per frame" value={spf} min={SPF_RANGE.min} max={SPF_RANGE.max} step={1} format={(v) => String(v)} onChange={setSpf} />
    </div>
  );
}

function TrainStatus() {
  const step = useHandNetwork((s) => s.step);
  const params = useHandNetwork((s) => s.params);
  const dataset = useHandSettings((s) => s.dataset);
  const running = useHandNetwork((s) => s.running);
  const stopReason = useHandNetwork((s) => s.stopReason);
  const loss = useMemo(() => datasetLoss(params, DATASETS[dataset].points), [params, dataset]);
  const dead = useMemo(() => deadUnits(params, DATASETS[dataset].points), [params, dataset]);
  return (
    <>
      <p className="train-status" aria-live="off">
        <span className={`dot ${running ? 'on' : ''}`} aria-hidden="true" />
        <span>{running ? 'training' : step ? 'paused' : 'ready'}</span>
        <span>
          step <output className="mono" aria-label="Step" aria-live="off">{step.toLocaleString('en-US')}</output>
        </span>
        <span>
          mean loss <output className="mono" aria-label="Mean loss" aria-live="off">{loss.toPrecision(4)}</output>
        </span>
        <span>
          dead units{' '}
          <output className="mono" aria-label="Dead units" aria-live="off">
            {dead.length ? dead.map((j) => j + 1).join(', ') : 'none'}
          </output>
        </span>
      </p>
      {dead.length === HIDDEN ? (
        <p className="notice warn" role="status">
          All four hidden units are off at every data point, so only b2 still learns and the network is a constant. A step was too
          large — lower the learning rate and press Reset.
        </p>
      ) : null}
      {stopReason ? (
        <p className="notice warn" role="alert">
          {stopReason}
        </p>
      ) : null}
    </>
  );
}

function TrainChart() {
  const history = useHandNetwork((s) => s.history);
  const x = useHandSettings((s) => s.x);
  const series = useMemo<MetricSeries[]>(
    () => [
      { name: 'mean loss over the data set', points: history.map((h) => ({ x: h.step, value: h.loss })) },
      { name: `loss at x = ${x}`, points: history.map((h) => ({ x: h.step, value: h.lossAtX })), dashed: true },
    ],
    [history, x],
  );
  return <MetricChart title="Loss during gradient descent" series={series} xLabel="step" yLabel="loss" maxPoints={400} defaultLog />;
}

function TrainPlot() {
  const params = useHandNetwork((s) => s.params);
  const dataset = useHandSettings((s) => s.dataset);
  const x = useHandSettings((s) => s.x);
  return <FunctionPlot params={params} data={DATASETS[dataset].points} x={x} title="The network's function while training" viewWidth={460} height={300} />;
}

export function DescentCellBody() {
  useTrainingLoop();
  return (
    <>
      <TrainControls />
      <TrainStatus />
      <div className="two-col">
        <TrainChart />
        <TrainPlot />
      </div>
    </>
  );
}
