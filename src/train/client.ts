// The main thread's side of the training worker, for the UI's store:
//
//   const client = new TrainingClient(createTrainingWorker());
//   const ready = await client.init(config);           // backend, dataset, counters
//   const off = client.onMetrics((batches) => store.append(batches));   // once per frame
//   await client.start();  await client.setLearningRate(0.01);  await client.pause();
//
// Every control returns a promise of the worker's reply (the session's counters after
// the change, or an Error with the worker's message). Metric batches that arrive within
// one animation frame are handed over together, so the store appends once per frame.
//
// A worker that stops (an uncaught error in it: the port's `error` event; a message that
// cannot be deserialized: `messageerror`) is treated as dead: every pending request
// rejects with "the training worker stopped: <its message>", the worker is terminated,
// onStopped listeners are told, and later requests reject at once. dispose() never waits
// on a dead worker.

import type { ModelFile } from '../nn/serialize';
import type { ModelSnapshot, TestPredictions, TestSet } from './inspect';
import type { OwnDataPreview, OwnDataSource } from './own-data';
import type { MetricsBatch, ReadyInfo, Reply, ReplyValues, Request, RequestType, SessionConfig, SessionSnapshot, SweepSpec, SweepTable, WorkerMessage } from './protocol';
import type { Trace } from './trace';

/** how a reply's error begins when the request failed because the GPU device was lost under it (handler.ts) */
export const DEVICE_LOST_DURING = 'the GPU device was lost while';

/** the events a port reports: replies, undeliverable replies, and (a Worker's) uncaught errors */
export type PortEventType = 'message' | 'messageerror' | 'error';

/** a Worker, a MessagePort, or anything with the same methods */
export interface PortLike {
  postMessage(msg: unknown): void;
  addEventListener(type: PortEventType, listener: (e: MessageEvent & Partial<ErrorEvent>) => void): void;
  removeEventListener(type: PortEventType, listener: (e: MessageEvent & Partial<ErrorEvent>) => void): void;
  start?(): void;
  /** a Worker's: ends it at once */
  terminate?(): void;
}

/** the words for a port's `error` or `messageerror` event */
export function describePortFailure(e: Event & { message?: unknown; filename?: unknown; lineno?: unknown; error?: unknown }): string {
  if (e.type === 'messageerror') return 'a message from the worker could not be read (messageerror)';
  const inner = e.error instanceof Error ? e.error.message : null;
  const text = typeof e.message === 'string' && e.message ? e.message : (inner ?? 'an uncaught error (the browser gives no message; see the console)');
  const where = typeof e.filename === 'string' && e.filename ? ` (${e.filename.replace(/^.*\//, '')}${typeof e.lineno === 'number' && e.lineno ? `:${e.lineno}` : ''})` : '';
  return `${text}${where}`;
}

/**
 * Listens for the port's `error` and `messageerror` events and calls `onStop` once with
 * their words; terminates the worker. Returns the function that stops listening.
 */
function watchPort(port: PortLike, onStop: (message: string) => void): () => void {
  let stopped = false;
  const listener = (e: Event) => {
    if (stopped) return;
    stopped = true;
    onStop(describePortFailure(e));
    port.terminate?.();
  };
  port.addEventListener('error', listener);
  port.addEventListener('messageerror', listener);
  return () => {
    port.removeEventListener('error', listener);
    port.removeEventListener('messageerror', listener);
  };
}

/** the module worker that runs the session (Vite bundles it) */
export function createTrainingWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'training' });
}

type Frame = (cb: () => void) => void;

function defaultFrame(): Frame {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  return raf ? (cb) => void raf(cb) : (cb) => void setTimeout(cb, 16);
}

type Distribute<T> = T extends { type: infer K; id: number } ? (K extends RequestType ? Omit<T, 'id'> : never) : never;
type RequestBody = Distribute<Request>;

