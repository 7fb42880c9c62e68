// What one dispatch binds: its workgroup grid, its storage tensors matched by their WGSL
// names, its uniform fields in a slot of the step's arena; bind groups cached by what
// they bind.

import { DeviceLimitError } from '../../errors';
import { bindingSize, type GpuTensor } from './tensor';
import type { CompiledKernel } from './pipelines';
import type { UniformArena } from './uniforms';

export interface DispatchArgs {
  /** storage bindings by their WGSL variable names */
  bind: Readonly<Record<string, GpuTensor>>;
  /** fields of the entry point's uniform struct, by WGSL field name (all of them) */
  params?: Readonly<Record<string, number | ArrayLike<number>>>;
  /**
   * Either the number of invocations (one per element, divided by the workgroup size
   * declared in the WGSL), or the number of workgroups: a count (split into a 2-D grid
   * above maxComputeWorkgroupsPerDimension; the WGSL linearizes with num_workgroups) or
   * an explicit [x, y, z] grid.
   */
  invocations?: number;
  groups?: number | readonly [number, number?, number?];
  /** shown in GPU debuggers */
  label?: string;
}

const BIND_GROUP_CACHE_MAX = 4096;

/** workgroups for a 1-D count, split into x·y ≥ count when above the per-dimension limit */
export function splitGroups(max: number, count: number, what: string): [number, number, number] {
  if (count <= max) return [count, 1, 1];
  const y = Math.ceil(count / max);
  if (y > max) {
    throw new DeviceLimitError(
      `${what}: ${count} workgroups do not fit a ${max}×${max} grid (maxComputeWorkgroupsPerDimension ${max})`,
    );
  }
  return [Math.ceil(count / y), y, 1];
}

/** The workgroup grid of a dispatch (max: maxComputeWorkgroupsPerDimension). */
export function workgroupGrid(c: CompiledKernel, args: DispatchArgs, max: number, label: string): [number, number, number] {
  if (args.invocations !== undefined) {
    const per = c.workgroupSize[0] * c.workgroupSize[1] * c.workgroupSize[2];
    return splitGroups(max, Math.ceil(args.invocations / per), label);
  }
  if (typeof args.groups === 'number') return splitGroups(max, args.groups, label);
  if (args.groups) {
    const grid: [number, number, number] = [args.groups[0], args.groups[1] ?? 1, args.groups[2] ?? 1];
    if (grid.some((g) => g > max)) {
      throw new DeviceLimitError(`${label}: workgroup grid ${grid.join('×')} exceeds maxComputeWorkgroupsPerDimension ${max}`);
    }
    return grid;
  }
  throw new Error(`${label}: dispatch needs 'invocations' or 'groups'`);
}

/** Bind groups of one device, built from a dispatch's arguments and cached by what they bind. */
export class BindGroupCache {
  private groups = new Map<string, GPUBindGroup>();

  constructor(
    private device: GPUDevice,
    private labelPrefix: string,
  ) {}

  /**
   * The bind group of a dispatch of `c` (kernel file `shader`): storage bindings and
   * uniform fields are matched by their WGSL names; a missing or unknown name throws.
   * The uniform values are written into a slot of `arena`.
   */
  bind(c: CompiledKernel, shader: string, args: DispatchArgs, arena: UniformArena, label: string): GPUBindGroup {
    for (const name in args.bind) {
      if (!c.declared.has(name)) {
        throw new Error(`${label}: shader '${shader}' declares no storage binding '${name}' (it has: ${[...c.declared].join(', ')})`);
      }
    }
    const entries: GPUBindGroupEntry[] = [];
    let cacheKey = `${c.id}`;
    for (let n = 0; n < c.storages.length; n++) {
      const s = c.storages[n]!;
      const t = args.bind[s.name];
      if (!t) throw new Error(`${label}: kernel ${c.key} needs a tensor bound to '${s.name}'`);
      if (t.disposed) throw new Error(`${label}: tensor '${t.label}' bound to '${s.name}' was disposed`);
      // WebGPU's rules for one buffer bound twice in a dispatch: read-only twice is fine;
      // read-only and writable is a usage conflict; writable twice only when the ranges
      // are disjoint (e.g. dW and db, two views of a gradient arena)
      for (let p = 0; p < n; p++) {
        const o = c.storages[p]!;
        const ot = args.bind[o.name]!;
        if (ot.storage !== t.storage || (!s.writable && !o.writable)) continue;
        const disjoint = ot.offset + bindingSize(ot) <= t.offset || t.offset + bindingSize(t) <= ot.offset;
        if (s.writable !== o.writable || !disjoint) {
          throw new Error(
            `${label}: one buffer ('${ot.label}', '${t.label}') is bound to both '${o.name}' and '${s.name}'` +
              (s.writable && o.writable ? ' with overlapping ranges, and the kernel writes both' : ', and the kernel writes one of them'),
          );
        }
      }
      const size = bindingSize(t);
      entries.push({ binding: s.binding, resource: { buffer: t.buffer, offset: t.offset, size } });
      cacheKey += `|${t.storage.id}@${t.offset}:${size}`;
    }
    // uniforms: one slot of this step's arena
    if (c.uniform) {
      const u = c.uniform;
      const bytes = u.writer.write(args.params, label);
      const { chunk, offset } = arena.alloc(bytes.length);
      chunk.bytes.set(bytes, offset);
      entries.push({ binding: u.binding, resource: { buffer: chunk.buffer, offset, size: bytes.length } });
      cacheKey += `|u${chunk.id}:${offset}`;
    }

    let bindGroup = this.groups.get(cacheKey);
    if (!bindGroup) {
      bindGroup = this.device.createBindGroup({ label: `${this.labelPrefix}:${label}`, layout: c.layout, entries });
      if (this.groups.size >= BIND_GROUP_CACHE_MAX) {
        const oldest = this.groups.keys().next().value;
        if (oldest !== undefined) this.groups.delete(oldest);
      }
      this.groups.set(cacheKey, bindGroup);
    }
    return bindGroup;
  }

  clear(): void {
    this.groups.clear();
  }
}
