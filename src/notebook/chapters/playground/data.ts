// The playground's data: a 2-D toy set of the package (spiral, circles, xor, blobs) or one
// of the course's two 1-D regression sets, with what the network sees.
//
//   raw       (n, d) the points in their own units (what the plot shows), d = 2 or 1
//   inputs    (n, d) standardized per column: (x − μ)/s over the whole set
//   targets   classification (n, k) one-hot; regression (n, 1) standardized (y − μ_y)/s_y
//
// The plot keeps the data's own units; the network works on standardized numbers, so one
// learning rate suits every set (the blobs lie ±5 from the origin, the curves' x runs to 12).

import { courseRegression, toyDataset, type ToyName } from '../../../nn/data';
import { classCount, isRegression, type DataSetId, type PlaygroundSettings } from './settings';

export interface Scale {
  mean: number;
  std: number;
}

export interface PlaygroundData {
  task: 'classification' | 'regression';
  name: string;
  /** n points */
  n: number;
  /** 2 for the toys, 1 for the curves */
  d: number;
  /** (n, d) in the data's units */
  raw: Float64Array;
  /** (n, d) standardized */
  inputs: Float64Array;
  /** per input column */
  inputScale: Scale[];
  /** classification: n class indices; regression: empty */
  labels: Uint8Array;
  /** k classes (1 for regression: one output) */
  k: number;
  classNames: string[];
  /** classification (n, k) one-hot; regression (n, 1) standardized targets */
  targets: Float64Array;
  /** regression: y's in their own units (n); classification: empty */
  y: Float64Array;
  /** regression: how the targets were standardized */
  targetScale: Scale;
  /** what the plot spans in the data's units: [x0, x1] and [y0, y1] */
  extent: { x: [number, number]; y: [number, number] };
  /** a CSV: the columns on the horizontal and the vertical axis (x₁, x₂) */
  axisNames?: [string, string];
}

/** mean and standard deviation (population; 1 when the column is constant) */
export function scaleOf(values: ArrayLike<number>, stride = 1, offset = 0): Scale {
  const n = Math.floor((values.length - offset + stride - 1) / stride);
  let sum = 0;
  for (let i = offset; i < values.length; i += stride) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = offset; i < values.length; i += stride) ss += (values[i]! - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return { mean, std: std > 0 ? std : 1 };
}

/** [lo, hi] of the values, widened by `pad` of the span on each side */
export function span(values: ArrayLike<number>, stride: number, offset: number, pad: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < values.length; i += stride) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const w = hi - lo || 1;
  return [lo - pad * w, hi + pad * w];
}

/** a square view around the points (the toys are drawn with equal units on both axes) */
function squareExtent(raw: Float64Array): { x: [number, number]; y: [number, number] } {
  const x = span(raw, 2, 0, 0.08);
  const y = span(raw, 2, 1, 0.08);
  const half = Math.max(x[1] - x[0], y[1] - y[0]) / 2;
  const cx = (x[0] + x[1]) / 2;
  const cy = (y[0] + y[1]) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

export function makePlaygroundData(s: Pick<PlaygroundSettings, 'data' | 'classes' | 'noise' | 'perClass' | 'dataSeed'>): PlaygroundData {
  const id: DataSetId = s.data;
  if (isRegression(id)) {
    const ds = courseRegression(id === 'reg1' ? 1 : 2);
    const n = ds.shape[0]!;
    const raw = Float64Array.from(ds.features);
    const y = Float64Array.from(ds.targets);
    const xs = scaleOf(raw);
    const ys = scaleOf(y);
    return {
      task: 'regression',
      name: ds.name,
      n,
      d: 1,
      raw,
      inputs: raw.map((v) => (v - xs.mean) / xs.std),
      inputScale: [xs],
      labels: new Uint8Array(0),
      k: 1,
      classNames: [],
      targets: y.map((v) => (v - ys.mean) / ys.std),
      y,
      targetScale: ys,
      extent: { x: span(raw, 1, 0, 0.05), y: span(y, 1, 0, 0.15) },
    };
  }
  const k = classCount(s);
  const ds = toyDataset(id as ToyName, { perClass: s.perClass, noise: s.noise, seed: s.dataSeed, classes: k });
  const n = ds.shape[0]!;
  const raw = Float64Array.from(ds.features);
  const scales = [scaleOf(raw, 2, 0), scaleOf(raw, 2, 1)];
  const inputs = raw.map((v, i) => (v - scales[i % 2]!.mean) / scales[i % 2]!.std);
  const labels = Uint8Array.from(ds.labels);
  const targets = new Float64Array(n * k);
  for (let i = 0; i < n; i++) targets[i * k + labels[i]!] = 1;
  return {
    task: 'classification',
    name: ds.name,
    n,
    d: 2,
    raw,
    inputs,
    inputScale: scales,
    labels,
    k,
    classNames: [...ds.classNames],
    targets,
    y: new Float64Array(0),
    targetScale: { mean: 0, std: 1 },
    extent: squareExtent(raw),
  };
}

/** standardized network inputs for points given in the data's units, (m, d) row-major */
export function standardize(points: ArrayLike<number>, scales: readonly Scale[]): Float64Array {
  const d = scales.length;
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) out[i] = (points[i]! - scales[i % d]!.mean) / scales[i % d]!.std;
  return out;
}
