// Seeded mutation fuzzing for the parsers. Each input is made from a seed (so a failure
// is replayed by its seed alone) and must end in a parse or in a DataFormatError with a
// message; anything else is a crash. Per input the parsers' output allocations are
// counted (src/nn/data/alloc.ts) and compared with a bound the format gives (a small
// multiple of the input's size); a run that returns after more than HANG_MS is a hang
// (a generous bound meant to catch runaway loops, not a timing measure).

import { Rng } from '../../src/engine/random';
import { allocationCount, DataFormatError, resetAllocationCount } from '../../src/nn/data';

export const HANG_MS = 2000;

export interface FuzzCase<I> {
  input: I;
  /** how the input was made, e.g. "bit flips ×3" */
  how: string;
}

export interface FuzzReport {
  format: string;
  tried: number;
  parsed: number;
  errors: number;
  crashes: number;
  hangs: number;
  oversized: number;
  /** largest allocation seen, as a multiple of its input's size */
  worstRatio: number;
  firstFailure: { seed: number; how: string; what: string } | null;
}

export interface FuzzOptions<I> {
  format: string;
  count: number;
  /** the first seed; input k uses seed + k */
  seed: number;
  make(rng: Rng, seed: number): FuzzCase<I>;
  /** parse the input (throwing a DataFormatError to refuse it) */
  run(input: I): unknown;
  /** the input's size in bytes (characters for text) */
  size(input: I): number;
  /** most bytes the parsers may allocate for this input (default 8 × size + 1 KiB) */
  allowed?(input: I): number | Promise<number>;
  /** bytes the run made where they are not counted by the data allocator (default: its count) */
  made?(): number;
  /** a check of the error besides its type (e.g. no raw TypeError text in a reply) */
  checkError?(e: DataFormatError): string | null;
}

/** the text of a raw engine error (a TypeError, a RangeError) carried inside a DataFormatError */
const RAW = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Invalid (typed )?array length|Array buffer allocation failed|Maximum call stack/;

function rawText(e: Error): string | null {
  return RAW.test(e.message) ? `a raw engine error inside the message: ${e.message.slice(0, 200)}` : null;
}

