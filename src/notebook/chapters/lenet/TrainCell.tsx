// Cell 5.1: LeNet trained on MNIST in the chapter's worker — the settings, Train / Pause /
// Reset, the download and epoch progress, throughput and device, the loss curve and the
// test accuracy after each epoch.

import { useEffect, useMemo } from 'react';
import { EXAMPLE_CHOICES, MAX_LR, MIN_LR, MNIST_TEST, MNIST_TRAIN, TEST_CHOICES, needsNewSession, useLenet, useLenetTraining } from './settings';
import { MetricChart, type MetricSeries } from '../../../ui/MetricChart';
import { NumberInput, Progress, Select } from '../../../ui/controls';
import { DeviceNote, WorkerStopped } from '../../cells/WorkerStopped';
import { fmtDuration } from '../../../ui/format';

const num = (v: number) => v.toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function choiceLabel(n: number, all: number): string {
  return n === 0 ? `all ${num(all)}` : num(n);
}

function Controls() {
  const lr = useLenet((s) => s.lr);
  const batchSize = useLenet((s) => s.batchSize);
  const epochs = useLenet((s) => s.epochs);
  const examples = useLenet((s) => s.examples);
  const testImages = useLenet((s) => s.testImages);
  const seed = useLenet((s) => s.seed);
  const phase = useLenetTraining((s) => s.phase);
  const state = useLenetTraining((s) => s.snapshot?.state ?? null);
  const train = useLenet((s) => s.train);
  const pause = useLenet((s) => s.pause);
  const reset = useLenet((s) => s.reset);
  const setLr = useLenet((s) => s.setLr);
  const setBatchSize = useLenet((s) => s.setBatchSize);
  const setEpochs = useLenet((s) => s.setEpochs);
  const setExamples = useLenet((s) => s.setExamples);
  const setTestImages = useLenet((s) => s.setTestImages);
  const setSeed = useLenet((s) => s.setSeed);
  const running = state === 'running';
  const loading = phase === 'starting';
  const canTrain = !loading && !running && state !== 'done' && state !== 'diverged' && state !== 'stopped' && state !== 'failed';
  return (
    <>
      <div className="controls-row">
        <NumberInput label="Learning rate" value={lr} min={MIN_LR} max={MAX_LR} step="any" onChange={setLr} hint="Adam's η" />
        <NumberInput label="Batch size" value={batchSize} min={1} max={4096} step={1} onChange={setBatchSize} />
        <NumberInput label="Epochs" value={epochs} min={1} max={50} step={1} onChange={setEpochs} />
        <Select
          label="Examples per epoch"
          value={String(examples)}
          options={EXAMPLE_CHOICES.map((n) => ({ value: String(n), label: choiceLabel(n, MNIST_TRAIN) }))}
          onChange={(v) => setExamples(Number(v))}
        />
        <Select
          label="Test images"
          value={String(testImages)}
          options={TEST_CHOICES.map((n) => ({ value: String(n), label: choiceLabel(n, MNIST_TEST) }))}
          onChange={(v) => setTestImages(Number(v))}
        />
        <NumberInput label="Seed" value={seed} min={0} max={2 ** 31 - 1} step={1} onChange={setSeed} />
      </div>
      <div className="button-row" role="group" aria-label="Training">
        <button type="button" className="primary" onClick={() => void train()} disabled={!canTrain}>
          Train
        </button>
        <button type="button" onClick={() => void pause()} disabled={!running}>
          Pause
        </button>
        <button type="button" onClick={() => void reset()} disabled={phase === 'off' || loading}>
          Reset
        </button>
        <PendingNote />
      </div>
    </>
  );
}

function PendingNote() {
  const examples = useLenet((s) => s.examples);
  const testImages = useLenet((s) => s.testImages);
  const seed = useLenet((s) => s.seed);
  const appliedKey = useLenet((s) => s.appliedKey);
  const pending = needsNewSession({ examples, testImages, seed, appliedKey });
  return pending ? <span className="muted small">The data settings or the seed changed: Reset starts a new run with them.</span> : null;
}

