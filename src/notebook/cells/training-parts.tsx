// The parts every training cell shares, over a training store (src/store/training.ts):
// the buttons, the status line with the latest numbers, a screen-reader summary, the
// device the session runs on, download and epoch progress, and the notices for errors
// and divergence. Chapters 3, 5 and 6 use them with their own store.

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { canTrain, fmt, type TrainingStore } from '../../store/training';
import { Progress } from '../../ui/controls';
import { softwareAdapterName } from '../../store/device';
import { DeviceNote, WorkerStopped } from './WorkerStopped';
import './training.css';

export type DisplayState = 'off' | 'loading' | 'failed' | 'ready' | 'training' | 'paused' | 'done' | 'diverged' | 'stopped' | 'workerStopped';

/** what the cell shows: the store's connection and the session's state in one word */
export function useDisplayState(store: TrainingStore): DisplayState {
  const phase = store((s) => s.phase);
  const pacing = store((s) => s.pacing);
  const state = store((s) => s.snapshot?.state);
  const started = store((s) => (s.snapshot?.step ?? 0) > 0);
  if (phase === 'off') return 'off';
  if (phase === 'starting') return 'loading';
  if (phase === 'failed') return 'failed';
  if (phase === 'stopped') return 'workerStopped';
  if (pacing || state === 'running') return 'training';
  if (state === 'paused') return 'paused';
  if (state === 'idle') return started ? 'paused' : 'ready';
  if (state === 'done') return 'done';
  if (state === 'diverged') return 'diverged';
  if (state === 'failed') return 'failed';
  return 'stopped';
}

const STATE_TEXT: Record<DisplayState, string> = {
  off: 'not started',
  loading: 'loading',
  failed: 'failed',
  ready: 'ready',
  training: 'training',
  paused: 'paused',
  done: 'done',
  diverged: 'diverged',
  stopped: 'stopped',
  workerStopped: 'worker stopped',
};

export interface TrainButtonsProps {
  store: TrainingStore;
  onTrain?: () => void;
  /** Reset, when the chapter does more than reset the session (e.g. a new session for new data) */
  onReset?: () => void;
  /** offer Step forward (default true) */
  stepButton?: boolean;
  note?: ReactNode;
  /** why Train is off (a settings field holds an invalid value), or null */
  blocked?: string | null;
  /** a finished run whose learning rate was changed: continue it at the new rate */
  continueRun?: (() => void) | null;
}

export function TrainButtons({ store, onTrain, onReset, stepButton = true, note, blocked = null, continueRun = null }: TrainButtonsProps) {
  const display = useDisplayState(store);
  const state = store((s) => s.snapshot?.state);
  const train = store((s) => s.train);
  const pause = store((s) => s.pause);
  const step = store((s) => s.step);
  const reset = store((s) => s.reset);
  const ready = display !== 'off' && display !== 'loading' && display !== 'failed' && display !== 'workerStopped';
  const trainable = ready && canTrain(state) && display !== 'training' && !blocked;
  return (
    <>
      <div className="button-row" role="group" aria-label="Training">
        <button
          type="button"
          className="primary"
          onClick={() => (onTrain ? onTrain() : void train())}
          // with onTrain, Train also starts a session that does not exist yet
          disabled={onTrain ? blocked !== null || !(display === 'off' || display === 'failed' || trainable) : !trainable}
        >
          Train
        </button>
        <button type="button" onClick={() => void pause()} disabled={display !== 'training'}>
          Pause
        </button>
        {stepButton ? (
          <button type="button" onClick={() => void step(1)} disabled={!trainable} title="one training step: forward, loss, backward, update">
            Step forward
          </button>
        ) : null}
        <button type="button" onClick={() => (onReset ? onReset() : void reset())} disabled={!ready}>
          Reset
        </button>
        {continueRun && display === 'done' && !blocked ? (
          <button type="button" className="primary" onClick={continueRun}>
            Continue training with the new rate
          </button>
        ) : null}
        {note}
      </div>
      {blocked ? (
        <p className="notice warn" role="status" data-testid="train-blocked">
          {blocked} — Train is off until it is fixed.
        </p>
      ) : continueRun && display === 'done' ? (
        <p className="muted small" data-testid="continue-note">
          The run has finished, so the new learning rate is not drawn on it: continue training to apply it from the next step.
        </p>
      ) : null}
    </>
  );
}

