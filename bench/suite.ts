// Options, the contenders on one shared device, and the loop over the workloads: the part
// of the benchmark that Node (bench/run-node.ts) and Chromium (bench/run-browser.ts) share.

import type { Backend } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { runWorkload, summaryLines, type Contender, type TimingOptions, type WorkloadResult } from './harness';
import { loadDataset, type DataFetcher } from '../src/nn/data';
import { OursContender } from './ours';
import { createJaxContender } from './peers/jax';
import { createTfjsContender } from './peers/tfjs';
import type { SharedDevice } from './shared-device';
import { buildSuite, GROUPS, oneHot, setEpochImages, type EpochData, type Group, type SuiteConfig } from './workloads';

/**
 * ours: the engine as it configures itself on the adapter (its matmul kernel named in the
 * column); ours-tiled / ours-registers: the same backend forced to one product kernel, to
 * compare them side by side; tfjs, jax: the peers.
 */
export const CONTENDERS = ['ours', 'ours-tiled', 'ours-registers', 'tfjs', 'jax'] as const;
const DEFAULT_CONTENDERS: readonly ContenderKey[] = ['ours', 'tfjs', 'jax'];
export type ContenderKey = (typeof CONTENDERS)[number];

export interface BenchOptions extends SuiteConfig, Omit<TimingOptions, 'log'> {
  contenders: ContenderKey[];
  /** which backend is "ours": the WebGPU engine, or the float64 CPU reference (harness check) */
  ours: 'webgpu' | 'cpu';
  /** the full size list and a whole epoch even on a software adapter */
  full: boolean;
}

/** the full list, for a real GPU */
export const FULL: Omit<BenchOptions, 'contenders' | 'ours' | 'full' | 'groups'> = {
  sizes: [256, 512, 1024, 2048, 4096],
  batch: 64,
  epochSamples: 60000,
  data: 'mnist',
  sweepEpochs: 100,
  reps: 20,
  longReps: 3,
  warmup: 3,
  minSampleMs: 50,
  maxInner: 200,
};

/** a software adapter (SwiftShader: a CPU) runs 4096³ for minutes (TF.js: about 5 per product): sizes up to 2048, a slice of an epoch */
export const SOFTWARE: Omit<BenchOptions, 'contenders' | 'ours' | 'full' | 'groups'> = {
  sizes: [256, 512, 1024, 2048],
  batch: 64,
  // 4 steps: TF.js takes tens of seconds per LeNet step here
  epochSamples: 256,
  data: 'mnist',
  sweepEpochs: 3,
  reps: 3,
  longReps: 1,
  // the probe run before timing compiles every pipeline
  warmup: 0,
  minSampleMs: 0,
  maxInner: 1,
};

/**
 * Options from `key=value` pairs (command line `--key=value`, or the page's query string):
 *   sizes=256,512  reps=N  warmup=N  long-reps=N  epoch=SAMPLES  sweep-epochs=N  batch=N
 *   groups=matmul,conv,lenet,iris  contenders=ours,ours-tiled,ours-registers,tfjs,jax  ours=webgpu|cpu  full
 *   min-sample-ms=N  max-inner=N  data=mnist|synthetic (the epoch's images)
 * Returns the options and notes on what was capped.
 */
export function resolveOptions(args: Record<string, string>, isSoftware: boolean): { opts: BenchOptions; notes: string[] } {
  const known = new Set([
    'sizes',
    'reps',
    'warmup',
    'long-reps',
    'epoch',
    'sweep-epochs',
    'batch',
    'groups',
    'contenders',
    'ours',
    'full',
    'min-sample-ms',
    'max-inner',
    'out',
    'write',
    'data',
  ]);
  for (const k of Object.keys(args)) {
    if (!known.has(k)) throw new Error(`unknown option '${k}'; known: ${[...known].join(', ')}`);
  }
  const full = 'full' in args && args.full !== 'false';
  const base = full || !isSoftware ? FULL : SOFTWARE;
  const notes: string[] = [];
  const int = (k: string, d: number): number => {
    if (!(k in args)) return d;
    const v = Number(args[k]);
    if (!Number.isInteger(v) || v < 0) throw new Error(`option ${k}: expected a non-negative integer, got '${args[k]}'`);
    return v;
  };
  const list = <T extends string>(k: string, all: readonly T[], d: readonly T[]): T[] => {
    if (!(k in args)) return [...d];
    const got = args[k]!.split(',').filter(Boolean);
    for (const g of got) if (!all.includes(g as T)) throw new Error(`option ${k}: unknown '${g}'; known: ${all.join(', ')}`);
    return got as T[];
  };
  let sizes = base.sizes;
  if ('sizes' in args) {
    sizes = args.sizes!.split(',').map((s) => {
      const v = Number(s);
      if (!Number.isInteger(v) || v < 1) throw new Error(`option sizes: '${s}' is not a positive integer`);
      return v;
    });
  }
  const data = (args.data ?? base.data) as EpochData;
  if (data !== 'mnist' && data !== 'synthetic') throw new Error(`option data: 'mnist' or 'synthetic', got '${args.data}'`);
  const ours = (args.ours ?? 'webgpu') as BenchOptions['ours'];
  if (ours !== 'webgpu' && ours !== 'cpu') throw new Error(`option ours: 'webgpu' or 'cpu', got '${args.ours}'`);
  const opts: BenchOptions = {
    sizes,
    batch: int('batch', base.batch),
    epochSamples: int('epoch', base.epochSamples),
    sweepEpochs: int('sweep-epochs', base.sweepEpochs),
    reps: Math.max(1, int('reps', base.reps)),
    longReps: Math.max(1, int('long-reps', base.longReps)),
    warmup: int('warmup', base.warmup),
    minSampleMs: int('min-sample-ms', base.minSampleMs),
    maxInner: Math.max(1, int('max-inner', base.maxInner)),
    groups: list<Group>('groups', GROUPS, GROUPS),
    contenders: list<ContenderKey>('contenders', CONTENDERS, DEFAULT_CONTENDERS),
    data,
    ours,
    full,
  };
  if (isSoftware && !full) {
    notes.push(
      `Software adapter: matmul sizes capped at ${Math.max(...opts.sizes)} (the full list ${FULL.sizes.join(', ')} runs on a real GPU, or with \`--full\`), ` +
        `the "epoch" is its first ${opts.epochSamples} samples, the Iris runs ${opts.sweepEpochs} epoch${opts.sweepEpochs === 1 ? '' : 's'}, ${opts.reps} samples per workload. ` +
        'The three run on the same CPU-emulated adapter, so their ratios compare the implementations there; they say nothing of a real GPU.',
    );
  }
  if (ours === 'cpu') notes.push('"ours" is the float64 CPU reference here (ours=cpu): a check of the harness, not the engine.');
  return { opts, notes };
}

