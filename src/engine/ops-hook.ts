// The backends' operation hook: every compute op of a backend (matmul, conv2d, adamUpdate,
// …; not tensor bookkeeping such as fromArray, read or dispose) is announced to the
// listeners subscribed with `backend.onOp(listener)`:
//
//   listener.begin(op, args)      before the op records anything (inputs still hold their
//                                 values: an in-place update has not run yet)
//   listener.end(event: OpEvent)  after it, with its result and the WGSL kernels it
//                                 dispatched (file, entry point and its lines, in order;
//                                 none on the CPU reference)
//
// Only the outermost op is announced (an op a backend builds from others, or a tensor a
// listener copies while it is told, announces nothing of its own). With no listener an op
// pays one length test.

import type { OpEvent, OpKernel, OpListener } from './backend';

export class OpHook {
  private listeners: OpListener[] = [];
  /** > 0 while an announced op (or a listener) runs */
  private depth = 0;
  /** the kernels of the op being announced; null when none is */
  private kernels: OpKernel[] | null = null;

  /**
   * @param locate the lines of an entry point in its file (asked only while an op is
   *   being announced)
   */
  constructor(private readonly locate: (shader: string, entry: string) => readonly [number, number] | null = () => null) {}

  /** subscribe; returns the unsubscribe */
  on(listener: OpListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** runs `body`, the op `op` called with `args`, announcing it to the listeners */
  op<T>(op: string, args: readonly unknown[], body: () => T): T {
    if (this.listeners.length === 0 || this.depth > 0) return body();
    const listeners = this.listeners;
    this.depth++;
    try {
      for (const l of listeners) l.begin?.(op, args);
      const kernels: OpKernel[] = [];
      this.kernels = kernels;
      let result: T;
      try {
        result = body();
      } finally {
        this.kernels = null;
      }
      const event: OpEvent = { op, args, result, kernels };
      for (const l of listeners) l.end?.(event);
      return result;
    } finally {
      this.depth--;
    }
  }

  /** the GPU's dispatch path: one kernel recorded (attributed to the op being announced) */
  kernel(shader: string, entry: string, detail: Pick<OpKernel, 'constants' | 'subgroups' | 'label'> = {}): void {
    if (this.kernels) this.kernels.push({ shader, entry, lines: this.locate(shader, entry), ...detail });
  }
}
