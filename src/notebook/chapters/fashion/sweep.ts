// Chapter 6's sweep (cell 6.4): Adam's learning rate × the hidden size of the 784–h–10
// MLP on a subset of Fashion-MNIST, run in its own worker one model after another from the
// chapter's seed. A validation split (seeded, stratified, held out of the training part)
// picks the best run; a test subset reports it.
//
// Sizes: the standard sweep trains 3 × 3 models on 4000 images for 3 epochs each and
// evaluates 1000 validation and 2000 test images after every epoch — on the float64 CPU
// reference about 70 s of one core (measured in Node, process CPU time), so a couple of
// minutes on a 2-core laptop with the page's other work; the quick one trains on 1000
// images for 1 epoch.

import { createSweepStore } from '../../../store/sweep';
import type { SessionConfig, SweepSpec } from '../../../train/protocol';
import { fashionSettings } from './settings';

export interface SweepSize {
  label: string;
  /** training images per epoch (the first n of the training part) */
  train: number;
  epochs: number;
  validation: number;
  test: number;
}

export const SWEEP_SIZES = {
  standard: { label: 'standard: 4000 images × 3 epochs', train: 4000, epochs: 3, validation: 1000, test: 2000 },
  quick: { label: 'quick: 1000 images × 1 epoch', train: 1000, epochs: 1, validation: 1000, test: 2000 },
} as const satisfies Record<string, SweepSize>;
export type SweepSizeName = keyof typeof SWEEP_SIZES;

/** Adam's learning rates around its usual 0.001, and three widths of the hidden layer */
export const SWEEP_LRS = [0.0003, 0.001, 0.003] as const;
export const SWEEP_HIDDEN = [16, 64, 128] as const;
const BATCH = 64;
/** the official training set's size (the validation share is taken from it) */
const OFFICIAL_TRAIN_ALL = 60000;

export function fashionSweepSpec(size: SweepSize, seed: number): SweepSpec {
  const base: SessionConfig = {
    dataset: {
      name: 'fashion-mnist',
      layout: 'flat',
      validationFraction: size.validation / OFFICIAL_TRAIN_ALL,
      trainLimit: size.train,
      testLimit: size.test,
    },
    model: {
      layers: [
        { type: 'fc', nOut: SWEEP_HIDDEN[0], activation: 'relu' },
        { type: 'fc', nOut: 10, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'adam', lr: SWEEP_LRS[0] },
    },
    batchSize: BATCH,
    epochs: size.epochs,
    seed,
    // about 20 loss reads per epoch
    lossEvery: Math.max(1, Math.round(size.train / BATCH / 20)),
  };
  return { base, learningRates: [...SWEEP_LRS], hiddenSizes: [...SWEEP_HIDDEN], rankBy: 'validation' };
}

export const useFashionSweep = createSweepStore({ name: 'Fashion-MNIST sweep' });

/** runs the sweep at the chapter's seed on the chapter's device */
export function runFashionSweep(size: SweepSizeName): Promise<void> {
  const s = fashionSettings();
  return useFashionSweep.getState().run(fashionSweepSpec(SWEEP_SIZES[size], s.seed), s.device);
}
