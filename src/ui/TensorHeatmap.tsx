// A 2-D slice of a tensor drawn as a grid of coloured cells.
//
//   shape (…, R, C) with `axes` = [rowAxis, colAxis] (default the last two) and `index`
//   fixing every other axis (default 0): cell (r, c) shows data[offset + r·sR + c·sC]
//   with row-major strides s. A rank-1 tensor (n) is drawn as one row (1, n).
//
// Hovering a cell, or focusing the grid and moving with the arrow keys, shows its value
// in the readout below (announced politely to screen readers).

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { css, diverging, sequential, textOn } from './colors';
import { fmtFixed } from './format';

export interface TensorHeatmapProps {
  /** the tensor's name, e.g. "X" */
  name: string;
  data: ArrayLike<number>;
  shape: readonly number[];
  /** which two axes form rows and columns (default: the last two) */
  axes?: readonly [number, number];
  /** positions along the other axes (length = rank; entries on `axes` are ignored) */
  index?: readonly number[];
  /** 'diverging' (signed values, default) or 'sequential' (images, probabilities) */
  scale?: 'diverging' | 'sequential';
  /** colour range: |v| ≤ range for diverging, [lo, hi] for sequential; default from the data */
  range?: number | readonly [number, number];
  /** the largest width the grid may take, in CSS pixels */
  maxWidth?: number;
  /** square cell size in CSS pixels, colour only (default: small grids show their values, larger ones are fitted to maxWidth) */
  cellSize?: number;
  format?: (v: number) => string;
  caption?: string;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

const fmt = (v: number) => fmtFixed(v, (a) => (a >= 100 ? 1 : 3), { expBelow: 1e-3, expFrom: 1e4 });

export function TensorHeatmap({
  name,
  data,
  shape,
  axes,
  index,
  scale = 'diverging',
  range,
  maxWidth = 320,
  cellSize,
  format = fmt,
  caption,
}: TensorHeatmapProps) {
  const rank = shape.length;
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`TensorHeatmap ${name}: data has ${data.length} values but shape (${shape.join(', ')}) needs ${expected}`);
  }
  const [ra, ca] = axes ?? (rank >= 2 ? [rank - 2, rank - 1] : [-1, 0]);
  const rows = ra < 0 ? 1 : shape[ra]!;
  const cols = shape[ca]!;

  // the slice: offset of cell (0, 0) and the strides along rows and columns
  const { offset, sr, sc } = useMemo(() => {
    const st = strides(shape);
    let off = 0;
    for (let i = 0; i < rank; i++) {
      if (i === ra || i === ca) continue;
      const k = index?.[i] ?? 0;
      if (k < 0 || k >= shape[i]!) throw new Error(`TensorHeatmap ${name}: index ${k} out of range for axis ${i} of size ${shape[i]}`);
      off += k * st[i]!;
    }
    return { offset: off, sr: ra < 0 ? 0 : st[ra]!, sc: st[ca]! };
  }, [shape, index, ra, ca, rank, name]);

  const at = (r: number, c: number) => data[offset + r * sr + c * sc]!;

  const stats = useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    let nonFinite = 0;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = data[offset + r * sr + c * sc]!;
        if (!Number.isFinite(v)) {
          nonFinite++;
          continue;
        }
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        sum += v;
      }
    const n = rows * cols - nonFinite;
    return { lo: n ? lo : 0, hi: n ? hi : 0, mean: n ? sum / n : 0, nonFinite };
  }, [data, offset, sr, sc, rows, cols]);

  const colour = useMemo(() => {
    if (scale === 'sequential') {
      const [lo, hi] = Array.isArray(range) ? (range as [number, number]) : [stats.lo, stats.hi];
      return (v: number) => sequential(v, lo, hi);
    }
    const r = typeof range === 'number' ? range : Math.max(Math.abs(stats.lo), Math.abs(stats.hi)) || 1;
    return (v: number) => diverging(v, r);
  }, [scale, range, stats]);

  // small grids print their values in the cells (wide cells); large ones are colour only
  const fitted = cellSize ?? Math.max(1, Math.min(40, Math.floor(maxWidth / cols)));
  const showValues = cellSize === undefined && rows * cols <= 120 && cols * 54 <= Math.max(maxWidth, 540);
  const cellW = showValues ? 54 : fitted;
  const cellH = showValues ? 28 : fitted;
  const width = cols * cellW;
  const height = rows * cellH;

  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [active, setActive] = useState<[number, number] | null>(null);
  const [hover, setHover] = useState<[number, number] | null>(null);
  const [focused, setFocused] = useState(false);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const gap = cellH >= 8 ? 1 : 0;
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = data[offset + r * sr + c * sc]!;
        const rgb = colour(v);
        ctx.fillStyle = css(rgb);
        ctx.fillRect(c * cellW, r * cellH, cellW - gap, cellH - gap);
        if (showValues) {
          ctx.fillStyle = textOn(rgb);
          ctx.fillText(format(v), c * cellW + (cellW - gap) / 2, r * cellH + (cellH - gap) / 2 + 0.5);
        }
      }
    }
    const mark = hover ?? (focused ? active : null);
    if (mark) {
      ctx.strokeStyle = '#111827';
      ctx.lineWidth = Math.max(1.5, Math.min(2.5, cellH / 10));
      ctx.strokeRect(mark[1] * cellW + 1, mark[0] * cellH + 1, Math.max(1, cellW - 3), Math.max(1, cellH - 3));
    }
  }, [data, offset, sr, sc, rows, cols, cellW, cellH, width, height, colour, showValues, format, hover, active, focused]);

  const shown = hover ?? (focused ? active : null);
  const cellName = (r: number, c: number) => {
    if (rank < 2) return `${name}[${c}]`;
    const idx = shape.map((_, i) => (i === ra ? r : i === ca ? c : (index?.[i] ?? 0)));
    return `${name}[${idx.join(', ')}]`;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const [r, c] = active ?? [0, 0];
    let next: [number, number] | null = null;
    if (e.key === 'ArrowUp') next = [Math.max(0, r - 1), c];
    else if (e.key === 'ArrowDown') next = [Math.min(rows - 1, r + 1), c];
    else if (e.key === 'ArrowLeft') next = [r, Math.max(0, c - 1)];
    else if (e.key === 'ArrowRight') next = [r, Math.min(cols - 1, c + 1)];
    else if (e.key === 'Home') next = [r, 0];
    else if (e.key === 'End') next = [r, cols - 1];
    if (next) {
      e.preventDefault();
      setActive(next);
    }
  };

  const onMouseMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) / rect.width) * cols);
    const r = Math.floor(((e.clientY - rect.top) / rect.height) * rows);
    if (r >= 0 && r < rows && c >= 0 && c < cols) setHover([r, c]);
  };

  const descId = useId();
  const sliced = rank > 2 || (axes !== undefined && rank === 2 && (ra !== 0 || ca !== 1));
  const sliceText = sliced
    ? ` · slice [${shape.map((_, i) => (i === ra || i === ca ? ':' : String(index?.[i] ?? 0))).join(', ')}]`
    : '';
  const title = `${name} (${shape.join(', ')})${sliceText}`;
  const description =
    `${rows} by ${cols} grid of values from ${format(stats.lo)} to ${format(stats.hi)}, mean ${format(stats.mean)}` +
    (stats.nonFinite ? `, ${stats.nonFinite} not finite` : '') +
    (scale === 'diverging' ? '. Blue is negative, white zero, red positive.' : '. Darker is larger.') +
    ' Focus and use the arrow keys to read single values.';

  return (
    <figure className="heatmap">
      <figcaption className="heatmap-title">
        <span className="shape-label">{title}</span>
        {caption ? <span className="heatmap-caption"> — {caption}</span> : null}
      </figcaption>
      <div
        className="heatmap-grid"
        tabIndex={0}
        role="group"
        aria-roledescription="heatmap"
        aria-label={title}
        aria-describedby={descId}
        onFocus={() => {
          setFocused(true);
          setActive((a) => a ?? [0, 0]);
        }}
        onBlur={() => setFocused(false)}
        onKeyDown={onKeyDown}
      >
        <canvas
          ref={canvasRef}
          style={{ width, height }}
          onMouseMove={onMouseMove}
          onMouseLeave={() => setHover(null)}
          aria-hidden="true"
        />
      </div>
      <p id={descId} className="visually-hidden">
        {description}
      </p>
      <p className="heatmap-readout" aria-live="polite">
        {shown ? (
          <>
            <span className="mono">{cellName(shown[0], shown[1])}</span> = <span className="mono">{format(at(shown[0], shown[1]))}</span>
          </>
        ) : (
          <span className="muted">
            {format(stats.lo)} … {format(stats.hi)}
          </span>
        )}
      </p>
    </figure>
  );
}
