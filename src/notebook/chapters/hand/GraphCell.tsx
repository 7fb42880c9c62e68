// Forward and backward pass of the 1-4-1 network at one input x, on its computational
// graph (x → z_j → h_j → ŷ → L) and in a table of every partial derivative, each checked
// against a central finite difference.

import { useMemo } from 'react';
import { centralDifference } from '../../../engine/check';
import { targetAt, useHandNetwork, useHandSettings } from './settings';
import { M, tex } from '../../../ui/Math';
import { Slider } from '../../../ui/controls';
import { UNIT_COLORS } from '../../../ui/colors';
import { DATASETS, PARAM_REFS, backward, getParam, setParam, type Backward, type HandParams } from './hand-net';
import { fmtFixed } from '../../../ui/format';

const f2 = (v: number) => fmtFixed(v, 2);
const f3 = (v: number) => fmtFixed(v, 3, { expBelow: 1e-3, expFrom: 1e5 });
/** a number in a product, bracketed when negative: 2 × (−0.5) */
const par = (v: number) => (v < 0 ? `(${f3(v)})` : f3(v));

// ── the graph ────────────────────────────────────────────────────────────────

const GW = 980;
const GH = 430;
const BOX = { w: 150, h: 62 };
// column centres; node widths: x 110, z and h 150, ŷ 120, L 110
const COL = { x: 70, z: 292, h: 520, yhat: 765, L: 915 };
const W_X = 120;
const W_YHAT = 120;
const W_L = 110;
const rowY = (j: number) => 62 + j * 102;
const MID = rowY(1.5);

function Node({ cx, cy, name, value, grad, off, w = BOX.w, color }: { cx: number; cy: number; name: string; value: string; grad: string; off?: boolean; w?: number; color?: string }) {
  return (
    <g className={`g-node${off ? ' off' : ''}`} transform={`translate(${cx - w / 2}, ${cy - BOX.h / 2})`}>
      <rect width={w} height={BOX.h} rx={8} style={color ? { stroke: color } : undefined} />
      <text x={10} y={22} className="g-name">
        {name}
        <tspan className="g-value"> = {value}</tspan>
      </text>
      <text x={10} y={45} className="g-grad">
        {grad}
      </text>
    </g>
  );
}

function Edge({ x1, y1, x2, y2, label, off, at = 0.5, dy = -6 }: { x1: number; y1: number; x2: number; y2: number; label: string; off?: boolean; at?: number; dy?: number }) {
  const lx = x1 + (x2 - x1) * at;
  const ly = y1 + (y2 - y1) * at + dy;
  return (
    <g className={`g-edge${off ? ' off' : ''}`}>
      <line x1={x1} y1={y1} x2={x2} y2={y2} markerEnd="url(#g-arrow)" />
      <text x={lx} y={ly} textAnchor="middle" className="g-edge-label">
        {label}
      </text>
    </g>
  );
}

export function ComputationGraph({ b, params }: { b: Backward; params: HandParams }) {
  const summary =
    `Computational graph at x = ${b.x}: ` +
    b.z.map((z, j) => `z${j + 1} = ${f3(z)}, h${j + 1} = ${f3(b.h[j]!)}`).join('; ') +
    `; ŷ = ${f3(b.yhat)}; L = ${f3(b.loss)}. Gradients flowing back: ∂L/∂ŷ = ${f3(b.dYhat)}; ` +
    b.dZ.map((d, j) => `∂L/∂z${j + 1} = ${f3(d)}`).join(', ') +
    '. The table below lists every value.';
  return (
    <svg className="comp-graph" viewBox={`0 0 ${GW} ${GH}`} role="img" aria-label={summary}>
      <defs>
        <marker id="g-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" className="g-arrowhead" />
        </marker>
      </defs>
      {b.z.map((z, j) => {
        const off = z <= 0;
        const y = rowY(j);
        return (
          <g key={j}>
            <Edge x1={COL.x + W_X / 2} y1={MID} x2={COL.z - BOX.w / 2 - 2} y2={y} label={`w1[${j + 1}]=${f2(params.w1[j]!)}`} dy={4} />
            <Edge x1={COL.z + BOX.w / 2} y1={y} x2={COL.h - BOX.w / 2 - 2} y2={y} label={`ReLU′=${b.relu1[j]}`} off={off} />
            <Edge x1={COL.h + BOX.w / 2} y1={y} x2={COL.yhat - W_YHAT / 2 - 2} y2={MID} label={`w2[${j + 1}]=${f2(params.w2[j]!)}`} off={off} dy={4} />
          </g>
        );
      })}
      <Edge x1={COL.yhat + W_YHAT / 2} y1={MID} x2={COL.L - W_L / 2 - 2} y2={MID} label={`ŷ−y=${f2(b.dYhat)}`} dy={-42} />
      <Node cx={COL.x} cy={MID} name="x" value={f3(b.x)} grad={`∂L/∂x = ${f3(b.dX)}`} w={W_X} />
      {b.z.map((z, j) => (
        <g key={j}>
          <Node cx={COL.z} cy={rowY(j)} name={`z${j + 1}`} value={f3(z)} grad={`∂L/∂z${j + 1} = ${f3(b.dZ[j]!)}`} off={z <= 0} color={UNIT_COLORS[j]} />
          <Node cx={COL.h} cy={rowY(j)} name={`h${j + 1}`} value={f3(b.h[j]!)} grad={`∂L/∂h${j + 1} = ${f3(b.dH[j]!)}`} off={z <= 0} color={UNIT_COLORS[j]} />
          <text x={COL.z} y={rowY(j) + BOX.h / 2 + 14} textAnchor="middle" className="g-bias">
            + b1[{j + 1}] = {f3(params.b1[j]!)}
          </text>
        </g>
      ))}
      <Node cx={COL.yhat} cy={MID} name="ŷ" value={f3(b.yhat)} grad={`∂L/∂ŷ = ${f3(b.dYhat)}`} w={W_YHAT} />
      <text x={COL.yhat} y={MID + BOX.h / 2 + 14} textAnchor="middle" className="g-bias">
        + b2 = {f3(params.b2)}
      </text>
      <Node cx={COL.L} cy={MID} name="L" value={f3(b.loss)} grad={`y = ${f3(b.y)}`} w={W_L} />
    </svg>
  );
}

