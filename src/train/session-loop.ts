// The training loop of a TrainingSession (session.ts holds its controls): the state and
// counters, one step recorded and submitted, the loss reads in flight, the end of an epoch
// with its evaluation, and the loop that runs steps between yields to the event loop.
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
// in the state 'diverged' (step, learning rate and what was found named: divergence.ts);
// no non-finite number is emitted. With keepParameters, some finite reads also keep a
// host copy of the parameters (checkpoint.ts) to go on from after a lost device.

import type { Backend, Tensor } from '../engine/backend';
import type { Dataset } from '../nn/data/dataset';
import type { ModelConfig } from '../nn/model';
import { NeuralNetwork } from '../nn/model';
import { readCheckpointParameters } from './checkpoint';
import { BatchOrder, describeData, type HostBatch, type SessionData } from './data';
import { evaluationReason, lossReason, parameterReason } from './divergence';
import { evaluateModel } from './evaluation';
import { MetricsBuffer, type MetricsSink } from './metrics';
import type { DatasetInfo, DivergenceInfo, MetricEvent, SessionConfig, SessionSnapshot, SessionState } from './protocol';
import { type EvalResult, hiddenSizeOf, normalizeSessionConfig, type SessionCheckpoint, type SessionOptions, type SessionSettings } from './session-config';
import { Tracer } from './trace';

/** between two parameter copies for a device-loss checkpoint while training runs (keepParameters) */
const KEEP_EVERY_MS = 1000;
/** how often the loop gives the event loop a turn, in ms */
const YIELD_MS = 10;
/** the shortest window a throughput figure is measured over, in ms */
const SPEED_WINDOW_MS = 250;

