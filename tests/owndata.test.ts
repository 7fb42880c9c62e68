// The student's own data: dropped files parsed in the worker with the package's parsers
// (CSV, idx / idx.gz pairs, CIFAR-10 batches), previewed, refused with the parser's
// message when malformed, and trained on through the worker protocol (in-process, on the
// CPU reference, over a MessageChannel: structured clone as in the browser).

import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { Rng } from '../src/engine/random';
import { DataFormatError } from '../src/nn/data';
import { TrainingClient, type PortLike } from '../src/train/client';
import { createMessageHandler } from '../src/train/handler';
import { loadSessionData } from '../src/train/data';
import { defaultLabelColumn, formatOfName, OWN_FILE_MAX_BYTES, previewOwnData, type OwnDataSource } from '../src/train/own-data';
import { parseRequest, type MetricEvent, type MetricsBatch, type SessionConfig } from '../src/train/protocol';
import { idxImages, idxLabels } from './fixtures/data-node';
import { checkFiles } from '../src/ui/FileDrop';
import { normalizeModelConfig } from '../src/nn/model';
import { modelShapes } from '../src/nn/serialize';
import { EXPERIMENTS } from '../src/train/experiments';

const enc = (s: string) => new TextEncoder().encode(s);

/** two Gaussian blobs in 3-D, 40 rows each, a text label column last */
function blobsCsv(n = 40, seed = 3): string {
  const rng = new Rng(seed);
  const lines = ['x1,x2,x3,kind'];
  for (let i = 0; i < 2 * n; i++) {
    const k = i % 2;
    const c = k === 0 ? [-2, 0, 1] : [2, 1, -1];
    lines.push([...c.map((m) => (m + 0.7 * rng.normal()).toFixed(3)), k === 0 ? 'left' : 'right'].join(','));
  }
  return lines.join('\n') + '\n';
}

const csv = (text: string, labelColumn?: number): OwnDataSource => ({ format: 'csv', files: [{ name: 'mine.csv', bytes: enc(text) }], labelColumn });

/** idx3 images whose value is a function of the flat pixel index (n, rows, cols) */
const idx3 = (count: number, rows: number, cols: number, px: (i: number) => number) => idxImages(count, rows, cols, (i, r, c) => px((i * rows + r) * cols + c));
const idx1 = idxLabels;

