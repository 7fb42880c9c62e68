// The inputs that once allocated gigabytes, hung, threw raw TypeErrors or RangeErrors,
// or loaded non-numbers as numbers — each now refused with a DataFormatError that says
// what is wrong and where, before anything large is allocated (counted by the data
// allocator, or by the tensors a backend was asked for).

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import {
  allocationCount,
  clearDatasetCache,
  DataFormatError,
  decodeIdxPair,
  fetcherFromReadFile,
  loadDataset,
  maybeGunzip,
  parseCsv,
  resetAllocationCount,
  toyDataset,
  type Manifest,
} from '../src/nn/data';
import { type ModelConfig, NeuralNetwork } from '../src/nn/model';
import { checkModelFile } from '../src/nn/serialize';
import { createMessageHandler } from '../src/train/handler';
import { parseRequest, type Request, type WorkerMessage } from '../src/train/protocol';
import { idxImages, idxLabels } from './fixtures/data-node';

/** Runs f, expects a DataFormatError whose message contains every pattern; returns the message. */
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

/** a CPU backend that counts the tensors it is asked to make */
function countingBackend(): { backend: Backend; made: () => number } {
  const cpu = createCpuBackend();
  let made = 0;
  const backend = new Proxy(cpu, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      if (typeof v !== 'function') return v;
      if (key === 'fromArray' || key === 'zeros') return (...args: unknown[]) => (made++, v.apply(target, args));
      return v.bind(target);
    },
  }) as Backend;
  return { backend, made: () => made };
}

// ── model files ────────────────────────────────────────────────────────────────

