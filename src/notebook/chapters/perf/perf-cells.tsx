// The Performance page's two cells: the measurement (settings, progress, throughput and
// the counters of a step) and the per-kernel GPU times of one profiled step. On the CPU
// reference there is no GPU: the cells say what is timed instead (the reference's own
// JavaScript, step by step) and leave out the GPU's counters and kernel table.

import { softwareAdapterName, useDevice } from '../../../store/device';
import { NumberInput, Progress, Select } from '../../../ui/controls';
import { fmtCount, fmtDuration, fmtMs, fmtRate } from '../../../ui/format';
import { BATCH_LIMITS, kernelRows, PERF_MODELS, STEP_LIMITS, type PerfModel, type PerfResult } from './measure';
import { usePerf, usePerfSettings } from './settings';

const CONV_BACKWARD_KERNELS: Record<string, string> = {
  blocked: 'blocked (conv_backward.wgsl)',
  'per-weight': 'per weight (conv2d.wgsl : conv2d_backward)',
};

/** what the page says when the notebook's device is the CPU reference: no GPU, so no submissions */
export const CPU_MODE_WORDS =
  'This page runs on the float64 CPU reference: a training step sends nothing to a GPU (no dispatches, no command buffers, no submissions, no readbacks), so what is measured is the time the reference takes for each step in JavaScript on this page, and examples per second from it.';

/** the CPU mode's note, above the controls (the notebook's device decides it before any measurement) */
export function CpuModeNote() {
  const kind = useDevice((s) => s.kind);
  if (kind !== 'cpu') return null;
  return (
    <p className="notice" role="status" data-testid="perf-cpu-mode">
      {CPU_MODE_WORDS}
    </p>
  );
}

function PhaseProgress() {
  const progress = usePerf((s) => s.progress);
  const model = usePerfSettings((s) => s.model);
  const cpu = useDevice((s) => s.kind === 'cpu');
  if (!progress) return <Progress label="Preparing" detail="requesting the device" />;
  if (progress.phase === 'warmup') {
    return <Progress label="Warm-up step" detail={cpu ? `building ${PERF_MODELS[model].name} (nothing to compile on the CPU reference)` : `building ${PERF_MODELS[model].name} and compiling its kernels`} />;
  }
  if (progress.phase === 'steps') {
    return <Progress label="Timed steps" value={progress.done} max={progress.total} detail={`${progress.done} / ${progress.total} steps`} />;
  }
  return <Progress label="Profiling one step" detail="each kernel timed on its own" />;
}

function SoftwareNote({ r }: { r: PerfResult }) {
  if (r.backendKind === 'cpu') {
    return (
      <p className="notice warn" role="status">
        This ran on the float64 CPU reference (no WebGPU here): the times are of the reference's JavaScript, one step after
        another on this page; nothing was submitted to a GPU, so the GPU's counters are left out.
      </p>
    );
  }
  if (!r.isFallback) return null;
  const name = softwareAdapterName(r.deviceName) ?? 'a software adapter';
  return (
    <p className="notice warn" role="status">
      The adapter is {name}, a software fallback: WebGPU runs on the CPU, each workgroup on one CPU thread. The times below say
      which kernels dominate <em>here</em>; on a hardware GPU the same step takes a small fraction of this time and the balance
      between kernels shifts. The notebook picks its matrix-product kernel for this kind of adapter ({r.matmulKernel}: see the
      note under the table).
    </p>
  );
}

