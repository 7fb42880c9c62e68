// One ES module of the Node benchmark with every import inlined (engine, shaders, TF.js,
// jax-js, datasets), for a GPU machine that has no node_modules (docs: GPU-MACHINE notes):
//
//   node bench/bundle.mjs            → out/bench/bench-node.mjs
//
// The one native piece, Dawn's dawn.node (node_modules/webgpu/dist/linux-x64/dawn.node),
// travels beside the bundle: the `webgpu` package is replaced by a loader that takes
// $DAWN_NODE, else dawn.node next to the bundle. On the GPU machine:
//
//   DAWN_NODE=/path/dawn.node node bench-node.mjs --write=false [--full …]
//
// (add VK_DRIVER_FILES=…/nvidia_icd.json if Dawn finds no adapter). The bundle takes the
// same options as bench/run-node.ts and prints the same report; --out=FILE writes the
// markdown section.

import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, 'out/bench');
const FILE = 'bench-node.mjs';

const DAWN_LOADER = `
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const require = createRequire(import.meta.url);
const beside = fileURLToPath(new URL('./dawn.node', import.meta.url));
const path = process.env.DAWN_NODE || beside;
if (!existsSync(path)) {
  throw new Error('dawn.node not found at ' + path + ': set DAWN_NODE to node_modules/webgpu/dist/<platform>-<arch>/dawn.node');
}
const { create, globals } = require(path);
export { create, globals };
`;

/** `import … from 'webgpu'` → the loader above */
const dawnLoader = {
  name: 'bench-dawn-loader',
  enforce: 'pre',
  resolveId(id) {
    return id === 'webgpu' ? '\0bench-dawn-loader' : null;
  },
  load(id) {
    return id === '\0bench-dawn-loader' ? DAWN_LOADER : null;
  },
};

await build({
  root,
  // the project's plugins: the engine reads 'virtual:wgsl-reflection' (the WGSL's bindings)
  configFile: resolve(root, 'vite.config.ts'),
  publicDir: false,
  logLevel: 'warn',
  plugins: [dawnLoader],
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: resolve(root, 'bench/run-node.ts'),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      output: { format: 'es', entryFileNames: FILE, codeSplitting: false },
    },
  },
});

const bundle = resolve(outDir, FILE);
const dawn = resolve(root, `node_modules/webgpu/dist/${process.platform}-${process.arch}/dawn.node`);
mkdirSync(outDir, { recursive: true });
if (existsSync(dawn)) copyFileSync(dawn, resolve(outDir, 'dawn.node'));
const mb = (p) => (statSync(p).size / 2 ** 20).toFixed(1);
console.log(`bundle: ${bundle} (${mb(bundle)} MiB)`);
if (existsSync(dawn)) console.log(`dawn.node beside it: ${resolve(outDir, 'dawn.node')} (${mb(dawn)} MiB)`);
console.log(`run: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node ${bundle} --write=false`);