const MLP: ModelConfig = {
  layers: [
    { type: 'fc', nOut: 8, activation: 'tanh' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5 },
  seed: 7,
};

async function savedMlp(): Promise<Record<string, unknown>> {
  const m = new NeuralNetwork(createCpuBackend(), MLP);
  m.build([1, 4]);
  return JSON.parse(await m.toJSON()) as Record<string, unknown>;
}

describe('model files: checked against the schema before any tensor is made', () => {
  it('inputShape [100000000], [2**31] and nOut 2**31 are refused by size, no tensor made', async () => {
    const file = await savedMlp();
    const { backend, made } = countingBackend();
    await refusal(
      () => NeuralNetwork.load(backend, { ...file, inputShape: [100000000] }),
      'model file: fc_0.W (100000000, 8) brings the model to 800000000 parameters, over the limit 268435456',
    );
    await refusal(() => NeuralNetwork.load(backend, { ...file, inputShape: [2 ** 31] }), 'inputShape (2147483648) = 2147483648 values per example, over the limit 268435456');
    const wide = structuredClone(file) as { config: { layers: { nOut: number }[] } };
    wide.config.layers[0]!.nOut = 2 ** 31;
    await refusal(() => NeuralNetwork.load(backend, wide), 'model file: fc_0.W (4, 2147483648) brings the model to 8589934592 parameters');
    expect(made()).toBe(0);
    // the same file, unchanged, loads (and then makes its tensors)
    NeuralNetwork.load(backend, file).dispose();
    expect(made()).toBeGreaterThan(0);
  });

  it('parameters null, true, "5" and [] are not numbers', async () => {
    const file = (await savedMlp()) as { layers: { parameters: Record<string, { data: unknown[] }> }[] };
    const text = JSON.stringify(file);
    for (const [v, shown] of [[null, 'null'], [true, 'true'], ['5', '"5"'], [[], '[]']] as const) {
      const bad = JSON.parse(text) as typeof file;
      bad.layers[1]!.parameters.W!.data[4] = v;
      await refusal(() => checkModelFile(bad), `model file: fc_1.W value 4 is ${shown}, expected a number`);
    }
    const huge = JSON.parse(text) as typeof file;
    huge.layers[0]!.parameters.b!.data[0] = 1e39;
    await refusal(() => checkModelFile(huge), "fc_0.b value 0 is 1e+39, expected a finite number within float32's range");
  });

  it('a configuration or layer entry of the wrong type is refused with its place, not a TypeError', async () => {
    const file = await savedMlp();
    await refusal(() => checkModelFile({ ...file, layers: [null, null] }), 'model file: layer 0 is null, expected an object');
    await refusal(() => checkModelFile({ ...file, config: { ...(file.config as object), loss: null } }), 'model file: config: loss');
    await refusal(() => checkModelFile({ ...file, inputShape: [2, 2] }), 'fc_0: a fully connected layer takes (m, n_in) inputs, it gets (m, 2, 2)');
    await refusal(() => checkModelFile('[1, 2]'), 'model file: expected an object');
  });
});

// ── gzip ───────────────────────────────────────────────────────────────────────

describe('gzip: inflated as a stream, never presized from the trailer', () => {
  const META = { name: 'MNIST', part: 'train', split: 'train', source: 'test', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };

  it('a 2 KB file whose trailer claims 1 GB allocates kilobytes, and is refused', async () => {
    const gz = new Uint8Array(gzipSync(idxImages(2, 28, 28, (i, r, c) => (i * 31 + r * c) & 255)));
    new DataView(gz.buffer).setUint32(gz.length - 4, 1_000_000_000, true);
    expect(gz.length).toBeLessThan(2048);
    resetAllocationCount();
    await refusal(() => maybeGunzip(gz, 'MNIST train images'), 'MNIST train images: the gzip data is corrupt or truncated', 'length check');
    expect(allocationCount()).toBeLessThan(64 * 1024);
  });

  it('a truncated file (its last bytes, read as a trailer, claim gigabytes) allocates at most a small multiple of what it inflates to', async () => {
    // pixels from a linear congruential sequence: gzip cannot shrink them much
    let x = 1;
    const raw = idxImages(60, 28, 28, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    const gz = new Uint8Array(gzipSync(raw));
    const cut = gz.subarray(0, 2048);
    // what the cut bytes claim as the inflated size (the old presize)
    const claimed = new DataView(cut.buffer, cut.byteOffset).getUint32(cut.length - 4, true);
    expect(claimed).toBeGreaterThan(10 * raw.length);
    resetAllocationCount();
    await refusal(() => decodeIdxPair(cut, gzipSync(idxLabels(new Array(60).fill(1))), META), 'the gzip data is corrupt or truncated', 'unexpected end of file');
    expect(allocationCount()).toBeLessThan(4 * raw.length);
  });

  it('a gzip bomb is stopped at the limit, as it inflates', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 << 20)));
    resetAllocationCount();
    await refusal(() => maybeGunzip(bomb, 'bomb', 1 << 20), 'bomb (gzip, decompressed): more than 1048576 bytes (1.0 MB), over the limit maxBytes');
    expect(allocationCount()).toBeLessThan(4 << 20);
  });
});

// ── CSV ────────────────────────────────────────────────────────────────────────

