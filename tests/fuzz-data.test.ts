// Seeded mutation fuzzing of the data formats: idx, idx.gz, CSV, CIFAR-10 batches and
// manifest.json (through the loader, as the page reads it). Every input ends in a parse
// or a DataFormatError with a message, returns well within a hang bound, and makes the
// parsers allocate at most a small multiple of its size (counted, not sampled: every
// output array comes from src/nn/data/alloc.ts). For gzip the size is that of the input
// plus the bytes it really inflates to (measured with node:zlib, independently).
// A failure names its seed: fuzz(...) with that seed and count 1 replays it.

import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/engine/random';
import {
  clearDatasetCache,
  decodeIdxPair,
  fetcherFromReadFile,
  loadDataset,
  parseCifar10,
  parseCsv,
  type CsvOptions,
  type Manifest,
} from '../src/nn/data';
import { idxImages, idxLabels } from './fixtures/data-node';
import { failures, fuzz, mutateBytes, mutateJsonText, type FuzzCase } from './helpers/fuzz';

const N = 1000;
const META = { name: 'MNIST', part: 'train', split: 'train', source: 'fuzz', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };

const IMAGES = idxImages(20, 6, 5, (i, r, c) => (i * 37 + r * 11 + c * 3) & 255);
const LABELS = idxLabels(Array.from({ length: 20 }, (_, i) => i % 10));
const IDX_FIELDS = { images: [0, 4, 8, 12], labels: [0, 4] };

/** bytes a gzip stream really inflates to before it ends or breaks (node:zlib) */
function inflatedLength(gz: Uint8Array): Promise<number> {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) return Promise.resolve(gz.length);
  return new Promise((resolve) => {
    const z = createGunzip();
    let n = 0;
    z.on('data', (c: Buffer) => (n += c.length));
    z.on('error', () => resolve(n));
    z.on('end', () => resolve(n));
    z.end(gz);
  });
}

describe('fuzz: binary formats', () => {
  it(`idx: ${N} mutated image/label pairs end in a parse or a DataFormatError, allocating ≤ 8× the input`, async () => {
    const r = await fuzz<{ images: Uint8Array; labels: Uint8Array }>({
      format: 'idx',
      count: N,
      seed: 1_000_000,
      make: (rng) => {
        const which = rng.int(3);
        const img = which !== 1 ? mutateBytes(rng, IMAGES, IDX_FIELDS.images) : { input: IMAGES, how: '' };
        const lab = which !== 0 ? mutateBytes(rng, LABELS, IDX_FIELDS.labels) : { input: LABELS, how: '' };
        return { input: { images: img.input, labels: lab.input }, how: [img.how && `images: ${img.how}`, lab.how && `labels: ${lab.how}`].filter(Boolean).join('; ') };
      },
      run: (x) => decodeIdxPair(x.images, x.labels, META),
      size: (x) => x.images.length + x.labels.length,
    });
    expect(failures(r)).toBe('');
    expect(r.tried).toBe(N);
    expect(r.parsed + r.errors).toBe(N);
    expect(r.errors).toBeGreaterThan(N / 2);
  });

  it(`idx.gz: ${N} mutated gzip files (bit flips, truncations, lying trailers) inflate as a bounded stream`, async () => {
    const gzImages = new Uint8Array(gzipSync(IMAGES));
    const gzLabels = new Uint8Array(gzipSync(LABELS));
    // gzip: byte 3 flags, 4–7 mtime; the trailer's CRC-32 at −8 and size at −4 (little-endian)
    const fields = [0, 4];
    const trailer = [-8, -4];
    const r = await fuzz<{ images: Uint8Array; labels: Uint8Array }>({
      format: 'idx.gz',
      count: N,
      seed: 2_000_000,
      make: (rng) => {
        const onImages = rng.uniform() < 0.7;
        const m = mutateBytes(rng, onImages ? gzImages : gzLabels, fields, trailer);
        return { input: onImages ? { images: m.input, labels: gzLabels } : { images: gzImages, labels: m.input }, how: `${onImages ? 'images' : 'labels'}: ${m.how}` };
      },
      run: (x) => decodeIdxPair(x.images, x.labels, META),
      size: (x) => x.images.length + x.labels.length,
      allowed: async (x) => 8 * (x.images.length + x.labels.length + (await inflatedLength(x.images)) + (await inflatedLength(x.labels))) + 4096,
    });
    expect(failures(r)).toBe('');
    expect(r.parsed + r.errors).toBe(N);
  });

  it(`CIFAR-10: ${N} mutated batches end in a parse or a DataFormatError, allocating ≤ 8× the input`, async () => {
    const RECORD = 3073;
    const base = new Uint8Array(3 * RECORD);
    for (let i = 0; i < 3; i++) {
      base[i * RECORD] = (i * 3) % 10;
      for (let p = 1; p < RECORD; p++) base[i * RECORD + p] = (i * 31 + p * 7) & 255;
    }
    const r = await fuzz<Uint8Array>({
      format: 'CIFAR-10',
      count: N,
      seed: 3_000_000,
      make: (rng) => mutateBytes(rng, base, [0, RECORD, 2 * RECORD]),
      run: (x) => parseCifar10(x),
      size: (x) => x.length,
    });
    expect(failures(r)).toBe('');
    expect(r.parsed + r.errors).toBe(N);
  });
});

