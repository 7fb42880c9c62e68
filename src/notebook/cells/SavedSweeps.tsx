// A sweep cell's saved sweeps (src/store/runs.ts): a sweep that finishes or is stopped
// after at least one run is saved in the browser on its own; the list shows this cell's
// sweeps of this chapter, newest first — date, grid, the best run by the sweep's ranking
// accuracy — with the whole table on demand, and Delete (asks first).

import { useEffect, useMemo, useRef } from 'react';
import { useNavigation } from '../../store/navigation';
import { runDate, sweepRecord, sweepSummary, useSavedRuns, type SavedSweep } from '../../store/runs';
import type { SweepStore } from '../../store/sweep';
import { fmt } from '../../store/training';
import { AskDelete } from './RunsList';
import './results.css';

const acc = (v: number | null) => (v === null ? '—' : v.toFixed(4));

/** saves each sweep of `store` when it ends with at least one run in its table */
function useAutoSaveSweeps(store: SweepStore, chapter: string, cell: string): void {
  const savedAt = useRef(new Map<number, number>());
  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if ((s.status !== 'done' && s.status !== 'stopped') || s.status === prev.status) return;
        const table = s.table;
        if (!s.spec || !table || table.rows.length === 0 || s.startedAt === null) return;
        if (savedAt.current.get(s.startedAt) === table.rows.length) return;
        savedAt.current.set(s.startedAt, table.rows.length);
        void useSavedRuns.getState().saveSweep(
          sweepRecord({ id: `${chapter}-sweep-${s.startedAt}`, chapter, cell, status: s.status, spec: s.spec, rows: table.rows, total: table.total, rankBy: table.rankBy, wallMs: s.wallMs }),
        );
      }),
    [store, chapter, cell],
  );
}

function SweepRowView({ w }: { w: SavedSweep }) {
  const remove = useSavedRuns((s) => s.removeSweep);
  const date = runDate(w.savedAt);
  const best = w.rows.filter((r) => r.best);
  const rankAcc = (r: SavedSweep['rows'][number]) => (w.rankBy === 'test' ? r.testAccuracy : r.valAccuracy);
  return (
    <li className="saved-sweep" data-testid="saved-sweep">
      <p className="small">
        <strong>{date}</strong> · {sweepSummary(w)} · {w.rows.length} of {w.total} runs, {w.status}.{' '}
        {best.length ? (
          <>
            Best by {w.rankBy} accuracy: {best.map((r) => `lr ${fmt(r.lr)}, ${r.hidden} hidden (${acc(rankAcc(r))})`).join('; ')}
            {best.length > 1 ? ' — a tie' : ''}.
          </>
        ) : null}{' '}
        <AskDelete what={`the sweep of ${date}`} short="this sweep" onDelete={() => void remove(w.id)} />
      </p>
      <details>
        <summary className="small">Its table</summary>
        <div className="table-wrap" role="region" aria-label={`Results of the sweep of ${date}`} tabIndex={0}>
          <table className="results-table">
            <thead>
              <tr>
                <th scope="col" className="num">Rank</th>
                <th scope="col" className="num">Learning rate</th>
                <th scope="col" className="num">Hidden</th>
                <th scope="col" className="num">Validation accuracy</th>
                <th scope="col" className="num">Test accuracy</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {w.rows.map((r) => (
                <tr key={r.index} className={r.best ? 'best-row' : undefined}>
                  <th scope="row" className="num">{r.rank}</th>
                  <td className="num">{fmt(r.lr)}</td>
                  <td className="num">{r.hidden}</td>
                  <td className="num">{acc(r.valAccuracy)}</td>
                  <td className="num">{acc(r.testAccuracy)}</td>
                  <td>{r.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </li>
  );
}

export function SavedSweeps({ store, what }: { store: SweepStore; what: string }) {
  const chapter = useNavigation((s) => s.chapter);
  const load = useSavedRuns((s) => s.loadSweeps);
  const all = useSavedRuns((s) => s.sweepsByChapter[chapter]);
  const sweeps = useMemo(() => (all ?? []).filter((w) => w.cell === what), [all, what]);
  useAutoSaveSweeps(store, chapter, what);
  useEffect(() => {
    void load(chapter);
  }, [load, chapter]);
  return (
    <section className="saved-runs" aria-label="Saved sweeps">
      <h3 className="saved-runs-title">Saved sweeps</h3>
      {all === undefined ? null : sweeps.length === 0 ? (
        <p className="muted small" data-testid="saved-sweeps-empty">
          No saved sweeps yet: a sweep is kept in this browser when it finishes or is stopped.
        </p>
      ) : (
        <ul className="saved-sweeps">{sweeps.map((w) => <SweepRowView key={w.id} w={w} />)}</ul>
      )}
    </section>
  );
}
