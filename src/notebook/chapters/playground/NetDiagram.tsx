// The network as a diagram: one column of units per layer, one edge per weight
// W_l[i, j] (unit i of layer l−1 to unit j of layer l), the bias b_l[j] on unit j.
// 'weights': edge width ∝ |w| / max |w| over the network, colour by sign (red +, blue −);
// 'gradients': edge width ∝ |∂L/∂w| / max over its layer (gradients differ by orders of
// magnitude between layers), colour by the sign of ∂L/∂w, and each layer's ‖∂L/∂W‖ under
// the units it feeds. After a single step a band sweeps the layers from the output back to the input:
// the order in which backward computes them.
//
// Every weight and bias is focusable (one tab stop, arrow keys move): ↑/↓ the unit the
// weight enters, Shift+↑/↓ the unit it leaves (past the last: the unit's bias), ←/→ the
// layer, Home/End the first/last weight. Hover selects too.

import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { css, diverging } from '../../../ui/colors';
import { fmtValue } from '../../../ui/format';
import type { DenseNumbers } from './trainer';

/** a weight W_{layer+1}[from, to], or the bias b_{layer+1}[to] when from === nIn */
export interface WeightKey {
  layer: number;
  from: number;
  to: number;
}

export type DiagramView = 'weights' | 'gradients';

const COL_W = 112;
const ROW_H = 34;
const PAD_X = 44;
const TOP = 18;
const R = 11;

const sub = (n: number) => String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]!);

/** "W2[3, 5]" or "b2[5]" (1-based, as the course writes them) */
export function weightName(k: WeightKey, nIn: number): string {
  return k.from === nIn ? `b${k.layer + 1}[${k.to + 1}]` : `W${k.layer + 1}[${k.from + 1}, ${k.to + 1}]`;
}

export interface WeightNumbers {
  value: number;
  grad: number | null;
  before: number | null;
}

export function weightNumbers(k: WeightKey, params: DenseNumbers[], grads: DenseNumbers[] | null, before: DenseNumbers[] | null): WeightNumbers | null {
  const p = params[k.layer];
  if (!p || k.to >= p.nOut || k.from > p.nIn) return null;
  const at = (l: DenseNumbers | undefined) => (!l ? null : k.from === p.nIn ? l.b[k.to]! : l.W[k.from * p.nOut + k.to]!);
  return { value: at(p)!, grad: at(grads?.[k.layer]), before: at(before?.[k.layer]) };
}

/** the next selection for a key press, or null when the key is not the diagram's */
export function moveSelection(k: WeightKey, key: string, shift: boolean, sizes: readonly DenseNumbers[]): WeightKey | null {
  const L = sizes.length;
  const clamp = (layer: number, from: number, to: number): WeightKey => {
    const s = sizes[layer]!;
    return { layer, from: Math.min(from, s.nIn), to: Math.min(to, s.nOut - 1) };
  };
  const s = sizes[k.layer]!;
  switch (key) {
    case 'ArrowDown':
      return shift ? { ...k, from: (k.from + 1) % (s.nIn + 1) } : { ...k, to: (k.to + 1) % s.nOut };
    case 'ArrowUp':
      return shift ? { ...k, from: (k.from + s.nIn) % (s.nIn + 1) } : { ...k, to: (k.to + s.nOut - 1) % s.nOut };
    case 'ArrowRight':
      return k.layer + 1 < L ? clamp(k.layer + 1, k.from === s.nIn ? Infinity : k.from, k.to) : k;
    case 'ArrowLeft':
      return k.layer > 0 ? clamp(k.layer - 1, k.from === s.nIn ? Infinity : k.from, k.to) : k;
    case 'Home':
      return { layer: 0, from: 0, to: 0 };
    case 'End': {
      const last = sizes[L - 1]!;
      return { layer: L - 1, from: last.nIn, to: last.nOut - 1 };
    }
    default:
      return null;
  }
}

function norm(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
}

