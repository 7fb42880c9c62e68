// Profiling (beginProfile … endProfile, off by default): with the device's
// 'timestamp-query' feature each dispatch gets its own compute pass whose timestampWrites
// stamp its start and end into a query set; flush() resolves the stamps into a buffer
// in the same command buffer, endProfile() reads them: one GPU time per dispatch.
// Without the feature each dispatch is submitted on its own and timed by when its
// completion reaches the CPU. When off, dispatch() pays one boolean test.

import type { KernelTiming, StepProfile } from '../../backend';

/** timestamps per query set: two per dispatch (start, end) */
const QUERY_CHUNK = 512;

export interface ProfiledDispatch {
  kernel: string;
  entry: string;
  label: string;
}

/** the work of one flush of a profiled step, waiting to be read */
type ProfiledSubmit =
  | { kind: 'timestamps'; dispatches: ProfiledDispatch[]; readback: GPUBuffer }
  | { kind: 'cpu'; dispatch: ProfiledDispatch; submittedAt: number; done: Promise<number> };

export interface ProfileState {
  t0: number;
  /** dispatches recorded since the last flush (timestamp path) */
  recorded: ProfiledDispatch[];
  submits: ProfiledSubmit[];
}

export class Profiler {
  /** the profile being recorded; null when profiling is off */
  current: ProfileState | null = null;
  private querySets: GPUQuerySet[] = [];
  private queryResolve: GPUBuffer | null = null;

  constructor(
    private device: GPUDevice,
    /** the device has 'timestamp-query' */
    readonly hasTimestamps: boolean,
    private label: string,
  ) {}

  start(): void {
    this.current = { t0: performance.now(), recorded: [], submits: [] };
  }

  /**
   * Records a profiled dispatch in its own compute pass of `encoder`, stamped at its start
   * and end when the device has timestamps. Without them the caller submits it at once and
   * calls submittedAlone.
   */
  record(encoder: GPUCommandEncoder, d: ProfiledDispatch, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: [number, number, number]): void {
    const p = this.current!;
    let timestampWrites: GPUComputePassTimestampWrites | undefined;
    if (this.hasTimestamps) {
      const { querySet, index } = this.timestampSlot(p.recorded.length);
      timestampWrites = { querySet, beginningOfPassWriteIndex: index, endOfPassWriteIndex: index + 1 };
      p.recorded.push(d);
    }
    const pass = encoder.beginComputePass({ label: `${this.label}:${d.label}`, timestampWrites });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    pass.end();
  }

  /** a dispatch submitted on its own (no timestamps): timed by when the CPU hears it is done */
  submittedAlone(d: ProfiledDispatch): void {
    const submittedAt = performance.now();
    this.current!.submits.push({
      kind: 'cpu',
      dispatch: d,
      submittedAt,
      done: this.device.queue.onSubmittedWorkDone().then(() => performance.now()),
    });
  }

  /** the query set and first query index of a profiled dispatch's two timestamps */
  private timestampSlot(n: number): { querySet: GPUQuerySet; index: number } {
    const chunk = Math.floor((2 * n) / QUERY_CHUNK);
    while (this.querySets.length <= chunk) {
      this.querySets.push(
        this.device.createQuerySet({ label: `${this.label}:profile queries #${this.querySets.length}`, type: 'timestamp', count: QUERY_CHUNK }),
      );
    }
    return { querySet: this.querySets[chunk]!, index: (2 * n) % QUERY_CHUNK };
  }

  /** records, before a profiled step's submit, the resolve of its timestamps and a copy to a mappable buffer */
  resolve(encoder: GPUCommandEncoder): void {
    const p = this.current;
    if (!p || p.recorded.length === 0) return;
    const n = p.recorded.length;
    const chunks = Math.ceil((2 * n) / QUERY_CHUNK);
    const bytes = chunks * QUERY_CHUNK * 8;
    if (!this.queryResolve || this.queryResolve.size < bytes) {
      this.queryResolve?.destroy();
      this.queryResolve = this.device.createBuffer({
        label: `${this.label}:profile resolve`,
        size: bytes,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
    }
    for (let c = 0; c < chunks; c++) {
      const count = Math.min(QUERY_CHUNK, 2 * n - c * QUERY_CHUNK);
      encoder.resolveQuerySet(this.querySets[c]!, 0, count, this.queryResolve, c * QUERY_CHUNK * 8);
    }
    const readback = this.device.createBuffer({
      label: `${this.label}:profile readback`,
      size: 2 * n * 8,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyBufferToBuffer(this.queryResolve, 0, readback, 0, 2 * n * 8);
    p.submits.push({ kind: 'timestamps', dispatches: p.recorded, readback });
    p.recorded = [];
  }

  /**
   * One timing per dispatch of a finished profile (all its work submitted and done);
   * `settle` awaits a device promise, turning a loss into the context's error.
   */
  async collect(p: ProfileState, settle: <T>(x: Promise<T>) => Promise<T>): Promise<StepProfile> {
    const wallMs = performance.now() - p.t0;
    const timings: KernelTiming[] = [];
    let prevDone = p.t0;
    for (const sub of p.submits) {
      if (sub.kind === 'timestamps') {
        await settle(sub.readback.mapAsync(GPUMapMode.READ));
        const stamps = new BigUint64Array(sub.readback.getMappedRange().slice(0));
        sub.readback.unmap();
        sub.readback.destroy();
        sub.dispatches.forEach((d, i) => {
          const ns = Number(stamps[2 * i + 1]! - stamps[2 * i]!);
          timings.push({ ...d, ms: ns / 1e6 });
        });
      } else {
        // from when the GPU could start it (submitted, and the previous one done) to when the CPU heard it was done
        const done = await sub.done;
        timings.push({ ...sub.dispatch, ms: Math.max(0, done - Math.max(prevDone, sub.submittedAt)) });
        prevDone = done;
      }
    }
    const totalMs = timings.reduce((a, t) => a + t.ms, 0);
    const note = this.hasTimestamps
      ? 'GPU timestamps (timestamp-query): each dispatch ran in its own compute pass, stamped at its start and end'
      : "this device has no 'timestamp-query': each dispatch was submitted on its own and timed on the CPU from submission to completion (an estimate that includes submission overhead)";
    return { source: this.hasTimestamps ? 'timestamp-query' : 'cpu', timings, totalMs, wallMs, note };
  }

  destroy(): void {
    for (const q of this.querySets) q.destroy();
    this.querySets = [];
    this.queryResolve?.destroy();
    this.current = null;
  }
}
