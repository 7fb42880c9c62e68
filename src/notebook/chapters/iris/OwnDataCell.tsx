// Cell 3.5: the chapter's network trained on the student's own CSV. The same two-layer
// MLP as cell 3.2 (d → h ReLU → k softmax, d features and k classes from the file), the
// hidden size, learning rate, batch size, seed and device of cell 3.2, and a session of
// its own (a store and a worker, so cell 3.2's run and settings are never touched).

import { OwnDataCell, type OwnDataAccepted } from '../../cells/OwnData';
import { createTrainingStore } from '../../../store/training';
import type { SessionConfig } from '../../../train/protocol';
import { irisConfig, irisSettings, useIrisSettings } from './settings';

/** test share of the student's data (seeded, stratified per class) */
export const OWN_TEST_FRACTION = 0.2;

export const useOwnIrisTraining = createTrainingStore({
  name: 'Training on your data',
  describe: (c, snap) => `lr ${snap?.lr ?? c.model.optimizer.lr}, ${snap?.hidden ?? '?'} hidden`,
});

/** cell 3.2's network and hyperparameters on the student's data: k outputs, `epochs` epochs */
export function ownIrisConfig(data: OwnDataAccepted, epochs: number): SessionConfig {
  const base = irisConfig({ ...irisSettings(), epochs });
  const k = data.preview.classes.length;
  const layers = base.model.layers.map((l, i, all) => (i === all.length - 1 ? { ...l, nOut: k } : l));
  return {
    ...base,
    dataset: { name: 'own', own: data.source, standardize: true, testFraction: OWN_TEST_FRACTION },
    model: { ...base.model, layers },
  };
}

const prefer = () => irisSettings().device;

export function OwnDataCellBody() {
  const seed = useIrisSettings((s) => s.seed);
  return (
    <OwnDataCell
      formats={['csv']}
      seed={seed}
      testFraction={OWN_TEST_FRACTION}
      scaling="Features are standardized with the mean and standard deviation of the train split only, as for Iris."
      store={useOwnIrisTraining}
      config={ownIrisConfig}
      prefer={prefer}
      defaultEpochs={30}
      note="Hidden size, learning rate, batch size, seed and device: those of cell 3.2."
      testId="own"
    />
  );
}