describe('CSV: sizes bounded and checked against the rows before allocating', () => {
  it('a 25,000-column header over rows of 3 cells: "row 2 has 3 cells", nothing allocated', async () => {
    const header = Array.from({ length: 25_000 }, (_, j) => `c${j}`).join(',');
    const rows = Array.from({ length: 10_000 }, (_, i) => `${i},${i + 1},x`).join('\n');
    resetAllocationCount();
    // wider than maxColumns (default 16384) is refused while splitting
    await refusal(() => parseCsv(`${header}\n${rows}\n`, { label: -1 }), 'CSV row 1 has 25000 cells, over the limit maxColumns = 16384');
    // within a raised limit, every row's width is checked before the features are allocated
    await refusal(() => parseCsv(`${header}\n${rows}\n`, { label: -1, maxColumns: 30_000 }), 'CSV row 2 has 3 cells, header has 25000');
    expect(allocationCount()).toBe(0);
  });

  it('one label 1e6 or 1e8 would make a million classes: refused with its row, nothing allocated', async () => {
    const text = (label: string) => `a,b,y\n1,2,0\n3,4,${label}\n5,6,1\n`;
    resetAllocationCount();
    await refusal(() => parseCsv(text('1e6'), { label: 'y' }), "CSV row 3, column 'y': label 1e6 would make 1000001 classes for 3 rows, over the limit maxClasses = 1000");
    await refusal(() => parseCsv(text('1e8'), { label: 'y' }), 'label 1e8 would make 100000001 classes');
    expect(allocationCount()).toBe(12 * 4);
    // within a raised limit it parses, as class indices
    const ds = parseCsv(text('1499'), { label: 'y', maxClasses: 1500 });
    expect(ds.task === 'classification' && ds.numClasses).toBe(1500);
    // too many distinct names too
    await refusal(() => parseCsv('a,y\n1,p\n2,q\n3,r\n', { label: 'y', maxClasses: 2 }), "column 'y' has 3 distinct labels in 3 rows, over the limit maxClasses = 2");
  });

  it('1e39 and 1e999 are outside float32: refused naming row and column, never ±Infinity', async () => {
    await refusal(() => parseCsv('a,b,y\n1,2,0\n1e39,2,1\n', { label: 'y' }), "CSV row 3, column 'a': 1e39 is outside float32's range");
    await refusal(() => parseCsv('a,b,y\n1,-1e999,0\n', { label: 'y' }), "CSV row 2, column 'b': -1e999 is outside float32's range");
    await refusal(() => parseCsv('a,y\n1,1e39\n', { label: 'y', task: 'regression' }), "CSV row 2, column 'y': target 1e39 is outside float32's range");
    // the largest float32 and values that round to it are kept; tiny values become 0 or subnormals
    const ds = parseCsv('a,y\n3.4028234e38,0\n-3.4028235e38,1\n1e-50,0\n', { label: 'y' });
    expect(Array.from(ds.features)).toEqual([Math.fround(3.4028234e38), Math.fround(-3.4028235e38), 0]);
  });

  it('40,000 digits then x is refused as not a number (the pattern is linear; 400,000 digits too)', async () => {
    for (const n of [40_000, 400_000]) {
      const cell = '1'.repeat(n) + 'x';
      await refusal(() => parseCsv(`a,y\n${cell},0\n`, { label: 'y' }), `'111111111111111111111111111111… (${n + 1} characters)' is not a number`);
    }
  });

  it('a bad delimiter option is a DataFormatError too', async () => {
    await refusal(() => parseCsv('a;b\n1;2\n', { label: 'b', delimiter: ';;' }), 'the delimiter must be one character other than a quote or a line end');
  });
});

// ── manifest.json ──────────────────────────────────────────────────────────────

describe('manifest.json: validated field by field', () => {
  const csv = new TextEncoder().encode('a,b,species\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,1,x\n');
  const manifest = (): Manifest => ({
    version: 1,
    datasets: {
      iris: {
        title: 'Iris',
        source: 'test',
        split: { kind: 'seeded-stratified', total: 5, testFraction: 0.4 },
        files: { csv: { path: 'iris.csv', bytes: csv.length, rawBytes: csv.length } },
        notes: [],
        stamp: 's',
      },
    },
  });
  const load = (m: unknown) => {
    clearDatasetCache();
    const text = new TextEncoder().encode(JSON.stringify(m));
    return loadDataset('iris', { fetcher: fetcherFromReadFile(async (p) => (p === 'manifest.json' ? text : csv)) });
  };

  it('files: null, testFraction: 1.5 and notes: true are refused with their path', async () => {
    expect((await load(manifest())).train.shape).toEqual([3, 2]);
    const m1 = manifest() as unknown as { datasets: { iris: Record<string, unknown> } };
    m1.datasets.iris.files = null;
    await refusal(() => load(m1), 'data/manifest.json: datasets.iris.files is null, expected an object of files');
    const m2 = manifest() as unknown as { datasets: { iris: { split: Record<string, unknown> } } };
    m2.datasets.iris.split.testFraction = 1.5;
    await refusal(() => load(m2), 'data/manifest.json: datasets.iris.split.testFraction is 1.5, expected a number in (0, 1)');
    const m3 = manifest() as unknown as { datasets: { iris: Record<string, unknown> } };
    m3.datasets.iris.notes = true;
    await refusal(() => load(m3), 'data/manifest.json: datasets.iris.notes is true, expected an array of strings');
    const m4 = manifest() as unknown as { datasets: { iris: { files: { csv: Record<string, unknown> } } } };
    m4.datasets.iris.files.csv.bytes = '5';
    await refusal(() => load(m4), 'datasets.iris.files.csv.bytes is "5", expected a non-negative integer');
    await refusal(() => load({ version: 1 }), 'data/manifest.json: datasets is missing, expected an object of datasets');
    await refusal(() => load(null), 'data/manifest.json has no version, expected version 1');
    clearDatasetCache();
  });
});

