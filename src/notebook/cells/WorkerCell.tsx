// A cell whose numbers come from a training worker: its badge says which backend that
// worker's session runs on (the CPU reference or the WebGPU kernels).

import { Cell, type CellProps } from '../../ui/Cell';
import type { TrainingStore } from '../../store/training';

export function workerRunsOn(kind: 'webgpu' | 'cpu' | undefined): string {
  return kind === 'cpu' ? 'CPU reference · Web Worker' : 'WebGPU kernels · Web Worker';
}

export function WorkerCell({ training, ...cell }: Omit<CellProps, 'runsOn'> & { training: TrainingStore }) {
  const kind = training((s) => s.backend?.kind);
  return <Cell {...cell} runsOn={workerRunsOn(kind)} />;
}
