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

import { shapeStr, window2d } from '../engine/geometry';
import { DataFormatError } from './data/errors';
import type { NormalizedLayerConfig } from './layers';
import { normalizeLayerConfig } from './layers';
import { normalizeModelConfig, type NormalizedModelConfig } from './model';

export const MODEL_FORMAT = 'backprop-notebook/nn-model';
export const MODEL_FORMAT_VERSION = 1;

/** most parameters a model file may declare: 2²⁸ (1 GiB as float32) */
export const MAX_MODEL_PARAMETERS = 2 ** 28;
/** most values one example may have at any layer (input or output): 2²⁸ */
export const MAX_SAMPLE_VALUES = 2 ** 28;

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
  throw new DataFormatError(`model file: ${msg}`);
}

function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}

/**
 * The parameter shapes of each layer and the sample shape after it, from the
 * configuration and the input's sample shape alone (no tensor is made):
 *   fc       (n_in) → (nOut); W (n_in, nOut), b (1, nOut)
 *   conv2d   (H, W, C) → (OH, OW, nOut); W (kh, kw, C, nOut), b (1, nOut)
 *   pool2d   (H, W, C) → (OH, OW, C)
 *   flatten  (…) → (Π …)
 * Refused when a layer does not fit its input or a size passes the limits.
 */
export function modelShapes(layers: readonly NormalizedLayerConfig[], inputShape: readonly number[]): Record<string, number[]>[] {
  let sample = [...inputShape];
  let total = 0;
  const out: Record<string, number[]>[] = [];
  layers.forEach((c, i) => {
    const name = `${c.type}_${i}`;
    let params: Record<string, number[]> = {};
    if (c.type === 'fc') {
      if (sample.length !== 1) fail(`${name}: a fully connected layer takes (m, n_in) inputs, it gets (m, ${sample.join(', ')}); put a flatten layer before it`);
      params = { W: [sample[0]!, c.nOut], b: [1, c.nOut] };
      sample = [c.nOut];
    } else if (c.type === 'conv2d' || c.type === 'pool2d') {
      if (sample.length !== 3) fail(`${name}: ${c.type} takes images (m, H, W, C), it gets (m, ${sample.join(', ')})`);
      let win;
      try {
        win = window2d(name, [1, ...sample], c.kernel, c.stride, c.pad);
      } catch (e) {
        fail((e as Error).message);
      }
      if (c.type === 'conv2d') {
        params = { W: [c.kernel[0], c.kernel[1], sample[2]!, c.nOut], b: [1, c.nOut] };
        sample = [win.oh, win.ow, c.nOut];
      } else {
        sample = [win.oh, win.ow, win.c];
      }
    } else {
      sample = [sample.reduce((a, b) => a * b, 1)];
    }
    for (const [key, shape] of Object.entries(params)) {
      total += shape.reduce((a, b) => a * b, 1);
      if (total > MAX_MODEL_PARAMETERS) {
        fail(`${name}.${key} ${shapeStr(shape)} brings the model to ${total} parameters, over the limit ${MAX_MODEL_PARAMETERS} (1 GiB as float32)`);
      }
    }
    const values = sample.reduce((a, b) => a * b, 1);
    if (values > MAX_SAMPLE_VALUES) fail(`${name} outputs (m, ${sample.join(', ')}) = ${values} values per example, over the limit ${MAX_SAMPLE_VALUES}`);
    out.push(params);
  });
  return out;
}

/** files that passed checkModelFile (load checks once, then hands the result on) */
const checked = new WeakSet<object>();

/**
 * Parses (if text) and checks a saved model against its schema before any tensor is
 * made: format and version; the configuration (every layer, loss, optimizer option);
 * inputShape positive integers; each layer's parameters exactly the ones its
 * configuration makes, with the shapes the input shape gives them, within the size
 * limits; and every value a finite number that float32 can hold. Refusals are
 * DataFormatErrors that say what is wrong and where.
 */