// ── toys ───────────────────────────────────────────────────────────────────────

describe('toy sets: sizes checked before the points are drawn', () => {
  it('perClass 2**31, 300 classes and noise NaN are refused', async () => {
    resetAllocationCount();
    await refusal(() => toyDataset('blobs', { perClass: 2 ** 31 }), 'Blobs is too large: 3 classes of 2147483648 points in 2-D');
    await refusal(() => toyDataset('spiral', { classes: 300 }), 'Spiral: classes must be an integer in 1…256, got 300');
    await refusal(() => toyDataset('xor', { noise: Number.NaN }), 'XOR: noise must be a finite number ≥ 0');
    await refusal(() => toyDataset('circles', { perClass: 0.5 }), 'Circles: perClass must be a positive integer, got 0.5');
    expect(allocationCount()).toBe(0);
  });
});

// ── worker requests ────────────────────────────────────────────────────────────

describe('worker requests: validated at the entry, naming the request type and the field', () => {
  it('null, a request without its config and a config without its model are answered with clear messages', async () => {
    const posted: WorkerMessage[] = [];
    const handle = createMessageHandler({
      post: (m) => posted.push(m),
      createBackend: async () => ({ backend: createCpuBackend(), fallbackReason: null }),
    });
    const answer = async (req: unknown) => {
      posted.length = 0;
      await handle(req as Request);
      const reply = posted.find((m) => m.type === 'reply');
      expect(reply?.type === 'reply' && !reply.ok).toBe(true);
      return reply?.type === 'reply' && !reply.ok ? reply.error : '';
    };
    expect(await answer(null)).toBe('request: expected an object like { id, type, … }, got null');
    expect(await answer({ id: 3, type: 'init' })).toBe(
      'init request: config must be a session configuration object { dataset, model, batchSize, epochs, seed }, got nothing',
    );
    expect(await answer({ id: 4, type: 'init', config: { dataset: { name: 'blobs' }, batchSize: 8, epochs: 1, seed: 0 } })).toBe(
      'init request: config.model must be a model configuration { layers, loss, optimizer }, got nothing',
    );
    expect(await answer({ id: 5, type: 'setHiddenSize' })).toBe('setHiddenSize request: hidden must be a positive integer, got nothing');
    expect(await answer({ id: 6, type: 'warp' })).toMatch(/^request: unknown request type "warp"; known: init, start/);
    expect(await answer({ type: 'start' })).toBe('start request: id must be a non-negative integer, got nothing');
    expect(await answer({ id: 7, type: 'sweep', spec: { base: null } })).toBe(
      'sweep request: spec.base must be a session configuration object { dataset, model, batchSize, epochs, seed }, got null',
    );
    const hugeModel = { layers: [{ type: 'fc', nOut: 2 ** 31 }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } };
    expect(await answer({ id: 8, type: 'init', config: { dataset: { name: 'mnist', layout: 'flat' }, model: hugeModel, batchSize: 8, epochs: 1, seed: 0 } })).toBe(
      'init request: config.model: fc_0.W (784, 2147483648) brings the model to 1683627180032 parameters, over the limit 268435456 (1 GiB as float32)',
    );
  });

  it('parseRequest passes well-formed requests through unchanged', () => {
    const req: Request = { id: 1, type: 'setLearningRate', lr: 0.01 };
    expect(parseRequest(req)).toBe(req);
    expect(() => parseRequest({ id: 1, type: 'setLearningRate', lr: Number.NaN })).toThrow(DataFormatError);
  });
});
