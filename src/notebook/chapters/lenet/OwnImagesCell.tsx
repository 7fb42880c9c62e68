// Cell 5.5: LeNet trained on the student's own images — an idx pair (images idx3 and
// labels idx1, raw or .gz, any size the layers accept) or CIFAR-10 binary batches
// (32 × 32 × 3). The chapter's network with k outputs (k classes from the labels), its
// learning rate, batch size and seed, in a session of its own (cell 5.1's run is never
// touched). Pixels are scaled to [0, 1], as for MNIST; nothing else is standardized.

import { normalizeModelConfig } from '../../../nn/model';
import { modelShapes } from '../../../nn/serialize';
import { createTrainingStore } from '../../../store/training';
import type { OwnDataPreview } from '../../../train/own-data';
import type { SessionConfig } from '../../../train/protocol';
import { OwnDataCell, type OwnDataAccepted } from '../../cells/OwnData';
import { lenetConfig, useLenetSettings } from './settings';

export const OWN_TEST_FRACTION = 0.2;

export const useOwnLenetTraining = createTrainingStore({ name: 'LeNet on your images' });

/** the chapter's LeNet on the dropped images: k outputs, `epochs` epochs, a seeded stratified test split */
export function ownLenetConfig(data: Pick<OwnDataAccepted, 'source'> & { preview: Pick<OwnDataPreview, 'classes' | 'rows'> }, epochs: number): SessionConfig {
  const base = lenetConfig({ ...useLenetSettings.getState(), epochs });
  const k = data.preview.classes.length;
  const layers = base.model.layers.map((l, i, all) => (i === all.length - 1 ? { ...l, nOut: k } : l));
  const steps = Math.ceil((data.preview.rows * (1 - OWN_TEST_FRACTION)) / base.batchSize);
  return {
    ...base,
    dataset: { name: 'own', own: data.source, layout: 'image', testFraction: OWN_TEST_FRACTION },
    model: { ...base.model, layers },
    lossEvery: Math.max(1, Math.min(20, Math.round(steps / 100))),
  };
}

/** null when LeNet's layers take images of the preview's shape; else why not (a kernel larger than the image, …) */
export function lenetFits(p: OwnDataPreview): string | null {
  const c = ownLenetConfig({ source: { format: p.format, files: [] }, preview: p }, 1);
  try {
    modelShapes(normalizeModelConfig({ ...c.model, seed: 0 }).layers, p.sampleShape);
    return null;
  } catch (e) {
    return `LeNet's layers do not fit images of ${p.sampleShape.join(' × ')}: ${(e as Error).message}`;
  }
}

const prefer = () => 'webgpu' as const;

export function OwnImagesCellBody() {
  const seed = useLenetSettings((s) => s.seed);
  return (
    <OwnDataCell
      formats={['idx', 'cifar']}
      seed={seed}
      testFraction={OWN_TEST_FRACTION}
      fits={lenetFits}
      scaling="Nothing else is standardized, as for MNIST."
      store={useOwnLenetTraining}
      config={ownLenetConfig}
      prefer={prefer}
      defaultEpochs={1}
      note="Learning rate, batch size and seed: those of cell 5.1."
      testId="own-images"
    />
  );
}