async function gzip(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe('own data: preview', () => {
  it('a CSV with a header and text labels: rows, columns, classes with counts, the first rows, the seeded stratified split', async () => {
    const p = await previewOwnData(csv(blobsCsv()), 7);
    expect(p).toMatchObject({ format: 'csv', rows: 80, sampleShape: [3], columns: ['x1', 'x2', 'x3', 'kind'], labelColumn: 3, hasHeader: true });
    expect(p.classes).toEqual([
      { name: 'left', count: 40 },
      { name: 'right', count: 40 },
    ]);
    expect(p.sampleRows).toHaveLength(5);
    expect(p.sampleRows[0]![3]).toBe('left');
    // 20 % of each class to the test part
    expect([p.train, p.test]).toEqual([64, 16]);
    expect(p.images).toBeNull();
  });

  it('the default label column is one named label / class / species, else the last; another can be chosen', async () => {
    expect(defaultLabelColumn(['species', 'a', 'b'])).toBe(0);
    expect(defaultLabelColumn(['a', 'Class', 'b'])).toBe(1);
    expect(defaultLabelColumn(['a', 'b', 'c'])).toBe(2);
    expect(defaultLabelColumn(['x1', 'y', 'x2'])).toBe(1);
    // x and y together are a point's coordinates: the label is elsewhere
    expect(defaultLabelColumn(['x', 'y', 'group'])).toBe(2);
    expect(defaultLabelColumn(['y', 'x', 'label'])).toBe(2);
    const text = 'label,f1,f2\n0,1.5,2\n1,3,4\n1,5,6\n0,7,8\n';
    const p = await previewOwnData(csv(text), 1);
    expect(p.labelColumn).toBe(0);
    expect(p.classes.map((c) => c.count)).toEqual([2, 2]);
    // f2 (column 2) as the label: 4 classes from 2, 4, 6, 8 would need integer indices up to 8
    const q = await previewOwnData(csv(text, 2), 1);
    expect(q.labelColumn).toBe(2);
    expect(q.classes).toHaveLength(9);
    expect(q.classes.filter((c) => c.count > 0).map((c) => c.name)).toEqual(['2', '4', '6', '8']);
  });

  it('the format from the file name', () => {
    expect(formatOfName('iris.CSV')).toBe('csv');
    expect(formatOfName('train-images-idx3-ubyte.gz')).toBe('idx');
    expect(formatOfName('labels.idx1')).toBe('idx');
    expect(formatOfName('data_batch_1.bin')).toBe('cifar');
    expect(formatOfName('photo.png')).toBeNull();
  });

  it('an idx pair, gzipped, in either order: images (n, rows, cols, 1), classes 0…max label, the first images as bytes', async () => {
    const labels = [0, 1, 2, 1, 0, 2, 2, 1, 0, 1];
    const images = idx3(10, 5, 7, (i) => i % 256);
    const src: OwnDataSource = {
      format: 'idx',
      files: [
        { name: 'my-labels.idx1.gz', bytes: await gzip(idx1(labels)) },
        { name: 'my-images.idx3.gz', bytes: await gzip(images) },
      ],
    };
    const p = await previewOwnData(src, 2);
    expect(p).toMatchObject({ format: 'idx', rows: 10, sampleShape: [5, 7, 1] });
    expect(p.classes).toEqual([
      { name: '0', count: 3 },
      { name: '1', count: 4 },
      { name: '2', count: 3 },
    ]);
    expect(p.images!.pixels).toEqual(images.subarray(16, 16 + 8 * 35));
    expect(p.images!.labels).toEqual(['0', '1', '2', '1', '0', '2', '2', '1']);
  });

  it('CIFAR-10 batches: records to NHWC (32, 32, 3), several batches as one', async () => {
    const rec = (label: number, red: number) => {
      const r = new Uint8Array(3073);
      r[0] = label;
      r.fill(red, 1, 1025);
      r.fill(0, 1025);
      return r;
    };
    const batch = (labels: number[]) => {
      const b = new Uint8Array(3073 * labels.length);
      labels.forEach((l, i) => b.set(rec(l, 10 * (i + 1)), i * 3073));
      return b;
    };
    const p = await previewOwnData({ format: 'cifar', files: [{ name: 'a.bin', bytes: batch([3, 5]) }, { name: 'b.bin', bytes: batch([3]) }] }, 0);
    expect(p).toMatchObject({ rows: 3, sampleShape: [32, 32, 3] });
    expect(p.classes.find((c) => c.name === 'cat')!.count).toBe(2);
    expect(p.classes.find((c) => c.name === 'dog')!.count).toBe(1);
    // NHWC: pixel 0 of image 1 is (red 20, green 0, blue 0)
    const px = p.images!.pixels;
    expect([px[32 * 32 * 3], px[32 * 32 * 3 + 1], px[32 * 32 * 3 + 2]]).toEqual([20, 0, 0]);
  });
});

describe("own data: which image shapes the LeNet chapter's layers take", () => {
  const layers = normalizeModelConfig({ ...EXPERIMENTS['mnist-lenet'].config.model, seed: 0 }).layers;
  it('CIFAR-10 (32, 32, 3) and MNIST-sized (28, 28, 1) fit; (4, 4, 1) does not', () => {
    // 32 → conv same 32 → pool 16 → conv valid 12 → pool 6: 6·6·16 = 576 into the first dense layer
    expect(modelShapes(layers, [32, 32, 3])[0]).toEqual({ W: [5, 5, 3, 6], b: [1, 6] });
    expect(modelShapes(layers, [32, 32, 3])[5]).toEqual({ W: [576, 120], b: [1, 120] });
    expect(modelShapes(layers, [28, 28, 1])[5]).toEqual({ W: [400, 120], b: [1, 120] });
    expect(() => modelShapes(layers, [4, 4, 1])).toThrow();
  });
});

describe('own data: malformed files are refused with the parser message', () => {
  const refused = async (src: OwnDataSource, re: RegExp) => {
    const e = await previewOwnData(src, 0).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message).toMatch(re);
  };

  it('a non-number names its row and column; a ragged row names its row; an empty file', async () => {
    await refused(csv('a,b,label\n1,2,x\n3,oops,y\n'), /mine\.csv CSV row 3, column 'b': 'oops' is not a number/);
    await refused(csv('a,b,label\n1,2,x\n3,4\n'), /mine\.csv CSV row 3 has 2 cells, header has 3/);
    await refused(csv(''), /no rows/);
    await refused(csv('a,b\n1,x\n', 5), /label column 5 does not exist/);
    await refused(csv('a,b,label\n1,2,"x\n'), /^mine\.csv CSV row 2: a quoted cell is never closed$/);
  });

  it("real-valued labels are refused in the page's words, not with the package's option names", async () => {
    const msg = async (text: string) => (await previewOwnData(csv(text), 0).then(() => '', (e: Error) => e.message));
    const real = await msg('a,b,price\n1,2,3.5\n3,4,1.25\n');
    expect(real).toMatch(/mine\.csv CSV row 2, column 'price': label 3\.5 is not a class index/);
    expect(real).toMatch(/the label column must hold classes: names, or integers 0, 1, 2, …/);
    expect(real).not.toMatch(/task:|maxClasses/);
    const many = await msg('a,label\n' + Array.from({ length: 1001 }, (_, i) => `${i},c${i}`).join('\n') + '\n');
    expect(many).toMatch(/1001 distinct labels/);
    expect(many).not.toMatch(/task:|raise maxClasses/);
  });

  it('an idx pair whose counts differ, a truncated images file, a CIFAR batch of the wrong length, a file over the bound', async () => {
    await refused({ format: 'idx', files: [{ name: 'i.idx3', bytes: idx3(3, 2, 2, () => 1) }, { name: 'l.idx1', bytes: idx1([0, 1]) }] }, /3 images but 2 labels/);
    await refused({ format: 'idx', files: [{ name: 'i.idx3', bytes: idx3(3, 2, 2, () => 1).subarray(0, 20) }, { name: 'l.idx1', bytes: idx1([0, 1, 0]) }] }, /i\.idx3 file truncated/);
    await refused({ format: 'idx', files: [{ name: 'only.idx3', bytes: idx3(1, 1, 1, () => 0) }] }, /two files/);
    await refused({ format: 'cifar', files: [{ name: 'b.bin', bytes: new Uint8Array(3073 + 5) }] }, /b\.bin: 3078 bytes is not a whole number of 3073-byte records/);
    await refused({ format: 'csv', files: [{ name: 'big.csv', bytes: new Uint8Array(OWN_FILE_MAX_BYTES + 1) }] }, /over the limit of 64\.0 MB per file/);
  });

  it('the drop zone refuses files over the bound by their size, before reading them', () => {
    expect(checkFiles([{ name: 'a.csv', size: OWN_FILE_MAX_BYTES }], OWN_FILE_MAX_BYTES, 1)).toBeNull();
    expect(checkFiles([{ name: 'huge.csv', size: OWN_FILE_MAX_BYTES + 1 }], OWN_FILE_MAX_BYTES, 1)).toBe(
      'huge.csv is 64,000,001 bytes, over the limit of 64,000,000 bytes per file; nothing was read',
    );
    expect(checkFiles([{ name: 'cifar.bin', size: 80e6 }], OWN_FILE_MAX_BYTES, 6)).toBe('cifar.bin is 80.0 MB, over the limit of 64.0 MB per file; nothing was read');
    expect(checkFiles([{ name: 'a', size: 1 }, { name: 'b', size: 1 }], 10, 1)).toBe('2 files at once; at most 1');
    expect(checkFiles([], 10, 1)).toBe('no file was dropped');
  });

  it('the previewData request is validated at the worker entry', () => {
    expect(() => parseRequest({ id: 1, type: 'previewData', source: { format: 'xls', files: [] }, seed: 0 })).toThrow(/source\.format must be one of/);
    expect(() => parseRequest({ id: 1, type: 'previewData', source: { format: 'csv', files: [{ name: 'a', bytes: 'text' }] }, seed: 0 })).toThrow(
      /source\.files\[0\] must be a file/,
    );
    expect(() => parseRequest({ id: 1, type: 'previewData', source: csv('a,b\n1,x\n'), seed: -1 })).toThrow(/seed must be/);
    expect(() => parseRequest({ id: 1, type: 'init', config: { dataset: { name: 'iris', own: csv('a') } } })).toThrow(/dataset\.own must be nothing/);
    expect(parseRequest({ id: 1, type: 'previewData', source: csv('a,b\n1,x\n'), seed: 0 }).type).toBe('previewData');
  });
});

