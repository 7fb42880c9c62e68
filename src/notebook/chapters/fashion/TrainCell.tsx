// Cell 6.1: the MLP 784 → h → 10 on Fashion-MNIST, trained in the worker. The first
// Train downloads the data (progress in bytes), then epochs run with their progress and
// throughput; each epoch ends with the validation and test figures, charted and tabled.
// A new optimizer, schedule, subset, seed or device starts a new session, and the last
// runs stay on the accuracy chart for comparison.

import { useEffect, useState } from 'react';
import type { Manifest, ManifestEntry } from '../../../nn/data/manifest';
import { deviceLabel, SettingsControls } from '../../cells/SettingsControls';
import { TrainCell } from '../../cells/TrainCell';
import {
  continueFashionRun,
  FASHION_SETTINGS,
  OPTIMIZER_LABELS,
  SCHEDULE_LABELS,
  trainFashion,
  useFashionSettings,
  useFashionTraining,
  validationFraction,
  type OptimizerChoice,
  type ScheduleChoice,
} from './settings';

const int = (v: number) => v.toLocaleString('en-US');

function FashionControls() {
  return (
    <SettingsControls
      settings={FASHION_SETTINGS}
      controls={[
        { key: 'optimizer', label: 'Optimizer', choiceLabel: (v) => OPTIMIZER_LABELS[v as OptimizerChoice] },
        { key: 'lr', label: 'Learning rate', hint: 'η' },
        { key: 'schedule', label: 'Learning-rate schedule', choiceLabel: (v) => SCHEDULE_LABELS[v as ScheduleChoice] },
        { key: 'hidden', label: 'Hidden size', hint: 'h' },
        { key: 'batchSize', label: 'Batch size', hint: '|B|' },
        { key: 'epochs', label: 'Epochs' },
        { key: 'limit', label: 'Examples per epoch', choiceLabel: (n) => (n === 0 ? 'all' : `first ${int(n as number)}`) },
        { key: 'evalSize', label: 'Evaluate on', choiceLabel: (n) => (n === 0 ? 'all held-out images' : `about ${int(n as number)} + ${int(n as number)}`) },
        { key: 'seed', label: 'Seed' },
        { key: 'device', label: 'Device', choiceLabel: deviceLabel },
      ]}
    />
  );
}

/** the manifest's entry for Fashion-MNIST: where the files came from and how they are split */
function useFashionManifest(): { entry: ManifestEntry | null; error: string | null } {
  const [state, setState] = useState<{ entry: ManifestEntry | null; error: string | null }>({ entry: null, error: null });
  useEffect(() => {
    let live = true;
    const base = (import.meta.env.BASE_URL as string | undefined) ?? '/';
    fetch(`${base}data/manifest.json`)
      .then((r) => (r.ok ? (r.json() as Promise<Manifest>) : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((m) => {
        const entry = m.datasets['fashion-mnist'];
        if (live) setState(entry ? { entry, error: null } : { entry: null, error: 'the data folder has no Fashion-MNIST' });
      })
      .catch((e: unknown) => live && setState({ entry: null, error: `data/manifest.json: ${e instanceof Error ? e.message : String(e)}` }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

function Provenance() {
  const { entry, error } = useFashionManifest();
  const ds = useFashionTraining((s) => s.dataset);
  const config = useFashionTraining((s) => s.config);
  const seed = config?.seed ?? useFashionSettings.getState().seed;
  const limit = config?.dataset.trainLimit;
  const testLimit = config?.dataset.testLimit;
  const vf = config?.dataset.validationFraction ?? validationFraction(useFashionSettings.getState());
  const bytes = entry ? Object.values(entry.files).reduce((a, f) => a + f.bytes, 0) : 0;
  return (
    <dl className="facts provenance" data-testid="fashion-provenance">
      <dt>Data set</dt>
      <dd>{entry ? `${entry.title}: 28 × 28 grey images, 10 classes, ${(bytes / 1e6).toFixed(1)} MB to download` : error ?? 'reading data/manifest.json…'}</dd>
      <dt>Source</dt>
      <dd>{entry?.source ?? '—'}</dd>
      <dt>Split</dt>
      <dd data-testid="fashion-split">
        {entry
          ? entry.split.kind === 'official'
            ? `the official split: ${int(entry.split.train)} training and ${int(entry.split.test)} test images`
            : `no official split in this copy: the ${int(entry.split.total)} images are split here, stratified by class and seeded (seed ${seed}), ${Math.round(entry.split.testFraction * 100)}% for the test`
          : '—'}
        ; {Math.round(vf * 1000) / 10}% of the training part held out for validation (stratified, seed {seed})
      </dd>
      <dt>This session</dt>
      <dd data-testid="fashion-counts">
        {ds
          ? `${int(ds.train)} training${limit ? ` (the first ${int(limit)} only)` : ''}, ${int(ds.validation)} validation, ${int(ds.test)} test images${testLimit ? ` (the first ${int(testLimit)} of the test set)` : ''}`
          : 'the data are downloaded when you first press Train'}
      </dd>
    </dl>
  );
}

export function FashionTrainCellBody() {
  const lr = useFashionSettings((s) => s.lr);
  const pending = useFashionTraining((s) => s.snapshot?.state === 'done' && s.snapshot.lr !== lr);
  // leaving the chapter pauses the run
  useEffect(() => () => void useFashionTraining.getState().pause(), []);
  return (
    <TrainCell
      store={useFashionTraining}
      what="Fashion-MNIST training"
      controls={<FashionControls />}
      onTrain={() => void trainFashion()}
      status={{ showTest: true }}
      continueRun={pending ? () => void continueFashionRun() : null}
      chart={{
        axis: 'epoch',
        batchLoss: { name: 'training loss (batches)', faint: true },
        epochTrainLoss: 'training loss (epoch mean)',
        valLoss: 'validation loss',
        accuracy: true,
        pastRuns: true,
        testId: 'fashion',
      }}
      table={{ columns: ['trainLoss', 'valLoss', 'valAccuracy', 'testLoss', 'testAccuracy'], caption: 'Results per epoch (the best validation accuracy marked)', markBest: true }}
      footer={<Provenance />}
    />
  );
}
