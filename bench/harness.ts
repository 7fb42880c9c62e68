// The benchmark harness: the same workloads on our engine and on the peers, on one shared
// device, interleaved.
//
// For each workload:
//   1. every contender prepares its runner (uploads operands, builds its graph);
//   2. probe: every contender runs the workload once from the same initial state and
//      returns its result in the engine's layout; results are compared with
//      |x − ref| ≤ atol + rtol·|ref| against the first contender's (a contender that
//      computes something else is flagged, not silently timed);
//   3. warm-up: `warmup` more runs each (pipelines compiled, buffers pooled);
//   4. `reps` timed samples, interleaved: ours, peer A, peer B, ours, peer A, …
//      A sample = `inner` runs, then a wait until the GPU has finished them all
//      (ours: backend.sync(); TF.js and jax-js: their pending work submitted, then
//      queue.onSubmittedWorkDone() of the shared device), divided by `inner`.
//      `inner` is chosen once per workload, the same for every contender, so that a
//      sample of the fastest contender lasts at least `minSampleMs`.
//   5. median of the samples → time; GFLOP/s = FLOPs / time; ratio ours ÷ peer of the
//      speeds (> 1: ours is faster).

import { median } from '../src/engine/stats';
import { flopsOf, type Workload } from './workloads';

// ── contenders ───────────────────────────────────────────────────────────────

export interface Runner {
  /** one repetition of the workload, recorded / submitted; need not wait for the GPU */
  run(): void | Promise<void>;
  /** resolves when the GPU has finished every run so far */
  sync(): Promise<void>;
  /** runs the workload once from the initial state; the result in the engine's layout */
  probe(): Promise<Float32Array>;
  dispose(): void;
}

export interface Contender {
  /** short key: 'ours' | 'tfjs' | 'jax' */
  readonly key: string;
  /** column title, with version and backend */
  readonly name: string;
  /** null when the contender runs the workload; otherwise why not */
  unsupported(w: Workload): string | null;
  prepare(w: Workload): Promise<Runner>;
  destroy(): void;
}

// ── options and results ──────────────────────────────────────────────────────

export interface TimingOptions {
  reps: number;
  /** samples of the long workloads (an epoch, a sweep), whose probe run is their warm-up */
  longReps: number;
  warmup: number;
  /** a sample of the fastest contender lasts at least this long (inner runs are added) */
  minSampleMs: number;
  maxInner: number;
  /** log progress lines */
  log: (line: string) => void;
}

export interface ContenderResult {
  key: string;
  name: string;
  /** median ms per run; NaN when it did not run */
  ms: number;
  samples: number[];
  gflops: number;
  /** why it did not run, or the error it threw */
  skipped?: string;
  /** the cross-check against the reference contender */
  check: { ok: boolean; ref: string; detail: string } | null;
}

export interface WorkloadResult {
  workload: Workload;
  flops: number;
  inner: number;
  results: ContenderResult[];
}

// ── statistics ───────────────────────────────────────────────────────────────

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** |x − ref| ≤ atol + rtol·|ref| everywhere; a one-line verdict with the first mismatches */
export function compare(got: Float32Array, ref: Float32Array, atol: number, rtol: number): { ok: boolean; detail: string } {
  if (got.length !== ref.length) return { ok: false, detail: `length ${got.length} ≠ ${ref.length}` };
  let bad = 0;
  let worst = 0;
  let worstRel = 0;
  const first: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    const r = ref[i]!;
    const err = Math.abs(g - r);
    worst = Math.max(worst, Number.isFinite(err) ? err : Infinity);
    worstRel = Math.max(worstRel, err / Math.max(Math.abs(r), 1e-30));
    if (!(err <= atol + rtol * Math.abs(r))) {
      bad++;
      if (first.length < 4) first.push(`[${i}] ${g} vs ${r}`);
    }
  }
  if (bad === 0) return { ok: true, detail: `max |diff| ${worst.toExponential(1)}` };
  return {
    ok: false,
    detail: `${bad}/${ref.length} outside atol ${atol} + rtol ${rtol}; max |diff| ${worst.toExponential(2)}; first ${first.join(', ')}`,
  };
}

/** tolerances of the cross-check per workload kind: float32 on different kernels and orders */
export function tolerance(w: Workload): { atol: number; rtol: number } {
  switch (w.kind) {
    case 'matmul':
      // sums of k products of numbers in [−1, 1): error grows like √k·ε·|terms|
      return { atol: 1e-5 * Math.sqrt(w.k) * 4, rtol: 1e-4 };
    case 'conv-fwd':
    case 'conv-bwd':
      return { atol: 1e-4, rtol: 1e-3 };
    case 'lenet-step':
      return { atol: 1e-5, rtol: 1e-3 };
    case 'mnist-epoch':
    case 'iris-sweep':
      // many SGD steps: rounding differences compound; losses and accuracies still agree closely
      return { atol: 2e-3, rtol: 1e-2 };
  }
}

// ── the loop ─────────────────────────────────────────────────────────────────

const now = () => performance.now();

async function timeOnce(r: Runner, inner: number): Promise<number> {
  const t0 = now();
  for (let i = 0; i < inner; i++) await r.run();
  await r.sync();
  return (now() - t0) / inner;
}

function errText(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.split('\n')[0]!.slice(0, 300);
}

