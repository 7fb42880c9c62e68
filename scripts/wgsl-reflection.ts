// The WGSL reflection, done when the code is built instead of in the page: a Vite plugin
// serving 'virtual:wgsl-reflection' (its shape: src/engine/gpu/runtime/reflection.ts).
//
// For every kernel file of shaders/ it composes the module exactly as the page does
// (src/engine/gpu/compose.ts, over the same files), plain and with subgroups, and records what webgpu-utils reads from it: per entry point the
// bindings it uses and makeBindGroupLayoutDescriptors' layouts; per module its storage
// variables and the byte layout of its uniform structs. webgpu-utils (and its WGSL parser)
// thus runs here, in Node, and never ships. The module is computed afresh by every build
// and test run, and the dev server recomputes it when a .wgsl file changes, appears or goes.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizePath, type Plugin } from 'vite';
import { shaderBaseName, shaderComposer, variantKey, type ShaderRegistry } from '../src/engine/gpu/compose.js';
import type { IntrinsicDefinition, StructDefinition, VariableDefinition } from 'webgpu-utils';
import type { BufferReflection, ModuleReflection, ShaderReflections, UniformReflection } from '../src/engine/gpu/runtime/reflection';

export const VIRTUAL_ID = 'virtual:wgsl-reflection';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;

export const SHADERS_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../shaders');

type WebgpuUtils = typeof import('webgpu-utils');
let library: Promise<WebgpuUtils> | undefined;

/**
 * webgpu-utils, loaded once. In Node it needs two globals the browser has:
 * Float16Array (named when the module loads; Node 20 lacks it) and GPUShaderStage (its
 * entry points' stage flags, the WebGPU constants).
 */
export function loadWebgpuUtils(): Promise<WebgpuUtils> {
  library ??= (async () => {
    const g = globalThis as { Float16Array?: unknown; GPUShaderStage?: unknown };
    if (g.Float16Array === undefined) g.Float16Array = (await import('@petamoriken/float16')).Float16Array;
    g.GPUShaderStage ??= { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 };
    return import('webgpu-utils');
  })();
  return library;
}

/** the .wgsl files of shaders/ and shaders/lib/, as the page's registry globs them */
export function shaderFiles(dir = SHADERS_DIR): string[] {
  const wgsl = (d: string) => readdirSync(d).filter((f) => f.endsWith('.wgsl')).map((f) => join(d, f));
  return [...wgsl(dir), ...wgsl(join(dir, 'lib'))];
}

/** name → source of those files (the page imports the same files as text) */
export function readShaders(files: string[]): ShaderRegistry {
  return Object.fromEntries(files.map((f) => [shaderBaseName(f.replaceAll('\\', '/')), readFileSync(f, 'utf8')]));
}

/**
 * The reflection of one WGSL module (`where` names it in errors). Throws where the engine
 * could not bind an entry point: a binding outside @group(0), one that is not a buffer, a
 * uniform that is not a struct of scalars, vectors and matrices, two uniforms in one entry.
 */
export function reflectModule(wu: WebgpuUtils, code: string, where: string): ModuleReflection {
  const defs = wu.makeShaderDataDefinitions(code);
  const m: ModuleReflection = { storages: {}, uniforms: {}, entryPoints: {} };
  for (const [entry, ep] of Object.entries(defs.entryPoints)) {
    const names: string[] = [];
    for (const r of ep.resources) {
      const at = `${where}: entry point '${entry}' binds '${r.name}'`;
      if (r.group !== 0) throw new Error(`${at} in @group(${r.group}); only @group(0) bindings are supported`);
      const { binding, buffer } = r.entry;
      if (!buffer) throw new Error(`${at}, which is not a buffer; only buffers are supported`);
      if (r.name in defs.uniforms) {
        const other = names.find((n) => n in m.uniforms);
        if (other) throw new Error(`${at}: at most one uniform struct per entry point (found '${other}' and '${r.name}')`);
        m.uniforms[r.name] ??= uniformStruct(defs.uniforms[r.name]!, { binding, buffer }, `${where}: uniform '${r.name}'`);
      } else {
        m.storages[r.name] ??= { binding, buffer };
      }
      names.push(r.name);
    }
    m.entryPoints[entry] = names;
  }
  // storages no entry point binds: declared all the same (a dispatch may name them), no layout
  for (const [name, v] of Object.entries(defs.storages)) m.storages[name] ??= { binding: v.binding };
  return m;
}

function uniformStruct(v: VariableDefinition, layout: Required<BufferReflection>, where: string): UniformReflection {
  const fields = (v.typeDefinition as Partial<StructDefinition>).fields;
  if (!fields) throw new Error(`${where} is not a struct; the engine binds uniform structs`);
  return {
    ...layout,
    size: v.size,
    fields: Object.fromEntries(
      Object.entries(fields).map(([f, d]) => {
        const type = (d.type as Partial<IntrinsicDefinition>).type;
        if (typeof type !== 'string') throw new Error(`${where}: field '${f}' is an array or a struct; uniform fields are scalars, vectors and matrices`);
        return [f, { offset: d.offset, type }];
      }),
    ),
  };
}

/**
 * Every kernel of a registry (the files outside lib/), composed as the page composes it:
 * variantKey(name, false) → its reflection, and variantKey(name, true) → that of its
 * subgroup variant where it differs (the page falls back to the plain one).
 */
export async function reflectShaders(shaders: ShaderRegistry): Promise<ShaderReflections> {
  const wu = await loadWebgpuUtils();
  const { shaderNames, composeShader } = shaderComposer(shaders);
  const out: ShaderReflections = {};
  for (const name of shaderNames().filter((n) => !n.startsWith('lib/'))) {
    const plain = reflectModule(wu, composeShader(name, false), `shaders/${name}.wgsl`);
    const sub = reflectModule(wu, composeShader(name, true), `shaders/${name}.wgsl (with subgroups)`);
    out[variantKey(name, false)] = plain;
    if (JSON.stringify(sub) !== JSON.stringify(plain)) out[variantKey(name, true)] = sub;
  }
  return out;
}

/** The Vite plugin: `import reflections from 'virtual:wgsl-reflection'`. */
export default function wgslReflection(dir = SHADERS_DIR): Plugin {
  const root = `${normalizePath(dir)}/`;
  const isShader = (file: string) => file.endsWith('.wgsl') && normalizePath(file).startsWith(root);
  return {
    name: 'wgsl-reflection',
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : null;
    },
    async load(id) {
      if (id !== RESOLVED_ID) return null;
      const files = shaderFiles(dir);
      for (const f of files) this.addWatchFile(f);
      const data = await reflectShaders(readShaders(files));
      return `export default ${JSON.stringify(data)};\n`;
    },
    // dev server: a .wgsl file changed, appeared or went → the module is computed again
    hotUpdate({ file, modules }) {
      if (!isShader(file)) return;
      const mod = this.environment.moduleGraph.getModuleById(RESOLVED_ID);
      if (!mod) return;
      this.environment.moduleGraph.invalidateModule(mod);
      return [...modules, mod];
    },
  };
}
