// A live loss chart (recharts). Several series can be overlaid (training vs. validation,
// or runs of a sweep). Rendering stays cheap however long a run gets: the data is
// memoized, animation is off, and each series is thinned to at most `maxPoints` points
// by keeping the minimum and maximum of each bucket (spikes survive the thinning).

import { memo, useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { SERIES_COLORS } from './colors';

export interface ChartPoint {
  step: number;
  value: number;
}

export interface LossSeries {
  name: string;
  points: readonly ChartPoint[];
  color?: string;
  dashed?: boolean;
}

export interface LossChartProps {
  title: string;
  series: readonly LossSeries[];
  xLabel?: string;
  yLabel?: string;
  /** per series, after thinning */
  maxPoints?: number;
  height?: number;
  /** start with a logarithmic y axis (the reader can toggle it) */
  defaultLog?: boolean;
}

/** at most ~max points: the first, the last, and each bucket's minimum and maximum, in step order */
export function downsample(points: readonly ChartPoint[], max: number): ChartPoint[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const size = (points.length - 2) / buckets;
  const out: ChartPoint[] = [points[0]!];
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

const tick = (v: number) => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-2 || a >= 1e5) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
};

function LossChartImpl({ title, series, xLabel = 'step', yLabel = 'loss', maxPoints = 400, height = 260, defaultLog = false }: LossChartProps) {
  const [log, setLog] = useState(defaultLog);
  const logId = useId();

  const lines = useMemo(
    () =>
      series.map((s, i) => ({
        ...s,
        color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!,
        // a log axis cannot show 0 or negative values; non-finite values break the line
        data: downsample(s.points, maxPoints).filter((p) => Number.isFinite(p.value) && (!log || p.value > 0)),
      })),
    [series, maxPoints, log],
  );

  const summary = lines
    .map((s) => {
      const last = s.data[s.data.length - 1];
      return last ? `${s.name}: ${tick(last.value)} at ${xLabel} ${last.step}` : `${s.name}: no data yet`;
    })
    .join('; ');
  const empty = lines.every((s) => s.data.length === 0);

  return (
    <figure className="chart" aria-label={`${title}. ${summary}`}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-options">
          <input id={logId} type="checkbox" checked={log} onChange={(e) => setLog(e.currentTarget.checked)} />
          <label htmlFor={logId}>log scale</label>
        </span>
      </figcaption>
      <div className="chart-body" style={{ height }}>
        {empty ? (
          <p className="chart-empty">No points yet — the curve appears when training starts.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart margin={{ top: 8, right: 16, bottom: 28, left: 12 }}>
              <CartesianGrid stroke="#e6e8ec" />
              <XAxis
                type="number"
                dataKey="step"
                domain={['dataMin', 'dataMax']}
                allowDuplicatedCategory={false}
                tickFormatter={tick}
                label={{ value: xLabel, position: 'insideBottom', offset: -16, fill: '#4b5563', fontSize: 12 }}
                tick={{ fontSize: 11, fill: '#4b5563' }}
              />
              <YAxis
                type="number"
                scale={log ? 'log' : 'auto'}
                domain={log ? ['auto', 'auto'] : [0, 'auto']}
                allowDataOverflow={log}
                tickFormatter={tick}
                width={56}
                label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 4, fill: '#4b5563', fontSize: 12 }}
                tick={{ fontSize: 11, fill: '#4b5563' }}
              />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))}
                labelFormatter={(l) => `${xLabel} ${l}`}
                isAnimationActive={false}
              />
              <Legend
                verticalAlign="top"
                height={24}
                iconType="plainline"
                wrapperStyle={{ fontSize: 12 }}
                itemSorter={(item) => lines.findIndex((s) => s.name === item.value)}
              />
              {lines.map((s) => (
                <Line
                  key={s.name}
                  name={s.name}
                  data={s.data}
                  dataKey="value"
                  type="linear"
                  stroke={s.color}
                  strokeWidth={2}
                  strokeDasharray={s.dashed ? '5 4' : undefined}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}

export const LossChart = memo(LossChartImpl);
