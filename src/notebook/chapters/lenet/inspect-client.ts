// The page's side of chapter 5's inspect requests (inspect-protocol.ts): a promise per
// request, progress per request id. Shares the worker with a TrainingClient; when the
// worker stops (its `error` or `messageerror` event, watched as the TrainingClient does),
// pending requests reject with "the training worker stopped: …".

import { watchPort, type PortLike } from '../../../train/client';
import { INSPECT_CHANNEL, isInspectMessage, type InspectOp, type InspectValues } from './inspect-protocol';

/** the chapter's training worker: the session's handler plus the inspect requests */
export function createLenetWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'lenet-training' });
}

export class InspectClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; op: InspectOp; onProgress?: (done: number, total: number) => void }>();
  private closed = false;
  private stoppedWith: string | null = null;
  private readonly listener = (e: MessageEvent) => this.receive(e.data);
  private readonly unwatch: () => void;

  constructor(private readonly port: PortLike) {
    port.addEventListener('message', this.listener);
    this.unwatch = watchPort(port, (message) => {
      this.stoppedWith = `the training worker stopped: ${message}`;
      this.close();
    });
    port.start?.();
  }

  private receive(msg: unknown): void {
    if (!isInspectMessage(msg)) return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'inspect-progress') {
      p.onProgress?.(msg.done, msg.total);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.value);
    else p.reject(new Error(msg.error));
  }

  private request<K extends InspectOp>(op: K, onProgress?: (done: number, total: number) => void): Promise<InspectValues[K]> {
    if (this.closed) return Promise.reject(new Error(this.stoppedWith ?? 'inspect client: closed'));
    const id = this.nextId++;
    return new Promise<InspectValues[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, op, onProgress });
      this.port.postMessage({ channel: INSPECT_CHANNEL, id, op });
    });
  }

  /** the session's parameters now */
  snapshot(): Promise<InspectValues['snapshot']> {
    return this.request('snapshot');
  }
  /** the session's test split as bytes */
  testSet(): Promise<InspectValues['testSet']> {
    return this.request('testSet');
  }
  /** the model's softmax outputs on every test image (the session must not be running) */
  predictTest(onProgress?: (done: number, total: number) => void): Promise<InspectValues['predictTest']> {
    return this.request('predictTest', onProgress);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener('message', this.listener);
    this.unwatch();
    for (const p of this.pending.values()) p.reject(new Error(this.stoppedWith ?? `inspect client: closed before the reply to '${p.op}'`));
    this.pending.clear();
  }
}
