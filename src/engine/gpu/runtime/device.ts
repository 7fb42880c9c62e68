// The device: requested with the adapter's raised limits and features, watched for loss
// and for the errors it reports.

import { DeviceLostError } from '../../errors';
import type { KernelTuning } from '../tuning';

/** A WebGPU validation / out-of-memory / internal error reported by the device. */
export class GpuError extends Error {
  override name = 'GpuError';
}

export interface GpuContextOptions {
  /** log the WGSL of each pipeline when it is compiled (also: globalThis.BACKPROP_DUMP_WGSL = true) */
  dumpShaders?: boolean;
  /** prefix of every GPU object's label */
  label?: string;
  /** kernel variants to allow (default: all, the matmul variant by `software`); ctx.tuning can be changed later */
  tuning?: Partial<KernelTuning>;
  /** the adapter is a software rasterizer (createGpuContext reads it from the adapter's info) */
  software?: boolean;
  /** request the adapter's 'subgroups' feature when it has one (default true) */
  subgroups?: boolean;
  /** the adapter's smallest subgroup size (createGpuContext reads it from the adapter) */
  subgroupMinSize?: number;
  /** request the adapter's 'timestamp-query' feature when it has one, for beginProfile (default true) */
  timestamps?: boolean;
}

/** The device's health: lost, destroyed, or an error it reported and nobody has seen yet. */
export class DeviceHealth {
  private lostInfo: GPUDeviceLostInfo | null = null;
  private lostResolve: (message: string) => void = () => undefined;
  /** resolves with the reason when the device is lost (never when destroy() freed it) */
  readonly lost: Promise<string> = new Promise((r) => {
    this.lostResolve = r;
  });
  private gpuErrors: string[] = [];
  destroyed = false;

  constructor(device: GPUDevice) {
    void device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostInfo = info;
      console.error(`[webgpu] device lost (${info.reason}): ${info.message}`);
      this.lostResolve(`GPU device lost (reason: ${info.reason}): ${info.message || 'no message'}`);
    });
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      const kind = err.constructor?.name ?? 'GPUError';
      const msg = `${kind}: ${err.message}`;
      this.gpuErrors.push(msg);
      console.error(`[webgpu] ${msg}`);
    });
  }

  /** Throws if the backend was destroyed, the device lost, or the device reported an error. */
  check(): void {
    if (this.destroyed) throw new Error('the WebGPU backend was destroyed; create a new one');
    if (this.lostInfo) {
      throw new DeviceLostError(
        `GPU device lost (reason: ${this.lostInfo.reason}): ${this.lostInfo.message || 'no message'}. ` +
          'Create a new backend to continue.',
      );
    }
    if (this.gpuErrors.length > 0) {
      const errs = this.gpuErrors.splice(0);
      throw new GpuError(errs.length === 1 ? errs[0] : `${errs.length} GPU errors; first: ${errs[0]}`);
    }
  }

  /** awaits a device promise; a rejection caused by loss or destroy() throws that reason instead */
  async settle<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (this.lostInfo || this.destroyed) this.check();
      throw e;
    }
  }
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|warp|microsoft basic render|softpipe/i;

/** true for a software rasterizer: flagged as a fallback adapter, or named like one */
export function isSoftwareAdapter(info: GPUAdapterInfo | undefined, name = ''): boolean {
  if ((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true) return true;
  const text = [name, info?.description, info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ');
  return SOFTWARE_ADAPTER.test(text);
}

/** Device limits worth raising to what the adapter offers (larger tensors, bigger tiles). */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Requests a device with the raised limits (and subgroups, timestamps where offered and
 * wanted); returns it with the options the context needs from the adapter filled in.
 */
export async function requestDevice(
  adapter: GPUAdapter,
  opts: GpuContextOptions,
): Promise<{ device: GPUDevice; opts: GpuContextOptions }> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if ((opts.subgroups ?? true) && adapter.features.has('subgroups')) requiredFeatures.push('subgroups' as GPUFeatureName);
  if ((opts.timestamps ?? true) && adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({
    label: `${opts.label ?? 'backprop'} device`,
    requiredLimits,
    requiredFeatures,
  });
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number };
  return {
    device,
    opts: {
      ...opts,
      subgroupMinSize: opts.subgroupMinSize ?? info.subgroupMinSize ?? 0,
      software: opts.software ?? (isSoftwareAdapter(info) || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true),
    },
  };
}
