// Cell 5.1: LeNet trained on MNIST in the chapter's worker — the settings, Train / Pause /
// Reset, the download and epoch progress, throughput and device, the loss curve and the
// test accuracy after each epoch. On a software adapter it trains on the backend measured
// faster there and says why; the full epoch is one button away from the short default.

import { useEffect } from 'react';
import { fasterOnSoftware, LENET_SETTINGS, MNIST_TEST, MNIST_TRAIN, needsNewSession, trainingBackend, useLenet, useLenetSettings, useLenetTraining } from './settings';
import { useDevice } from '../../../store/device';
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
  const device = useLenetSettings((s) => s.device);
  const appliedKey = useLenet((s) => s.appliedKey);
  const phase = useLenetTraining((s) => s.phase);
  const set = useLenetSettings((s) => s.set);
  const pending = needsNewSession({ examples, testImages, seed, device, appliedKey });
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

const BACKEND_WORDS = { webgpu: 'WebGPU', cpu: 'the CPU reference' } as const;

/**
 * Which backend trains, and why: on a software adapter the one measured faster there, with
 * the other one labelled choice away.
 */
function DeviceChoice() {
  const kind = useDevice((s) => s.kind);
  const deviceName = useDevice((s) => s.deviceName);
  const device = useLenetSettings((s) => s.device);
  const set = useLenetSettings((s) => s.set);
  const { prefer, software } = trainingBackend({ kind, deviceName }, device);
  if (!software) return null;
  const { faster, slower, ratio } = fasterOnSoftware();
  const times = `${ratio.toFixed(1)}×`;
  const [fast, slow] = [BACKEND_WORDS[faster], BACKEND_WORDS[slower]];
  return (
    <div className="notice lenet-device-choice" role="status">
      <p>
        {prefer === faster
          ? `Training on ${fast}: this page's WebGPU adapter is ${software}, a software renderer, on which ${fast} trains LeNet about ${times} faster than ${slow}.`
          : `Training on ${slow}, as asked: on this page's WebGPU adapter, ${software} (a software renderer), ${fast} trains LeNet about ${times} faster.`}
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={prefer === slower} onChange={(e) => set('device', e.target.checked ? slower : 'auto')} /> Train on {slow} anyway
      </label>
    </div>
  );
}

/** the chapter's figures beside the shared status: the projected time of a full epoch over MNIST's 60 000, the device */
function StatusExtra() {
  const examplesPerSec = useLenetTraining((s) => s.examplesPerSec);
  const backend = useLenetTraining((s) => s.backend);
  return (
    <>
      <span>
        full epoch ({num(MNIST_TRAIN)}) ≈{' '}
        <output className="mono" aria-label="Projected time of a full epoch">
          {examplesPerSec > 0 ? fmtDuration(MNIST_TRAIN / examplesPerSec) : '—'}
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