// ── CSV ────────────────────────────────────────────────────────────────────────

const IRIS_ROWS = [
  'sepal_length,sepal_width,petal_length,petal_width,species',
  ...Array.from({ length: 30 }, (_, i) => {
    const k = i % 3;
    return `${(4.5 + k + (i % 7) * 0.1).toFixed(1)},${(3 + (i % 5) * 0.1).toFixed(1)},${(1.4 + 2 * k).toFixed(1)},${(0.2 + k * 0.8).toFixed(1)},${['setosa', 'versicolor', 'virginica'][k]}`;
  }),
];
const NUMERIC_ROWS = ['a,b,c,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i * 0.5},-${i}e-3,${i % 4}`)];

const HOSTILE_CELLS = [
  '1e39', '-1e39', '1e999', '-1e999', '3.4028236e38', 'NaN', 'Infinity', '-Infinity', '1e6', '1e8', '2147483648', '4294967296', '9007199254740993',
  '1'.repeat(40_000) + 'x', '9'.repeat(400), '0x10', '1,5', '"', '""', '"a,b"', '"unclosed', '', ' ', '\r', '\n', ',', '-', '.', 'e5', '1e', '+.5', '1.5e-50',
];

function mutateCsv(rng: Rng): FuzzCase<{ text: string; opts: CsvOptions }> {
  const numeric = rng.uniform() < 0.4;
  const rows = [...(numeric ? NUMERIC_ROWS : IRIS_ROWS)];
  const opts: CsvOptions = numeric
    ? [{ label: 'label' }, { label: -1 }, { label: 3, task: 'regression' as const }, { label: 0, header: false }][rng.int(4)]!
    : [{ label: 'species' }, { label: -1 }, { label: 4, header: true }][rng.int(3)]!;
  const edits: string[] = [];
  const n = 1 + rng.int(3);
  for (let e = 0; e < n; e++) {
    const i = rng.int(rows.length);
    const cells = rows[i]!.split(',');
    switch (rng.int(8)) {
      case 0:
      case 1:
      case 2: {
        const j = rng.int(cells.length);
        const h = HOSTILE_CELLS[rng.int(HOSTILE_CELLS.length)]!;
        cells[j] = h;
        rows[i] = cells.join(',');
        edits.push(`row ${i + 1} cell ${j} = ${JSON.stringify(h.length > 20 ? h.slice(0, 8) + `…(${h.length})` : h)}`);
        break;
      }
      case 3: {
        // a wide header (25,000 columns) over rows of the usual width
        const w = [10, 1000, 25_000][rng.int(3)]!;
        rows[0] = Array.from({ length: w }, (_, k) => `c${k}`).join(',') + ',species,label';
        edits.push(`header of ${w + 2} columns`);
        break;
      }
      case 4:
        rows.splice(i, 1);
        edits.push(`row ${i + 1} deleted`);
        break;
      case 5:
        rows.splice(i, 0, rows[i]!);
        edits.push(`row ${i + 1} duplicated`);
        break;
      case 6:
        cells.splice(rng.int(cells.length), rng.uniform() < 0.5 ? 1 : 0, ...(rng.uniform() < 0.5 ? ['7'] : []));
        rows[i] = cells.join(',');
        edits.push(`row ${i + 1} has ${cells.length} cells`);
        break;
      default: {
        const text = rows[i]!;
        const at = rng.int(text.length + 1);
        const ch = '",\n\r;x 9.e-'[rng.int(11)]!;
        rows[i] = text.slice(0, at) + ch + text.slice(at + 1);
        edits.push(`row ${i + 1} char ${at} = ${JSON.stringify(ch)}`);
      }
    }
  }
  let text = rows.join(rng.uniform() < 0.8 ? '\n' : '\r\n');
  if (rng.uniform() < 0.1) {
    const cut = rng.int(text.length);
    text = text.slice(0, cut);
    edits.push(`truncated to ${cut} characters`);
  }
  return { input: { text, opts }, how: `${JSON.stringify(opts)}: ${edits.join(', ')}` };
}

describe('fuzz: CSV', () => {
  it(`CSV: ${N} mutated files (hostile numbers, wide headers, huge labels, broken quotes) end in a parse or a DataFormatError`, async () => {
    const r = await fuzz({
      format: 'CSV',
      count: N,
      seed: 4_000_000,
      make: mutateCsv,
      run: (x) => {
        const ds = parseCsv(x.text, x.opts);
        // a parse holds float32-representable values only
        for (const v of ds.features) if (!Number.isFinite(v)) throw new Error(`non-finite feature ${v}`);
        return ds;
      },
      size: (x) => x.text.length,
    });
    expect(failures(r)).toBe('');
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.errors).toBeGreaterThan(0);
  });
});

