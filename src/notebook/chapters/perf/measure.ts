// The Performance page's measurement: on a backend, build LeNet or the Iris net, run a
// warm-up step (which compiles the kernels), time a few training steps, and profile one
// more step kernel by kernel (backend.beginProfile … endProfile). No React here: the page
// calls it on the notebook's backend, the tests on Dawn.
//
// What is counted per step (backend.stats deltas over the timed steps ÷ steps):
//   dispatches   kernels recorded (LeNet's lean step: 20)
//   submissions  command buffers submitted (one flush per step)
//   readbacks    copies back to the host (none: the loss is read once, after the last step)
// Time per step: from recording the step to the GPU having finished it (flush, then sync),
// so the figure includes the wait for the GPU. Examples per second = batch ÷ median step;
// the projected epoch = the model's training-set size (MNIST: 60000) ÷ examples per second.

import type { Backend, StepProfile, Tensor } from '../../../engine/backend';
import { Rng } from '../../../engine/random';
import { NeuralNetwork, type LayerConfig, type ModelConfig } from '../../../nn';
import { median } from '../../../engine/stats';

export type PerfModel = 'lenet' | 'iris';

export const PERF_MODELS: Readonly<
  Record<PerfModel, { name: string; input: readonly number[]; classes: number; describe: string; epoch: { dataset: string; examples: number } }>
> = {
  lenet: {
    name: 'LeNet-5',
    input: [28, 28, 1],
    classes: 10,
    describe: 'conv 5×5×6 same + ReLU, max pool, conv 5×5×16 valid + ReLU, max pool, dense 120, 84, 10 + softmax; Adam',
    epoch: { dataset: "MNIST's training set", examples: 60000 },
  },
  iris: {
    name: 'Iris net 4–16–3',
    input: [4],
    classes: 3,
    describe: 'dense 4→16 ReLU, dense 16→3 + softmax; SGD',
    epoch: { dataset: 'the Iris data set', examples: 150 },
  },
};

/** seconds for one epoch over the model's training set at a measured rate */
export function projectedEpochSeconds(model: PerfModel, examplesPerSecond: number): number {
  return PERF_MODELS[model].epoch.examples / examplesPerSecond;
}

