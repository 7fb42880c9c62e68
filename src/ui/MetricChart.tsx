// The notebook's live metric chart (recharts): training and validation curves, sweeps'
// overlaid runs, and markers where something changed during a run.
//
//   series    one line each; points of different runs of a session are not joined
//   markers   vertical lines where the learning rate or batch size changed, a new model
//             started (hidden size) or the loss stopped being finite; numbered on the chart
//             (staggered so that near ones do not overlap) and named in a row below it
//
// However long a run gets, a redraw costs the same: each run segment is thinned to at most
// `maxPoints` points (min and max per bucket, so spikes survive), the data are memoized,
// live lines are not animated, and the chart redraws at most every CHART_REFRESH_MS.
//
// A loss that explodes would stretch a linear axis to 1e35 and flatten everything before
// it: when the largest value is more than 10 × the curve's usual level (its start, or its
// median), the axis is clipped above the usual level and says how far the rest goes; the
// log scale (a checkbox) shows all of it.
//
// The figure's accessible name carries the latest value of every series ("name: 0.123 at
// step 45; …"); it changes once per redraw. The markers are listed in text; each legend
// entry carries data-points (points drawn) and data-last (the latest value), the figure
// data-y-axis (linear, clipped or log) and data-y-top (the axis' top).
//
// "Download chart as PNG" / "as SVG" save the chart as drawn, with its title and legend
// (export-chart.ts).

import { memo, useId, useMemo, useRef, useState, type ReactElement } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { SERIES_COLORS } from './colors';
import { badgeRows, prepare, scales, type Row } from './chart-scales';
import { downloadBlob, downloadText, fileStem, serializeChart, svgToPng } from './export-chart';
import { useThrottled } from './use-throttled';
import './MetricChart.css';

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
  /** a dot at each point (sparse series: one point per epoch) */
  dots?: boolean;
  /** thinner, lighter line (context, e.g. earlier runs) */
  faint?: boolean;
}

export type ChartMarkerKind = 'lr' | 'batchSize' | 'restart' | 'diverged';

export interface ChartMarker {
  kind: ChartMarkerKind;
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
  /** the x axis starts here (or at the data, if it starts earlier) */
  xMin?: number;
  /** per run segment, after thinning (default 200) */
  maxPoints?: number;
  height?: number;
  /** offer a log-scale y axis */
  allowLog?: boolean;
  /** start on the log scale */
  defaultLog?: boolean;
  /** values in the summary and the tooltip (default 4 significant digits) */
  format?: (v: number) => string;
  /** how x is written in the summary, e.g. "step" (default: xLabel) */
  xName?: string;
  emptyText?: string;
  testId?: string;
}

export const MARKER_COLORS: Record<ChartMarkerKind, string> = {
  lr: '#8a4fa3',
  batchSize: '#a8862a',
  restart: '#3b8a5a',
  diverged: '#b3261e',
};

/** markers numbered on the chart and named below it (older ones keep their line only) */
const LABELLED_MARKERS = 6;
const INK = '#4b5563';
/** one empty list, so that a chart without markers keeps the same props from render to render */
const NO_MARKERS: readonly ChartMarker[] = [];

const tick = (v: number) => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e6) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
};

const defaultFormat = (v: number) => String(Number(v.toPrecision(4)));

/** x written exactly for whole numbers (steps), to 4 significant digits otherwise (epochs) */
const exactX = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));


/** a marker's number above the plot; recharts gives the line's top in viewBox */
function Badge({ viewBox, n, row, color }: { viewBox?: { x?: number; y?: number }; n: number; row: number; color: string }): ReactElement {
  const x = viewBox?.x ?? 0;
  const y = (viewBox?.y ?? 0) - 5 - 15 * row;
  const w = 8 + 6 * String(n).length;
  return (
    <g className="marker-badge">
      <rect x={x - w / 2} y={y - 12} width={w} height={13} rx={3} fill="#ffffff" stroke={color} />
      <text x={x} y={y - 2} textAnchor="middle" fontSize={10} fontWeight={600} fill={color}>
        {n}
      </text>
    </g>
  );
}