function DownloadProgress() {
  const phase = useLenetTraining((s) => s.phase);
  const download = useLenetTraining((s) => s.download);
  if (phase !== 'starting') return null;
  if (!download || download.total === 0) return <Progress label="Loading MNIST" detail="asking for the files…" />;
  const detail =
    download.phase === 'download' ? `${mb(download.loaded)} of ${mb(download.total)}` : download.phase === 'decode' ? 'decoding the images…' : 'building the model…';
  return <Progress label="Loading MNIST" value={download.loaded} max={download.total} detail={detail} />;
}

function EpochProgress() {
  const snap = useLenetTraining((s) => s.snapshot);
  if (!snap) return null;
  const epochShown = Math.min(snap.epochs, snap.epoch + (snap.state === 'done' ? 0 : 1));
  const finished = snap.epoch >= snap.epochs;
  const value = finished ? snap.stepsPerEpoch : snap.stepInEpoch;
  return (
    <Progress
      label={`Epoch ${epochShown} of ${snap.epochs}`}
      value={value}
      max={snap.stepsPerEpoch}
      detail={`${num(value)} of ${num(snap.stepsPerEpoch)} steps`}
    />
  );
}

const STATE_TEXT: Record<string, string> = {
  idle: 'ready',
  running: 'training',
  paused: 'paused',
  done: 'done',
  diverged: 'diverged',
  stopped: 'stopped',
  failed: 'failed',
};

function Status() {
  const phase = useLenetTraining((s) => s.phase);
  const snap = useLenetTraining((s) => s.snapshot);
  const examplesPerSec = useLenetTraining((s) => s.examplesPerSec);
  const backend = useLenetTraining((s) => s.backend);
  const dataset = useLenetTraining((s) => s.dataset);
  const evals = useLenetTraining((s) => s.evals);
  const last = evals.length ? evals[evals.length - 1]! : null;
  const state = snap?.state ?? null;
  return (
    <>
      <p className="train-status" aria-live="off">
        <span className={`dot ${state === 'running' ? 'on' : ''}`} aria-hidden="true" />
        <span data-testid="lenet-state">{phase === 'starting' ? 'loading' : phase === 'off' ? 'not started' : phase === 'failed' ? 'failed' : phase === 'stopped' ? 'worker stopped' : STATE_TEXT[state ?? 'idle']}</span>
        <span>
          step{' '}
          <output className="mono" aria-label="Step">
            {num(snap?.step ?? 0)}
          </output>
        </span>
        <span>
          <output className="mono" aria-label="Examples per second">
            {examplesPerSec > 0 ? num(Math.round(examplesPerSec)) : '—'}
          </output>{' '}
          examples/s
        </span>
        <span>
          full epoch ≈{' '}
          <output className="mono" aria-label="Projected time of a full epoch">
            {examplesPerSec > 0 ? fmtDuration((dataset?.train ?? MNIST_TRAIN) / examplesPerSec) : '—'}
          </output>
        </span>
        <span>
          test accuracy{' '}
          <output className="mono" aria-label="Test accuracy">
            {last?.testAccuracy != null ? `${(100 * last.testAccuracy).toFixed(2)}%` : '—'}
          </output>
          {last ? <span className="muted small"> after epoch {last.epoch}</span> : null}
        </span>
        <span>
          on{' '}
          <output className="mono" aria-label="Training device">
            {backend ? (backend.kind === 'webgpu' ? `WebGPU · ${backend.deviceName}` : backend.deviceName) : '—'}
          </output>
        </span>
      </p>
      {dataset ? (
        <p className="muted small lenet-data-line">
          {dataset.name}: {num(dataset.train)} training and {num(dataset.test)} test images of {dataset.sampleShape.join(' × ')} ({dataset.source})
        </p>
      ) : null}
      {backend?.fallbackReason ? (
        <p className="notice warn" role="status">
          Training on the CPU: {backend.fallbackReason}.
        </p>
      ) : backend?.isFallback ? (
        <p className="notice warn" role="status">
          The WebGPU adapter is a software renderer ({backend.deviceName}): the kernels run on the CPU, so a full epoch takes a long time.
          Pick fewer examples per epoch to see it through.
        </p>
      ) : null}
    </>
  );
}

