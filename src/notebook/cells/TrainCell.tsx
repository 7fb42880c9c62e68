// The notebook's one training cell, over a training store (src/store/training.ts): the
// chapter's settings controls (a slot), Train / Pause / Step forward / Reset, the status
// line, the download and epoch progress, the notices, the live loss and accuracy charts,
// the results per epoch and a footer (the device, plus the chapter's provenance).
//
// What differs between chapters is data, not code: the x axis (global step, or epoch for
// a data set whose steps are many), which series are drawn (validation, the epoch mean
// of the training loss, earlier runs), which table columns exist and how accuracy is
// written.
//
// Below the charts, the results of the run (RunResults: metrics as CSV, the model as JSON
// out and back in, the test set predicted) and the chapter's saved runs (RunsList, kept in
// the browser; a ticked one is drawn on the charts beside the live run).

import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { FieldErrors } from '../../ui/controls';
import type { EvalPoint, TrainingStore } from '../../store/training';
import { MetricChart, type ChartMarker, type MetricPoint, type MetricSeries } from '../../ui/MetricChart';
import { DeviceLine, DownloadProgress, EpochProgress, LiveSummary, SessionNotices, SessionStatus, TrainButtons } from './training-parts';
import { RunResults } from './RunResults';
import { RunsList, useComparedSeries } from './RunsList';
import './training.css';

export interface TrainChartOptions {
  /** 'step': global steps; 'epoch': global (fractional) epochs */
  axis: 'step' | 'epoch';
  /** the loss chart's title (default "Loss") */
  lossTitle?: string;
  /** the per-step training loss, named */
  batchLoss: { name: string; faint?: boolean };
  /** the mean training loss of each epoch, as its own series */
  epochTrainLoss?: string;
  /** the validation loss per epoch, named; none when absent */
  valLoss?: string;
  /** draw the accuracy chart (validation and test accuracy per epoch) */
  accuracy?: boolean;
  /** earlier runs' validation accuracy on the accuracy chart */
  pastRuns?: boolean;
  /** the loss chart starts on a log axis */
  defaultLog?: boolean;
  /** test ids "<id>-loss-chart", "<id>-accuracy-chart" */
  testId?: string;
}

export interface EpochTableOptions {
  /** the columns after Epoch and Steps */
  columns: ('trainLoss' | 'valLoss' | 'valAccuracy' | 'testLoss' | 'testAccuracy')[];
  caption: string;
  /** mark the row with the best validation accuracy */
  markBest?: boolean;
}

export interface TrainCellProps {
  store: TrainingStore;
  /** names the run in the live summary, e.g. "Iris training" */
  what: string;
  /** the chapter's settings controls */
  controls: ReactNode;
  /** Train, when it also starts a session that does not exist yet */
  onTrain?: () => void;
  onReset?: () => void;
  /** offer Step forward (default true) */
  stepButton?: boolean;
  /** a note beside the buttons (e.g. settings that wait for Reset) */
  buttonNote?: ReactNode;
  status?: { showVal?: boolean; showTest?: boolean; accuracy?: 'fraction' | 'percent'; extra?: ReactNode };
  /** shown while the session loads (default: the download progress) */
  loading?: ReactNode;
  /** between the notices and the progress (e.g. "Try again") */
  notices?: ReactNode;
  chart: TrainChartOptions;
  table?: EpochTableOptions;
  /** after the device line */
  footer?: ReactNode;
  /** continues a finished run at a changed learning rate; null when nothing is pending */
  continueRun?: (() => void) | null;
}

const int = (v: number) => v.toLocaleString('en-US');
/** the accuracy axis, and how accuracy is written (constants: the chart redraws only when its data change) */
const UNIT_RANGE: [number, number] = [0, 1];
const fixed3 = (v: number) => v.toFixed(3);

/** the epoch table's and the chart's epoch number of an evaluation: the global epoch (continued over restarts) */
export const epochNumber = (e: EvalPoint) => Math.round(e.ex);

function series(evals: readonly EvalPoint[], pick: (e: EvalPoint) => number | null, at: (e: EvalPoint) => number): MetricPoint[] {
  return evals.flatMap((e) => {
    const v = pick(e);
    return v === null ? [] : [{ x: at(e), value: v, run: e.run }];
  });
}

