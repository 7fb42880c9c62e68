// A labelled grid of values as a table of coloured cells: rows and columns are the values
// of two settings (e.g. learning rate × hidden size), each cell one value, darker = larger.
// One cell can be marked picked (★) and others tied (=); empty cells (null) are not run yet.
//
//   values (R, C) row-major: cell (r, c) = values[r·C + c]
//
// The grid is one tab stop: arrow keys, Home and End move between cells (roving focus),
// each cell is named for screen readers, and the focused or hovered cell is read out below.

import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import './GridHeatmap.css';

export interface GridHeatmapProps {
  /** what the grid shows, e.g. "Validation accuracy by learning rate and hidden size" */
  caption: string;
  /** names of the two settings, e.g. "learning rate" (rows) and "hidden size" (columns) */
  rowTitle: string;
  colTitle: string;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** (rows, cols) row-major; null = no value (yet) */
  values: readonly (number | null)[];
  format: (v: number) => string;
  /** the accessible name of a cell (its row, column, value and marks in words) */
  cellName: (r: number, c: number) => string;
  /** row-major index of the picked cell */
  picked?: number | null;
  /** row-major indices of cells tied with the picked one */
  tied?: readonly number[];
  /** colour range [lo, hi]; default: the smallest and largest value */
  range?: readonly [number, number];
  testId?: string;
}

export function GridHeatmap({ caption, rowTitle, colTitle, rowLabels, colLabels, values, format, cellName, picked = null, tied = [], range, testId }: GridHeatmapProps) {
  const rows = rowLabels.length;
  const cols = colLabels.length;
  if (values.length !== rows * cols) throw new Error(`GridHeatmap: ${values.length} values for ${rows} × ${cols} cells`);
  const [lo, hi] = useMemo(() => {
    if (range) return range;
    const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
    return known.length ? [Math.min(...known), Math.max(...known)] : [0, 1];
  }, [values, range]);
  const tiedSet = useMemo(() => new Set(tied), [tied]);
  const [active, setActive] = useState(0);
  const [shown, setShown] = useState<number | null>(null);
  const cellsRef = useRef<(HTMLTableCellElement | null)[]>([]);
  const readoutId = useId();

  const move = (i: number) => {
    setActive(i);
    setShown(i);
    cellsRef.current[i]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    const r = Math.floor(i / cols);
    const c = i % cols;
    let next: number | null = null;
    if (e.key === 'ArrowUp') next = Math.max(0, r - 1) * cols + c;
    else if (e.key === 'ArrowDown') next = Math.min(rows - 1, r + 1) * cols + c;
    else if (e.key === 'ArrowLeft') next = r * cols + Math.max(0, c - 1);
    else if (e.key === 'ArrowRight') next = r * cols + Math.min(cols - 1, c + 1);
    else if (e.key === 'Home') next = e.ctrlKey ? 0 : r * cols;
    else if (e.key === 'End') next = e.ctrlKey ? rows * cols - 1 : r * cols + cols - 1;
    if (next !== null) {
      e.preventDefault();
      move(next);
    }
  };

  return (
    <figure className="grid-heatmap" data-testid={testId}>
      <figcaption className="grid-heatmap-title">{caption}</figcaption>
      <div className="table-wrap">
        <table className="grid-heatmap-table" role="grid" aria-label={caption} aria-describedby={readoutId}>
          <thead>
            <tr>
              <th scope="col" className="grid-heatmap-corner">
                {rowTitle} ╲ {colTitle}
              </th>
              {colLabels.map((l, c) => (
                <th key={c} scope="col" className="num">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rowLabels.map((l, r) => (
              <tr key={r}>
                <th scope="row" className="num">
                  {l}
                </th>
                {colLabels.map((_, c) => {
                  const i = r * cols + c;
                  const v = values[i] ?? null;
                  // blue, alpha ≤ 0.7, so the dark text keeps a contrast of at least 5:1 (as the confusion matrix)
                  const t = v === null || !Number.isFinite(v) ? null : hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0.5;
                  const isPicked = picked === i;
                  const isTied = tiedSet.has(i);
                  return (
                    <td
                      key={c}
                      ref={(el) => {
                        cellsRef.current[i] = el;
                      }}
                      className={`num gh-cell${v === null ? ' empty' : ''}${isPicked ? ' picked' : ''}${isTied ? ' tied' : ''}`}
                      style={t === null ? undefined : { background: `rgba(47, 95, 167, ${(0.08 + 0.62 * t).toFixed(3)})` }}
                      tabIndex={i === active ? 0 : -1}
                      aria-label={cellName(r, c)}
                      data-picked={isPicked ? 'true' : undefined}
                      data-tied={isTied ? 'true' : undefined}
                      onKeyDown={(e) => onKeyDown(e, i)}
                      onFocus={() => {
                        setActive(i);
                        setShown(i);
                      }}
                      onMouseEnter={() => setShown(i)}
                      onMouseLeave={() => setShown(null)}
                    >
                      {isPicked ? <span aria-hidden="true">★ </span> : isTied ? <span aria-hidden="true">= </span> : null}
                      {v === null ? '·' : format(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="grid-heatmap-readout small muted" id={readoutId} aria-live="polite">
        {shown !== null ? cellName(Math.floor(shown / cols), shown % cols) : `Darker is larger (${format(lo)} … ${format(hi)}). Focus the grid and use the arrow keys to read each cell.`}
      </p>
    </figure>
  );
}
