// The parsers on good data and on broken files: every refusal is a DataFormatError
// whose message names the file, the place and what was expected.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DataFormatError,
  decodeIdxPair,
  idxToDataset,
  maybeGunzip,
  parseCifar10,
  parseCsv,
  parseIdxImages,
  parseIdxLabels,
  type ClassificationDataset,
  type RegressionDataset,
} from '../src/nn/data';
import { idxImages, idxLabels, withU32 } from './fixtures/data-node';

const META = { name: 'MNIST', part: 'train', split: 'train: test data', source: 'test', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };

/** Runs f, expects a DataFormatError whose message matches every pattern; returns the message. */
async function refusal(f: () => unknown, ...patterns: (string | RegExp)[]): Promise<string> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a DataFormatError').toBeInstanceOf(DataFormatError);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
  return msg;
}

describe('idx', () => {
  const imgs = idxImages(3, 2, 4, (i, r, c) => i * 50 + r * 4 + c);
  const labs = idxLabels([7, 0, 9]);

  it('parses images and labels; the dataset is NHWC, scaled to [0, 1]', () => {
    const im = parseIdxImages(imgs, 'MNIST train images');
    expect([im.count, im.rows, im.cols]).toEqual([3, 2, 4]);
    const lb = parseIdxLabels(labs, 'MNIST train labels');
    expect(Array.from(lb.labels)).toEqual([7, 0, 9]);
    const ds = idxToDataset(im, lb, META);
    expect(ds.shape).toEqual([3, 2, 4, 1]);
    expect(ds.labels).toBeInstanceOf(Uint8Array);
    expect(Array.from(ds.labels)).toEqual([7, 0, 9]);
    // pixel (i=2, r=1, c=3) = 100 + 4 + 3 = 107 → 107/255
    expect(ds.features[2 * 8 + 1 * 4 + 3]).toBeCloseTo(107 / 255, 7);
    expect(ds.features[0]).toBe(0);
  });

  it('inflates gzip (detected by magic bytes) through DecompressionStream', async () => {
    const gz = new Uint8Array(gzipSync(imgs));
    expect(gz[0]).toBe(0x1f);
    const raw = await maybeGunzip(gz, 'x');
    expect(Array.from(raw)).toEqual(Array.from(imgs));
    const ds = await decodeIdxPair(gz, new Uint8Array(gzipSync(labs)), META);
    expect(ds.shape).toEqual([3, 2, 4, 1]);
    expect(Array.from(ds.labels)).toEqual([7, 0, 9]);
    // uncompressed input passes through untouched
    expect(await maybeGunzip(imgs, 'x')).toBe(imgs);
  });

  it('refuses a wrong magic number: dimensions, data type, not idx at all', async () => {
    await refusal(
      () => parseIdxImages(withU32(imgs, 0, 0x00000804), 'MNIST images'),
      'MNIST images file: wrong magic number 0x00000804, expected 0x00000803 (idx3 unsigned bytes)',
      '4 dimensions, expected 3',
    );
    // a labels file given as images
    await refusal(() => parseIdxImages(labs, 'MNIST images'), 'wrong magic number 0x00000801, expected 0x00000803');
    await refusal(() => parseIdxLabels(imgs, 'MNIST labels'), 'wrong magic number 0x00000803, expected 0x00000801 (idx1 unsigned bytes)');
    // float32 idx data is refused clearly
    await refusal(
      () => parseIdxImages(withU32(imgs, 0, 0x00000d03), 'MNIST images'),
      'wrong magic number 0x00000D03',
      'data type 0x0D is 32-bit floats; only unsigned bytes (0x08) are supported',
    );
    await refusal(() => parseIdxImages(withU32(imgs, 0, 0x00000c03), 'X'), '32-bit integers');
    await refusal(() => parseIdxImages(new TextEncoder().encode('<!DOCTYPE html><html>…'), 'MNIST images'), 'HTML page');
    await refusal(() => parseIdxImages(withU32(imgs, 0, 0x12340803), 'X'), 'not with two zero bytes');
    await refusal(() => parseIdxImages(imgs.subarray(0, 3), 'X'), 'only 3 bytes');
  });

  it('refuses a truncated file with the sizes the header promised', async () => {
    // header: 60000 images of 28×28, but only 1234 pixel bytes follow
    const big = idxImages(0, 28, 28, () => 0);
    const lying = new Uint8Array(16 + 1234);
    lying.set(withU32(big, 4, 60000));
    await refusal(
      () => parseIdxImages(lying, 'MNIST images'),
      'MNIST images file truncated: header says 60000 images of 28×28 = 47040000 bytes, file has 1234',
    );
    await refusal(() => parseIdxLabels(labs.subarray(0, 9), 'MNIST labels'), 'truncated: header says 3 labels = 3 bytes, file has 1');
    await refusal(() => parseIdxImages(imgs.subarray(0, 10), 'X'), 'the idx3 header alone takes 16');
    // extra bytes are refused too
    const longer = new Uint8Array(imgs.length + 5);
    longer.set(imgs);
    await refusal(() => parseIdxImages(longer, 'X'), '5 extra bytes');
  });

  it('refuses a truncated or corrupt gzip stream', async () => {
    const gz = new Uint8Array(gzipSync(idxImages(50, 28, 28, (i, r, c) => (i * 7 + r * c) & 255)));
    await refusal(() => maybeGunzip(gz.subarray(0, gz.length >> 1), 'MNIST images'), 'MNIST images: the gzip data is corrupt or truncated');
  });

  it('refuses labels out of range and mismatched counts', async () => {
    const labels = Array.from({ length: 60 }, (_, i) => i % 10);
    labels[57] = 12;
    const im = parseIdxImages(idxImages(60, 2, 2, () => 1), 'x');
    await refusal(() => idxToDataset(im, parseIdxLabels(idxLabels(labels)), META), 'label 12 out of range 0–9 at index 57');
    const few = parseIdxLabels(idxLabels(labels.slice(0, 59).map(() => 1)));
    await refusal(() => idxToDataset(im, few, META), 'MNIST train: 60 images but 59 labels');
  });

  it('refuses images beyond the size guard, naming the size and the limit', async () => {
    const im = idxImages(10, 28, 28, () => 0);
    await refusal(
      () => parseIdxImages(im, 'MNIST train images', { maxElements: 5000 }),
      'MNIST train images is too large: 10 images of 28×28 = 7840 values, over the limit maxElements = 5000',
    );
    await refusal(
      () => parseIdxImages(im, 'MNIST train images', { maxBytes: 10_000 }),
      '7840 values = 31360 bytes as float32 (31.4 kB), over the limit maxBytes = 10000 (10.0 kB)',
    );
    // within the limits it parses
    expect(parseIdxImages(im, 'x', { maxElements: 7840, maxBytes: 31360 }).count).toBe(10);
    // inflating is capped by the guard as well
    await refusal(() => decodeIdxPair(new Uint8Array(gzipSync(im)), idxLabels(new Array(10).fill(0)), META, { maxBytes: 1000 }), 'over the limit maxBytes');
  });
});