export function MeasureCellBody() {
  const model = usePerfSettings((s) => s.model);
  const batch = usePerfSettings((s) => s.batch);
  const steps = usePerfSettings((s) => s.steps);
  const status = usePerf((s) => s.status);
  const result = usePerf((s) => s.result);
  const error = usePerf((s) => s.error);
  const set = usePerfSettings((s) => s.set);
  const run = usePerf((s) => s.run);
  const stop = usePerf((s) => s.stop);
  const running = status === 'running';
  return (
    <>
      <CpuModeNote />
      <div className="controls-row">
        <Select<PerfModel>
          label="Model"
          value={model}
          options={(Object.keys(PERF_MODELS) as PerfModel[]).map((m) => ({ value: m, label: PERF_MODELS[m].name }))}
          onChange={(v) => set('model', v)}
          disabled={running}
        />
        <NumberInput label="Batch size" value={batch} min={BATCH_LIMITS.min} max={BATCH_LIMITS.max} step={1} onChange={(v) => set('batch', Math.round(v))} disabled={running} />
        <NumberInput label="Timed steps" value={steps} min={STEP_LIMITS.min} max={STEP_LIMITS.max} step={1} onChange={(v) => set('steps', Math.round(v))} disabled={running} />
        <div className="button-row">
          <button type="button" className="primary" onClick={() => void run()} disabled={running}>
            Measure
          </button>
          <button type="button" onClick={stop} disabled={!running}>
            Stop
          </button>
        </div>
      </div>
      <p className="muted small">
        {PERF_MODELS[model].describe}. Inputs are random numbers of the model's shape (the time a step takes does not depend on
        the pixel values).
      </p>
      {running ? <PhaseProgress /> : null}
      {status === 'stopped' ? <p className="muted" role="status">Stopped.</p> : null}
      {status === 'error' ? (
        <p className="notice error" role="alert">
          The measurement failed: {error}
        </p>
      ) : null}
      {result ? <Summary r={result} /> : status === 'idle' ? <p className="muted">Press “Measure” to train a few steps and time them.</p> : null}
    </>
  );
}