const int = (v: number) => v.toLocaleString('en-US');

/** examples per second, rounded for reading */
export function rate(v: number): string {
  if (!(v > 0)) return '—';
  return v >= 1000 ? int(Math.round(v)) : v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

/** The counters and the latest numbers, each in a labelled output. */
/** an accuracy as a fraction (0.953) or in percent (95.30%) */
const accText = (v: number, percent: boolean) => (percent ? `${(100 * v).toFixed(2)}%` : v.toFixed(3));

export function SessionStatus({
  store,
  showVal = true,
  showTest = false,
  percent = false,
  extra,
}: {
  store: TrainingStore;
  showVal?: boolean;
  showTest?: boolean;
  percent?: boolean;
  extra?: ReactNode;
}) {
  const display = useDisplayState(store);
  const step = store((s) => s.snapshot?.step ?? 0);
  const epoch = store((s) => s.snapshot?.epoch ?? 0);
  const epochs = store((s) => s.snapshot?.epochs ?? null);
  const latest = store((s) => s.latestLoss);
  const lastEval = store((s) => (s.evals.length ? s.evals[s.evals.length - 1]! : null));
  const speed = store((s) => s.examplesPerSec);
  const divergence = store((s) => s.divergence);
  const offsetRun = store((s) => s.snapshot?.run ?? 0);
  // after a new model (hidden size) the step counts from 0 again; the chart's axis goes on
  const chartStep = store((s) => s.offset.x) + step;
  const curRun = lastEval && lastEval.run === offsetRun ? lastEval : null;
  return (
    <p className="train-status session-status" data-state={display}>
      <span className={`dot ${display === 'training' ? 'on' : ''}`} aria-hidden="true" />
      <output aria-label="Training state" className="state-word" data-testid="training-state">
        {display === 'diverged' && divergence ? `diverged at step ${divergence.step}` : STATE_TEXT[display]}
      </output>
      <span>
        step <output className="mono" aria-label="Step">{int(step)}</output>
        {chartStep !== step ? (
          <span className="muted small" data-testid="chart-step">
            {' '}
            of this model (step {int(chartStep)} on the chart)
          </span>
        ) : null}
      </span>
      <span>
        epoch{' '}
        <output className="mono" aria-label="Epoch">
          {int(epoch)}
        </output>{' '}
        of {epochs === null ? '—' : int(epochs)}
      </span>
      <span>
        latest loss{' '}
        <output className="mono" aria-label="Latest training loss">
          {latest === null ? '—' : fmt(latest)}
        </output>
      </span>
      {showVal ? (
        <span>
          validation accuracy{' '}
          <output className="mono" aria-label="Validation accuracy">
            {curRun?.valAccuracy != null ? accText(curRun.valAccuracy, percent) : '—'}
          </output>
        </span>
      ) : null}
      {showTest ? (
        <span>
          test accuracy{' '}
          <output className="mono" aria-label="Test accuracy">
            {curRun?.testAccuracy != null ? accText(curRun.testAccuracy, percent) : '—'}
          </output>
          {percent && curRun ? <span className="muted small"> after epoch {curRun.epoch}</span> : null}
        </span>
      ) : null}
      <span>
        <output className="mono" aria-label="Examples per second">
          {rate(speed)}
        </output>{' '}
        examples/s
      </span>
      {extra}
    </p>
  );
}

/**
 * A polite live region for screen readers: the state and the latest numbers, at most
 * every few seconds while training (and at once when the state changes).
 */
export function LiveSummary({ store, what }: { store: TrainingStore; what: string }) {
  const display = useDisplayState(store);
  const [text, setText] = useState('');
  const last = useRef({ t: 0, display: '' as string });
  const step = store((s) => s.snapshot?.step ?? 0);
  const latest = store((s) => s.latestLoss);
  const valAcc = store((s) => (s.evals.length ? s.evals[s.evals.length - 1]!.valAccuracy : null));
  const divergence = store((s) => s.divergence);
  useEffect(() => {
    const now = performance.now();
    if (display === last.current.display && now - last.current.t < 3000) return;
    last.current = { t: now, display };
    const parts = [`${what}: ${display === 'diverged' && divergence ? `diverged at step ${divergence.step}` : STATE_TEXT[display]}`];
    if (step) parts.push(`step ${step}`);
    if (latest !== null) parts.push(`latest loss ${fmt(latest)}`);
    if (valAcc !== null) parts.push(`validation accuracy ${valAcc.toFixed(3)}`);
    setText(parts.join(', ') + '.');
  }, [display, step, latest, valAcc, divergence, what]);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" data-testid="live-summary">
      {text}
    </p>
  );
}

