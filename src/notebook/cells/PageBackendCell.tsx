// A cell whose numbers come from the page's own backend (not a training worker's): its
// badge says which — the WebGPU kernels with their float64 check, or the CPU reference.

import { useDevice } from '../../store/device';
import { Cell, type CellProps } from '../../ui/Cell';

/** where the page's numbers come from, for a cell's "runs on" tag */
function pageRunsOn(status: string, kind: string | null): string {
  if (status !== 'ready') return 'page backend';
  return kind === 'webgpu' ? 'WebGPU kernels · float64 check' : 'CPU reference (float64)';
}

export function PageBackendCell(cell: Omit<CellProps, 'runsOn'>) {
  const kind = useDevice((s) => s.kind);
  const status = useDevice((s) => s.status);
  return <Cell {...cell} runsOn={pageRunsOn(status, kind)} />;
}
