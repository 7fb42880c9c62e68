// TrainingSession: a backend, a model built from a configuration, a dataset, and the loop
// that trains it — the same code in Node (in-process) and in the browser (in a Web
// Worker, see worker.ts / handler.ts).
//
// One step, recorded with no readback:
//   batch (host) → write into the input tensors → model.computeLoss → backward → step
//   → one submission (flush; on a read step the loss read submits it)
//
// The loss comes back every `lossEvery` steps (and at each epoch's end) without
// stalling: the read of step s is issued together with the model's finiteness check of
// the loss and every parameter (model.finiteCheck: their bits, in the same submission)
// and the loop goes on recording steps s+1, s+2, …; at most `maxReadsInFlight` reads are
// pending before the loop waits for the oldest. When a read shows NaN or ±Inf in the loss
// or in a parameter — or an end-of-epoch evaluation's loss is not finite — the run stops
// in the state 'diverged' (step, learning rate and what was found named); no non-finite
// number is emitted.
//
// A refused setHiddenSize or setBatchSize (a bad value, or a model the backend cannot
// hold, checked from the shapes before any weight is drawn) leaves the session as it was.
//
// Control (between steps, so a new learning rate is used from the very next step):
// start, pause, resume, step (single-step while paused), stop, reset, setLearningRate,
// setHiddenSize (rebuild from the same seed, a new run in the stream), setBatchSize,
// setEpochs, trace (one step recorded op by op).

import type { Backend, Tensor } from '../engine/backend';
import type { ModelConfig } from '../nn/model';
import { NeuralNetwork } from '../nn/model';
import { DeviceQueue } from './device-queue';
import type { LayerConfig } from '../nn/layers';
import { BatchOrder, describeData, loadSessionData, slice, type HostBatch, type SessionData } from './data';
import { MetricsBuffer, type MetricsSink } from './metrics';
import type { DatasetInfo, DivergenceInfo, MetricEvent, SessionConfig, SessionSnapshot, SessionState } from './protocol';
import { Tracer, type Trace } from './trace';
import type { LoadProgress } from '../nn/data/load';
import type { Dataset } from '../nn/data/dataset';

