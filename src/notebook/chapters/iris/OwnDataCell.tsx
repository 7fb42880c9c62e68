// Cell 3.4: the chapter's network trained on the student's own CSV. The same two-layer
// MLP as cell 3.1 (d → h ReLU → k softmax, d features and k classes from the file), the
// hidden size, learning rate, batch size, seed and device of cell 3.1, its own session
// (a store and a worker of its own, so cell 3.1's run and settings are never touched),
// and the one training cell component.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { createTrainingStore } from '../../../store/training';
import type { SessionConfig } from '../../../train/protocol';
import { NumberInput } from '../../../ui/controls';
import { OwnData, type OwnDataAccepted } from '../../cells/OwnData';
import { TrainCell } from '../../cells/TrainCell';
import { irisConfig, irisSettings, useIrisSettings } from './settings';

/** test share of the student's data (seeded, stratified per class) */
export const OWN_TEST_FRACTION = 0.2;

export const useOwnIrisTraining = createTrainingStore({
  name: 'Training on your data',
  describe: (c, snap) => `lr ${snap?.lr ?? c.model.optimizer.lr}, ${snap?.hidden ?? '?'} hidden`,
});

/** cell 3.1's network and hyperparameters on the student's data: k outputs, `epochs` epochs */
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

function OwnTraining({ data }: { data: OwnDataAccepted }) {
  const [epochs, setEpochs] = useState(30);
  const device = useIrisSettings((s) => s.device);
  const store = useOwnIrisTraining;
  const config = useMemo(() => ownIrisConfig(data, epochs), [data, epochs]);
  // the session follows the data in use: new data, a new session (training waits for Train)
  const current = store((s) => s.config?.dataset.own === data.source);
  useEffect(() => {
    if (store.getState().config && !current) void store.getState().init(config, device);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);
  useEffect(() => () => void store.getState().pause(), [store]);
  const onTrain = useCallback(async () => {
    const s = store.getState();
    if (s.phase === 'off' || s.phase === 'failed' || s.phase === 'stopped' || s.config?.dataset.own !== data.source) {
      await s.init(ownIrisConfig(data, epochs), irisSettings().device);
    }
    if (store.getState().phase === 'ready') await store.getState().train();
  }, [data, epochs, store]);
  const onReset = useCallback(() => void store.getState().init(ownIrisConfig(data, epochs), irisSettings().device), [data, epochs, store]);
  return (
    <div className="own-train">
      <TrainCell
        store={store}
        what="Training on your data"
        controls={
          <div className="controls-row">
            <NumberInput label="Epochs on your data" value={epochs} min={1} max={2000} step={1} onChange={(v) => setEpochs(Math.round(v))} />
            <p className="muted small">Hidden size, learning rate, batch size, seed and device: those of cell 3.1.</p>
          </div>
        }
        onTrain={() => void onTrain()}
        onReset={onReset}
        status={{ showVal: false, showTest: true }}
        loading={<p className="muted small">Parsing your file in the worker and building the network…</p>}
        chart={{ axis: 'epoch', batchLoss: { name: 'training loss (per step)', faint: true }, epochTrainLoss: 'training loss (epoch mean)', accuracy: true, testId: 'own' }}
        table={{ columns: ['trainLoss', 'testLoss', 'testAccuracy'], caption: 'Results per epoch on your data' }}
      />
    </div>
  );
}

export function OwnDataCellBody() {
  const seed = useIrisSettings((s) => s.seed);
  return (
    <OwnData
      formats={['csv']}
      seed={seed}
      testFraction={OWN_TEST_FRACTION}
      scaling="Features are standardized with the mean and standard deviation of the train split only, as for Iris."
    >
      {(data) => <OwnTraining data={data} />}
    </OwnData>
  );
}
