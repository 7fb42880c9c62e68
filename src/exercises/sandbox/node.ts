// The sandbox in Node: a worker_threads Worker with a Web Worker's methods, so that the
// teacher's command (and the tests) get the same watchdog as the page — one student's
// endless loop stops that student's run, not the grading of a class.
//
//   // the worker's entry (TypeScript is loaded through sucrase's require hook)
//   serveSandbox(handlers, parentPortScope());
//   // the caller
//   const sandbox = new SandboxClient(() => new NodeSandboxWorker('/abs/path/to/entry.ts'));
//
// Node only: not exported from index.ts, so the page's bundle never sees worker_threads.

import { Worker, parentPort } from 'node:worker_threads';
import type { WorkerLike } from './client';
import type { SandboxScope } from './host';

type Listener = (e: MessageEvent & Partial<ErrorEvent>) => void;
type EventName = 'message' | 'error' | 'messageerror';

/** the scope serveSandbox listens on inside a worker_threads Worker */
export function parentPortScope(): SandboxScope {
  const port = parentPort;
  if (!port) throw new Error('parentPortScope: not inside a worker_threads Worker');
  return {
    addEventListener: (_type, listener) => port.on('message', (data) => listener({ data })),
    postMessage: (m) => port.postMessage(m),
  };
}

/** a worker_threads Worker running `entry` (.ts through sucrase's require hook, or .js/.cjs) */
export class NodeSandboxWorker implements WorkerLike {
  private readonly w: Worker;
  private readonly wrapped = new Map<Listener, (x: unknown) => void>();
  terminated = false;

  constructor(entry: string) {
    const hook = entry.endsWith('.ts') ? "require('sucrase/register/ts');" : '';
    this.w = new Worker(`${hook} require(${JSON.stringify(entry)});`, { eval: true });
  }
  postMessage(m: unknown): void {
    this.w.postMessage(m);
  }
  addEventListener(type: EventName, l: Listener): void {
    // a Web Worker's events: MessageEvent-like { data }, ErrorEvent-like { message, error }
    const f = (x: unknown) => l((type === 'error' ? { type, message: (x as Error).message, error: x } : { type, data: x }) as MessageEvent & Partial<ErrorEvent>);
    this.wrapped.set(l, f);
    this.w.on(type, f);
  }
  removeEventListener(type: EventName, l: Listener): void {
    const f = this.wrapped.get(l);
    if (f) this.w.off(type, f);
    this.wrapped.delete(l);
  }
  terminate(): void {
    this.terminated = true;
    void this.w.terminate();
  }
}
