// Cell 5.1: LeNet trained on MNIST in the chapter's worker — the settings, Train / Pause /
// Reset, the download and epoch progress, throughput and device, the loss curve and the
// test accuracy after each epoch. On a software adapter it trains on the CPU reference and
// says why; the full epoch is one button away from the short default.

import { useEffect } from 'react';
import {
  CPU_SPEEDUP_ON_SOFTWARE,
  EXAMPLE_CHOICES,
  MAX_LR,
  MIN_LR,
  MNIST_TEST,
  MNIST_TRAIN,
  TEST_CHOICES,
  needsNewSession,
  trainingBackend,
  useLenet,
  useLenetSettings,
  useLenetTraining,
} from './settings';
import { useDevice } from '../../../store/device';
import { NumberInput, Select } from '../../../ui/controls';
import { TrainCell } from '../../cells/TrainCell';
import { fmtDuration } from '../../../ui/format';

const num = (v: number) => v.toLocaleString('en-US');

function choiceLabel(n: number, all: number): string {
  return n === 0 ? `all ${num(all)}` : num(n);
}

function Controls() {
  const lr = useLenetSettings((s) => s.lr);
  const batchSize = useLenetSettings((s) => s.batchSize);
  const epochs = useLenetSettings((s) => s.epochs);
  const examples = useLenetSettings((s) => s.examples);
  const testImages = useLenetSettings((s) => s.testImages);
  const seed = useLenetSettings((s) => s.seed);
  const set = useLenetSettings((s) => s.set);
  const setLr = (v: number) => set('lr', v);
  const setBatchSize = (v: number) => set('batchSize', Math.round(v));
  const setEpochs = (v: number) => set('epochs', Math.round(v));
  const setExamples = (v: number) => set('examples', v);
  const setTestImages = (v: number) => set('testImages', v);
  const setSeed = (v: number) => set('seed', Math.round(v));
  return (
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
  );
}

function PendingNote() {
  const examples = useLenetSettings((s) => s.examples);
  const testImages = useLenetSettings((s) => s.testImages);
  const seed = useLenetSettings((s) => s.seed);
  const webgpuAnyway = useLenetSettings((s) => s.webgpuAnyway);
  const appliedKey = useLenet((s) => s.appliedKey);
  const phase = useLenetTraining((s) => s.phase);
  const set = useLenetSettings((s) => s.set);
  const pending = needsNewSession({ examples, testImages, seed, webgpuAnyway, appliedKey });
  return (
    <>
      {examples !== 0 ? (
        <button
          type="button"
          disabled={phase === 'starting'}
          onClick={() => {
            set('examples', 0);
            void useLenet.getState().train();
          }}
        >
          Train on the full epoch ({num(MNIST_TRAIN)} examples)
        </button>
      ) : null}
      {pending ? <span className="muted small">The data settings, the seed or the device changed: Reset starts a new run with them.</span> : null}
    </>
  );
}

/**
 * Which backend trains, and why: on a software adapter the CPU reference (faster there),
 * with WebGPU one labelled choice away.
 */
function DeviceChoice() {
  const kind = useDevice((s) => s.kind);
  const deviceName = useDevice((s) => s.deviceName);
  const webgpuAnyway = useLenetSettings((s) => s.webgpuAnyway);
  const set = useLenetSettings((s) => s.set);
  const { software } = trainingBackend({ kind, deviceName }, webgpuAnyway);
  if (!software) return null;
  return (
    <div className="notice lenet-device-choice" role="status">
      <p>
        {webgpuAnyway ? (
          <>
            Training on WebGPU on {software}, a software renderer: the kernels run on the CPU, and the CPU reference would train
            LeNet about {CPU_SPEEDUP_ON_SOFTWARE}× faster here.
          </>
        ) : (
          <>
            Training on the CPU reference: this page's WebGPU adapter is {software}, a software renderer, on which the CPU reference
            trains LeNet about {CPU_SPEEDUP_ON_SOFTWARE}× faster.
          </>
        )}
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={webgpuAnyway} onChange={(e) => set('webgpuAnyway', e.target.checked)} /> Train on WebGPU anyway
      </label>
    </div>
  );
}

/** the chapter's figures beside the shared status: a full epoch's projected time, the device */
function StatusExtra() {
  const examplesPerSec = useLenetTraining((s) => s.examplesPerSec);
  const backend = useLenetTraining((s) => s.backend);
  const dataset = useLenetTraining((s) => s.dataset);
  return (
    <>
      <span>
        full epoch ≈{' '}
        <output className="mono" aria-label="Projected time of a full epoch">
          {examplesPerSec > 0 ? fmtDuration((dataset?.train ?? MNIST_TRAIN) / examplesPerSec) : '—'}
        </output>
      </span>
      <span>
        on{' '}
        <output className="mono" aria-label="Training device">
          {backend ? (backend.kind === 'webgpu' ? `WebGPU · ${backend.deviceName}` : backend.deviceName) : '—'}
        </output>
      </span>
    </>
  );
}

function DataNotes() {
  const dataset = useLenetTraining((s) => s.dataset);
  return (
    <>
      {dataset ? (
        <p className="muted small lenet-data-line">
          {dataset.name}: {num(dataset.train)} training and {num(dataset.test)} test images of {dataset.sampleShape.join(' × ')} ({dataset.source})
        </p>
      ) : null}
      <DeviceChoice />
    </>
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
    <TrainCell
      store={useLenetTraining}
      what="MNIST"
      controls={<Controls />}
      onTrain={() => void useLenet.getState().train()}
      onReset={() => void useLenet.getState().reset()}
      stepButton={false}
      buttonNote={<PendingNote />}
      status={{ showVal: false, showTest: true, accuracy: 'percent', extra: <StatusExtra /> }}
      notices={<DataNotes />}
      chart={{ axis: 'step', lossTitle: 'Cross-entropy loss while training LeNet', batchLoss: { name: 'training loss (mini-batch)' }, defaultLog: true }}
      table={{ columns: ['trainLoss', 'testLoss', 'testAccuracy'], caption: 'After each epoch (train loss: the mean of the losses read during the epoch)' }}
    />
  );
}