export class TrainingClient {
  private nextId = 1;
  private pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; type: RequestType; onProgress?: (done: number, total: number) => void }
  >();
  private metricListeners = new Set<(batches: MetricsBatch[]) => void>();
  private sweepListeners = new Set<(table: SweepTable) => void>();
  private progressListeners = new Set<(p: { loaded: number; total: number; file: string; phase: string }) => void>();
  private buffered: MetricsBatch[] = [];
  private scheduled = false;
  private stoppedListeners = new Set<(message: string) => void>();
  private closed = false;
  /** why the worker stopped (null while it runs) */
  private stoppedWith: string | null = null;
  private readonly frame: Frame;
  private readonly listener = (e: MessageEvent) => this.receive(e.data as WorkerMessage);
  private readonly unwatch: () => void;

  constructor(
    private readonly port: PortLike,
    opts: { frame?: Frame } = {},
  ) {
    this.frame = opts.frame ?? defaultFrame();
    port.addEventListener('message', this.listener);
    this.unwatch = watchPort(port, (message) => this.fail(message));
    port.start?.();
  }

  /** the worker is dead: reject what waits on it and tell the listeners */
  private fail(message: string): void {
    if (this.closed) return;
    this.stoppedWith = `the training worker stopped: ${message}`;
    this.close();
    this.stoppedListeners.forEach((l) => l(this.stoppedWith!));
  }

  /** why the worker stopped, or null while it runs */
  get stopped(): string | null {
    return this.stoppedWith;
  }

  private receive(msg: WorkerMessage): void {
    switch (msg.type) {
      case 'reply':
        return this.settle(msg);
      case 'metrics':
        this.buffered.push(msg.batch);
        if (!this.scheduled) {
          this.scheduled = true;
          this.frame(() => this.deliver());
        }
        return;
      case 'sweep':
        this.sweepListeners.forEach((l) => l(msg.table));
        return;
      case 'progress':
        this.progressListeners.forEach((l) => l(msg));
        return;
      case 'predict-progress':
        this.pending.get(msg.id)?.onProgress?.(msg.done, msg.total);
        return;
    }
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    // deliver the metrics that came before the reply first, so the store sees them in order
    this.deliver();
    if (r.ok) p.resolve(r.value);
    else p.reject(new Error(r.error));
  }

  /** hands every buffered batch to the listeners now */
  deliver(): void {
    this.scheduled = false;
    if (this.buffered.length === 0) return;
    const batches = this.buffered;
    this.buffered = [];
    this.metricListeners.forEach((l) => l(batches));
  }

  private request<T extends RequestType>(body: Extract<RequestBody, { type: T }>, onProgress?: (done: number, total: number) => void): Promise<ReplyValues[T]> {
    if (this.closed) return Promise.reject(new Error(this.stoppedWith ?? 'training client: closed'));
    const id = this.nextId++;
    return new Promise<ReplyValues[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, type: body.type, onProgress });
      this.port.postMessage({ ...body, id } as Request);
    });
  }

  // ── subscriptions ──────────────────────────────────────────────────────────

  /** metric batches, several per call: everything that arrived since the last frame */
  onMetrics(listener: (batches: MetricsBatch[]) => void): () => void {
    this.metricListeners.add(listener);
    return () => this.metricListeners.delete(listener);
  }

  onSweepTable(listener: (table: SweepTable) => void): () => void {
    this.sweepListeners.add(listener);
    return () => this.sweepListeners.delete(listener);
  }

  onProgress(listener: (p: { loaded: number; total: number; file: string; phase: string }) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** told once, with "the training worker stopped: …", when the worker dies */
  onStopped(listener: (message: string) => void): () => void {
    this.stoppedListeners.add(listener);
    return () => this.stoppedListeners.delete(listener);
  }

  // ── controls ───────────────────────────────────────────────────────────────

  /** loads the data and builds the model; 'webgpu' falls back to the CPU with a reason */
  init(config: SessionConfig, prefer: 'webgpu' | 'cpu' = 'webgpu'): Promise<ReadyInfo> {
    return this.request({ type: 'init', config, prefer });
  }
  start(): Promise<SessionSnapshot> {
    return this.request({ type: 'start' });
  }
  pause(): Promise<SessionSnapshot> {
    return this.request({ type: 'pause' });
  }
  resume(): Promise<SessionSnapshot> {
    return this.request({ type: 'resume' });
  }
  step(count = 1): Promise<SessionSnapshot> {
    return this.request({ type: 'step', count });
  }
  stop(): Promise<SessionSnapshot | null> {
    return this.request({ type: 'stop' });
  }
  reset(): Promise<SessionSnapshot> {
    return this.request({ type: 'reset' });
  }
  setLearningRate(lr: number): Promise<SessionSnapshot> {
    return this.request({ type: 'setLearningRate', lr });
  }
  setHiddenSize(hidden: number): Promise<SessionSnapshot> {
    return this.request({ type: 'setHiddenSize', hidden });
  }
  setBatchSize(batchSize: number): Promise<SessionSnapshot> {
    return this.request({ type: 'setBatchSize', batchSize });
  }
  setEpochs(epochs: number): Promise<SessionSnapshot> {
    return this.request({ type: 'setEpochs', epochs });
  }
  /** records the next step op by op (a real step) */
  trace(maxValues?: number): Promise<Trace> {
    return this.request({ type: 'trace', maxValues });
  }
  /** runs the grid; tables stream to onSweepTable, curves to onMetrics (batch.sweepRun) */
  sweep(spec: SweepSpec): Promise<SweepTable> {
    return this.request({ type: 'sweep', spec });
  }

  // ── the session's model and test set (inspect.ts) ────────────────────────────

  /** the session's configuration and parameters now */
  snapshot(): Promise<ModelSnapshot> {
    return this.request({ type: 'snapshot' });
  }
  /** the session's test split as bytes */
  testSet(): Promise<TestSet> {
    return this.request({ type: 'testSet' });
  }
  /** the model's softmax outputs on every test image (the session must not be running); progress per chunk */
  predictTest(onProgress?: (done: number, total: number) => void, chunk?: number): Promise<TestPredictions> {
    return this.request({ type: 'predictTest', chunk }, onProgress);
  }
  /** a saved model file's parameters for the session's model (same architecture): a new run from them, idle */
  setParameters(file: ModelFile): Promise<SessionSnapshot> {
    return this.request({ type: 'setParameters', file });
  }

  // ── the student's own data (own-data.ts) ──────────────────────────────────────

  /** parses dropped files in the worker: sizes, classes with counts, a few rows or images, the split at `seed` */
  previewData(source: OwnDataSource, seed: number, testFraction?: number): Promise<OwnDataPreview> {
    return this.request({ type: 'previewData', source, seed, testFraction });
  }

  /**
   * Frees the session and the backend in the worker, then terminates it (a Worker); the
   * client is unusable afterwards. Always resolves: a dead worker is terminated without
   * being asked, and one that dies meanwhile or does not answer within `waitMs` is
   * terminated anyway.
   */
  async dispose(opts: { waitMs?: number } = {}): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (!this.closed) {
        const answered = this.request({ type: 'dispose' });
        const gaveUp = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, opts.waitMs ?? 5000);
        });
        // the worker is terminated below whatever it answers (or if it died meanwhile)
        await Promise.race([answered.catch(() => undefined), gaveUp]);
      }
    } finally {
      clearTimeout(timer);
      this.close();
      this.port.terminate?.();
    }
  }

  /** stops listening; pending requests are rejected */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener('message', this.listener);
    this.unwatch();
    const why = this.stoppedWith;
    for (const p of this.pending.values()) p.reject(new Error(why ?? `training client: closed before the reply to '${p.type}'`));
    this.pending.clear();
    this.deliver();
  }
}
