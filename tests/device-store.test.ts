// The page's device store on Dawn (SwiftShader): when its GPU device is lost it says so
// (`lost`), drops the lost backend and requests a new device. Before: it stayed "ready"
// on the lost backend.

import { describe, expect, it } from 'vitest';
import { nodeGPU } from '../src/engine/gpu/node';
import { WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { currentBackend, useDevice } from '../src/store/device';
import { loseDevice } from '../src/train/faults';

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('device store', () => {
  it('notices a lost device, says so, and continues on a new one', async () => {
    const gpu = await nodeGPU();
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis as { navigator?: object }).navigator, gpu }, configurable: true });
    try {
      await useDevice.getState().init();
      expect(useDevice.getState()).toMatchObject({ status: 'ready', kind: 'webgpu', lost: null, checkStatus: 'passed' });
      const first = currentBackend();
      expect(first).toBeInstanceOf(WebGPUBackend);

      expect(loseDevice(first)).toBe(true);
      await until(() => useDevice.getState().lost !== null, 'the loss to be noticed');
      expect(useDevice.getState().lost).toEqual({ reason: expect.stringMatching(/^GPU device lost \(reason: destroyed\)/), count: 1 });
      await until(() => useDevice.getState().status === 'ready' && currentBackend() !== null, 'a new device');
      const second = currentBackend()!;
      expect(second).not.toBe(first);
      expect(second.kind).toBe('webgpu');
      // the new device works: the kernel check runs on it again
      await until(() => useDevice.getState().checkStatus === 'passed', 'the kernel check on the new device');
      const y = await second.read(second.fromArray([1, 2, 3], [3]));
      expect(Array.from(y)).toEqual([1, 2, 3]);
      second.destroy();
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });
});
