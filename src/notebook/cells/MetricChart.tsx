// A live metric chart with markers: vertical lines where a setting changed during the
// run (learning rate, batch size), where a new model started (hidden size) and where the
// loss stopped being finite. Series can span several runs of one session; the line
// breaks between runs instead of joining the old model's last loss to the new model's
// first.
//
// Drawn as plain SVG from React (paths built here), not with recharts: a live chart is
// redrawn several times a second while training runs, and must cost a few milliseconds
// a redraw on a slow machine so that no main-thread task exceeds 50 ms. recharts' render
// path (its store, selectors and text measuring) cost 20–60 ms a redraw here. The rules
// stay those of the notebook's other charts: memoized data, no animation, each run
// segment thinned to at most `maxPoints` (min and max per bucket, so spikes survive),
// a title, axis labels, a legend; hover (or focus and arrow keys) reads out the values.
//
// The figure's accessible name carries the latest value of every series, and the
// markers are listed in text for screen readers (and tests).

import { memo, useId, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { SERIES_COLORS } from '../../ui/colors';
import { downsample } from '../../ui/LossChart';
import { useElementWidth } from '../../ui/useElementWidth';
import type { MarkerKind } from '../../store/training';

export interface MetricPoint {
  x: number;
  value: number;
  /** points of different runs are not joined */
  run?: number;
}

export interface MetricSeries {
  name: string;
  points: readonly MetricPoint[];
  color?: string;
  /** true: dashed; a string: an SVG dash pattern, e.g. '2 3' */
  dashed?: boolean | string;
  /** draw a dot at each point (sparse series: one point per epoch) */
  dots?: boolean;
  /** thinner, lighter line (context, e.g. earlier runs) */
  faint?: boolean;
}

export interface ChartMarker {
  kind: MarkerKind;
  x: number;
  label: string;
}

export interface MetricChartProps {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly MetricSeries[];
  markers?: readonly ChartMarker[];
  /** fixed y range, e.g. [0, 1] for accuracy; default: from 0 to a round number above the data */
  yDomain?: [number, number];
  /** the x axis starts here (or at the data, if it starts earlier); default: where the data start */
  xMin?: number;
  /** per run segment, after thinning (default 200) */
  maxPoints?: number;
  height?: number;
  /** offer a log-scale y axis */
  allowLog?: boolean;
  /** values in the summary and the read-out (default 4 significant digits) */
  format?: (v: number) => string;
  /** how x is written in the summary, e.g. "step" */
  xName?: string;
  emptyText?: string;
  testId?: string;
}

export const MARKER_COLORS: Record<MarkerKind, string> = {
  lr: '#8a4fa3',
  batchSize: '#a8862a',
  restart: '#3b8a5a',
  diverged: '#b3261e',
};

/** markers drawn with a label (older ones keep their line only, so labels do not pile up) */
const LABELLED_MARKERS = 3;
const INK = '#4b5563';
const GRID = '#e6e8ec';
const M = { top: 16, right: 16, bottom: 40, left: 58 };

const tick = (v: number) => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e6) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
};

const defaultFormat = (v: number) => String(Number(v.toPrecision(4)));

/** x written exactly for whole numbers (steps), to 4 significant digits otherwise (epochs) */
const exactX = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

function dashOf(d: boolean | string | undefined): string | undefined {
  return typeof d === 'string' ? d || undefined : d ? '5 4' : undefined;
}

/**
 * About `count` round tick values covering [lo, hi] (1, 2 or 5 × 10^k apart).
 */
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
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const between = b - a <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = a; e <= b; e++) for (const f of between) out.push(f * 10 ** e);
  return out.filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
}

type Row = { x: number; value: number };

/** thinned points of each run segment (runs are drawn as separate pieces) */
function prepare(points: readonly MetricPoint[], maxPoints: number, log: boolean): Row[][] {
  const ok = points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.x) && (!log || p.value > 0));
  const segs: Row[][] = [];
  let start = 0;
  for (let i = 1; i <= ok.length; i++) {
    if (i < ok.length && ok[i]!.run === ok[start]!.run) continue;
    const seg = ok.slice(start, i).map((p) => ({ step: p.x, value: p.value }));
    segs.push(downsample(seg, maxPoints).map((p) => ({ x: p.step, value: p.value })));
    start = i;
  }
  return segs;
}

