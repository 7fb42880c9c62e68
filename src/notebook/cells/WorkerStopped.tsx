// The notice a training cell shows when its worker died (phase 'stopped'): what the
// worker said, and a button that starts a fresh worker and session with the same
// configuration (the chart of the lost run stays until then).

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
