import { Float16Array as Float16Polyfill } from '@petamoriken/float16';

// webgpu-utils 2.x references Float16Array at import time; Node 20 lacks it.
const g = globalThis as { Float16Array?: unknown };
g.Float16Array ??= Float16Polyfill;
