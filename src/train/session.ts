// TrainingSession: a backend, a model built from a configuration, a dataset, and the loop
// that trains it — the same code in Node (in-process) and in the browser (in a Web
// Worker, see worker.ts / handler.ts). The loop, its loss reads and its epochs are in
// session-loop.ts; the configuration and hidden-size rule in session-config.ts.
//
// A refused setHiddenSize or setBatchSize (a bad value, or a model the backend cannot
// hold, checked from the shapes before any weight is drawn) leaves the session as it was.
//
// Control (between steps, so a new learning rate is used from the very next step; one at
// a time, in call order, on the session's device queue): start, pause, resume, step
// (single-step while paused), stop, reset, setLearningRate, setHiddenSize (rebuild from
// the same seed, a new run in the stream), setBatchSize, setEpochs, trace (one step
// recorded op by op).

import type { Backend } from '../engine/backend';
import type { ModelConfig, NeuralNetwork } from '../nn/model';
import { checkModelFile } from '../nn/serialize';
import { writeCheckpointParameters } from './checkpoint';
import { loadSessionData, type SessionData } from './data';
import { DeviceQueue } from './device-queue';
import type { MetricsSink } from './metrics';
import type { SessionConfig, SessionSnapshot } from './protocol';
import {
  checkPositiveInt,
  hiddenSizeOf,
  normalizeSessionConfig,
  type SessionCheckpoint,
  type SessionOptions,
  withHiddenSize,
} from './session-config';
import { SessionLoop } from './session-loop';
import type { Trace } from './trace';

export {
  hiddenLayerIndices,
  hiddenSizeOf,
  normalizeSessionConfig,
  withHiddenSize,
  type EvalResult,
  type SessionCheckpoint,
  type SessionOptions,
} from './session-config';
export { yieldToEvents } from './session-loop';

export class TrainingSession extends SessionLoop {
  /** control operations run one at a time, in call order */
  private readonly queue = new DeviceQueue();

  private constructor(backend: Backend, config: SessionConfig, data: SessionData, sink: MetricsSink, opts: SessionOptions) {
    super(backend, config, data, sink, opts);
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

  /** continues from a checkpoint: its parameters, counters and settings; paused */
  private restore(k: SessionCheckpoint, message: string): void {
    if (JSON.stringify(k.model) !== JSON.stringify(this.modelConfig)) throw new Error('session: the checkpoint belongs to a different model');
    const model = this._model;
    writeCheckpointParameters(this.backend, model, k.params);
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

  /**
   * A saved model file's parameters (the nn package's format, model-io.ts) in a new model
   * of the session's configuration: a new run that starts from them, idle, at the current
   * learning rate (the optimizer's state starts afresh). Refused, the session untouched,
   * while running or when the file's layers or shapes differ from the session's model.
   */
  loadParameters(file: unknown): Promise<SessionSnapshot> {
    return this.queue.run(async () => {
      this.checkLive();
      if (this.state === 'running') throw new Error('session: pause before loading a model');
      const f = checkModelFile(file);
      const model = this.buildModel();
      try {
        model.loadParameters(f);
      } catch (e) {
        model.dispose();
        throw e;
      }
      await this.halt('stopped', 'loading a model');
      this.restart('load', this.modelConfig, model);
      this.setState('idle', 'a model loaded from a file: Train goes on from its parameters');
      return this.snapshot();
    });
  }

  /** a new model (of `config`, or `made`) and a new run; when the model cannot be built nothing changes */
  private restart(reason: 'hidden' | 'reset' | 'load', config: ModelConfig = this.modelConfig, made?: NeuralNetwork): void {
    const model = made ?? this.buildModel(config); // throws before anything below
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
