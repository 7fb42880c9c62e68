// The saved-model file: JSON with a format tag, a version, the normalized configuration,
// the input shape (without the batch) and every layer's parameters with their shapes.
//
//   { "format": "backprop-notebook/nn-model", "version": 1,
//     "config": { "layers": [...], "loss": {...}, "optimizer": {...}, "scheduler": {...}, "seed": 0 },
//     "inputShape": [28, 28, 1],
//     "layers": [ { "name": "conv2d_0", "type": "conv2d",
//                   "parameters": { "W": { "shape": [3, 3, 1, 8], "data": [...] }, "b": {...} } }, ... ] }
//
// Optimizer state (velocities, Adam moments) is not saved: a loaded model starts its
// optimizer afresh.

import type { NormalizedLayerConfig } from './layers';
import { normalizeLayerConfig } from './layers';
import type { NormalizedModelConfig } from './model';

export const MODEL_FORMAT = 'backprop-notebook/nn-model';
export const MODEL_FORMAT_VERSION = 1;

export interface SavedTensor {
  shape: number[];
  data: number[];
}

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  config: NormalizedModelConfig;
  inputShape: number[];
  layers: { name: string; type: string; parameters: Record<string, SavedTensor> }[];
}

function fail(msg: string): never {
  throw new Error(`model file: ${msg}`);
}

/** parses (if text) and checks the structure of a saved model; errors say what is wrong */
export function checkModelFile(file: unknown): ModelFile {
  let f = file;
  if (typeof f === 'string') {
    try {
      f = JSON.parse(f);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof f !== 'object' || f === null) fail('expected an object');
  const o = f as Record<string, unknown>;
  if (o.format !== MODEL_FORMAT) fail(`format is ${JSON.stringify(o.format)}, expected "${MODEL_FORMAT}"`);
  if (o.version !== MODEL_FORMAT_VERSION) {
    fail(
      typeof o.version === 'number' && o.version > MODEL_FORMAT_VERSION
        ? `version ${o.version} was written by a newer version of this package; this one reads version ${MODEL_FORMAT_VERSION}`
        : `version ${JSON.stringify(o.version)} is not supported; this package reads version ${MODEL_FORMAT_VERSION}`,
    );
  }
  const config = o.config as Record<string, unknown> | undefined;
  if (typeof config !== 'object' || config === null || !Array.isArray(config.layers)) fail('config.layers is missing');
  if (!Array.isArray(o.inputShape) || !o.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    fail(`inputShape must be an array of positive integers, got ${JSON.stringify(o.inputShape)}`);
  }
  if (!Array.isArray(o.layers) || o.layers.length !== config.layers.length) {
    fail(`has ${Array.isArray(o.layers) ? o.layers.length : 'no'} layer entries for ${config.layers.length} configured layers`);
  }
  o.layers.forEach((l: unknown, i: number) => {
    const p = (l as { parameters?: unknown })?.parameters;
    if (typeof p !== 'object' || p === null) fail(`layer ${i} has no parameters object`);
    for (const [key, t] of Object.entries(p as Record<string, unknown>)) {
      const s = t as Partial<SavedTensor>;
      if (!Array.isArray(s?.shape) || !Array.isArray(s?.data)) fail(`layer ${i} parameter ${key} needs shape and data arrays`);
      const n = s.shape.reduce((a: number, b: number) => a * b, 1);
      if (s.data.length !== n) fail(`layer ${i} parameter ${key}: ${s.data.length} values for shape (${s.shape.join(', ')})`);
    }
  });
  return o as unknown as ModelFile;
}

/** null when the layer lists describe the same architecture, else the first difference */
export function sameLayers(saved: readonly unknown[], model: readonly NormalizedLayerConfig[]): string | null {
  if (saved.length !== model.length) return `the file has ${saved.length} layers, the model ${model.length}`;
  for (let i = 0; i < model.length; i++) {
    const a = JSON.stringify(normalizeLayerConfig(saved[i], `file layer ${i}`));
    const b = JSON.stringify(model[i]);
    if (a !== b) return `layer ${i} is ${a} in the file but ${b} in the model`;
  }
  return null;
}
