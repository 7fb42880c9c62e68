// A confusion matrix as an HTML table: rows are the true classes, columns the predicted
// ones, each cell the number of examples of its row's class predicted as its column's.
// Cells are shaded by their share of the row (the diagonal in blue, mistakes in orange),
// rows end with their total and recall, the footer holds column totals and precision.
// Off-diagonal cells with examples can be buttons (onSelect) that pick that mistake.
//
//   counts (k, k) row-major: counts[t·k + p] = #{ i : y_i = t, ŷ_i = p }

import { useMemo } from 'react';
import './ConfusionMatrix.css';

export interface ConfusionMatrixProps {
  counts: ArrayLike<number>;
  classNames: readonly string[];
  caption: string;
  /** called when a mistake cell (t ≠ p, count > 0) is chosen */
  onSelect?: (truth: number, predicted: number) => void;
  /** the chosen mistake, marked pressed */
  selected?: readonly [number, number] | null;
}

/** (k, k) counts of (true, predicted) pairs */
export function confusionCounts(labels: ArrayLike<number>, predicted: ArrayLike<number>, k: number): Uint32Array {
  if (labels.length !== predicted.length) throw new Error(`confusionCounts: ${labels.length} labels but ${predicted.length} predictions`);
  const m = new Uint32Array(k * k);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new Error(`confusionCounts: example ${i} has class ${t} → ${p}, outside 0…${k - 1}`);
    m[t * k + p]!++;
  }
  return m;
}

const pct = (num: number, den: number) => (den > 0 ? `${((100 * num) / den).toFixed(1)}%` : '—');

export function ConfusionMatrix({ counts, classNames, caption, onSelect, selected }: ConfusionMatrixProps) {
  const k = classNames.length;
  if (counts.length !== k * k) throw new Error(`ConfusionMatrix: ${counts.length} counts for ${k} classes (need ${k * k})`);
  const { rows, cols, total, correct, maxMistakeShare } = useMemo(() => {
    const rows = new Array<number>(k).fill(0);
    const cols = new Array<number>(k).fill(0);
    let total = 0;
    let correct = 0;
    for (let t = 0; t < k; t++)
      for (let p = 0; p < k; p++) {
        const c = counts[t * k + p]!;
        rows[t]! += c;
        cols[p]! += c;
        total += c;
        if (t === p) correct += c;
      }
    let maxMistakeShare = 0;
    for (let t = 0; t < k; t++)
      for (let p = 0; p < k; p++) if (t !== p && rows[t]! > 0) maxMistakeShare = Math.max(maxMistakeShare, counts[t * k + p]! / rows[t]!);
    return { rows, cols, total, correct, maxMistakeShare };
  }, [counts, k]);

  // alpha stays ≤ 0.7 so the dark text keeps a contrast of at least 5:1 on every cell
  const shade = (t: number, p: number): { background?: string } => {
    const c = counts[t * k + p]!;
    if (c === 0 || rows[t] === 0) return {};
    const share = c / rows[t]!;
    if (t === p) return { background: `rgba(47, 95, 167, ${(0.1 + 0.6 * share).toFixed(3)})` };
    // mistakes on their own scale (they are small shares), so the common ones stand out
    const rel = maxMistakeShare > 0 ? share / maxMistakeShare : 0;
    return { background: `rgba(194, 87, 26, ${(0.12 + 0.58 * rel).toFixed(3)})` };
  };

  const summary = `${total.toLocaleString('en-US')} examples, ${correct.toLocaleString('en-US')} correct (${pct(correct, total)})`;
  // the caption is shown above the scrolling region (so a narrow screen scrolls only the table)
  // and read from the table itself
  return (
    <div className="confusion-block">
      <p className="confusion-title" aria-hidden="true">
        {caption} <span className="confusion-summary">{summary}</span>
      </p>
      <div className="table-wrap confusion-wrap" role="region" aria-label={caption} tabIndex={0}>
        <table className="confusion">
          <caption className="visually-hidden">
            {caption}: {summary}
          </caption>
          <thead>
            <tr>
              <td />
              <th scope="colgroup" colSpan={k} className="confusion-axis">
                predicted class
              </th>
              <td colSpan={2} />
            </tr>
            <tr>
              <th scope="col" className="confusion-corner">
                true class
              </th>
              {classNames.map((n, p) => (
                <th key={p} scope="col" className="num">
                  {n}
                </th>
              ))}
              <th scope="col" className="num">
                total
              </th>
              <th scope="col" className="num">
                recall
              </th>
            </tr>
          </thead>
          <tbody>
            {classNames.map((n, t) => (
              <tr key={t}>
                <th scope="row" className="num">
                  {n}
                </th>
                {classNames.map((_, p) => {
                  const c = counts[t * k + p]!;
                  const style = shade(t, p);
                  const chooseable = onSelect && t !== p && c > 0;
                  const isSel = !!selected && selected[0] === t && selected[1] === p;
                  return (
                    <td key={p} className={`num cm-cell${t === p ? ' diag' : ''}${c === 0 ? ' zero' : ''}${isSel ? ' chosen' : ''}`} style={style}>
                      {chooseable ? (
                        <button
                          type="button"
                          className="cm-button"
                          aria-pressed={isSel}
                          aria-label={`${c} ${c === 1 ? 'image' : 'images'} of ${n} predicted as ${classNames[p]}`}
                          onClick={() => onSelect(t, p)}
                        >
                          {c}
                        </button>
                      ) : (
                        c
                      )}
                    </td>
                  );
                })}
                <td className="num cm-total">{rows[t]}</td>
                <td className="num cm-rate">{pct(counts[t * k + t]!, rows[t]!)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">total</th>
              {cols.map((c, p) => (
                <td key={p} className="num cm-total">
                  {c}
                </td>
              ))}
              <td className="num cm-total">{total}</td>
              <td />
            </tr>
            <tr>
              <th scope="row">precision</th>
              {cols.map((c, p) => (
                <td key={p} className="num cm-rate">
                  {pct(counts[p * k + p]!, c)}
                </td>
              ))}
              <td colSpan={2} />
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}