// ── the table ────────────────────────────────────────────────────────────────

interface Row {
  key: string;
  /** accessible, plain-text name, e.g. "∂L/∂w1[1]" */
  name: string;
  chain: string;
  numbers: string;
  value: number;
  /** central difference of L, for parameters and x */
  fd?: number;
}

/** (L(θ + ε) − L(θ − ε)) / 2ε for one scalar, everything else fixed */
function lossDifference(p: HandParams, x: number, y: number, nudge: (p: HandParams, x: number, e: number) => [HandParams, number]): number {
  return centralDifference([0], ([e]) => backward(...nudge(p, x, e!), y).loss, { h: 1e-6 })[0]!;
}

function derivativeRows(b: Backward, p: HandParams): Row[] {
  const rows: Row[] = [];
  const fdParam = (name: string) => {
    const r = PARAM_REFS.find((q) => q.name === name)!;
    return lossDifference(p, b.x, b.y, (q, x, e) => [setParam(q, r, getParam(q, r) + e), x]);
  };
  rows.push({ key: 'yhat', name: '∂L/∂ŷ', chain: tex`\hat y - y`, numbers: `${f3(b.yhat)} − ${par(b.y)}`, value: b.dYhat });
  rows.push({ key: 'b2', name: '∂L/∂b2', chain: tex`\partial L/\partial \hat y`, numbers: f3(b.dYhat), value: b.grad.b2, fd: fdParam('b2') });
  for (let j = 0; j < 4; j++) {
    const k = j + 1;
    rows.push({ key: `w2${k}`, name: `∂L/∂w2[${k}]`, chain: tex`\partial L/\partial \hat y \cdot h_${k}`, numbers: `${par(b.dYhat)} × ${par(b.h[j]!)}`, value: b.grad.w2[j]!, fd: fdParam(`w2[${k}]`) });
  }
  for (let j = 0; j < 4; j++) {
    const k = j + 1;
    rows.push({ key: `h${k}`, name: `∂L/∂h${k}`, chain: tex`\partial L/\partial \hat y \cdot w^{(2)}_${k}`, numbers: `${par(b.dYhat)} × ${par(p.w2[j]!)}`, value: b.dH[j]! });
  }
  for (let j = 0; j < 4; j++) {
    const k = j + 1;
    rows.push({ key: `z${k}`, name: `∂L/∂z${k}`, chain: tex`\partial L/\partial h_${k} \cdot \mathbb{1}[z_${k} > 0]`, numbers: `${par(b.dH[j]!)} × ${b.relu1[j]}`, value: b.dZ[j]! });
  }
  for (let j = 0; j < 4; j++) {
    const k = j + 1;
    rows.push({ key: `w1${k}`, name: `∂L/∂w1[${k}]`, chain: tex`\partial L/\partial z_${k} \cdot x`, numbers: `${par(b.dZ[j]!)} × ${par(b.x)}`, value: b.grad.w1[j]!, fd: fdParam(`w1[${k}]`) });
  }
  for (let j = 0; j < 4; j++) {
    const k = j + 1;
    rows.push({ key: `b1${k}`, name: `∂L/∂b1[${k}]`, chain: tex`\partial L/\partial z_${k}`, numbers: f3(b.dZ[j]!), value: b.grad.b1[j]!, fd: fdParam(`b1[${k}]`) });
  }
  rows.push({
    key: 'x',
    name: '∂L/∂x',
    chain: tex`\textstyle\sum_j \partial L/\partial z_j \cdot w^{(1)}_j`,
    numbers: b.dZ.map((d, j) => `${par(d)} × ${par(p.w1[j]!)}`).join(' + '),
    value: b.dX,
    fd: lossDifference(p, b.x, b.y, (q, x, e) => [q, x + e]),
  });
  return rows;
}

