// The step-through widget (src/ui/StepThrough) with the WGSL of each kernel that ran,
// from the engine's shader registry: what the chapters place in their cells.

import { StepThrough as StepThroughView, type StepThroughProps } from '../../ui/StepThrough';
import { StepThroughKernel } from './StepThroughKernel';

const kernelView = (shader: string, entry: string) => <StepThroughKernel shader={shader} entry={entry} />;

export function StepThrough(props: Omit<StepThroughProps, 'kernelView'>) {
  return <StepThroughView {...props} kernelView={kernelView} />;
}
