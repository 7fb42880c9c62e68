// Tensors of a context: made from the buffer pool, filled by uploads or by copies
// recorded in the step, viewed and reshaped without copying, released to the pool.

import type { DType, Tensor } from '../../backend';
import { DeviceLimitError, ShapeError } from '../../errors';
import { shapeStr, sizeOf, type Shape } from '../../geometry';
import type { GpuContext } from '../context';
import type { BufferPool } from './buffers';
import type { DeviceHealth } from './device';
import type { Recorder } from './recording';
import { ELEMENT_BYTES, GpuTensor, Storage } from './tensor';

export class Tensors {
  constructor(
    /** the context the tensors belong to */
    private owner: GpuContext,
    private device: GPUDevice,
    private pool: BufferPool,
    private recorder: Recorder,
    private health: DeviceHealth,
    private label: string,
  ) {}

  /** Checks that t is a live tensor of this context; `op` and `what` name it in errors. */
  use(t: Tensor, op: string, what: string): GpuTensor {
    if (!(t instanceof GpuTensor) || t.ctx !== this.owner) {
      throw new TypeError(`${op}: ${what} is not a tensor of this WebGPU backend`);
    }
    if (t.disposed) throw new Error(`${op}: ${what} '${t.label}' was disposed`);
    return t;
  }

  /** use(), and the tensor must hold f32 */
  useF32(t: Tensor, op: string, what: string): GpuTensor {
    const g = this.use(t, op, what);
    if (g.dtype !== 'f32') throw new TypeError(`${op}: ${what} '${g.label}' must be f32, got ${g.dtype}`);
    return g;
  }

  private checkShape(shape: Shape, op: string): void {
    if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) throw new ShapeError(`${op}: shape must be an array of sizes`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${shapeStr(shape)}`);
    }
  }

  /** Refuses a tensor the device cannot hold or bind, naming the limit and both numbers. */
  checkFits(bytes: number, what: string): void {
    const l = this.device.limits;
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
    this.health.check();
    this.checkShape(shape, label);
    const bytes = sizeOf(shape) * ELEMENT_BYTES;
    this.checkFits(bytes, `tensor '${label}' ${shapeStr(shape)}`);
    const { buffer, capacity, id } = this.pool.acquire(Math.max(bytes, ELEMENT_BYTES), `${this.label}:${label}`);
    return new GpuTensor(this.owner, new Storage(buffer, capacity, id), [...shape], dtype, label);
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
      this.recorder.copyEncoder().clearBuffer(t.buffer, t.offset, t.byteLength);
      this.recorder.recorded();
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
    this.health.check();
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
    if (!this.recorder.hasPendingWork) {
      this.device.queue.writeBuffer(t.buffer, t.offset, arr.buffer, arr.byteOffset, t.byteLength);
      return;
    }
    const staging = this.device.createBuffer({
      label: `${this.label}:upload ${t.label}`,
      size: t.byteLength,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(arr.buffer, arr.byteOffset, t.byteLength));
    staging.unmap();
    this.recorder.copyEncoder().copyBufferToBuffer(staging, 0, t.buffer, t.offset, t.byteLength);
    this.recorder.recorded();
    this.recorder.destroyAfterSubmit(staging);
  }

  /** A new tensor sharing t's storage (reference counted). */
  alias(t: GpuTensor, shape: Shape, label = t.label): GpuTensor {
    this.health.check();
    this.checkShape(shape, 'reshape');
    if (sizeOf(shape) !== t.size) {
      throw new ShapeError(`reshape: cannot view ${shapeStr(t.shape)} (${t.size} elements) as ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
    }
    t.storage.refs++;
    return new GpuTensor(this.owner, t.storage, [...shape], t.dtype, label, t.offset);
  }

  /** views must start at multiples of this many elements (minStorageBufferOffsetAlignment / 4) */
  get viewAlignment(): number {
    return this.device.limits.minStorageBufferOffsetAlignment / ELEMENT_BYTES;
  }

  /**
   * A tensor of `shape` over t's elements [offset, offset + size(shape)), sharing t's
   * storage (reference counted). The start must be aligned to viewAlignment elements,
   * so that kernels can bind the view.
   */
  view(t: GpuTensor, offset: number, shape: Shape, label = `${t.label}[${offset}…]`): GpuTensor {
    this.health.check();
    this.checkShape(shape, 'view');
    const n = sizeOf(shape);
    if (!Number.isInteger(offset) || offset < 0 || offset + n > t.size) {
      throw new ShapeError(`view '${label}': elements [${offset}, ${offset + n}) lie outside '${t.label}' ${shapeStr(t.shape)} (${t.size} elements)`);
    }
    const byteOffset = t.offset + offset * ELEMENT_BYTES;
    const align = this.device.limits.minStorageBufferOffsetAlignment;
    if (byteOffset % align !== 0) {
      throw new ShapeError(
        `view '${label}': byte offset ${byteOffset} is not a multiple of the device's minStorageBufferOffsetAlignment (${align} bytes); ` +
          `start views at multiples of ${align / ELEMENT_BYTES} elements`,
      );
    }
    t.storage.refs++;
    return new GpuTensor(this.owner, t.storage, [...shape], t.dtype, label, byteOffset);
  }

  /** Records a copy of t into a new tensor. */
  copy(t: GpuTensor, label = `${t.label} (copy)`): GpuTensor {
    const out = this.empty(t.shape, t.dtype, label);
    this.copyInto(t, out);
    return out;
  }

  /** Records dst ← src (same number of elements). */
  copyInto(src: GpuTensor, dst: GpuTensor): void {
    this.health.check();
    if (src.size !== dst.size) {
      throw new ShapeError(`copy: '${src.label}' ${shapeStr(src.shape)} and '${dst.label}' ${shapeStr(dst.shape)} differ in size`);
    }
    if (src.byteLength === 0) return;
    this.recorder.copyEncoder().copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, src.byteLength);
    this.recorder.recorded();
  }

  dispose(t: Tensor | undefined | null, keep: GpuTensor | null): void {
    if (!t) return;
    if (!(t instanceof GpuTensor) || t.ctx !== this.owner) throw new TypeError('dispose: not a tensor of this WebGPU backend');
    if (t === keep) return;
    if (!t.markDisposed()) return;
    const s = t.storage;
    if (--s.refs === 0 && !this.health.destroyed) this.pool.release(s.buffer, s.capacity, s.id);
  }
}
