// Cell 3.4: a sweep of learning rate × hidden size on Iris, run in its own worker one
// model after another from the same seed. The results table and the heatmap fill in as
// runs finish; the run with the best validation accuracy is picked (ties shown as ties)
// and its test accuracy is judged against the course's target; the training-loss curves
// of all runs are overlaid in one chart.

import { useEffect } from 'react';
import { fmt } from '../../../store/training';
import { NumberInput } from '../../../ui/controls';
import { EXPERIMENTS } from '../../../train/experiments';
import { ListInput } from './ListInput';
import { SweepButtons, SweepChart, SweepPick, SweepProgress, SweepResults } from '../../cells/sweep-parts';
import { IRIS_SETTINGS, irisSettings, irisSweepSpec, SWEEP_VALIDATION_FRACTION, TEST_FRACTION, useIrisSettings, useIrisSweep } from './settings';
import { SavedSweeps } from '../../cells/SavedSweeps';

const TARGET = EXPERIMENTS.iris.target;
const SPLITS = EXPERIMENTS.iris.splits ?? 1;
const FIRST_SEED = EXPERIMENTS.iris.config.seed;
const TEST_FLOWERS = Math.round(150 * TEST_FRACTION);
const VALIDATION_FLOWERS = Math.round((150 - TEST_FLOWERS) * SWEEP_VALIDATION_FRACTION);
/** the bounds of the grid's inputs: the settings' own */
const f = IRIS_SETTINGS.fields;

function SweepControls() {
  const lrs = useIrisSettings((s) => s.sweepLrs);
  const hs = useIrisSettings((s) => s.sweepHidden);
  const epochs = useIrisSettings((s) => s.sweepEpochs);
  const set = useIrisSettings((s) => s.set);
  const status = useIrisSweep((s) => s.status);
  const busy = status === 'running' || status === 'starting';
  return (
    <>
      <fieldset className="settings-group">
        <legend>Grid</legend>
        <div className="controls-row">
          <ListInput label="Learning rates" value={lrs} min={f.lr.min} max={f.lr.max} maxLength={f.sweepLrs.maxLength} onChange={(v) => set('sweepLrs', v)} disabled={busy} />
          <ListInput label="Hidden sizes" value={hs} min={f.hidden.min} max={f.hidden.max} integer maxLength={f.sweepHidden.maxLength} onChange={(v) => set('sweepHidden', v)} disabled={busy} />
          <NumberInput label="Epochs per run" value={epochs} min={f.sweepEpochs.min} max={f.sweepEpochs.max} step={1} onChange={(v) => set('sweepEpochs', Math.round(v))} disabled={busy} />
          <span className="muted small">
            {lrs.length} × {hs.length} = {lrs.length * hs.length} runs
          </span>
        </div>
      </fieldset>
      <SweepButtons
        store={useIrisSweep}
        onRun={() => {
          const s = irisSettings();
          void useIrisSweep.getState().run(irisSweepSpec(s), s.device);
        }}
      />
    </>
  );
}

/** the picked run's test accuracy against the course's target */
function Verdict() {
  const table = useIrisSweep((s) => s.table);
  const status = useIrisSweep((s) => s.status);
  if (!table || status !== 'done') return null;
  const best = table.rows.find((r) => r.best);
  if (!best || best.testAccuracy === null) return null;
  const met = best.testAccuracy >= TARGET;
  return (
    <p className={`verdict ${met ? 'met' : 'unmet'}`} data-testid="sweep-verdict">
      The picked run's test accuracy <strong>{best.testAccuracy.toFixed(3)}</strong> (learning rate {fmt(best.lr)}, {best.hidden} hidden units):{' '}
      {met ? `the course's target of ≥ ${TARGET} is met.` : `below the course's target of ${TARGET}.`}{' '}
      <span className="muted">
        The runs are compared on {VALIDATION_FLOWERS} validation flowers held out of the training flowers (seeded, stratified), so one
        flower is {(1 / VALIDATION_FLOWERS).toFixed(3)} of validation accuracy and ties are common; the {TEST_FLOWERS} test flowers
        only report. A different seed draws different splits. The course's figure averages each cell over {SPLITS} splits (seeds{' '}
        {FIRST_SEED}–{FIRST_SEED + SPLITS - 1}): <code>npm run train -- iris</code>.
      </span>
    </p>
  );
}

export function IrisSweepCellBody() {
  // leaving the chapter stops a sweep in flight
  useEffect(() => () => void useIrisSweep.getState().stop(), []);
  return (
    <>
      <SweepControls />
      <SweepProgress store={useIrisSweep} loading="loading Iris in the worker" />
      <SweepResults
        store={useIrisSweep}
        aside={
          <>
            <SweepPick store={useIrisSweep} />
            <Verdict />
          </>
        }
      />
      <SweepChart store={useIrisSweep} />
      <SavedSweeps store={useIrisSweep} what="Iris sweep" />
    </>
  );
}
