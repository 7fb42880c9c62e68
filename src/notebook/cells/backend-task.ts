// Running a cell's computation on the page's backend (WebGPU when the browser has it,
// the float64 CPU reference otherwise), from React.
//
// Work from every cell is queued and runs one task at a time: a task records its ops,
// reads back what it needs and frees its tensors before the next one starts, so two
// cells never interleave on the one device (and a step-through's kernel observer sees
// only its own dispatches).

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Backend, OpKernel } from '../../engine/backend';
import { cpuReference } from '../../engine/cpu/reference-backend';
import { currentBackend, useDevice } from '../../store/device';
import { pageQueue } from '../../train/device-queue';

/** runs fn after every task queued before it on the page's device queue (its failure does not stop the queue) */
export function runExclusive<T>(fn: () => Promise<T>): Promise<T> {
  return pageQueue.run(fn);
}

/** the float64 CPU reference (one per page) */
export function referenceBackend(): Backend {
  return cpuReference();
}

/** runs `body` on `backend`, collecting the WGSL kernels its ops dispatch (none on the CPU reference) */
export async function withKernels<T>(backend: Backend, body: () => Promise<T>): Promise<{ value: T; kernels: OpKernel[] }> {
  const kernels: OpKernel[] = [];
  const off = backend.onOp({ end: (e) => kernels.push(...e.kernels) });
  try {
    return { value: await body(), kernels };
  } finally {
    off();
  }
}

export function usePageBackend(): { backend: Backend | null; failed: string | null } {
  const status = useDevice((s) => s.status);
  const error = useDevice((s) => s.error);
  const init = useDevice((s) => s.init);
  useEffect(() => {
    if (status === 'idle') void init();
  }, [status, init]);
  if (status === 'failed') return { backend: null, failed: error ?? 'no backend could be created' };
  return { backend: status === 'ready' ? currentBackend() : null, failed: null };
}

export interface TaskState<T> {
  result: T | null;
  error: string | null;
  /** a run is under way (a previous result may still be shown) */
  running: boolean;
  /** ms the last run took (queue wait excluded) */
  ms: number | null;
}

/**
 * [ref, near]: near turns true once the element comes within a screen of the viewport
 * (and stays true), so a cell computes when the reader gets to it, not all on load.
 */
export function useNearViewport<E extends Element>(): [(el: E | null) => void, boolean] {
  const [near, setNear] = useState(() => typeof IntersectionObserver === 'undefined');
  const observer = useRef<IntersectionObserver | null>(null);
  const ref = useCallback((el: E | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          io.disconnect();
        }
      },
      { rootMargin: '100% 0px' },
    );
    io.observe(el);
    observer.current = io;
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, near];
}

/**
 * Runs `task(backend)` whenever the backend becomes ready or `key` changes (a string of
 * the inputs), once `active` (e.g. the cell is near the viewport); a newer run supersedes
 * an older one still in flight.
 */
export function useBackendTask<T>(key: string, task: (backend: Backend) => Promise<T>, active = true): TaskState<T> & { backend: Backend | null; failed: string | null } {
  const { backend, failed } = usePageBackend();
  const [state, setState] = useState<TaskState<T>>({ result: null, error: null, running: false, ms: null });
  const taskRef = useRef(task);
  taskRef.current = task;
  useEffect(() => {
    if (!backend || !active) return;
    let live = true;
    setState((s) => ({ ...s, running: true }));
    void runExclusive(async () => {
      if (!live) return;
      const t0 = performance.now();
      try {
        const result = await taskRef.current(backend);
        if (live) setState({ result, error: null, running: false, ms: performance.now() - t0 });
      } catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        console.error(`cell computation failed: ${message}`);
        if (live) setState({ result: null, error: message, running: false, ms: null });
      }
    });
    return () => {
      live = false;
    };
  }, [backend, key, active]);
  return { ...state, backend, failed };
}
