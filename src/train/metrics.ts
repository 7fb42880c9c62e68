// The metric stream, batched: events collect here and leave as one MetricsBatch at most
// every `flushMs` (and at every state change), so the worker posts a few messages a
// second however fast the steps run, and the UI appends once per animation frame.
//
// A non-finite number never enters the stream: a loss that is NaN or ±Inf ends the run
// as a 'diverged' event whose loss is text.

import type { MetricEvent, MetricsBatch, SessionSnapshot } from './protocol';

export type MetricsSink = (batch: MetricsBatch) => void;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** the numeric fields of each event kind that must be finite */
function checkFinite(e: MetricEvent): void {
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(`metrics: ${e.kind} event has ${k} = ${v}; non-finite values must not reach the charts`);
    }
  }
}

export class MetricsBuffer {
  private events: MetricEvent[] = [];
  private last = -Infinity;

  constructor(
    private readonly sink: MetricsSink,
    private readonly snapshot: () => SessionSnapshot,
    private readonly flushMs: number,
    private readonly sweepRun?: number,
  ) {}

  push(e: MetricEvent): void {
    checkFinite(e);
    this.events.push(e);
    if (now() - this.last >= this.flushMs) this.flush();
  }

  /** delivers what has collected (and the counters) now; with force, even when empty */
  flush(force = false): void {
    if (this.events.length === 0 && !force) return;
    const batch: MetricsBatch = { events: this.events, snapshot: this.snapshot() };
    if (this.sweepRun !== undefined) batch.sweepRun = this.sweepRun;
    this.events = [];
    this.last = now();
    this.sink(batch);
  }
}

/** A sink that keeps every batch: tests and the Node script read the whole stream. */
export function collectingSink(): { sink: MetricsSink; batches: MetricsBatch[]; events: () => MetricEvent[] } {
  const batches: MetricsBatch[] = [];
  return { sink: (b) => batches.push(b), batches, events: () => batches.flatMap((b) => b.events) };
}
