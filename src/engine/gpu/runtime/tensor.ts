// A tensor on the GPU: `size` elements of a pooled storage buffer, from a byte offset.

import type { DType, Tensor } from '../../backend';
import { shapeStr, sizeOf, type Shape } from '../../geometry';
import type { GpuContext } from '../context';

/** Bytes per element: both f32 and u32 are 4 bytes. */
export const ELEMENT_BYTES = 4;

/** A GPU buffer shared by a tensor and its reshaped aliases. */
export class Storage {
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

/**
 * Bytes bound for a tensor: its data rounded up to 16, so a kernel may read it as
 * array<vec4<f32>>. Within the buffer: capacities are multiples of 64 bytes and views
 * start at 256-byte offsets, so the rounding never reaches another view's data.
 */
export function bindingSize(t: GpuTensor): number {
  return Math.ceil(Math.max(t.byteLength, ELEMENT_BYTES) / 16) * 16;
}