interface Prepared {
  name: string;
  color: string;
  dash: string | undefined;
  faint: boolean;
  dots: boolean;
  segs: Row[][];
  last: Row | null;
}

function MetricChartImpl({
  title,
  xLabel,
  yLabel,
  series,
  markers = [],
  yDomain,
  xMin,
  maxPoints = 200,
  height = 260,
  allowLog = false,
  format = defaultFormat,
  xName = xLabel,
  emptyText = 'No points yet — the curve appears when training starts.',
  testId,
}: MetricChartProps) {
  const [log, setLog] = useState(false);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const logId = useId();
  const markersId = useId();
  const clipId = useId();
  const [bodyRef, measured] = useElementWidth<HTMLDivElement>();
  const width = measured ?? 480;

  const lines = useMemo<Prepared[]>(
    () =>
      series.map((s, i) => {
        const segs = prepare(s.points, maxPoints, log);
        const lastSeg = segs[segs.length - 1];
        return {
          name: s.name,
          color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!,
          dash: dashOf(s.dashed),
          faint: !!s.faint,
          dots: !!s.dots,
          segs,
          last: lastSeg && lastSeg.length ? lastSeg[lastSeg.length - 1]! : null,
        };
      }),
    [series, maxPoints, log],
  );

  const empty = lines.every((s) => s.segs.length === 0);

  // scales: x over the data and the markers; y from 0 (or the data's minimum on a log axis)
  const geo = useMemo(() => {
    let x0 = Infinity;
    let x1 = -Infinity;
    let yMin = Infinity;
    let yMax = 0;
    const values: number[] = [];
    for (const s of lines) {
      for (const seg of s.segs) {
        for (const p of seg) {
          if (p.x < x0) x0 = p.x;
          if (p.x > x1) x1 = p.x;
          if (p.value > yMax) yMax = p.value;
          if (p.value > 0 && p.value < yMin) yMin = p.value;
          values.push(p.value);
        }
      }
    }
    // a loss that explodes before it diverges would flatten the rest of the curve: the
    // linear axis then stops at a round number above the bulk of the values (95th
    // percentile), and says how far the few others go
    let clipped: number | null = null;
    let yTop = yMax;
    if (!yDomain && values.length >= 20) {
      values.sort((a, b) => a - b);
      const p95 = values[Math.floor(0.95 * (values.length - 1))]!;
      if (p95 > 0 && yMax > 5 * p95) {
        yTop = p95 * 1.3;
        clipped = yMax;
      }
    }
    for (const m of markers) {
      if (m.x < x0) x0 = m.x;
      if (m.x > x1) x1 = m.x;
    }
    if (xMin !== undefined && xMin < x0) x0 = xMin;
    if (!Number.isFinite(x0)) {
      x0 = 0;
      x1 = 1;
    }
    if (!(x1 > x0)) x1 = x0 + 1;
    const w = Math.max(40, width - M.left - M.right);
    const h = Math.max(40, height - M.top - M.bottom);
    const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * w;
    let sy: (v: number) => number;
    let yTicks: number[];
    if (log && Number.isFinite(yMin) && yMax > 0) {
      const lo = 10 ** Math.floor(Math.log10(yMin));
      const hi = 10 ** Math.ceil(Math.log10(yMax));
      const l0 = Math.log10(lo);
      const l1 = Math.log10(hi > lo ? hi : lo * 10);
      sy = (v) => M.top + h - ((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0)) * h;
      yTicks = logTicks(lo, 10 ** l1);
    } else {
      const [y0, y1] = yDomain ?? [0, niceCeil(yTop)];
      sy = (v) => M.top + h - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * h;
      yTicks = niceTicks(y0, y1, 4);
    }
    const xTicks = niceTicks(x0, x1, Math.max(2, Math.min(6, Math.floor(w / 80))));
    return { x0, x1, w, h, sx, sy, xTicks, yTicks, clipped: log ? null : clipped };
  }, [lines, markers, width, height, log, yDomain, xMin]);

  const paths = useMemo(
    () =>
      lines.map((s) =>
        s.segs
          .map((seg) => seg.map((p, i) => `${i ? 'L' : 'M'}${geo.sx(p.x).toFixed(1)} ${geo.sy(p.value).toFixed(1)}`).join(''))
          .join(''),
      ),
    [lines, geo],
  );

  const summary = lines.map((s) => (s.last ? `${s.name}: ${format(s.last.value)} at ${xName} ${exactX(s.last.x)}` : `${s.name}: no data yet`)).join('; ');
  const labelled = markers.slice(-LABELLED_MARKERS);

  // the read-out: each series' point nearest to the hovered x
  const readout = useMemo(() => {
    if (hoverX === null) return null;
    let bestX = hoverX;
    let bestD = Infinity;
    for (const s of lines) for (const seg of s.segs) for (const p of seg) {
      const d = Math.abs(p.x - hoverX);
      if (d < bestD) {
        bestD = d;
        bestX = p.x;
      }
    }
    const rows = lines.flatMap((s) => {
      let hit: Row | null = null;
      let hd = Infinity;
      for (const seg of s.segs) for (const p of seg) {
        const d = Math.abs(p.x - bestX);
        if (d < hd) {
          hd = d;
          hit = p;
        }
      }
      // only points close to the hovered x (a sparse series has none between its epochs)
      return hit && hd <= (geo.x1 - geo.x0) / 60 ? [{ name: s.name, color: s.color, value: hit.value }] : [];
    });
    return { x: bestX, rows };
  }, [hoverX, lines, geo]);

  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const f = (e.clientX - box.left) / box.width;
    setHoverX(geo.x0 + Math.min(1, Math.max(0, f)) * (geo.x1 - geo.x0));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const step = (geo.x1 - geo.x0) / 50;
    setHoverX((x) => Math.min(geo.x1, Math.max(geo.x0, (x ?? geo.x1) + (e.key === 'ArrowRight' ? step : -step))));
  };

  return (
    <figure className="chart metric-chart" aria-label={`${title}. ${summary}`} aria-describedby={markers.length ? markersId : undefined} data-testid={testId}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        {allowLog ? (
          <span className="chart-options">
            <input id={logId} type="checkbox" checked={log} onChange={(e) => setLog(e.currentTarget.checked)} />
            <label htmlFor={logId}>log scale</label>
          </span>
        ) : null}
      </figcaption>
      <ul className="chart-legend" aria-hidden="true">
        {lines.map((s) => (
          <li key={s.name} className="legend-item">
            <svg width="22" height="8" aria-hidden="true">
              <line x1="1" y1="4" x2="21" y2="4" stroke={s.color} strokeWidth={s.faint ? 1.5 : 2} strokeOpacity={s.faint ? 0.6 : 1} strokeDasharray={s.dash} />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
      <div className="chart-body" style={{ height }} ref={bodyRef}>
        {empty ? (
          <p className="chart-empty">{emptyText}</p>
        ) : (
          <svg
            className="metric-svg"
            width={width}
            height={height}
            viewBox={`0 0 ${width} ${height}`}
            tabIndex={0}
            role="group"
            aria-label={`${title}: use the left and right arrow keys to read the values`}
            onKeyDown={onKey}
            onBlur={() => setHoverX(null)}
          >
            <defs>
              <clipPath id={clipId}>
                <rect x={M.left} y={M.top - 2} width={geo.w} height={geo.h + 4} />
              </clipPath>
            </defs>
            <g className="grid">
              {geo.yTicks.map((v) => (
                <line key={`y${v}`} x1={M.left} x2={M.left + geo.w} y1={geo.sy(v)} y2={geo.sy(v)} stroke={GRID} />
              ))}
              {geo.xTicks.map((v) => (
                <line key={`x${v}`} x1={geo.sx(v)} x2={geo.sx(v)} y1={M.top} y2={M.top + geo.h} stroke={GRID} />
              ))}
            </g>
            <g className="axis" fontSize={11} fill={INK}>
              <line x1={M.left} x2={M.left + geo.w} y1={M.top + geo.h} y2={M.top + geo.h} stroke="#9aa1ab" />
              <line x1={M.left} x2={M.left} y1={M.top} y2={M.top + geo.h} stroke="#9aa1ab" />
              {geo.xTicks.map((v) => (
                <text key={`xt${v}`} x={geo.sx(v)} y={M.top + geo.h + 15} textAnchor="middle">
                  {tick(v)}
                </text>
              ))}
              {geo.yTicks.map((v) => (
                <text key={`yt${v}`} x={M.left - 6} y={geo.sy(v) + 4} textAnchor="end">
                  {tick(v)}
                </text>
              ))}
              <text x={M.left + geo.w / 2} y={height - 6} textAnchor="middle" fontSize={12}>
                {xLabel}
              </text>
              <text transform={`translate(13 ${M.top + geo.h / 2}) rotate(-90)`} textAnchor="middle" fontSize={12}>
                {yLabel}
              </text>
            </g>
            <g className="markers">
              {markers.map((m, i) => (
                <line
                  key={`m${i}`}
                  x1={geo.sx(m.x)}
                  x2={geo.sx(m.x)}
                  y1={M.top}
                  y2={M.top + geo.h}
                  stroke={MARKER_COLORS[m.kind]}
                  strokeWidth={m.kind === 'diverged' ? 2 : 1.5}
                  strokeDasharray={m.kind === 'diverged' ? undefined : '4 3'}
                />
              ))}
              {labelled.map((m, i) => {
                const x = geo.sx(m.x);
                const right = x > M.left + geo.w * 0.62;
                return (
                  <text
                    key={`ml${i}`}
                    className="marker-label"
                    x={right ? x - 4 : x + 4}
                    y={M.top + 11 + 13 * i}
                    textAnchor={right ? 'end' : 'start'}
                    fontSize={11}
                    fill={MARKER_COLORS[m.kind]}
                  >
                    {m.label}
                  </text>
                );
              })}
            </g>
            <g clipPath={`url(#${clipId})`}>
              {lines.map((s, i) => (
                <path
                  key={s.name}
                  className="series"
                  d={paths[i]}
                  fill="none"
                  stroke={s.color}
                  strokeWidth={s.faint ? 1.25 : 2}
                  strokeOpacity={s.faint ? 0.55 : 1}
                  strokeDasharray={s.dash}
                  strokeLinejoin="round"
                />
              ))}
              {lines.map((s) =>
                s.dots
                  ? s.segs.flatMap((seg, j) => seg.map((p, k) => <circle key={`${s.name}-${j}-${k}`} cx={geo.sx(p.x)} cy={geo.sy(p.value)} r={2.5} fill={s.color} />))
                  : null,
              )}
            </g>
            {geo.clipped !== null ? (
              <text className="marker-label" x={M.left + geo.w - 4} y={M.top + geo.h - 6} textAnchor="end" fontSize={11} fill={INK}>
                ↑ some values above the axis, up to {format(geo.clipped)}{allowLog ? ' (log scale shows all)' : ''}
              </text>
            ) : null}
            {readout ? <line x1={geo.sx(readout.x)} x2={geo.sx(readout.x)} y1={M.top} y2={M.top + geo.h} stroke="#1b1f27" strokeOpacity={0.35} /> : null}
            <rect
              x={M.left}
              y={M.top}
              width={geo.w}
              height={geo.h}
              fill="transparent"
              onMouseMove={onMove}
              onMouseLeave={() => setHoverX(null)}
            />
          </svg>
        )}
        {readout && readout.rows.length ? (
          <div
            className="chart-readout"
            role="status"
            style={geo.sx(readout.x) > width / 2 ? { right: width - geo.sx(readout.x) + 8 } : { left: geo.sx(readout.x) + 8 }}
          >
            <div className="readout-x">
              {xName} {exactX(readout.x)}
            </div>
            {readout.rows.map((r) => (
              <div key={r.name}>
                <span className="readout-key" style={{ background: r.color }} /> {r.name}: <span className="mono">{format(r.value)}</span>
              </div>
            ))}
          </div>
        ) : null}
      </div>
      {markers.length ? (
        <ul id={markersId} className="visually-hidden" aria-label={`Markers on the chart ${title}`} data-testid={testId ? `${testId}-markers` : undefined}>
          {markers.map((m, i) => (
            <li key={`${m.kind}-${m.x}-${i}`} data-kind={m.kind} data-x={m.x}>
              {m.kind === 'diverged' ? m.label : `${m.label} (after ${xName} ${exactX(m.x)})`}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

export const MetricChart = memo(MetricChartImpl);
