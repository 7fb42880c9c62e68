// Cell: the softmax backward as one Jacobian-vector-product kernel, and (the "what goes
// wrong" toggle) as a per-sample loop that builds every k × k Jacobian — same numbers,
// timed side by side on the page's backend, both checked against float64.

import type { ReactNode } from 'react';
import { useLayersLab, MAX_ROWS, setLayers } from './settings';
import { M, tex } from '../../../ui/Math';
import { NumberInput } from '../../../ui/controls';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtError } from '../../../ui/format';
import { JVP_CLASSES, JVP_REPS, LOSS_ATOL, LOSS_RTOL, softmaxBackwardTwoWays, type JvpRun } from './lab';
import { TaskStatus } from '../../cells/TaskStatus';

function RunRow({ name, run, testId }: { name: ReactNode; run: JvpRun; testId: string }) {
  return (
    <tr className={run.cmp.pass ? 'gc-pass' : 'gc-fail'} data-testid={testId}>
      <th scope="row">{name}</th>
      <td className="num mono">{run.dispatches.toLocaleString('en-US')}</td>
      <td className="num mono">{run.readbacks.toLocaleString('en-US')}</td>
      <td className="num mono" data-testid={`${testId}-ms`}>
        {run.ms < 10 ? run.ms.toFixed(2) : run.ms.toFixed(0)}
      </td>
      <td className="num mono">{fmtError(run.cmp.maxAbs)}</td>
      <td className="gc-verdict">{run.cmp.pass ? 'agrees' : `${run.cmp.bad} of ${run.cmp.n} off`}</td>
    </tr>
  );
}

/** "12× the time", or, when timing noise hides the cost, says so instead of a ratio below 1 */
function timeRatio(loopMs: number, vectorizedMs: number): string {
  const ratio = loopMs / Math.max(vectorizedMs, 1e-3);
  return ratio >= 1.5 ? `${ratio.toFixed(0)}× the time` : 'about the same time on this run (the timings are noisy at this size)';
}

export function SoftmaxJvpCell() {
  const rows = useLayersLab((s) => s.rows);
  const loop = useLayersLab((s) => s.loop);
  const seed = useLayersLab((s) => s.seed);
  const setRows = (v: number) => setLayers('rows', v);
  const setLoop = (v: boolean) => setLayers('loop', v);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${rows}|${loop}|${seed}`, (backend) => softmaxBackwardTwoWays(backend, referenceBackend(), rows, loop, seed), near);
  const r = task.result;
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <NumberInput label="Rows" value={rows} min={1} max={MAX_ROWS} step={1} onChange={(v) => setRows(Math.round(v))} hint={`(m, ${JVP_CLASSES})`} />
        <fieldset className="lab-wrong">
          <legend>What goes wrong</legend>
          <label className="checkbox">
            <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.currentTarget.checked)} />
            Also run the per-sample Jacobian loop
          </label>
        </fieldset>
      </div>
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Timing the softmax backward">
        {r ? (
          <>
            <div className="table-wrap">
              <table data-testid="jvp-table">
                <caption>
                  dZ for σ and dY of shape ({r.rows}, {r.classes}) on {task.backend?.kind === 'webgpu' ? 'the GPU' : 'the CPU reference'}; time is
                  the median of {JVP_REPS.vectorized} runs ({JVP_REPS.loop} for the loop) after one warm-up; checked against float64 (|x − ref| ≤{' '}
                  {fmtError(LOSS_ATOL)} + {fmtError(LOSS_RTOL)}·|ref|)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Method</th>
                    <th scope="col" className="num">
                      Kernel dispatches
                    </th>
                    <th scope="col" className="num">
                      Readbacks
                    </th>
                    <th scope="col" className="num">
                      Time (ms)
                    </th>
                    <th scope="col" className="num">
                      max |dZ − ref|
                    </th>
                    <th scope="col">Against float64</th>
                  </tr>
                </thead>
                <tbody>
                  <RunRow
                    name={
                      <>
                        vectorized JVP <M>{tex`\sigma \odot (\mathrm{d}Y - (\mathrm{d}Y \odot \sigma)\mathbf 1\mathbf 1^\top)`}</M>
                      </>
                    }
                    run={r.vectorized}
                    testId="jvp-vectorized"
                  />
                  {r.loop ? (
                    <RunRow
                      name={
                        <>
                          per-sample loop <M>{tex`\mathrm{d}z_i = \mathrm{d}y_i\,(\operatorname{diag}\sigma_i - \sigma_i^\top\sigma_i)`}</M>
                        </>
                      }
                      run={r.loop}
                      testId="jvp-loop"
                    />
                  ) : null}
                </tbody>
              </table>
            </div>
            {r.loop ? (
              <p className="small" data-testid="jvp-ratio">
                {r.loop.cmp.pass && r.vectorized.cmp.pass ? 'Same gradient' : 'Not the same gradient'}, {timeRatio(r.loop.ms, r.vectorized.ms)}: the
                loop launches {r.loop.dispatches.toLocaleString('en-US')} kernels and waits for {r.loop.readbacks.toLocaleString('en-US')} readbacks
                where one kernel does. On a GPU, each launch and each wait costs far more than the arithmetic of a {r.classes}-class row
                {r.rows < 8 ? '; with this few rows the difference is small — try 256' : ''}.
              </p>
            ) : (
              <p className="small muted">
                Tick the box to run the loop a first attempt often writes: one <M>{tex`k\times k`}</M> Jacobian per example.
              </p>
            )}
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
