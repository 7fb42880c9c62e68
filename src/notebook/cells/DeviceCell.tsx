// The device cell: which backend the notebook got, and one kernel run on it compared
// with the float64 CPU reference (the matrices are drawn, the differences reported).

import { useDevice } from '../../store/device';
import { Cell } from '../../ui/Cell';
import { KernelSource } from './KernelSource';
import { TensorHeatmap } from '../../ui/TensorHeatmap';
import { Progress } from '../../ui/controls';
import { CHECK_ATOL, CHECK_RTOL, type CheckCase } from '../../engine/kernel-check';

function DeviceFacts() {
  const status = useDevice((s) => s.status);
  const kind = useDevice((s) => s.kind);
  const name = useDevice((s) => s.deviceName);
  const isFallback = useDevice((s) => s.isFallback);
  const reason = useDevice((s) => s.fallbackReason);
  const error = useDevice((s) => s.error);
  const ms = useDevice((s) => s.requestMs);
  if (status === 'idle' || status === 'requesting') return <Progress label="Requesting a WebGPU adapter and device" />;
  if (status === 'failed') {
    return (
      <p className="notice error" role="alert">
        No backend could be created: {error}
      </p>
    );
  }
  return (
    <dl className="facts">
      <dt>Backend</dt>
      <dd data-testid="backend-kind">{kind === 'webgpu' ? 'WebGPU (WGSL compute shaders)' : 'CPU reference (float64 JavaScript)'}</dd>
      <dt>Device</dt>
      <dd data-testid="device-name">{name}</dd>
      <dt>Kind of device</dt>
      <dd>{kind === 'cpu' ? 'the CPU, in JavaScript' : isFallback ? 'a software adapter: the GPU API, emulated on the CPU' : 'a hardware GPU'}</dd>
      {reason ? (
        <>
          <dt>Why the CPU</dt>
          <dd>{reason}</dd>
        </>
      ) : null}
      {ms !== null ? (
        <>
          <dt>Request took</dt>
          <dd>{ms.toFixed(0)} ms</dd>
        </>
      ) : null}
    </dl>
  );
}

const f = (v: number) => v.toFixed(3);

function CaseView({ c, draw }: { c: CheckCase; draw: boolean }) {
  const shape = `(${c.m}, ${c.k}) · (${c.k}, ${c.n})`;
  return (
    <div className="check-case">
      <p className={`check-verdict ${c.pass ? 'pass' : 'fail'}`} data-testid={`check-${c.id}`}>
        <strong>{c.pass ? 'PASS' : 'FAIL'}</strong> · <span className="mono">C = {c.expr}</span>, {shape} → ({c.m}, {c.n}) · max |GPU − CPU| ={' '}
        <span className="mono">{c.maxAbsErr.toExponential(2)}</span> · {c.ms.toFixed(1)} ms
      </p>
      {c.mismatches.length ? (
        <ul className="mismatches mono small" aria-label="First mismatches">
          {c.mismatches.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {draw ? (
        <div className="heatmap-row">
          <TensorHeatmap name="A" data={c.a} shape={[c.m, c.k]} format={f} />
          <TensorHeatmap name="B" data={c.b} shape={[c.k, c.n]} format={f} />
          {c.bias ? <TensorHeatmap name="bias" data={c.bias} shape={[1, c.n]} format={f} /> : null}
          <TensorHeatmap name="C on the GPU" data={c.got} shape={[c.m, c.n]} format={f} caption="float32" />
          <TensorHeatmap name="C on the CPU" data={c.ref} shape={[c.m, c.n]} format={f} caption="float64 reference" />
        </div>
      ) : null}
    </div>
  );
}

function CheckView() {
  const status = useDevice((s) => s.checkStatus);
  const check = useDevice((s) => s.check);
  const error = useDevice((s) => s.checkError);
  const runCheck = useDevice((s) => s.runCheck);
  if (status === 'idle') return null;
  if (status === 'running') return <Progress label="Running the kernel check" />;
  if (status === 'skipped') {
    return (
      <p className="notice warn">
        Kernel check not run: the CPU reference itself is running, so there is no GPU kernel to compare with it. The chapters work
        the same, computed in float64 on the CPU.
      </p>
    );
  }
  if (status === 'error') {
    return (
      <p className="notice error" role="alert">
        The kernel check could not run: {error}
      </p>
    );
  }
  if (!check) return null;
  return (
    <>
      <p className={`check-summary ${check.pass ? 'pass' : 'fail'}`} role="status" data-testid="kernel-check">
        {check.pass ? 'Kernel check passed' : 'Kernel check FAILED'}: the matmul kernel on {check.deviceName} agrees with the float64 CPU
        reference {check.pass ? 'on every element' : 'not everywhere'} (tolerance |x − ref| ≤ {CHECK_ATOL} + {CHECK_RTOL}·|ref|).
      </p>
      {check.cases.map((c) => (
        <CaseView key={c.id} c={c} draw={c.m * c.n <= 64} />
      ))}
      <p className="muted small">
        Times are wall-clock on the page and include reading the result back, and compiling the kernel's pipeline the first time each variant of it runs.
      </p>
      <button type="button" onClick={() => void runCheck()}>
        Run the check again
      </button>
    </>
  );
}

export function DeviceCell() {
  return (
    <Cell
      id="device"
      number="0.1"
      title="Your device, and one kernel checked"
      runsOn="WebGPU kernel vs. float64 CPU"
      lead={
        <>
          On load the notebook asks the browser for a WebGPU adapter, names it, and runs one kernel: a small matrix product with a
          fused bias and ReLU, <span className="nowrap">
            <var>C</var> = ReLU(<var>AB</var> + <b>1</b>&thinsp;<var>b</var>),
          </span> and a larger plain product whose sizes do not
          fit the kernel's tiles evenly. Both are recomputed in float64 on the CPU and compared.
        </>
      }
    >
      <DeviceFacts />
      <CheckView />
      <details className="source-details">
        <summary>Show the kernel's source (shaders/matmul.wgsl)</summary>
        <KernelSource name="matmul" />
      </details>
    </Cell>
  );
}