function TrainCharts({ store, o, what }: { store: TrainingStore; o: TrainChartOptions; what: string }) {
  const compared = useComparedSeries(what, o.axis);
  const loss = store((s) => s.loss);
  const evals = store((s) => s.evals);
  const markers = store((s) => s.markers);
  const pastRuns = store((s) => s.pastRuns);
  const byEpoch = o.axis === 'epoch';
  const at = (p: { x: number; ex: number }) => (byEpoch ? p.ex : p.x);
  const dots = evals.length <= 25;
  const lossSeries = useMemo<MetricSeries[]>(
    () => [
      { name: o.batchLoss.name, points: loss.map((p) => ({ x: at(p), value: p.value, run: p.run })), faint: o.batchLoss.faint },
      ...(o.epochTrainLoss ? [{ name: o.epochTrainLoss, points: series(evals, (e) => e.trainLoss, at), dots }] : []),
      ...(o.valLoss ? [{ name: o.valLoss, points: series(evals, (e) => e.valLoss, at), dots }] : []),
      ...compared.loss,
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [loss, evals, o.batchLoss.name, o.batchLoss.faint, o.epochTrainLoss, o.valLoss, byEpoch, compared.loss],
  );
  const accSeries = useMemo<MetricSeries[]>(
    () => [
      // a session without a validation split (the student's own data) has no such curve
      ...(evals.length === 0 || evals.some((e) => e.valAccuracy != null)
        ? [{ name: 'validation accuracy', points: series(evals, (e) => e.valAccuracy, at), dots }]
        : []),
      { name: 'test accuracy', points: series(evals, (e) => e.testAccuracy, at), dots: byEpoch && dots, dashed: true },
      ...(o.pastRuns
        ? pastRuns.map((r, i) => ({
            name: `earlier: ${r.label}`,
            points: series(r.evals, (e) => e.valAccuracy, at),
            color: ['#8a919c', '#a8862a', '#8a4fa3'][i % 3],
            dashed: '2 3',
            faint: true,
          }))
        : []),
      ...compared.accuracy,
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [evals, pastRuns, o.pastRuns, byEpoch, compared.accuracy],
  );
  const chartMarkers = useMemo<ChartMarker[]>(() => markers.map((m) => ({ kind: m.kind, x: byEpoch ? m.ex : m.x, label: m.label })), [markers, byEpoch]);
  const xMin = byEpoch ? 0 : undefined;
  const loss0 = (
    <MetricChart
      title={o.lossTitle ?? 'Loss'}
      xLabel={o.axis}
      yLabel="cross-entropy loss"
      series={lossSeries}
      markers={chartMarkers}
      xMin={xMin}
      allowLog
      defaultLog={o.defaultLog}
      maxPoints={o.accuracy ? 200 : 400}
      testId={o.testId ? `${o.testId}-loss-chart` : undefined}
    />
  );
  if (!o.accuracy) return loss0;
  return (
    <div className="two-col">
      {loss0}
      <MetricChart
        title={byEpoch ? 'Accuracy per epoch' : 'Accuracy'}
        xLabel={o.axis}
        yLabel="accuracy"
        series={accSeries}
        markers={chartMarkers}
        yDomain={UNIT_RANGE}
        xMin={xMin}
        format={fixed3}
        emptyText="No points yet — accuracy is measured at the end of each epoch."
        testId={o.testId ? `${o.testId}-accuracy-chart` : undefined}
      />
    </div>
  );
}

const COLUMN_NAMES: Record<EpochTableOptions['columns'][number], string> = {
  trainLoss: 'Train loss',
  valLoss: 'Validation loss',
  valAccuracy: 'Validation accuracy',
  testLoss: 'Test loss',
  testAccuracy: 'Test accuracy',
};

/** the results of the current run, one row per epoch; epochs numbered as on the chart's epoch axis */
function EpochTable({ store, o, percent }: { store: TrainingStore; o: EpochTableOptions; percent: boolean }) {
  const evals = store((s) => s.evals);
  const run = store((s) => s.snapshot?.run ?? 0);
  const rows = useMemo(() => evals.filter((e) => e.run === run), [evals, run]);
  if (rows.length === 0) return null;
  const best = o.markBest ? rows.reduce((b, r) => ((r.valAccuracy ?? -1) > (b.valAccuracy ?? -1) ? r : b), rows[0]!) : null;
  const show = (k: EpochTableOptions['columns'][number], v: number | null) =>
    v === null ? '—' : k.endsWith('Accuracy') ? (percent ? `${(100 * v).toFixed(2)}%` : v.toFixed(4)) : v.toFixed(4);
  return (
    <div className="table-wrap" role="region" aria-label="Results per epoch" tabIndex={0}>
      <table className="results-table" data-testid="epoch-table">
        <caption>{o.caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Epoch
            </th>
            <th scope="col" className="num">
              Steps
            </th>
            {o.columns.map((k) => (
              <th key={k} scope="col" className="num">
                {COLUMN_NAMES[k]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const isBest = r === best && rows.length > 1;
            return (
              <tr key={`${r.run}-${r.epoch}`} className={isBest ? 'best-row' : undefined}>
                <th scope="row" className="num">
                  {epochNumber(r)}
                  {isBest ? <span className="best-mark"> ★</span> : null}
                </th>
                <td className="num">{int(r.step)}</td>
                {o.columns.map((k) => (
                  <td key={k} className="num">
                    {show(k, r[k])}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function TrainCell({ store, what, controls, onTrain, onReset, stepButton = true, buttonNote, status = {}, loading, notices, chart, table, footer, continueRun }: TrainCellProps) {
  const phase = store((s) => s.phase);
  // a settings field that holds a refused value keeps Train off, and says why
  const [errors, setErrors] = useState<Record<string, string>>({});
  const report = useCallback(
    (label: string, error: string | null) =>
      setErrors((prev) => {
        if ((prev[label] ?? null) === error) return prev;
        const next = { ...prev };
        if (error === null) delete next[label];
        else next[label] = error;
        return next;
      }),
    [],
  );
  const blocked = Object.entries(errors).map(([label, error]) => `${label}: ${error}`).join('; ') || null;
  return (
    <>
      <FieldErrors.Provider value={report}>{controls}</FieldErrors.Provider>
      <TrainButtons store={store} onTrain={onTrain} onReset={onReset} stepButton={stepButton} note={buttonNote} blocked={blocked} continueRun={continueRun} />
      <SessionStatus store={store} showVal={status.showVal} showTest={status.showTest} percent={status.accuracy === 'percent'} extra={status.extra} />
      <LiveSummary store={store} what={what} />
      <SessionNotices store={store} />
      {notices}
      {phase === 'starting' && loading ? loading : <DownloadProgress store={store} what={what} />}
      <EpochProgress store={store} />
      <TrainCharts store={store} o={chart} what={what} />
      <RunResults store={store} what={what} />
      {table ? <EpochTable store={store} o={table} percent={status.accuracy === 'percent'} /> : null}
      <RunsList store={store} what={what} />
      <footer className="cell-foot">
        <DeviceLine store={store} />
        {footer}
      </footer>
    </>
  );
}
