// Uniform values of every dispatch in a step live in their own 256-byte-aligned slot
// of a per-step arena (a few 64 KiB buffers reused from step to step), so many
// dispatches can be recorded before a single submit without overwriting each other.

import { DeviceLimitError } from '../../errors';

const ARENA_CHUNK = 64 * 1024;

export interface ArenaChunk {
  buffer: GPUBuffer;
  bytes: Uint8Array<ArrayBuffer>;
  used: number;
  id: number;
}

/** Per-step uniform slots: CPU-side copies filled while recording, uploaded once at flush. */
export class UniformArena {
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
