// The training cell's saved runs (src/store/runs.ts): every run that finishes, diverges
// or is left behind (Reset, a new model, a new session) after at least one step is saved
// in the browser on its own; the list shows this cell's runs of this chapter, newest
// first — date, settings, final accuracy — each with a box that draws it on the charts
// beside the live run, its metrics as CSV, and Delete (asks first).

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigation } from '../../store/navigation';
import { finalMetrics, runCsv, runDate, runHistory, runSettings, settingsSummary, useSavedRuns, type SavedRun } from '../../store/runs';
import type { TrainingState, TrainingStore } from '../../store/training';
import { downloadText, fileStem } from '../../ui/export-chart';
import type { MetricSeries } from '../../ui/MetricChart';

/** per training store: a session id (runs of a new session are new records) and the step each run was last saved at */
const tracking = new WeakMap<TrainingStore, { session: string; saved: Map<number, { step: number; id: string }> }>();

const newSession = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** saves the runs of `store` as they end (see the file's head) */
function useAutoSave(store: TrainingStore, chapter: string, cell: string): void {
  useEffect(() => {
    let t = tracking.get(store);
    if (!t) tracking.set(store, (t = { session: newSession(), saved: new Map() }));
    const track = t;
    const save = (s: TrainingState, status: SavedRun['status']) => {
      const snap = s.snapshot;
      if (!s.config || !snap) return;
      const history = runHistory(s, snap.run);
      const steps = Math.max(history.loss.at(-1)?.step ?? 0, history.evals.at(-1)?.step ?? 0);
      if (steps === 0) return;
      const before = track.saved.get(snap.run);
      if (before && before.step === steps) return;
      const id = before?.id ?? `${chapter}-${track.session}-${snap.run}`;
      track.saved.set(snap.run, { step: steps, id });
      void useSavedRuns.getState().save({
        id,
        chapter,
        cell,
        savedAt: Date.now(),
        status,
        settings: runSettings(s.config, snap, s.backend?.kind === 'webgpu' ? 'WebGPU' : 'CPU reference'),
        steps,
        epochs: snap.epoch,
        trainMs: snap.trainMs,
        final: finalMetrics(history),
        history,
      });
    };
    return store.subscribe((s, prev) => {
      const state = s.snapshot?.state;
      if ((state === 'done' || state === 'diverged' || state === 'stopped') && prev.snapshot?.state !== state && s.snapshot?.run === prev.snapshot?.run) {
        save(s, state);
      }
      // the run is left: its series cleared (Reset, a new session) or a new run began (a new model, a loaded one)
      const cleared = prev.loss.length > 0 && s.loss.length === 0;
      const nextRun = s.snapshot && prev.snapshot && s.snapshot.run !== prev.snapshot.run;
      if (cleared || nextRun) save(prev, 'stopped');
      if (s.config !== prev.config && prev.config) {
        track.session = newSession();
        track.saved.clear();
      }
    });
  }, [store, chapter, cell]);
}

/** the saved runs of this chapter's cell */
function useCellRuns(chapter: string, cell: string): SavedRun[] {
  const all = useSavedRuns((s) => s.byChapter[chapter]);
  return useMemo(() => (all ?? []).filter((r) => r.cell === cell), [all, cell]);
}

const COMPARE_COLORS = ['#8a919c', '#a8862a', '#8a4fa3', '#3b8a5a', '#b3261e'];

/** a saved run's name on the charts */
const chartName = (r: SavedRun) => `saved ${new Date(r.savedAt).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;

/** the saved runs ticked in the list, as chart series: their training loss, and their validation (or test) accuracy */
export function useComparedSeries(cell: string, axis: 'step' | 'epoch'): { loss: MetricSeries[]; accuracy: MetricSeries[] } {
  const chapter = useNavigation((s) => s.chapter);
  const runs = useCellRuns(chapter, cell);
  const shown = useSavedRuns((s) => s.shown);
  return useMemo(() => {
    const picked = runs.filter((r) => shown.includes(r.id));
    const loss: MetricSeries[] = [];
    const accuracy: MetricSeries[] = [];
    picked.forEach((r, i) => {
      const color = COMPARE_COLORS[i % COMPARE_COLORS.length]!;
      const x = (p: { step: number; epoch: number }) => (axis === 'epoch' ? p.epoch : p.step);
      loss.push({ name: `${chartName(r)}: training loss`, points: r.history.loss.map((p) => ({ x: x(p), value: p.value })), color, dashed: '2 3', faint: true });
      const val = r.history.evals.some((e) => e.valAccuracy !== null);
      accuracy.push({
        name: `${chartName(r)}: ${val ? 'validation' : 'test'} accuracy`,
        points: r.history.evals.flatMap((e) => {
          const v = val ? e.valAccuracy : e.testAccuracy;
          return v === null ? [] : [{ x: x(e), value: v }];
        }),
        color,
        dashed: '2 3',
      });
    });
    return { loss, accuracy };
  }, [runs, shown, axis]);
}

/** a Delete button that asks first ("Yes, delete" / "Keep it"); `children` stand before it */
export function AskDelete({ what, short, onDelete, children }: { what: string; short: string; onDelete: () => void; children?: ReactNode }) {
  const [asking, setAsking] = useState(false);
  if (asking) {
    return (
      <span role="group" aria-label={`Delete ${what}?`}>
        <span className="small">Delete {short}? </span>
        <button type="button" onClick={onDelete}>
          Yes, delete
        </button>{' '}
        <button type="button" onClick={() => setAsking(false)} autoFocus>
          Keep it
        </button>
      </span>
    );
  }
  return (
    <>
      {children}
      <button type="button" aria-label={`Delete ${what}`} onClick={() => setAsking(true)}>
        Delete
      </button>
    </>
  );
}

const acc = (v: number | null) => (v === null ? '—' : v.toFixed(4));

function RunRow({ r, what }: { r: SavedRun; what: string }) {
  const shown = useSavedRuns((s) => s.shown.includes(r.id));
  const toggle = useSavedRuns((s) => s.toggleShown);
  const remove = useSavedRuns((s) => s.remove);
  const date = runDate(r.savedAt);
  const summary = settingsSummary(r.settings);
  return (
    <tr data-testid="saved-run" data-id={r.id}>
      <td>
        <input type="checkbox" checked={shown} aria-label={`Show the run of ${date} on the chart`} onChange={(e) => toggle(r.id, e.currentTarget.checked)} />
      </td>
      <th scope="row">{date}</th>
      <td className="small">
        {summary}
        <span className="muted">
          {' '}
          · {r.steps.toLocaleString('en-US')} {r.steps === 1 ? 'step' : 'steps'}, {r.status}
        </span>
      </td>
      <td className="num">{acc(r.final.valAccuracy)}</td>
      <td className="num">{acc(r.final.testAccuracy)}</td>
      <td className="actions">
        <AskDelete what={`the run of ${date}`} short="this run" onDelete={() => void remove(r.id)}>
          <button type="button" aria-label={`Download the metrics of the run of ${date} (CSV)`} onClick={() => downloadText(runCsv(r.history), `${fileStem(what)}-${fileStem(date)}-metrics.csv`, 'text/csv')}>
            CSV
          </button>{' '}
        </AskDelete>
      </td>
    </tr>
  );
}

export function RunsList({ store, what }: { store: TrainingStore; what: string }) {
  const chapter = useNavigation((s) => s.chapter);
  const load = useSavedRuns((s) => s.load);
  const loaded = useSavedRuns((s) => s.byChapter[chapter] !== undefined);
  const error = useSavedRuns((s) => s.error);
  const runs = useCellRuns(chapter, what);
  useAutoSave(store, chapter, what);
  useEffect(() => {
    void load(chapter);
  }, [load, chapter]);
  return (
    <section className="saved-runs" aria-label="Saved runs">
      <h3 className="saved-runs-title">Saved runs</h3>
      {error ? (
        <p className="notice warn" role="alert">
          {error}
        </p>
      ) : null}
      {!loaded ? null : runs.length === 0 ? (
        <p className="muted small" data-testid="saved-runs-empty">
          No saved runs yet: a run is kept in this browser when it finishes, or when Reset or a new model leaves it.
        </p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Saved runs table" tabIndex={0}>
          <table className="results-table saved-runs-table">
            <caption className="muted small">Kept in this browser (newest first); tick a run to draw it beside the live one.</caption>
            <thead>
              <tr>
                <th scope="col">Chart</th>
                <th scope="col">Saved</th>
                <th scope="col">Settings</th>
                <th scope="col" className="num">
                  Validation accuracy
                </th>
                <th scope="col" className="num">
                  Test accuracy
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <RunRow key={r.id} r={r} what={what} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
