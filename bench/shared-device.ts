// One adapter, one GPUDevice, shared by every contender of the benchmark.
//
// Our engine, TensorFlow.js and jax-js each normally request their own device. Here the
// harness requests one device with every feature and the largest limits the adapter
// offers, and hands the same device to all three, so they run on the same queue, with the
// same limits, interleaved in one process:
//
//   ours    createWebGPUBackend(gpu) asks gpu.requestAdapter(), then adapter.requestDevice()
//           → we pass `gpu` below, whose adapter is a stand-in returning the shared device;
//   TF.js   new WebGPUBackend(device, adapterInfo) registered as the 'webgpu' backend;
//   jax-js  init('webgpu') calls navigator.gpu.requestAdapter() → for the length of
//           that call navigator.gpu answers with the same stand-in adapter.
//
// Works with Dawn in Node (the npm `webgpu` package) and with navigator.gpu in Chromium.

export interface SharedDevice {
  /** the real adapter */
  readonly realAdapter: GPUAdapter;
  /** a stand-in adapter: same features, limits and info; requestDevice() → `device` */
  readonly adapter: GPUAdapter;
  /** a stand-in navigator.gpu: requestAdapter() → `adapter` (for createWebGPUBackend(gpu)) */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly info: GPUAdapterInfo;
  /** "vendor / architecture / device / description", for every printed figure */
  readonly adapterName: string;
  /** a software rasterizer (SwiftShader, llvmpipe, WARP): figures check the harness, not speed */
  readonly isSoftware: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render|software/i;

export function describeAdapter(info: GPUAdapterInfo): string {
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.length > 0);
  return parts.length ? [...new Set(parts)].join(' / ') : '(adapter without a name)';
}

export async function openSharedDevice(gpu: GPU): Promise<SharedDevice> {
  const realAdapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!realAdapter) {
    throw new Error(
      'No WebGPU adapter. In Node set VK_ICD_FILENAMES (here /usr/lib/chromium/vk_swiftshader_icd.json); ' +
        'in Chromium pass --enable-unsafe-webgpu.',
    );
  }
  // every limit at the adapter's maximum, every feature the adapter has: a superset of
  // what each contender would have asked for on its own
  const requiredLimits: Record<string, number> = {};
  const limits = realAdapter.limits as unknown as Record<string, unknown>;
  for (const key in limits) {
    const v = limits[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  const requiredFeatures = [...realAdapter.features] as GPUFeatureName[];
  const device = await realAdapter.requestDevice({ label: 'bench shared device', requiredFeatures, requiredLimits });
  const info = realAdapter.info;
  const adapterName = describeAdapter(info);
  const isSoftware =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true || SOFTWARE.test(adapterName);

  const adapter = {
    __brand: 'GPUAdapter',
    features: realAdapter.features,
    limits: realAdapter.limits,
    info,
    isFallbackAdapter: isSoftware,
    requestDevice: async (desc?: GPUDeviceDescriptor): Promise<GPUDevice> => {
      for (const f of desc?.requiredFeatures ?? []) {
        if (!device.features.has(f as string)) throw new Error(`shared device lacks feature '${String(f)}'`);
      }
      return device;
    },
    requestAdapterInfo: async () => info,
  } as unknown as GPUAdapter;

  const standInGpu = {
    requestAdapter: async () => adapter,
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  } as unknown as GPU;

  return { realAdapter, adapter, gpu: standInGpu, device, info, adapterName, isSoftware };
}

/**
 * Node has no navigator.gpu (Node 20 no navigator at all); TF.js and jax-js look there.
 * Installs the stand-in GPU of `shared` as navigator.gpu where there is none.
 */
export function installNavigatorGpu(shared: SharedDevice): void {
  const g = globalThis as unknown as { navigator?: Navigator };
  if (typeof g.navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: `Node.js ${typeof process !== 'undefined' ? process.version : ''} (Dawn)`, hardwareConcurrency: 1 },
      configurable: true,
      writable: true,
    });
  }
  const nav = g.navigator as unknown as { gpu?: GPU; userAgent?: string };
  if (typeof nav.userAgent !== 'string') Object.defineProperty(nav, 'userAgent', { value: 'Node.js (Dawn)', configurable: true });
  if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: shared.gpu, configurable: true, writable: true });
}

/**
 * Runs `fn` while navigator.gpu.requestAdapter() answers with the shared stand-in adapter
 * (jax-js takes its device that way). In the browser the real GPU object's method is
 * shadowed for the call.
 */
export async function withNavigatorAdapter<T>(shared: SharedDevice, fn: () => Promise<T>): Promise<T> {
  installNavigatorGpu(shared);
  const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
  if (gpu === shared.gpu) return fn();
  Object.defineProperty(gpu, 'requestAdapter', { value: shared.gpu.requestAdapter, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    delete (gpu as unknown as { requestAdapter?: unknown }).requestAdapter;
  }
}