export function now(): number {
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

interface ReadRecord {
  run: number;
  segment: number;
  step: number;
  epoch: number;
  examples: number;
}

export abstract class SessionLoop {
  readonly tracer: Tracer;
  readonly dataInfo: DatasetInfo;
  protected settings: SessionSettings;
  protected modelConfig: ModelConfig;
  protected _model: NeuralNetwork;
  protected order: BatchOrder;
  protected metrics: MetricsBuffer;
  protected inputs = new Map<number, { x: Tensor; y: Tensor }>();

  protected run = 0;
  protected step = 0;
  protected epoch = 0;
  /** examples of the current epoch already consumed */
  protected offset = 0;
  protected examplesSeen = 0;
  protected state: SessionState = 'idle';
  protected message = 'ready';
  protected lrHistory: { step: number; lr: number }[] = [];
  protected lastFiniteStep = 0;
  protected divergedAt: DivergenceInfo | null = null;
  protected lastTrainLoss: number | null = null;
  /** sum and count of the losses read during the current epoch */
  protected epochLoss = { sum: 0, count: 0, epoch: 0 };
  protected lastEval: Extract<MetricEvent, { kind: 'eval' }> | null = null;

  private inflight: Promise<void>[] = [];
  protected loop: Promise<void> | null = null;
  private segment = 0;
  private segmentStart = 0;
  protected trainMs = 0;
  private mark: { examples: number; t: number } | null = null;
  protected examplesPerSec = 0;
  protected disposed = false;
  private readonly keep: boolean;
  protected kept: SessionCheckpoint | null = null;
  /** when the parameters were last copied for `kept` (ms, performance clock) */
  private keptAt = -Infinity;

  protected constructor(
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
  }

  // ── model ──────────────────────────────────────────────────────────────────

  /**
   * Refuses (DeviceLimitError, naming the tensor and the limit) a model the backend cannot
   * hold at this batch size or the evaluation's, from the shapes alone: nothing is
   * allocated and nothing in the session changes.
   */
  protected checkFits(config: ModelConfig, batchSize: number, evalBatchSize = this.settings.evalBatchSize): void {
    const { train, validation, test } = this.data;
    const rows = Math.max(
      Math.min(batchSize, train.shape[0]!),
      ...[validation, test].map((d) => (d ? Math.min(evalBatchSize, d.shape[0]!) : 0)),
    );
    const probe = new NeuralNetwork(this.tracer.backend, { ...config, seed: this.settings.seed }, { lean: this.settings.lean });
    probe.checkFits([Math.max(1, rows), ...train.shape.slice(1)]);
  }

  /** a new model of `config` (same seed) at the current learning rate; throws, freeing what it made, if it cannot be built */
  protected buildModel(config: ModelConfig = this.modelConfig): NeuralNetwork {
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
  protected current(): SessionState {
    return this.state;
  }

  /** the last training loss read back, and the last evaluation */
  get latest(): { trainLoss: number | null; eval: Extract<MetricEvent, { kind: 'eval' }> | null } {
    return { trainLoss: this.lastTrainLoss, eval: this.lastEval };
  }

  protected setState(state: SessionState, message: string): void {
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

  protected checkLive(): void {
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
  protected recordStep(forceRead: boolean): Promise<void> | null {
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
    // with a parameter copy for the checkpoint, the read is done when the checkpoint is
    // kept too: whoever drains the reads (a step, a pause) finds it up to date
    let keeping: Promise<void> | null = null;
    if (this.keep && (forceRead || this.offset >= n || now() - this.keptAt >= KEEP_EVERY_MS)) {
      this.keptAt = now();
      keeping = this.keepParametersAt(p);
    }
    const done = keeping ? Promise.all([p, keeping]).then(() => undefined) : p;
    const tracked: Promise<void> = done.finally(() => {
      const i = this.inflight.indexOf(tracked);
      if (i >= 0) this.inflight.splice(i, 1);
    });
    this.inflight.push(tracked);
    // a read that fails (a lost device) rejects whoever waits on it (drain, admit); the
    // reads nobody waits on any more must not surface as unhandled rejections
    tracked.catch(() => undefined);
    return tracked;
  }

  /**
   * Copies the parameters now (recorded before the next step's update) and keeps them
   * with the counters once the loss read of this step came back finite; resolves when
   * that is settled (a failed read or copy is the read's to report, not this promise's).
   */
  private keepParametersAt(read: Promise<void>): Promise<void> {
    const params = readCheckpointParameters(this.backend, this._model);
    const at = { run: this.run, step: this.step, epoch: this.epoch, offset: this.offset, examplesSeen: this.examplesSeen };
    return Promise.all([params, read]).then(
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

  private onLossRead(rec: ReadRecord, loss: number, finite: boolean): void {
    if (rec.run !== this.run || this.state === 'diverged') return;
    if (!Number.isFinite(loss)) {
      this.diverge(rec.step, 'loss', loss, lossReason(loss, this._model, this.backend));
      return;
    }
    if (!finite) {
      this.diverge(rec.step, 'parameters', loss, parameterReason(loss));
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

  private diverge(step: number, cause: DivergenceInfo['cause'], loss: number, reason: string): void {
    const lr = this.lrAt(step);
    this.divergedAt = { step, lr, loss: String(loss), lastFiniteStep: this.lastFiniteStep, cause, reason };
    this.metrics.push({ kind: 'diverged', run: this.run, ...this.divergedAt });
    this.setState('diverged', `diverged at step ${step} (lr ${lr}): ${reason}; reset to start again`);
  }

  /** waits for every loss read in flight */
  protected async drain(): Promise<void> {
    while (this.inflight.length) await this.inflight[0];
  }

  /** lets the loop run at most maxReadsInFlight reads ahead */
  protected async admit(): Promise<void> {
    while (this.inflight.length > this.settings.maxReadsInFlight) await this.inflight[0];
  }

  // ── epochs and evaluation ──────────────────────────────────────────────────

  /** mean loss and accuracy over a dataset, accumulated on the device and read once (evaluation.ts) */
  evaluate(ds: Dataset): Promise<EvalResult> {
    return evaluateModel(this.backend, this._model, ds, this.settings.evalBatchSize);
  }

  /** after the last batch of an epoch: its reads in, then validation and test */
  protected async endEpoch(): Promise<void> {
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
        const lastTrain = this.lastTrainLoss === null ? null : { step: this.lastFiniteStep, loss: this.lastTrainLoss };
        this.diverge(this.step, split, r.loss, evaluationReason(split, r.loss, this.step, this.epoch + 1, lastTrain));
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

  protected launch(): void {
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
  protected async halt(to: SessionState, message: string): Promise<void> {
    if (this.state === 'running') {
      this.state = to;
      this.message = message;
    }
    const loop = this.loop;
    if (loop) await loop;
    await this.drain();
  }
}
