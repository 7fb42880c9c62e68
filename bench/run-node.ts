// The benchmark in Node, on Dawn (the npm `webgpu` package):
//
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx vite-node bench/run-node.ts [-- options]
//
// Options (see resolveOptions in bench/suite.ts): --sizes=256,512 --reps=N --warmup=N
// --epoch=SAMPLES --sweep-epochs=N --groups=matmul,conv,lenet,iris
// --contenders=ours,ours-tiled,ours-registers,tfjs,jax --data=mnist|synthetic
// --ours=webgpu|cpu --full --out=docs/benchmarks.md --write=false
//   --json=FILE       also writes every figure as JSON (scripts/gpu-torch-baseline.py reads it)
//   --probe           prints the adapter's name and stops: exit 0 on a GPU, 3 on a software
//                     adapter unless --allow-software (the GPU run's first check)
// Prints every figure with the adapter's name and rewrites the Node section of
// docs/benchmarks.md (unless --write=false).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetcherFromReadFile } from '../src/nn/data';
import { nodeGPU } from '../src/engine/gpu/node';
import { mergeDoc, sectionMarkdown } from './report';
import { openSharedDevice } from './shared-device';
import { resolveOptions, runSuite, type SuiteResult } from './suite';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    if (a === '--') continue;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument '${a}'; options look like --reps=5`);
    out[m[1]!] = m[2] ?? 'true';
  }
  return out;
}

/** every figure by workload id and contender key: ms = median time of one run */
function jsonReport(r: SuiteResult) {
  return {
    adapter: r.adapterName,
    software: r.isSoftware,
    environment: r.environment,
    date: r.date,
    command: r.command,
    notes: r.notes,
    workloads: r.results.map((w) => ({
      id: w.workload.id,
      title: w.workload.title,
      flops: w.flops,
      contenders: w.results.map((c) => ({ key: c.key, name: c.name, ms: Number.isFinite(c.ms) ? c.ms : null, samples: c.samples, skipped: c.skipped ?? null, agrees: c.check ? c.check.ok : null })),
    })),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    console.warn('[bench] VK_ICD_FILENAMES is not set; Dawn may find no adapter (here: /usr/lib/chromium/vk_swiftshader_icd.json)');
  }
  // options of this entry point only (not the suite's)
  const json = args.json;
  const probe = 'probe' in args && args.probe !== 'false';
  const allowSoftware = 'allow-software' in args && args['allow-software'] !== 'false';
  for (const k of ['json', 'probe', 'allow-software']) delete args[k];
  const shared = await openSharedDevice(await nodeGPU());
  if (probe) {
    console.log(`adapter: ${shared.adapterName}${shared.isSoftware ? ' (software adapter)' : ''}`);
    shared.device.destroy();
    if (shared.isSoftware && !allowSoftware) {
      console.log('a software adapter: no GPU figures here (--allow-software to go on anyway, as a test of the run)');
      process.exit(3);
    }
    return;
  }
  const { opts, notes } = resolveOptions(args, shared.isSoftware);
  const shown = Object.entries(args)
    .filter(([k]) => k !== 'out' && k !== 'write')
    .map(([k, v]) => (v === 'true' ? `--${k}` : `--${k}=${v}`));
  const command = ['npx vite-node bench/run-node.ts', ...(shown.length ? ['--', ...shown] : [])].join(' ');
  // the data files scripts/prepare-data.mjs writes (as the notebook serves them)
  const fetcher = fetcherFromReadFile(async (p) => new Uint8Array(await readFile(join('public', 'data', p))));
  const result = await runSuite(shared, opts, { environment: `Node ${process.version}, Dawn (npm webgpu)`, command, notes, fetcher }, (s) =>
    console.log(s),
  );
  if (json) {
    writeFileSync(json, JSON.stringify(jsonReport(result), null, 1));
    console.log(`wrote ${json}`);
  }
  if (args.write !== 'false') {
    const out = args.out ?? 'docs/benchmarks.md';
    const old = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, mergeDoc(old, 'node', sectionMarkdown('node', result)));
    console.log(`wrote the Node section of ${out}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
