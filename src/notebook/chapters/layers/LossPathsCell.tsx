// Cell: the loss gradient two ways on a batch whose row 0 is confidently wrong by a
// chosen logit gap — fused dZ = (Ŷ − Y)/m against the unfused −Y/(mŶ) pushed through
// the softmax backward — on the page's backend, against the float64 fused reference.

import { useLayersLab, MAX_GAP, setLayers } from './settings';
import { M, tex } from '../../../ui/Math';
import { TensorHeatmap } from '../../../ui/TensorHeatmap';
import { Slider } from '../../../ui/controls';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import type { Comparison } from '../../../engine/check';
import { fmtError, fmtValue } from '../../../ui/format';
import { LOSS_ATOL, LOSS_RTOL, lossPaths } from './lab';
import { TaskStatus } from '../../cells/TaskStatus';

function Verdict({ cmp }: { cmp: Comparison }) {
  return <td className="gc-verdict">{cmp.pass ? 'agrees' : cmp.nonFinite ? `${cmp.nonFinite} of ${cmp.n} not finite` : `${cmp.bad} of ${cmp.n} off`}</td>;
}

/** row 0 of dZ; a not-a-number entry is written as the 0·∞ that made it */
const row0 = (v: Float64Array) => Array.from(v.subarray(0, 3), (x) => (Number.isNaN(x) ? '0·∞' : fmtValue(x, 4))).join(', ');

export function LossPathsCell() {
  const gap = useLayersLab((s) => s.gap);
  const seed = useLayersLab((s) => s.seed);
  const setGap = (v: number) => setLayers('gap', v);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${gap}|${seed}`, (backend) => lossPaths(backend, referenceBackend(), gap, seed), near);
  const r = task.result;
  const device = task.backend?.kind === 'webgpu' ? 'GPU (float32)' : 'CPU reference (float64)';
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <Slider
          label="Logit gap"
          hint={<M>{tex`z_{\text{wrong}} - z_{\text{true}}`}</M>}
          value={gap}
          min={0}
          max={MAX_GAP}
          step={1}
          onChange={setGap}
          format={(v) => v.toFixed(0)}
        />
        <div className="button-row" role="group" aria-label="Logit gap presets">
          {[2, 20, 80, 100, 200, 800].map((g) => (
            <button key={g} type="button" aria-pressed={g === gap} onClick={() => setGap(g)}>
              {g}
            </button>
          ))}
        </div>
      </div>
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Running both loss paths">
        {r ? (
          <>
            <p className="small">
              Row 0 of the logits puts {fmtValue(r.z[0]!)} on class 0 while its label is class {r.trueClass}: the probability of its true
              class is <M>{tex`e^{-${Math.round(gap)}}`}</M> ≈ {fmtValue(r.ref.pTrue)} in float64, and{' '}
              <output className="mono" aria-label="True-class probability on the backend">
                {fmtValue(r.unfused.pTrue)}
              </output>{' '}
              on the {device}
              {r.unfused.pTrue === 0 ? ' — it has underflowed to 0' : ''}.
            </p>
            <div className="table-wrap">
              <table data-testid="loss-paths-table">
                <caption>
                  dZ two ways on the {device}, against the fused path in float64 (|x − ref| ≤ {fmtError(LOSS_ATOL)} + {fmtError(LOSS_RTOL)}·|ref|)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Path</th>
                    <th scope="col" className="num">
                      Loss
                    </th>
                    <th scope="col">dZ of row 0</th>
                    <th scope="col" className="num">
                      max |dZ − ref|
                    </th>
                    <th scope="col">Against float64</th>
                  </tr>
                </thead>
                <tbody>
                  <tr className={r.fused.cmp.pass ? 'gc-pass' : 'gc-fail'}>
                    <th scope="row">
                      fused <M>{tex`(\hat Y - Y)/m`}</M>
                    </th>
                    <td className="num mono">{fmtValue(r.fused.loss, 6)}</td>
                    <td className="mono small">{row0(r.fused.dz)}</td>
                    <td className="num mono">{fmtError(r.fused.cmp.maxAbs)}</td>
                    <Verdict cmp={r.fused.cmp} />
                  </tr>
                  <tr className={r.unfused.cmp.pass ? 'gc-pass' : 'gc-fail'} data-testid="loss-paths-unfused">
                    <th scope="row">
                      unfused <M>{tex`-Y/(m\hat Y)`}</M>, then softmax backward
                    </th>
                    <td className="num mono">{fmtValue(r.unfused.loss, 6)}</td>
                    <td className="mono small">{row0(r.unfused.dz)}</td>
                    <td className="num mono">{fmtError(r.unfused.cmp.maxAbs)}</td>
                    <Verdict cmp={r.unfused.cmp} />
                  </tr>
                  <tr className={r.unfused64.cmp.pass ? 'gc-pass' : 'gc-fail'}>
                    <th scope="row">unfused, in float64</th>
                    <td className="num mono">—</td>
                    <td className="mono small">{row0(r.unfused64.dz)}</td>
                    <td className="num mono">{fmtError(r.unfused64.cmp.maxAbs)}</td>
                    <Verdict cmp={r.unfused64.cmp} />
                  </tr>
                </tbody>
              </table>
            </div>
            <div className="heatmap-row">
              <TensorHeatmap name="Z" data={r.z} shape={r.shape} caption="logits" />
              <TensorHeatmap name="Y" data={r.y} shape={r.shape} scale="sequential" range={[0, 1]} caption="labels" />
              <TensorHeatmap name="dZ fused" data={r.fused.dz} shape={r.shape} caption={device} />
              {r.unfused.cmp.nonFinite === 0 ? (
                <TensorHeatmap name="dZ unfused" data={r.unfused.dz} shape={r.shape} caption={device} />
              ) : (
                <figure className="heatmap st-too-big">
                  <figcaption className="heatmap-title">
                    <span className="shape-label">dZ unfused (4, 3)</span>
                  </figcaption>
                  <p className="small">
                    {r.unfused.cmp.nonFinite} of 12 entries are not finite: nothing to draw.
                  </p>
                </figure>
              )}
            </div>
            <p className="small muted">
              {r.unfused.cmp.pass
                ? 'At this gap both paths give the same gradient: the cancellation in the derivation is exact as long as ŷ is representable.'
                : r.unfused.cmp.nonFinite
                  ? 'ŷ of the true class is 0, so −Y/(mŶ) is −∞, and the softmax backward multiplies it by 0: the result is not a number, and it spreads through every layer below. The fused path is untouched.'
                  : r.unfused.loss === Infinity
                    ? 'ŷ of the true class is below the smallest normal number (0 or a subnormal that keeps only a few digits): ln ŷ is −∞, so the loss is ∞, and −Y/(mŶ) would be −∞, which the softmax backward turns into 0·∞, not a number, spreading through every layer below. The kernel clamps ŷ at the smallest normal number instead: the gradient stays finite but is wrong (about 0 where the fused path gives −1/m), and a training run stops at that loss, naming the cause. The fused path is untouched.'
                    : 'ŷ of the true class is so small that float32 keeps only a few of its digits (a subnormal number), and −Y/(mŶ) inherits that error: the unfused gradient is off while the fused one is exact.'}
            </p>
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
