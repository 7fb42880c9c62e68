// The first example of docs/nn-api.md and of the README runs as written: its code block is taken from the
// document, its imports are bound to the real modules, and it must train (loss falls,
// accuracy high) and round-trip through save/load without throwing.
//
// The README's Node recipe (its second example, WebGPU through Dawn) runs as written in a
// Node process of its own, with no test setup: its imports, in the documented order (the
// GPU backend before Dawn is loaded), must work on the Node that runs the tests (20 here,
// which has no Float16Array), and it must learn XOR and return dL/dX.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as cpuBackend from '../src/engine/cpu/reference-backend';
import * as random from '../src/engine/random';
import * as nn from '../src/nn';

const MODULES: Record<string, Record<string, unknown>> = {
  '../src/engine/cpu/reference-backend': cpuBackend,
  '../src/engine/random': random,
  '../src/nn': nn,
  './src/engine/cpu/reference-backend': cpuBackend,
  './src/engine/random': random,
  './src/nn': nn,
};

it.each(['docs/nn-api.md', 'README.md'])('the first example of %s runs and trains', async (file) => {
  const doc = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(block, `a \`\`\`ts block in ${file}`).toBeTruthy();
  // bind `import { a, b } from 'module'` to the real modules
  const scope: Record<string, unknown> = {};
  const body = block!.replace(/^import \{([^}]+)\} from '([^']+)';\n/gm, (_all, names: string, from: string) => {
    const mod = MODULES[from];
    if (!mod) throw new Error(`the example imports '${from}', which this test does not provide`);
    for (const n of names.split(',').map((s) => s.trim())) {
      expect(mod[n], `'${n}' exported by ${from}`).toBeDefined();
      scope[n] = mod[n];
    }
    return '';
  });
  expect(body).not.toMatch(/^import /m);
  const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const lines: string[] = [];
  const log = (...a: unknown[]) => lines.push(a.join(' '));
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const run = new AsyncFunction(...Object.keys(scope), 'console', js);
  await run(...Object.values(scope), { log });
  const out = lines.join('\n');
  const losses = [...out.matchAll(/step \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
  expect(losses.length, out).toBe(3);
  expect(losses[2]!, out).toBeLessThan(losses[0]! / 4);
  const acc = Number(/accuracy ([\d.]+)/.exec(out)?.[1]);
  expect(acc, out).toBeGreaterThan(0.9);
  expect(out).toContain('first layer W has shape (2, 16)');
  expect(out).toContain('reloaded model: 2 layers, lr 0.5');
});

it("the README's Node recipe runs as written in a fresh Node process (GPU backend imported before Dawn)", async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const doc = readFileSync(join(root, 'README.md'), 'utf8');
  const block = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("from './src/engine/gpu/webgpu-backend'"));
  expect(block, 'a ```ts block in README.md that imports ./src/engine/gpu/webgpu-backend').toBeTruthy();
  const imports = [...block!.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  expect(imports.indexOf('./src/engine/gpu/webgpu-backend'), 'the GPU backend is imported before Dawn').toBeLessThan(imports.indexOf('./src/engine/gpu/node'));
  // the block verbatim, its './src/…' imports bound to this checkout
  const dir = mkdtempSync(join(tmpdir(), 'readme-node-'));
  const file = join(dir, 'recipe.ts');
  writeFileSync(file, block!.replaceAll("from './src/", `from '${join(root, 'src')}/`));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'node_modules/vite-node/dist/cli.mjs'), '--root', root, file], {
      cwd: root,
      env: process.env,
      timeout: 90_000,
    });
    expect(stdout).toMatch(/^adapter: \S/m);
    const p = /predictions: ([\d. ]+)/.exec(stdout)?.[1]?.trim().split(' ').map(Number);
    expect(p?.map(Math.round), stdout).toEqual([0, 1, 1, 0]);
    expect(stdout).toContain('dL/dX has shape (4, 2)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