/** the drawing, for series and markers that change at most every CHART_REFRESH_MS */
const MetricChartView = memo(function MetricChartView({
  title,
  xLabel,
  yLabel,
  series,
  markers = NO_MARKERS,
  yDomain,
  xMin,
  maxPoints = 200,
  height = 260,
  allowLog = false,
  defaultLog = false,
  format = defaultFormat,
  xName = xLabel,
  emptyText = 'No points yet — the curve appears when training starts.',
  testId,
}: MetricChartProps) {
  const [log, setLog] = useState(defaultLog);
  const [exportError, setExportError] = useState<string | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const logId = useId();
  const markersId = useId();

  const lines = useMemo(
    () => series.map((s, i) => prepare(s, s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!, maxPoints, log)),
    [series, maxPoints, log],
  );
  const sc = useMemo(() => scales(lines, markers, { log, yDomain, xMin }), [lines, markers, log, yDomain, xMin]);
  // values far above a clipped axis are drawn just above it (an SVG path cannot hold 1e35 px)
  const drawn = useMemo(() => {
    if (sc.clipped === null) return lines;
    const cap = 1.5 * sc.y[1];
    return lines.map((s) => ({ ...s, data: s.data.map((r) => (r.y !== null && r.y > cap ? { x: r.x, y: cap, raw: r.y } : r)) }));
  }, [lines, sc]);
  const labelled = useMemo(() => {
    const first = Math.max(0, markers.length - LABELLED_MARKERS);
    const shown = markers.slice(first);
    const rows = badgeRows(shown, sc.x[1] - sc.x[0]);
    return shown.map((m, i) => ({ ...m, n: first + i + 1, row: rows[i]! }));
  }, [markers, sc]);
  const rowsUsed = labelled.length ? Math.max(...labelled.map((m) => m.row)) + 1 : 0;

  const empty = lines.every((s) => s.count === 0);

  /** the chart as drawn, as a standalone SVG document (null while nothing is drawn) */
  const exported = () => {
    const svg = body.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (!svg) return null;
    return serializeChart(svg, title, lines.map((s) => ({ name: s.name, color: s.color, dash: s.dash, faint: s.faint })));
  };
  const saveAs = async (kind: 'png' | 'svg') => {
    try {
      const doc = exported();
      if (!doc) return setExportError('Nothing is drawn yet: the chart is empty.');
      if (kind === 'svg') downloadText(doc.text, `${fileStem(title)}.svg`, 'image/svg+xml');
      else downloadBlob(await svgToPng(doc.text, doc.width, doc.height, 2), `${fileStem(title)}.png`);
      setExportError(null);
    } catch (e) {
      setExportError(`The chart could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const summary = lines.map((s) => (s.last ? `${s.name}: ${format(s.last.value)} at ${xName} ${exactX(s.last.x)}` : `${s.name}: no data yet`)).join('; ');

  return (
    <figure
      className="chart metric-chart"
      aria-label={`${title}. ${summary}`}
      aria-describedby={markers.length ? markersId : undefined}
      data-testid={testId}
      data-y-axis={log ? 'log' : sc.clipped !== null ? 'clipped' : 'linear'}
      data-y-top={sc.y[1]}
    >
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        {allowLog || defaultLog ? (
          <span className="chart-options">
            <input id={logId} type="checkbox" checked={log} onChange={(e) => setLog(e.currentTarget.checked)} />
            <label htmlFor={logId}>log scale</label>
          </span>
        ) : null}
        <span className="chart-export" role="group" aria-label={`Save the chart ${title}`}>
          <button type="button" className="small" aria-label="Download chart as PNG" title={`${title} as a PNG image (2× resolution)`} disabled={empty} onClick={() => void saveAs('png')}>
            PNG
          </button>
          <button type="button" className="small" aria-label="Download chart as SVG" title={`${title} as an SVG drawing`} disabled={empty} onClick={() => void saveAs('svg')}>
            SVG
          </button>
        </span>
      </figcaption>
      {exportError ? (
        <p className="notice warn small" role="alert">
          {exportError}
        </p>
      ) : null}
      <ul className="chart-legend" aria-hidden="true">
        {lines.map((s) => (
          <li key={s.name} className="legend-item" data-points={s.count} data-last={s.last ? s.last.value : undefined}>
            <svg width="22" height="8" aria-hidden="true">
              <line x1="1" y1="4" x2="21" y2="4" stroke={s.color} strokeWidth={s.faint ? 1.5 : 2} strokeOpacity={s.faint ? 0.6 : 1} strokeDasharray={s.dash} />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
      <div className="chart-body" style={{ height }} ref={body}>
        {empty ? (
          <p className="chart-empty">{emptyText}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={{ top: 8 + 15 * rowsUsed, right: 16, bottom: 22, left: 4 }}>
              <CartesianGrid stroke="#e6e8ec" />
              <XAxis
                type="number"
                dataKey="x"
                domain={sc.x}
                ticks={sc.xTicks}
                allowDataOverflow
                allowDuplicatedCategory={false}
                tickFormatter={tick}
                label={{ value: xLabel, position: 'insideBottom', offset: -14, fill: INK, fontSize: 12 }}
                tick={{ fontSize: 11, fill: INK }}
              />
              <YAxis
                type="number"
                scale={log ? 'log' : 'linear'}
                domain={sc.y}
                ticks={sc.yTicks}
                allowDataOverflow
                tickFormatter={tick}
                width={58}
                label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 6, fill: INK, fontSize: 12, style: { textAnchor: 'middle' } }}
                tick={{ fontSize: 11, fill: INK }}
              />
              <Tooltip
                isAnimationActive={false}
                formatter={(v, _name, item) => {
                  const raw = (item.payload as Row | undefined)?.raw;
                  return raw !== undefined ? format(raw) : typeof v === 'number' ? format(v) : String(v);
                }}
                labelFormatter={(l) => `${xName} ${typeof l === 'number' ? exactX(l) : String(l)}`}
              />
              {markers.map((m, i) => {
                const lab = labelled.find((l) => l.n === i + 1);
                return (
                  <ReferenceLine
                    key={`m${i}`}
                    x={m.x}
                    stroke={MARKER_COLORS[m.kind]}
                    strokeWidth={m.kind === 'diverged' ? 2 : 1.5}
                    strokeDasharray={m.kind === 'diverged' ? undefined : '4 3'}
                    ifOverflow="hidden"
                    label={lab && lab.row >= 0 ? <Badge n={lab.n} row={lab.row} color={MARKER_COLORS[m.kind]} /> : undefined}
                  />
                );
              })}
              {drawn.map((s) => (
                <Line
                  key={s.name}
                  name={s.name}
                  data={s.data}
                  dataKey="y"
                  type="linear"
                  stroke={s.color}
                  strokeWidth={s.faint ? 1.25 : 2}
                  strokeOpacity={s.faint ? 0.55 : 1}
                  strokeDasharray={s.dash}
                  dot={s.dots ? { r: 2.5, fill: s.color, strokeWidth: 0 } : false}
                  activeDot={{ r: 3 }}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
      {sc.clipped !== null ? (
        <p className="chart-note">
          ↑ the axis stops at {tick(sc.y[1])}: later values go up to {format(sc.clipped)}
          {allowLog ? ' (the log scale shows them all)' : ''}
        </p>
      ) : null}
      {labelled.length ? (
        <ol className="chart-legend marker-legend" aria-hidden="true">
          {labelled.map((m) => (
            <li key={`${m.n}`} className="marker-item">
              <span className="marker-number" style={{ color: MARKER_COLORS[m.kind], borderColor: MARKER_COLORS[m.kind] }}>
                {m.n}
              </span>
              {m.label}
              {m.kind === 'diverged' ? '' : ` · ${xName} ${exactX(m.x)}`}
            </li>
          ))}
        </ol>
      ) : null}
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
});

/**
 * The live chart: series and markers are passed on together at most every
 * CHART_REFRESH_MS, and only then is the chart drawn again (a metric batch that arrives
 * in between re-renders this wrapper, not recharts).
 */
export function MetricChart(props: MetricChartProps) {
  const live = useMemo(() => ({ series: props.series, markers: props.markers ?? NO_MARKERS }), [props.series, props.markers]);
  const { series, markers } = useThrottled(live);
  return <MetricChartView {...props} series={series} markers={markers} />;
}