export async function fuzz<I>(o: FuzzOptions<I>): Promise<FuzzReport> {
  const r: FuzzReport = { format: o.format, tried: 0, parsed: 0, errors: 0, crashes: 0, hangs: 0, oversized: 0, worstRatio: 0, firstFailure: null };
  const failed = (seed: number, how: string, what: string) => {
    r.firstFailure ??= { seed, how, what };
  };
  // FUZZ_MESSAGES=1 prints the distinct refusals (numbers masked) with their counts
  const messages = process.env.FUZZ_MESSAGES ? new Map<string, number>() : null;
  for (let k = 0; k < o.count; k++) {
    const seed = o.seed + k;
    const c = o.make(new Rng(seed), seed);
    r.tried++;
    resetAllocationCount();
    const t0 = performance.now();
    try {
      await o.run(c.input);
      r.parsed++;
    } catch (e) {
      const bad = e instanceof DataFormatError ? (!e.message ? 'a DataFormatError without a message' : (rawText(e) ?? o.checkError?.(e) ?? null)) : null;
      if (e instanceof DataFormatError && !bad) {
        r.errors++;
        if (messages) {
          const key = e.message.replace(/\d+(\.\d+)?/g, '#').slice(0, 140);
          messages.set(key, (messages.get(key) ?? 0) + 1);
        }
      }
      else {
        r.crashes++;
        failed(seed, c.how, bad ?? `crash: ${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
      }
    }
    const ms = performance.now() - t0;
    const bytes = o.made ? o.made() : allocationCount();
    const size = Math.max(1, o.size(c.input));
    const allowed = o.allowed ? await o.allowed(c.input) : 8 * size + 1024;
    r.worstRatio = Math.max(r.worstRatio, bytes / size);
    if (ms > HANG_MS) {
      r.hangs++;
      failed(seed, c.how, `hang: ${ms.toFixed(0)} ms for one input`);
    }
    if (bytes > allowed) {
      r.oversized++;
      failed(seed, c.how, `allocated ${bytes} bytes for a ${size}-byte input (allowed ${allowed})`);
    }
  }
  if (messages) for (const [m, n] of [...messages].sort((a, b) => b[1] - a[1])) console.log(`  ${n}× ${m}`);
  const f = r.firstFailure;
  console.log(
    `fuzz ${r.format}: inputs tried ${r.tried} / errors ${r.errors} / crashes ${r.crashes} / hangs ${r.hangs} / oversized ${r.oversized}` +
      ` (parsed ${r.parsed}, largest allocation ${r.worstRatio.toFixed(1)}× the input)` +
      (f ? `; first failing seed ${f.seed} (${f.how}): ${f.what}` : ''),
  );
  return r;
}

/** "" when the report is clean, else the line a failing test shows */
export function failures(r: FuzzReport): string {
  if (r.crashes + r.hangs + r.oversized === 0) return '';
  const f = r.firstFailure!;
  return `${r.format}: ${r.crashes} crashes, ${r.hangs} hangs, ${r.oversized} oversized; first failing seed ${f.seed} (${f.how}): ${f.what}`;
}

// ── byte mutations ─────────────────────────────────────────────────────────────

export const HUGE = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xffff, 2 ** 24, 60000];

/**
 * One seeded mutation of `base`: bit flips, truncation, a lying big-endian u32 at one of
 * `fields` (header counts) or anywhere, bytes set to 0x00/0xff, a chunk deleted,
 * duplicated or inserted, junk appended. `littleFields` are little-endian u32s (a gzip
 * trailer's size).
 */
export function mutateBytes(rng: Rng, base: Uint8Array, fields: number[] = [], littleFields: number[] = []): FuzzCase<Uint8Array> {
  const b = base.slice();
  const pos = () => rng.int(Math.max(1, b.length));
  const u32 = () => (rng.uniform() < 0.7 ? HUGE[rng.int(HUGE.length)]! : Math.floor(rng.uniform() * 2 ** 32));
  const put = (arr: Uint8Array, at: number, v: number, little: boolean) => {
    if (at < 0 || at + 4 > arr.length) return;
    new DataView(arr.buffer, arr.byteOffset).setUint32(at, v >>> 0, little);
  };
  switch (rng.int(9)) {
    case 0: {
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) b[pos()]! ^= 1 << rng.int(8);
      return { input: b, how: `${n} bit flips` };
    }
    case 1: {
      const n = rng.int(b.length);
      return { input: b.subarray(0, n), how: `truncated to ${n} bytes` };
    }
    case 2: {
      if (fields.length === 0 && littleFields.length === 0) break;
      const all = [...fields.map((f) => [f, 0]), ...littleFields.map((f) => [f, 1])];
      const [at, little] = all[rng.int(all.length)]!;
      const v = u32();
      put(b, at! < 0 ? b.length + at! : at!, v, little === 1);
      return { input: b, how: `lying ${little ? 'little' : 'big'}-endian u32 ${v} at ${at}` };
    }
    case 3: {
      const at = pos() & ~3;
      const v = u32();
      put(b, at, v, false);
      return { input: b, how: `u32 ${v} at ${at}` };
    }
    case 4: {
      const n = 1 + rng.int(16);
      const v = rng.uniform() < 0.5 ? 0 : 0xff;
      for (let i = 0; i < n; i++) b[pos()] = v;
      return { input: b, how: `${n} bytes set to ${v}` };
    }
    case 5: {
      const at = pos();
      const n = 1 + rng.int(Math.max(1, b.length - at));
      const out = new Uint8Array(b.length - Math.min(n, b.length - at));
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + n), at);
      return { input: out, how: `${n} bytes deleted at ${at}` };
    }
    case 6: {
      const at = pos();
      const n = 1 + rng.int(64);
      const chunk = b.subarray(at, at + n);
      const out = new Uint8Array(b.length + chunk.length);
      out.set(b.subarray(0, at + chunk.length));
      out.set(chunk, at + chunk.length);
      out.set(b.subarray(at + chunk.length), at + 2 * chunk.length);
      return { input: out, how: `${chunk.length} bytes duplicated at ${at}` };
    }
    case 7: {
      const n = 1 + rng.int(100);
      const out = new Uint8Array(b.length + n);
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = rng.int(256);
      return { input: out, how: `${n} junk bytes appended` };
    }
    default:
      break;
  }
  const n = 1 + rng.int(32);
  for (let i = 0; i < n; i++) b[pos()] = rng.int(256);
  return { input: b, how: `${n} random bytes` };
}

// ── value mutations (parsed JSON) ──────────────────────────────────────────────

export const HOSTILE_VALUES: unknown[] = [
  null, true, false, '5', '', 'x', [], {}, [1], 0, -1, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 31), 1e8, 1e39, 1e308, -1e308,
  Number.MAX_VALUE, Number.MIN_VALUE, { length: 2 ** 31 }, [null], ['5'], [2 ** 31], [1e8], [100000000],
];

/** every [container, key] pair in a JSON value, depth-first */
function slots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([v as never, i]), slots(x, out)));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push([v as never, k]), slots(x, out);
  return out;
}

/**
 * One seeded mutation of a JSON value (a copy): 1–3 of: a slot set to a hostile value,
 * a slot deleted, an array emptied or doubled, a number scaled to a huge count, a key
 * renamed.
 */
export function mutateValue(rng: Rng, base: unknown): FuzzCase<unknown> {
  const v = structuredClone(base);
  const edits: string[] = [];
  const n = 1 + rng.int(3);
  for (let e = 0; e < n; e++) {
    const all = slots(v);
    if (all.length === 0) break;
    // half the edits prefer slots near the top: they name the structure (shapes, counts, configs)
    const u = rng.uniform() < 0.5 ? rng.uniform() : rng.uniform() ** 3;
    const [obj, key] = all[Math.min(all.length - 1, Math.floor(all.length * u))]!;
    const path = String(key);
    switch (rng.int(6)) {
      case 0:
      case 1: {
        const h = HOSTILE_VALUES[rng.int(HOSTILE_VALUES.length)];
        obj[key] = structuredClone(h);
        edits.push(`${path} = ${JSON.stringify(h)}`);
        break;
      }
      case 2:
        if (Array.isArray(obj)) obj.splice(Number(key), 1);
        else delete obj[key];
        edits.push(`${path} deleted`);
        break;
      case 3: {
        const x = obj[key];
        if (Array.isArray(x)) {
          if (rng.uniform() < 0.5) x.length = 0;
          else x.push(...structuredClone(x));
          edits.push(`${path} emptied or doubled`);
        } else {
          obj[key] = typeof x === 'number' ? x * 2 ** (8 + rng.int(24)) : null;
          edits.push(`${path} scaled`);
        }
        break;
      }
      case 4: {
        const x = obj[key];
        obj[key] = typeof x === 'number' ? -x : typeof x === 'string' ? x + 'x' : [x];
        edits.push(`${path} changed`);
        break;
      }
      default:
        if (!Array.isArray(obj)) {
          obj[`${path}_`] = obj[key];
          delete obj[key];
          edits.push(`${path} renamed`);
        } else {
          obj[key] = String(obj[key]);
          edits.push(`${path} as text`);
        }
    }
  }
  return { input: v, how: edits.join(', ') };
}

/** A seeded mutation of JSON text: truncated, a character changed or deleted, or the value mutated. */
export function mutateJsonText(rng: Rng, base: unknown): FuzzCase<string> {
  const text = JSON.stringify(base);
  const r = rng.uniform();
  if (r < 0.15) {
    const n = rng.int(text.length);
    return { input: text.slice(0, n), how: `text truncated to ${n} characters` };
  }
  if (r < 0.3) {
    const at = rng.int(text.length);
    const ch = '{}[]",:0123456789.eE-+ntfx'[rng.int(26)]!;
    return { input: text.slice(0, at) + ch + text.slice(at + 1), how: `character ${at} set to ${ch}` };
  }
  const m = mutateValue(rng, base);
  return { input: JSON.stringify(m.input), how: m.how };
}
