// loadDataset(name): every dataset of the notebook by name, as { train, test }.
//
// File-backed sets (Iris, MNIST, Fashion-MNIST) are fetched lazily from the data
// folder that scripts/prepare-data.mjs fills (public/data → /data/ on the page):
// manifest.json first, then only the files of the set asked for, with byte progress.
// Results are kept in memory, so a second call costs nothing. The rest (the course's
// regression sets, the 2-D toys) are made in code.
//
// The same function runs in the page, in a Web Worker and in Node; only the way bytes
// arrive differs. In the browser the default fetcher uses fetch(); Node code injects
// one with setDataFetcher(fetcherFromReadFile(readFile)).

import { looksLikeHtml, maybeGunzip, readBody } from './bytes';
import { decodeText, parseCsv } from './csv';
import {
  checkSize,
  count,
  rowSize,
  standardizeSplit,
  stratifiedSplit,
  withShape,
  fitStandardizer,
  applyStandardizer,
  type ClassificationDataset,
  type Dataset,
  type SizeLimits,
  type SplitOptions,
} from './dataset';
import { DataFormatError } from './errors';
import { decodeIdxPair } from './idx';
import { checkManifest, MANIFEST_VERSION, type Manifest, type ManifestEntry, type ManifestFile } from './manifest';
import { courseRegression, toyDataset, type ToyName, type ToyOptions } from './toy';

export const DATASET_NAMES = [
  'iris',
  'mnist',
  'fashion-mnist',
  'regression-1',
  'regression-2',
  'spiral',
  'circles',
  'xor',
  'blobs',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Fetches one file of the data folder; `path` is relative to it, e.g. "mnist/train-images-idx3-ubyte.gz". */
export type DataFetcher = (path: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface LoadProgress {
  /** bytes received so far, over all files of the dataset */
  loaded: number;
  /** bytes expected in all (from the manifest) */
  total: number;
  /** the file being fetched or decoded */
  file: string;
  phase: 'download' | 'decode' | 'done';
}

export interface LoadOptions extends SizeLimits, SplitOptions {
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** overrides the fetcher set with setDataFetcher (or the browser default) */
  fetcher?: DataFetcher;
  /** standardize features with the train set's mean and std (default false: raw features) */
  standardize?: boolean;
  /** image sets: 'image' (n, 28, 28, 1), the default, or 'flat' (n, 784); same buffer */
  layout?: 'image' | 'flat';
  /** the 2-D toys: points per class, noise, number of classes */
  toy?: Omit<ToyOptions, 'seed' | 'part'>;
}

export interface LoadedDataset {
  name: DatasetName;
  train: Dataset;
  /** null for the course's regression sets, which have no test points */
  test: Dataset | null;
}

// ── fetchers ───────────────────────────────────────────────────────────────────

let injected: DataFetcher | null = null;

/** Sets the fetcher every later load uses (null: back to the browser default). */
export function setDataFetcher(f: DataFetcher | null): void {
  injected = f;
}

function defaultFetcher(): DataFetcher {
  const loc = (globalThis as { location?: { href: string; origin: string } }).location;
  if (typeof fetch !== 'function' || !loc) {
    throw new Error(
      'loadDataset outside a browser needs a fetcher: setDataFetcher(fetcherFromReadFile(p => readFile(join("public/data", p)))) ' +
        'or pass { fetcher } (the data files are made by scripts/prepare-data.mjs).',
    );
  }
  const base = (import.meta.env?.BASE_URL as string | undefined) ?? '/';
  // an absolute base resolves against the origin (a worker made from a blob: URL has no
  // usable href); a relative one against the page
  const against = base.startsWith('/') && loc.origin !== 'null' ? loc.origin : loc.href;
  return (path, init) => fetch(new URL(`${base}data/${path}`, against), { signal: init?.signal });
}

/**
 * A fetcher over a file-reading function (Node: fs.promises.readFile on public/data).
 * A read that fails becomes a 404 whose text is the error; bodies stream in 1 MiB
 * chunks so progress works as in the browser.
 */
export function fetcherFromReadFile(read: (path: string) => Promise<Uint8Array>): DataFetcher {
  return async (path) => {
    let bytes: Uint8Array;
    try {
      bytes = await read(path);
    } catch (e) {
      return new Response(String((e as Error).message ?? e), { status: 404, statusText: 'Not Found' });
    }
    const CHUNK = 1 << 20;
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (at >= bytes.length) return ctrl.close();
        ctrl.enqueue(bytes.subarray(at, Math.min(at + CHUNK, bytes.length)));
        at += CHUNK;
      },
    });
    return new Response(body, { status: 200, headers: { 'content-length': String(bytes.length) } });
  };
}