const ports: { close(): void }[] = [];
afterEach(() => ports.splice(0).forEach((p) => p.close()));

function connect() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const handle = createMessageHandler({
    post: (m) => port2.postMessage(m),
    createBackend: async () => ({ backend: createCpuBackend(), fallbackReason: null }),
  });
  port2.on('message', (m) => void handle(m));
  const client = new TrainingClient(port1 as unknown as PortLike, { frame: (cb) => setTimeout(cb, 0) });
  const batches: MetricsBatch[] = [];
  client.onMetrics((b) => batches.push(...b));
  return { client, events: () => batches.flatMap((b) => b.events) };
}

function mlpOn(src: OwnDataSource, classes: number): SessionConfig {
  return {
    dataset: { name: 'own', own: src, standardize: true, testFraction: 0.2 },
    model: {
      layers: [
        { type: 'fc', nOut: 8, activation: 'relu' },
        { type: 'fc', nOut: classes, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: 0.1 },
    },
    batchSize: 8,
    epochs: 15,
    seed: 5,
  };
}

describe('own data: training through the worker protocol', () => {
  it('previews, then trains the MLP on a dropped CSV to better than chance on its test part', async () => {
    const { client, events } = connect();
    const src = csv(blobsCsv());
    const p = await client.previewData(src, 5);
    expect(p.classes.map((c) => c.count)).toEqual([40, 40]);
    const ready = await client.init(mlpOn(src, 2), 'cpu');
    expect(ready.dataset).toMatchObject({ train: 64, test: 16, sampleShape: [3], classes: 2 });
    await client.start();
    // until the session says done (the test's own time limit bounds a hang; nothing here is timed)
    while (!events().some((e) => e.kind === 'state' && e.state === 'done')) await new Promise((r) => setTimeout(r, 10));
    const evals = events().filter((e): e is Extract<MetricEvent, { kind: 'eval' }> => e.kind === 'eval');
    expect(evals).toHaveLength(15);
    // two well separated blobs: chance is 0.5
    expect(evals.at(-1)!.testAccuracy!).toBeGreaterThan(0.9);
    await client.dispose();
  });

  it('a malformed CSV fails init with the parser message; the same worker previews and trains afterwards', async () => {
    const { client } = connect();
    await expect(client.previewData(csv('a,b,label\n1,2,x\n3,?,y\n'), 0)).rejects.toThrow(/row 3, column 'b': '\?' is not a number/);
    await expect(client.init(mlpOn(csv('a,b,label\n1,2,x\n3,4\n'), 2), 'cpu')).rejects.toThrow(/row 3 has 2 cells/);
    const ready = await client.init(mlpOn(csv(blobsCsv()), 2), 'cpu');
    expect(ready.dataset.train).toBe(64);
    await client.dispose();
  });

  it('images flattened for an MLP (layout flat), standardized on the train part only', async () => {
    const labels = Array.from({ length: 20 }, (_, i) => i % 2);
    const src: OwnDataSource = { format: 'idx', files: [{ name: 'i.idx3', bytes: idx3(20, 3, 3, (i) => (labels[Math.floor(i / 9)]! ? 200 : 20) + (i % 9)) }, { name: 'l.idx1', bytes: idx1(labels) }] };
    const d = await loadSessionData({ name: 'own', own: src, layout: 'flat', standardize: true, testFraction: 0.25 }, 1);
    // round(0.25 · 10) = 3 of each class to the test part
    expect(d.train.shape).toEqual([14, 9]);
    expect(d.test!.shape).toEqual([6, 9]);
    // mean 0 per feature on the train part
    for (let j = 0; j < 9; j++) {
      let s = 0;
      for (let i = 0; i < 14; i++) s += d.train.features[i * 9 + j]!;
      expect(Math.abs(s / 14)).toBeLessThan(1e-5);
    }
  });
});
