// Storage buffers reused by size: the tensors' pool and the readback (MAP_READ) buffers.

/**
 * Size-bucketed pool of storage buffers. Buckets are powers of two split in quarters
 * (…, 1024, 1280, 1536, 1792, 2048, …) so a reused buffer wastes at most 25%.
 * A buffer is reused as soon as its tensor is disposed: work already recorded in this
 * step's encoder runs before any later use, so reuse within a step is safe.
 */
export class BufferPool {
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

/** MAP_READ buffers by capacity, each reused by the next read of its size. */
export class ReadbackPool {
  private free = new Map<number, GPUBuffer[]>();

  constructor(
    private device: GPUDevice,
    private label: string,
  ) {}

  take(capacity: number): GPUBuffer {
    return (
      this.free.get(capacity)?.pop() ??
      this.device.createBuffer({
        label: `${this.label}:readback ${capacity}`,
        size: capacity,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      })
    );
  }

  give(capacity: number, buffer: GPUBuffer): void {
    let list = this.free.get(capacity);
    if (!list) this.free.set(capacity, (list = []));
    list.push(buffer);
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
