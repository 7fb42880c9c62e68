// Cell: ReLU, sigmoid and tanh and their derivatives, side by side, evaluated by the
// activation kernels on the page's backend (forward, then the backward with dY = 1) and
// checked against the float64 reference.

import { useId } from 'react';
import { fmtError, fmtFixed } from '../../../ui/format';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { TaskStatus } from '../../cells/TaskStatus';
import { CHECK_ATOL, CHECK_RTOL } from '../../../engine/kernel-check';
import { activationCurves, type ActivationCurve } from './dense';

const NAMES: Record<ActivationCurve['activation'], string> = { relu: 'ReLU', sigmoid: 'sigmoid', tanh: 'tanh' };
const W = 240;
const H = 170;
const PAD = { l: 30, r: 8, t: 10, b: 24 };
const Y_RANGE: Record<ActivationCurve['activation'], [number, number]> = { relu: [-0.5, 4], sigmoid: [-0.1, 1.1], tanh: [-1.1, 1.1] };

function Plot({ c }: { c: ActivationCurve }) {
  const titleId = useId();
  const [lo, hi] = Y_RANGE[c.activation];
  const z0 = c.z[0]!;
  const z1 = c.z[c.z.length - 1]!;
  const sx = (z: number) => PAD.l + ((z - z0) / (z1 - z0)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => PAD.t + ((hi - y) / (hi - lo)) * (H - PAD.t - PAD.b);
  const path = (ys: Float64Array) => Array.from(ys, (y, i) => `${i ? 'L' : 'M'}${sx(c.z[i]!).toFixed(1)},${sy(y).toFixed(1)}`).join('');
  const yTicks = c.activation === 'relu' ? [0, 2, 4] : c.activation === 'sigmoid' ? [0, 0.5, 1] : [-1, 0, 1];
  return (
    <figure className="act-plot" data-testid={`act-${c.activation}`}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>
          {NAMES[c.activation]} and its derivative for z from {fmtFixed(z0, 0)} to {fmtFixed(z1, 0)}
        </title>
        {yTicks.map((t) => (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={sy(t)} y2={sy(t)} className={t === 0 ? 'act-axis' : 'act-grid'} />
            <text x={PAD.l - 4} y={sy(t) + 3} textAnchor="end" className="act-tick">
              {t}
            </text>
          </g>
        ))}
        {[-4, -2, 0, 2, 4].map((t) => (
          <text key={t} x={sx(t)} y={H - 8} textAnchor="middle" className="act-tick">
            {t}
          </text>
        ))}
        <line x1={sx(0)} x2={sx(0)} y1={PAD.t} y2={H - PAD.b} className="act-axis" />
        <path d={path(c.y)} className="act-y" />
        <path d={path(c.dy)} className="act-dy" />
      </svg>
      <figcaption>
        <strong>{NAMES[c.activation]}</strong> <span className="act-key act-key-y">σ(z)</span> <span className="act-key act-key-dy">σ′(z)</span>
        <span className={c.cmp.pass ? 'act-ok' : 'act-bad'}>
          {c.cmp.pass ? ` agrees with float64 (max ${fmtError(c.cmp.maxAbs)})` : ` ${c.cmp.bad} of ${c.cmp.n} values off float64`}
        </span>
      </figcaption>
    </figure>
  );
}

export function ActivationCurvesCell() {
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask('curves', (backend) => activationCurves(backend, referenceBackend()), near);
  const r = task.result;
  const kernels = r ? [...new Set(r.flatMap((c) => c.kernels.map((k) => `${k.entry} (shaders/${k.shader}.wgsl)`)))] : [];
  return (
    <div ref={nearRef} className="lab-cell">
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Evaluating the activation kernels">
        {r ? (
          <>
            <div className="act-plots">
              {r.map((c) => (
                <Plot key={c.activation} c={c} />
              ))}
            </div>
            <p className="small" data-testid="act-verdict">
              {r[0]!.z.length} values of z per curve; the derivative comes from the backward kernel with dY = 1, which computes σ′ from the
              stored output y exactly as a layer's backward does. Allowed difference from float64: {fmtError(CHECK_ATOL)} +{' '}
              {fmtError(CHECK_RTOL)}·|ref|.{' '}
              {kernels.length ? (
                <>
                  Kernels: {kernels.map((k, i) => (
                    <code key={k}>{(i ? ', ' : '') + k}</code>
                  ))}
                  .
                </>
              ) : (
                'Computed by the CPU reference (no WGSL kernel dispatched).'
              )}
            </p>
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
