// Cell 6.4: the sweep the chapter's "Sweeps" section describes — Adam's learning rate ×
// the hidden size on a Fashion-MNIST subset (sizes in sweep.ts), picked by validation
// accuracy, the picked run's test accuracy reported; table, heatmap, curves, progress,
// and a Stop that keeps the runs already finished.

import { useEffect, useState } from 'react';
import { fmt } from '../../../store/training';
import { Select } from '../../../ui/controls';
import { SweepButtons, SweepChart, SweepPick, SweepProgress, SweepResults } from '../../cells/sweep-parts';
import { useFashionSettings } from './settings';
import { runFashionSweep, SWEEP_HIDDEN, SWEEP_LRS, SWEEP_SIZES, useFashionSweep, type SweepSizeName } from './sweep';

const SIZE_OPTIONS = (Object.keys(SWEEP_SIZES) as SweepSizeName[]).map((value) => ({ value, label: SWEEP_SIZES[value].label }));

export function FashionSweepCellBody() {
  const [size, setSize] = useState<SweepSizeName>('standard');
  const status = useFashionSweep((s) => s.status);
  const device = useFashionSettings((s) => s.device);
  const seed = useFashionSettings((s) => s.seed);
  const busy = status === 'running' || status === 'starting';
  const z = SWEEP_SIZES[size];
  // leaving the chapter stops a sweep in flight
  useEffect(() => () => void useFashionSweep.getState().stop(), []);
  return (
    <>
      <p className="small" data-testid="fashion-sweep-sizes">
        Grid: Adam with learning rates {SWEEP_LRS.map((v) => fmt(v)).join(', ')} × hidden sizes {SWEEP_HIDDEN.join(', ')} ={' '}
        {SWEEP_LRS.length * SWEEP_HIDDEN.length} runs, batch 64. Each run trains on the first {z.train.toLocaleString('en-US')} training images for{' '}
        {z.epochs} {z.epochs === 1 ? 'epoch' : 'epochs'}; {z.validation.toLocaleString('en-US')} validation images (held out of the training part,
        seeded and stratified) pick the best run, and {z.test.toLocaleString('en-US')} test images report it. Seed {seed}, on the{' '}
        {device === 'cpu' ? 'CPU reference' : 'WebGPU kernels (the CPU reference where there is no GPU)'}, as chosen in cell 6.2. The standard size takes
        a couple of minutes on the CPU reference of a 2-core laptop.
      </p>
      <div className="controls-row">
        <Select label="Sweep size" value={size} options={SIZE_OPTIONS} onChange={setSize} disabled={busy} />
      </div>
      <SweepButtons store={useFashionSweep} onRun={() => void runFashionSweep(size)} />
      <SweepProgress store={useFashionSweep} loading="downloading Fashion-MNIST (30 MB, once per page) and loading it in the worker" />
      <SweepResults store={useFashionSweep} aside={<SweepPick store={useFashionSweep} />} />
      <SweepChart store={useFashionSweep} by="step" />
    </>
  );
}
