// The page's side: sends a request to the sandbox worker and waits for its answer, with a
// watchdog. A run that takes longer than `timeoutMs` (default 5 s) ends the worker — the only
// way to stop a synchronous endless loop — starts a fresh one for the next run, and rejects
// with the StudentError "your code did not finish in 5 s — an endless loop?".
//
//   const sandbox = new SandboxClient(() => new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' }));
//   const verdict = await sandbox.run('grade', { id, source, seed });
//   await sandbox.run('train', req, { timeoutMs: 0, idleMs: 10_000, onProgress: (p) => … });
//
// Runs go one at a time (a second waits for the first); use a second client to run two at once.

import { describePortFailure } from '../../train/client';
import { StudentFailure } from './errors';
import type { SandboxReply } from './protocol';

type Listener = (e: MessageEvent & Partial<ErrorEvent>) => void;
type EventName = 'message' | 'error' | 'messageerror';

/** a Worker, or anything with its methods */
export interface WorkerLike {
  postMessage(msg: unknown): void;
  addEventListener(type: EventName, listener: Listener): void;
  removeEventListener(type: EventName, listener: Listener): void;
  terminate(): void;
}

export interface RunOptions {
  /** the longest a run may take, in ms; 0: no limit (default 5000) */
  timeoutMs?: number;
  /** with a long or unlimited run: the longest it may go without a progress message, in ms */
  idleMs?: number;
  /** called with each progress message the handler sends */
  onProgress?: (data: unknown) => void;
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;
export const timeoutMessage = (ms: number) => `your code did not finish in ${seconds(ms)} — an endless loop?`;

export class SandboxClient {
  private worker: WorkerLike | null = null;
  private nextId = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private abort: ((err: Error) => void) | null = null;
  private closed = false;
  /** how many workers this client has started (a fresh one after each watchdog stop) */
  workersStarted = 0;

  constructor(private readonly makeWorker: () => WorkerLike) {}

  run<T = unknown>(kind: string, request: unknown, opts: RunOptions = {}): Promise<T> {
    const p = this.tail.then(
      () => this.exec(kind, request, opts),
      () => this.exec(kind, request, opts),
    );
    this.tail = p.catch(() => undefined);
    return p as Promise<T>;
  }

  /** ends the current run at once (it rejects with "stopped"); the next run gets a fresh worker */
  stop(): void {
    this.abort?.(new Error('sandbox: stopped'));
  }

  /** ends the worker; later runs reject */
  dispose(): void {
    this.closed = true;
    this.stop();
    this.worker?.terminate();
    this.worker = null;
  }

  private fresh(): WorkerLike {
    this.worker?.terminate();
    this.worker = this.makeWorker();
    this.workersStarted++;
    return this.worker;
  }

  private exec(kind: string, request: unknown, opts: RunOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('sandbox: closed'));
    const w = this.worker ?? this.fresh();
    const id = ++this.nextId;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const idleMs = opts.idleMs ?? 0;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(idle);
        w.removeEventListener('message', onMessage);
        w.removeEventListener('error', onDead);
        w.removeEventListener('messageerror', onDead);
        this.abort = null;
      };
      // the worker may be stuck in the student's code: end it, and have a fresh one ready
      const kill = (err: Error) => {
        cleanup();
        if (this.worker === w) {
          if (this.closed) w.terminate();
          else this.fresh();
        }
        reject(err);
      };
      const armIdle = () => {
        if (idleMs <= 0) return;
        clearTimeout(idle);
        idle = setTimeout(() => kill(new StudentFailure({ kind: 'timeout', message: `your code sent no progress for ${seconds(idleMs)} — an endless loop?` })), idleMs);
      };
      const onMessage: Listener = (e) => {
        const m = e.data as SandboxReply | null;
        if (!m || m.id !== id) return;
        if (m.type === 'progress') {
          armIdle();
          opts.onProgress?.(m.data);
          return;
        }
        cleanup();
        if (m.type === 'result') resolve(m.result);
        else if (m.type === 'error') reject(new StudentFailure(m.error));
        else reject(new Error(m.message));
      };
      const onDead: Listener = (e) => kill(new Error(`the exercise worker stopped: ${describePortFailure(e)}`));
      w.addEventListener('message', onMessage);
      w.addEventListener('error', onDead);
      w.addEventListener('messageerror', onDead);
      this.abort = kill;
      if (timeoutMs > 0) timer = setTimeout(() => kill(new StudentFailure({ kind: 'timeout', message: timeoutMessage(timeoutMs) })), timeoutMs);
      armIdle();
      try {
        w.postMessage({ id, kind, request });
      } catch (err) {
        cleanup();
        reject(new Error(`sandbox: the request could not be sent (${(err as Error).message})`));
      }
    });
  }
}