describe('CSV', () => {
  const iris = [
    'sepal_length,sepal_width,petal_length,petal_width,species',
    '5.1,3.5,1.4,0.2,setosa',
    '7.0,3.2,4.7,1.4,versicolor',
    '6.3,3.3,6.0,2.5,virginica',
    '4.9,3.0,1.4,0.2,setosa',
    '',
  ].join('\n');

  it('numeric features + string labels by name; classes sorted; header detected', () => {
    const ds = parseCsv(iris, { label: 'species', name: 'Iris' }) as ClassificationDataset;
    expect(ds.task).toBe('classification');
    expect(ds.shape).toEqual([4, 4]);
    expect(ds.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2, 0]);
    expect(ds.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(Array.from(ds.features.subarray(4, 8))).toEqual([7.0, 3.2, 4.7, 1.4].map(Math.fround));
    // by index (−1 = last) with automatic header detection gives the same
    const byIndex = parseCsv(iris, { label: -1 }) as ClassificationDataset;
    expect(Array.from(byIndex.labels)).toEqual([0, 1, 2, 0]);
    expect(Array.from(byIndex.features)).toEqual(Array.from(ds.features));
  });

  it('label column in the middle, numeric labels kept, no header, CRLF, quotes', () => {
    const text = '1.5,2,0.25\r\n-3,0,1e2\r\n"4",1,.5\r\n';
    const ds = parseCsv(text, { label: 1 }) as ClassificationDataset;
    expect(ds.shape).toEqual([3, 2]);
    expect(Array.from(ds.labels)).toEqual([2, 0, 1]);
    expect(ds.classNames).toEqual(['0', '1', '2']);
    expect(Array.from(ds.features)).toEqual([1.5, 0.25, -3, 100, 4, 0.5]);
    expect(ds.featureNames).toEqual(['column 0', 'column 2']);
    const quoted = parseCsv('a,"name, with comma"\n1,"x ""y"""\n2,z\n', { label: 'name, with comma' }) as ClassificationDataset;
    expect(quoted.classNames).toEqual(['x "y"', 'z']);
  });

  it('regression targets', () => {
    const ds = parseCsv('x,y\n0,8\n1,6.5\n', { label: 'y', task: 'regression' }) as RegressionDataset;
    expect(ds.task).toBe('regression');
    expect(Array.from(ds.targets)).toEqual([8, 6.5]);
    expect(ds.targetShape).toEqual([2, 1]);
  });

  it('refuses a non-numeric cell with row and column', async () => {
    const rows = ['sepal_length,sepal_width,petal_length,petal_width,species'];
    for (let r = 2; r <= 20; r++) rows.push(r === 14 ? '5.0,3.0,1.0,abc,setosa' : '5.0,3.0,1.0,0.2,setosa');
    await refusal(() => parseCsv(rows.join('\n'), { label: 'species', name: 'Iris' }), "Iris CSV row 14, column 'petal_width': 'abc' is not a number");
    await refusal(() => parseCsv('a,b\n1,2\nNA,1\n', { label: 'b' }), "CSV row 3, column 'a': 'NA' is not a number");
    await refusal(() => parseCsv('a,b\n0x10,1\n', { label: 'b' }), "'0x10' is not a number");
  });

  it('refuses rows with missing cells and empty cells', async () => {
    await refusal(() => parseCsv('a,b,c,d,label\n1,2,3,4,x\n1,2,3,x\n', { label: 'label' }), 'CSV row 3 has 4 cells, header has 5');
    await refusal(() => parseCsv('a,b,label\n1,2,x\n1,,x\n', { label: 'label' }), "CSV row 3, column 'b' is empty (missing value)");
    await refusal(() => parseCsv('a,b,label\n1,2,\n', { label: 'label' }), "CSV row 2, column 'label' is empty");
    // rows are numbered as lines of the file, blank lines included
    await refusal(() => parseCsv('a,b\n\n1,2\n\n,3\n', { label: 'b' }), "CSV row 5, column 'a' is empty");
  });

  it('refuses a bad label column, unusable labels and a broken quote', async () => {
    await refusal(() => parseCsv('a,b\n1,2\n', { label: 'specis' }), "no column named 'specis'", "'a', 'b'");
    await refusal(() => parseCsv('1,2\n3,4\n', { label: 7 }), 'label column 7 does not exist; rows have 2 columns');
    await refusal(() => parseCsv('1,2\n3,4\n', { label: 'x', header: false }), 'needs a header row');
    await refusal(() => parseCsv('a,b\n1,2.5\n', { label: 'b' }), 'label 2.5 is not a class index', "task: 'regression'");
    await refusal(() => parseCsv('a,b\n1,x\n', { label: 'b', task: 'regression' }), "target 'x' is not a number");
    await refusal(() => parseCsv('a,b\n1,"x\n', { label: 'b' }), 'CSV row 2: a quoted cell is never closed');
    await refusal(() => parseCsv('a,b\n', { label: 'b' }), 'has a header but no data rows');
    await refusal(() => parseCsv('a,b\n1,dog\n', { label: 'b', classNames: ['cat'] }), "label 'dog' is not one of the classes cat");
  });

  it('refuses a table beyond the size guard', async () => {
    const text = 'a,b,c\n' + Array.from({ length: 100 }, (_, i) => `${i},${i},0`).join('\n');
    await refusal(() => parseCsv(text, { label: 'c', maxElements: 150 }), 'CSV is too large: 100 rows of 2 features = 200 values, over the limit maxElements = 150');
  });
});

