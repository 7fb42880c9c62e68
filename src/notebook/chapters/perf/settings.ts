// The Performance page's state: the settings (in the URL: perf.model, perf.batch,
// perf.steps; a value outside a control's range is refused), the run in progress and its
// result. Measurements run on the notebook's backend (store/device.ts), one at a time.

import { create } from 'zustand';
import { currentBackend, useDevice } from '../../../store/device';
import { defineSettings, num, oneOf } from '../../../store/settings';
import { BATCH_LIMITS, measureTraining, STEP_LIMITS, type PerfModel, type PerfProgress, type PerfResult } from './measure';

const settings = defineSettings({
  prefix: 'perf',
  fields: {
    model: oneOf<PerfModel>('the model', ['lenet', 'iris'], { default: 'lenet', url: 'model', change: 'none' }),
    batch: num('the batch size', { ...BATCH_LIMITS, int: true, default: 32, url: 'batch', change: 'none' }),
    steps: num('the number of timed steps', { ...STEP_LIMITS, int: true, default: 5, url: 'steps', change: 'none' }),
  },
});

export type PerfSettings = typeof settings.defaults;
export const usePerfSettings = settings.use;

export type PerfStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

interface PerfState {
  status: PerfStatus;
  progress: PerfProgress | null;
  result: PerfResult | null;
  error: string | null;
  /** measure with the current settings on the notebook's backend */
  run: () => Promise<void>;
  stop: () => void;
}

let controller: AbortController | null = null;

export const usePerf = create<PerfState>()((set, get) => ({
  status: 'idle',
  progress: null,
  result: null,
  error: null,

  run: async () => {
    if (get().status === 'running') return;
    controller = new AbortController();
    const signal = controller.signal;
    set({ status: 'running', progress: null, error: null });
    try {
      await useDevice.getState().init();
      const backend = currentBackend();
      if (!backend) throw new Error(useDevice.getState().error ?? 'no compute device is available');
      const { model, batch, steps } = settings.values();
      // progress arrives a few times per run: once per step
      const result = await measureTraining(backend, { model, batch, steps }, (progress) => set({ progress }), signal);
      set({ status: 'done', result, progress: null });
    } catch (e) {
      if (signal.aborted) {
        set({ status: 'stopped', progress: null });
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      console.warn(`performance measurement failed: ${message}`);
      set({ status: 'error', error: message, progress: null });
    } finally {
      controller = null;
    }
  },

  stop: () => controller?.abort(),
}));
