// Runs one of the course's reference experiments in Node and prints its figures.
//
//   npx vite-node scripts/train.ts <experiment> [--backend cpu|webgpu] [--epochs N]
//                                  [--seed S] [--splits N] [--max-steps N]
//
//   experiments   iris | mnist-lenet | fashion-mlp | mnist-sigmoid
//   --backend     default: the faster one on the development machine (see docs/results.md);
//                 webgpu needs VK_ICD_FILENAMES (Dawn's Vulkan driver) in the environment
//   --epochs      override the experiment's epoch count
//   --seed        override the seed (weights, splits, batch order); for a sweep over
//                 several splits, the first split's seed
//   --splits      sweeps only: repeat the grid on N seeded splits (seeds S … S+N−1) and
//                 judge each cell by its mean (iris default: 10)
//   --max-steps   stop after N steps and print the throughput only (backend comparisons)
//
// The data comes from public/data (made by scripts/prepare-data.mjs). The last line is a
// Markdown table row for docs/results.md. Exit status: 0 when the experiment's target is
// met, 2 when it is not, 1 on an error.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { fetcherFromReadFile, setDataFetcher } from '../src/nn/data/load';
import { loadSessionData } from '../src/train/data';
import { EXPERIMENT_NAMES, EXPERIMENTS, type Experiment, type ExperimentName } from '../src/train/experiments';
import type { MetricEvent, MetricsBatch, SessionConfig, SweepTable } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { averageOverSplits, runSweep } from '../src/train/sweep';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npx vite-node scripts/train.ts <${EXPERIMENT_NAMES.join('|')}> [--backend cpu|webgpu] [--epochs N] [--seed S] [--splits N] [--max-steps N]`;

function fail(msg: string): never {
  console.error(`train: ${msg}\n${USAGE}`);
  process.exit(1);
}

// ── arguments ──────────────────────────────────────────────────────────────────
const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const positional: string[] = [];
const opts: Record<string, string> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a.startsWith('--')) {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${a} needs a value`);
    opts[a.slice(2)] = v;
    i++;
  } else positional.push(a);
}
for (const k of Object.keys(opts)) if (!['backend', 'epochs', 'seed', 'splits', 'max-steps'].includes(k)) fail(`unknown option --${k}`);
if (positional.length !== 1) fail(positional.length ? `one experiment, got ${positional.join(', ')}` : 'which experiment?');
const name = positional[0] as ExperimentName;
if (!EXPERIMENT_NAMES.includes(name)) fail(`unknown experiment '${name}'`);
const exp: Experiment = EXPERIMENTS[name];
const backendName = opts.backend ?? exp.defaultBackend;
if (backendName !== 'cpu' && backendName !== 'webgpu') fail(`--backend must be cpu or webgpu, got ${backendName}`);
const intOpt = (k: string): number | undefined => {
  if (opts[k] === undefined) return undefined;
  const v = Number(opts[k]);
  if (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1)) fail(`--${k} must be a ${k === 'seed' ? 'non-negative' : 'positive'} integer, got ${opts[k]}`);
  return v;
};
const epochs = intOpt('epochs') ?? exp.config.epochs;
const seed = intOpt('seed') ?? exp.config.seed;
const maxSteps = intOpt('max-steps');
const splits = intOpt('splits') ?? exp.splits ?? 1;
if (splits > 1 && !exp.sweep) fail(`--splits applies to sweeps (iris), not ${name}`);
const config: SessionConfig = { ...exp.config, epochs, seed, flushMs: 500 };
const command = `npx vite-node scripts/train.ts ${argv.join(' ')}`;

// ── backend and data ───────────────────────────────────────────────────────────
async function makeBackend(): Promise<Backend> {
  if (backendName === 'cpu') return createCpuBackend();
  if (!process.env.VK_ICD_FILENAMES) {
    fail('--backend webgpu needs VK_ICD_FILENAMES, e.g. VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader)');
  }
  const { nodeGPU } = await import('../src/engine/gpu/node');
  const gpu = await nodeGPU(); // installs the WebGPU globals (GPUBufferUsage, …) the GPU code uses
  const { createWebGPUBackend } = await import('../src/engine/gpu/webgpu-backend');
  return createWebGPUBackend(gpu);
}