const PREPARE_HINT = 'The data files are made by scripts/prepare-data.mjs (npm run dev, build and test run it).';

async function fetchOk(fetcher: DataFetcher, path: string, signal?: AbortSignal): Promise<Response> {
  const res = await fetcher(path, { signal });
  if (!res.ok) {
    const detail = (await res.text().catch(() => '')).slice(0, 200);
    throw new DataFormatError(`data/${path}: HTTP ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}. ${PREPARE_HINT}`);
  }
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new DataFormatError(`data/${path}: the server sent an HTML page, so the file is probably missing. ${PREPARE_HINT}`);
  }
  return res;
}

// ── caches ─────────────────────────────────────────────────────────────────────

let manifestCache: { fetcher: DataFetcher; promise: Promise<Manifest> } | null = null;

/** One load, shared by every caller asking for the same thing while it runs or after. */
interface Shared<T> {
  promise: Promise<T>;
  listeners: Set<(p: LoadProgress) => void>;
  last: LoadProgress | null;
}

/** decoded files per (name, fetcher); kept for the few datasets a session uses */
const bases = new Map<string, Shared<Base>>();
/** finished results per (name, fetcher, seed, split, standardize, toy options) */
const results = new Map<string, Shared<LoadedDataset>>();
const MAX_BASES = 4;
const MAX_RESULTS = 16;

/** Forgets every loaded dataset and the manifest (the next load fetches again). */
export function clearDatasetCache(): void {
  manifestCache = null;
  bases.clear();
  results.clear();
}

/** The cached load under `key`, or a new one started with `start`; least recently used dropped beyond `max`. */
function share<T>(cache: Map<string, Shared<T>>, key: string, max: number, start: (emit: (p: LoadProgress) => void) => Promise<T>): Shared<T> {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const s = { listeners: new Set(), last: null } as Omit<Shared<T>, 'promise'> as Shared<T>;
  const emit = (p: LoadProgress): void => {
    s.last = p;
    s.listeners.forEach((l) => l(p));
  };
  s.promise = start(emit);
  cache.set(key, s);
  s.promise.catch(() => {
    if (cache.get(key) === s) cache.delete(key);
  });
  for (const k of cache.keys()) {
    if (cache.size <= max) break;
    cache.delete(k);
  }
  return s;
}

/** Awaits a shared load, forwarding its progress (the latest event first) to onProgress. */
async function follow<T>(s: Shared<T>, onProgress?: (p: LoadProgress) => void): Promise<T> {
  if (!onProgress) return s.promise;
  s.listeners.add(onProgress);
  if (s.last) onProgress(s.last);
  try {
    return await s.promise;
  } finally {
    s.listeners.delete(onProgress);
  }
}

async function loadManifest(fetcher: DataFetcher, signal?: AbortSignal): Promise<Manifest> {
  if (manifestCache?.fetcher === fetcher) return manifestCache.promise;
  const promise = (async () => {
    const res = await fetchOk(fetcher, 'manifest.json', signal);
    const text = await res.text();
    let m: unknown;
    try {
      m = JSON.parse(text);
    } catch {
      throw new DataFormatError(`data/manifest.json is not JSON (starts ${JSON.stringify(text.slice(0, 40))}). ${PREPARE_HINT}`);
    }
    const version = (m as { version?: unknown } | null)?.version;
    if (version !== MANIFEST_VERSION) {
      const shown = version === undefined ? 'no version' : `version ${JSON.stringify(version)}`;
      throw new DataFormatError(`data/manifest.json has ${shown}, expected version ${MANIFEST_VERSION}. ${PREPARE_HINT}`);
    }
    try {
      return checkManifest(m);
    } catch (e) {
      throw e instanceof DataFormatError ? new DataFormatError(`${e.message}. ${PREPARE_HINT}`) : e;
    }
  })();
  manifestCache = { fetcher, promise };
  promise.catch(() => {
    if (manifestCache?.promise === promise) manifestCache = null;
  });
  return promise;
}

