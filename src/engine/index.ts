// The engine's entry point for the browser (and its Web Worker): pick a backend.
//
//   navigator.gpu present, an adapter and a device granted → the WebGPU backend
//   otherwise                                               → the float64 CPU reference,
//                                                             with the reason it was chosen
//
// The reason is shown to the student (a notebook running on the CPU is slow, and
// they should know why), and tests assert which device actually ran.

import type { Backend } from './backend';
import { createCpuBackend } from './cpu/reference-backend';
import { NoAdapterError } from './errors';
import { createWebGPUBackend, type WebGPUBackendOptions } from './gpu/webgpu-backend';

export type { Backend, BackendKind, BackendProfile, OpEvent, OpKernel, OpListener, Tensor } from './backend';

export interface CreateBackendOptions extends WebGPUBackendOptions {
  /** 'cpu' skips WebGPU entirely; 'webgpu' (the default) falls back to the CPU when it must */
  prefer?: 'webgpu' | 'cpu';
  /** the WebGPU entry point; defaults to navigator.gpu (null: behave as if absent) */
  gpu?: GPU | null;
}

export interface BackendChoice {
  backend: Backend;
  /** why the CPU backend runs although WebGPU was preferred; null when nothing fell back */
  fallbackReason: string | null;
}

function navigatorGPU(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? undefined;
}

export async function createBackend(opts: CreateBackendOptions = {}): Promise<BackendChoice> {
  const { prefer = 'webgpu', gpu: given, ...gpuOpts } = opts;
  if (prefer === 'cpu') return { backend: createCpuBackend(), fallbackReason: null };

  const gpu = given === undefined ? navigatorGPU() : given;
  if (!gpu) {
    return {
      backend: createCpuBackend(),
      fallbackReason: 'this browser has no WebGPU (navigator.gpu is missing); running on the CPU reference',
    };
  }
  try {
    return { backend: await createWebGPUBackend(gpu, gpuOpts), fallbackReason: null };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const reason =
      e instanceof NoAdapterError
        ? `WebGPU offered no adapter (GPU blocklisted or disabled?): ${msg}`
        : `the WebGPU device request failed: ${msg}`;
    return { backend: createCpuBackend(), fallbackReason: `${reason}; running on the CPU reference` };
  }
}
