// Every request that reaches the training worker is checked here first (parseRequest):
// its type, its fields and their ranges, a session configuration's dataset and model, a
// model file's schema — so a malformed message is refused with a DataFormatError that
// names the field, before anything is built or allocated.

import { DataFormatError } from '../nn/data/errors';
import { normalizeModelConfig } from '../nn/model';
import { checkModelFile, modelShapes } from '../nn/serialize';
import { DATASET_NAMES, type DatasetName } from '../nn/data/load';
import { OWN_FORMATS, OWN_MAX_FILES } from './own-data';
import type { Request, RequestType } from './protocol';


/** one example's shape in each dataset (flat: image sets as (784)) */
export function sampleShapeOf(name: DatasetName, flat = false): number[] {
  switch (name) {
    case 'iris':
      return [4];
    case 'mnist':
    case 'fashion-mnist':
      return flat ? [784] : [28, 28, 1];
    case 'regression-1':
    case 'regression-2':
      return [1];
    default:
      return [2];
  }
}

export const REQUEST_TYPES: readonly RequestType[] = [
  'init', 'start', 'pause', 'resume', 'step', 'stop', 'reset',
  'setLearningRate', 'setHiddenSize', 'setBatchSize', 'setEpochs', 'trace', 'sweep',
  'snapshot', 'testSet', 'predictTest', 'previewData', 'setParameters', 'dispose',
];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shown(v: unknown): string {
  const s = v === undefined ? 'nothing' : Array.isArray(v) ? 'an array' : isObj(v) ? 'an object' : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/**
 * Checks a message that arrived at the worker before anything acts on it: an object
 * with an integer id, a known type, and the fields of that type with their types
 * (a session config's dataset, model, sizes and seed; a sweep's grid). A message that
 * is not so is refused with a DataFormatError naming the request type and the field:
 * "init request: config.batchSize must be a positive integer, got null".
 */
export function parseRequest(raw: unknown): Request {
  if (!isObj(raw)) throw new DataFormatError(`request: expected an object like { id, type, … }, got ${shown(raw)}`);
  const type = raw.type;
  if (typeof type !== 'string' || !(REQUEST_TYPES as readonly string[]).includes(type)) {
    throw new DataFormatError(`request: unknown request type ${shown(type)}; known: ${REQUEST_TYPES.join(', ')}`);
  }
  const bad = (field: string, v: unknown, expected: string): never => {
    throw new DataFormatError(`${type} request: ${field} must be ${expected}, got ${shown(v)}`);
  };
  const id = raw.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) bad('id', id, 'a non-negative integer');
  const posInt = (o: Obj, at: string, key: string, optional = false): void => {
    const v = o[key];
    if (optional && v === undefined) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) bad(`${at}${key}`, v, 'a positive integer');
  };
  const num = (o: Obj, at: string, key: string, lo: number, hi: number, optional = false, open = false): void => {
    const v = o[key];
    if (optional && v === undefined) return;
    const inside = typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi && !(open && (v === lo || v === hi));
    if (!inside) bad(`${at}${key}`, v, hi === Number.MAX_VALUE ? `a finite number ≥ ${lo}` : `a number in ${open ? '(' : '['}${lo}, ${hi}${open ? ')' : ']'}`);
  };
  const oneOf = (o: Obj, at: string, key: string, valid: readonly unknown[]): void => {
    const v = o[key];
    if (v !== undefined && !valid.includes(v)) bad(`${at}${key}`, v, `one of ${valid.map((x) => JSON.stringify(x)).join(', ')}`);
  };
  const ownSource = (v: unknown, at: string): void => {
    if (!isObj(v)) bad(at, v, "an object { format, files, labelColumn }");
    const src = v as Obj;
    oneOf(src, `${at}.`, 'format', OWN_FORMATS);
    if (src.format === undefined) bad(`${at}.format`, undefined, `one of ${OWN_FORMATS.join(', ')}`);
    const files = src.files;
    if (!Array.isArray(files) || files.length === 0 || files.length > OWN_MAX_FILES) bad(`${at}.files`, files, `an array of 1 to ${OWN_MAX_FILES} files { name, bytes }`);
    (files as unknown[]).forEach((f, i) => {
      if (!isObj(f) || typeof f.name !== 'string' || !(f.bytes instanceof Uint8Array)) bad(`${at}.files[${i}]`, f, 'a file { name: string, bytes: Uint8Array }');
    });
    const lc = src.labelColumn;
    if (lc !== undefined && (typeof lc !== 'number' || !Number.isSafeInteger(lc) || lc < -1)) bad(`${at}.labelColumn`, lc, 'a column index (0-based, or −1 for the last)');
  };
  const config = (c: unknown, at: string): void => {
    if (!isObj(c)) bad(at, c, 'a session configuration object { dataset, model, batchSize, epochs, seed }');
    const cfg = c as Obj;
    const d = cfg.dataset;
    if (!isObj(d)) bad(`${at}.dataset`, d, "an object like { name: 'iris' }");
    const ds = d as Obj;
    if (typeof ds.name !== 'string' || !([...DATASET_NAMES, 'own'] as readonly string[]).includes(ds.name)) {
      bad(`${at}.dataset.name`, ds.name, `one of ${DATASET_NAMES.join(', ')}, own`);
    }
    if (ds.name === 'own') ownSource(ds.own, `${at}.dataset.own`);
    else if (ds.own !== undefined) bad(`${at}.dataset.own`, ds.own, "nothing unless the dataset's name is 'own'");
    oneOf(ds, `${at}.dataset.`, 'standardize', [true, false]);
    oneOf(ds, `${at}.dataset.`, 'layout', ['image', 'flat']);
    if (ds.toy !== undefined) {
      if (!isObj(ds.toy)) bad(`${at}.dataset.toy`, ds.toy, 'an object { perClass, noise, classes }');
      const toy = ds.toy as Obj;
      posInt(toy, `${at}.dataset.toy.`, 'perClass', true);
      posInt(toy, `${at}.dataset.toy.`, 'classes', true);
      num(toy, `${at}.dataset.toy.`, 'noise', 0, Number.MAX_VALUE, true);
    }
    num(ds, `${at}.dataset.`, 'testFraction', 0, 1, true, true);
    num(ds, `${at}.dataset.`, 'validationFraction', 0, 1, true);
    if (ds.validationFraction === 1) bad(`${at}.dataset.validationFraction`, 1, 'a number in [0, 1)');
    posInt(ds, `${at}.dataset.`, 'trainLimit', true);
    posInt(ds, `${at}.dataset.`, 'testLimit', true);
    if (!isObj(cfg.model)) bad(`${at}.model`, cfg.model, 'a model configuration { layers, loss, optimizer }');
    try {
      // the session replaces the model's seed with its own; the layers must fit the
      // dataset's examples and stay within the parameter limit before any weight is drawn
      const model = normalizeModelConfig({ ...(cfg.model as Obj), seed: 0 });
      // the student's data has its shape once parsed: the session checks it then
      if (ds.name !== 'own') modelShapes(model.layers, sampleShapeOf(ds.name as DatasetName, ds.layout === 'flat'));
    } catch (e) {
      throw new DataFormatError(`${type} request: ${at}.model: ${(e as Error).message.replace(/^model file: /, '')}`);
    }
    posInt(cfg, `${at}.`, 'batchSize');
    posInt(cfg, `${at}.`, 'epochs');
    const seed = cfg.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) bad(`${at}.seed`, seed, 'an integer in [0, 2^32)');
    oneOf(cfg, `${at}.`, 'lean', [true, false]);
    posInt(cfg, `${at}.`, 'lossEvery', true);
    posInt(cfg, `${at}.`, 'maxReadsInFlight', true);
    posInt(cfg, `${at}.`, 'evalBatchSize', true);
    num(cfg, `${at}.`, 'flushMs', 0, Number.MAX_VALUE, true);
  };
  switch (type as RequestType) {
    case 'init':
      config(raw.config, 'config');
      oneOf(raw, '', 'prefer', ['webgpu', 'cpu']);
      break;
    case 'step':
      posInt(raw, '', 'count', true);
      break;
    case 'setLearningRate':
      if (typeof raw.lr !== 'number' || !Number.isFinite(raw.lr) || raw.lr < 0) bad('lr', raw.lr, 'a learning rate (a finite number ≥ 0)');
      break;
    case 'setHiddenSize':
      posInt(raw, '', 'hidden');
      break;
    case 'setBatchSize':
      posInt(raw, '', 'batchSize');
      break;
    case 'setEpochs':
      posInt(raw, '', 'epochs');
      break;
    case 'trace':
      posInt(raw, '', 'maxValues', true);
      break;
    case 'predictTest':
      posInt(raw, '', 'chunk', true);
      break;
    case 'previewData':
      ownSource(raw.source, 'source');
      if (typeof raw.seed !== 'number' || !Number.isInteger(raw.seed) || raw.seed < 0 || raw.seed > 0xffffffff) bad('seed', raw.seed, 'an integer in [0, 2^32)');
      num(raw, '', 'testFraction', 0, 1, true, true);
      break;
    case 'setParameters':
      try {
        checkModelFile(raw.file);
      } catch (e) {
        throw new DataFormatError(`setParameters request: ${(e as Error).message}`);
      }
      break;
    case 'sweep': {
      if (!isObj(raw.spec)) bad('spec', raw.spec, 'a sweep specification { base, learningRates, hiddenSizes }');
      const spec = raw.spec as Obj;
      config(spec.base, 'spec.base');
      const lrs = spec.learningRates;
      if (!Array.isArray(lrs) || lrs.length === 0) bad('spec.learningRates', lrs, 'a non-empty array of learning rates');
      (lrs as unknown[]).forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`spec.learningRates[${i}]`, v, 'a finite number ≥ 0');
      });
      const hs = spec.hiddenSizes;
      if (!Array.isArray(hs) || hs.length === 0) bad('spec.hiddenSizes', hs, 'a non-empty array of hidden sizes');
      (hs as unknown[]).forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) bad(`spec.hiddenSizes[${i}]`, v, 'a positive integer');
      });
      oneOf(spec, 'spec.', 'rankBy', ['test', 'validation']);
      break;
    }
    default:
      break;
  }
  return raw as unknown as Request;
}
