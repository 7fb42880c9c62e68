// The GPU plumbing every kernel family builds on: device, tensors in buffers, a buffer
// pool, a pipeline cache, uniforms laid out from the WGSL itself, one command encoder
// per step, and readback.
//
// A step looks like this:
//
//   ops call ctx.dispatch(kernel, {bind, params, invocations})   ← recorded, not run
//   ...                                                           (one compute pass)
//   ctx.flush()   → uniforms written once, one queue.submit()     (stats.submissions++)
//   ctx.read(t)   → copy into a MAP_READ buffer, flush, map, copy out (stats.readbacks++)
//
// Uniform values of every dispatch in a step live in their own 256-byte-aligned slot
// of a per-step arena (a few 64 KiB buffers reused from step to step), so many
// dispatches can be recorded before a single submit without overwriting each other.
//
// Profiling (beginProfile … endProfile, off by default): with the device's
// 'timestamp-query' feature each dispatch gets its own compute pass whose timestampWrites
// stamp its start and end into a query set; flush() resolves the stamps into a buffer
// in the same command buffer, endProfile() reads them: one GPU time per dispatch.
// Without the feature each dispatch is submitted on its own and timed by when its
// completion reaches the CPU. When off, dispatch() pays one boolean test.

import './float16'; // before webgpu-utils, which needs Float16Array when it loads
import {
  makeBindGroupLayoutDescriptors,
  makeShaderDataDefinitions,
  makeStructuredView,
  type ShaderDataDefinitions,
  type StructuredView,
} from 'webgpu-utils';
import type { BackendStats, DType, KernelTiming, StepProfile, Tensor } from '../backend';
import { DeviceLimitError, DeviceLostError, ShapeError } from '../errors';
import { OpHook } from '../ops-hook';
import { shapeStr, sizeOf, type Shape } from '../geometry';
import { defaultTuning, type KernelTuning } from './product';
import { composeShader, entryLines, shaderSource, type ShaderName } from './shaders';

/** Bytes per element: both f32 and u32 are 4 bytes. */
export const ELEMENT_BYTES = 4;

/** A WebGPU validation / out-of-memory / internal error reported by the device. */
export class GpuError extends Error {
  override name = 'GpuError';
}

export interface GpuContextOptions {
  /** log the WGSL of each pipeline when it is compiled (also: globalThis.BACKPROP_DUMP_WGSL = true) */
  dumpShaders?: boolean;
  /** prefix of every GPU object's label */
  label?: string;
  /** kernel variants to allow (default: all, the matmul variant by `software`); ctx.tuning can be changed later */
  tuning?: Partial<KernelTuning>;
  /** the adapter is a software rasterizer (createGpuContext reads it from the adapter's info) */
  software?: boolean;
  /** request the adapter's 'subgroups' feature when it has one (default true) */
  subgroups?: boolean;
  /** the adapter's smallest subgroup size (createGpuContext reads it from the adapter) */
  subgroupMinSize?: number;
  /** request the adapter's 'timestamp-query' feature when it has one, for beginProfile (default true) */
  timestamps?: boolean;
}

/** A compute kernel: a WGSL file of shaders/, one of its entry points, override constants. */
export interface Kernel {
  shader: ShaderName;
  entry: string;
  constants?: Readonly<Record<string, number | boolean>>;
  /** compile with group_sum_subgroups.wgsl instead of group_sum.wgsl (shaders that call group_sum) */
  subgroups?: boolean;
}

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

// ── tensors ──────────────────────────────────────────────────────────────────

/** A GPU buffer shared by a tensor and its reshaped aliases. */
class Storage {
  refs = 1;
  constructor(
    readonly buffer: GPUBuffer,
    /** bytes allocated (the pool's bucket size) */
    readonly capacity: number,
    /** the pooled buffer's id (stable across reuse; keys the bind-group cache) */
    readonly id: number,
  ) {}
}

/**
 * A tensor: `size` elements of a Storage starting at byte `offset`. Most tensors own a
 * whole pooled buffer (offset 0); a view (ctx.view) is a window into a larger one, e.g.
 * one parameter of a model's parameter arena, bound with that offset.
 */
export class GpuTensor implements Tensor {
  readonly size: number;
  #disposed = false;

  constructor(
    readonly ctx: GpuContext,
    readonly storage: Storage,
    readonly shape: Shape,
    readonly dtype: DType,
    readonly label: string,
    /** bytes from the start of the buffer (a multiple of minStorageBufferOffsetAlignment) */
    readonly offset = 0,
  ) {
    this.size = sizeOf(shape);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }

  /** bytes of data (size · 4) */
  get byteLength(): number {
    return this.size * ELEMENT_BYTES;
  }

