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
// (testSet) and the model's predictions on them (predictTest): inspect.ts. Every request
// is checked by parseRequest (protocol-check.ts) before the worker acts on it.

import type { ModelConfig } from '../nn/model';
import type { ModelFile } from '../nn/serialize';
import type { DatasetName } from '../nn/data/load';
import type { ModelSnapshot, TestPredictions, TestSet } from './inspect';
import type { OwnDataPreview, OwnDataSource } from './own-data';
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

export { parseRequest, REQUEST_TYPES, sampleShapeOf } from './protocol-check';
