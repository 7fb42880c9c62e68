// Node-only: WebGPU through Dawn (the npm `webgpu` package).
// Needs VK_ICD_FILENAMES pointing at a Vulkan driver (SwiftShader's
// /usr/lib/chromium/vk_swiftshader_icd.json here) set in the process environment.
// Never imported by browser code.

let gpuPromise: Promise<GPU> | undefined;

/** navigator.gpu's equivalent in Node; installs the WebGPU globals (GPUBufferUsage, …). */
export function nodeGPU(): Promise<GPU> {
  gpuPromise ??= (async () => {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    return create([]) as GPU;
  })();
  return gpuPromise;
}
