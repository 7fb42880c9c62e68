// The page's main thread while a worker trains, measured two ways:
//
//   counts (what the end-to-end tests assert; they cannot flake on a busy machine)
//     countPageWork(page)   before the page loads: counts, on the main thread, the metric
//                           batches that arrive from workers and the GPU readbacks
//                           (GPUBuffer.mapAsync) the page itself starts
//     watchRedraws(loc)     counts the redraws of a chart (its accessible summary changes)
//
//   times (what bench/main-thread.bench.ts reports; never asserted in CI)
//     watchLongTasks(page, browser) … stop()   every long task the page reported, with the
//                           main thread's own CPU time in it (from a Chrome trace)

import type { Browser, Locator, Page } from '@playwright/test';

export interface PageWork {
  /** metric batches received from training workers */
  metricBatches: number;
  /** GPUBuffer.mapAsync calls made by the page's own (main-thread) code */
  readbacks: number;
  /** page time (ms) of the reading */
  at: number;
}

/** installs the counters; call before page.goto */
export async function countPageWork(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __pageWork: { metricBatches: number; readbacks: number } };
    w.__pageWork = { metricBatches: 0, readbacks: 0 };
    const map = globalThis.GPUBuffer?.prototype.mapAsync;
    if (map) {
      GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
        w.__pageWork.readbacks++;
        return map.apply(this, args);
      };
    }
    // one message reaches every listener of a worker (chapter 5 has two): count it once
    const seen = new WeakSet<Event>();
    const add = Worker.prototype.addEventListener;
    Worker.prototype.addEventListener = function (this: Worker, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
      if (type === 'message' && typeof listener === 'function') {
        const inner = listener;
        const counted = function (this: Worker, e: Event) {
          const data = (e as MessageEvent).data as { type?: unknown } | null;
          if (data && data.type === 'metrics' && !seen.has(e)) {
            seen.add(e);
            w.__pageWork.metricBatches++;
          }
          return inner.call(this, e);
        };
        // removeEventListener gets the original: map it to the wrapper
        (inner as unknown as { __counted?: EventListener }).__counted = counted;
        return add.call(this, type, counted, options);
      }
      return add.call(this, type, listener, options);
    };
    const remove = Worker.prototype.removeEventListener;
    Worker.prototype.removeEventListener = function (this: Worker, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions) {
      const counted = (listener as unknown as { __counted?: EventListener } | null)?.__counted;
      return remove.call(this, type, counted ?? listener, options);
    };
  });
}

export async function pageWork(page: Page): Promise<PageWork> {
  return page.evaluate(() => {
    const w = window as unknown as { __pageWork?: { metricBatches: number; readbacks: number } };
    if (!w.__pageWork) throw new Error('countPageWork(page) was not called before the page loaded');
    return { ...w.__pageWork, at: performance.now() };
  });
}

/** counts the redraws of a chart (changes of its accessible summary) until stop() */
export async function watchRedraws(chart: Locator): Promise<{ stop: () => Promise<{ redraws: number; ms: number }> }> {
  await chart.evaluate((fig) => {
    const f = fig as HTMLElement & { __redraws?: { n: number; t0: number; mo: MutationObserver } };
    const state = { n: 0, t0: performance.now(), mo: new MutationObserver(() => state.n++) };
    state.mo.observe(fig, { attributes: true, attributeFilter: ['aria-label'] });
    f.__redraws = state;
  });
  return {
    stop: () =>
      chart.evaluate((fig) => {
        const s = (fig as HTMLElement & { __redraws?: { n: number; t0: number; mo: MutationObserver } }).__redraws!;
        s.mo.disconnect();
        return { redraws: s.n, ms: performance.now() - s.t0 };
      }),
  };
}

type TraceEvent = { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } };

/**
 * The main thread's own work in each long task the page reported: the CPU time of the
 * renderer main-thread task (Chrome trace, thread time) that the long task covers. A long
 * task's duration is wall time, which on a machine shared with other jobs also counts
 * their time; the page is busy only for the thread time. The trace and the page's clock
 * are aligned by a performance mark (`mark`, made at page time `markAt`).
 */
export function mainThreadWork(trace: { traceEvents: TraceEvent[] }, mark: string, markAt: number, longTasks: { start: number; duration: number }[]): { wall: number; cpu: number }[] {
  const evs = trace.traceEvents;
  const markEv = evs.find((e) => e.name === mark);
  if (!markEv) throw new Error(`the trace has no mark '${mark}'`);
  const main = evs.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === markEv.pid);
  if (!main) throw new Error('the trace has no renderer main thread for the page');
  const tasks = evs.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  const offset = markEv.ts - markAt * 1000;
  return longTasks.map((lt) => {
    const a = offset + lt.start * 1000;
    const b = a + lt.duration * 1000;
    const cover = tasks.filter((t) => t.ts < b && t.ts + (t.dur ?? 0) > a);
    if (cover.length === 0) throw new Error(`no main-thread task in the trace at the long task ${lt.start.toFixed(0)} ms (+${lt.duration.toFixed(0)} ms)`);
    return { wall: Math.round(lt.duration), cpu: Math.round(Math.max(...cover.map((t) => (t.tdur ?? t.dur ?? 0) / 1000))) };
  });
}

/** starts a Chrome trace and a long-task observer; stop() gives each long task's wall and main-thread CPU ms */
export async function watchLongTasks(page: Page, browser: Browser): Promise<{ stop: () => Promise<{ wall: number; cpu: number }[]> }> {
  const mark = 'long-task-watch';
  await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  const markAt = await page.evaluate((name) => {
    const w = window as unknown as { __long: { start: number; duration: number }[] };
    w.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: false });
    return performance.mark(name).startTime;
  }, mark);
  return {
    stop: async () => {
      const longTasks = await page.evaluate(() => (window as unknown as { __long: { start: number; duration: number }[] }).__long);
      return mainThreadWork(JSON.parse((await browser.stopTracing()).toString('utf8')), mark, markAt, longTasks);
    },
  };
}
