// Cell: a dense layer's forward on the page's backend — X (m, d), W (d, n), b (1, n) and
// Z = X·W + 1b as heatmaps — with the kernel that computed Z and the float64 reference's
// Z beside it.

import { TensorHeatmap } from '../../../ui/TensorHeatmap';
import { NumberInput } from '../../../ui/controls';
import { M, tex } from '../../../ui/Math';
import { fmtError } from '../../../ui/format';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { TaskStatus } from '../../cells/TaskStatus';
import { CHECK_ATOL, CHECK_RTOL } from '../../../engine/kernel-check';
import { denseForward, type DenseRun } from './dense';
import { MAX_DENSE, setLayers, useLayersLab } from './settings';
import type { OpKernel } from '../../../engine/backend';

function KernelList({ kernels, onGpu }: { kernels: readonly OpKernel[]; onGpu: boolean }) {
  if (!onGpu) return <p className="small muted">The CPU reference ran this product as a float64 loop; no WGSL kernel was dispatched.</p>;
  // each kernel once, with how many times it was dispatched
  const counts = new Map<string, { k: OpKernel; n: number }>();
  for (const k of kernels) {
    const key = `${k.shader}/${k.entry}`;
    counts.set(key, { k, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  return (
    <p className="small" data-testid="dense-kernels">
      {kernels.length === 1 ? 'One dispatch' : `${kernels.length} dispatches`}:{' '}
      {[...counts.values()].map(({ k, n }, i) => (
        <span key={i}>
          {i ? ', ' : ''}
          <code>{k.entry}</code> in <code>shaders/{k.shader}.wgsl</code>
          {k.lines ? ` (lines ${k.lines[0] + 1}–${k.lines[1] + 1})` : ''}
          {n > 1 ? ` × ${n}` : ''}
        </span>
      ))}
      . The bias is added in the kernel's epilogue, as each tile of <M>Z</M> is written: no second pass over <M>Z</M>.
    </p>
  );
}

function Heatmaps({ r }: { r: DenseRun }) {
  return (
    <div className="dense-grids">
      <TensorHeatmap name="X" data={r.x} shape={[r.m, r.d]} caption="the batch, one example per row" maxWidth={300} />
      <TensorHeatmap name="W" data={r.w} shape={[r.d, r.n]} caption="one column per output" maxWidth={300} />
      <TensorHeatmap name="b" data={r.b} shape={[1, r.n]} caption="one bias per output" maxWidth={300} />
      <TensorHeatmap name="Z" data={r.z} shape={[r.m, r.n]} caption="X·W + 1b, on this page's backend" maxWidth={300} />
      <TensorHeatmap name="Z (float64)" data={r.zRef} shape={[r.m, r.n]} caption="the CPU reference" maxWidth={300} />
    </div>
  );
}

export function DenseCell() {
  const m = useLayersLab((s) => s.denseM);
  const d = useLayersLab((s) => s.denseD);
  const n = useLayersLab((s) => s.denseN);
  const seed = useLayersLab((s) => s.seed);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${m}|${d}|${n}|${seed}`, (backend) => denseForward(backend, referenceBackend(), seed, m, d, n), near);
  const r = task.result;
  const size = (label: string, value: number, key: 'denseM' | 'denseD' | 'denseN', hint: string) => (
    <NumberInput label={label} value={value} min={1} max={MAX_DENSE} step={1} hint={hint} onChange={(v) => setLayers(key, Math.round(v))} />
  );
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        {size('Batch size m', m, 'denseM', 'rows of X')}
        {size('Inputs d', d, 'denseD', 'columns of X, rows of W')}
        {size('Outputs n', n, 'denseN', 'columns of W and Z')}
      </div>
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Computing Z = X·W + 1b">
        {r ? (
          <>
            <Heatmaps r={r} />
            <p className="small" data-testid="dense-verdict">
              {r.cmp.pass ? 'Z agrees with the float64 reference' : `Z differs from the float64 reference in ${r.cmp.bad} of ${r.cmp.n} entries`}: largest
              difference {fmtError(r.cmp.maxAbs)} (allowed {fmtError(CHECK_ATOL)} + {fmtError(CHECK_RTOL)}·|ref|). Each entry is{' '}
              <M>{tex`z_{ij} = \sum_k x_{ik} w_{kj} + b_j`}</M>: row <M>i</M> of <M>X</M> against column <M>j</M> of <M>W</M>, plus the
              column's bias — hover an entry to read it.
            </p>
            <KernelList kernels={r.kernels} onGpu={task.backend?.kind === 'webgpu'} />
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