const dataDir = join(root, 'public', 'data');
if (!existsSync(join(dataDir, 'manifest.json'))) fail(`no ${dataDir}/manifest.json: run \`node scripts/prepare-data.mjs\` first`);
setDataFetcher(fetcherFromReadFile((p) => readFile(join(dataDir, p))));

const fmt = (x: number | null | undefined, d = 4) => (x === null || x === undefined ? '—' : x.toFixed(d));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ── run ────────────────────────────────────────────────────────────────────────
const tStart = performance.now();
const backend = await makeBackend();
const adapter = `${backend.kind} (${backend.deviceName})`;
console.log(`${exp.title}`);
console.log(`backend ${adapter}, seed ${seed}${splits > 1 ? ` (splits: seeds ${seed}–${seed + splits - 1})` : ''}, ${epochs} epoch(s)${maxSteps ? `, at most ${maxSteps} steps` : ''}`);

let lastPrint = 0;
const tLoad = performance.now();
const data = await loadSessionData(config.dataset, seed, (p) => {
  if (p.phase === 'done' || performance.now() - lastPrint > 1000) {
    lastPrint = performance.now();
    if (p.total) console.log(`  data ${p.phase} ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB ${p.file}`);
  }
});
const count = (d: { shape: readonly number[] } | null) => (d ? d.shape[0]! : 0);
console.log(
  `data: ${data.train.name}: train ${count(data.train)}, validation ${count(data.validation)}, test ${count(data.test)} ` +
    `(${secs(performance.now() - tLoad)}); ${data.train.source}`,
);

/** prints the stream: progress every few seconds, every evaluation */
function printer(prefix = '') {
  let last = 0;
  let lastLoss: MetricEvent | undefined;
  return (b: MetricsBatch) => {
    for (const e of b.events) {
      if (e.kind === 'loss') lastLoss = e;
      if (e.kind === 'eval') {
        console.log(
          `${prefix}epoch ${e.epoch} (step ${e.step}): val loss ${fmt(e.valLoss)} acc ${fmt(e.valAccuracy)} · test loss ${fmt(e.testLoss)} acc ${fmt(e.testAccuracy)}`,
        );
      }
      if (e.kind === 'diverged') console.log(`${prefix}diverged at step ${e.step} (lr ${e.lr}): loss ${e.loss}`);
    }
    const s = b.snapshot;
    if (performance.now() - last > 5000 && lastLoss?.kind === 'loss' && s.state === 'running') {
      last = performance.now();
      console.log(
        `${prefix}  epoch ${lastLoss.epoch.toFixed(2)}/${s.epochs} step ${s.step} loss ${lastLoss.loss.toFixed(4)} · ${s.examplesPerSec.toFixed(0)} examples/s`,
      );
    }
  };
}

function row(metric: string, value: string, epochsRun: number | string, wallMs: number): string {
  return `| ${name} | ${metric} | ${value} | ${epochsRun} | ${secs(wallMs)} | ${adapter} | ${seed} | \`${command}\` |`;
}

