// The notices a training cell shows when its worker died (phase 'stopped': what the
// worker said, and a button that starts a fresh worker and session with the same
// configuration; the chart of the lost run stays until then), and when the session moved
// to a new GPU device after a device loss (paused where its parameters were last read).

import type { TrainingStore } from '../../store/training';

export function WorkerStopped({ store }: { store: TrainingStore }) {
  const phase = store((s) => s.phase);
  const error = store((s) => s.error);
  const restart = store((s) => s.restart);
  if (phase !== 'stopped') return null;
  return (
    <div className="notice error worker-stopped" role="alert" data-testid="worker-stopped">
      <p>{error}</p>
      <p>
        The session in it is gone; a new worker starts from the same settings (step 0).{' '}
        <button type="button" onClick={() => void restart()}>
          Start a new training worker
        </button>
      </p>
    </div>
  );
}

export function DeviceNote({ store }: { store: TrainingStore }) {
  const note = store((s) => s.deviceNote);
  const state = store((s) => s.snapshot?.state);
  if (!note || (state !== 'paused' && state !== 'idle')) return null;
  return (
    <p className="notice warn" role="status" data-testid="session-new-device">
      {note}
    </p>
  );
}