// ── manifest.json, through the loader ──────────────────────────────────────────

const IRIS_CSV = new TextEncoder().encode(IRIS_ROWS.join('\n') + '\n');
const MNIST_FILES = {
  'train-images': idxImages(20, 28, 28, (i, r, c) => (i + r * c) & 255),
  'train-labels': idxLabels(Array.from({ length: 20 }, (_, i) => i % 10)),
  'test-images': idxImages(10, 28, 28, (i, r, c) => (i * r + c) & 255),
  'test-labels': idxLabels(Array.from({ length: 10 }, (_, i) => (i * 3) % 10)),
};
const FILES: Record<string, Uint8Array> = { 'iris.csv': IRIS_CSV };
for (const [role, raw] of Object.entries(MNIST_FILES)) FILES[`mnist/${role}.gz`] = new Uint8Array(gzipSync(raw));

const MANIFEST: Manifest = {
  version: 1,
  datasets: {
    iris: {
      title: 'Iris',
      source: 'fuzz',
      split: { kind: 'seeded-stratified', total: 30, testFraction: 0.2 },
      files: { csv: { path: 'iris.csv', bytes: IRIS_CSV.length, rawBytes: IRIS_CSV.length } },
      notes: [],
      stamp: 'x',
    },
    mnist: {
      title: 'MNIST',
      source: 'fuzz',
      split: { kind: 'official', train: 20, test: 10 },
      files: Object.fromEntries(
        Object.entries(MNIST_FILES).map(([role, raw]) => [
          role,
          { path: `mnist/${role}.gz`, bytes: FILES[`mnist/${role}.gz`]!.length, rawBytes: raw.length, ...(role.endsWith('images') ? { shape: [role.startsWith('train') ? 20 : 10, 28, 28] } : {}) },
        ]),
      ),
      notes: ['fuzz'],
      stamp: 'y',
    },
  },
};
// bytes of the files as read and as inflated
const FILE_BYTES = Object.values(FILES).reduce((s, b) => s + b.length, 0) + Object.values(MNIST_FILES).reduce((s, b) => s + b.length, 0);

describe('fuzz: manifest.json', () => {
  it(`manifest: ${N} mutated manifests (null files, testFraction 1.5, notes: true, lying sizes) load or are refused with a DataFormatError`, async () => {
    // one unmutated load first: the fixture itself is valid
    const good = fetcherFromReadFile(async (p) => (p === 'manifest.json' ? new TextEncoder().encode(JSON.stringify(MANIFEST)) : FILES[p]!));
    clearDatasetCache();
    expect((await loadDataset('iris', { fetcher: good })).train.shape[1]).toBe(4);
    expect((await loadDataset('mnist', { fetcher: good })).test?.shape).toEqual([10, 28, 28, 1]);

    const r = await fuzz<{ text: string; name: 'iris' | 'mnist' }>({
      format: 'manifest',
      count: N,
      seed: 5_000_000,
      make: (rng) => {
        const m = mutateJsonText(rng, MANIFEST);
        const name = rng.uniform() < 0.5 ? 'iris' : 'mnist';
        return { input: { text: m.input, name }, how: `${name}: ${m.how}` };
      },
      run: async (x) => {
        clearDatasetCache();
        const manifest = new TextEncoder().encode(x.text);
        const fetcher = fetcherFromReadFile(async (p) => {
          const b = p === 'manifest.json' ? manifest : FILES[p];
          if (!b) throw new Error(`no file ${p}`);
          return b;
        });
        return loadDataset(x.name, { fetcher });
      },
      // the input is the manifest and the files it points at; a size it claims presizes a body buffer by at most 1 MiB
      size: (x) => x.text.length + FILE_BYTES,
      allowed: (x) => 8 * (x.text.length + FILE_BYTES) + (1 << 20),
    });
    clearDatasetCache();
    expect(failures(r)).toBe('');
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.errors).toBeGreaterThan(0);
  });
});
