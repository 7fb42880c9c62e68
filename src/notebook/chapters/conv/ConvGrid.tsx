// A small matrix drawn as an SVG grid of coloured cells with their values, for the
// linked views of chapter 4: cells can be marked (the window, the row, the chosen
// output), padding cells are hatched grey, and hovering — or focusing the grid and
// moving with the arrow keys — reports the cell under the pointer to the parent.

import { useId, useState, type KeyboardEvent } from 'react';
import { css, diverging, sequential, textOn } from '../../../ui/colors';
import { fmtFixed } from '../../../ui/format';

export type Mark = 'strong' | 'soft' | null;

export interface ConvGridProps {
  /** accessible name and visible title, e.g. "X padded (7, 7)" */
  title: string;
  rows: number;
  cols: number;
  value: (r: number, c: number) => number;
  /** padding cells: drawn grey, values not shown */
  isPad?: (r: number, c: number) => boolean;
  mark?: (r: number, c: number) => Mark;
  onPoint?: (cell: [number, number] | null) => void;
  /** the cell the keyboard cursor starts on */
  cursor?: [number, number] | null;
  scale?: 'diverging' | 'sequential';
  /** colour range: ±range (diverging) or [lo, hi] (sequential); default from the values */
  range?: number | readonly [number, number];
  /** cell height in CSS pixels (and width, unless cellWidth is given) */
  cell?: number;
  /** cell width, for values that need more room than a square gives */
  cellWidth?: number;
  format?: (v: number) => string;
  caption?: string;
  testId?: string;
}

const fmt = (v: number) => fmtFixed(v, (a) => (a >= 10 ? 1 : 2), { integers: true });

export function ConvGrid({
  title,
  rows,
  cols,
  value,
  isPad,
  mark,
  onPoint,
  cursor,
  scale = 'diverging',
  range,
  cell = 30,
  cellWidth,
  format = fmt,
  caption,
  testId,
}: ConvGridProps) {
  const descId = useId();
  const [focusCell, setFocusCell] = useState<[number, number] | null>(null);
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (isPad?.(r, c)) continue;
      const v = value(r, c);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!Number.isFinite(lo)) lo = hi = 0;
  const colour = (v: number) => {
    if (scale === 'sequential') {
      const [a, b] = Array.isArray(range) ? (range as [number, number]) : [Math.min(0, lo), hi];
      return sequential(v, a, b);
    }
    const rr = typeof range === 'number' ? range : Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return diverging(v, rr);
  };
  const cw = cellWidth ?? cell;
  const w = cols * cw;
  const h = rows * cell;
  const fontSize = Math.max(8, Math.min(11.5, cell * 0.42));

  const onKeyDown = (e: KeyboardEvent) => {
    const [r, c] = focusCell ?? cursor ?? [0, 0];
    let next: [number, number] | null = null;
    if (e.key === 'ArrowUp') next = [Math.max(0, r - 1), c];
    else if (e.key === 'ArrowDown') next = [Math.min(rows - 1, r + 1), c];
    else if (e.key === 'ArrowLeft') next = [r, Math.max(0, c - 1)];
    else if (e.key === 'ArrowRight') next = [r, Math.min(cols - 1, c + 1)];
    if (next) {
      e.preventDefault();
      setFocusCell(next);
      onPoint?.(next);
    }
  };

  const cells = [];
  const marks = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const pad = isPad?.(r, c) ?? false;
      const v = value(r, c);
      const rgb = pad ? ([236, 238, 241] as const) : colour(v);
      const m = mark?.(r, c) ?? null;
      cells.push(
        <g key={`${r}:${c}`} transform={`translate(${c * cw},${r * cell})`}>
          <rect width={cw - 1} height={cell - 1} fill={css(rgb)} className={pad ? 'cg-pad' : undefined} />
          {cell >= 16 ? (
            <text x={(cw - 1) / 2} y={(cell - 1) / 2} fill={pad ? '#8a919c' : textOn(rgb)} fontSize={fontSize} textAnchor="middle" dominantBaseline="central">
              {pad ? '0' : format(v)}
            </text>
          ) : null}
        </g>,
      );
      if (m) marks.push(<rect key={`m${r}:${c}`} x={c * cw + 1} y={r * cell + 1} width={cw - 3} height={cell - 3} className={`cg-mark cg-${m}`} />);
    }

  return (
    <figure className="conv-grid" data-testid={testId}>
      <figcaption className="heatmap-title">
        <span className="shape-label">{title}</span>
        {caption ? <span className="heatmap-caption"> — {caption}</span> : null}
      </figcaption>
      <div
        className="cg-scroll"
        tabIndex={onPoint ? 0 : undefined}
        role={onPoint ? 'group' : undefined}
        aria-label={onPoint ? title : undefined}
        aria-describedby={onPoint ? descId : undefined}
        onKeyDown={onPoint ? onKeyDown : undefined}
        onBlur={() => setFocusCell(null)}
      >
        <svg
          width={w}
          height={h}
          viewBox={`0 0 ${w} ${h}`}
          role={onPoint ? undefined : 'img'}
          aria-label={onPoint ? undefined : `${title}: ${rows} by ${cols} values from ${format(lo)} to ${format(hi)}`}
          aria-hidden={onPoint ? true : undefined}
          onMouseMove={(e) => {
            if (!onPoint) return;
            const rect = e.currentTarget.getBoundingClientRect();
            const c = Math.floor(((e.clientX - rect.left) / rect.width) * cols);
            const r = Math.floor(((e.clientY - rect.top) / rect.height) * rows);
            if (r >= 0 && r < rows && c >= 0 && c < cols) onPoint([r, c]);
          }}
          onMouseLeave={() => onPoint?.(null)}
        >
          {cells}
          {marks}
        </svg>
      </div>
      {onPoint ? (
        <p id={descId} className="visually-hidden">
          {rows} by {cols} values from {format(lo)} to {format(hi)}. Focus and use the arrow keys to move the highlight.
        </p>
      ) : null}
    </figure>
  );
}
