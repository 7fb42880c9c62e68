// The compute device: which backend the notebook runs on, why, and whether a kernel
// run on it agrees with the float64 CPU reference. Requested on load, and again when the
// device is lost (device.lost: a driver reset, the tab evicted, device.destroy()): the
// store says so (`lost`) and requests a new device; cells ask currentBackend() anew.

import { create } from 'zustand';
import type { Backend, BackendKind } from '../engine/backend';
import type { KernelCheckResult } from '../engine/kernel-check';

// The engine is loaded when the device is requested, not with the page's first script:
// the first chapter is shown while the engine and the device arrive.

export type DeviceStatus = 'idle' | 'requesting' | 'ready' | 'failed';

/** the last device loss: why, and how many so far */
export interface DeviceLoss {
  reason: string;
  count: number;
}
/** 'skipped': the CPU reference runs, so there is no GPU kernel to check against it */
export type CheckStatus = 'idle' | 'running' | 'passed' | 'failed' | 'error' | 'skipped';

interface DeviceState {
  status: DeviceStatus;
  kind: BackendKind | null;
  /** the adapter's name, or "float64 CPU reference" */
  deviceName: string | null;
  /** a software adapter (SwiftShader, WARP, llvmpipe) or the CPU backend */
  isFallback: boolean;
  /** why the CPU reference runs although WebGPU was preferred */
  fallbackReason: string | null;
  /** the request itself failed (neither backend could be created) */
  error: string | null;
  /** ms from request to a usable backend */
  requestMs: number | null;
  /** the last loss of the device (null when none happened); a new device is requested at once */
  lost: DeviceLoss | null;

  checkStatus: CheckStatus;
  check: KernelCheckResult | null;
  checkError: string | null;

  /** request a backend (once) and run the kernel check on it */
  init: () => Promise<void>;
  runCheck: () => Promise<void>;
}

let backend: Backend | null = null;
let pending: Promise<void> | null = null;

/** the backend in use, once the request has finished (for cells that run kernels on the main thread) */
export function currentBackend(): Backend | null {
  return backend;
}

export const useDevice = create<DeviceState>()((set, get) => ({
  status: 'idle',
  kind: null,
  deviceName: null,
  isFallback: false,
  fallbackReason: null,
  error: null,
  requestMs: null,
  lost: null,
  checkStatus: 'idle',
  check: null,
  checkError: null,

  init: () => {
    pending ??= (async () => {
      set({ status: 'requesting' });
      const t0 = performance.now();
      try {
        const { createBackend } = await import('../engine/index');
        const choice = await createBackend({ prefer: 'webgpu', label: 'notebook' });
        const made = choice.backend;
        backend = made;
        void made.lost?.then((reason) => {
          if (backend !== made) return;
          // drop the lost backend and request a new device
          backend = null;
          pending = null;
          made.destroy();
          set({ status: 'requesting', lost: { reason, count: (get().lost?.count ?? 0) + 1 }, checkStatus: 'idle', check: null, checkError: null });
          void get().init();
        });
        set({
          status: 'ready',
          kind: backend.kind,
          deviceName: backend.deviceName,
          isFallback: backend.isFallback,
          fallbackReason: choice.fallbackReason,
          requestMs: performance.now() - t0,
        });
      } catch (e) {
        set({ status: 'failed', error: e instanceof Error ? e.message : String(e) });
        return;
      }
      await get().runCheck();
    })();
    return pending;
  },

  runCheck: async () => {
    if (!backend) throw new Error('the kernel check needs a backend: call init() first');
    if (backend.kind === 'cpu') {
      set({ checkStatus: 'skipped', check: null, checkError: null });
      return;
    }
    set({ checkStatus: 'running', checkError: null });
    try {
      const [{ runKernelCheck }, { cpuReference }] = await Promise.all([import('../engine/kernel-check'), import('../engine/cpu/reference-backend')]);
      const check = await runKernelCheck(backend, cpuReference());
      set({ check, checkStatus: check.pass ? 'passed' : 'failed' });
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      console.error(`kernel check failed to run: ${message}`);
      set({ checkStatus: 'error', checkError: message });
    }
  },
}));

/** "SwiftShader" for a SwiftShader adapter, etc.; null for hardware */
export function softwareAdapterName(name: string | null): string | null {
  if (!name) return null;
  const known: [RegExp, string][] = [
    [/swiftshader/i, 'SwiftShader'],
    [/llvmpipe/i, 'llvmpipe'],
    [/lavapipe/i, 'lavapipe'],
    [/warp|microsoft basic render/i, 'WARP'],
    [/softpipe/i, 'softpipe'],
  ];
  return known.find(([re]) => re.test(name))?.[1] ?? null;
}
