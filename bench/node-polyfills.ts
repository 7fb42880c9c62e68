// Imported first by the Node entry: webgpu-utils 2.x references Float16Array when its
// module is evaluated, and Node 20 lacks it.
import { Float16Array as Float16Polyfill } from '@petamoriken/float16';

const g = globalThis as { Float16Array?: unknown };
g.Float16Array ??= Float16Polyfill;