/** long workloads (a whole epoch, a sweep) are never repeated inside a sample */
function singleShot(w: Workload): boolean {
  return w.kind === 'mnist-epoch' || w.kind === 'iris-sweep';
}

export async function runWorkload(w: Workload, contenders: readonly Contender[], opt: TimingOptions): Promise<WorkloadResult> {
  const flops = flopsOf(w);
  const results: ContenderResult[] = contenders.map((c) => ({
    key: c.key,
    name: c.name,
    ms: NaN,
    samples: [],
    gflops: NaN,
    check: null,
  }));
  const runners: (Runner | null)[] = [];

  // 1–2. prepare and probe
  let ref: { key: string; out: Float32Array } | null = null;
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[i]!;
    const res = results[i]!;
    const why = c.unsupported(w);
    if (why) {
      res.skipped = why;
      runners.push(null);
      continue;
    }
    try {
      const r = await c.prepare(w);
      const out = await r.probe();
      await r.sync();
      runners.push(r);
      if (!ref) {
        ref = { key: c.key, out };
        res.check = { ok: true, ref: c.key, detail: 'reference' };
      } else {
        const { atol, rtol } = tolerance(w);
        const v = compare(out, ref.out, atol, rtol);
        res.check = { ok: v.ok, ref: ref.key, detail: v.detail };
        if (!v.ok) opt.log(`  ! ${c.key} disagrees with ${ref.key} on ${w.id}: ${v.detail}`);
      }
    } catch (e) {
      res.skipped = errText(e);
      opt.log(`  ! ${c.key} failed on ${w.id}: ${res.skipped}`);
      runners.push(null);
    }
  }

  // 3. warm-up, and the single-run time that sets `inner`
  let fastest = Infinity;
  const warmup = singleShot(w) ? 0 : opt.warmup;
  for (let k = 0; k < warmup; k++) {
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i];
      if (!r) continue;
      try {
        fastest = Math.min(fastest, await timeOnce(r, 1));
      } catch (e) {
        results[i]!.skipped = errText(e);
        opt.log(`  ! ${results[i]!.key} failed warming up ${w.id}: ${results[i]!.skipped}`);
        runners[i] = null;
      }
    }
  }
  const inner =
    singleShot(w) || !Number.isFinite(fastest) ? 1 : Math.max(1, Math.min(opt.maxInner, Math.ceil(opt.minSampleMs / Math.max(fastest, 1e-3))));

  // 4. interleaved samples
  const reps = singleShot(w) ? opt.longReps : opt.reps;
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < runners.length; i++) {
      const r = runners[i];
      if (!r) continue;
      try {
        results[i]!.samples.push(await timeOnce(r, inner));
      } catch (e) {
        results[i]!.skipped = errText(e);
        opt.log(`  ! ${results[i]!.key} failed timing ${w.id}: ${results[i]!.skipped}`);
        runners[i] = null;
      }
    }
  }
  for (const r of runners) r?.dispose();

  // 5. statistics
  for (const res of results) {
    if (res.samples.length === 0) continue;
    res.ms = median(res.samples);
    res.gflops = flops / (res.ms * 1e6);
  }
  return { workload: w, flops, inner, results };
}

// ── formatting ───────────────────────────────────────────────────────────────

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

export function fmtGflops(g: number): string {
  if (!Number.isFinite(g)) return '—';
  if (g >= 100) return g.toFixed(0);
  if (g >= 10) return g.toFixed(1);
  if (g >= 1) return g.toFixed(2);
  if (g >= 0.01) return g.toFixed(3);
  return g.toPrecision(2);
}

export function fmtFlops(f: number): string {
  if (f >= 1e12) return `${(f / 1e12).toFixed(2)} T`;
  if (f >= 1e9) return `${(f / 1e9).toFixed(2)} G`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(1)} M`;
  return `${(f / 1e3).toFixed(1)} k`;
}

/** ours ÷ peer of the speeds (= peer time ÷ our time); '—' when either did not run */
export function ratio(ours: ContenderResult | undefined, peer: ContenderResult): string {
  if (!ours || !Number.isFinite(ours.ms) || !Number.isFinite(peer.ms)) return '—';
  return `${(peer.ms / ours.ms).toFixed(2)}×`;
}

/** one console line per contender */
export function summaryLines(r: WorkloadResult): string[] {
  const lines = [`${r.workload.title}  [${fmtFlops(r.flops)}FLOP${r.inner > 1 ? `, ${r.inner} runs per sample` : ''}]`];
  const ours = r.results.find((x) => x.key === 'ours');
  for (const x of r.results) {
    if (x.skipped && x.samples.length === 0) {
      lines.push(`  ${x.name.padEnd(28)} not run: ${x.skipped}`);
      continue;
    }
    const spread = `p25–p75 ${fmtMs(quantile(x.samples, 0.25))}–${fmtMs(quantile(x.samples, 0.75))}`;
    const rel = x.key !== 'ours' && ours ? `  ours÷this ${ratio(ours, x)}` : '';
    const chk = x.check ? (x.check.ok ? `  agrees (${x.check.detail})` : `  DISAGREES: ${x.check.detail}`) : '';
    lines.push(
      `  ${x.name.padEnd(28)} ${fmtMs(x.ms).padStart(9)}  ${fmtGflops(x.gflops).padStart(7)} GFLOP/s  (${spread}, n=${x.samples.length})${rel}${chk}`,
    );
  }
  return lines;
}
