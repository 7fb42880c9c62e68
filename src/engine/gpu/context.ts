// The GPU plumbing every kernel family builds on, one object per device: tensors in
// pooled buffers, dispatches recorded into one command encoder per step, readback.
// Each job lives in runtime/:
//
//   runtime/device.ts     the device request, loss and reported errors
//   runtime/tensor.ts     GpuTensor: elements of a pooled buffer, from a byte offset
//   runtime/tensors.ts    making, filling, viewing and releasing tensors
//   runtime/buffers.ts    the size-bucketed buffer pool, readback buffers
//   runtime/pipelines.ts  shader modules and pipelines, compiled once from shaders/
//   runtime/reflection.ts the WGSL's bindings and uniform layouts, reflected at build time
//   runtime/bindings.ts   a dispatch's workgroup grid and bind group, by WGSL names
//   runtime/uniforms.ts   per-step uniform arena, params packed by the struct's layout
//   runtime/recording.ts  the step's command encoder and compute pass
//   runtime/profiler.ts   one GPU time per dispatch between beginProfile and endProfile
//
// A step looks like this:
//
//   ops call ctx.dispatch(kernel, {bind, params, invocations})   ← recorded, not run
//   ...                                                           (one compute pass)
//   ctx.flush()   → uniforms written once, one queue.submit()     (stats.submissions++)
//   ctx.read(t)   → copy into a MAP_READ buffer, flush, map, copy out (stats.readbacks++)

import type { BackendStats, DType, StepProfile, Tensor } from '../backend';
import { OpHook } from '../ops-hook';
import type { Shape } from '../geometry';
import { entryLines, shaderSource } from './shaders';
import { defaultTuning, type KernelTuning } from './tuning';
import { BindGroupCache, splitGroups, workgroupGrid, type DispatchArgs } from './runtime/bindings';
import { BufferPool, ReadbackPool } from './runtime/buffers';
import { DeviceHealth, requestDevice, type GpuContextOptions } from './runtime/device';
import { PipelineCache, type CompiledKernel, type Kernel } from './runtime/pipelines';
import { Profiler } from './runtime/profiler';
import { Recorder } from './runtime/recording';
import type { GpuTensor } from './runtime/tensor';
import { Tensors } from './runtime/tensors';
import { UniformArena } from './runtime/uniforms';

export type { DispatchArgs } from './runtime/bindings';
export { GpuError, isSoftwareAdapter, type GpuContextOptions } from './runtime/device';
export type { Kernel } from './runtime/pipelines';
export { ELEMENT_BYTES, GpuTensor } from './runtime/tensor';

export class GpuContext {
  readonly stats: BackendStats = { dispatches: 0, submissions: 0, readbacks: 0 };
  /** the backend's op hook; every dispatch names its kernel to it (see ../ops-hook.ts) */
  readonly ops = new OpHook((shader, entry) => entryLines(shaderSource(shader), entry));
  readonly limits: GPUSupportedLimits;
  /** the kernel variants in use (mutable: later dispatches follow it) */
  tuning: KernelTuning;
  /** a software adapter (SwiftShader, WARP, llvmpipe): register-block products by default */
  readonly software: boolean;
  /** the device was created with the 'subgroups' feature (and the adapter told its subgroup sizes) */
  readonly hasSubgroups: boolean;
  /** the adapter's smallest subgroup size (0 when unknown) */
  readonly subgroupMinSize: number;
  /** a 1-element f32 tensor to bind where an optional input is absent (e.g. no bias) */
  readonly placeholder: GpuTensor;
  /** the device has 'timestamp-query': profiles time each dispatch on the GPU's clock */
  readonly hasTimestamps: boolean;
  /** resolves with the reason when the device is lost (never when destroy() freed it) */
  readonly lost: Promise<string>;

  private health: DeviceHealth;
  private pool: BufferPool;
  private tensors: Tensors;
  private readbacks: ReadbackPool;
  private arena: UniformArena;
  private pipelines: PipelineCache;
  private bindGroups: BindGroupCache;
  private recorder: Recorder;
  private profiler: Profiler;

  constructor(
    readonly device: GPUDevice,
    opts: GpuContextOptions = {},
  ) {
    this.limits = device.limits;
    this.software = opts.software ?? false;
    this.tuning = { ...defaultTuning(this.software), ...opts.tuning };
    this.subgroupMinSize = opts.subgroupMinSize ?? 0;
    this.hasSubgroups = device.features.has('subgroups') && this.subgroupMinSize > 0;
    this.hasTimestamps = device.features.has('timestamp-query');
    const label = opts.label ?? 'backprop';
    this.health = new DeviceHealth(device);
    this.lost = this.health.lost;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.readbacks = new ReadbackPool(device, label);
    this.recorder = new Recorder(device, label);
    this.tensors = new Tensors(this, device, this.pool, this.recorder, this.health, label);
    this.arena = new UniformArena(device, device.limits.minUniformBufferOffsetAlignment, label);
    this.pipelines = new PipelineCache(device, { label, hasSubgroups: this.hasSubgroups, dump: opts.dumpShaders ?? false });
    this.bindGroups = new BindGroupCache(device, label);
    this.profiler = new Profiler(device, this.hasTimestamps, label);
    this.placeholder = this.empty([1], 'f32', 'placeholder');
  }

