// Cell 3.2: a sweep of learning rate × hidden size on Iris, run in its own worker one
// model after another from the same seed. The results table fills in as runs finish,
// sorted by test accuracy with the best run marked; the training-loss curves of all runs
// are overlaid in one chart.

import { useEffect, useMemo } from 'react';
import type { SweepRow } from '../../../train/protocol';
import { fmt } from '../../../store/training';
import { NumberInput, Progress } from '../../../ui/controls';
import { SERIES_COLORS } from '../../../ui/colors';
import { EXPERIMENTS } from '../../../train/experiments';
import { softwareAdapterName } from '../../../store/device';
import { ListInput } from './ListInput';
import { MetricChart, type MetricSeries } from '../../../ui/MetricChart';
import { irisSettings, irisSweepSpec, LIMITS, TEST_FRACTION, useIrisSettings, useIrisSweep } from './settings';
import { SavedSweeps } from '../../cells/SavedSweeps';

/** colour by learning rate, line pattern by hidden size (solid, dashed, dotted, …) */
const RUN_COLORS = [...SERIES_COLORS, '#2a8c82', '#c2417a'];
const RUN_DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 4 1 4', '1 2'];

const TARGET = EXPERIMENTS.iris.target;
const SPLITS = EXPERIMENTS.iris.splits ?? 1;
const FIRST_SEED = EXPERIMENTS.iris.config.seed;

function SweepControls() {
  const lrs = useIrisSettings((s) => s.sweepLrs);
  const hs = useIrisSettings((s) => s.sweepHidden);
  const epochs = useIrisSettings((s) => s.sweepEpochs);
  const set = useIrisSettings((s) => s.set);
  const status = useIrisSweep((s) => s.status);
  const run = useIrisSweep((s) => s.run);
  const stop = useIrisSweep((s) => s.stop);
  const busy = status === 'running' || status === 'starting';
  return (
    <>
      <fieldset className="settings-group">
        <legend>Grid</legend>
        <div className="controls-row">
          <ListInput label="Learning rates" value={lrs} min={LIMITS.lr.min} max={LIMITS.lr.max} maxLength={LIMITS.listLength} onChange={(v) => set('sweepLrs', v)} disabled={busy} />
          <ListInput label="Hidden sizes" value={hs} min={LIMITS.hidden.min} max={LIMITS.hidden.max} integer maxLength={LIMITS.listLength} onChange={(v) => set('sweepHidden', v)} disabled={busy} />
          <NumberInput label="Epochs per run" value={epochs} min={LIMITS.sweepEpochs.min} max={LIMITS.sweepEpochs.max} step={1} onChange={(v) => set('sweepEpochs', Math.round(v))} disabled={busy} />
          <span className="muted small">
            {lrs.length} × {hs.length} = {lrs.length * hs.length} runs
          </span>
        </div>
      </fieldset>
      <div className="button-row" role="group" aria-label="Sweep">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => {
            const s = irisSettings();
            void run(irisSweepSpec(s), s.device);
          }}
        >
          Run sweep
        </button>
        <button type="button" onClick={() => void stop()} disabled={!busy}>
          Stop sweep
        </button>
      </div>
    </>
  );
}

