// Faults on request, for the end-to-end tests only: the page (installFaultHooks, when its
// URL has `faults=1`) asks a training worker to crash or to lose its GPU device, so the
// tests see the page recover the way it would from the real thing. Nothing else sends
// these messages.
//
//   { channel: 'backprop-fault', fault: 'crash' }        an uncaught error in the worker
//                                                        (the page sees the worker's `error` event)
//   { channel: 'backprop-fault', fault: 'lose-device' }  device.destroy() on the worker's
//                                                        WebGPU device (device.lost resolves)

import type { Backend } from '../engine/backend';
import { WebGPUBackend } from '../engine/gpu/webgpu-backend';

export const FAULT_CHANNEL = 'backprop-fault';
export type Fault = 'crash' | 'lose-device';
export interface FaultRequest {
  channel: typeof FAULT_CHANNEL;
  fault: Fault;
}

export function isFaultRequest(m: unknown): m is FaultRequest {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === FAULT_CHANNEL;
}

/** destroys a WebGPU backend's device as a driver reset would lose it; false on the CPU */
export function loseDevice(backend: Backend | null): boolean {
  if (!(backend instanceof WebGPUBackend)) return false;
  backend.ctx.device.destroy();
  return true;
}

/** in the worker: carries out a fault request on the backend the worker uses now */
export function applyFault(req: FaultRequest, backend: Backend | null): void {
  if (req.fault === 'crash') {
    setTimeout(() => {
      throw new Error('simulated crash (a test fault)');
    });
  } else if (req.fault === 'lose-device') loseDevice(backend);
}