  /** @internal marks the tensor disposed; true the first time */
  markDisposed(): boolean {
    if (this.#disposed) return false;
    this.#disposed = true;
    return true;
  }

  toString(): string {
    return `${this.label} ${shapeStr(this.shape)} ${this.dtype}`;
  }
}

// ── buffer pool ──────────────────────────────────────────────────────────────

/**
 * Size-bucketed pool of storage buffers. Buckets are powers of two split in quarters
 * (…, 1024, 1280, 1536, 1792, 2048, …) so a reused buffer wastes at most 25%.
 * A buffer is reused as soon as its tensor is disposed: work already recorded in this
 * step's encoder runs before any later use, so reuse within a step is safe.
 */
class BufferPool {
  private free = new Map<number, { buffer: GPUBuffer; id: number }[]>();
  private nextId = 1;
  allocatedBytes = 0;
  allocations = 0;
  reuses = 0;

  constructor(
    private device: GPUDevice,
    private maxBufferSize: number,
  ) {}

  bucket(bytes: number): number {
    if (bytes <= 256) return 256;
    const p = 2 ** Math.floor(Math.log2(bytes));
    const step = p / 4;
    const b = Math.ceil(bytes / step) * step;
    return Math.min(b, this.maxBufferSize);
  }

  acquire(bytes: number, label: string): { buffer: GPUBuffer; capacity: number; id: number } {
    const capacity = this.bucket(bytes);
    const list = this.free.get(capacity);
    const reused = list?.pop();
    if (reused) {
      reused.buffer.label = label;
      this.reuses++;
      return { buffer: reused.buffer, capacity, id: reused.id };
    }
    const id = this.nextId++;
    const buffer = this.device.createBuffer({
      label,
      size: capacity,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.allocatedBytes += capacity;
    this.allocations++;
    return { buffer, capacity, id };
  }

  release(buffer: GPUBuffer, capacity: number, id: number): void {
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    buffer.label = `${buffer.label} (free)`;
    list.push({ buffer, id });
  }

  /** destroy every free buffer (memory pressure, or teardown) */
  trim(): void {
    for (const [capacity, list] of this.free) {
      for (const { buffer } of list) {
        buffer.destroy();
        this.allocatedBytes -= capacity;
      }
    }
    this.free.clear();
  }
}

// ── uniform arena ────────────────────────────────────────────────────────────

const ARENA_CHUNK = 64 * 1024;

interface ArenaChunk {
  buffer: GPUBuffer;
  bytes: Uint8Array<ArrayBuffer>;
  used: number;
  id: number;
}

/** Per-step uniform slots: CPU-side copies filled while recording, uploaded once at flush. */
class UniformArena {
  private chunks: ArenaChunk[] = [];
  private current = 0;

  constructor(
    private device: GPUDevice,
    private align: number,
    private label: string,
  ) {}

  alloc(size: number): { chunk: ArenaChunk; offset: number } {
    if (size > ARENA_CHUNK) throw new DeviceLimitError(`uniform struct of ${size} bytes exceeds the ${ARENA_CHUNK}-byte arena chunk`);
    for (;;) {
      let chunk = this.chunks[this.current];
      if (!chunk) {
        chunk = {
          buffer: this.device.createBuffer({
            label: `${this.label} uniforms #${this.chunks.length}`,
            size: ARENA_CHUNK,
            usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          }),
          bytes: new Uint8Array(ARENA_CHUNK),
          used: 0,
          id: this.chunks.length,
        };
        this.chunks.push(chunk);
      }
      const offset = Math.ceil(chunk.used / this.align) * this.align;
      if (offset + size <= ARENA_CHUNK) {
        chunk.used = offset + size;
        return { chunk, offset };
      }
      this.current++;
    }
  }

  /** write the used part of every chunk (queue-ordered before the step's submit) */
  upload(queue: GPUQueue): void {
    for (let i = 0; i <= this.current && i < this.chunks.length; i++) {
      const c = this.chunks[i]!;
      if (c.used > 0) queue.writeBuffer(c.buffer, 0, c.bytes, 0, Math.ceil(c.used / 4) * 4);
      c.used = 0;
    }
    this.current = 0;
  }

  destroy(): void {
    for (const c of this.chunks) c.buffer.destroy();
    this.chunks = [];
  }
}

// ── compiled kernels ─────────────────────────────────────────────────────────

interface ShaderModuleInfo {
  module: GPUShaderModule;
  defs: ShaderDataDefinitions;
  source: string;
}

interface UniformSlotInfo {
  name: string;
  binding: number;
  size: number;
  view: StructuredView;
  fields: string[];
}

interface CompiledKernel {
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

const BIND_GROUP_CACHE_MAX = 4096;

/**
 * Bytes bound for a tensor: its data rounded up to 16, so a kernel may read it as
 * array<vec4<f32>>. Within the buffer: capacities are multiples of 64 bytes and views
 * start at 256-byte offsets, so the rounding never reaches another view's data.
 */
function bindingSize(t: GpuTensor): number {
  return Math.ceil(Math.max(t.byteLength, ELEMENT_BYTES) / 16) * 16;
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

// ── profiling ────────────────────────────────────────────────────────────────

/** timestamps per query set: two per dispatch (start, end) */
const QUERY_CHUNK = 512;

interface ProfiledDispatch {
  kernel: string;
  entry: string;
  label: string;
}

/** the work of one flush of a profiled step, waiting to be read */
type ProfiledSubmit =
  | { kind: 'timestamps'; dispatches: ProfiledDispatch[]; readback: GPUBuffer }
  | { kind: 'cpu'; dispatch: ProfiledDispatch; submittedAt: number; done: Promise<number> };

interface ProfileState {
  t0: number;
  /** dispatches recorded since the last flush (timestamp path) */
  recorded: ProfiledDispatch[];
  submits: ProfiledSubmit[];
}

// ── the context ──────────────────────────────────────────────────────────────

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

  private pool: BufferPool;
  private arena: UniformArena;
  private modules = new Map<string, ShaderModuleInfo>();
  private kernels = new Map<string, CompiledKernel>();
  private bindGroups = new Map<string, GPUBindGroup>();
  private readbackFree = new Map<number, GPUBuffer[]>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pendingCommands = 0;
  private afterSubmit: GPUBuffer[] = [];
  private stepIndex = 0;
  private nextKernelId = 1;
  private lostInfo: GPUDeviceLostInfo | null = null;
  private lostResolve: (message: string) => void = () => undefined;
  /** resolves with the reason when the device is lost (never when destroy() freed it) */
  readonly lost: Promise<string> = new Promise((r) => {
    this.lostResolve = r;
  });
  private gpuErrors: string[] = [];
  private destroyed = false;
  private dump: boolean;
  private labelPrefix: string;
  private profile: ProfileState | null = null;
  private querySets: GPUQuerySet[] = [];
  private queryResolve: GPUBuffer | null = null;

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
    this.labelPrefix = opts.label ?? 'backprop';
    this.dump = opts.dumpShaders ?? false;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.arena = new UniformArena(device, device.limits.minUniformBufferOffsetAlignment, this.labelPrefix);

    void device.lost.then((info) => {
      if (this.destroyed) return;
      this.lostInfo = info;
      console.error(`[webgpu] device lost (${info.reason}): ${info.message}`);
      this.lostResolve(`GPU device lost (reason: ${info.reason}): ${info.message || 'no message'}`);
    });
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      const kind = err.constructor?.name ?? 'GPUError';
      const msg = `${kind}: ${err.message}`;
      this.gpuErrors.push(msg);
      console.error(`[webgpu] ${msg}`);
    });

    this.placeholder = this.empty([1], 'f32', 'placeholder');
  }

