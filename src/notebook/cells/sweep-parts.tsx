// The parts of a sweep cell, over a chapter's sweep store (src/store/sweep.ts): progress,
// the learning-rate × hidden-size heatmap with the pick beside it (by validation accuracy,
// its test accuracy reported), the results table below, and the overlaid loss curves.
// The chapter adds its own controls and verdict.

import { useMemo, type ReactNode } from 'react';
import type { SweepRow, SweepTable } from '../../train/protocol';
import { ACCURACY_DECIMALS, sweepHeatmap, TIE_RULE } from '../../train/sweep';
import type { SweepStore } from '../../store/sweep';
import { fmt } from '../../store/training';
import { softwareAdapterName } from '../../store/device';
import { Progress } from '../../ui/controls';
import { SERIES_COLORS } from '../../ui/colors';
import { GridHeatmap } from '../../ui/GridHeatmap';
import { MetricChart, type MetricSeries } from '../../ui/MetricChart';
import './sweep.css';

/** colour by learning rate, line pattern by hidden size (solid, dashed, dotted, …) */
const RUN_COLORS = [...SERIES_COLORS, '#2a8c82', '#c2417a'];
const RUN_DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 4 1 4', '1 2'];

export const acc = (v: number | null) => (v === null ? '—' : v.toFixed(ACCURACY_DECIMALS));

/** the split that picks, in words */
export const pickSplit = (t: Pick<SweepTable, 'rankBy'>) => (t.rankBy === 'test' ? 'test' : 'validation');

function stateText(r: SweepRow): string {
  if (r.state === 'diverged') {
    const m = /diverged at step (\d+)/.exec(r.message);
    return m ? `diverged at step ${m[1]}` : 'diverged';
  }
  return r.state;
}

