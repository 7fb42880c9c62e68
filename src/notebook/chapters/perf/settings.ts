// The Performance page's state: the settings (in the URL: perf.model, perf.batch,
// perf.steps), the run in progress and its result. Measurements run on the notebook's
// backend (store/device.ts), one at a time.

import { create } from 'zustand';
import { currentBackend, useDevice } from '../../../store/device';
import { bindUrl, syncUrl } from '../../../store/url';
import { BATCH_LIMITS, measureTraining, STEP_LIMITS, type PerfModel, type PerfProgress, type PerfResult } from './measure';

export const PERF_DEFAULTS = { model: 'lenet' as PerfModel, batch: 32, steps: 5 };

export type PerfStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

interface PerfState {
  model: PerfModel;
  batch: number;
  steps: number;
  status: PerfStatus;
  progress: PerfProgress | null;
  result: PerfResult | null;
  error: string | null;
  setModel: (m: PerfModel) => void;
  setBatch: (b: number) => void;
  setSteps: (s: number) => void;
  /** measure with the current settings on the notebook's backend */
  run: () => Promise<void>;
  stop: () => void;
}

let controller: AbortController | null = null;

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));

export const usePerf = create<PerfState>()((set, get) => ({
  ...PERF_DEFAULTS,
  status: 'idle',
  progress: null,
  result: null,
  error: null,

  setModel: (model) => {
    set({ model });
    syncUrl();
  },
  setBatch: (b) => {
    set({ batch: clampInt(b, BATCH_LIMITS.min, BATCH_LIMITS.max) });
    syncUrl();
  },
  setSteps: (s) => {
    set({ steps: clampInt(s, STEP_LIMITS.min, STEP_LIMITS.max) });
    syncUrl();
  },

  run: async () => {
    if (get().status === 'running') return;
    controller = new AbortController();
    const signal = controller.signal;
    set({ status: 'running', progress: null, error: null });
    try {
      await useDevice.getState().init();
      const backend = currentBackend();
      if (!backend) throw new Error(useDevice.getState().error ?? 'no compute device is available');
      const { model, batch, steps } = get();
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

bindUrl({
  keys: ['perf.model', 'perf.batch', 'perf.steps'],
  read(params) {
    const m = params.get('perf.model');
    const b = Number(params.get('perf.batch'));
    const s = Number(params.get('perf.steps'));
    usePerf.setState({
      model: m === 'lenet' || m === 'iris' ? m : PERF_DEFAULTS.model,
      batch: params.has('perf.batch') && Number.isFinite(b) ? clampInt(b, BATCH_LIMITS.min, BATCH_LIMITS.max) : PERF_DEFAULTS.batch,
      steps: params.has('perf.steps') && Number.isFinite(s) ? clampInt(s, STEP_LIMITS.min, STEP_LIMITS.max) : PERF_DEFAULTS.steps,
    });
  },
  write() {
    const { model, batch, steps } = usePerf.getState();
    return {
      'perf.model': model === PERF_DEFAULTS.model ? null : model,
      'perf.batch': batch === PERF_DEFAULTS.batch ? null : String(batch),
      'perf.steps': steps === PERF_DEFAULTS.steps ? null : String(steps),
    };
  },
});
