// ŷ(x) of the 1-4-1 network drawn over the data. The function is piecewise linear with
// a kink where a hidden unit switches (z_j = 0, at x = −b1[j]/w1[j]), so evaluating it at
// the plot's ends and at every kink inside draws it exactly.

import { useId, useMemo } from 'react';
import { UNIT_COLORS } from '../../../ui/colors';
import { useElementWidth } from '../../../ui/use-element-width';
import { forward, kinks, type HandParams, type Point } from './hand-net';
import { fmtFixed } from '../../../ui/format';

export interface FunctionPlotProps {
  params: HandParams;
  data: readonly Point[];
  /** the chosen x, marked with its residual */
  x?: number;
  /** draw each unit's contribution w2[j]·h_j(x) */
  showUnits?: boolean;
  /** accessible title of the figure */
  title: string;
  /** the widest the drawing gets, in units (text is 11 units high); a narrower box uses its own width */
  viewWidth?: number;
  height?: number;
}

const M = { l: 44, r: 14, t: 14, b: 34 };

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

const fmt = (v: number) => fmtFixed(v, 3, { trim: true });

export function FunctionPlot({ params, data, x, showUnits = false, title, viewWidth = 640, height = 300 }: FunctionPlotProps) {
  // draw at the box's own width when it is narrower, so the text stays legible on a phone
  const [boxRef, boxWidth] = useElementWidth<HTMLElement>();
  const W = Math.max(320, Math.min(viewWidth, boxWidth ?? viewWidth));
  const clipId = useId();
  const H = Math.round(height * Math.max(0.8, Math.min(1, W / viewWidth)));
  const model = useMemo(() => {
    const xs = data.map((p) => p[0]);
    const ys = data.map((p) => p[1]);
    const x0 = Math.min(...xs) - 0.5;
    const x1 = Math.max(...xs) + 0.5;
    const ks = kinks(params).filter((k) => k.x > x0 && k.x < x1);
    const knots = [x0, ...ks.map((k) => k.x), x1].sort((a, b) => a - b);
    const curve = knots.map((k) => [k, forward(params, k).yhat] as const);
    const units = params.w1.map((_, j) =>
      knots.map((k) => [k, params.w2[j]! * forward(params, k).h[j]!] as const),
    );
    const dMin = Math.min(...ys);
    const dMax = Math.max(...ys);
    const span = Math.max(dMax - dMin, 1);
    const fVals = curve.map((p) => p[1]).concat(showUnits ? units.flat().map((p) => p[1]) : []);
    const lo = Math.max(Math.min(dMin, ...fVals), dMin - span);
    const hi = Math.min(Math.max(dMax, ...fVals), dMax + span);
    const pad = (hi - lo) * 0.06;
    return { x0, x1, y0: lo - pad, y1: hi + pad, curve, units, ks };
  }, [params, data, showUnits]);

  const sx = (v: number) => M.l + ((v - model.x0) / (model.x1 - model.x0)) * (W - M.l - M.r);
  const sy = (v: number) => M.t + ((model.y1 - v) / (model.y1 - model.y0)) * (H - M.t - M.b);
  const path = (pts: readonly (readonly [number, number])[]) =>
    pts.map(([a, b], i) => `${i ? 'L' : 'M'}${sx(a).toFixed(2)},${sy(b).toFixed(2)}`).join('');

  const xStep = niceStep(model.x1 - model.x0, 12);
  const xTicks: number[] = [];
  for (let v = Math.ceil(model.x0 / xStep) * xStep; v <= model.x1; v += xStep) xTicks.push(Number(v.toFixed(6)));
  const yStep = niceStep(model.y1 - model.y0, 6);
  const yTicks: number[] = [];
  for (let v = Math.ceil(model.y0 / yStep) * yStep; v <= model.y1; v += yStep) yTicks.push(Number(v.toFixed(6)));

  const chosen = x === undefined ? undefined : data.find((p) => p[0] === x);
  const yhatAtX = x === undefined ? undefined : forward(params, x).yhat;
  const description =
    `Data points (${data.length}) and the network's output ŷ(x), a piecewise-linear curve` +
    (model.ks.length ? ` with kinks at x = ${model.ks.map((k) => fmt(k.x)).join(', ')}` : ' with no kink in view') +
    (chosen && yhatAtX !== undefined ? `. At x = ${x}: ŷ = ${fmt(yhatAtX)}, target y = ${fmt(chosen[1])}.` : '.');

  return (
    <figure className="fn-plot" ref={boxRef}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${description}`} preserveAspectRatio="xMidYMid meet">
        <defs>
          <clipPath id={clipId}>
            <rect x={M.l} y={M.t} width={W - M.l - M.r} height={H - M.t - M.b} />
          </clipPath>
        </defs>
        <g className="axis">
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={M.l} x2={W - M.r} y1={sy(v)} y2={sy(v)} className={v === 0 ? 'zero' : 'grid'} />
              <text x={M.l - 6} y={sy(v)} textAnchor="end" dominantBaseline="middle">
                {fmt(v)}
              </text>
            </g>
          ))}
          {xTicks.map((v) => (
            <g key={`x${v}`}>
              <line x1={sx(v)} x2={sx(v)} y1={H - M.b} y2={H - M.b + 4} className="tick" />
              <text x={sx(v)} y={H - M.b + 16} textAnchor="middle">
                {fmt(v)}
              </text>
            </g>
          ))}
          <text x={W - M.r} y={H - 4} textAnchor="end" className="axis-label">
            x
          </text>
          <text x={4} y={M.t + 2} dominantBaseline="hanging" className="axis-label">
            y
          </text>
        </g>
        <g clipPath={`url(#${clipId})`}>
          {model.ks.map((k) => (
            <line key={`k${k.unit}`} x1={sx(k.x)} x2={sx(k.x)} y1={M.t} y2={H - M.b} className="kink-line" stroke={UNIT_COLORS[k.unit]} />
          ))}
          {showUnits
            ? model.units.map((u, j) => (
                <path key={`u${j}`} d={path(u)} className="unit-curve" stroke={UNIT_COLORS[j]} />
              ))
            : null}
          {data.map(([a, b]) => (
            <line key={`r${a}`} x1={sx(a)} x2={sx(a)} y1={sy(b)} y2={sy(forward(params, a).yhat)} className="residual" />
          ))}
          <path d={path(model.curve)} className="fn-curve" data-testid="network-function" />
          {data.map(([a, b]) => (
            <circle key={`p${a}`} cx={sx(a)} cy={sy(b)} r={a === x ? 6 : 4} className={a === x ? 'point chosen' : 'point'} />
          ))}
          {chosen && yhatAtX !== undefined ? (
            <circle cx={sx(chosen[0])} cy={sy(yhatAtX)} r={4.5} className="yhat-point" />
          ) : null}
        </g>
        {model.ks.map((k) => (
          <text key={`kl${k.unit}`} x={sx(k.x)} y={M.t + 10} textAnchor="middle" className="kink-label" fill={UNIT_COLORS[k.unit]}>
            {k.unit + 1}
          </text>
        ))}
      </svg>
      <figcaption className="legend-row" aria-hidden="true">
        <span className="key key-data">data (x, y)</span>
        <span className="key key-curve">network ŷ(x)</span>
        <span className="key key-residual">error ŷ − y</span>
        <span className="key key-kink">kink of unit j (z_j = 0)</span>
        {chosen ? <span className="key key-chosen">chosen x = {x}</span> : null}
      </figcaption>
    </figure>
  );
}
