// The metric chart's arithmetic, apart from its drawing: thinning a series (per run),
// round axis ticks, the y axis (clipped when a loss explodes, or log), and the rows of the
// marker numbers so that near markers do not overlap.

import type { ChartMarker, MetricSeries } from './MetricChart';

/** rows of marker numbers above the plot */
const BADGE_ROWS = 3;

const dashOf = (d: boolean | string | undefined) => (typeof d === 'string' ? d || undefined : d ? '5 4' : undefined);

/** at most ~max points: the first, the last, and each bucket's minimum and maximum, in x order */
export function downsample<P extends { value: number }>(points: readonly P[], max: number): P[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const size = (points.length - 2) / buckets;
  const out: P[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor(b * size);
    const hi = Math.min(points.length - 1, 1 + Math.floor((b + 1) * size));
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (points[i]!.value < points[iMin]!.value) iMin = i;
      if (points[i]!.value > points[iMax]!.value) iMax = i;
    }
    if (iMin === iMax) out.push(points[iMin]!);
    else for (const i of iMin < iMax ? [iMin, iMax] : [iMax, iMin]) out.push(points[i]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 × 10^k apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((v) => v >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** the smallest round number ≥ v (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k), for the top of an axis from 0 */
function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((f) => f * mag).find((c) => c >= v * (1 - 1e-12))!;
}

/** log axis ticks: powers of 10 (with 2 and 5 between when the range is short) */
function logTicks(lo: number, hi: number): number[] {
  const a = Math.round(Math.log10(lo));
  const b = Math.round(Math.log10(hi));
  const between = b - a <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let e = a; e <= b; e += every) for (const f of between) out.push(f * 10 ** e);
  return out.filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
}

/** y: where it is drawn; raw: the value, when y is held at the edge of a clipped axis */
export type Row = { x: number; y: number | null; raw?: number };

export interface Prepared {
  name: string;
  color: string;
  dash: string | undefined;
  faint: boolean;
  dots: boolean;
  /** run segments thinned and joined, a null between runs (a gap in the line) */
  data: Row[];
  /** the points drawn (without the gaps) */
  count: number;
  /** the first few values drawn (the start of the curve: its usual level) */
  head: number[];
  last: { x: number; value: number } | null;
}

/** a series' finite points (positive on a log axis), each run thinned, runs separated by a gap */
export function prepare(s: MetricSeries, color: string, maxPoints: number, log: boolean): Prepared {
  const ok = s.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.x) && (!log || p.value > 0));
  const data: Row[] = [];
  let count = 0;
  let start = 0;
  for (let i = 1; i <= ok.length; i++) {
    if (i < ok.length && ok[i]!.run === ok[start]!.run) continue;
    if (data.length) data.push({ x: (data[data.length - 1]!.x + ok[start]!.x) / 2, y: null });
    const seg = downsample(ok.slice(start, i), maxPoints);
    for (const p of seg) data.push({ x: p.x, y: p.value });
    count += seg.length;
    start = i;
  }
  const lastP = ok[ok.length - 1];
  const head = ok.slice(0, Math.max(5, Math.ceil(ok.length / 10))).map((p) => p.value);
  return { name: s.name, color, dash: dashOf(s.dashed), faint: !!s.faint, dots: !!s.dots, data, count, head, last: lastP ? { x: lastP.x, value: lastP.value } : null };
}

export interface Scales {
  x: [number, number];
  xTicks: number[];
  y: [number, number];
  yTicks: number[];
  /** the largest value, when the axis stops below it */
  clipped: number | null;
}

export function scales(lines: Prepared[], markers: readonly ChartMarker[], o: { log: boolean; yDomain?: [number, number]; xMin?: number }): Scales {
  let x0 = Infinity;
  let x1 = -Infinity;
  const values: number[] = [];
  const head: number[] = [];
  for (const s of lines) {
    head.push(...s.head);
    for (const r of s.data) {
      if (r.y === null) continue;
      x0 = Math.min(x0, r.x);
      x1 = Math.max(x1, r.x);
      values.push(r.y);
    }
  }
  for (const m of markers) {
    x0 = Math.min(x0, m.x);
    x1 = Math.max(x1, m.x);
  }
  if (o.xMin !== undefined && o.xMin < x0) x0 = o.xMin;
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!(x1 > x0)) x1 = x0 + 1;
  const xTicks = niceTicks(x0, x1, 5);
  const yMax = values.reduce((a, v) => Math.max(a, v), -Infinity);
  const yMin = values.reduce((a, v) => Math.min(a, v), Infinity);

  if (o.log && values.length) {
    const lo = 10 ** Math.floor(Math.log10(yMin));
    const hi = Math.max(10 ** Math.ceil(Math.log10(yMax)), lo * 10);
    return { x: [x0, x1], xTicks, y: [lo, hi], yTicks: logTicks(lo, hi), clipped: null };
  }
  if (o.yDomain) return { x: [x0, x1], xTicks, y: o.yDomain, yTicks: niceTicks(o.yDomain[0], o.yDomain[1], 4), clipped: null };
  // the usual level: the start of the curves, or the median value, whichever is higher
  const sorted = values.slice().sort((a, b) => a - b);
  const usual = Math.max(head.reduce((a, v) => Math.max(a, v), 0), sorted[Math.floor(sorted.length / 2)] ?? 0);
  let top = yMax;
  let clipped: number | null = null;
  if (values.length >= 5 && usual > 0 && yMax > 10 * usual) {
    top = 1.3 * sorted.filter((v) => v <= 10 * usual).reduce((a, v) => Math.max(a, v), usual);
    clipped = yMax;
  }
  const bottom = Math.min(0, yMin);
  const y: [number, number] = [bottom, niceCeil(top)];
  return { x: [x0, x1], xTicks, y, yTicks: niceTicks(y[0], y[1], 4), clipped };
}

/** badge rows: a marker near the previous one (in x) goes a row higher, so numbers never overlap; -1: no room (named below the chart only) */
export function badgeRows(markers: readonly { x: number }[], span: number): number[] {
  const rows: number[] = [];
  const lastX: number[] = new Array<number>(BADGE_ROWS).fill(-Infinity);
  const order = markers.map((_, i) => i).sort((a, b) => markers[a]!.x - markers[b]!.x);
  for (const i of order) {
    const x = markers[i]!.x;
    const row = lastX.findIndex((lx) => x - lx >= 0.07 * span);
    if (row >= 0) lastX[row] = x;
    rows[i] = row;
  }
  return rows;
}

