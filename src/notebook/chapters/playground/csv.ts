// The student's CSV in the playground. The file is read by the package's rules for own
// data (src/train/own-data.ts: parsed in a worker for the preview, then once more here
// for its rows, small by then): numeric feature columns and one label column of classes.
// Two of the feature columns are the plane's axes (the first two unless the student picks
// others), and the network trains on those two:
//
//   raw       (n, 2) the two columns in the file's units (what the plot shows)
//   inputs    (n, 2) standardized per column over all rows: (x − μ)/s
//   targets   (n, k) one-hot over the classes that occur (an integer label with no row
//             is dropped, so k counts only classes with points)
//
// The playground trains on the page and plots classes, so a file is refused when it has
// fewer than two feature columns, more than MAX_CSV_ROWS rows, or fewer than two or more
// than MAX_CSV_CLASSES classes; real-valued labels (a regression) are refused by the parser.

import { create } from 'zustand';
import type { ClassificationDataset } from '../../../nn/data/dataset';
import type { OwnDataPreview } from '../../../train/own-data';
import { scaleOf, span, type PlaygroundData } from './data';

/** the largest generated set (6 classes of 300): the page trains on every row each frame */
export const MAX_CSV_ROWS = 1800;
/** the most classes the playground colours (as the spiral and the blobs) */
export const MAX_CSV_CLASSES = 6;

/** why the playground cannot take the previewed file, or null */
export function csvMisfit(p: OwnDataPreview): string | null {
  if (p.format !== 'csv') return 'the playground takes a CSV file';
  const d = p.sampleShape[0] ?? 0;
  if (d < 2) return `the file has ${d} feature column${d === 1 ? '' : 's'} besides the label; the playground plots two`;
  if (p.rows > MAX_CSV_ROWS) {
    return `${p.rows.toLocaleString('en-US')} rows; the playground trains on this page on every row and takes at most ${MAX_CSV_ROWS.toLocaleString('en-US')}`;
  }
  const used = p.classes.filter((c) => c.count > 0).length;
  if (used < 2) return `the label column '${p.columns[p.labelColumn]}' holds one class only; a classifier needs two or more`;
  if (used > MAX_CSV_CLASSES) {
    return `the label column '${p.columns[p.labelColumn]}' holds ${used} classes; the playground colours at most ${MAX_CSV_CLASSES} (choose another label column, or a file of fewer classes)`;
  }
  return null;
}

/** the axes after the student puts `column` on axis `which` (0 horizontal, 1 vertical); the same column on both swaps them */
export function pickAxis(axes: readonly [number, number], which: 0 | 1, column: number): [number, number] {
  const other = axes[1 - which]!;
  const next: [number, number] = [axes[0], axes[1]];
  next[which] = column;
  if (column === other) next[1 - which] = axes[which];
  return next;
}

/** the playground's data from a parsed CSV and the two feature columns on its axes */
export function csvPlaygroundData(ds: ClassificationDataset, axes: readonly [number, number]): PlaygroundData {
  const [n, d] = ds.shape as [number, number];
  const [a, b] = axes;
  if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < d && b < d && a !== b)) {
    throw new RangeError(`the axes must be two different feature columns of 0…${d - 1}, got ${a} and ${b}`);
  }
  // the classes with points, in their order
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < n; i++) counts[ds.labels[i]!]!++;
  const kept = counts.flatMap((c, k) => (c > 0 ? [k] : []));
  const index = new Map(kept.map((old, k) => [old, k]));
  const k = kept.length;
  const raw = new Float64Array(2 * n);
  const labels = new Uint8Array(n);
  const targets = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    raw[2 * i] = ds.features[i * d + a]!;
    raw[2 * i + 1] = ds.features[i * d + b]!;
    labels[i] = index.get(ds.labels[i]!)!;
    targets[i * k + labels[i]!] = 1;
  }
  const scales = [scaleOf(raw, 2, 0), scaleOf(raw, 2, 1)];
  const names = ds.featureNames ?? Array.from({ length: d }, (_, j) => `column ${j}`);
  return {
    task: 'classification',
    name: ds.name,
    n,
    d: 2,
    raw,
    inputs: raw.map((v, i) => (v - scales[i % 2]!.mean) / scales[i % 2]!.std),
    inputScale: scales,
    labels,
    k,
    classNames: kept.map((c) => ds.classNames[c]!),
    targets,
    y: new Float64Array(0),
    targetScale: { mean: 0, std: 1 },
    // the columns keep their own units, so each axis spans its own column
    extent: { x: span(raw, 2, 0, 0.08), y: span(raw, 2, 1, 0.08) },
    axisNames: [names[a]!, names[b]!],
  };
}

export interface PlaygroundCsv {
  /** the file as the page shows it */
  file: { name: string; size: number };
  /** every row, parsed */
  dataset: ClassificationDataset;
  /** the feature columns on the horizontal and the vertical axis */
  axes: [number, number];
}

interface CsvState {
  /** the file in use (while the chapter is on screen) */
  csv: PlaygroundCsv | null;
  /** why the data set is not the one the address named (a link cannot carry the file) */
  note: string | null;
}

export const useCsv = create<CsvState>()(() => ({ csv: null, note: null }));