export function DerivativeTable({ b, params }: { b: Backward; params: HandParams }) {
  const rows = useMemo(() => derivativeRows(b, params), [b, params]);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Partial derivatives table">
      <table className="deriv-table">
        <caption>
          Every partial derivative of <M>{tex`L = \tfrac12(\hat y - y)^2`}</M> at x = {b.x} (y = {f3(b.y)}), in the order backpropagation
          computes them
        </caption>
        <thead>
          <tr>
            <th scope="col">derivative</th>
            <th scope="col">chain rule</th>
            <th scope="col">with numbers</th>
            <th scope="col" className="num">value</th>
            <th scope="col" className="num">finite difference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row" className="mono">
                {r.name}
              </th>
              <td className="nowrap">
                <M>{r.chain}</M>
              </td>
              <td className="mono small">{r.numbers}</td>
              <td className="mono num">{f3(r.value)}</td>
              <td className="mono num muted">{r.fd === undefined ? '—' : f3(r.fd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ForwardTable({ b, params }: { b: Backward; params: HandParams }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Forward values table">
      <table className="forward-table">
        <caption>Forward pass at x = {b.x}, unit by unit</caption>
        <thead>
          <tr>
            <th scope="col">quantity</th>
            <th scope="col">formula</th>
            {[1, 2, 3, 4].map((k) => (
              <th scope="col" key={k} className="num">
                unit {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">pre-activation</th>
            <td>
              <M>{tex`z_j = w^{(1)}_j x + b^{(1)}_j`}</M>
            </td>
            {b.z.map((z, j) => (
              <td key={j} className="mono num" title={`${f3(params.w1[j]!)} × ${f3(b.x)} + ${f3(params.b1[j]!)}`}>
                {f3(z)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">ReLU output</th>
            <td>
              <M>{tex`h_j = \max(0, z_j)`}</M>
            </td>
            {b.h.map((h, j) => (
              <td key={j} className={`mono num${h === 0 ? ' muted' : ''}`}>
                {f3(h)}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">contribution to ŷ</th>
            <td>
              <M>{tex`w^{(2)}_j h_j`}</M>
            </td>
            {b.h.map((h, j) => (
              <td key={j} className="mono num">
                {f3(params.w2[j]! * h)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <p className="forward-sum">
        <M>{tex`\hat y = \textstyle\sum_j w^{(2)}_j h_j + b^{(2)}`}</M> = <span className="mono">{f3(b.yhat)}</span>, target{' '}
        <M>{'y'}</M> = <span className="mono">{f3(b.y)}</span>, loss <M>{tex`L = \tfrac12(\hat y - y)^2`}</M> ={' '}
        <span className="mono">{f3(b.loss)}</span>
      </p>
    </div>
  );
}

export function GraphCellBody() {
  const params = useHandNetwork((s) => s.params);
  const x = useHandSettings((s) => s.x);
  const dataset = useHandSettings((s) => s.dataset);
  const setX = useHandNetwork((s) => s.setX);
  const pts = DATASETS[dataset].points;
  const y = targetAt(dataset, x);
  const b = useMemo(() => backward(params, x, y), [params, x, y]);
  return (
    <>
      <div className="controls-row">
        <Slider
          label="Chosen x"
          value={x}
          min={pts[0]![0]}
          max={pts[pts.length - 1]![0]}
          step={1}
          format={(v) => `${v} (y = ${targetAt(dataset, v)})`}
          onChange={setX}
        />
      </div>
      <div className="graph-scroll" tabIndex={0} role="region" aria-label="Computational graph (scrolls sideways on small screens)">
        <ComputationGraph b={b} params={params} />
      </div>
      <p className="graph-legend muted small">
        Each box shows a node's value and, below it, the derivative of the loss with respect to that node. Edges carry the local
        derivative; a unit whose <M>{tex`z_j \le 0`}</M> is switched off (greyed): ReLU′ = 0 and no gradient passes through it.
      </p>
      <ForwardTable b={b} params={params} />
      <DerivativeTable b={b} params={params} />
    </>
  );
}
