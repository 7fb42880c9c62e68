// Test-only: with `faults=1` in the page's URL, window.__backpropFaults lets the
// end-to-end tests crash the training workers or lose the GPU devices (the page's and
// the workers'), to check that the page says so and shows how to go on. Without the
// parameter nothing is installed.

import { FAULT_CHANNEL, loseDevice, type FaultRequest } from '../train/faults';
import { currentBackend } from './device';
import { liveTrainingPorts } from './training';

export interface FaultHooks {
  /** an uncaught error in every live training worker; returns how many were asked */
  crashTrainingWorkers(): number;
  /** device.destroy() on the page's WebGPU device and on every live training worker's */
  loseDevices(): number;
}

export function installFaultHooks(): void {
  if (typeof window === 'undefined' || new URLSearchParams(window.location.search).get('faults') !== '1') return;
  const send = (fault: FaultRequest['fault']): number => {
    const ports = liveTrainingPorts();
    for (const p of ports) p.postMessage({ channel: FAULT_CHANNEL, fault } satisfies FaultRequest);
    return ports.length;
  };
  const hooks: FaultHooks = {
    crashTrainingWorkers: () => send('crash'),
    loseDevices: () => (loseDevice(currentBackend()) ? 1 : 0) + send('lose-device'),
  };
  (window as unknown as { __backpropFaults: FaultHooks }).__backpropFaults = hooks;
}
