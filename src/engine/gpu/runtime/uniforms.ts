// Uniform values of every dispatch in a step live in their own 256-byte-aligned slot
// of a per-step arena (a few 64 KiB buffers reused from step to step), so many
// dispatches can be recorded before a single submit without overwriting each other. The
// values are packed by the struct's layout as the WGSL declares it (UniformWriter).

import { DeviceLimitError } from '../../errors';
import type { UniformField } from './reflection';

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

/** where one field of a uniform struct goes: 32-bit elements from `index`, in columns */
interface FieldSlot {
  name: string;
  type: string;
  scalar: 'u32' | 'i32' | 'f32';
  /** offset / 4 */
  index: number;
  /** 1 for a scalar or vector; C for a matCxR */
  columns: number;
  /** 1 for a scalar; N for a vecN; R for a matCxR */
  rows: number;
  /** elements from one column to the next: a vec2 column is 8-byte aligned, vec3 and vec4 16 */
  stride: number;
}

const SCALAR = /^([uif])32$/;
const VECTOR = /^vec([234])(?:<([uif])32>|([uif]))$/;
const MATRIX = /^mat([234])x([234])(?:<f32>|f)$/;

function fieldSlot(name: string, type: string, offset: number): FieldSlot | null {
  const kind = (c: string) => `${c}32` as FieldSlot['scalar'];
  let m: RegExpExecArray | null;
  if ((m = SCALAR.exec(type))) return { name, type, scalar: kind(m[1]!), index: offset / 4, columns: 1, rows: 1, stride: 1 };
  if ((m = VECTOR.exec(type))) return { name, type, scalar: kind(m[2] ?? m[3]!), index: offset / 4, columns: 1, rows: Number(m[1]), stride: 1 };
  if ((m = MATRIX.exec(type))) {
    const rows = Number(m[2]);
    return { name, type, scalar: 'f32', index: offset / 4, columns: Number(m[1]), rows, stride: rows === 2 ? 2 : 4 };
  }
  return null;
}

/**
 * Packs a dispatch's params into the bytes of one uniform struct, by the field offsets
 * and types reflected from the WGSL (runtime/reflection.ts). A u32/i32/f32 field takes a
 * number; a vecN field N numbers; a matCxR field C·R numbers, column by column (the
 * padding of 3-row columns is the writer's). Every field must be given, and nothing else.
 */
export class UniformWriter {
  /** the struct's bytes after the last write (padding zero) */
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly fields: string[];
  private slots: FieldSlot[];
  private views: Record<FieldSlot['scalar'], Uint32Array | Int32Array | Float32Array>;

  /** `kernel` and `name` (the WGSL variable) name the struct in errors */
  constructor(
    readonly kernel: string,
    readonly name: string,
    readonly size: number,
    fields: Readonly<Record<string, UniformField>>,
  ) {
    this.fields = Object.keys(fields);
    this.slots = this.fields.map((f) => {
      const { offset, type } = fields[f]!;
      const slot = fieldSlot(f, type, offset);
      if (!slot) throw new Error(`kernel ${kernel}: field '${f}' of '${name}' is a ${type}; uniform fields are u32, i32, f32 and their vectors and matrices`);
      return slot;
    });
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.views = { u32: new Uint32Array(buffer), i32: new Int32Array(buffer), f32: new Float32Array(buffer) };
  }

  /** writes `params` into `bytes`; throws naming the dispatch (`label`), the kernel and the field */
  write(params: Readonly<Record<string, number | ArrayLike<number>>> | undefined, label: string): Uint8Array<ArrayBuffer> {
    const at = `${label}: kernel ${this.kernel}`;
    if (!params) throw new Error(`${at} needs params {${this.fields.join(', ')}}`);
    for (const f in params) {
      if (!this.fields.includes(f)) throw new Error(`${at}: '${this.name}' has no field '${f}' (fields: ${this.fields.join(', ')})`);
    }
    for (const s of this.slots) {
      const v = params[s.name];
      if (v === undefined) throw new Error(`${at}: param '${s.name}' of '${this.name}' is missing (fields: ${this.fields.join(', ')})`);
      const view = this.views[s.scalar];
      if (s.rows === 1) {
        if (typeof v !== 'number') throw new Error(`${at}: param '${s.name}' of '${this.name}' is a ${s.type}: give a number`);
        view[s.index] = v;
        continue;
      }
      const n = s.columns * s.rows;
      if (typeof v === 'number' || v.length !== n) {
        throw new Error(`${at}: param '${s.name}' of '${this.name}' is a ${s.type}: give ${n} numbers${s.columns > 1 ? ', column by column' : ''}, not ${typeof v === 'number' ? 'one' : v.length}`);
      }
      for (let c = 0; c < s.columns; c++) {
        for (let r = 0; r < s.rows; r++) view[s.index + c * s.stride + r] = v[c * s.rows + r]!;
      }
    }
    return this.bytes;
  }
}