export function checkModelFile(file: unknown): ModelFile {
  if (typeof file === 'object' && file !== null && checked.has(file)) return file as ModelFile;
  let f = file;
  if (typeof f === 'string') {
    try {
      f = JSON.parse(f);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f)) fail(`expected an object, got ${shown(f)}`);
  const o = f as Record<string, unknown>;
  if (o.format !== MODEL_FORMAT) fail(`format is ${shown(o.format)}, expected "${MODEL_FORMAT}"`);
  if (o.version !== MODEL_FORMAT_VERSION) {
    fail(
      typeof o.version === 'number' && o.version > MODEL_FORMAT_VERSION
        ? `version ${o.version} was written by a newer version of this package; this one reads version ${MODEL_FORMAT_VERSION}`
        : `version ${shown(o.version)} is not supported; this package reads version ${MODEL_FORMAT_VERSION}`,
    );
  }
  const raw = o.config as Record<string, unknown> | undefined;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.layers)) fail('config.layers is missing');
  let config: NormalizedModelConfig;
  try {
    config = normalizeModelConfig(raw);
  } catch (e) {
    fail(`config: ${(e as Error).message}`);
  }
  const input = o.inputShape;
  if (
    !Array.isArray(input) ||
    input.length < 1 ||
    input.length > 4 ||
    !input.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d > 0)
  ) {
    fail(`inputShape must be 1 to 4 positive integers (one example, e.g. (n_in) or (H, W, C)), got ${shown(input)}`);
  }
  const inputValues = (input as number[]).reduce((a, b) => a * b, 1);
  if (inputValues > MAX_SAMPLE_VALUES) fail(`inputShape (${input.join(', ')}) = ${inputValues} values per example, over the limit ${MAX_SAMPLE_VALUES}`);
  if (!Array.isArray(o.layers) || o.layers.length !== config.layers.length) {
    fail(`has ${Array.isArray(o.layers) ? o.layers.length : 'no'} layer entries for ${config.layers.length} configured layers`);
  }
  const shapes = modelShapes(config.layers, input as number[]);
  o.layers.forEach((l: unknown, i: number) => {
    if (typeof l !== 'object' || l === null || Array.isArray(l)) fail(`layer ${i} is ${shown(l)}, expected an object`);
    const entry = l as { type?: unknown; parameters?: unknown };
    const type = config.layers[i]!.type;
    if (entry.type !== undefined && entry.type !== type) fail(`layer ${i} has type ${shown(entry.type)}, the configuration says '${type}'`);
    const p = entry.parameters;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(`layer ${i} has no parameters object`);
    const want = shapes[i]!;
    const got = Object.keys(p);
    if (Object.keys(want).sort().join() !== [...got].sort().join()) {
      fail(`layer ${i} (${type}) has parameters [${got.join(', ')}], expected [${Object.keys(want).join(', ')}]`);
    }
    for (const [key, t] of Object.entries(p as Record<string, unknown>)) {
      const s = t as Partial<SavedTensor>;
      if (!Array.isArray(s?.shape) || !Array.isArray(s?.data)) fail(`layer ${i} parameter ${key} needs shape and data arrays`);
      const expected = want[key]!;
      if (s.shape.length !== expected.length || s.shape.some((d, k) => d !== expected[k])) {
        fail(`${type}_${i}.${key} has shape ${shapeStr(s.shape.map((d) => (typeof d === 'number' ? d : NaN)))}, expected ${shapeStr(expected)}`);
      }
      const n = expected.reduce((a, b) => a * b, 1);
      if (s.data.length !== n) fail(`layer ${i} parameter ${key}: ${s.data.length} values for shape (${expected.join(', ')})`);
      for (let k = 0; k < n; k++) {
        const v = s.data[k];
        if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
          fail(
            `${type}_${i}.${key} value ${k} is ${shown(v)}, expected ` +
              (typeof v === 'number' ? "a finite number within float32's range (±3.4e38)" : 'a number'),
          );
        }
      }
    }
  });
  const result = { ...(o as unknown as ModelFile), config, inputShape: [...(input as number[])] };
  checked.add(result);
  return result;
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