  private get dumpEnabled(): boolean {
    return this.dump || (globalThis as { BACKPROP_DUMP_WGSL?: boolean }).BACKPROP_DUMP_WGSL === true;
  }

  // ── health ─────────────────────────────────────────────────────────────────

  /** Throws if the backend was destroyed, the device lost, or the device reported an error. */
  checkUsable(): void {
    if (this.destroyed) throw new Error('the WebGPU backend was destroyed; create a new one');
    if (this.lostInfo) {
      throw new DeviceLostError(
        `GPU device lost (reason: ${this.lostInfo.reason}): ${this.lostInfo.message || 'no message'}. ` +
          'Create a new backend to continue.',
      );
    }
    if (this.gpuErrors.length > 0) {
      const errs = this.gpuErrors.splice(0);
      throw new GpuError(errs.length === 1 ? errs[0] : `${errs.length} GPU errors; first: ${errs[0]}`);
    }
  }

  // ── tensors ────────────────────────────────────────────────────────────────

  /** Checks that t is a live tensor of this context; `op` and `what` name it in errors. */
  use(t: Tensor, op: string, what: string): GpuTensor {
    if (!(t instanceof GpuTensor) || t.ctx !== this) {
      throw new TypeError(`${op}: ${what} is not a tensor of this WebGPU backend`);
    }
    if (t.disposed) throw new Error(`${op}: ${what} '${t.label}' was disposed`);
    return t;
  }