/** between two parameter copies for a device-loss checkpoint while training runs (keepParameters) */
const KEEP_EVERY_MS = 1000;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Gives the event loop a turn (so control messages get in) without the 4 ms timer clamp. */
export function yieldToEvents(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

// ── hidden size ────────────────────────────────────────────────────────────────

/** indices of the hidden fully connected layers: every fc layer but the output layer */
export function hiddenLayerIndices(model: ModelConfig): number[] {
  const last = model.layers.length - 1;
  return model.layers.flatMap((l, i) => (l.type === 'fc' && i !== last ? [i] : []));
}

/** units of the hidden fc layers (the first one's, when they differ); null without any */
export function hiddenSizeOf(model: ModelConfig): number | null {
  const idx = hiddenLayerIndices(model);
  return idx.length ? (model.layers[idx[0]!] as { nOut: number }).nOut : null;
}

/** the same model with every hidden fc layer given `hidden` units */
export function withHiddenSize(model: ModelConfig, hidden: number): ModelConfig {
  const idx = new Set(hiddenLayerIndices(model));
  if (idx.size === 0) throw new Error('setHiddenSize: this model has no hidden fully connected layer (only the output layer)');
  if (!(Number.isInteger(hidden) && hidden >= 1)) throw new Error(`setHiddenSize: hidden size must be a positive integer, got ${hidden}`);
  return { ...model, layers: model.layers.map((l, i) => (idx.has(i) ? ({ ...l, nOut: hidden } as LayerConfig) : l)) };
}

function checkPositiveInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`session: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export function normalizeSessionConfig(c: SessionConfig): Required<Omit<SessionConfig, 'dataset' | 'model'>> & Pick<SessionConfig, 'dataset' | 'model'> {
  if (typeof c !== 'object' || c === null) throw new Error(`session: expected a configuration object, got ${JSON.stringify(c)}`);
  const seed = c.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`session: seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`);
  }
  if (c.lean !== undefined && typeof c.lean !== 'boolean') throw new Error(`session: lean must be true or false, got ${JSON.stringify(c.lean)}`);
  const flushMs = c.flushMs ?? 50;
  if (!(typeof flushMs === 'number' && flushMs >= 0)) throw new Error(`session: flushMs must be ≥ 0, got ${JSON.stringify(flushMs)}`);
  return {
    dataset: c.dataset,
    model: c.model,
    batchSize: checkPositiveInt('batchSize', c.batchSize),
    epochs: checkPositiveInt('epochs', c.epochs),
    seed,
    lossEvery: checkPositiveInt('lossEvery', c.lossEvery ?? 10),
    maxReadsInFlight: checkPositiveInt('maxReadsInFlight', c.maxReadsInFlight ?? 2),
    evalBatchSize: checkPositiveInt('evalBatchSize', c.evalBatchSize ?? 1000),
    flushMs,
    lean: c.lean ?? true,
  };
}

type Settings = ReturnType<typeof normalizeSessionConfig>;

interface ReadRecord {
  run: number;
  segment: number;
  step: number;
  epoch: number;
  examples: number;
}

export interface EvalResult {
  loss: number;
  accuracy: number | null;
  count: number;
}

export interface SessionOptions {
  /** data already prepared (toy sets in tests); otherwise loaded with loadDataset */
  data?: SessionData;
  onProgress?: (p: LoadProgress) => void;
  /** set on each metrics batch (sweeps) */
  sweepRun?: number;
  /**
   * Keep a host copy of the parameters (the parameter arena, P floats) with a periodic loss
   * read — at every epoch's end, every read that ends a request (a pause, a single step),
   * and otherwise at most once per KEEP_EVERY_MS — so that the session can continue on a
   * new device after the old one was lost (`checkpoint`, `resume`). Not at every read:
   * Iris reads its loss every step, and a second readback per step is not worth it.
   */
  keepParameters?: boolean;
  /** start from a checkpoint of an earlier session of the same model (paused there) */
  resume?: { checkpoint: SessionCheckpoint; message: string };
}

/**
 * The parameters and counters as of the last periodic loss read that came back finite,
 * on the host. The optimizer's state (momentum, Adam moments, the scheduler's count) is
 * not kept: a resumed session's optimizer starts afresh.
 */
export interface SessionCheckpoint {
  run: number;
  step: number;
  epoch: number;
  /** examples of the epoch consumed */
  offset: number;
  examplesSeen: number;
  lrHistory: { step: number; lr: number }[];
  batchSize: number;
  epochs: number;
  model: ModelConfig;
  lastTrainLoss: number | null;
  /** the parameter arena (lean models), else each layer's parameters by key */
  params: Float32Array | Float64Array | Record<string, { data: ArrayLike<number> }>[];
}

/** how often the loop gives the event loop a turn, in ms */
const YIELD_MS = 10;
/** the shortest window a throughput figure is measured over, in ms */
const SPEED_WINDOW_MS = 250;

export class TrainingSession {
  readonly tracer: Tracer;
  readonly dataInfo: DatasetInfo;
  private settings: Settings;
  private modelConfig: ModelConfig;
  private _model: NeuralNetwork;
  private order: BatchOrder;
  private metrics: MetricsBuffer;
  private inputs = new Map<number, { x: Tensor; y: Tensor }>();

  private run = 0;
  private step = 0;
  private epoch = 0;
  /** examples of the current epoch already consumed */
  private offset = 0;
  private examplesSeen = 0;
  private state: SessionState = 'idle';
  private message = 'ready';
  private lrHistory: { step: number; lr: number }[] = [];
  private lastFiniteStep = 0;
  private divergedAt: DivergenceInfo | null = null;
  private lastTrainLoss: number | null = null;
  /** sum and count of the losses read during the current epoch */
  private epochLoss = { sum: 0, count: 0, epoch: 0 };
  private lastEval: Extract<MetricEvent, { kind: 'eval' }> | null = null;

  private inflight: Promise<void>[] = [];
  private loop: Promise<void> | null = null;
  /** control operations run one at a time, in call order */
  private readonly queue = new DeviceQueue();
  private segment = 0;
  private segmentStart = 0;
  private trainMs = 0;
  private mark: { examples: number; t: number } | null = null;
  private examplesPerSec = 0;
  private disposed = false;
  private readonly keep: boolean;
  private kept: SessionCheckpoint | null = null;
  /** when the parameters were last copied for `kept` (ms, performance clock) */
  private keptAt = -Infinity;

  private constructor(
    readonly backend: Backend,
    config: SessionConfig,
    readonly data: SessionData,
    sink: MetricsSink,
    opts: SessionOptions,
  ) {
    this.settings = normalizeSessionConfig(config);
    this.modelConfig = config.model;
    this.tracer = new Tracer(backend);
    this.order = new BatchOrder(data.train, this.settings.seed);
    this.dataInfo = describeData(config.dataset, data);
    this.metrics = new MetricsBuffer(sink, () => this.snapshot(), this.settings.flushMs, opts.sweepRun);
    this.keep = opts.keepParameters ?? false;
    this._model = this.buildModel();
    this.lrHistory = [{ step: 1, lr: this._model.lr }];
    if (opts.resume) this.restore(opts.resume.checkpoint, opts.resume.message);
  }

  /** Loads the data (unless given), builds the model; the session starts 'idle' (or paused at a checkpoint). */
  static async create(backend: Backend, config: SessionConfig, onMetrics: MetricsSink, opts: SessionOptions = {}): Promise<TrainingSession> {
    normalizeSessionConfig(config);
    const data = opts.data ?? (await loadSessionData(config.dataset, config.seed, opts.onProgress));
    return new TrainingSession(backend, config, data, onMetrics, opts);
  }

  /** the parameters and counters at the last finite read that kept them (keepParameters), or null */
  get checkpoint(): SessionCheckpoint | null {
    return this.kept;
  }

  get model(): NeuralNetwork {
    return this._model;
  }

  get config(): SessionConfig {
    return { ...this.settings, model: this.modelConfig };
  }

  // ── model ──────────────────────────────────────────────────────────────────

  /**
   * Refuses (DeviceLimitError, naming the tensor and the limit) a model the backend cannot
   * hold at this batch size or the evaluation's, from the shapes alone: nothing is
   * allocated and nothing in the session changes.
   */
  private checkFits(config: ModelConfig, batchSize: number, evalBatchSize = this.settings.evalBatchSize): void {
    const { train, validation, test } = this.data;
    const rows = Math.max(
      Math.min(batchSize, train.shape[0]!),
      ...[validation, test].map((d) => (d ? Math.min(evalBatchSize, d.shape[0]!) : 0)),
    );
    const probe = new NeuralNetwork(this.tracer.backend, { ...config, seed: this.settings.seed }, { lean: this.settings.lean });
    probe.checkFits([Math.max(1, rows), ...train.shape.slice(1)]);
  }

  /** a new model of `config` (same seed) at the current learning rate; throws, freeing what it made, if it cannot be built */
  private buildModel(config: ModelConfig = this.modelConfig): NeuralNetwork {
    this.checkFits(config, this.settings.batchSize);
    const model = new NeuralNetwork(this.tracer.backend, { ...config, seed: this.settings.seed }, { lean: this.settings.lean });
    try {
      model.build([1, ...this.data.train.shape.slice(1)]);
      model.lr = this.lrHistory.length ? this.lrHistory[this.lrHistory.length - 1]!.lr : model.lr;
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** the learning rate step k ran with (after the scheduler) */
  private lrAt(k: number): number {
    let base = this.lrHistory[0]!.lr;
    for (const h of this.lrHistory) if (h.step <= k) base = h.lr;
    return this._model.scheduler.rate(base, k - 1);
  }

  // ── state ──────────────────────────────────────────────────────────────────

  snapshot(): SessionSnapshot {
    const n = this.order.size;
    const running = this.state === 'running' && this.loop ? now() - this.segmentStart : 0;
    return {
      run: this.run,
      state: this.state,
      message: this.message,
      step: this.step,
      epoch: this.epoch,
      epochs: this.settings.epochs,
      stepInEpoch: Math.ceil(this.offset / this.settings.batchSize),
      stepsPerEpoch: Math.ceil(n / this.settings.batchSize),
      examplesSeen: this.examplesSeen,
      lr: this._model.lr,
      hidden: hiddenSizeOf(this.modelConfig),
      batchSize: this.settings.batchSize,
      examplesPerSec: this.examplesPerSec,
      trainMs: this.trainMs + running,
      divergedAt: this.divergedAt,
    };
  }

  get status(): SessionState {
    return this.state;
  }

  /** the state as it is now (it changes across awaits: a read can end the run) */
  private current(): SessionState {
    return this.state;
  }

  /** the last training loss read back, and the last evaluation */
  get latest(): { trainLoss: number | null; eval: Extract<MetricEvent, { kind: 'eval' }> | null } {
    return { trainLoss: this.lastTrainLoss, eval: this.lastEval };
  }

  private setState(state: SessionState, message: string): void {
    this.state = state;
    this.message = message;
    this.metrics.push({ kind: 'state', run: this.run, step: this.step, state, message });
    this.metrics.flush(true);
  }

  /** tells the page that the session moved to a new device, and how it goes on (the state stays) */
  announceNewDevice(message: string): void {
    this.metrics.push({ kind: 'device', run: this.run, step: this.step, message });
    this.setState(this.state, message);
  }

  private checkLive(): void {
    if (this.disposed) throw new Error('session: disposed');
  }

  // ── one step ───────────────────────────────────────────────────────────────

  private inputTensors(b: HostBatch): { x: Tensor; y: Tensor } {
    const m = b.xShape[0]!;
    let t = this.inputs.get(m);
    if (!t) {
      t = { x: this.backend.fromArray(b.x, b.xShape, `x (batch of ${m})`), y: this.backend.fromArray(b.y, b.yShape, `y (batch of ${m})`) };
      this.inputs.set(m, t);
    } else {
      // nothing is recorded yet, so on the GPU these are queue writes ordered after the
      // previous step's submission
      this.backend.write(t.x, b.x);
      this.backend.write(t.y, b.y);
    }
    return t;
  }

  /**
   * Records one training step and submits it; on a read step issues the (not awaited)
   * read of its loss and finiteness. Returns the read's promise, or null.
   */
  private recordStep(forceRead: boolean): Promise<void> | null {
    const n = this.order.size;
    const m = Math.min(this.settings.batchSize, n - this.offset);
    const { x, y } = this.inputTensors(this.order.batch(this.epoch, this.offset, m));
    const model = this._model;
    const loss = model.computeLoss(x, y);
    model.backward();
    model.step();
    this.step++;
    this.offset += m;
    this.examplesSeen += m;
    const read = forceRead || this.offset >= n || this.step % this.settings.lossEvery === 0;
    if (!read) {
      this.backend.flush();
      this.backend.dispose(loss);
      return null;
    }
    // the bits of the loss and of every parameter (lean: one dispatch), read with the loss
    const { flag, want } = model.finiteCheck(loss, this.backend);
    const rec: ReadRecord = { run: this.run, segment: this.segment, step: this.step, epoch: this.epoch + this.offset / n, examples: this.examplesSeen };
    // read(loss) submits the step (with the check and the copy); read(flag) only copies
    const p = Promise.all([this.backend.read(loss), this.backend.read(flag)])
      .then(([l, f]) => this.onLossRead(rec, l[0]!, f[0] === want))
      .finally(() => this.backend.dispose(loss, flag));
    const tracked: Promise<void> = p.finally(() => {
      const i = this.inflight.indexOf(tracked);
      if (i >= 0) this.inflight.splice(i, 1);
    });
    this.inflight.push(tracked);
    // a read that fails (a lost device) rejects whoever waits on it (drain, admit); the
    // reads nobody waits on any more must not surface as unhandled rejections
    tracked.catch(() => undefined);
    if (this.keep && (forceRead || this.offset >= n || now() - this.keptAt >= KEEP_EVERY_MS)) {
      this.keptAt = now();
      this.keepParametersAt(tracked);
    }
    return tracked;
  }

  /**
   * Copies the parameters now (recorded before the next step's update) and keeps them
   * with the counters once the loss read of this step came back finite.
   */
  private keepParametersAt(read: Promise<void>): void {
    const model = this._model;
    const arena = model.arena;
    const params = arena ? this.backend.read(arena.params) : model.readParameters();
    const at = { run: this.run, step: this.step, epoch: this.epoch, offset: this.offset, examplesSeen: this.examplesSeen };
    Promise.all([params, read]).then(
      ([p]) => {
        if (at.run !== this.run || this.state === 'diverged' || this.lastFiniteStep !== at.step) return;
        if (this.kept && this.kept.run === at.run && this.kept.step > at.step) return;
        this.kept = {
          ...at,
          lrHistory: this.lrHistory.map((h) => ({ ...h })),
          batchSize: this.settings.batchSize,
          epochs: this.settings.epochs,
          model: this.modelConfig,
          lastTrainLoss: this.lastTrainLoss,
          params: p,
        };
      },
      () => undefined, // the read's own failure reaches the loop through `read`
    );
  }

  /** continues from a checkpoint: its parameters, counters and settings; paused */
  private restore(k: SessionCheckpoint, message: string): void {
    if (JSON.stringify(k.model) !== JSON.stringify(this.modelConfig)) throw new Error('session: the checkpoint belongs to a different model');
    const model = this._model;
    const arena = model.arena;
    if (arena && !Array.isArray(k.params)) this.backend.write(arena.params, k.params as ArrayLike<number>);
    else if (!arena && Array.isArray(k.params)) model.setParameters(k.params.map((l) => Object.fromEntries(Object.entries(l).map(([key, t]) => [key, t.data]))));
    else throw new Error('session: the checkpoint holds parameters of another layout');
    this.settings = { ...this.settings, batchSize: k.batchSize, epochs: k.epochs };
    this.run = k.run;
    this.step = k.step;
    this.epoch = k.epoch;
    this.offset = k.offset;
    this.examplesSeen = k.examplesSeen;
    if (this.offset >= this.order.size) {
      // the checkpoint was the last step of an epoch, before its evaluation
      this.epoch++;
      this.offset = 0;
    }
    this.lrHistory = k.lrHistory.map((h) => ({ ...h }));
    model.lr = this.lrHistory[this.lrHistory.length - 1]!.lr;
    this.lastFiniteStep = k.step;
    this.lastTrainLoss = k.lastTrainLoss;
    this.kept = k;
    this.state = 'paused';
    this.announceNewDevice(message);
  }

  private onLossRead(rec: ReadRecord, loss: number, finite: boolean): void {
    if (rec.run !== this.run || this.state === 'diverged') return;
    if (!Number.isFinite(loss)) {
      this.diverge(rec.step, 'loss', loss, this.lossReason(loss));
      return;
    }
    if (!finite) {
      this.diverge(
        rec.step,
        'parameters',
        loss,
        `the parameters became NaN or ±Infinity (the loss still read back ${loss}: NaN can turn into finite numbers on the way to the loss)`,
      );
      return;
    }
    this.lastFiniteStep = rec.step;
    this.lastTrainLoss = loss;
    // rec.epoch is fractional; the last step of epoch e reads exactly e + 1
    const e = Math.ceil(rec.epoch) - 1;
    if (e !== this.epochLoss.epoch) this.epochLoss = { sum: 0, count: 0, epoch: e };
    this.epochLoss.sum += loss;
    this.epochLoss.count++;
    this.metrics.push({ kind: 'loss', run: rec.run, step: rec.step, epoch: rec.epoch, loss });
    // throughput over windows of at least SPEED_WINDOW_MS, timed when the reads complete
    // (on the GPU that is when the work is done; on the CPU reads can resolve in clumps)
    if (this.state === 'running' && rec.segment === this.segment && this.mark && rec.examples > this.mark.examples) {
      const t = now();
      if (t - this.mark.t >= SPEED_WINDOW_MS) {
        this.examplesPerSec = ((rec.examples - this.mark.examples) * 1000) / (t - this.mark.t);
        this.metrics.push({ kind: 'speed', run: rec.run, step: rec.step, examplesPerSec: this.examplesPerSec });
        this.mark = { examples: rec.examples, t };
      }
    }
  }

  /** why a training loss read back as `loss` (NaN or ±Inf), in words */
  private lossReason(loss: number): string {
    const c = this._model.config.loss;
    if (loss === Infinity && c.type === 'cross_entropy' && !this._model.fused) {
      const limit = this.backend.kind === 'webgpu' ? 'float32 (below 2^-126)' : 'float64 (below 2^-1022)';
      return (
        `the loss became Infinity: the probability ŷ of a target class underflowed to 0 in ${limit}, so ln ŷ = -Infinity ` +
        `(the unfused cross-entropy takes ln of the softmax output; its gradient there is clamped, so no NaN reaches the parameters). ` +
        `The fused loss (loss: 'cross_entropy') computes ln ŷ from the logits and has no such limit`
      );
    }
    return `the loss became ${loss}`;
  }

  private diverge(step: number, cause: DivergenceInfo['cause'], loss: number, reason: string): void {
    const lr = this.lrAt(step);
    this.divergedAt = { step, lr, loss: String(loss), lastFiniteStep: this.lastFiniteStep, cause, reason };
    this.metrics.push({ kind: 'diverged', run: this.run, ...this.divergedAt });
    this.setState('diverged', `diverged at step ${step} (lr ${lr}): ${reason}; reset to start again`);
  }

  /** waits for every loss read in flight */
  private async drain(): Promise<void> {
    while (this.inflight.length) await this.inflight[0];
  }

  /** lets the loop run at most maxReadsInFlight reads ahead */
  private async admit(): Promise<void> {
    while (this.inflight.length > this.settings.maxReadsInFlight) await this.inflight[0];
  }

  // ── epochs and evaluation ──────────────────────────────────────────────────

  /** mean loss and accuracy over a dataset, accumulated on the device and read once */
  async evaluate(ds: Dataset): Promise<EvalResult> {
    const b = this.backend;
    const model = this._model;
    const n = ds.shape[0]!;
    const chunk = this.settings.evalBatchSize;
    const classes = ds.task === 'classification';
    let lossSum: Tensor = b.zeros([1], 'eval loss sum');
    let correctSum: Tensor | null = classes ? b.zeros([1], 'eval correct') : null;
    try {
      for (let start = 0; start < n; start += chunk) {
        const m = Math.min(chunk, n - start);
        const hb = slice(ds, start, m);
        const x = b.fromArray(hb.x, hb.xShape, 'eval x');
        const y = b.fromArray(hb.y, hb.yShape, 'eval y');
        const loss = model.computeLoss(x, y, { backward: false }); // (1): the chunk's mean loss; no dL/dZ
        const nextLoss = b.axpby(1, lossSum, m, loss);
        b.dispose(lossSum, loss);
        lossSum = nextLoss;
        if (correctSum) {
          const yhat = model.layers[model.layers.length - 1]!.cache.Y!;
          const c = b.countCorrect(yhat, y);
          const nextCorrect = b.axpby(1, correctSum, 1, c);
          b.dispose(correctSum, c);
          correctSum = nextCorrect;
        }
        model.clearCaches();
        b.dispose(x, y);
        b.flush();
      }
      const loss = (await b.read(lossSum))[0]! / n;
      const accuracy = correctSum ? (await b.read(correctSum))[0]! / n : null;
      return { loss, accuracy, count: n };
    } finally {
      b.dispose(lossSum, correctSum);
    }
  }

  /** after the last batch of an epoch: its reads in, then validation and test */
  private async endEpoch(): Promise<void> {
    await this.drain();
    if (this.state === 'diverged') return;
    const running = this.state === 'running';
    const tEval = now();
    if (running) this.trainMs += tEval - this.segmentStart;
    const { validation, test } = this.data;
    const val = validation ? await this.evaluate(validation) : null;
    const tst = test ? await this.evaluate(test) : null;
    for (const [split, r] of [['validation', val], ['test', tst]] as const) {
      if (r && !Number.isFinite(r.loss)) {
        // found by the evaluation after the epoch's last step, whose training loss (read
        // with its parameters' check) was finite
        const last = this.lastTrainLoss === null ? '' : `; the training loss read back at step ${this.lastFiniteStep} was ${this.lastTrainLoss}`;
        this.diverge(
          this.step,
          split,
          r.loss,
          `the ${split} loss, evaluated after step ${this.step} (the end of epoch ${this.epoch + 1}), became ${r.loss}${last}`,
        );
        return;
      }
    }
    this.epoch++;
    this.offset = 0;
    const ev: Extract<MetricEvent, { kind: 'eval' }> = {
      kind: 'eval',
      run: this.run,
      step: this.step,
      epoch: this.epoch,
      trainLoss: this.epochLoss.epoch === this.epoch - 1 && this.epochLoss.count ? this.epochLoss.sum / this.epochLoss.count : null,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      testLoss: tst?.loss ?? null,
      testAccuracy: tst?.accuracy ?? null,
    };
    this.lastEval = ev;
    this.metrics.push(ev);
    this.metrics.flush();
    if (running) {
      // evaluation time counts neither as training time nor in the throughput window
      this.segmentStart = now();
      if (this.mark) this.mark.t += this.segmentStart - tEval;
    }
    if (this.epoch >= this.settings.epochs) this.setState('done', `done: ${this.epoch} epochs, ${this.step} steps`);
  }

  // ── the loop ───────────────────────────────────────────────────────────────

  private launch(): void {
    this.segment++;
    this.segmentStart = now();
    this.mark = { examples: this.examplesSeen, t: this.segmentStart };
    this.setState('running', `training (epoch ${this.epoch + 1} of ${this.settings.epochs})`);
    const loop = this.runLoop();
    this.loop = loop;
    void loop.finally(() => {
      if (this.loop === loop) this.loop = null;
    });
  }

  private async runLoop(): Promise<void> {
    let lastYield = now();
    try {
      while (this.state === 'running') {
        if (this.epoch >= this.settings.epochs) {
          this.setState('done', `done: ${this.epoch} epochs, ${this.step} steps`);
          break;
        }
        if (this.recordStep(false)) await this.admit();
        if (this.offset >= this.order.size) await this.endEpoch();
        if (now() - lastYield >= YIELD_MS) {
          await yieldToEvents();
          lastYield = now();
        }
      }
      await this.drain();
      // the steps recorded after the last read are done too: the counters and the
      // training time then describe finished work
      await this.backend.sync();
    } catch (e) {
      // every read still in flight settles (on a lost device each one fails) before the state says so
      while (this.inflight.length) await Promise.allSettled(this.inflight.slice());
      this.setState('failed', `failed at step ${this.step}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (this.segmentStart) this.trainMs += now() - this.segmentStart;
      this.segmentStart = 0;
      this.metrics.flush(true);
    }
  }

  /** stops the loop between steps (state becomes `to` first) and waits for it */
  private async halt(to: SessionState, message: string): Promise<void> {
    if (this.state === 'running') {
      this.state = to;
      this.message = message;
    }
    const loop = this.loop;
    if (loop) await loop;
    await this.drain();
  }

  // ── controls ───────────────────────────────────────────────────────────────

  /** starts (from idle) or resumes (from paused) the loop; returns at once */
  start(): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      if (this.state === 'running') return this.snapshot();
      if (this.state === 'done') throw new Error(`session: done (${this.epoch} of ${this.settings.epochs} epochs); raise epochs or reset to train more`);
      if (this.state === 'diverged' || this.state === 'stopped' || this.state === 'failed') {
        throw new Error(`session: ${this.message}; reset first`);
      }
      this.launch();
      return this.snapshot();
    });
  }

  resume(): Promise<SessionSnapshot> {
    return this.start();
  }

  /** stops between steps; every loss read in flight is delivered before it resolves */
  pause(): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      if (this.state !== 'running') return this.snapshot();
      await this.halt('paused', 'paused');
      if (this.current() === 'paused') this.setState('paused', `paused at step ${this.step}`);
      return this.snapshot();
    });
  }

  /** while idle or paused: `count` steps, the last one's loss read and delivered */
  stepOnce(count = 1): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      checkPositiveInt('step count', count);
      if (this.state === 'running') throw new Error('session: pause before single-stepping');
      if (this.state !== 'idle' && this.state !== 'paused') throw new Error(`session: cannot step: ${this.message}`);
      this.state = 'paused';
      for (let i = 0; i < count && this.state === 'paused' && this.epoch < this.settings.epochs; i++) {
        if (this.recordStep(i === count - 1)) await this.admit();
        if (this.offset >= this.order.size) await this.endEpoch();
      }
      await this.drain();
      if (this.state === 'paused') this.setState('paused', `paused at step ${this.step}`);
      return this.snapshot();
    });
  }

  /** ends the run where it is (the model is kept for inspection); reset to train again */
  stop(): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      await this.halt('stopped', 'stopped');
      if (this.state !== 'diverged' && this.state !== 'failed') this.setState('stopped', `stopped at step ${this.step}`);
      return this.snapshot();
    });
  }

  /** a new model from the same seed and the current settings; counters back to 0 */
  reset(): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      await this.halt('stopped', 'resetting');
      this.restart('reset');
      this.setState('idle', 'reset: a new model from the same seed');
      return this.snapshot();
    });
  }

  /** a new model (of `config`) and a new run; when the model cannot be built nothing changes */
  private restart(reason: 'hidden' | 'reset', config: ModelConfig = this.modelConfig): void {
    const model = this.buildModel(config); // throws before anything below
    const previousRun = this.run;
    const previousStep = this.step;
    this._model.dispose();
    this._model = model;
    this.modelConfig = config;
    this.lrHistory = [{ step: 1, lr: model.lr }];
    this.run++;
    this.step = 0;
    this.epoch = 0;
    this.offset = 0;
    this.examplesSeen = 0;
    this.trainMs = 0;
    this.examplesPerSec = 0;
    this.lastFiniteStep = 0;
    this.divergedAt = null;
    this.lastTrainLoss = null;
    this.epochLoss = { sum: 0, count: 0, epoch: 0 };
    this.lastEval = null;
    this.kept = null;
    this.metrics.push({ kind: 'restart', run: this.run, step: 0, reason, hidden: hiddenSizeOf(this.modelConfig), previousRun, previousStep });
  }

  /** the next step (and every later one) uses lr */
  setLearningRate(lr: number): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      if (!(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0)) throw new Error(`session: learning rate must be a finite number ≥ 0, got ${lr}`);
      const previous = this._model.lr;
      this._model.lr = lr;
      const from = this.step + 1;
      this.lrHistory = this.lrHistory.filter((h) => h.step < from);
      this.lrHistory.push({ step: from, lr });
      this.metrics.push({ kind: 'lr', run: this.run, step: from, lr, previous });
      this.metrics.flush();
      return this.snapshot();
    });
  }

  /** rebuilds the model with `hidden` units in every hidden fc layer (same seed): a new run */
  setHiddenSize(hidden: number): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      const next = withHiddenSize(this.modelConfig, hidden);
      this.checkFits(next, this.settings.batchSize); // refused here, the session is untouched
      const wasRunning = this.state === 'running';
      await this.halt('paused', 'rebuilding');
      try {
        this.restart('hidden', next);
      } catch (e) {
        // the old model, its counters and its settings are all still in place
        if (wasRunning && this.state === 'paused') this.launch();
        throw e;
      }
      if (wasRunning) this.launch();
      else this.setState('idle', `rebuilt with ${hidden} hidden units`);
      return this.snapshot();
    });
  }

  /** takes effect at the next step, from the same position in the epoch */
  setBatchSize(batchSize: number): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      checkPositiveInt('batchSize', batchSize);
      this.checkFits(this.modelConfig, batchSize); // refused here, the session is untouched
      const previous = this.settings.batchSize;
      this.settings = { ...this.settings, batchSize };
      this.metrics.push({ kind: 'setting', run: this.run, step: this.step + 1, name: 'batchSize', value: batchSize, previous });
      this.metrics.flush();
      return this.snapshot();
    });
  }

  setEpochs(epochs: number): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      checkPositiveInt('epochs', epochs);
      const previous = this.settings.epochs;
      this.settings = { ...this.settings, epochs };
      this.metrics.push({ kind: 'setting', run: this.run, step: this.step + 1, name: 'epochs', value: epochs, previous });
      if (this.state === 'done' && this.epoch < epochs) this.setState('paused', `paused after epoch ${this.epoch} (of ${epochs} now)`);
      else if ((this.state === 'paused' || this.state === 'idle') && this.epoch >= epochs) this.setState('done', `done: ${this.epoch} epochs, ${this.step} steps`);
      else this.metrics.flush();
      return this.snapshot();
    });
  }

  /**
   * Records the next training step op by op (it is a real step: the model is updated and
   * the counters advance). Only while idle or paused.
   */
  trace(maxValues = 256): Promise<Trace> {
    return this.queue.run(async () => {
      this.checkLive();
      if (this.state === 'running') throw new Error('session: pause before tracing a step');
      if (this.state !== 'idle' && this.state !== 'paused') throw new Error(`session: cannot trace: ${this.message}`);
      if (this.epoch >= this.settings.epochs) throw new Error('session: every epoch is done; raise epochs or reset');
      this.state = 'paused';
      const batchSize = Math.min(this.settings.batchSize, this.order.size - this.offset);
      const { ops, equations } = await this.tracer.record(this._model, maxValues, async () => {
        await this.recordStep(true);
      });
      // a non-finite loss has ended the run as 'diverged'; the trace then shows no number
      const loss = this.current() === 'diverged' ? null : this.lastTrainLoss;
      if (this.offset >= this.order.size) await this.endEpoch();
      if (this.state === 'paused') this.setState('paused', `paused at step ${this.step} (traced)`);
      return {
        step: this.step,
        run: this.run,
        batchSize,
        backend: this.backend.kind,
        deviceName: this.backend.deviceName,
        loss,
        layers: this._model.layers.map((l) => ({ name: l.name, type: l.type })),
        ops,
        equations,
        maxValues,
        lean: this._model.lean,
      };
    });
  }

  /** runs to the end (done, diverged, stopped or failed) and resolves with the final snapshot */
  async runToEnd(): Promise<SessionSnapshot> {
    if (this.state === 'idle' || this.state === 'paused') await this.start();
    while (this.loop) await this.loop;
    return this.snapshot();
  }

  /** frees the model and the input tensors (not the backend, which the caller owns) */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.queue.run(async () => {
      await this.halt('stopped', 'disposed');
    }).catch(() => undefined); // a read that failed (a lost device) does not keep the model alive
    this.disposed = true;
    this._model.dispose();
    for (const { x, y } of this.inputs.values()) this.backend.dispose(x, y);
    this.inputs.clear();
    this.metrics.flush();
  }
}
