// Cell: one training step of the 4 → 5 → 3 network on 6 examples, traced op by op on the
// page's backend and shown in the step-through.

import { useLayersLab, type HiddenActivation, type LossPath, setLayers } from './settings';
import { M, tex } from '../../../ui/Math';
import { StepThrough } from '../../cells/StepThrough';
import { traceTrainingStep } from '../../cells/step-through-run';
import { NumberInput, Select } from '../../../ui/controls';
import { useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtValue } from '../../../ui/format';
import { smallBatch, smallNetwork, SMALL } from './lab';
import { TaskStatus } from '../../cells/TaskStatus';

const ACTIVATIONS: { value: HiddenActivation; label: string }[] = [
  { value: 'relu', label: 'ReLU' },
  { value: 'sigmoid', label: 'sigmoid' },
  { value: 'tanh', label: 'tanh' },
];
const LOSSES: { value: LossPath; label: string }[] = [
  { value: 'fused', label: 'softmax–cross-entropy, fused' },
  { value: 'unfused', label: 'softmax, then cross-entropy' },
];

export function SmallStepThroughCell() {
  const seed = useLayersLab((s) => s.seed);
  const activation = useLayersLab((s) => s.activation);
  const lossPath = useLayersLab((s) => s.lossPath);
  const lean = useLayersLab((s) => s.lean);
  const setSeed = (v: number) => setLayers('seed', v);
  const setActivation = (v: HiddenActivation) => setLayers('activation', v);
  const setLossPath = (v: LossPath) => setLayers('lossPath', v);
  const setLean = (v: boolean) => setLayers('lean', v);

  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${seed}|${activation}|${lossPath}|${lean}`, (backend) => {
    const b = smallBatch(seed);
    return traceTrainingStep(backend, smallNetwork(seed, activation, lossPath), { data: b.x, shape: b.xShape }, { data: b.y, shape: b.yShape }, { lean });
  }, near);
  const trace = task.result;

  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <NumberInput label="Seed" value={seed} min={0} max={2 ** 31 - 1} step={1} onChange={(v) => setSeed(Math.round(v))} />
        <button type="button" onClick={() => setSeed(seed + 1)}>
          New batch and weights
        </button>
        <Select label="Hidden activation" value={activation} options={ACTIVATIONS} onChange={setActivation} />
        <Select label="Loss" value={lossPath} options={LOSSES} onChange={setLossPath} />
        <label className="checkbox">
          <input type="checkbox" checked={lean} onChange={(e) => setLean(e.currentTarget.checked)} />
          Fused kernels (the lean step training runs)
        </label>
      </div>
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!trace} what="Tracing one training step">
        {trace ? (
          <>
            <p className="lab-facts small">
              <M>{tex`X`}</M> is {SMALL.m} examples × {SMALL.nIn} features, labels one-hot over {SMALL.classes} classes; SGD with{' '}
              <M>{tex`\eta = 0.1`}</M>. Loss of this batch{' '}
              <output className="mono" aria-label="Loss of the traced step">
                {trace.loss === null ? 'not finite' : fmtValue(trace.loss, 5)}
              </output>
              , {trace.ops.length} operations on <strong>{trace.backend === 'webgpu' ? `WebGPU (${trace.deviceName})` : 'the CPU reference'}</strong>
              {trace.lean ? ' with the fused kernels' : ', every op as the course writes it'}.
            </p>
            <StepThrough trace={trace} label={`Step-through of one training step of the ${SMALL.nIn} → ${SMALL.hidden} → ${SMALL.classes} network`} />
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
