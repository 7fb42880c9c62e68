// The training session's vocabulary: its configuration, the metric stream it emits and
// the messages between the main thread and the Web Worker that runs it. Everything here
// is plain data (structured-clone safe): the same objects flow in-process in Node and
// through postMessage in the browser.
//
//   main thread (zustand store)          worker (or in-process)
//   client.ts ── Request {id, …} ──────▶ handler.ts ─▶ session.ts ─▶ nn model ─▶ backend
//             ◀── Reply {id, ok} ───────
//             ◀── Event (metrics, trace, sweep rows, progress, predict progress)
//
// Besides the controls, the page reads the session's model (snapshot), its test images
// (testSet) and the model's predictions on them (predictTest): inspect.ts.

import { DataFormatError } from '../nn/data/errors';
import { normalizeModelConfig, type ModelConfig } from '../nn/model';
import { checkModelFile, modelShapes, type ModelFile } from '../nn/serialize';
import { DATASET_NAMES, type DatasetName } from '../nn/data/load';
import type { ModelSnapshot, TestPredictions, TestSet } from './inspect';
import { OWN_FORMATS, OWN_MAX_FILES, type OwnDataPreview, type OwnDataSource } from './own-data';
import type { Trace } from './trace';

// ── configuration ──────────────────────────────────────────────────────────────

export interface DatasetSpec {
  /** a dataset of the package, or 'own': the student's files in `own` */
  name: DatasetName | 'own';
  /** name 'own': the dropped files, parsed in the worker (own-data.ts) */
  own?: OwnDataSource;
  /** standardize features with the train set's mean and std (fitted on train only) */
  standardize?: boolean;
  /** image sets: 'image' (n, 28, 28, 1) for convolutions, 'flat' (n, 784) for MLPs */
  layout?: 'image' | 'flat';
  /** the 2-D toys: points per class, noise, classes */
  toy?: { perClass?: number; noise?: number; classes?: number };
  /** test share of the seeded stratified split where the dataset has no official one */
  testFraction?: number;
  /**
   * share of the train set held out for validation (seeded, stratified for
   * classification); 0 (the default) keeps every training example and reports no
   * validation metrics
   */
  validationFraction?: number;
  /** use only the first n training examples (after the validation split) */
  trainLimit?: number;
  /** evaluate on only the first n test examples */
  testLimit?: number;
}

export interface SessionConfig {
  dataset: DatasetSpec;
  /** the nn package's model configuration; its seed is replaced by `seed` below */
  model: ModelConfig;
  batchSize: number;
  epochs: number;
  /** seeds the weights, the validation split and the batch order */
  seed: number;
  /**
   * the nn package's lean steps (default true: fused kernels, parameter arenas); false
   * runs every op as the course writes it — what a step-through trace should show
   */
  lean?: boolean;
  /** read the training loss back every this many steps (default 10) */
  lossEvery?: number;
  /** at most this many loss reads in flight before the loop waits for the oldest (default 2) */
  maxReadsInFlight?: number;
  /** rows per forward pass when evaluating (default 1000) */
  evalBatchSize?: number;
  /** deliver metric batches at most this often, in ms (default 50; 0: at every flush point) */
  flushMs?: number;
}

// ── state and metrics ──────────────────────────────────────────────────────────

/**
 * idle      built, nothing trained since the last (re)start
 * running   the loop records steps
 * paused    stopped between steps; resume, single-step or change settings
 * done      every epoch trained and evaluated (raising `epochs` makes it resumable)
 * diverged  a loss read back as NaN or ±Inf; the run is over (reset to start again)
 * stopped   stopped by the user; reset to start again
 * failed    an error ended the run (the message says which); reset to start again
 */
export type SessionState = 'idle' | 'running' | 'paused' | 'done' | 'diverged' | 'stopped' | 'failed';

export interface DivergenceInfo {
  /** the step (1-based update count) whose loss was not finite */
  step: number;
  /** the learning rate that step ran with (after the scheduler) */
  lr: number;
  /** the loss as text ('NaN', 'Infinity', '-Infinity'), never as a number in a chart */
  loss: string;
  /** the last step read back with a finite loss (0 if none) */
  lastFiniteStep: number;
  /**
   * what was found not finite: the training loss read back; the parameters (checked with
   * each loss read: a model whose parameters are NaN can still report a finite loss on the
   * GPU); or the validation or test loss of the evaluation after `step` (end of an epoch)
   */
  cause: 'loss' | 'parameters' | 'validation' | 'test';
  /** the cause in words, e.g. "the validation loss after epoch 1 became NaN (…)" */
  reason: string;
}

