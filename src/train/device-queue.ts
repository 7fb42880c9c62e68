// One way to serialize device work. A task runs to its end — its ops recorded, what it
// needs read back, its tensors freed — before the next one starts, so two callers never
// interleave on one device (a layer's cache belongs to the last forward; a step-through's
// op listener sees only its own task's ops). Tasks run in call order; a failed task
// rejects its own caller and does not stop the queue.
//
//   the page        pageQueue: every cell's computation on the page's backend, and the
//                   LeNet chapter's model on it (notebook/cells/backend-task.ts, page-model.ts)
//   a session       its own queue: its controls (start, pause, step, trace, …) in call order
//
// A task must not wait on another task of the same queue (it would wait for itself).

export class DeviceQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** runs fn after every task queued before it; resolves or rejects with fn's result */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.waiting++;
    const p = this.tail.then(fn).finally(() => this.waiting--);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** tasks queued or running */
  get pending(): number {
    return this.waiting;
  }
}

/** the page's queue: all device work of the main thread, on the page's backend */
export const pageQueue = new DeviceQueue();