/** progress bar, state line (device, seed) and errors; `loading` says what the worker loads */
export function SweepProgress({ store, loading }: { store: SweepStore; loading: string }) {
  const status = store((s) => s.status);
  const grid = store((s) => s.grid);
  const rows = store((s) => s.table?.rows.length ?? 0);
  const current = store((s) => s.current);
  const wallMs = store((s) => s.wallMs);
  const error = store((s) => s.error);
  const backend = store((s) => s.backend);
  const seed = store((s) => s.spec?.base.seed);
  if (status === 'idle') return error ? <p className="notice warn" role="alert">{error}</p> : null;
  const cell = current ? grid.find((g) => g.index === current.index) : undefined;
  const detail =
    status === 'starting'
      ? loading
      : status === 'running' && cell && current
        ? `run ${rows + 1} of ${grid.length} (lr ${fmt(cell.lr)}, ${cell.hidden} hidden): epoch ${current.snapshot.epoch} of ${current.snapshot.epochs}`
        : `${rows} of ${grid.length} runs in ${(wallMs / 1000).toFixed(1)} s`;
  return (
    <>
      <Progress label="Sweep" value={status === 'starting' ? undefined : rows} max={grid.length} detail={detail} />
      <p className="small muted" data-testid="sweep-status">
        {status === 'done' ? 'Sweep finished' : status === 'stopped' ? 'Sweep stopped' : status === 'failed' ? 'Sweep failed' : 'Sweep running'}
        {backend ? ` · ${backend.kind === 'webgpu' ? `WebGPU · ${softwareAdapterName(backend.deviceName) ?? backend.deviceName}` : 'CPU reference (float64)'}` : ''}
        {seed !== undefined ? ` · seed ${seed}` : ''}
      </p>
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

const COLUMNS = ['Rank', 'Learning rate', 'Hidden', 'Val. accuracy', 'Val. loss', 'Test accuracy', 'Train loss', 'Time', 'Result'] as const;

/** Run sweep and Stop sweep (Stop keeps the runs already finished) */
export function SweepButtons({ store, onRun }: { store: SweepStore; onRun: () => void }) {
  const status = store((s) => s.status);
  const stop = store((s) => s.stop);
  const busy = status === 'running' || status === 'starting';
  return (
    <div className="button-row" role="group" aria-label="Sweep">
      <button type="button" className="primary" disabled={busy} onClick={onRun}>
        Run sweep
      </button>
      <button type="button" onClick={() => void stop()} disabled={!busy}>
        Stop sweep
      </button>
    </div>
  );
}

function ResultsTable({ table }: { table: SweepTable }) {
  const by = pickSplit(table);
  const tied = table.rows.some((r) => r.tied);
  return (
    <div className="table-wrap" role="region" aria-label="Sweep results" tabIndex={0}>
      <table className="results-table" data-testid="sweep-table">
        <caption>
          {table.rows.length} of {table.total} runs, ranked by {by} accuracy (best first){tied ? '; = marks runs tied with the pick' : ''}
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className={c === 'Result' ? undefined : 'num'}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr key={r.index} className={r.best ? 'best-row' : r.tied ? 'tied-row' : undefined} data-best={r.best ? 'true' : undefined} data-tied={r.tied ? 'true' : undefined}>
              <th scope="row" className="num">
                {r.best ? (
                  <span className="best-mark" title={r.tied ? 'picked: tied, won by the tie rule' : 'picked'}>
                    ★ picked{r.tied ? ' (tie)' : ''}
                  </span>
                ) : r.tied ? (
                  <span className="tied-mark" title="tied with the picked run">
                    = {r.rank} (tie)
                  </span>
                ) : (
                  r.rank
                )}
              </th>
              <td className="num">{fmt(r.lr)}</td>
              <td className="num">{r.hidden}</td>
              <td className="num">{acc(r.valAccuracy)}</td>
              <td className="num">{r.valLoss === null ? '—' : r.valLoss.toFixed(3)}</td>
              <td className="num">{acc(r.testAccuracy)}</td>
              <td className="num">{r.finalTrainLoss === null ? '—' : fmt(r.finalTrainLoss)}</td>
              <td className="num">{(r.wallMs / 1000).toFixed(1)} s</td>
              <td className={r.state === 'diverged' ? 'diverged-text' : undefined} title={`${r.steps.toLocaleString('en-US')} steps`}>
                {stateText(r)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Heatmap({ store, table }: { store: SweepStore; table: SweepTable | null }) {
  const spec = store((s) => s.spec);
  const h = useMemo(() => (spec ? sweepHeatmap(spec, table) : null), [spec, table]);
  if (!h) return null;
  const by = table ? pickSplit(table) : 'validation';
  const name = (r: number, c: number) => {
    const i = r * h.hiddenSizes.length + c;
    const row = h.rows[i];
    const head = `learning rate ${fmt(h.learningRates[r]!)}, ${h.hiddenSizes[c]} hidden`;
    if (!row) return `${head}: not run yet`;
    const mark = h.picked === i ? (h.tied.length ? ', picked (won the tie)' : ', picked') : h.tied.includes(i) ? ', tied with the pick' : '';
    return `${head}: ${by} accuracy ${acc(h.values[i] ?? null)}${row.state === 'diverged' ? ' (diverged)' : ''}${mark}; test accuracy ${acc(row.testAccuracy)}`;
  };
  return (
    <GridHeatmap
      caption={`${by === 'test' ? 'Test' : 'Validation'} accuracy by learning rate and hidden size`}
      rowTitle="learning rate"
      colTitle="hidden"
      rowLabels={h.learningRates.map((v) => fmt(v))}
      colLabels={h.hiddenSizes.map(String)}
      values={h.values}
      format={(v) => v.toFixed(ACCURACY_DECIMALS)}
      cellName={name}
      picked={h.picked}
      tied={h.tied}
      testId="sweep-heatmap"
    />
  );
}

/** the heatmap with `aside` (the pick in words) beside it, the table below; stacked on a narrow screen */
export function SweepResults({ store, aside }: { store: SweepStore; aside?: ReactNode }) {
  const table = store((s) => s.table);
  const status = store((s) => s.status);
  if (status === 'idle' && !table) return null;
  return (
    <div className="sweep-results">
      <div className="sweep-summary">
        <Heatmap store={store} table={table} />
        <div className="sweep-aside">{aside}</div>
      </div>
      {table && table.rows.length > 0 ? <ResultsTable table={table} /> : null}
    </div>
  );
}

/**
 * The pick in words: which run, by which split, its test accuracy (reported, not used to
 * choose), and how a tie was broken. `children` follow (a chapter's verdict).
 */
export function SweepPick({ store }: { store: SweepStore }) {
  const table = store((s) => s.table);
  const status = store((s) => s.status);
  if (!table || table.rows.length === 0) return null;
  const best = table.rows.find((r) => r.best);
  const by = pickSplit(table);
  const final = status !== 'running' && status !== 'starting';
  if (!best) return final ? <p className="verdict unmet">No run finished with a {by} accuracy (every run diverged).</p> : null;
  const tied = table.rows.filter((r) => r.tied);
  return (
    <p className="small sweep-pick" data-testid="sweep-pick">
      {final ? 'Picked' : 'Best so far'} by {by} accuracy: <strong>learning rate {fmt(best.lr)}, {best.hidden} hidden units</strong> ({by} accuracy{' '}
      {acc(by === 'test' ? best.testAccuracy : best.valAccuracy)}
      {by === 'validation' ? (
        <>
          ; its test accuracy <strong data-testid="sweep-picked-test">{acc(best.testAccuracy)}</strong>, reported, never used to choose
        </>
      ) : null}
      ).{' '}
      {tied.length > 1 ? (
        <span data-testid="sweep-tie">
          {tied.length} runs tie at {acc(by === 'test' ? best.testAccuracy : best.valAccuracy)} (equal to {ACCURACY_DECIMALS} decimals, marked = in the table and
          dashed in the grid); the tie goes to {TIE_RULE[table.rankBy]}.
        </span>
      ) : (
        <span className="muted">Runs equal to {ACCURACY_DECIMALS} decimals would be shown as ties and decided by {TIE_RULE[table.rankBy]}.</span>
      )}
    </p>
  );
}

/** every run's training loss overlaid: the mean per epoch, or each loss read (short runs of an epoch or two) */
export function SweepChart({ store, by = 'epoch' }: { store: SweepStore; by?: 'epoch' | 'step' }) {
  const curves = store((s) => s.curves);
  const series = useMemo<MetricSeries[]>(() => {
    const lrs = [...new Set(curves.map((c) => c.lr))];
    const hs = [...new Set(curves.map((c) => c.hidden))];
    return curves.map((c) => ({
      name: `lr ${fmt(c.lr)}, h ${c.hidden}${c.divergedAt !== null ? ' (diverged)' : ''}`,
      points: (by === 'epoch' ? c.epochLoss : c.points).map((p) => ({ x: p.step, value: p.value })),
      color: RUN_COLORS[lrs.indexOf(c.lr) % RUN_COLORS.length],
      dashed: RUN_DASHES[hs.indexOf(c.hidden) % RUN_DASHES.length],
    }));
  }, [curves, by]);
  if (curves.length === 0) return null;
  return (
    <MetricChart
      title={by === 'epoch' ? 'Training loss of every run (mean per epoch)' : 'Training loss of every run (mini-batch losses read)'}
      xLabel={by}
      yLabel="cross-entropy loss"
      series={series}
      maxPoints={150}
      height={320}
      allowLog
      emptyText="No points yet — each run's curve appears as it trains."
      testId="sweep-chart"
    />
  );
}
