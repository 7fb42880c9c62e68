// The built-in layers trained with the settings of the student's run, for the curve beside
// theirs: a training session in its own worker (src/train), on the page's device. The
// student's run (src/exercises/train-student.ts) reports the mean training loss of each
// epoch; so does this one (the 'eval' entries' trainLoss, with the loss read every step).
//
//   iris           4 → 16 (relu) → 3 (softmax), standardized, seeded 80/20 split, SGD lr 0.1,
//                  batches of 8, 100 epochs
//   mnist-subset   first 3000 training digits, first 500 test digits: conv 8×(3×3) stride 2
//                  'same' relu → max pool 2×2 → flatten → fc 10 softmax; SGD momentum 0.9,
//                  lr 0.05·0.3^epoch, batches of 16, 2 epochs
//
// The data, split, batch order and settings are the same; the initial weights are drawn by
// another generator, so the two curves are close, not identical.

import { MNIST_SUBSET, type TrainDataset } from '../../../exercises/student-network';
import { STUDENT_RUNS } from '../../../exercises/train-student';
import { TrainingClient, createTrainingWorker, type SessionConfig } from '../../../train';
import type { MetricPoint } from '../../../ui/MetricChart';

export interface BuiltinRun {
  /** mean training loss per epoch, at the step that ended it */
  loss: MetricPoint[];
  testAccuracy: number | null;
}

export function builtinConfig(dataset: TrainDataset, seed = 1): SessionConfig {
  const run = STUDENT_RUNS[dataset];
  const common = { batchSize: run.batchSize, epochs: run.epochs, seed, lossEvery: 1 };
  if (dataset === 'iris') {
    return {
      ...common,
      dataset: { name: 'iris', standardize: true, testFraction: 0.2 },
      model: {
        layers: [
          { type: 'fc', nOut: 16, activation: 'relu' },
          { type: 'fc', nOut: 3, activation: 'softmax' },
        ],
        loss: 'cross_entropy',
        optimizer: { type: 'sgd', lr: run.lr, momentum: run.momentum },
      },
    };
  }
  const stepsPerEpoch = Math.ceil(MNIST_SUBSET.train / run.batchSize);
  return {
    ...common,
    dataset: { name: 'mnist', layout: 'image', trainLimit: MNIST_SUBSET.train, testLimit: MNIST_SUBSET.test },
    model: {
      layers: [
        { type: 'conv2d', nOut: 8, kernel: 3, stride: 2, pad: 'same', activation: 'relu' },
        { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'fc', nOut: 10, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: run.lr, momentum: run.momentum },
      scheduler: { type: 'exponential', decay: run.decay, stages: stepsPerEpoch, staircase: true },
    },
  };
}

export async function trainBuiltin(
  config: SessionConfig,
  prefer: 'webgpu' | 'cpu',
  onLoss?: (points: readonly MetricPoint[]) => void,
  signal?: AbortSignal,
): Promise<BuiltinRun> {
  const worker = createTrainingWorker();
  const client = new TrainingClient(worker);
  const loss: MetricPoint[] = [];
  let testAccuracy: number | null = null;
  try {
    let finished!: (end: string) => void;
    const over = new Promise<string>((r) => (finished = r));
    client.onMetrics((batches) => {
      for (const b of batches) {
        for (const e of b.events) {
          if (e.kind !== 'eval' || e.epoch < 1) continue;
          if (e.trainLoss !== null) loss.push({ x: e.step, value: e.trainLoss });
          if (e.testAccuracy !== null) testAccuracy = e.testAccuracy;
        }
        const s = b.snapshot.state;
        if (s === 'done') finished('done');
        else if (s === 'diverged' || s === 'failed' || s === 'stopped') finished(b.snapshot.message);
      }
      onLoss?.(loss.slice());
    });
    client.onStopped((message) => finished(message));
    signal?.addEventListener('abort', () => finished('stopped'));
    await client.init(config, prefer);
    await client.start();
    const end = await over;
    if (end !== 'done') throw new Error(`the built-in run ended: ${end}`);
    return { loss, testAccuracy };
  } finally {
    client.close();
    worker.terminate();
  }
}