/** the session names a non-finite loss as text; the page says it in words */
const LOSS_WORDS: Record<string, string> = {
  NaN: 'stopped being a number',
  Infinity: 'overflowed to infinity',
  '-Infinity': 'overflowed to minus infinity',
};

function Problems() {
  const error = useLenetTraining((s) => s.error);
  const phase = useLenetTraining((s) => s.phase);
  const diverged = useLenetTraining((s) => s.divergence);
  const state = useLenetTraining((s) => s.snapshot?.state ?? null);
  const message = useLenetTraining((s) => s.snapshot?.message ?? '');
  return (
    <>
      {diverged ? (
        <p className="notice warn" role="alert">
          Training diverged at step {diverged.step} (learning rate {diverged.lr}):{' '}
          {diverged.cause === 'loss' ? `the loss ${LOSS_WORDS[diverged.loss] ?? 'stopped being a finite number'}` : diverged.reason}.
          Lower the learning rate and press Reset.
        </p>
      ) : null}
      <WorkerStopped store={useLenetTraining} />
      <DeviceNote store={useLenetTraining} />
      {state === 'failed' && phase !== 'stopped' ? (
        <p className="notice error" role="alert">
          {message}
        </p>
      ) : null}
      {error && phase !== 'stopped' ? (
        <p className={`notice ${phase === 'failed' ? 'error' : 'warn'}`} role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

function Chart() {
  const loss = useLenetTraining((s) => s.loss);
  const series = useMemo<MetricSeries[]>(() => [{ name: 'training loss (mini-batch)', points: loss.map((p) => ({ x: p.x, value: p.value, run: p.run })) }], [loss]);
  return <MetricChart title="Cross-entropy loss while training LeNet" series={series} xLabel="step" yLabel="loss" maxPoints={400} defaultLog />;
}

function EvalTable() {
  const evals = useLenetTraining((s) => s.evals);
  if (!evals.length) return null;
  return (
    <div className="table-wrap" role="region" aria-label="Accuracy after each epoch" tabIndex={0}>
      <table className="lenet-evals">
        <caption>After each epoch (train loss: the mean of the losses read during the epoch)</caption>
        <thead>
          <tr>
            <th scope="col">epoch</th>
            <th scope="col" className="num">
              steps
            </th>
            <th scope="col" className="num">
              train loss
            </th>
            <th scope="col" className="num">
              test loss
            </th>
            <th scope="col" className="num">
              test accuracy
            </th>
          </tr>
        </thead>
        <tbody>
          {evals.map((e) => (
            <tr key={`${e.run}-${e.epoch}`}>
              <th scope="row">{e.epoch}</th>
              <td className="num">{num(e.step)}</td>
              <td className="num">{e.trainLoss != null ? e.trainLoss.toFixed(4) : '—'}</td>
              <td className="num">{e.testLoss != null ? e.testLoss.toFixed(4) : '—'}</td>
              <td className="num">{e.testAccuracy != null ? `${(100 * e.testAccuracy).toFixed(2)}%` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TrainCellBody() {
  // leaving the chapter pauses the run (the worker keeps the model)
  useEffect(
    () => () => {
      if (useLenetTraining.getState().snapshot?.state === 'running') void useLenetTraining.getState().pause();
    },
    [],
  );
  return (
    <>
      <Controls />
      <DownloadProgress />
      <EpochProgress />
      <Status />
      <Problems />
      <Chart />
      <EvalTable />
    </>
  );
}
