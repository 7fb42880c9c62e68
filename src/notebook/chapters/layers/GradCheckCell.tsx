// Cell: the gradient check of the 4 → 5 → 3 network — analytic gradients from the page's
// backend (its backward, on the chosen loss path) against central differences of the
// loss in float64, per parameter tensor.

import { useLayersLab, type LossPath, setLayers } from './settings';
import { M, tex } from '../../../ui/Math';
import { Select } from '../../../ui/controls';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtError, fmtValue } from '../../../ui/format';
import { GRAD_ATOL, GRAD_RTOL } from '../../cells/compare';
import { gradientCheck, WRONG_LOGIT } from './lab';
import { GradCheckSummary, GradCheckTable, KinkWarning } from '../../cells/GradCheckTable';
import { TaskStatus } from '../../cells/TaskStatus';

const PATHS: { value: LossPath; label: string }[] = [
  { value: 'fused', label: 'fused: dZ = (Ŷ − Y)/m' },
  { value: 'unfused', label: 'unfused: dŶ = −Y/(mŶ), then the softmax backward' },
];

export function GradCheckCell() {
  const seed = useLayersLab((s) => s.seed);
  const activation = useLayersLab((s) => s.activation);
  const lossPath = useLayersLab((s) => s.gcLossPath);
  const wrong = useLayersLab((s) => s.gcWrong);
  const setLossPath = (v: LossPath) => setLayers('gcLossPath', v);
  const setWrong = (v: boolean) => setLayers('gcWrong', v);

  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${seed}|${activation}|${lossPath}|${wrong}`, (backend) =>
    gradientCheck(backend, referenceBackend(), { seed, activation, lossPath, wrong }), near);
  const r = task.result;
  const tol = `|a − n| ≤ ${fmtError(GRAD_ATOL)} + ${fmtError(GRAD_RTOL)}·|n| for every entry`;

  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <Select label="Loss gradient" value={lossPath} options={PATHS} onChange={setLossPath} />
        <fieldset className="lab-wrong">
          <legend>What goes wrong</legend>
          <label className="checkbox">
            <input type="checkbox" checked={wrong} onChange={(e) => setWrong(e.currentTarget.checked)} />
            A confidently wrong prediction in the batch (one class's logit +{WRONG_LOGIT})
          </label>
        </fieldset>
      </div>
      <p className="muted small">
        Seed {seed} and the {activation === 'relu' ? 'ReLU' : activation} hidden layer of cell 2.5. Numerical gradients:{' '}
        <M>{tex`(L(\theta + h e_i) - L(\theta - h e_i))/2h`}</M> with <M>{`h = 10^{-5}`}</M>, on the float64 reference with the stable
        log-sum-exp loss, at the very parameters the backend holds.
      </p>
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Checking the gradients">
        {r ? (
          <>
            <GradCheckSummary
              config={`${r.lossPath}|${r.wrong ? 'wrong' : 'ok'}`}
              pass={r.pass}
              worst={r.worstRelErr}
              detail={r.pass ? `every gradient agrees (${tol})` : `${r.rows.filter((x) => !x.cmp.pass).map((x) => x.name).join(', ')} disagree (${tol})`}
            />
            <GradCheckTable result={r} caption={`Analytic (${r.device}) against numerical (float64) gradients, per parameter tensor`} />
            <p className="small">
              Loss on the backend{' '}
              <output className="mono" aria-label="Loss on the backend">
                {fmtValue(r.loss, 6)}
              </output>
              , float64 reference{' '}
              <output className="mono" aria-label="Loss on the float64 reference">
                {fmtValue(r.lossRef, 6)}
              </output>
              .{' '}
              {r.wrong ? (
                <>
                  Class {r.wrong.cls} now wins every row by about {r.wrong.logit}, so {r.wrong.rows} of the 6 rows are confidently wrong: their
                  true class has <M>{`\hat y = e^{-${r.wrong.logit}}`}</M>, which is 0 in float32 and float64.
                </>
              ) : null}
            </p>
            {!r.pass && lossPath === 'unfused' && r.wrong ? (
              <p className="notice error">
                The unfused path divides by <M>{tex`\hat Y = 0`}</M>: <M>{tex`-Y/(m\hat Y)`}</M> would be <M>{tex`-\infty`}</M>, and the softmax
                backward would then multiply <M>{tex`\infty`}</M> by <M>{tex`\hat Y_k = 0`}</M> in{' '}
                <M>{tex`\sum_k \mathrm{d}\hat Y_k \hat Y_k`}</M> — not a number, spreading to every gradient of the network. The kernel clamps{' '}
                <M>{tex`\hat Y`}</M> at the smallest normal number instead: the gradient stays finite but is wrong (those rows give about 0
                instead of <M>{tex`(\hat Y - Y)/m`}</M>), and the loss is <M>{tex`\infty`}</M>, which stops a training run. The fused{' '}
                <M>{tex`(\hat Y - Y)/m`}</M> never divides: switch the loss gradient to fused and the same batch passes.
              </p>
            ) : null}
            {activation === 'relu' ? <KinkWarning minAbsZ={r.minAbsZ} which="A hidden pre-activation" retry="Try another seed." /> : null}
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
