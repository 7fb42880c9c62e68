// docs/benchmarks.md: a fixed introduction, then one section per environment (Node with
// Dawn, Chromium), each between markers so a run replaces its own section only.

import { fmtFlops, fmtGflops, fmtMs, ratio, type ContenderResult, type WorkloadResult } from './harness';
import type { SuiteResult } from './suite';

export type SectionKey = 'node' | 'chromium';

/** a hand-written block (analysis of the figures) that every run keeps as it is */
const NOTES = 'notes';

const INTRO = `# Benchmarks

The same workloads on our engine and on two peers — TensorFlow.js with its WebGPU backend
and jax-js on WebGPU — in one process, on one adapter and one shared \`GPUDevice\`,
interleaved (ours, TF.js, jax-js, ours, …). Produced by \`npm run bench\`
(\`bench/run-node.ts\` in Node with Dawn, \`bench/run-browser.mjs\` in Chromium); every table
below is rewritten by those runs.

Method (bench/harness.ts):

- Every contender gets the same seeded operands in the engine's layout (NHWC, HWIO
  kernels); jax-js's NCHW/OIHW copies are made on the host before timing.
- Before timing, each contender runs the workload once from the same initial state and
  its result is compared with the first contender's, |x − ref| ≤ atol + rtol·|ref|
  (⚠ marks a disagreement, listed under the table).
- Warm-up runs, then N samples, interleaved. A sample is one run (or, for short
  workloads on a fast GPU, several runs) followed by a wait until the GPU has finished:
  ours \`backend.sync()\`; TF.js \`submitQueue()\` then \`queue.onSubmittedWorkDone()\`;
  jax-js its kernels dispatched (\`gpuBuffer()\`), then \`queue.onSubmittedWorkDone()\`.
  No read-back is timed, except where the workload itself reads (the loss at the end
  of an epoch, loss and accuracy at the end of each Iris run).
- Time = median of the samples; GFLOP/s = FLOPs ÷ time, with FLOPs = 2·M·N·K for a
  product, 2·m·oh·ow·F·kh·kw·C for a convolution, and for training the sum over the
  forward products and the backward dW and dX products (pooling, activations and
  updates not counted).
- ours ÷ peer = peer time ÷ our time: above 1, ours is faster.
- Our training workloads run the nn package's \`NeuralNetwork\` (\`trainStep\`), as the
  notebook does; the products and convolutions call the Backend directly.
- Our column names the matrix-product kernel that ran (\`backend.tuning.matmul\`, set from
  the adapter): \`tiled\` (workgroup-memory tiles, for GPUs) or \`registers\` (a 4×4
  register block per invocation, no workgroup memory: software adapters). The columns
  \`ours-tiled\` / \`ours-registers\` (\`--contenders=…\`) force one kernel on the same backend.
- In the browser, \`performance.now()\` is coarsened (0.1 ms without cross-origin
  isolation): sub-millisecond figures there are quantized.
- A figure stands only beside its adapter's name; figures from different machines are
  never compared. On a software adapter (SwiftShader runs on the CPU) the sizes are
  capped and the figures check the harness, not speed.

Workloads: fp32 matmul, square sizes and the products LeNet and the Iris net run;
LeNet's two convolutions forward and backward at batch 64; a LeNet training step
(conv 5×5×6 same + relu, maxpool 2×2/2, conv 5×5×16 valid + relu, maxpool, fc 120 relu,
fc 84 relu, fc 10, softmax–cross-entropy, SGD); an MNIST epoch at batch 64 (the real
MNIST training images from public/data, uploaded batch by batch; \`--data=synthetic\`:
random images of MNIST's shape); a 3 × 3 Iris sweep (learning rate × hidden size,
4 → h → 3 net, SGD, batch 30).
`;

function marker(key: SectionKey | typeof NOTES, end: boolean): string {
  return `<!-- bench:${key}:${end ? 'end' : 'start'} -->`;
}

const GROUP_TITLES: Record<string, string> = {
  matmul: 'Matrix multiplication, fp32',
  conv: "Convolution at LeNet's shapes",
  lenet: 'LeNet training',
  iris: 'Iris sweep',
};