function Summary({ r }: { r: PerfResult }) {
  const s = r.settings;
  const epoch = PERF_MODELS[s.model].epoch;
  const cpu = r.backendKind === 'cpu';
  const all: [string, string, string, 'gpu'?][] = [
    ['device', r.backendKind === 'webgpu' ? `WebGPU · ${r.deviceName}` : r.deviceName, cpu ? 'JavaScript loops in float64, on this page' : r.isFallback ? 'software / fallback' : 'hardware'],
    ['matrix-product kernel', r.matmulKernel ?? '— (CPU reference)', 'backend.profile.matmulKernel', 'gpu'],
    [
      'convolution backward kernel',
      r.convBackwardKernel ? (CONV_BACKWARD_KERNELS[r.convBackwardKernel] ?? r.convBackwardKernel) : '— (CPU reference)',
      s.model === 'lenet' ? "backend.profile.convBackwardKernel: the kernel LeNet's two conv layers ran" : 'backend.profile.convBackwardKernel (this model has no convolution)',
      'gpu',
    ],
    ['examples per second', fmtRate(r.examplesPerSecond), `batch ${s.batch} ÷ median step time`],
    ['projected epoch', fmtDuration(r.epochSeconds), `${epoch.dataset}, ${epoch.examples.toLocaleString('en-US')} examples, ÷ examples per second`],
    [
      'time per step (median)',
      fmtMs(r.medianMs),
      `${r.stepMs.length} timed steps: ${r.stepMs.map(fmtMs).join(', ')}${cpu ? ' (the CPU reference computing forward, loss, backward and update)' : ''}`,
    ],
    ['dispatches per step', fmtCount(r.perStep.dispatches), 'kernels recorded for forward, loss, backward and update', 'gpu'],
    ['submissions per step', fmtCount(r.perStep.submissions), 'command buffers sent to the GPU', 'gpu'],
    ['readbacks per step', fmtCount(r.perStep.readbacks), 'copies back to JavaScript (the loss is read once, after the last step)', 'gpu'],
    ['warm-up step', fmtMs(r.warmupMs), cpu ? 'the first step, which also creates the parameters (nothing to compile)' : 'the first step compiles every kernel it uses'],
    ['loss after the last step', Number.isFinite(r.loss) ? r.loss.toFixed(4) : `not finite (${String(r.loss)})`, 'cross-entropy on the synthetic batch'],
  ];
  // the GPU's counters and kernel choices mean nothing on the CPU reference
  const rows = cpu ? all.filter((row) => row[3] !== 'gpu') : all;
  return (
    <>
      <SoftwareNote r={r} />
      <p className="perf-headline" role="status" data-testid="perf-headline">
        {cpu ? 'On the CPU reference' : 'On this device'} {PERF_MODELS[s.model].name} trains on <strong>{fmtRate(r.examplesPerSecond)} examples per second</strong>{' '}
        (batch {s.batch}): one epoch over {epoch.dataset} ({epoch.examples.toLocaleString('en-US')} examples) would take about{' '}
        <strong>{fmtDuration(r.epochSeconds)}</strong>.
      </p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Throughput and counters table">
        <table className="perf-summary" data-testid="perf-summary">
          <caption>
            {PERF_MODELS[s.model].name}, batch {s.batch}: one training step, measured
          </caption>
          <thead>
            <tr>
              <th scope="col">measure</th>
              <th scope="col" className="num">
                value
              </th>
              <th scope="col">what it is</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([k, v, note]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="num mono" data-measure={k}>
                  {v}
                </td>
                <td className="small muted">{note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function KernelsCellBody() {
  const result = usePerf((s) => s.result);
  const status = usePerf((s) => s.status);
  if (!result) {
    return <p className="muted">{status === 'running' ? 'Measuring…' : 'The table appears after a measurement (cell above).'}</p>;
  }
  if (result.backendKind === 'cpu') {
    return (
      <p className="muted" role="status">
        No GPU ran this step, so there are no kernels to time: the CPU reference computes each layer in JavaScript loops, and the
        cell above timed whole steps.
      </p>
    );
  }
  const p = result.profile;
  const rows = kernelRows(p);
  const maxShare = rows.reduce((m, r) => Math.max(m, r.share), 0);
  // Σ per kernel file: which family of kernels the step spends its time in
  const byFile = new Map<string, number>();
  for (const r of rows) byFile.set(r.kernel, (byFile.get(r.kernel) ?? 0) + r.ms);
  const files = [...byFile.entries()].sort((a, b) => b[1] - a[1]);
  return (
    <>
      <p className="small">
        <span className="muted">How these were timed: </span>
        {p.note}.
      </p>
      {rows.length === 0 ? (
        <p className="muted" role="status">
          No kernels to time on this backend.
        </p>
      ) : (
        <>
          <p>
            {rows.length} dispatches, {fmtMs(p.totalMs)} of kernel time in all (the profiled step took {fmtMs(p.wallMs)} from
            recording to completion). By kernel file:{' '}
            {files.map(([f, ms], i) => (
              <span key={f}>
                {i > 0 ? ', ' : ''}
                <code>{f}.wgsl</code> {((ms / p.totalMs) * 100).toFixed(0)}%
              </span>
            ))}
            .
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Per-kernel GPU time table">
            <table className="perf-kernels" data-testid="perf-kernels">
              <caption>GPU time per dispatch of one profiled step, slowest first</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">dispatch</th>
                  <th scope="col">kernel (file : entry point)</th>
                  <th scope="col" className="num">
                    time
                  </th>
                  <th scope="col">share of the step</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={`${i}-${r.label}`}>
                    <td className="num">{i + 1}</td>
                    <th scope="row" className="perf-label">
                      {r.label}
                    </th>
                    <td className="mono small">
                      {r.kernel}.wgsl : {r.entry}
                    </td>
                    <td className="num mono nowrap">{fmtMs(r.ms)}</td>
                    <td className="perf-share">
                      <div className="perf-share-row">
                        <span className="perf-bar" aria-hidden="true">
                          <span style={{ width: `${maxShare > 0 ? (r.share / maxShare) * 100 : 0}%` }} />
                        </span>
                        <span className="mono">{(r.share * 100).toFixed(1)}%</span>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
