// The student's own data: the bytes of dropped files, parsed in the training worker with
// the package's parsers (CSV: parseCsv; idx / idx.gz images + labels: decodeIdx…;
// CIFAR-10 binary batches: parseCifar10), never on the page's thread.
//
//   csv    one file; numeric feature columns and one label column (by index, chosen in
//          the page); labels that are all integers are class indices, otherwise the
//          distinct strings sorted into classes 0…k−1. Features (n, d).
//   idx    two files, images (idx3, n × rows × cols) and labels (idx1, n), either order,
//          each raw or gzipped; told apart by their magic number. Features (n, rows, cols, 1)
//          in [0, 1]; classes 0…max label.
//   cifar  one or more batches of 3073-byte records. Features (n, 32, 32, 3) in [0, 1].
//
// The whole set is then split by a seeded stratified split (testFraction of each class to
// the test part); standardization, when the session asks for it, is fitted on the train
// part only (src/train/data.ts).

import { maybeGunzip } from '../nn/data/bytes';
import { CSV_LIMITS, csvWhat, decodeText, isNumberCell, parseCsvRows, tokenizeCsv } from '../nn/data/csv';
import { parseCifar10 } from '../nn/data/cifar';
import { count, DEFAULT_LIMITS, stratifiedSplit, type ClassificationDataset } from '../nn/data/dataset';
import { DataFormatError, humanBytes } from '../nn/data/errors';
import { idxToDataset, parseIdxImages, parseIdxLabels } from '../nn/data/idx';

export const OWN_FORMATS = ['csv', 'idx', 'cifar'] as const;
export type OwnFormat = (typeof OWN_FORMATS)[number];

/** the most bytes one dropped file may have; refused before it is read */
export const OWN_FILE_MAX_BYTES = 64_000_000;
/** files per drop: an idx pair, or up to six CIFAR-10 batches */
export const OWN_MAX_FILES = 6;
/** rows shown in a CSV preview, images in an image preview */
export const PREVIEW_ROWS = 5;
export const PREVIEW_IMAGES = 8;

export interface OwnFile {
  name: string;
  bytes: Uint8Array;
}

/** what the worker parses: the files as dropped, and for a CSV the label column (0-based; −1 = last) */
export interface OwnDataSource {
  format: OwnFormat;
  files: OwnFile[];
  labelColumn?: number;
}

export interface OwnDataPreview {
  format: OwnFormat;
  files: string[];
  /** examples in the file(s) */
  rows: number;
  /** one example's shape: (d) for a CSV, (H, W, C) for images */
  sampleShape: number[];
  /** CSV: every column's name (the header's, or "column j" when there is none) */
  columns: string[];
  /** CSV: the label column (0-based) */
  labelColumn: number;
  hasHeader: boolean;
  classes: { name: string; count: number }[];
  /** CSV: the first rows' cells as written */
  sampleRows: string[][];
  /** images: the first PREVIEW_IMAGES, bytes 0–255, (k, H, W, C) */
  images: { pixels: Uint8Array; height: number; width: number; channels: number; labels: string[] } | null;
  /** the seeded stratified split's sizes */
  train: number;
  test: number;
  notes: string[];
}

const LABEL_NAMES = /^(label|labels|class|classes|species|target|category)$/i;

/**
 * The default label column: one named label / class / species / target / category, else
 * one named y (unless a column is named x: then x and y are a point's coordinates), else
 * the last.
 */
export function defaultLabelColumn(header: readonly string[]): number {
  const names = header.map((c) => c.trim());
  const named = names.findIndex((c) => LABEL_NAMES.test(c));
  if (named >= 0) return named;
  const y = names.findIndex((c) => /^y$/i.test(c));
  if (y >= 0 && !names.some((c) => /^x$/i.test(c))) return y;
  return header.length - 1;
}