  private checkShape(shape: Shape, op: string): void {
    if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) throw new ShapeError(`${op}: shape must be an array of sizes`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${shapeStr(shape)}`);
    }
  }

  /** Refuses a tensor the device cannot hold or bind, naming the limit and both numbers. */
  checkFits(bytes: number, what: string): void {
    const l = this.limits;
    if (bytes > l.maxStorageBufferBindingSize) {
      throw new DeviceLimitError(
        `${what} needs ${bytes} bytes, above the device's maxStorageBufferBindingSize of ${l.maxStorageBufferBindingSize} bytes`,
      );
    }
    if (bytes > l.maxBufferSize) {
      throw new DeviceLimitError(`${what} needs ${bytes} bytes, above the device's maxBufferSize of ${l.maxBufferSize} bytes`);
    }
  }

  /** A tensor with undefined contents (every element will be written by a kernel). */
  empty(shape: Shape, dtype: DType = 'f32', label = 'tensor'): GpuTensor {
    this.checkUsable();
    this.checkShape(shape, label);
    const bytes = sizeOf(shape) * ELEMENT_BYTES;
    this.checkFits(bytes, `tensor '${label}' ${shapeStr(shape)}`);
    const { buffer, capacity, id } = this.pool.acquire(Math.max(bytes, ELEMENT_BYTES), `${this.labelPrefix}:${label}`);
    return new GpuTensor(this, new Storage(buffer, capacity, id), [...shape], dtype, label);
  }

  /** A tensor of zeros (cleared in the step's command stream). */
  zeros(shape: Shape, dtype: DType = 'f32', label = 'zeros'): GpuTensor {
    const t = this.empty(shape, dtype, label);
    this.clear(t);
    return t;
  }

  /** Records t ← 0. */
  clear(t: GpuTensor): void {
    if (t.byteLength > 0) {
      this.copyEncoder().clearBuffer(t.buffer, t.offset, t.byteLength);
      this.pendingCommands++;
    }
  }

  fromArray(data: ArrayLike<number>, shape: Shape, dtype: DType = 'f32', label = 'tensor'): GpuTensor {
    this.checkShape(shape, label);
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new ShapeError(`fromArray '${label}': ${data.length} values do not fill shape ${shapeStr(shape)} (${n} elements)`);
    }
    const t = this.empty(shape, dtype, label);
    this.upload(t, data);
    return t;
  }

  /**
   * Overwrites t's contents. With no recorded work pending, queue.writeBuffer (ordered
   * after earlier submits); otherwise a staging copy recorded in the step, so ops already
   * recorded still see the old contents.
   */
  upload(t: GpuTensor, data: ArrayLike<number>): void {
    this.checkUsable();
    if (data.length !== t.size) {
      throw new ShapeError(`write '${t.label}': ${data.length} values for a tensor of shape ${shapeStr(t.shape)} (${t.size} elements)`);
    }
    if (t.size === 0) return;
    const arr =
      t.dtype === 'u32'
        ? data instanceof Uint32Array
          ? data
          : Uint32Array.from(data)
        : data instanceof Float32Array
          ? data
          : Float32Array.from(data);
    if (this.pendingCommands === 0) {
      this.device.queue.writeBuffer(t.buffer, t.offset, arr.buffer, arr.byteOffset, t.byteLength);
      return;
    }
    const staging = this.device.createBuffer({
      label: `${this.labelPrefix}:upload ${t.label}`,
      size: t.byteLength,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(arr.buffer, arr.byteOffset, t.byteLength));
    staging.unmap();
    this.copyEncoder().copyBufferToBuffer(staging, 0, t.buffer, t.offset, t.byteLength);
    this.pendingCommands++;
    this.afterSubmit.push(staging);
  }

  /** A new tensor sharing t's storage (reference counted). */
  alias(t: GpuTensor, shape: Shape, label = t.label): GpuTensor {
    this.checkUsable();
    this.checkShape(shape, 'reshape');
    if (sizeOf(shape) !== t.size) {
      throw new ShapeError(`reshape: cannot view ${shapeStr(t.shape)} (${t.size} elements) as ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
    }
    t.storage.refs++;
    return new GpuTensor(this, t.storage, [...shape], t.dtype, label, t.offset);
  }

  /** views must start at multiples of this many elements (minStorageBufferOffsetAlignment / 4) */
  get viewAlignment(): number {
    return this.limits.minStorageBufferOffsetAlignment / ELEMENT_BYTES;
  }

  /**
   * A tensor of `shape` over t's elements [offset, offset + size(shape)), sharing t's
   * storage (reference counted). The start must be aligned to viewAlignment elements,
   * so that kernels can bind the view.
   */
  view(t: GpuTensor, offset: number, shape: Shape, label = `${t.label}[${offset}…]`): GpuTensor {
    this.checkUsable();
    this.checkShape(shape, 'view');
    const n = sizeOf(shape);
    if (!Number.isInteger(offset) || offset < 0 || offset + n > t.size) {
      throw new ShapeError(`view '${label}': elements [${offset}, ${offset + n}) lie outside '${t.label}' ${shapeStr(t.shape)} (${t.size} elements)`);
    }
    const byteOffset = t.offset + offset * ELEMENT_BYTES;
    const align = this.limits.minStorageBufferOffsetAlignment;
    if (byteOffset % align !== 0) {
      throw new ShapeError(
        `view '${label}': byte offset ${byteOffset} is not a multiple of the device's minStorageBufferOffsetAlignment (${align} bytes); ` +
          `start views at multiples of ${align / ELEMENT_BYTES} elements`,
      );
    }
    t.storage.refs++;
    return new GpuTensor(this, t.storage, [...shape], t.dtype, label, byteOffset);
  }

  /** Records a copy of t into a new tensor. */
  copy(t: GpuTensor, label = `${t.label} (copy)`): GpuTensor {
    const out = this.empty(t.shape, t.dtype, label);
    this.copyInto(t, out);
    return out;
  }

  /** Records dst ← src (same number of elements). */
  copyInto(src: GpuTensor, dst: GpuTensor): void {
    this.checkUsable();
    if (src.size !== dst.size) {
      throw new ShapeError(`copy: '${src.label}' ${shapeStr(src.shape)} and '${dst.label}' ${shapeStr(dst.shape)} differ in size`);
    }
    if (src.byteLength === 0) return;
    this.copyEncoder().copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, src.byteLength);
    this.pendingCommands++;
  }

  dispose(t: Tensor | undefined | null): void {
    if (!t) return;
    if (!(t instanceof GpuTensor) || t.ctx !== this) throw new TypeError('dispose: not a tensor of this WebGPU backend');
    if (t === this.placeholder) return;
    if (!t.markDisposed()) return;
    const s = t.storage;
    if (--s.refs === 0 && !this.destroyed) this.pool.release(s.buffer, s.capacity, s.id);
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

  // ── command recording ──────────────────────────────────────────────────────

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: `${this.labelPrefix}:step ${this.stepIndex}` });
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass({ label: `${this.labelPrefix}:step ${this.stepIndex} compute` });
    return this.pass;
  }

  /** the step's encoder, with the compute pass ended (for copies and clears) */
  private copyEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    return this.commandEncoder();
  }

  /** true when work is recorded and not yet submitted */
  get hasPendingWork(): boolean {
    return this.pendingCommands > 0;
  }

  /** Submits the step's recorded work as one command buffer. No-op when nothing is recorded. */
  flush(): void {
    this.checkUsable();
    if (this.pendingCommands === 0) return;
    const encoder = this.copyEncoder();
    if (this.profile && this.profile.recorded.length > 0) this.resolveTimestamps(encoder, this.profile);
    this.arena.upload(this.device.queue);
    this.device.queue.submit([encoder.finish()]);
    this.stats.submissions++;
    this.encoder = null;
    this.pendingCommands = 0;
    this.stepIndex++;
    for (const b of this.afterSubmit) b.destroy();
    this.afterSubmit = [];
  }

  // ── profiling ──────────────────────────────────────────────────────────────

  /** true between beginProfile() and endProfile() */
  get profiling(): boolean {
    return this.profile !== null;
  }

  /**
   * Starts timing every dispatch on its own (see the header). Work recorded before the
   * call is submitted first, so the profile holds only what follows.
   */
  beginProfile(): void {
    this.checkUsable();
    if (this.profile) throw new Error('beginProfile: a profile is already being recorded; call endProfile() first');
    this.flush();
    this.profile = { t0: performance.now(), recorded: [], submits: [] };
  }

  /** Flushes, waits for the profiled work, and returns one timing per dispatch; profiling stops. */
  async endProfile(): Promise<StepProfile> {
    const p = this.profile;
    if (!p) throw new Error('endProfile: no profile is being recorded; call beginProfile() first');
    try {
      this.flush();
    } finally {
      this.profile = null;
    }
    await this.settle(this.device.queue.onSubmittedWorkDone());
    const wallMs = performance.now() - p.t0;
    const timings: KernelTiming[] = [];
    let prevDone = p.t0;
    for (const sub of p.submits) {
      if (sub.kind === 'timestamps') {
        await this.settle(sub.readback.mapAsync(GPUMapMode.READ));
        const stamps = new BigUint64Array(sub.readback.getMappedRange().slice(0));
        sub.readback.unmap();
        sub.readback.destroy();
        sub.dispatches.forEach((d, i) => {
          const ns = Number(stamps[2 * i + 1]! - stamps[2 * i]!);
          timings.push({ ...d, ms: ns / 1e6 });
        });
      } else {
        // from when the GPU could start it (submitted, and the previous one done) to when the CPU heard it was done
        const done = await sub.done;
        timings.push({ ...sub.dispatch, ms: Math.max(0, done - Math.max(prevDone, sub.submittedAt)) });
        prevDone = done;
      }
    }
    this.checkUsable();
    const totalMs = timings.reduce((a, t) => a + t.ms, 0);
    const note = this.hasTimestamps
      ? 'GPU timestamps (timestamp-query): each dispatch ran in its own compute pass, stamped at its start and end'
      : "this device has no 'timestamp-query': each dispatch was submitted on its own and timed on the CPU from submission to completion (an estimate that includes submission overhead)";
    return { source: this.hasTimestamps ? 'timestamp-query' : 'cpu', timings, totalMs, wallMs, note };
  }

  /** the query set and first query index of a profiled dispatch's two timestamps */
  private timestampSlot(n: number): { querySet: GPUQuerySet; index: number } {
    const chunk = Math.floor((2 * n) / QUERY_CHUNK);
    while (this.querySets.length <= chunk) {
      this.querySets.push(
        this.device.createQuerySet({ label: `${this.labelPrefix}:profile queries #${this.querySets.length}`, type: 'timestamp', count: QUERY_CHUNK }),
      );
    }
    return { querySet: this.querySets[chunk]!, index: (2 * n) % QUERY_CHUNK };
  }

  /** records the resolve of this submission's timestamps and a copy to a mappable buffer */
  private resolveTimestamps(encoder: GPUCommandEncoder, p: ProfileState): void {
    const n = p.recorded.length;
    const chunks = Math.ceil((2 * n) / QUERY_CHUNK);
    const bytes = chunks * QUERY_CHUNK * 8;
    if (!this.queryResolve || this.queryResolve.size < bytes) {
      this.queryResolve?.destroy();
      this.queryResolve = this.device.createBuffer({
        label: `${this.labelPrefix}:profile resolve`,
        size: bytes,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
    }
    for (let c = 0; c < chunks; c++) {
      const count = Math.min(QUERY_CHUNK, 2 * n - c * QUERY_CHUNK);
      encoder.resolveQuerySet(this.querySets[c]!, 0, count, this.queryResolve, c * QUERY_CHUNK * 8);
    }
    const readback = this.device.createBuffer({
      label: `${this.labelPrefix}:profile readback`,
      size: 2 * n * 8,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.copyBufferToBuffer(this.queryResolve, 0, readback, 0, 2 * n * 8);
    p.submits.push({ kind: 'timestamps', dispatches: p.recorded, readback });
    p.recorded = [];
  }

  /** Flushes, then resolves when the device has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.settle(this.device.queue.onSubmittedWorkDone());
    this.checkUsable();
  }

  private async settle<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (this.lostInfo || this.destroyed) this.checkUsable();
      throw e;
    }
  }

  /** Copies t to the host: records a copy, flushes (one submission), maps, copies out. */
  async read(t: GpuTensor): Promise<Float32Array | Float64Array> {
    this.checkUsable();
    if (t.disposed) throw new Error(`read: tensor '${t.label}' was disposed`);
    const bytes = t.byteLength;
    if (bytes === 0) return new Float32Array(0);
    const capacity = this.pool.bucket(bytes);
    const rb =
      this.readbackFree.get(capacity)?.pop() ??
      this.device.createBuffer({
        label: `${this.labelPrefix}:readback ${capacity}`,
        size: capacity,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    this.copyEncoder().copyBufferToBuffer(t.buffer, t.offset, rb, 0, bytes);
    this.pendingCommands++;
    this.flush();
    this.stats.readbacks++;
    await this.settle(rb.mapAsync(GPUMapMode.READ, 0, bytes));
    // copy the mapped range before unmap: the mapping is detached by unmap
    const copy = rb.getMappedRange(0, bytes).slice(0);
    rb.unmap();
    let list = this.readbackFree.get(capacity);
    if (!list) this.readbackFree.set(capacity, (list = []));
    list.push(rb);
    this.checkUsable();
    // u32 (indices) as float64, exact for every 32-bit value
    return t.dtype === 'u32' ? Float64Array.from(new Uint32Array(copy)) : new Float32Array(copy);
  }

  // ── kernels ────────────────────────────────────────────────────────────────

  private shaderModule(name: ShaderName, subgroups: boolean): ShaderModuleInfo {
    const key = subgroups ? `${name}+subgroups` : name;
    let info = this.modules.get(key);
    if (!info) {
      if (subgroups && !this.hasSubgroups) throw new Error(`${name}: a subgroup variant needs a device with the 'subgroups' feature`);
      const source = composeShader(name, subgroups);
      const module = this.device.createShaderModule({ label: `${this.labelPrefix}:${key}.wgsl`, code: source });
      info = { module, defs: makeShaderDataDefinitions(source), source };
      this.modules.set(key, info);
    }
    return info;
  }

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
    const key = kernelKey(k);
    const cached = this.kernels.get(key);
    if (cached) return cached;

    const mod = this.shaderModule(k.shader, k.subgroups === true);
    const ep = mod.defs.entryPoints[k.entry];
    if (!ep) {
      throw new Error(`shader '${k.shader}' has no entry point '${k.entry}'; it has: ${Object.keys(mod.defs.entryPoints).join(', ')}`);
    }
    const descs = makeBindGroupLayoutDescriptors(mod.defs, { compute: { entryPoint: k.entry } });
    if (descs.length !== 1 || !descs[0]) throw new Error(`${key}: only @group(0) bindings are supported`);
    const layout = this.device.createBindGroupLayout({ ...descs[0], label: `${this.labelPrefix}:${key} layout` });

    const storages: { name: string; binding: number; writable: boolean }[] = [];
    let uniform: UniformSlotInfo | null = null;
    for (const r of ep.resources) {
      if (r.name in mod.defs.uniforms) {
        if (uniform) throw new Error(`${key}: at most one uniform struct per entry point (found '${uniform.name}' and '${r.name}')`);
        const def = mod.defs.uniforms[r.name];
        if (!def) throw new Error(`${key}: uniform '${r.name}' not found in the shader's definitions`);
        const fields = Object.keys((def.typeDefinition as { fields?: Record<string, unknown> }).fields ?? {});
        uniform = { name: r.name, binding: r.entry.binding, size: def.size, view: makeStructuredView(def), fields };
      } else if (r.name in mod.defs.storages) {
        storages.push({ name: r.name, binding: r.entry.binding, writable: r.entry.buffer?.type === 'storage' });
      } else {
        throw new Error(`${key}: binding '${r.name}' is not a buffer; only buffers are supported`);
      }
    }
    storages.sort((a, b) => a.binding - b.binding);

    const constants: Record<string, number> = {};
    for (const [n, v] of Object.entries(k.constants ?? {})) constants[n] = Number(v);
    if (this.dumpEnabled) {
      console.log(`[wgsl] compiling ${key}\n${mod.source}`);
    }
    const pipeline = this.device.createComputePipeline({
      label: `${this.labelPrefix}:${key}`,
      layout: this.device.createPipelineLayout({ label: `${this.labelPrefix}:${key} pipeline layout`, bindGroupLayouts: [layout] }),
      compute: { module: mod.module, entryPoint: k.entry, constants },
    });
    const compiled: CompiledKernel = {
      id: this.nextKernelId++,
      key,
      pipeline,
      layout,
      storages,
      uniform,
      declared: new Set(Object.keys(mod.defs.storages)),
      workgroupSize: parseWorkgroupSize(mod.source, k.entry, k.constants),
    };
    this.kernels.set(key, compiled);
    return compiled;
  }

  /** workgroups for a 1-D count, split into x·y ≥ count when above the per-dimension limit */
  splitGroups(count: number, what: string): [number, number, number] {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (count <= max) return [count, 1, 1];
    const y = Math.ceil(count / max);
    if (y > max) {
      throw new DeviceLimitError(
        `${what}: ${count} workgroups do not fit a ${max}×${max} grid (maxComputeWorkgroupsPerDimension ${max})`,
      );
    }
    return [Math.ceil(count / y), y, 1];
  }

  /**
   * Records one dispatch of a kernel into the step's compute pass. Storage bindings and
   * uniform fields are matched by their WGSL names; a missing or unknown name throws.
   */
  dispatch(k: Kernel, args: DispatchArgs): void {
    this.ops.kernel(k.shader, k.entry);
    this.checkUsable();
    const c = this.compile(k);
    const label = args.label ?? c.key;

    // workgroup grid
    let grid: [number, number, number];
    if (args.invocations !== undefined) {
      const per = c.workgroupSize[0] * c.workgroupSize[1] * c.workgroupSize[2];
      grid = this.splitGroups(Math.ceil(args.invocations / per), label);
    } else if (typeof args.groups === 'number') {
      grid = this.splitGroups(args.groups, label);
    } else if (args.groups) {
      grid = [args.groups[0], args.groups[1] ?? 1, args.groups[2] ?? 1];
      const max = this.limits.maxComputeWorkgroupsPerDimension;
      if (grid.some((g) => g > max)) {
        throw new DeviceLimitError(`${label}: workgroup grid ${grid.join('×')} exceeds maxComputeWorkgroupsPerDimension ${max}`);
      }
    } else {
      throw new Error(`${label}: dispatch needs 'invocations' or 'groups'`);
    }
    if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return; // nothing to compute

    // bindings: storage tensors by name
    for (const name in args.bind) {
      if (!c.declared.has(name)) {
        throw new Error(`${label}: shader '${k.shader}' declares no storage binding '${name}' (it has: ${[...c.declared].join(', ')})`);
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
      const p = args.params;
      if (!p) throw new Error(`${label}: kernel ${c.key} needs params {${u.fields.join(', ')}}`);
      for (const f of u.fields) {
        if (p[f] === undefined) throw new Error(`${label}: param '${f}' of '${u.name}' is missing`);
      }
      for (const f in p) {
        if (!u.fields.includes(f)) throw new Error(`${label}: '${u.name}' has no field '${f}' (fields: ${u.fields.join(', ')})`);
      }
      u.view.set(p);
      const { chunk, offset } = this.arena.alloc(u.size);
      chunk.bytes.set(new Uint8Array(u.view.arrayBuffer, 0, u.size), offset);
      entries.push({ binding: u.binding, resource: { buffer: chunk.buffer, offset, size: u.size } });
      cacheKey += `|u${chunk.id}:${offset}`;
    }

    let bindGroup = this.bindGroups.get(cacheKey);
    if (!bindGroup) {
      bindGroup = this.device.createBindGroup({ label: `${this.labelPrefix}:${label}`, layout: c.layout, entries });
      if (this.bindGroups.size >= BIND_GROUP_CACHE_MAX) {
        const oldest = this.bindGroups.keys().next().value;
        if (oldest !== undefined) this.bindGroups.delete(oldest);
      }
      this.bindGroups.set(cacheKey, bindGroup);
    }

    if (this.profile) {
      this.profiledDispatch(this.profile, { kernel: k.shader, entry: k.entry, label }, c.pipeline, bindGroup, grid);
      return;
    }
    const pass = this.computePass();
    pass.setPipeline(c.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.pendingCommands++;
    this.stats.dispatches++;
  }

  /** a dispatch of a profiled step: its own timestamped pass, or its own submission */
  private profiledDispatch(
    p: ProfileState,
    d: ProfiledDispatch,
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    grid: [number, number, number],
  ): void {
    const encoder = this.copyEncoder();
    let timestampWrites: GPUComputePassTimestampWrites | undefined;
    if (this.hasTimestamps) {
      const { querySet, index } = this.timestampSlot(p.recorded.length);
      timestampWrites = { querySet, beginningOfPassWriteIndex: index, endOfPassWriteIndex: index + 1 };
    }
    const pass = encoder.beginComputePass({ label: `${this.labelPrefix}:${d.label}`, timestampWrites });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    pass.end();
    this.pendingCommands++;
    this.stats.dispatches++;
    if (this.hasTimestamps) {
      p.recorded.push(d);
      return;
    }
    this.flush();
    const submittedAt = performance.now();
    p.submits.push({ kind: 'cpu', dispatch: d, submittedAt, done: this.device.queue.onSubmittedWorkDone().then(() => performance.now()) });
  }

  /** Releases every buffer and the device; the context is unusable afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.pass) this.pass.end();
    this.pass = null;
    this.encoder = null;
    this.pool.trim();
    this.arena.destroy();
    for (const q of this.querySets) q.destroy();
    this.querySets = [];
    this.queryResolve?.destroy();
    this.profile = null;
    for (const list of this.readbackFree.values()) for (const b of list) b.destroy();
    this.readbackFree.clear();
    this.bindGroups.clear();
    this.device.destroy();
  }
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|warp|microsoft basic render|softpipe/i;

/** true for a software rasterizer: flagged as a fallback adapter, or named like one */
export function isSoftwareAdapter(info: GPUAdapterInfo | undefined, name = ''): boolean {
  if ((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true) return true;
  const text = [name, info?.description, info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ');
  return SOFTWARE_ADAPTER.test(text);
}

/** Device limits worth raising to what the adapter offers (larger tensors, bigger tiles). */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Requests a device with the raised limits and wraps it in a context. */
export async function createGpuContext(
  adapter: GPUAdapter,
  opts: GpuContextOptions = {},
): Promise<GpuContext> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if ((opts.subgroups ?? true) && adapter.features.has('subgroups')) requiredFeatures.push('subgroups' as GPUFeatureName);
  if ((opts.timestamps ?? true) && adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({
    label: `${opts.label ?? 'backprop'} device`,
    requiredLimits,
    requiredFeatures,
  });
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number };
  return new GpuContext(device, {
    ...opts,
    subgroupMinSize: opts.subgroupMinSize ?? info.subgroupMinSize ?? 0,
    software: opts.software ?? (isSoftwareAdapter(info) || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true),
  });
}
