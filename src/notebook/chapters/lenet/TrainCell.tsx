// Cell 5.1: LeNet trained on MNIST in the chapter's worker — the settings, Train / Pause /
// Reset, the download and epoch progress, throughput and device, the loss curve and the
// test accuracy after each epoch.

import { useEffect } from 'react';
import { LENET_SETTINGS, MNIST_TEST, MNIST_TRAIN, needsNewSession, useLenet, useLenetSettings, useLenetTraining } from './settings';
import { SettingsControls } from '../../cells/SettingsControls';
import { TrainCell } from '../../cells/TrainCell';
import { fmtDuration } from '../../../ui/format';

const num = (v: number) => v.toLocaleString('en-US');

function choiceLabel(n: number, all: number): string {
  return n === 0 ? `all ${num(all)}` : num(n);
}

function Controls() {
  return (
    <SettingsControls
      settings={LENET_SETTINGS}
      legend="Training settings"
      controls={[
        { key: 'lr', label: 'Learning rate', hint: "Adam's η" },
        { key: 'batchSize', label: 'Batch size' },
        { key: 'epochs', label: 'Epochs' },
        { key: 'examples', label: 'Examples per epoch', choiceLabel: (n) => choiceLabel(n as number, MNIST_TRAIN) },
        { key: 'testImages', label: 'Test images', choiceLabel: (n) => choiceLabel(n as number, MNIST_TEST) },
        { key: 'seed', label: 'Seed' },
      ]}
    />
  );
}

function PendingNote() {
  const examples = useLenetSettings((s) => s.examples);
  const testImages = useLenetSettings((s) => s.testImages);
  const seed = useLenetSettings((s) => s.seed);
  const appliedKey = useLenet((s) => s.appliedKey);
  const pending = needsNewSession({ examples, testImages, seed, appliedKey });
  return pending ? <span className="muted small">The data settings or the seed changed: Reset starts a new run with them.</span> : null;
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
  const backend = useLenetTraining((s) => s.backend);
  const dataset = useLenetTraining((s) => s.dataset);
  return (
    <>
      {dataset ? (
        <p className="muted small lenet-data-line">
          {dataset.name}: {num(dataset.train)} training and {num(dataset.test)} test images of {dataset.sampleShape.join(' × ')} ({dataset.source})
        </p>
      ) : null}
      {backend?.isFallback && !backend.fallbackReason ? (
        <p className="notice warn" role="status">
          The WebGPU adapter is a software renderer ({backend.deviceName}): the kernels run on the CPU, so a full epoch takes a long time.
          Pick fewer examples per epoch to see it through.
        </p>
      ) : null}
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
