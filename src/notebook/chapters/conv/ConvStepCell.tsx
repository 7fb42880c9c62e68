// Cell: one training step of a small convolutional network, traced op by op on the page's
// backend (the course's path: im2col + matmul forward; σ', dW = colsᵀ·dZ, db backward):
//
//   X (2, n, n, C) → conv2d_0 (2 filters, the chosen kernel/stride/padding, ReLU)
//                  → pool2d_1 (max 2×2, stride 2, 'same') → flatten_2 → fc_3 (2 classes, softmax)
//
// "Use my implementation" (once the exercises of this network pass, conv and pool
// included) runs the traced step's batch and parameters through the student's layers and
// shows their tensors beside the engine's under each operation.

import { useConvLab } from './settings';
import { StepThrough } from '../../cells/StepThrough';
import { useStudentStep } from '../../cells/exercises/StudentStep';
import { NEEDS } from '../../cells/exercises/needs';
import { traceTrainingStep } from '../../cells/step-through-run';
import { useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtValue } from '../../../ui/format';
import { TaskStatus } from '../../cells/TaskStatus';
import { Rng } from '../../../engine/random';
import { convStepNet, padOf, tryWindow } from './conv-lab';

export function ConvStepCell() {
  const size = useConvLab((s) => s.size);
  const channels = useConvLab((s) => s.channels);
  const kernel = useConvLab((s) => s.kernel);
  const stride = useConvLab((s) => s.stride);
  const pad = useConvLab((s) => s.pad);
  const seed = useConvLab((s) => s.seed);
  const geom = tryWindow('conv2d', [2, size, size, channels], kernel, stride, pad);
  const fits = 'win' in geom;
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${size}|${channels}|${kernel}|${stride}|${pad}|${seed}|${fits}`, async (backend) => {
    if (!fits) return null;
    const rng = new Rng(seed * 29 + 3);
    const x = Float64Array.from({ length: 2 * size * size * channels }, () => Math.fround(Math.round(rng.normal() * 100) / 100));
    const y = Float64Array.from([1, 0, 0, 1]);
    return traceTrainingStep(backend, convStepNet(kernel, stride, padOf(pad), seed), { data: x, shape: [2, size, size, channels] }, { data: y, shape: [2, 2] }, { lean: false, maxValues: 4096 });
  }, near);
  const trace = task.result;
  const mine = useStudentStep(trace ?? null, NEEDS['mnist-subset']);
  return (
    <div ref={nearRef} className="lab-cell">
      <p className="small muted">
        Geometry from cell 4.2: {size} × {size} × {channels} input, {kernel} × {kernel} kernel, stride {stride}, padding{' '}
        {pad === 'same' || pad === 'valid' ? `'${pad}'` : pad}. Two examples, two classes, SGD with η = 0.1.
      </p>
      {!fits ? (
        <p className="notice warn" role="status">
          {'error' in geom ? geom.error : ''}
        </p>
      ) : (
        <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!trace} what="Tracing one step of the convolutional network">
          {trace ? (
            <>
              <p className="lab-facts small">
                Loss{' '}
                <output className="mono" aria-label="Loss of the traced convolutional step">
                  {trace.loss === null ? 'not finite' : fmtValue(trace.loss, 5)}
                </output>
                ; {trace.ops.length} operations on <strong>{trace.backend === 'webgpu' ? `WebGPU (${trace.deviceName})` : 'the CPU reference'}</strong>. The
                first layer needs no dX (nothing below it learns), so its backward is dW and db only; the way back to the pixels,{' '}
                <span className="mono">col2im</span>, is in cell 4.2.
              </p>
              {mine.control}
              <StepThrough trace={trace} label="Step-through of one training step of the convolutional network" marks={mine.marks} opExtra={mine.opExtra} />
            </>
          ) : null}
        </TaskStatus>
      )}
    </div>
  );
}
