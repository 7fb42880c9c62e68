// Cell: the gradient check of one Conv2D layer with ReLU (dW, db, dX on the page's
// backend against float64 central differences), and the course's broken convolution as
// a "what goes wrong" toggle: the activation applied inside the convolution loop and
// the padded input cached as Z — the backward is then wrong nearly everywhere.

import { useConvLab } from './settings';
import { M, tex } from '../../../ui/Math';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtError } from '../../../ui/format';
import { GradCheckSummary, GradCheckTable, KinkWarning } from '../../cells/GradCheckTable';
import { GRAD_ATOL, GRAD_RTOL } from '../../cells/compare';
import { TaskStatus } from '../../cells/TaskStatus';
import { convGradCheck, tryWindow } from './conv-lab';

export function ConvGradCell() {
  const size = useConvLab((s) => s.size);
  const channels = useConvLab((s) => s.channels);
  const kernel = useConvLab((s) => s.kernel);
  const stride = useConvLab((s) => s.stride);
  const pad = useConvLab((s) => s.pad);
  const seed = useConvLab((s) => s.seed);
  const broken = useConvLab((s) => s.broken);
  const set = useConvLab((s) => s.set);
  const geom = tryWindow('conv2d', [2, size, size, channels], kernel, stride, pad);
  const fits = 'win' in geom;
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${size}|${channels}|${kernel}|${stride}|${pad}|${seed}|${broken}|${fits}`, (backend) =>
    fits ? convGradCheck(backend, referenceBackend(), { size, channels, kernel, stride, pad, seed, broken }) : Promise.resolve(null), near);
  const r = task.result;
  const tol = `|a − n| ≤ ${fmtError(GRAD_ATOL)} + ${fmtError(GRAD_RTOL)}·|n|`;
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <fieldset className="lab-wrong">
          <legend>What goes wrong</legend>
          <label className="checkbox">
            <input type="checkbox" checked={broken} onChange={(e) => set('broken', e.currentTarget.checked)} />
            Activation inside the convolution loop, padded input cached as Z
          </label>
        </fieldset>
      </div>
      <p className="small muted">
        <M>{tex`L = \sum R \odot \operatorname{ReLU}(\operatorname{conv}(X, W) + b)`}</M> for a fixed random <M p=",">{'R'}</M> two{' '}
        {size} × {size} × {channels} images, 2 filters; geometry from cell 4.2. Numerical: central differences with <M>{`h = 10^{-5}`}</M> in
        float64.
      </p>
      {!fits ? (
        <p className="notice warn" role="status">
          {'error' in geom ? geom.error : ''}
        </p>
      ) : (
        <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Checking the convolution's gradients">
          {r ? (
            <>
              <GradCheckSummary
                config={`${r.broken ? 'broken' : 'correct'}|${r.geometry}`}
                pass={r.pass}
                worst={r.worstRelErr}
                detail={r.pass ? `dW, db and dX agree (${tol})` : `${r.rows.filter((x) => !x.cmp.pass).map((x) => x.name).join(', ')} disagree (${tol})`}
              />
              <GradCheckTable result={r} caption={`Analytic (${r.device}${r.broken ? ', broken backward' : ''}) against numerical (float64) gradients of the Conv2D layer`} />
              {r.broken ? (
                <p className="notice error">
                  The forward pass is still right — the ReLU is applied, just inside the loop — but it never stores the pre-activation{' '}
                  <M p=".">{'Z'}</M> What the cache calls “Z” is the padded input, so the backward's <M>{tex`\mathbb 1[Z > 0]`}</M> reads
                  pixels of <M>{tex`X^{\text{pad}}`}</M> (the corner of each window) instead. The mask is wrong at most positions, and
                  every gradient computed from it — <M p=",">{tex`\mathrm dW`}</M> <M p=",">{tex`\mathrm db`}</M> <M>{tex`\mathrm dX`}</M> — is wrong
                  with it. The network would still train, slowly and badly, which is why a gradient check is worth running.
                </p>
              ) : null}
              <KinkWarning minAbsZ={r.minAbsZ} which="A pre-activation" retry="Try “New numbers”." />
            </>
          ) : null}
        </TaskStatus>
      )}
    </div>
  );
}
