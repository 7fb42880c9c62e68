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

import type { MetricsBatch, ReadyInfo, Reply, ReplyValues, Request, RequestType, SessionConfig, SessionSnapshot, SweepSpec, SweepTable, WorkerMessage } from './protocol';
import type { Trace } from './trace';

/** a Worker, a MessagePort, or anything with the same two methods */
export interface PortLike {
  postMessage(msg: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
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
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; type: RequestType }>();
  private metricListeners = new Set<(batches: MetricsBatch[]) => void>();
  private sweepListeners = new Set<(table: SweepTable) => void>();
  private progressListeners = new Set<(p: { loaded: number; total: number; file: string; phase: string }) => void>();
  private buffered: MetricsBatch[] = [];
  private scheduled = false;
  private closed = false;
  private readonly frame: Frame;
  private readonly listener = (e: MessageEvent) => this.receive(e.data as WorkerMessage);

  constructor(
    private readonly port: PortLike,
    opts: { frame?: Frame } = {},
  ) {
    this.frame = opts.frame ?? defaultFrame();
    port.addEventListener('message', this.listener);
    port.start?.();
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

  private request<T extends RequestType>(body: Extract<RequestBody, { type: T }>): Promise<ReplyValues[T]> {
    if (this.closed) return Promise.reject(new Error('training client: closed'));
    const id = this.nextId++;
    return new Promise<ReplyValues[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, type: body.type });
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

  /** frees the session and the backend in the worker; the client is unusable afterwards */
  async dispose(): Promise<void> {
    try {
      await this.request({ type: 'dispose' });
    } finally {
      this.close();
    }
  }

  /** stops listening; pending requests are rejected */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener('message', this.listener);
    for (const p of this.pending.values()) p.reject(new Error(`training client: closed before the reply to '${p.type}'`));
    this.pending.clear();
    this.deliver();
  }
}