/** "TF.js", "jax-js", "ours-tiled": the ratio columns' titles */
function shortName(c: { key: string; name: string }): string {
  return c.key.startsWith('ours') ? c.key : c.name.split(' ')[0]!;
}

function cell(r: ContenderResult): string {
  if (!Number.isFinite(r.ms)) return r.skipped ? `— (${r.skipped.replace(/\|/g, '/').slice(0, 60)})` : '—';
  const warn = r.check && !r.check.ok ? ' ⚠' : '';
  return `${fmtMs(r.ms)} · ${fmtGflops(r.gflops)}${warn}`;
}

export function sectionMarkdown(key: SectionKey, s: SuiteResult): string {
  const lines: string[] = [];
  lines.push(marker(key, false));
  lines.push(`## ${s.environment}`);
  lines.push('');
  lines.push(`Adapter: **${s.adapterName}**${s.isSoftware ? ' (software adapter)' : ''}. Run ${s.date} with \`${s.command}\`.`);
  const o = s.opts;
  lines.push(
    `Samples per workload: ${o.reps} (long workloads ${o.longReps}), warm-up runs: ${o.warmup}. ` +
      'Cells: median time · GFLOP/s.',
  );
  for (const n of s.notes) lines.push('', `> ${n}`);
  const names = s.results[0]?.results.map((r) => ({ key: r.key, name: r.name })) ?? [];
  const peers = names.filter((n) => n.key !== 'ours');
  const hasOurs = names.some((n) => n.key === 'ours');
  const problems: string[] = [];
  for (const group of ['matmul', 'conv', 'lenet', 'iris']) {
    const rows = s.results.filter((r) => r.workload.group === group);
    if (rows.length === 0) continue;
    lines.push('', `### ${GROUP_TITLES[group]}`, '');
    const head = ['workload', 'FLOP', ...names.map((n) => n.name), ...(hasOurs ? peers.map((p) => `ours ÷ ${shortName(p)}`) : [])];
    lines.push(`| ${head.join(' | ')} |`);
    lines.push(`| ${head.map((_, i) => (i < 1 ? '---' : '---:')).join(' | ')} |`);
    for (const r of rows) lines.push(row(r, peers.map((p) => p.key), hasOurs, problems));
  }
  if (problems.length) {
    lines.push('', 'Disagreements and failures:', '');
    for (const p of problems) lines.push(`- ${p}`);
  }
  lines.push('', marker(key, true));
  return lines.join('\n');
}

function row(r: WorkloadResult, peerKeys: string[], hasOurs: boolean, problems: string[]): string {
  const ours = r.results.find((x) => x.key === 'ours');
  const cells = [r.workload.title.replace(/\|/g, '/'), fmtFlops(r.flops)];
  for (const x of r.results) {
    cells.push(cell(x));
    if (x.check && !x.check.ok) problems.push(`${r.workload.title}: ${x.name} vs ${x.check.ref}: ${x.check.detail}`);
    if (x.skipped) problems.push(`${r.workload.title}: ${x.name}: ${x.skipped}`);
  }
  if (hasOurs) {
    for (const k of peerKeys) {
      const p = r.results.find((x) => x.key === k);
      cells.push(p ? ratio(ours, p) : '—');
    }
  }
  return `| ${cells.join(' | ')} |`;
}

/** the whole file with `key`'s section replaced (or added), other sections and the notes block kept */
export function mergeDoc(existing: string | null, key: SectionKey, section: string): string {
  const sections: Record<SectionKey | typeof NOTES, string | null> = { notes: null, node: null, chromium: null };
  if (existing) {
    for (const k of Object.keys(sections) as (SectionKey | typeof NOTES)[]) {
      const a = existing.indexOf(marker(k, false));
      const b = existing.indexOf(marker(k, true));
      if (a >= 0 && b > a) sections[k] = existing.slice(a, b + marker(k, true).length);
    }
  }
  sections[key] = section;
  const body = (['node', 'chromium'] as SectionKey[])
    .map((k) => sections[k] ?? `${marker(k, false)}\n## ${k === 'node' ? 'Node (Dawn)' : 'Chromium'}\n\nNot run yet.\n${marker(k, true)}`)
    .join('\n\n');
  return `${INTRO}\n${sections.notes ? `${sections.notes}\n\n` : ''}${body}\n`;
}
