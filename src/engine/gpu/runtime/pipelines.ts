// Compiled kernels: one shader module per WGSL file (composed with its helpers), one
// pipeline per file + entry point + override constants, its bindings as the WGSL declares
// them (reflected when the code is built: reflection.ts), compiled once and cached.

import { composeShader, type ShaderName } from '../shaders';
import { layoutEntries, moduleReflection, type ModuleReflection } from './reflection';
import { UniformWriter } from './uniforms';

/** A compute kernel: a WGSL file of shaders/, one of its entry points, override constants. */
export interface Kernel {
  shader: ShaderName;
  entry: string;
  constants?: Readonly<Record<string, number | boolean>>;
  /** compile with the _subgroups files of the group-sum helpers (shaders that call group_sum or block_sum) */
  subgroups?: boolean;
}

interface ShaderModuleInfo {
  module: GPUShaderModule;
  reflection: ModuleReflection;
  source: string;
}

export interface UniformSlotInfo {
  name: string;
  binding: number;
  /** packs a dispatch's params by the struct's layout */
  writer: UniformWriter;
}

export interface CompiledKernel {
  id: number;
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** storage bindings the entry point uses, by binding number */
  storages: { name: string; binding: number; writable: boolean }[];
  uniform: UniformSlotInfo | null;
  /** storage variables the shader declares (entry point or not) */
  declared: Set<string>;
  workgroupSize: [number, number, number];
}

function kernelKey(k: Kernel): string {
  let key = `${k.shader}${k.subgroups ? '+subgroups' : ''}:${k.entry}`;
  if (k.constants) {
    const names = Object.keys(k.constants).sort();
    for (const n of names) key += `|${n}=${Number(k.constants[n])}`;
  }
  return key;
}

/** Reads @workgroup_size(…) of an entry point; identifiers resolve to override constants. */
function parseWorkgroupSize(
  source: string,
  entry: string,
  constants: Readonly<Record<string, number | boolean>> | undefined,
): [number, number, number] {
  const re = new RegExp(`@workgroup_size\\(([^)]*)\\)\\s*fn\\s+${entry}\\b`);
  const m = re.exec(source);
  if (!m) throw new Error(`entry point '${entry}': no @compute @workgroup_size(...) fn ${entry} found`);
  const dims = m[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((tok) => {
      const lit = /^(\d+)[ui]?$/.exec(tok);
      if (lit) return Number(lit[1]);
      if (constants && tok in constants) return Number(constants[tok]);
      const ov = new RegExp(`override\\s+${tok}\\s*(?::\\s*\\w+)?\\s*=\\s*(\\d+)[ui]?\\s*;`).exec(source);
      if (ov) return Number(ov[1]);
      const cst = new RegExp(`const\\s+${tok}\\s*(?::\\s*\\w+)?\\s*=\\s*(\\d+)[ui]?\\s*;`).exec(source);
      if (cst) return Number(cst[1]);
      throw new Error(`entry point '${entry}': cannot resolve workgroup size '${tok}'`);
    });
  return [dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1];
}

export interface PipelineOptions {
  /** prefix of every GPU object's label */
  label: string;
  /** the device has the 'subgroups' feature */
  hasSubgroups: boolean;
  /** log the WGSL of each pipeline when it is compiled */
  dump: boolean;
}

/** The shader-module and pipeline caches of one device. */
export class PipelineCache {
  private modules = new Map<string, ShaderModuleInfo>();
  private kernels = new Map<string, CompiledKernel>();
  private nextKernelId = 1;

  constructor(
    private device: GPUDevice,
    private opts: PipelineOptions,
  ) {}

  private get dumpEnabled(): boolean {
    return this.opts.dump || (globalThis as { BACKPROP_DUMP_WGSL?: boolean }).BACKPROP_DUMP_WGSL === true;
  }

  private shaderModule(name: ShaderName, subgroups: boolean): ShaderModuleInfo {
    const key = subgroups ? `${name}+subgroups` : name;
    let info = this.modules.get(key);
    if (!info) {
      if (subgroups && !this.opts.hasSubgroups) throw new Error(`${name}: a subgroup variant needs a device with the 'subgroups' feature`);
      const source = composeShader(name, subgroups);
      const reflection = moduleReflection(name, subgroups);
      const module = this.device.createShaderModule({ label: `${this.opts.label}:${key}.wgsl`, code: source });
      info = { module, reflection, source };
      this.modules.set(key, info);
    }
    return info;
  }

  /** The compiled pipeline of a kernel (compiled once per shader + entry + constants). */
  compile(k: Kernel): CompiledKernel {
    const key = kernelKey(k);
    const cached = this.kernels.get(key);
    if (cached) return cached;

    const label = this.opts.label;
    const mod = this.shaderModule(k.shader, k.subgroups === true);
    const names = mod.reflection.entryPoints[k.entry];
    if (!names) {
      throw new Error(`shader '${k.shader}' has no entry point '${k.entry}'; it has: ${Object.keys(mod.reflection.entryPoints).join(', ')}`);
    }
    const layout = this.device.createBindGroupLayout({ entries: layoutEntries(mod.reflection, names), label: `${label}:${key} layout` });

    // the reflection holds buffers of @group(0) only, at most one uniform struct per entry point
    const storages: { name: string; binding: number; writable: boolean }[] = [];
    let uniform: UniformSlotInfo | null = null;
    for (const name of names) {
      const u = mod.reflection.uniforms[name];
      if (u) {
        uniform = { name, binding: u.binding, writer: new UniformWriter(key, name, u.size, u.fields) };
      } else {
        const s = mod.reflection.storages[name]!;
        storages.push({ name, binding: s.binding, writable: s.buffer?.type === 'storage' });
      }
    }
    storages.sort((a, b) => a.binding - b.binding);

    const constants: Record<string, number> = {};
    for (const [n, v] of Object.entries(k.constants ?? {})) constants[n] = Number(v);
    if (this.dumpEnabled) {
      console.log(`[wgsl] compiling ${key}\n${mod.source}`);
    }
    const pipeline = this.device.createComputePipeline({
      label: `${label}:${key}`,
      layout: this.device.createPipelineLayout({ label: `${label}:${key} pipeline layout`, bindGroupLayouts: [layout] }),
      compute: { module: mod.module, entryPoint: k.entry, constants },
    });
    const compiled: CompiledKernel = {
      id: this.nextKernelId++,
      key,
      pipeline,
      layout,
      storages,
      uniform,
      declared: new Set(Object.keys(mod.reflection.storages)),
      workgroupSize: parseWorkgroupSize(mod.source, k.entry, k.constants),
    };
    this.kernels.set(key, compiled);
    return compiled;
  }
}