/** Where the session runs: the worker's backend, named. */
export function DeviceLine({ store }: { store: TrainingStore }) {
  const backend = store((s) => s.backend);
  const phase = store((s) => s.phase);
  const prefer = store((s) => s.prefer);
  if (!backend) {
    return (
      <p className="device-line muted small" data-testid="session-device">
        {phase === 'starting' ? `Starting the training worker (${prefer === 'cpu' ? 'CPU reference' : 'WebGPU'})…` : 'The training worker starts with the first session.'}
      </p>
    );
  }
  const soft = backend.kind === 'webgpu' ? softwareAdapterName(backend.deviceName) : null;
  return (
    <p className="device-line small" data-testid="session-device">
      Runs in a Web Worker on{' '}
      <strong>{backend.kind === 'webgpu' ? `WebGPU · ${backend.deviceName}` : 'the CPU reference (float64 JavaScript)'}</strong>
      {soft ? <span className="muted"> — a software adapter ({soft}) that runs the shaders on the CPU, slowly</span> : null}
      {backend.fallbackReason ? <span className="muted"> — WebGPU was not available: {backend.fallbackReason}</span> : null}
    </p>
  );
}

const mb = (b: number) => (b / 1e6).toFixed(1);

export function DownloadProgress({ store, what }: { store: TrainingStore; what: string }) {
  const d = store((s) => s.download);
  const phase = store((s) => s.phase);
  if (phase !== 'starting') return null;
  if (!d || d.total === 0) return <Progress label={`Loading ${what}`} detail="starting the worker" />;
  const detail = d.phase === 'download' ? `${mb(d.loaded)} of ${mb(d.total)} MB · ${d.file}` : d.phase === 'decode' ? `decoding ${d.file}` : 'preparing the splits';
  return <Progress label={`Downloading ${what}`} value={d.loaded} max={d.total} detail={detail} />;
}

export function EpochProgress({ store }: { store: TrainingStore }) {
  const snap = store((s) => s.snapshot);
  const display = useDisplayState(store);
  if (!snap || display === 'off' || display === 'loading') return null;
  const epochNo = Math.min(snap.epoch + 1, snap.epochs);
  const inEpoch = snap.epoch >= snap.epochs ? snap.stepsPerEpoch : snap.stepInEpoch;
  return (
    <div className="progress-pair">
      <Progress label="Progress" value={snap.epoch} max={snap.epochs} detail={`${int(snap.epoch)} of ${int(snap.epochs)} epochs done`} />
      <Progress label={`Epoch ${int(epochNo)} of ${int(snap.epochs)}`} value={inEpoch} max={snap.stepsPerEpoch} detail={`step ${int(inEpoch)} of ${int(snap.stepsPerEpoch)}`} />
    </div>
  );
}

/** the session names a non-finite loss as text; the page says it in words */
const LOSS_WORDS: Record<string, string> = {
  NaN: 'stopped being a number',
  Infinity: 'overflowed to infinity',
  '-Infinity': 'overflowed to minus infinity',
};

export function SessionNotices({ store }: { store: TrainingStore }) {
  const error = store((s) => s.error);
  const divergence = store((s) => s.divergence);
  const state = store((s) => s.snapshot?.state);
  const message = store((s) => s.snapshot?.message);
  const phase = store((s) => s.phase);
  return (
    <>
      <WorkerStopped store={store} />
      <DeviceNote store={store} />
      {divergence && state === 'diverged' ? (
        <p className="notice error" role="alert" data-testid="divergence">
          The run diverged at step {int(divergence.step)} (learning rate {fmt(divergence.lr)}):{' '}
          {divergence.cause === 'loss' ? `the loss ${LOSS_WORDS[String(divergence.loss)] ?? 'stopped being a finite number'}` : divergence.reason}. The chart stops at step{' '}
          {int(divergence.lastFiniteStep)}, the last finite loss. Lower the learning rate and press Reset.
        </p>
      ) : null}
      {state === 'failed' && phase !== 'stopped' ? (
        <p className="notice error" role="alert">
          {message}
        </p>
      ) : null}
      {error && phase !== 'stopped' ? (
        <p className="notice warn" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
