// The "runs on" tag of a cell whose numbers come from the page's backend.

import { useDevice } from '../../store/device';

/** where a cell's numbers come from, for its "runs on" tag */
export function useRunsOn(): string {
  const kind = useDevice((s) => s.kind);
  const status = useDevice((s) => s.status);
  if (status !== 'ready') return 'page backend';
  return kind === 'webgpu' ? 'WebGPU kernels · float64 check' : 'CPU reference (float64)';
}