const LENET_LAYERS: LayerConfig[] = [
  { type: 'conv2d', nOut: 6, kernel: 5, pad: 'same', activation: 'relu' },
  { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
  { type: 'conv2d', nOut: 16, kernel: 5, pad: 'valid', activation: 'relu' },
  { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
  { type: 'flatten' },
  { type: 'fc', nOut: 120, activation: 'relu' },
  { type: 'fc', nOut: 84, activation: 'relu' },
  { type: 'fc', nOut: 10, activation: 'softmax' },
];

export function perfModelConfig(model: PerfModel): ModelConfig {
  if (model === 'lenet') return { layers: LENET_LAYERS, loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.001 }, seed: 1 };
  return {
    layers: [
      { type: 'fc', nOut: 16, activation: 'relu' },
      { type: 'fc', nOut: 3, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0 },
    seed: 1,
  };
}

export interface PerfSettings {
  model: PerfModel;
  /** examples per training step */
  batch: number;
  /** timed steps (after the warm-up step) */
  steps: number;
}

export const BATCH_LIMITS = { min: 1, max: 512 } as const;
export const STEP_LIMITS = { min: 1, max: 100 } as const;

export type PerfPhase = 'warmup' | 'steps' | 'profile';

export interface PerfProgress {
  phase: PerfPhase;
  /** timed steps finished (phase 'steps') */
  done: number;
  total: number;
}

export interface PerfResult {
  settings: PerfSettings;
  backendKind: Backend['kind'];
  deviceName: string;
  isFallback: boolean;
  /** the matrix-product kernel the GPU backend used ('tiled' | 'registers'); null on the CPU */
  matmulKernel: string | null;
  /** the convolution backward kernel ('blocked' | 'per-weight', backend.profile.convBackwardKernel); null on the CPU */
  convBackwardKernel: string | null;
  /** ms of the warm-up step (kernel compilation included) */
  warmupMs: number;
  /** ms of each timed step */
  stepMs: number[];
  medianMs: number;
  examplesPerSecond: number;
  /** a full epoch over the model's training set at examplesPerSecond, in seconds */
  epochSeconds: number;
  perStep: { dispatches: number; submissions: number; readbacks: number };
  /** the loss after the last timed step (read once) */
  loss: number;
  profile: StepProfile;
}

function checkSettings(s: PerfSettings): void {
  if (!(s.model in PERF_MODELS)) throw new Error(`unknown model '${String(s.model)}'; known: ${Object.keys(PERF_MODELS).join(', ')}`);
  if (!Number.isInteger(s.batch) || s.batch < BATCH_LIMITS.min || s.batch > BATCH_LIMITS.max) {
    throw new Error(`batch size must be an integer from ${BATCH_LIMITS.min} to ${BATCH_LIMITS.max}, got ${s.batch}`);
  }
  if (!Number.isInteger(s.steps) || s.steps < STEP_LIMITS.min || s.steps > STEP_LIMITS.max) {
    throw new Error(`steps must be an integer from ${STEP_LIMITS.min} to ${STEP_LIMITS.max}, got ${s.steps}`);
  }
}

/** A batch of inputs of the model's shape (images in [0, 1], Iris-like features) and one-hot labels, seeded. */
export function syntheticBatch(model: PerfModel, batch: number, seed = 7): { x: Float32Array; y: Float32Array; shape: number[] } {
  const info = PERF_MODELS[model];
  const rng = new Rng(seed);
  const per = info.input.reduce((a, b) => a * b, 1);
  const x = new Float32Array(batch * per);
  for (let i = 0; i < x.length; i++) x[i] = model === 'lenet' ? (rng.uniform() < 0.8 ? 0 : rng.uniform()) : rng.normal();
  const y = new Float32Array(batch * info.classes);
  for (let i = 0; i < batch; i++) y[i * info.classes + rng.int(info.classes)] = 1;
  return { x, y, shape: [batch, ...info.input] };
}

/**
 * Builds the model on `backend`, runs one warm-up step, `steps` timed steps and one
 * profiled step; disposes everything it made. `signal` stops it between steps.
 */
export async function measureTraining(
  backend: Backend,
  settings: PerfSettings,
  onProgress: (p: PerfProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<PerfResult> {
  checkSettings(settings);
  const { model: which, batch, steps } = settings;
  const data = syntheticBatch(which, batch);
  const model = new NeuralNetwork(backend, perfModelConfig(which));
  const x = backend.fromArray(data.x, data.shape, 'perf x');
  const y = backend.fromArray(data.y, [batch, PERF_MODELS[which].classes], 'perf y');
  const stopped = () => {
    if (signal?.aborted) throw new DOMException('the measurement was stopped', 'AbortError');
  };
  const step = async (keep: boolean): Promise<Tensor | null> => {
    const loss = model.trainStep(x, y);
    backend.flush();
    await backend.sync();
    if (keep) return loss;
    backend.dispose(loss);
    return null;
  };
  try {
    onProgress({ phase: 'warmup', done: 0, total: steps });
    let t0 = performance.now();
    await step(false);
    const warmupMs = performance.now() - t0;
    stopped();

    const s0 = { ...backend.stats };
    const stepMs: number[] = [];
    let last: Tensor | null = null;
    for (let i = 0; i < steps; i++) {
      onProgress({ phase: 'steps', done: i, total: steps });
      t0 = performance.now();
      backend.dispose(last);
      last = await step(i === steps - 1);
      stepMs.push(performance.now() - t0);
      stopped();
    }
    const perStep = {
      dispatches: (backend.stats.dispatches - s0.dispatches) / steps,
      submissions: (backend.stats.submissions - s0.submissions) / steps,
      readbacks: (backend.stats.readbacks - s0.readbacks) / steps,
    };
    const loss = (await backend.read(last!))[0]!;
    backend.dispose(last);

    onProgress({ phase: 'profile', done: steps, total: steps });
    backend.beginProfile();
    let profile: StepProfile;
    try {
      backend.dispose(model.trainStep(x, y));
    } finally {
      profile = await backend.endProfile();
    }
    const medianMs = median(stepMs);
    const examplesPerSecond = (batch / medianMs) * 1000;
    return {
      settings: { ...settings },
      backendKind: backend.kind,
      deviceName: backend.deviceName,
      isFallback: backend.isFallback,
      matmulKernel: backend.profile.matmulKernel,
      convBackwardKernel: backend.profile.convBackwardKernel,
      warmupMs,
      stepMs,
      medianMs,
      examplesPerSecond,
      epochSeconds: projectedEpochSeconds(settings.model, examplesPerSecond),
      perStep,
      loss,
      profile,
    };
  } finally {
    if (backend.profiling) await backend.endProfile().catch(() => undefined);
    model.dispose();
    backend.dispose(x, y);
  }
}

export interface KernelRow {
  label: string;
  /** shaders/<kernel>.wgsl : entry */
  kernel: string;
  entry: string;
  ms: number;
  /** ms ÷ Σ ms of the profiled step */
  share: number;
}

/** the profile's dispatches, slowest first, each with its share of the step's GPU time */
export function kernelRows(p: StepProfile): KernelRow[] {
  const total = p.totalMs;
  return p.timings
    .map((t) => ({ label: t.label, kernel: t.kernel, entry: t.entry, ms: t.ms, share: total > 0 ? t.ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms);
}
