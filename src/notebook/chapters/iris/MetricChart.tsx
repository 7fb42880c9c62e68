// A live metric chart (recharts) with markers: vertical reference lines where a setting
// changed during the run (learning rate, batch size), where a new model started (hidden
// size) and where the loss stopped being finite. Series can span several runs of one
// session; the line breaks between runs instead of joining the old model's last loss to
// the new model's first.
//
// Cheap however long the run: memoized data, no animation, each run segment thinned to
// at most `maxPoints` (min and max per bucket, so spikes survive). The figure's
// accessible name carries the latest value of every series, and the markers are listed
// in text for screen readers (and tests).

import { memo, useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { SERIES_COLORS } from '../../../ui/colors';
import { downsample } from '../../../ui/LossChart';
import type { MarkerKind } from '../../../store/training';

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
  /** fixed y range, e.g. [0, 1] for accuracy; default: from 0 to the data's maximum */
  yDomain?: [number, number];
  /** per run segment, after thinning (default 300) */
  maxPoints?: number;
  height?: number;
  /** offer a log-scale y axis */
  allowLog?: boolean;
  /** digits in the summary and tooltip (default 4 significant) */
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
const LABELLED_MARKERS = 4;

const tick = (v: number) => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-2 || a >= 1e5) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
};

const defaultFormat = (v: number) => String(Number(v.toPrecision(4)));

type Row = { x: number; value: number | null };

/** thinned points, with a null between runs so the line breaks there */
function prepare(points: readonly MetricPoint[], maxPoints: number, log: boolean): Row[] {
  const ok = points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.x) && (!log || p.value > 0));
  if (ok.length === 0) return [];
  const out: Row[] = [];
  let start = 0;
  for (let i = 1; i <= ok.length; i++) {
    if (i < ok.length && ok[i]!.run === ok[start]!.run) continue;
    const seg = ok.slice(start, i).map((p) => ({ step: p.x, value: p.value }));
    if (out.length) out.push({ x: (out[out.length - 1]!.x + seg[0]!.step) / 2, value: null });
    for (const p of downsample(seg, maxPoints)) out.push({ x: p.step, value: p.value });
    start = i;
  }
  return out;
}

function MetricChartImpl({
  title,
  xLabel,
  yLabel,
  series,
  markers = [],
  yDomain,
  maxPoints = 300,
  height = 260,
  allowLog = false,
  format = defaultFormat,
  xName = xLabel,
  emptyText = 'No points yet — the curve appears when training starts.',
  testId,
}: MetricChartProps) {
  const [log, setLog] = useState(false);
  const logId = useId();
  const markersId = useId();

  const lines = useMemo(
    () =>
      series.map((s, i) => ({
        ...s,
        color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!,
        data: prepare(s.points, maxPoints, log),
      })),
    [series, maxPoints, log],
  );

  const summary = lines
    .map((s) => {
      const last = [...s.data].reverse().find((p) => p.value !== null);
      return last ? `${s.name}: ${format(last.value!)} at ${xName} ${tick(last.x)}` : `${s.name}: no data yet`;
    })
    .join('; ');
  const empty = lines.every((s) => s.data.length === 0);
  const labelled = new Set(markers.slice(-LABELLED_MARKERS));

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
      <div className="chart-body" style={{ height }}>
        {empty ? (
          <p className="chart-empty">{emptyText}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={{ top: 8, right: 18, bottom: 28, left: 12 }}>
              <CartesianGrid stroke="#e6e8ec" />
              <XAxis
                type="number"
                dataKey="x"
                domain={['dataMin', 'dataMax']}
                allowDuplicatedCategory={false}
                tickFormatter={tick}
                label={{ value: xLabel, position: 'insideBottom', offset: -16, fill: '#4b5563', fontSize: 12 }}
                tick={{ fontSize: 11, fill: '#4b5563' }}
              />
              <YAxis
                type="number"
                scale={log ? 'log' : 'auto'}
                domain={log ? ['auto', 'auto'] : (yDomain ?? [0, 'auto'])}
                allowDataOverflow={log || yDomain !== undefined}
                tickFormatter={tick}
                width={56}
                label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 4, fill: '#4b5563', fontSize: 12 }}
                tick={{ fontSize: 11, fill: '#4b5563' }}
              />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
                labelFormatter={(l) => `${xName} ${typeof l === 'number' ? tick(l) : l}`}
                isAnimationActive={false}
              />
              <Legend
                verticalAlign="top"
                iconType="plainline"
                wrapperStyle={{ fontSize: 12 }}
                itemSorter={(item) => lines.findIndex((s) => s.name === item.value)}
              />
              {markers.map((m, i) => (
                <ReferenceLine
                  key={`${m.kind}-${m.x}-${i}`}
                  x={m.x}
                  stroke={MARKER_COLORS[m.kind]}
                  strokeDasharray={m.kind === 'diverged' ? undefined : '4 3'}
                  strokeWidth={m.kind === 'diverged' ? 2 : 1.5}
                  ifOverflow="extendDomain"
                  label={
                    labelled.has(m)
                      ? { value: m.label, position: 'insideTopLeft', fill: MARKER_COLORS[m.kind], fontSize: 11, offset: 6 }
                      : undefined
                  }
                />
              ))}
              {lines.map((s) => (
                <Line
                  key={s.name}
                  name={s.name}
                  data={s.data}
                  dataKey="value"
                  type="linear"
                  stroke={s.color}
                  strokeWidth={s.faint ? 1.25 : 2}
                  strokeOpacity={s.faint ? 0.55 : 1}
                  strokeDasharray={typeof s.dashed === 'string' ? s.dashed || undefined : s.dashed ? '5 4' : undefined}
                  dot={s.dots ? { r: 2.5, strokeWidth: 0, fill: s.color } : false}
                  activeDot={{ r: 3 }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      {markers.length ? (
        <ul id={markersId} className="visually-hidden" aria-label={`Markers on the chart ${title}`} data-testid={testId ? `${testId}-markers` : undefined}>
          {markers.map((m, i) => (
            <li key={`${m.kind}-${m.x}-${i}`} data-kind={m.kind} data-x={m.x}>
              {m.label} (after {xName} {tick(m.x)})
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

export const MetricChart = memo(MetricChartImpl);