let met = false;
try {
  if (exp.sweep && !maxSteps) {
    const t0 = performance.now();
    const seeds = Array.from({ length: splits }, (_, i) => seed + i);
    const tables: SweepTable[] = [];
    for (const s of seeds) {
      const splitData = s === seed ? data : await loadSessionData(config.dataset, s);
      const table = await runSweep(backend, { base: { ...config, seed: s }, ...exp.sweep }, splitData);
      tables.push(table);
      console.log(`split ${tables.length}/${splits} (seed ${s}): ${table.rows.length}/${table.total} runs, ranked by ${table.rankBy} accuracy`);
      for (const r of table.rows) {
        console.log(
          `  ${r.best ? '★' : ' '} #${r.rank} lr ${r.lr} hidden ${r.hidden}: test acc ${fmt(r.testAccuracy)} val acc ${fmt(r.valAccuracy)} ` +
            `train loss ${fmt(r.finalTrainLoss)} (${r.state}, ${r.steps} steps, ${secs(r.wallMs)})`,
        );
      }
    }
    const wall = performance.now() - t0;
    const avg = averageOverSplits(tables);
    const best = avg[0]!;
    met = best.mean >= exp.target;
    const over = splits > 1 ? `mean over ${splits} splits (seeds ${seeds[0]}–${seeds[seeds.length - 1]})` : `one split (seed ${seed})`;
    if (splits > 1) {
      console.log(`${exp.metric}, ${over}:`);
      for (const r of avg) {
        console.log(`  ${r.best ? '★' : ' '} #${r.rank} lr ${r.lr} hidden ${r.hidden}: ${r.mean.toFixed(4)}  [${r.perSplit.map((v) => fmt(v, 3)).join(' ')}]`);
      }
    }
    console.log(`best: lr ${best.lr}, hidden ${best.hidden}: ${exp.metric} ${best.mean.toFixed(4)}, ${over} (target ≥ ${exp.target}: ${met ? 'met' : 'NOT met'})`);
    console.log(`wall time ${secs(wall)} for ${tables.length * exp.sweep.learningRates.length * exp.sweep.hiddenSizes.length} runs; total with data and startup ${secs(performance.now() - tStart)}`);
    console.log(
      row(`best ${exp.metric} over ${exp.sweep.learningRates.length}×${exp.sweep.hiddenSizes.length} grid, ${over} (lr ${best.lr}, hidden ${best.hidden})`, best.mean.toFixed(4), epochs, wall),
    );
  } else {
    const t0 = performance.now();
    const evals: Extract<MetricEvent, { kind: 'eval' }>[] = [];
    const speeds: number[] = [];
    const print = printer();
    const session = await TrainingSession.create(
      backend,
      config,
      (b) => {
        for (const e of b.events) {
          if (e.kind === 'eval') evals.push(e);
          if (e.kind === 'speed') speeds.push(e.examplesPerSec);
        }
        print(b);
      },
      { data },
    );
    let snap;
    if (maxSteps) {
      // the free-running loop, paused once it has done at least maxSteps steps
      await session.start();
      while (session.status === 'running' && session.snapshot().step < maxSteps) await new Promise((r) => setTimeout(r, 5));
      snap = await session.pause();
    } else {
      snap = await session.runToEnd();
    }
    const wall = performance.now() - t0;
    const perStep = snap.trainMs / Math.max(snap.step, 1);
    console.log(
      `${snap.message}; ${snap.step} steps, ${snap.examplesSeen} examples in ${secs(snap.trainMs)} of training ` +
        `(${perStep.toFixed(2)} ms/step, ${((snap.examplesSeen * 1000) / snap.trainMs).toFixed(0)} examples/s overall` +
        `${speeds.length ? `, last window ${speeds[speeds.length - 1]!.toFixed(0)} examples/s` : ''})`,
    );
    if (maxSteps) {
      const steady = speeds.length > 1 ? `${speeds[speeds.length - 1]!.toFixed(0)} examples/s in the last window` : 'no steady-state window';
      console.log(
        `| ${name} | ${adapter} | ${snap.step} steps | ${perStep.toFixed(2)} ms/step | ${((snap.examplesSeen * 1000) / snap.trainMs).toFixed(0)} examples/s overall | ${steady} |`,
      );
      met = true;
    } else {
      const within = evals.filter((e) => e.epoch <= exp.withinEpochs);
      const pick = (e: (typeof evals)[number]) => (exp.metric === 'test accuracy' ? e.testAccuracy : e.valAccuracy) ?? 0;
      const final = within[within.length - 1];
      const value = final ? pick(final) : 0;
      const firstHit = evals.find((e) => pick(e) >= exp.target);
      met = snap.state === 'done' && value >= exp.target;
      console.log(
        `${exp.metric} after epoch ${final?.epoch ?? 0}: ${value.toFixed(4)} (target ≥ ${exp.target} within ${exp.withinEpochs} epoch(s): ${met ? 'met' : 'NOT met'})` +
          (firstHit ? `; first reached at epoch ${firstHit.epoch}` : ''),
      );
      if (final && exp.metric !== 'test accuracy') console.log(`test accuracy after epoch ${final.epoch}: ${fmt(final.testAccuracy)}`);
      console.log(`wall time ${secs(wall)} (training and evaluation); total with data and startup ${secs(performance.now() - tStart)}`);
      console.log(row(exp.metric + (exp.metric === 'test accuracy' ? '' : ` (test ${fmt(final?.testAccuracy)})`), value.toFixed(4), final?.epoch ?? 0, wall));
    }
    await session.dispose();
  }
} catch (e) {
  console.error(`train: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  backend.destroy();
  process.exit(1);
}
backend.destroy();
process.exit(met ? 0 : 2);
