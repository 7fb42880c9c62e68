// Small pictures for chapter 5: a digit, a grid of small maps (filters, feature maps)
// sharing one colour scale, and the ten class probabilities as bars.

import { memo, useEffect, useMemo, useRef } from 'react';
import { GreyImage, paintCanvas, type GreyImageProps } from '../../../ui/GreyImage';
import { diverging, sequential } from '../../../ui/colors';
import { fmtFixed } from '../../../ui/format';

/** an MNIST-style digit: white ink on black, as the network sees it (pixels 0 … 255 unless `max` says otherwise) */
export function DigitImage({ max = 255, className, ...rest }: GreyImageProps) {
  return <GreyImage max={max} className={`digit${className ? ` ${className}` : ''}`} {...rest} />;
}

export interface SmallMap {
  /** shown under the map and read as its name */
  label: string;
  /** (h, w) values, row-major, or read with `at` */
  h: number;
  w: number;
  at: (r: number, c: number) => number;
}

export interface MapGridProps {
  /** the group's name, e.g. "First convolution: 6 filters, 5 × 5" */
  title: string;
  maps: readonly SmallMap[];
  /** 'diverging' (signed: filters) or 'sequential' (ReLU outputs) */
  scale: 'diverging' | 'sequential';
  /** CSS pixels per value */
  zoom: number;
}

function fmt(v: number): string {
  return fmtFixed(v, (a) => (a >= 10 ? 1 : 2), { expBelow: 1e-3, expDigits: 1 });
}

/** the smallest and largest value of a map */
function extent(m: SmallMap): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < m.h; r++)
    for (let c = 0; c < m.w; c++) {
      const v = m.at(r, c);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return Number.isFinite(lo) ? [lo, hi] : [0, 0];
}

/** maps side by side with one colour scale for all of them (so their strengths compare) */
export const MapGrid = memo(function MapGrid({ title, maps, scale, zoom }: MapGridProps) {
  const extents = useMemo(() => maps.map(extent), [maps]);
  const lo = Math.min(0, ...extents.map((e) => e[0]));
  const hi = Math.max(0, ...extents.map((e) => e[1]));
  const range = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const legend = scale === 'diverging' ? `blue negative, white 0, red positive; ±${fmt(range)}` : `white 0, dark ${fmt(hi)}`;
  return (
    <figure className="map-grid">
      <figcaption>
        <span className="map-grid-title">{title}</span> <span className="muted small">({legend})</span>
      </figcaption>
      <div className="map-grid-items">
        {maps.map((m, i) => (
          <MapCanvas key={m.label} map={m} extent={extents[i]!} zoom={zoom} scale={scale} range={scale === 'diverging' ? range : hi > 0 ? hi : 1} />
        ))}
      </div>
    </figure>
  );
});

interface MapCanvasProps {
  map: SmallMap;
  extent: readonly [number, number];
  zoom: number;
  scale: 'diverging' | 'sequential';
  /** ±range (diverging) or 0 … range (sequential) */
  range: number;
}

const MapCanvas = memo(function MapCanvas({ map, extent, zoom, scale, range }: MapCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const colour = scale === 'diverging' ? (v: number) => diverging(v, range) : (v: number) => sequential(v, 0, range);
    paintCanvas(ref.current, map.h, map.w, (k) => colour(map.at(Math.floor(k / map.w), k % map.w)));
  }, [map, scale, range]);
  return (
    <figure className="map-item">
      <canvas
        ref={ref}
        role="img"
        aria-label={`${map.label}: ${map.h} × ${map.w}, values ${fmt(extent[0])} to ${fmt(extent[1])}`}
        style={{ width: map.w * zoom, height: map.h * zoom }}
      />
      <figcaption aria-hidden="true">{map.label}</figcaption>
    </figure>
  );
});

export interface ProbabilityBarsProps {
  /** (k) probabilities */
  probs: ArrayLike<number>;
  classNames: readonly string[];
  /** marks this class as the true one */
  truth?: number | null;
  label: string;
}

/** the class probabilities as horizontal bars, the predicted class highlighted */
export function ProbabilityBars({ probs, classNames, truth, label }: ProbabilityBarsProps) {
  let best = 0;
  for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[best]!) best = c;
  return (
    <table className="prob-bars">
      <caption>{label}</caption>
      <thead className="visually-hidden">
        <tr>
          <th scope="col">class</th>
          <th scope="col">probability</th>
        </tr>
      </thead>
      <tbody>
        {Array.from(probs, (p, c) => (
          <tr key={c} className={c === best ? 'best' : undefined}>
            <th scope="row">
              {classNames[c] ?? c}
              {truth === c ? (
                <span className="truth-mark">
                  {' '}
                  <span aria-hidden="true">✓</span>
                  <span className="visually-hidden">(the true class)</span>
                </span>
              ) : null}
            </th>
            <td>
              <span className="prob-track" aria-hidden="true">
                <span className="prob-fill" style={{ width: `${(Math.min(1, Math.max(0, p)) * 100).toFixed(1)}%` }} />
              </span>
              <span className="prob-value mono">{(100 * p).toFixed(1)}%</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
