// The benchmark in Node, on Dawn (the npm `webgpu` package):
//
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx vite-node bench/run-node.ts [-- options]
//
// Options (see resolveOptions in bench/suite.ts): --sizes=256,512 --reps=N --warmup=N
// --epoch=SAMPLES --sweep-epochs=N --groups=matmul,conv,lenet,iris
// --contenders=ours,ours-tiled,ours-registers,tfjs,jax --data=mnist|synthetic
// --ours=webgpu|cpu --full --out=docs/benchmarks.md --write=false
// Prints every figure with the adapter's name and rewrites the Node section of
// docs/benchmarks.md (unless --write=false).

import './node-polyfills';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetcherFromReadFile } from '../src/nn/data';
import { nodeGPU } from '../src/engine/gpu/node';
import { mergeDoc, sectionMarkdown } from './report';
import { openSharedDevice } from './shared-device';
import { resolveOptions, runSuite } from './suite';

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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    console.warn('[bench] VK_ICD_FILENAMES is not set; Dawn may find no adapter (here: /usr/lib/chromium/vk_swiftshader_icd.json)');
  }
  const shared = await openSharedDevice(await nodeGPU());
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