describe('CIFAR-10 binary batches', () => {
  /** record i: label i % 10; channel c, pixel p = (y·32 + x) holds (p + 7c + i) mod 256 */
  function batch(n: number): Uint8Array {
    const b = new Uint8Array(n * 3073);
    for (let i = 0; i < n; i++) {
      b[i * 3073] = i % 10;
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) b[i * 3073 + 1 + c * 1024 + p] = (p + 7 * c + i) % 256;
    }
    return b;
  }

  it('converts channel-planar records to NHWC (32, 32, 3) in [0, 1]', () => {
    const ds = parseCifar10(batch(3));
    expect(ds.shape).toEqual([3, 32, 32, 3]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 2]);
    expect(ds.classNames[1]).toBe('automobile');
    // example 2, y = 5, x = 9, channel 1 (green): planar byte (5·32 + 9 + 7 + 2) mod 256 = 178
    const i = 2;
    const y = 5;
    const x = 9;
    const c = 1;
    expect(ds.features[((i * 32 + y) * 32 + x) * 3 + c]).toBeCloseTo(178 / 255, 7);
    let bad = 0;
    for (let n = 0; n < 3; n++)
      for (let p = 0; p < 1024; p++)
        for (let ch = 0; ch < 3; ch++) if (Math.abs(ds.features[(n * 1024 + p) * 3 + ch]! - ((p + 7 * ch + n) % 256) / 255) > 1e-7) bad++;
    expect(bad).toBe(0);
  });

  it('refuses a wrong length, a bad label and an oversized batch', async () => {
    const b = batch(2);
    await refusal(() => parseCifar10(b.subarray(0, 3073 + 100)), '3173 bytes is not a whole number of 3073-byte records', '1 whole record and 100 bytes left over');
    await refusal(() => parseCifar10(new Uint8Array(0)), '0 bytes is not a whole number');
    const wrong = b.slice();
    wrong[3073] = 12;
    await refusal(() => parseCifar10(wrong), 'label 12 out of range 0–9 at index 1');
    await refusal(() => parseCifar10(b, { maxElements: 3072 }), '2 images of 32×32×3 = 6144 values, over the limit maxElements = 3072');
  });
});
