// Bytes in: reading a response body with progress, recognizing gzip by its magic
// bytes and inflating it with DecompressionStream (browser, worker and Node ≥ 18).

import { allocU8 } from './alloc';
import { DataFormatError, humanBytes } from './errors';

/** gzip members start with 0x1f 0x8b */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A short printable preview of the first bytes, for error messages. */
export function preview(bytes: Uint8Array, n = 16): string {
  const head = bytes.subarray(0, n);
  const text = String.fromCharCode(...head);
  if (/^[\x20-\x7e\t\r\n]*$/.test(text)) return JSON.stringify(text);
  return Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** "…, an HTML page: the file is probably missing" when the bytes look like one. */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = String.fromCharCode(...bytes.subarray(0, 64)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** A claimed size presizes a body's buffer up to 1 MiB; beyond, the buffer doubles as bytes arrive. */
const PRESIZE_MAX = 1 << 20;

async function collect(
  stream: ReadableStream<Uint8Array>,
  what: string,
  limit: number,
  sizeHint: number | undefined,
  onBytes?: (n: number) => void,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  // a claimed size (Content-Length, the manifest) presizes at most 1 MiB: the buffer
  // grows with the bytes that really arrive, never ahead of them
  const first = sizeHint && Number.isSafeInteger(sizeHint) && sizeHint > 0 ? Math.min(sizeHint, limit, PRESIZE_MAX) : 1 << 16;
  let buf = allocU8(first);
  let len = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (len + value.length > limit) {
      await reader.cancel().catch(() => {});
      throw new DataFormatError(
        `${what}: more than ${limit} bytes (${humanBytes(limit)}), over the limit maxBytes; ` +
          'raise maxBytes if the device has the memory.',
      );
    }
    if (len + value.length > buf.length) {
      const grown = allocU8(Math.min(limit, Math.max(buf.length * 2, len + value.length)));
      grown.set(buf.subarray(0, len));
      buf = grown;
    }
    buf.set(value, len);
    len += value.length;
    onBytes?.(len);
  }
  return len === buf.length ? buf : buf.slice(0, len);
}

/**
 * Inflates gzip data as a stream (DecompressionStream: native in browsers, workers and
 * Node ≥ 18; it checks the trailer's CRC-32 and size). The output grows with the bytes
 * inflated so far, never presized from the trailer's claim, and more than `maxBytes` is
 * refused as soon as it is passed: a truncated, lying or hostile file cannot exhaust
 * memory. Corrupt data is refused with the file's name.
 */
export async function gunzip(bytes: Uint8Array, what: string, maxBytes = 2 ** 31): Promise<Uint8Array> {
  const n = bytes.length;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    // start at 4× the compressed size (at least 1 KiB, at most 64 KiB) and double as it inflates
    const start = Math.min(1 << 16, Math.max(1024, 4 * n));
    return await collect(stream as ReadableStream<Uint8Array>, `${what} (gzip, decompressed)`, maxBytes, start);
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(
      `${what}: the gzip data is corrupt or truncated (${n} bytes; ${(e as Error)?.message ?? e})`,
    );
  }
}

/** The bytes themselves, or their decompression when they start with the gzip magic. */
export async function maybeGunzip(bytes: Uint8Array, what: string, maxBytes?: number): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, what, maxBytes) : bytes;
}

/**
 * Reads a whole response body, calling onBytes(received so far) per chunk.
 * `sizeHint` (Content-Length or the manifest's size) presizes the buffer, up to 1 MiB.
 */
export async function readBody(
  res: Response,
  what: string,
  opts: { sizeHint?: number; maxBytes?: number; onBytes?: (n: number) => void } = {},
): Promise<Uint8Array> {
  const limit = opts.maxBytes ?? 2 ** 31;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  // Content-Length counts the bytes on the wire: with a Content-Encoding the body is larger
  const len = res.headers.get('content-encoding') ? NaN : Number(res.headers.get('content-length') ?? NaN);
  const hint = Number.isFinite(len) && len > 0 ? len : opts.sizeHint;
  return collect(res.body, what, limit, hint, opts.onBytes);
}