  /** Throws if the backend was destroyed, the device lost, or the device reported an error. */
  checkUsable(): void {
    this.health.check();
  }

  // ── tensors ────────────────────────────────────────────────────────────────
  /** Checks that t is a live tensor of this context; `op` and `what` name it in errors. */
  use(t: Tensor, op: string, what: string): GpuTensor {
    return this.tensors.use(t, op, what);
  }

  /** use(), and the tensor must hold f32 */
  useF32(t: Tensor, op: string, what: string): GpuTensor {
    return this.tensors.useF32(t, op, what);
  }

  /** Refuses a tensor the device cannot hold or bind, naming the limit and both numbers. */
  checkFits(bytes: number, what: string): void {
    this.tensors.checkFits(bytes, what);
  }

  /** A tensor with undefined contents (every element will be written by a kernel). */
  empty(shape: Shape, dtype: DType = 'f32', label = 'tensor'): GpuTensor {
    return this.tensors.empty(shape, dtype, label);
  }

  /** A tensor of zeros (cleared in the step's command stream). */
  zeros(shape: Shape, dtype: DType = 'f32', label = 'zeros'): GpuTensor {
    return this.tensors.zeros(shape, dtype, label);
  }

  /** Records t ← 0. */
  clear(t: GpuTensor): void {
    this.tensors.clear(t);
  }

  fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32', label = 'tensor'): GpuTensor {
    return this.tensors.fromArray(data, shape, dtype, label);
  }

  /** Overwrites t's contents (ops already recorded still see the old ones). */
  upload(t: GpuTensor, data: ArrayLike<number>): void {
    this.tensors.upload(t, data);
  }

  /** A new tensor sharing t's storage (reference counted). */
  alias(t: GpuTensor, shape: Shape, label = t.label): GpuTensor {
    return this.tensors.alias(t, shape, label);
  }

  /** views must start at multiples of this many elements (minStorageBufferOffsetAlignment / 4) */
  get viewAlignment(): number {
    return this.tensors.viewAlignment;
  }

  /** A tensor of `shape` over t's elements [offset, offset + size(shape)), sharing t's storage. */
  view(t: GpuTensor, offset: number, shape: Shape, label = `${t.label}[${offset}…]`): GpuTensor {
    return this.tensors.view(t, offset, shape, label);
  }

  /** Records a copy of t into a new tensor. */
  copy(t: GpuTensor, label = `${t.label} (copy)`): GpuTensor {
    return this.tensors.copy(t, label);
  }

  /** Records dst ← src (same number of elements). */
  copyInto(src: GpuTensor, dst: GpuTensor): void {
    this.tensors.copyInto(src, dst);
  }

  dispose(t: Tensor | undefined | null): void {
    this.tensors.dispose(t, this.placeholder);
  }

  /** buffer pool counters (for memory panels and leak tests) */
  poolStats(): { allocatedBytes: number; allocations: number; reuses: number } {
    return { allocatedBytes: this.pool.allocatedBytes, allocations: this.pool.allocations, reuses: this.pool.reuses };
  }

  /** destroy pooled buffers no tensor uses */
  trim(): void {
    this.pool.trim();
    this.bindGroups.clear();
  }

  // ── steps ──────────────────────────────────────────────────────────────────

  /** true when work is recorded and not yet submitted */
  get hasPendingWork(): boolean {
    return this.recorder.hasPendingWork;
  }

  /** Submits the step's recorded work as one command buffer. No-op when nothing is recorded. */
  flush(): void {
    this.checkUsable();
    if (!this.recorder.hasPendingWork) return;
    const encoder = this.recorder.copyEncoder();
    this.profiler.resolve(encoder);
    this.arena.upload(this.device.queue);
    this.recorder.submit(encoder);
    this.stats.submissions++;
  }

  /** Flushes, then resolves when the device has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.health.settle(this.device.queue.onSubmittedWorkDone());
    this.checkUsable();
  }

  /** Copies t to the host: records a copy, flushes (one submission), maps, copies out. */
  async read(t: GpuTensor): Promise<Float32Array | Float64Array> {
    this.checkUsable();
    if (t.disposed) throw new Error(`read: tensor '${t.label}' was disposed`);
    const bytes = t.byteLength;
    if (bytes === 0) return new Float32Array(0);
    const capacity = this.pool.bucket(bytes);
    const rb = this.readbacks.take(capacity);
    this.recorder.copyEncoder().copyBufferToBuffer(t.buffer, t.offset, rb, 0, bytes);
    this.recorder.recorded();
    this.flush();
    this.stats.readbacks++;
    await this.health.settle(rb.mapAsync(GPUMapMode.READ, 0, bytes));
    // copy the mapped range before unmap: the mapping is detached by unmap
    const copy = rb.getMappedRange(0, bytes).slice(0);
    rb.unmap();
    this.readbacks.give(capacity, rb);
    this.checkUsable();
    // u32 (indices) as float64, exact for every 32-bit value
    return t.dtype === 'u32' ? Float64Array.from(new Uint32Array(copy)) : new Float32Array(copy);
  }

  // ── profiling ──────────────────────────────────────────────────────────────

  /** true between beginProfile() and endProfile() */
  get profiling(): boolean {
    return this.profiler.current !== null;
  }

  /**
   * Starts timing every dispatch on its own (runtime/profiler.ts). Work recorded before
   * the call is submitted first, so the profile holds only what follows.
   */
  beginProfile(): void {
    this.checkUsable();
    if (this.profiler.current) throw new Error('beginProfile: a profile is already being recorded; call endProfile() first');
    this.flush();
    this.profiler.start();
  }

  /** Flushes, waits for the profiled work, and returns one timing per dispatch; profiling stops. */
  async endProfile(): Promise<StepProfile> {
    const p = this.profiler.current;
    if (!p) throw new Error('endProfile: no profile is being recorded; call beginProfile() first');
    try {
      this.flush();
    } finally {
      this.profiler.current = null;
    }
    await this.health.settle(this.device.queue.onSubmittedWorkDone());
    const profile = await this.profiler.collect(p, (x) => this.health.settle(x));
    this.checkUsable();
    return profile;
  }

  // ── kernels ────────────────────────────────────────────────────────────────

  /**
   * How kernels that call group_sum reduce: with subgroup operations in workgroups of the
   * adapter's smallest subgroup size when the device and ctx.tuning allow it, else in
   * workgroup memory, 64 invocations at a time. `size` is the kernels' GROUP_SIZE.
   */
  reduction(): { subgroups: boolean; size: number } {
    const n = this.subgroupMinSize;
    // a power of two from 4 to 256: smaller subgroups would make workgroups too small to pay off
    const sg = this.tuning.subgroups && this.hasSubgroups && n >= 4 && n <= 256 && (n & (n - 1)) === 0;
    return sg ? { subgroups: true, size: this.subgroupMinSize } : { subgroups: false, size: 64 };
  }

  /** The compiled pipeline of a kernel (compiled once per shader + entry + constants). */
  compile(k: Kernel): CompiledKernel {
    return this.pipelines.compile(k);
  }

  /** workgroups for a 1-D count, split into x·y ≥ count when above the per-dimension limit */
  splitGroups(count: number, what: string): [number, number, number] {
    return splitGroups(this.limits.maxComputeWorkgroupsPerDimension, count, what);
  }

  /**
   * Records one dispatch of a kernel into the step's compute pass. Storage bindings and
   * uniform fields are matched by their WGSL names; a missing or unknown name throws.
   */
  dispatch(k: Kernel, args: DispatchArgs): void {
    this.checkUsable();
    const c = this.pipelines.compile(k);
    const label = args.label ?? c.key;
    this.ops.kernel(k.shader, k.entry, { constants: k.constants, subgroups: k.subgroups === true, label });
    const grid = workgroupGrid(c, args, this.limits.maxComputeWorkgroupsPerDimension, label);
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return; // nothing to compute
    const bindGroup = this.bindGroups.bind(c, k.shader, args, this.arena, label);

    if (this.profiler.current) {
      // a dispatch of a profiled step: its own timestamped pass, or its own submission
      const d = { kernel: k.shader, entry: k.entry, label };
      this.profiler.record(this.recorder.copyEncoder(), d, c.pipeline, bindGroup, grid);
      this.recorder.recorded();
      this.stats.dispatches++;
      if (!this.hasTimestamps) {
        this.flush();
        this.profiler.submittedAlone(d);
      }
      return;
    }
    const pass = this.recorder.computePass();
    pass.setPipeline(c.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.recorder.recorded();
    this.stats.dispatches++;
  }

  /** Releases every buffer and the device; the context is unusable afterwards. */
  destroy(): void {
    if (this.health.destroyed) return;
    this.health.destroyed = true;
    this.recorder.discard();
    this.pool.trim();
    this.arena.destroy();
    this.profiler.destroy();
    this.readbacks.destroy();
    this.bindGroups.clear();
    this.device.destroy();
  }
}

/** Requests a device with the raised limits and wraps it in a context. */
export async function createGpuContext(adapter: GPUAdapter, opts: GpuContextOptions = {}): Promise<GpuContext> {
  const { device, opts: full } = await requestDevice(adapter, opts);
  return new GpuContext(device, full);
}