/**
 * One entry of the metric stream. `run` counts restarts (a new model: hidden-size change
 * or reset); `step` is the number of updates done in that run when the entry holds.
 */
export type MetricEvent =
  /**
   * the training loss of update `step` (read every lossEvery steps and at each epoch's
   * end); epoch is fractional: complete epochs + the share of the current one done
   */
  | { kind: 'loss'; run: number; step: number; epoch: number; loss: number }
  /**
   * after `epoch` complete epochs: mean loss and accuracy of the splits that exist;
   * trainLoss is the mean of the training losses read during that epoch
   */
  | {
      kind: 'eval';
      run: number;
      step: number;
      epoch: number;
      trainLoss: number | null;
      valLoss: number | null;
      valAccuracy: number | null;
      testLoss: number | null;
      testAccuracy: number | null;
    }
  /** training throughput since the previous speed entry (evaluation excluded) */
  | { kind: 'speed'; run: number; step: number; examplesPerSec: number }
  /** the learning rate changes to `lr` from update `step` on (the next step after the call) */
  | { kind: 'lr'; run: number; step: number; lr: number; previous: number }
  /** batch size or epoch count changed; takes effect from update `step` on */
  | { kind: 'setting'; run: number; step: number; name: 'batchSize' | 'epochs'; value: number; previous: number }
  /** a new model (same seed, or a loaded file's parameters): run `run` starts at step 0 */
  | { kind: 'restart'; run: number; step: 0; reason: 'hidden' | 'reset' | 'load'; hidden: number | null; previousRun: number; previousStep: number }
  | { kind: 'state'; run: number; step: number; state: SessionState; message: string }
  /** the GPU device was lost: the session goes on on a new device from `step` (the message says how) */
  | { kind: 'device'; run: number; step: number; message: string }
  | ({ kind: 'diverged'; run: number } & DivergenceInfo);

export interface SessionSnapshot {
  run: number;
  state: SessionState;
  /** human-readable state, e.g. "diverged at step 37 (lr 1000): loss NaN" */
  message: string;
  /** updates done in this run */
  step: number;
  /** complete epochs */
  epoch: number;
  /** epochs to train */
  epochs: number;
  /** steps of the current epoch done, and the epoch's length at the current batch size */
  stepInEpoch: number;
  stepsPerEpoch: number;
  examplesSeen: number;
  lr: number;
  /** units of the hidden fully connected layers (null when the model has none) */
  hidden: number | null;
  batchSize: number;
  /** latest throughput (0 before the first measurement) */
  examplesPerSec: number;
  /** training wall time of this run, pauses and evaluation excluded */
  trainMs: number;
  divergedAt: DivergenceInfo | null;
}

/** What the session delivers: every event since the last batch, and the counters now. */
export interface MetricsBatch {
  /** which sweep run (absent for the single session) */
  sweepRun?: number;
  events: MetricEvent[];
  snapshot: SessionSnapshot;
}

// ── sweeps ─────────────────────────────────────────────────────────────────────

export interface SweepSpec {
  /** the base configuration; each run overrides the learning rate and hidden size */
  base: SessionConfig;
  learningRates: number[];
  hiddenSizes: number[];
  /**
   * which accuracy picks the best run (default: validation when the data has a validation
   * split, else test). Picking by test accuracy tunes to the test set and makes the best
   * figure optimistic; the page always picks by validation and reports the test accuracy.
   */
  rankBy?: 'test' | 'validation';
}

export interface SweepRow {
  /** position in the grid (learning rates outer, hidden sizes inner) */
  index: number;
  lr: number;
  hidden: number;
  state: SessionState;
  epochs: number;
  steps: number;
  /** mean training loss read during the last epoch */
  finalTrainLoss: number | null;
  /** loss on the validation split after the last epoch (breaks ties of validation accuracy) */
  valLoss: number | null;
  valAccuracy: number | null;
  testAccuracy: number | null;
  /** 1 − the ranking accuracy (null when it is unknown, e.g. diverged) */
  error: number | null;
  wallMs: number;
  /** 1-based rank by the ranking accuracy (diverged runs last) */
  rank: number;
  /** the picked run: the best ranking accuracy, ties broken by the stated rule */
  best: boolean;
  /** equal to the best ranking accuracy at the shown precision, with at least one other run */
  tied: boolean;
  message: string;
}

