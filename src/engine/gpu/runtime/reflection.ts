// What the WGSL declares, read at build time: for every kernel of shaders/ (and its
// subgroup variant), composed exactly as the page composes it, the bindings of each entry
// point and the byte layout of each uniform struct. scripts/wgsl-reflection.ts computes it
// with webgpu-utils (makeShaderDataDefinitions, makeBindGroupLayoutDescriptors) and serves
// it as the module 'virtual:wgsl-reflection', so the page ships the data, not the parser.

import REFLECTIONS from 'virtual:wgsl-reflection';
import { variantKey } from '../compose';

/** one field of a uniform struct: its byte offset and WGSL type ('u32', 'f32', 'vec4f', 'mat3x3<f32>', …) */
export interface UniformField {
  offset: number;
  type: string;
}

/** a buffer the module declares: its @binding (in @group(0)) and its layout entry's `buffer` */
export interface BufferReflection {
  binding: number;
  /**
   * { type: 'storage' } (read_write), { type: 'read-only-storage' }, { minBindingSize }
   * (a uniform); absent for a storage no entry point binds
   */
  buffer?: GPUBufferBindingLayout;
}

/** a `var<uniform>` (a struct): the struct's size in bytes and its fields by name */
export interface UniformReflection extends BufferReflection {
  buffer: GPUBufferBindingLayout;
  size: number;
  fields: Record<string, UniformField>;
}

/** one composed shader module */
export interface ModuleReflection {
  /** every `var<storage>` the module declares, used by an entry point or not */
  storages: Record<string, BufferReflection>;
  /** every `var<uniform>` an entry point binds */
  uniforms: Record<string, UniformReflection>;
  /** each compute entry point → the variables it binds (storages and at most one uniform) */
  entryPoints: Record<string, string[]>;
}

/** variantKey(shader, subgroups) → its module; a subgroup variant is listed only where it differs from the plain one */
export type ShaderReflections = Record<string, ModuleReflection>;

/**
 * The reflection of a composed shader: its subgroup variant where that differs (the shader
 * uses group_sum or block_sum and the two bind differently), else the plain one.
 */
export function moduleReflection(name: string, subgroups: boolean): ModuleReflection {
  const r = (subgroups ? REFLECTIONS[variantKey(name, true)] : undefined) ?? REFLECTIONS[name];
  if (!r) throw new Error(`shaders/${name}.wgsl has no compute entry points reflected at build time (a helper file, or a file the build did not see)`);
  return r;
}

/**
 * The bind group layout entries of an entry point, sorted by binding: what
 * makeBindGroupLayoutDescriptors(defs, { compute: { entryPoint } })[0].entries gives.
 */
export function layoutEntries(m: ModuleReflection, names: readonly string[]): GPUBindGroupLayoutEntry[] {
  return names
    .map((n) => m.uniforms[n] ?? m.storages[n]!)
    .map(({ binding, buffer }) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer }))
    .sort((a, b) => a.binding - b.binding);
}
