// Cell: the data — the 150 flowers as a scatter plot of two chosen measurements, coloured
// by species (filled: the training flowers, rings: the test flowers of cell 3.2's seeded
// split), and as a table. Raw measurements in centimetres; the network sees them
// standardized with the training flowers' mean and standard deviation.

import { useEffect, useId, useMemo, useState } from 'react';
import { loadDataset } from '../../../nn/data/load';
import type { ClassificationDataset } from '../../../nn/data/dataset';
import { SERIES_COLORS } from '../../../ui/colors';
import { Progress, Select } from '../../../ui/controls';
import { useNearViewport } from '../../cells/backend-task';
import { TEST_FRACTION, useIrisSettings } from './settings';

const FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'] as const;
const W = 460;
const H = 340;
const P = { l: 44, r: 14, t: 12, b: 40 };

interface Flower {
  x: readonly number[];
  species: number;
  split: 'train' | 'test';
}

function flowersOf(train: ClassificationDataset, test: ClassificationDataset): Flower[] {
  const rows = (ds: ClassificationDataset, split: Flower['split']): Flower[] =>
    Array.from(ds.labels, (c, i) => ({ x: Array.from(ds.features.subarray(i * 4, i * 4 + 4)), species: c, split }));
  return [...rows(train, 'train'), ...rows(test, 'test')];
}

/** round ticks over [lo, hi] */
function ticks(lo: number, hi: number): number[] {
  const step = hi - lo > 4 ? 1 : 0.5;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Math.round(t * 10) / 10);
  return out;
}

function Scatter({ flowers, names, fx, fy }: { flowers: readonly Flower[]; names: readonly string[]; fx: number; fy: number }) {
  const titleId = useId();
  const range = (f: number): [number, number] => {
    const v = flowers.map((r) => r.x[f]!);
    return [Math.floor(Math.min(...v) * 2) / 2 - 0.25, Math.ceil(Math.max(...v) * 2) / 2 + 0.25];
  };
  const [x0, x1] = range(fx);
  const [y0, y1] = range(fy);
  const sx = (v: number) => P.l + ((v - x0) / (x1 - x0)) * (W - P.l - P.r);
  const sy = (v: number) => P.t + ((y1 - v) / (y1 - y0)) * (H - P.t - P.b);
  return (
    <figure className="iris-scatter">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} data-testid="iris-scatter" data-points={flowers.length}>
        <title id={titleId}>
          The 150 flowers: {FEATURES[fy]} against {FEATURES[fx]}, in centimetres, coloured by species
        </title>
        {ticks(x0, x1).map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={P.t} y2={H - P.b} className="iris-grid" />
            <text x={sx(t)} y={H - P.b + 14} textAnchor="middle" className="iris-tick">
              {t}
            </text>
          </g>
        ))}
        {ticks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line x1={P.l} x2={W - P.r} y1={sy(t)} y2={sy(t)} className="iris-grid" />
            <text x={P.l - 6} y={sy(t) + 3} textAnchor="end" className="iris-tick">
              {t}
            </text>
          </g>
        ))}
        <text x={(P.l + W - P.r) / 2} y={H - 6} textAnchor="middle" className="iris-axis">
          {FEATURES[fx]} (cm)
        </text>
        <text transform={`translate(12 ${(P.t + H - P.b) / 2}) rotate(-90)`} textAnchor="middle" className="iris-axis">
          {FEATURES[fy]} (cm)
        </text>
        {flowers.map((r, i) => (
          <circle
            key={i}
            cx={sx(r.x[fx]!)}
            cy={sy(r.x[fy]!)}
            r={r.split === 'train' ? 3.6 : 4.2}
            fill={r.split === 'train' ? SERIES_COLORS[r.species] : 'none'}
            stroke={SERIES_COLORS[r.species]}
            strokeWidth={r.split === 'train' ? 0.8 : 1.8}
            fillOpacity={0.75}
          />
        ))}
      </svg>
      <figcaption className="small">
        {names.map((n, c) => (
          <span key={n} className="iris-key">
            <span className="iris-swatch" style={{ background: SERIES_COLORS[c] }} aria-hidden="true" /> {n}
          </span>
        ))}
        <span className="iris-key iris-key-wrap">filled: training flowers · rings: test flowers</span>
      </figcaption>
    </figure>
  );
}

export function IrisDataCellBody() {
  const seed = useIrisSettings((s) => s.seed);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const [data, setData] = useState<{ train: ClassificationDataset; test: ClassificationDataset } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fx, setFx] = useState(2);
  const [fy, setFy] = useState(3);
  useEffect(() => {
    if (!near) return;
    let live = true;
    loadDataset('iris', { seed, testFraction: TEST_FRACTION }).then(
      (d) => live && setData({ train: d.train as ClassificationDataset, test: d.test as ClassificationDataset }),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [near, seed]);
  const flowers = useMemo(() => (data ? flowersOf(data.train, data.test) : []), [data]);
  const options = FEATURES.map((f, i) => ({ value: String(i), label: f }));
  return (
    <div ref={nearRef} className="lab-cell">
      {error ? (
        <p className="notice error" role="alert">
          Loading the Iris data failed: {error}
        </p>
      ) : !data ? (
        <Progress label="Loading the 150 flowers…" />
      ) : (
        <>
          <div className="controls-row">
            <Select label="Horizontal axis" value={String(fx)} options={options} onChange={(v) => setFx(Number(v))} />
            <Select label="Vertical axis" value={String(fy)} options={options} onChange={(v) => setFy(Number(v))} />
          </div>
          <Scatter flowers={flowers} names={data.train.classNames} fx={fx} fy={fy} />
          <p className="small">
            {data.train.labels.length} training and {data.test.labels.length} test flowers (seed {seed}, the split cell 3.2 trains on).
            Setosa stands apart on the petal measurements; versicolor and virginica overlap, and those overlapping flowers are the
            ones a network gets wrong.
          </p>
          <div className="table-wrap iris-table" role="region" aria-label="The 150 flowers" tabIndex={0}>
            <table data-testid="iris-table">
              <caption className="small muted">Every flower, in centimetres, with its species and the split it is in.</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  {FEATURES.map((f) => (
                    <th key={f} scope="col" className="num">
                      {f}
                    </th>
                  ))}
                  <th scope="col">species</th>
                  <th scope="col">split</th>
                </tr>
              </thead>
              <tbody>
                {flowers.map((r, i) => (
                  <tr key={i}>
                    <td className="num mono">{i + 1}</td>
                    {r.x.map((v, j) => (
                      <td key={j} className="num mono">
                        {v.toFixed(1)}
                      </td>
                    ))}
                    <td>{data.train.classNames[r.species]}</td>
                    <td>{r.split}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