function maxAbs(...arrays: Float64Array[]): number {
  let m = 0;
  for (const a of arrays) for (const v of a) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

const keyId = (k: WeightKey) => `pg-w-${k.layer}-${k.from}-${k.to}`;

export interface NetDiagramProps {
  params: DenseNumbers[];
  grads: DenseNumbers[] | null;
  before: DenseNumbers[] | null;
  view: DiagramView;
  /** names of the input units and of the output units */
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** per dense layer, e.g. "tanh" … "softmax" */
  activations: readonly string[];
  selected: WeightKey;
  onSelect: (k: WeightKey) => void;
  /** changes with every single step: the backward sweep replays */
  sweep: number;
  step: number;
}

export function NetDiagram({ params, grads, before, view, inputNames, outputNames, activations, selected, onSelect, sweep, step }: NetDiagramProps) {
  const L = params.length;
  const sizes = [params[0]!.nIn, ...params.map((p) => p.nOut)];
  const rows = Math.max(...sizes);
  const width = 2 * PAD_X + L * COL_W;
  const height = TOP + rows * ROW_H + (view === 'gradients' ? 46 : 30);
  const cx = (c: number) => PAD_X + c * COL_W;
  const cy = (c: number, u: number) => TOP + ((rows - sizes[c]!) / 2 + u + 0.5) * ROW_H;
  const showGrads = view === 'gradients' && grads !== null;
  const wMax = useMemo(() => maxAbs(...params.map((p) => p.W)) || 1, [params]);
  const gMax = useMemo(() => (grads ? grads.map((g) => maxAbs(g.W) || 1) : null), [grads]);
  const bMax = useMemo(() => (showGrads ? grads!.map((g) => maxAbs(g.b) || 1) : [maxAbs(...params.map((p) => p.b)) || 1]), [showGrads, grads, params]);

  // keyboard moves focus with the selection
  const focusNext = useRef(false);
  const svgRef = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (!focusNext.current) return;
    focusNext.current = false;
    (svgRef.current?.querySelector(`#${keyId(selected)}`) as SVGElement | null)?.focus();
  }, [selected]);

  const onKey = (e: KeyboardEvent) => {
    const next = moveSelection(selected, e.key, e.shiftKey, params);
    if (!next) return;
    e.preventDefault();
    focusNext.current = true;
    onSelect(next);
  };

  const describe = (k: WeightKey): string => {
    const n = weightNumbers(k, params, grads, before)!;
    const from = k.from === params[k.layer]!.nIn ? 'bias' : `from ${colName(k.layer)} unit ${k.from + 1}`;
    const g = n.grad === null ? 'no gradient yet' : `gradient ${fmtValue(n.grad)}`;
    return `${weightName(k, params[k.layer]!.nIn)}, ${from} to ${colName(k.layer + 1)} unit ${k.to + 1}: value ${fmtValue(n.value)}, ${g}`;
  };
  const colName = (c: number) => (c === 0 ? 'input' : c === L ? 'output' : `hidden layer ${c}`);

  /** what makes a weight's or a bias's shape selectable: one tab stop (the selected), hover, arrow keys */
  const selectable = (k: WeightKey, sel: boolean) => ({
    id: keyId(k),
    role: 'button',
    tabIndex: sel ? 0 : -1,
    'aria-label': describe(k),
    'aria-pressed': sel,
    onPointerEnter: () => onSelect(k),
    onFocus: () => !sel && onSelect(k),
    onKeyDown: onKey,
  });

  const isSel = (k: WeightKey) => k.layer === selected.layer && k.from === selected.from && k.to === selected.to;

  const edges = [];
  const units = [];
  for (let l = 0; l < L; l++) {
    const p = params[l]!;
    const g = grads?.[l];
    for (let i = 0; i < p.nIn; i++)
      for (let j = 0; j < p.nOut; j++) {
        const k = { layer: l, from: i, to: j };
        const v = showGrads ? g!.W[i * p.nOut + j]! : p.W[i * p.nOut + j]!;
        const scale = showGrads ? gMax![l]! : wMax;
        const sel = isSel(k);
        const x1 = cx(l) + R;
        const y1 = cy(l, i);
        const x2 = cx(l + 1) - R;
        const y2 = cy(l + 1, j);
        edges.push(
          <g key={keyId(k)} className={`pg-edge${sel ? ' selected' : ''}`}>
            {sel ? <line x1={x1} y1={y1} x2={x2} y2={y2} className="pg-edge-halo" /> : null}
            <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={css(diverging(v, scale))} strokeWidth={0.6 + (4.4 * Math.abs(v)) / scale} />
            <line
              x1={x1}
              y1={y1}
              x2={x2}
              y2={y2}
              className="pg-hit"
              {...selectable(k, sel)}
            />
          </g>,
        );
      }
  }
  for (let c = 0; c <= L; c++) {
    for (let u = 0; u < sizes[c]!; u++) {
      const x = cx(c);
      const y = cy(c, u);
      if (c === 0) {
        units.push(
          <g key={`in-${u}`}>
            <circle cx={x} cy={y} r={R} className="pg-unit input" />
            <text x={x - R - 5} y={y} className="pg-unit-name" textAnchor="end" dominantBaseline="central">
              {inputNames[u] ?? `x${sub(u + 1)}`}
            </text>
          </g>,
        );
        continue;
      }
      const l = c - 1;
      const k = { layer: l, from: params[l]!.nIn, to: u };
      const bv = showGrads ? grads![l]!.b[u]! : params[l]!.b[u]!;
      const sel = isSel(k);
      units.push(
        <g key={`u-${c}-${u}`} className={`pg-unit-g${sel ? ' selected' : ''}`}>
          <circle
            cx={x}
            cy={y}
            r={R}
            className="pg-unit"
            fill={css(diverging(bv, showGrads ? bMax[l]! : bMax[0]!))}
            {...selectable(k, sel)}
          />
          {c === L && outputNames[u] ? (
            <text x={x + R + 5} y={y} className="pg-unit-name" dominantBaseline="central">
              {outputNames[u]}
            </text>
          ) : null}
        </g>,
      );
    }
  }

  const labelY = TOP + rows * ROW_H + 14;
  return (
    <div className="pg-diagram-wrap">
      <svg
        ref={svgRef}
        className={`pg-diagram ${view}`}
        viewBox={`0 0 ${width + (outputNames.some((n) => n.length > 0) ? 60 : 0)} ${height}`}
        style={{ minWidth: (L + 1) * 66 }}
        role="group"
        aria-label={`The network's ${showGrads ? `gradients of step ${step}` : 'weights'}: ${sizes.join(' → ')} units. Tab to a weight, then use the arrow keys.`}
        data-testid="network-diagram"
      >
        {/* the backward sweep: output layer first */}
        {sweep > 0 && grads
          ? params.map((_, l) => (
              <rect
                key={`sweep-${sweep}-${l}`}
                className="pg-sweep"
                x={cx(l)}
                y={4}
                width={COL_W}
                height={rows * ROW_H + TOP}
                style={{ animationDelay: `${(L - 1 - l) * 260}ms` }}
              />
            ))
          : null}
        <g>{edges}</g>
        <g>{units}</g>
        {sizes.map((_, c) => (
          <text key={`col-${c}`} x={cx(c)} y={labelY} className="pg-col-name" textAnchor="middle">
            {c === 0 ? 'input' : `${c === L ? 'output' : `hidden ${c}`}${activations[c - 1] ? ` · ${activations[c - 1]}` : ''}`}
          </text>
        ))}
        {showGrads ? (
          <text x={cx(0)} y={labelY + 18} className="pg-grad-norm" textAnchor="middle">
            ‖∂L/∂W‖
          </text>
        ) : null}
        {showGrads
          ? grads!.map((g, l) => (
              <text key={`gn-${l}`} x={cx(l + 1)} y={labelY + 18} className="pg-grad-norm" textAnchor="middle">
                {fmtValue(norm(g.W), 3)}
              </text>
            ))
          : null}
      </svg>
    </div>
  );
}

/** per layer, output first: the sizes of the gradients backward computed */
export function gradientRows(grads: DenseNumbers[]): { layer: number; wNorm: number; wMax: number; bNorm: number }[] {
  return grads.map((g, l) => ({ layer: l, wNorm: norm(g.W), wMax: maxAbs(g.W), bNorm: norm(g.b) })).reverse();
}