/** Downloads the files of one manifest entry, reporting bytes over all of them. */
async function fetchFiles(
  fetcher: DataFetcher,
  entry: ManifestEntry,
  roles: string[],
  emit: (p: LoadProgress) => void,
  signal?: AbortSignal,
  limits: SizeLimits = {},
): Promise<Record<string, Uint8Array>> {
  const files: ManifestFile[] = roles.map((r) => {
    const f = entry.files[r];
    if (!f) throw new DataFormatError(`data/manifest.json: ${entry.title} has no '${r}' file. ${PREPARE_HINT}`);
    return f;
  });
  // bytes expected per file; a server that marks .gz files Content-Encoding: gzip (Vite's
  // does) has the browser inflate them, and the body then has rawBytes
  const expected = files.map((f) => f.bytes);
  const got = files.map(() => 0);
  const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
  const out: Record<string, Uint8Array> = {};
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    // refuse an image set over the size guard before downloading it
    if (f.shape?.length === 3) {
      const [n, h, w] = f.shape as [number, number, number];
      checkSize(`${entry.title} ${roles[i]!.replace('-', ' ')}`, `${n} images of ${h}×${w}`, n * h * w, limits);
    }
    const res = await fetchOk(fetcher, f.path, signal);
    if (res.headers.get('content-encoding')) for (let j = i; j < files.length; j++) expected[j] = files[j]!.rawBytes;
    emit({ loaded: sum(got), total: sum(expected), file: f.path, phase: 'download' });
    const bytes = await readBody(res, `data/${f.path}`, {
      sizeHint: expected[i],
      onBytes: (n) => {
        got[i] = n;
        if (n > expected[i]!) expected[i] = Math.max(n, f.rawBytes);
        emit({ loaded: sum(got), total: sum(expected), file: f.path, phase: 'download' });
      },
    });
    if (looksLikeHtml(bytes)) {
      throw new DataFormatError(`data/${f.path}: the server sent an HTML page, so the file is probably missing. ${PREPARE_HINT}`);
    }
    out[roles[i]!] = bytes;
  }
  emit({ loaded: sum(got), total: sum(expected), file: files.map((f) => f.path).join(', '), phase: 'decode' });
  return out;
}

// ── the datasets ───────────────────────────────────────────────────────────────

function entryOf(m: Manifest, name: string): ManifestEntry {
  const e = m.datasets[name];
  if (!e) {
    throw new DataFormatError(`data/manifest.json lists no '${name}' (it has ${Object.keys(m.datasets).join(', ') || 'nothing'}). ${PREPARE_HINT}`);
  }
  return e;
}

function splitText(e: ManifestEntry, part: 'train' | 'test', n: number): string {
  return e.split.kind === 'official' ? `${part}: official split, ${n} examples` : `${part}: ${n} examples`;
}

/** A file-backed set as decoded: an official train/test pair, or one pool split per call. */
type Base =
  | { kind: 'official'; train: ClassificationDataset; test: ClassificationDataset }
  | { kind: 'pool'; all: ClassificationDataset; testFraction: number };

async function decodeIdxSet(name: 'mnist' | 'fashion-mnist', fetcher: DataFetcher, opts: LoadOptions, emit: (p: LoadProgress) => void): Promise<Base> {
  const e = entryOf(await loadManifest(fetcher, opts.signal), name);
  const classNames = name === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES;
  const meta = { name: e.title, source: e.source, classNames, notes: e.notes };
  if (e.split.kind === 'official') {
    const f = await fetchFiles(fetcher, e, ['train-images', 'train-labels', 'test-images', 'test-labels'], emit, opts.signal, opts);
    const train = await decodeIdxPair(f['train-images']!, f['train-labels']!, { ...meta, part: 'train', split: splitText(e, 'train', e.split.train) }, opts);
    const test = await decodeIdxPair(f['test-images']!, f['test-labels']!, { ...meta, part: 'test', split: splitText(e, 'test', e.split.test) }, opts);
    return { kind: 'official', train, test };
  }
  const f = await fetchFiles(fetcher, e, ['images', 'labels'], emit, opts.signal, opts);
  const all = await decodeIdxPair(f['images']!, f['labels']!, { ...meta, part: 'all', split: `all ${e.split.total} examples` }, opts);
  return { kind: 'pool', all, testFraction: e.split.testFraction };
}

/**
 * The images of an image set to look at, without its training files: the official test
 * split (or, in a copy with one pool, the pool), downloaded with the same bounded reads,
 * progress and size guard as loadDataset — for a picture grid that should not fetch 60 000
 * training images.
 */
export async function loadImagesToShow(
  name: 'mnist' | 'fashion-mnist',
  opts: Pick<LoadOptions, 'onProgress' | 'signal' | 'fetcher' | keyof SizeLimits> = {},
): Promise<ClassificationDataset> {
  const fetcher = opts.fetcher ?? injected ?? defaultFetcher();
  const e = entryOf(await loadManifest(fetcher, opts.signal), name);
  const official = e.split.kind === 'official';
  const roles = official ? ['test-images', 'test-labels'] : ['images', 'labels'];
  const f = await fetchFiles(fetcher, e, roles, opts.onProgress ?? (() => {}), opts.signal, opts);
  const meta = { name: e.title, source: e.source, classNames: name === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES, notes: e.notes };
  const split = e.split.kind === 'official' ? splitText(e, 'test', e.split.test) : `all ${e.split.total} examples`;
  return decodeIdxPair(f[roles[0]!]!, f[roles[1]!]!, { ...meta, part: official ? 'test' : 'all', split }, opts);
}

