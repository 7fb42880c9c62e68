// The idx format of MNIST and Fashion-MNIST.
//
//   bytes 0–1   zero
//   byte  2     data type: 0x08 unsigned byte (the only one accepted here), 0x09 signed
//               byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
//   byte  3     number of dimensions: 3 for images (n, rows, cols), 1 for labels (n)
//   then        one big-endian uint32 per dimension, then the data, row-major
//
// So an images file starts 0x00000803 and a labels file 0x00000801. Files ending in
// .gz (or any bytes starting with the gzip magic) are inflated first.

import { allocF32 } from './alloc';
import { maybeGunzip, looksLikeHtml, preview } from './bytes';
import {
  checkLabels,
  checkSize,
  DEFAULT_LIMITS,
  labelArray,
  type ClassificationDataset,
  type SizeLimits,
} from './dataset';
import { DataFormatError, hex32 } from './errors';

const DTYPES: Record<number, string> = {
  0x08: 'unsigned bytes',
  0x09: 'signed bytes',
  0x0b: '16-bit integers',
  0x0c: '32-bit integers',
  0x0d: '32-bit floats',
  0x0e: '64-bit floats',
};

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count·rows·cols bytes, row-major (n, rows, cols) */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Checks the magic number and returns the dimensions; `what` names the file in messages. */
function readHeader(b: Uint8Array, what: string, ndims: 1 | 3): number[] {
  const expected = 0x0800 | ndims;
  const kind = `idx${ndims} unsigned bytes`;
  if (b.length < 4) {
    throw new DataFormatError(`${what} file: only ${b.length} bytes, too short for an idx header (magic ${hex32(expected)}, ${kind})`);
  }
  const magic = readU32(b, 0);
  if (magic !== expected) {
    let why = '';
    if (looksLikeHtml(b)) why = ': the file is an HTML page, not idx data (is the file missing on the server?)';
    else if (b[0] !== 0 || b[1] !== 0) why = `: the file starts with ${preview(b, 8)}, not with two zero bytes`;
    else if (b[2] !== 0x08) why = `: data type 0x${b[2]!.toString(16).toUpperCase().padStart(2, '0')} is ${DTYPES[b[2]!] ?? 'not an idx data type'}; only unsigned bytes (0x08) are supported`;
    else why = `: ${b[3]} dimensions, expected ${ndims} (${ndims === 3 ? 'an images file' : 'a labels file'})`;
    throw new DataFormatError(`${what} file: wrong magic number ${hex32(magic)}, expected ${hex32(expected)} (${kind})${why}`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (b.length < headerBytes) {
    throw new DataFormatError(`${what} file truncated: ${b.length} bytes, the idx${ndims} header alone takes ${headerBytes}`);
  }
  return Array.from({ length: ndims }, (_, i) => readU32(b, 4 + 4 * i));
}

function checkLength(what: string, b: Uint8Array, headerBytes: number, need: number, detail: string): void {
  const have = b.length - headerBytes;
  if (have < need) {
    throw new DataFormatError(
      `${what} file truncated: header says ${detail} = ${need} bytes, file has ${have} after the ${headerBytes}-byte header`,
    );
  }
  if (have > need) {
    throw new DataFormatError(
      `${what} file: header says ${detail} = ${need} bytes, but the file has ${have - need} extra bytes after them`,
    );
  }
}

/** Parses an idx3 unsigned-byte images file (already inflated). */
export function parseIdxImages(bytes: Uint8Array, what = 'images', limits: SizeLimits = {}): IdxImages {
  const [count, rows, cols] = readHeader(bytes, what, 3) as [number, number, number];
  const detail = `${count} images of ${rows}×${cols}`;
  checkSize(what, detail, count * rows * cols, limits);
  checkLength(what, bytes, 16, count * rows * cols, detail);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** Parses an idx1 unsigned-byte labels file (already inflated). */
export function parseIdxLabels(bytes: Uint8Array, what = 'labels'): IdxLabels {
  const [count] = readHeader(bytes, what, 1) as [number];
  checkLength(what, bytes, 8, count, `${count} labels`);
  return { count, labels: bytes.subarray(8) };
}

/** pixel bytes → float32 in [0, 1] (x / 255) */
export function scalePixels(pixels: Uint8Array): Float32Array {
  const out = allocF32(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}

export interface ImageSetMeta {
  /** e.g. "MNIST" */
  name: string;
  /** names the files in messages: "train", "test", "all" */
  part: string;
  /** e.g. "train: official split, 60000 examples" */
  split: string;
  source: string;
  classNames: readonly string[];
  notes?: readonly string[];
}

/**
 * An image classification dataset from parsed idx images and labels: features
 * (n, rows, cols, 1) scaled to [0, 1]; counts must agree and labels lie in 0…k−1.
 */
export function idxToDataset(images: IdxImages, labels: IdxLabels, meta: ImageSetMeta): ClassificationDataset {
  const what = `${meta.name} ${meta.part}`;
  if (images.count !== labels.count) {
    throw new DataFormatError(`${what}: ${images.count} images but ${labels.count} labels`);
  }
  const numClasses = meta.classNames.length;
  checkLabels(`${what} labels`, labels.labels, numClasses);
  const lab = labelArray(labels.count, numClasses);
  lab.set(labels.labels);
  return {
    task: 'classification',
    name: meta.name,
    split: meta.split,
    source: meta.source,
    notes: [...(meta.notes ?? []), 'pixels scaled from 0–255 to [0, 1]'],
    shape: [images.count, images.rows, images.cols, 1],
    features: scalePixels(images.pixels),
    labels: lab,
    numClasses,
    classNames: meta.classNames,
  };
}

/** Inflate (when gzipped) and parse an images/labels pair in one step. */
export async function decodeIdxPair(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  meta: ImageSetMeta,
  limits: SizeLimits = {},
): Promise<ClassificationDataset> {
  // the inflated bytes are 1 per value, the float32 features 4: a file that inflates
  // beyond maxBytes is over the limit for sure; smaller ones are checked exactly below
  const inflateCap = (limits.maxBytes ?? DEFAULT_LIMITS.maxBytes) + 64;
  const img = `${meta.name} ${meta.part} images`;
  const lab = `${meta.name} ${meta.part} labels`;
  const images = parseIdxImages(await maybeGunzip(imageBytes, img, inflateCap), img, limits);
  const labels = parseIdxLabels(await maybeGunzip(labelBytes, lab, inflateCap), lab);
  return idxToDataset(images, labels, meta);
}