export interface SuiteResult {
  /** "Node 20.20.2 (Dawn)" or "Chromium 156 (…)" */
  environment: string;
  adapterName: string;
  isSoftware: boolean;
  date: string;
  command: string;
  opts: BenchOptions;
  notes: string[];
  results: WorkloadResult[];
}

export async function makeContenders(shared: SharedDevice, opts: BenchOptions, log: (s: string) => void): Promise<Contender[]> {
  const out: Contender[] = [];
  // one engine backend on the shared device, whichever "ours" columns use it
  let engine: { be: Backend; owned: boolean } | null = null;
  const ourBackend = async (): Promise<Backend> => {
    engine ??= { be: opts.ours === 'cpu' ? createCpuBackend() : await createWebGPUBackend(shared.gpu), owned: false };
    return engine.be;
  };
  for (const key of opts.contenders) {
    try {
      if (key === 'ours' || key === 'ours-tiled' || key === 'ours-registers') {
        const be = await ourBackend();
        // the first "ours" column releases the backend (and the shared device) when destroyed
        const owner = !engine!.owned;
        engine!.owned = true;
        const variant = key === 'ours' ? undefined : key === 'ours-tiled' ? 'tiled' : 'registers';
        out.push(new OursContender(be, { key, variant, owner }));
      } else if (key === 'tfjs') {
        out.push(await createTfjsContender(shared));
      } else {
        out.push(await createJaxContender(shared));
      }
    } catch (e) {
      log(`! ${key} could not start: ${e instanceof Error ? e.message : String(e)}`);
      out.push({
        key,
        name: key,
        unsupported: () => `could not start: ${e instanceof Error ? e.message : String(e)}`,
        prepare: () => Promise.reject(new Error('not started')),
        destroy: () => {},
      });
    }
  }
  return out;
}

/** loads the first `samples` MNIST training images for the epoch workload (the same for every contender) */
async function loadEpochImages(samples: number, fetcher: DataFetcher | undefined, log: (s: string) => void): Promise<string> {
  const t0 = performance.now();
  let train;
  try {
    ({ train } = await loadDataset('mnist', fetcher ? { fetcher } : {}));
  } catch (e) {
    throw new Error(
      `the MNIST epoch needs MNIST's files (public/data, made by scripts/prepare-data.mjs), or --data=synthetic: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (train.task !== 'classification') throw new Error('MNIST: expected a classification dataset');
  const n = Math.min(samples, train.shape[0]!);
  const images = train.features.slice(0, n * 784);
  const labels = oneHot(train.labels.subarray(0, n), 10);
  setEpochImages(images, labels);
  log(`MNIST: ${n} training images loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${train.source})`);
  return train.source;
}

export async function runSuite(
  shared: SharedDevice,
  opts: BenchOptions,
  meta: { environment: string; command: string; notes: string[]; fetcher?: DataFetcher },
  log: (s: string) => void,
): Promise<SuiteResult> {
  log(`adapter: ${shared.adapterName}${shared.isSoftware ? ' (software adapter)' : ''}`);
  log(`environment: ${meta.environment}`);
  if (opts.groups.includes('lenet') && opts.data === 'mnist') {
    const source = await loadEpochImages(opts.epochSamples, meta.fetcher, log);
    meta.notes.push(`The MNIST epoch trains on the first ${opts.epochSamples} training images of MNIST (${source}).`);
  }
  for (const n of meta.notes) log(`note: ${n}`);
  const contenders = await makeContenders(shared, opts, log);
  log(`contenders: ${contenders.map((c) => c.name).join(', ')}  (one shared device, interleaved)`);
  const suite = buildSuite(opts);
  const results: WorkloadResult[] = [];
  for (const w of suite) {
    const t0 = performance.now();
    const r = await runWorkload(w, contenders, { ...opts, log });
    results.push(r);
    for (const line of summaryLines(r)) log(line);
    log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  // ours last: its destroy() releases the shared device
  for (const c of [...contenders].reverse()) c.destroy();
  return {
    environment: meta.environment,
    adapterName: shared.adapterName,
    isSoftware: shared.isSoftware,
    date: new Date().toISOString().slice(0, 10),
    command: meta.command,
    opts,
    notes: meta.notes,
    results,
  };
}