/** the format a file name suggests (null: none of ours) */
export function formatOfName(name: string): OwnFormat | null {
  const n = name.toLowerCase();
  if (/\.(csv|tsv|txt)$/.test(n)) return 'csv';
  if (/\.bin$/.test(n)) return 'cifar';
  if (/(\.idx\d?|-idx\d-ubyte|\.ubyte)(\.gz)?$/.test(n) || n.endsWith('.gz')) return 'idx';
  return null;
}

/** refuses a source that does not fit its format's file count or the size bound */
export function checkSource(src: OwnDataSource): void {
  const { files, format } = src;
  if (files.length === 0) throw new DataFormatError('your data: no file given');
  if (files.length > OWN_MAX_FILES) throw new DataFormatError(`your data: ${files.length} files; at most ${OWN_MAX_FILES} at once`);
  for (const f of files) {
    if (f.bytes.length > OWN_FILE_MAX_BYTES) {
      throw new DataFormatError(`${f.name}: ${humanBytes(f.bytes.length)} is over the limit of ${humanBytes(OWN_FILE_MAX_BYTES)} per file`);
    }
  }
  if (format === 'csv' && files.length !== 1) throw new DataFormatError(`CSV: drop one file, got ${files.length}`);
  if (format === 'idx' && files.length !== 2) {
    throw new DataFormatError(`idx: drop two files together, the images (idx3) and the labels (idx1); got ${files.length}`);
  }
}

interface Parsed {
  data: ClassificationDataset;
  /** CSV only: the tokenized rows, the header flag and the label column */
  csv?: { rows: string[][]; hasHeader: boolean; labelColumn: number };
}

async function parseCsvSource(src: OwnDataSource): Promise<Parsed> {
  const file = src.files[0]!;
  const what = file.name;
  const text = decodeText(file.bytes);
  // split once: the rows for the preview, and the same rows parsed
  const tokens = tokenizeCsv(text, ',', csvWhat({ name: what }), CSV_LIMITS.maxColumns);
  const rows = tokens.map((r) => r.cells);
  if (rows.length === 0) throw new DataFormatError(`${what}: the file has no rows`);
  const first = rows[0]!;
  // a header when a cell of row 1 is not a number (the label column's may be text either way)
  const guessLabel = src.labelColumn ?? defaultLabelColumn(first.some((c) => !isNumberCell(c)) ? first : []);
  const labelColumn = guessLabel < 0 ? first.length + guessLabel : guessLabel;
  if (!(labelColumn >= 0 && labelColumn < first.length)) {
    throw new DataFormatError(`${what}: label column ${src.labelColumn} does not exist; rows have ${first.length} columns`);
  }
  // parseCsv's own rule: row 1 is a header when one of its feature cells is not a number
  const hasHeader = first.some((c, j) => j !== labelColumn && !isNumberCell(c));
  const data = parseCsvRows(tokens, {
    label: labelColumn,
    header: hasHeader,
    name: what,
    source: `your file ${what}`,
    // the page's reader has no parser options to set: say what the file must hold
    classesAdvice: 'the label column must hold classes: names, or integers 0, 1, 2, … (real-valued labels, a regression, are not trained here)',
  });
  if (data.task !== 'classification') throw new DataFormatError(`${what}: the label column must hold classes`);
  return { data, csv: { rows, hasHeader, labelColumn } };
}

async function parseIdxSource(src: OwnDataSource): Promise<Parsed> {
  const cap = DEFAULT_LIMITS.maxBytes + 64;
  const inflated = await Promise.all(src.files.map((f) => maybeGunzip(f.bytes, f.name, cap)));
  // byte 3 of an idx file is its number of dimensions: 3 for images, 1 for labels
  let imagesAt = inflated.findIndex((b) => b[3] === 3);
  if (imagesAt < 0) imagesAt = inflated.findIndex((b) => b[3] !== 1);
  if (imagesAt < 0) imagesAt = 0;
  const labelsAt = 1 - imagesAt;
  const imgName = src.files[imagesAt]!.name;
  const labName = src.files[labelsAt]!.name;
  const images = parseIdxImages(inflated[imagesAt]!, imgName);
  const labels = parseIdxLabels(inflated[labelsAt]!, labName);
  let max = 0;
  for (let i = 0; i < labels.labels.length; i++) max = Math.max(max, labels.labels[i]!);
  const classNames = Array.from({ length: max + 1 }, (_, c) => String(c));
  const data = idxToDataset(images, labels, {
    name: imgName,
    part: 'images and labels',
    split: `all ${images.count} images`,
    source: `your files ${imgName} and ${labName}`,
    classNames,
  });
  return { data };
}

