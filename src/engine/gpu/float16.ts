// Float16Array where the platform lacks it (Node 20; Chromium before 135). webgpu-utils
// 2.x names it when its module loads, so this module is imported before webgpu-utils
// (the first import of gpu/runtime/pipelines.ts): importing the GPU backend works before
// Dawn is loaded.

import { Float16Array as Float16Polyfill } from '@petamoriken/float16';

const g = globalThis as { Float16Array?: unknown };
g.Float16Array ??= Float16Polyfill;