function SweepProgress() {
  const status = useIrisSweep((s) => s.status);
  const grid = useIrisSweep((s) => s.grid);
  const rows = useIrisSweep((s) => s.table?.rows.length ?? 0);
  const current = useIrisSweep((s) => s.current);
  const wallMs = useIrisSweep((s) => s.wallMs);
  const error = useIrisSweep((s) => s.error);
  const backend = useIrisSweep((s) => s.backend);
  const seed = useIrisSweep((s) => s.spec?.base.seed);
  if (status === 'idle') return error ? <p className="notice warn" role="alert">{error}</p> : null;
  const cell = current ? grid.find((g) => g.index === current.index) : undefined;
  const detail =
    status === 'starting'
      ? 'loading Iris in the worker'
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

const acc = (v: number | null) => (v === null ? '—' : v.toFixed(3));

function stateText(r: SweepRow): string {
  if (r.state === 'diverged') {
    const m = /diverged at step (\d+)/.exec(r.message);
    return m ? `diverged at step ${m[1]}` : 'diverged';
  }
  if (r.state === 'done') return 'done';
  return r.state;
}

function ResultsTable() {
  const table = useIrisSweep((s) => s.table);
  if (!table || table.rows.length === 0) return null;
  const by = table.rankBy === 'test' ? 'test' : 'validation';
  return (
    <div className="table-wrap">
      <table className="results-table" data-testid="sweep-table">
        <caption>
          Sweep results: {table.rows.length} of {table.total} runs, ranked by {by} accuracy (best first)
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Rank
            </th>
            <th scope="col" className="num">
              Learning rate
            </th>
            <th scope="col" className="num">
              Hidden size
            </th>
            <th scope="col" className="num">
              Test accuracy
            </th>
            <th scope="col" className="num">
              Test error
            </th>
            <th scope="col" className="num">
              Final train loss
            </th>
            <th scope="col" className="num">
              Steps
            </th>
            <th scope="col" className="num">
              Time
            </th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr key={r.index} className={r.best ? 'best-row' : undefined} data-best={r.best ? "true" : undefined}>
              <th scope="row" className="num">
                {r.best ? (
                  <span className="best-mark" title="best run">
                    ★ best
                  </span>
                ) : (
                  r.rank
                )}
              </th>
              <td className="num">{fmt(r.lr)}</td>
              <td className="num">{r.hidden}</td>
              <td className="num">{acc(r.testAccuracy)}</td>
              <td className="num">{acc(r.error)}</td>
              <td className="num">{r.finalTrainLoss === null ? '—' : fmt(r.finalTrainLoss)}</td>
              <td className="num">{r.steps.toLocaleString('en-US')}</td>
              <td className="num">{(r.wallMs / 1000).toFixed(2)} s</td>
              <td className={r.state === 'diverged' ? 'diverged-text' : undefined}>{stateText(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Verdict() {
  const table = useIrisSweep((s) => s.table);
  const status = useIrisSweep((s) => s.status);
  if (!table || status !== 'done') return null;
  const best = table.rows.find((r) => r.best);
  if (!best || best.testAccuracy === null) return <p className="verdict unmet">No run finished with a test accuracy (every run diverged).</p>;
  const met = best.testAccuracy >= TARGET;
  return (
    <p className={`verdict ${met ? 'met' : 'unmet'}`} data-testid="sweep-verdict">
      Best test accuracy <strong>{best.testAccuracy.toFixed(3)}</strong> (learning rate {fmt(best.lr)}, {best.hidden} hidden units):{' '}
      {met ? `the course's target of ≥ ${TARGET} is met.` : `below the course's target of ${TARGET}.`}{' '}
      <span className="muted">
        The test set has {Math.round(150 * TEST_FRACTION)} flowers, so one flower is {(1 / (150 * TEST_FRACTION)).toFixed(3)} of accuracy; a
        different seed draws a different split. The course's figure averages each cell over {SPLITS} splits (seeds {FIRST_SEED}–
        {FIRST_SEED + SPLITS - 1}): <code>npm run train -- iris</code>.
      </span>
    </p>
  );
}

function SweepChart() {
  const curves = useIrisSweep((s) => s.curves);
  const series = useMemo<MetricSeries[]>(() => {
    const lrs = [...new Set(curves.map((c) => c.lr))];
    const hs = [...new Set(curves.map((c) => c.hidden))];
    return curves.map((c) => ({
      name: `lr ${fmt(c.lr)}, h ${c.hidden}${c.divergedAt !== null ? ' (diverged)' : ''}`,
      points: c.epochLoss.map((p) => ({ x: p.step, value: p.value })),
      color: RUN_COLORS[lrs.indexOf(c.lr) % RUN_COLORS.length],
      dashed: RUN_DASHES[hs.indexOf(c.hidden) % RUN_DASHES.length],
    }));
  }, [curves]);
  if (curves.length === 0) return null;
  return (
    <MetricChart
      title="Training loss of every run (mean per epoch)"
      xLabel="epoch"
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

export function IrisSweepCellBody() {
  // leaving the chapter stops a sweep in flight
  useEffect(() => () => void useIrisSweep.getState().stop(), []);
  return (
    <>
      <SweepControls />
      <SweepProgress />
      <Verdict />
      <ResultsTable />
      <SweepChart />
      <SavedSweeps store={useIrisSweep} what="Iris sweep" />
    </>
  );
}