export interface SweepTable {
  rankBy: 'test' | 'validation';
  /** sorted: best first */
  rows: SweepRow[];
  /** grid size; rows.length < total while the sweep runs (or when it was stopped) */
  total: number;
  /** true on the last table of the sweep: no more rows will come */
  done: boolean;
}

// ── messages ───────────────────────────────────────────────────────────────────

export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  deviceName: string;
  isFallback: boolean;
  /** why the CPU runs although WebGPU was preferred (null when nothing fell back) */
  fallbackReason: string | null;
}

export interface DatasetInfo {
  name: string;
  train: number;
  validation: number;
  test: number;
  sampleShape: number[];
  classes: number | null;
  source: string;
}

export interface ReadyInfo {
  backend: BackendInfo;
  dataset: DatasetInfo;
  snapshot: SessionSnapshot;
}

export type Request =
  | { id: number; type: 'init'; config: SessionConfig; prefer?: 'webgpu' | 'cpu' }
  | { id: number; type: 'start' }
  | { id: number; type: 'pause' }
  | { id: number; type: 'resume' }
  | { id: number; type: 'step'; count?: number }
  | { id: number; type: 'stop' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'setLearningRate'; lr: number }
  | { id: number; type: 'setHiddenSize'; hidden: number }
  | { id: number; type: 'setBatchSize'; batchSize: number }
  | { id: number; type: 'setEpochs'; epochs: number }
  | { id: number; type: 'trace'; maxValues?: number }
  | { id: number; type: 'sweep'; spec: SweepSpec }
  /** the session's model: configuration and parameters now */
  | { id: number; type: 'snapshot' }
  /** the session's test split as bytes */
  | { id: number; type: 'testSet' }
  /** the model's softmax outputs on every test image, `chunk` rows per forward (default 500); the session must not be running */
  | { id: number; type: 'predictTest'; chunk?: number }
  /** parses the student's files (no session needed): sizes, classes, a few rows or images, the split at `seed` */
  | { id: number; type: 'previewData'; source: OwnDataSource; seed: number; testFraction?: number }
  /**
   * the parameters of a saved model file (the nn package's format) for the session's
   * model: a new run from them, idle; refused, nothing changed, when the file's layers or
   * shapes differ from the session's model or the session is running
   */
  | { id: number; type: 'setParameters'; file: ModelFile }
  | { id: number; type: 'dispose' };

export type RequestType = Request['type'];

/** what each request resolves to */
export interface ReplyValues {
  init: ReadyInfo;
  start: SessionSnapshot;
  pause: SessionSnapshot;
  resume: SessionSnapshot;
  step: SessionSnapshot;
  /** null when only a sweep was stopped */
  stop: SessionSnapshot | null;
  reset: SessionSnapshot;
  setLearningRate: SessionSnapshot;
  setHiddenSize: SessionSnapshot;
  setBatchSize: SessionSnapshot;
  setEpochs: SessionSnapshot;
  trace: Trace;
  sweep: SweepTable;
  snapshot: ModelSnapshot;
  testSet: TestSet;
  predictTest: TestPredictions;
  previewData: OwnDataPreview;
  setParameters: SessionSnapshot;
  dispose: null;
}

export type Reply =
  | { type: 'reply'; id: number; ok: true; value: ReplyValues[RequestType] }
  | { type: 'reply'; id: number; ok: false; error: string };

export type WorkerEvent =
  | { type: 'metrics'; batch: MetricsBatch }
  | { type: 'progress'; loaded: number; total: number; file: string; phase: string }
  | { type: 'sweep'; table: SweepTable }
  /** test images of predictTest request `id` done so far */
  | { type: 'predict-progress'; id: number; done: number; total: number };

export type WorkerMessage = Reply | WorkerEvent;

// ── request validation ─────────────────────────────────────────────────────────

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