async function decodeIris(fetcher: DataFetcher, opts: LoadOptions, emit: (p: LoadProgress) => void): Promise<Base> {
  const e = entryOf(await loadManifest(fetcher, opts.signal), 'iris');
  const f = await fetchFiles(fetcher, e, ['csv'], emit, opts.signal, opts);
  const text = decodeText(await maybeGunzip(f['csv']!, 'Iris CSV'));
  const all = parseCsv(text, { label: 'species', name: e.title, source: e.source, ...limitsOf(opts) });
  const testFraction = e.split.kind === 'seeded-stratified' ? e.split.testFraction : 0.2;
  return { kind: 'pool', all: all as ClassificationDataset, testFraction };
}

function limitsOf(o: SizeLimits): SizeLimits {
  return { maxBytes: o.maxBytes, maxElements: o.maxElements };
}

const fetcherIds = new WeakMap<DataFetcher, number>();
let nextFetcherId = 1;

function fetcherId(fetcher: DataFetcher | null): number {
  if (!fetcher) return 0;
  let id = fetcherIds.get(fetcher);
  if (!id) fetcherIds.set(fetcher, (id = nextFetcherId++));
  return id;
}

async function build(
  name: DatasetName,
  chosen: DataFetcher | null,
  o: LoadOptions,
  emit: (p: LoadProgress) => void,
): Promise<LoadedDataset> {
  let train: Dataset;
  let test: Dataset | null;
  switch (name) {
    case 'mnist':
    case 'fashion-mnist':
    case 'iris': {
      const fetcher = chosen ?? defaultFetcher();
      const base = await follow(
        share(bases, JSON.stringify([name, fetcherId(chosen)]), MAX_BASES, (e) =>
          name === 'iris' ? decodeIris(fetcher, o, e) : decodeIdxSet(name, fetcher, o, e),
        ),
        emit,
      );
      ({ train, test } = base.kind === 'official' ? base : stratifiedSplit(base.all, { testFraction: o.testFraction ?? base.testFraction, seed: o.seed }));
      break;
    }
    case 'regression-1':
    case 'regression-2':
      train = courseRegression(name === 'regression-1' ? 1 : 2);
      test = null;
      break;
    case 'spiral':
    case 'circles':
    case 'xor':
    case 'blobs': {
      const seed = o.seed ?? 0;
      train = toyDataset(name as ToyName, { ...o.toy, seed, part: 'train' });
      test = toyDataset(name as ToyName, { ...o.toy, seed, part: 'test' });
      break;
    }
    default:
      throw new RangeError(`unknown dataset '${String(name)}'; known: ${DATASET_NAMES.join(', ')}`);
  }
  if (o.standardize) {
    if (test) ({ train, test } = standardizeSplit(train, test));
    else train = applyStandardizer(train, fitStandardizer(train), `the train set (${count(train)} examples)`);
  }
  return { name, train, test };
}

function applyLayout(d: Dataset, layout: LoadOptions['layout']): Dataset {
  if (d.shape.length !== 4 || layout !== 'flat') return d;
  return withShape(d, [rowSize(d.shape)]);
}

/**
 * Loads a dataset by name. Options: onProgress (bytes), seed and testFraction (the
 * seeded stratified splits and the toys), standardize (fit on train only), layout
 * ('image' | 'flat'), toy (points per class, noise, classes), maxBytes / maxElements
 * (size guard), fetcher, signal. The same name and options return the cached result.
 */
export async function loadDataset(name: DatasetName, opts: LoadOptions = {}): Promise<LoadedDataset> {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown dataset '${String(name)}'; known: ${DATASET_NAMES.join(', ')}`);
  }
  const chosen = opts.fetcher ?? injected;
  // layout and limits are applied per call; an official split ignores seed and testFraction,
  // and its results share the decoded arrays
  const key = JSON.stringify([name, fetcherId(chosen), opts.seed ?? 0, opts.testFraction ?? null, !!opts.standardize, opts.toy ?? null]);
  const shared = share(results, key, MAX_RESULTS, (emit) => build(name, chosen, opts, emit));
  const r = await follow(shared, opts.onProgress);
  // the size guard holds for cached results too
  for (const d of [r.train, r.test]) {
    if (d) checkSize(`${d.name} ${d.split.split(':')[0]}`, `${count(d)} examples of ${rowSize(d.shape)} values`, d.features.length, opts);
  }
  const out = { ...r, train: applyLayout(r.train, opts.layout), test: r.test && applyLayout(r.test, opts.layout) };
  const last = shared.last;
  opts.onProgress?.({ loaded: last?.loaded ?? 0, total: last?.total ?? 0, file: '', phase: 'done' });
  return out;
}
