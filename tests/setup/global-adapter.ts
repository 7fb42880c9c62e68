// Runs once before the suite: proves a real WebGPU adapter is present and names it.
// No adapter → the whole run fails with instructions; nothing is skipped.
import { nodeGPU } from '../../src/engine/gpu/node';

export default async function setup(): Promise<void> {
  if (!process.env.VK_ICD_FILENAMES) {
    throw new Error(
      'VK_ICD_FILENAMES is not set. Run the tests with `npm test`, which points Dawn at ' +
        "Chromium's SwiftShader Vulkan driver (/usr/lib/chromium/vk_swiftshader_icd.json).",
    );
  }
  const gpu = await nodeGPU();
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error(
      `No WebGPU adapter from Dawn (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}). ` +
        'Install Debian packages chromium and libvulkan1.',
    );
  }
  const i = adapter.info;
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / ');
  console.log(`\n[webgpu] tests run on adapter: ${name || '(unnamed)'}${i.isFallbackAdapter ? ' (fallback adapter)' : ''}\n`);
}