async function parseCifarSource(src: OwnDataSource): Promise<Parsed> {
  const total = src.files.reduce((a, f) => a + f.bytes.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const f of src.files) {
    // each batch is checked alone first, so a bad one is named
    if (src.files.length > 1) checkCifarBatch(f);
    all.set(f.bytes, at);
    at += f.bytes.length;
  }
  const names = src.files.map((f) => f.name).join(', ');
  const data = parseCifar10(all, { what: src.files.length === 1 ? names : `CIFAR-10 batches ${names}`, source: `your file${src.files.length > 1 ? 's' : ''} ${names}` });
  return { data };
}

/** a batch's length must be a whole number of records */
function checkCifarBatch(f: OwnFile): void {
  if (f.bytes.length === 0 || f.bytes.length % 3073 !== 0) parseCifar10(f.bytes, { what: f.name });
}

/** Parses the dropped files into one classification dataset (every example). */
export async function parseOwnData(src: OwnDataSource): Promise<Parsed> {
  checkSource(src);
  switch (src.format) {
    case 'csv':
      return parseCsvSource(src);
    case 'idx':
      return parseIdxSource(src);
    case 'cifar':
      return parseCifarSource(src);
    default:
      throw new DataFormatError(`your data: unknown format ${JSON.stringify(src.format)}; known: ${OWN_FORMATS.join(', ')}`);
  }
}

/** the seeded stratified train / test split of the student's data */
export async function loadOwnData(src: OwnDataSource, seed: number, testFraction = 0.2): Promise<{ train: ClassificationDataset; test: ClassificationDataset }> {
  const { data } = await parseOwnData(src);
  return stratifiedSplit(data, { testFraction, seed });
}

/** What the page shows before training: sizes, classes with counts, a few rows or images. */
export async function previewOwnData(src: OwnDataSource, seed: number, testFraction = 0.2): Promise<OwnDataPreview> {
  const { data, csv } = await parseOwnData(src);
  const counts = new Array<number>(data.numClasses).fill(0);
  for (let i = 0; i < data.labels.length; i++) counts[data.labels[i]!]!++;
  const split = stratifiedSplit(data, { testFraction, seed });
  const base = {
    format: src.format,
    files: src.files.map((f) => f.name),
    rows: count(data),
    sampleShape: data.shape.slice(1),
    classes: data.classNames.map((name, k) => ({ name, count: counts[k]! })),
    train: count(split.train),
    test: count(split.test),
    notes: [...data.notes],
  };
  if (csv) {
    const width = csv.rows[0]!.length;
    const columns = csv.hasHeader ? csv.rows[0]! : Array.from({ length: width }, (_, j) => `column ${j}`);
    return {
      ...base,
      columns,
      labelColumn: csv.labelColumn,
      hasHeader: csv.hasHeader,
      sampleRows: csv.rows.slice(csv.hasHeader ? 1 : 0, (csv.hasHeader ? 1 : 0) + PREVIEW_ROWS),
      images: null,
    };
  }
  const [height, width, channels] = data.shape.slice(1) as [number, number, number];
  const k = Math.min(PREVIEW_IMAGES, count(data));
  const pixels = new Uint8Array(k * height * width * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(255 * data.features[i]!);
  const labels = Array.from(data.labels.subarray(0, k), (c) => data.classNames[c]!);
  return { ...base, columns: [], labelColumn: -1, hasHeader: false, sampleRows: [], images: { pixels, height, width, channels, labels } };
}
