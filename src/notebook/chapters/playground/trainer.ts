// The playground's network and its training loop, on the float64 CPU reference: the nets
// here are a few hundred weights on a few hundred points, so a step costs microseconds and
// the page needs every weight and gradient back at every animation frame.
//
// Network: d inputs → hidden layers (width, activation each) → k outputs,
//   classification: softmax over k classes, loss cross-entropy (fused: dL/dZ = (ŷ − y)/m)
//                   or the squared error of the probabilities;
//   regression:     one linear output, loss the squared error L = (1/2m) Σ (ŷ − y)².
// Mini-batches: each epoch visits the points in a seeded random order, `batchSize` at a time
// (the last batch of an epoch may be smaller).

import type { Tensor } from '../../../engine/backend';
import { createCpuBackend } from '../../../engine/cpu/reference-backend';
import { Rng } from '../../../engine/random';
import { NeuralNetwork, type LayerConfig, type ModelConfig } from '../../../nn';
import type { PlaygroundData } from './data';
import type { OutputActivation } from './forward';
import { effectiveLoss, isRegression, MOMENTUM, type PlaygroundSettings } from './settings';

/** the model of the settings for data with k outputs */
export function playgroundModel(s: Pick<PlaygroundSettings, 'layers' | 'loss' | 'optimizer' | 'lr' | 'seed' | 'data'>, k: number): ModelConfig {
  const regression = isRegression(s.data);
  const layers: LayerConfig[] = s.layers.map((l) => ({ type: 'fc', nOut: l.width, activation: l.activation }));
  layers.push({ type: 'fc', nOut: k, activation: regression ? 'linear' : 'softmax' });
  return {
    layers,
    loss: effectiveLoss(s),
    optimizer: s.optimizer === 'adam' ? { type: 'adam', lr: s.lr } : { type: 'sgd', lr: s.lr, momentum: s.optimizer === 'momentum' ? MOMENTUM : 0 },
    seed: s.seed,
  };
}

/** one dense layer's numbers: W (nIn, nOut) row-major, b (nOut) */
export interface DenseNumbers {
  nIn: number;
  nOut: number;
  W: Float64Array;
  b: Float64Array;
}

export interface TrainResult {
  /** steps run by this call */
  steps: number;
  /** the mini-batch loss of the last of them (NaN when none ran) */
  lastLoss: number;
  /** false when a loss came back NaN or ±∞ (the loop stopped there) */
  finite: boolean;
}

export class PlaygroundTrainer {
  // a float64 backend of the playground's own, not the page's reference (cpuReference): its
  // steps, sixty a second, stay out of the reference's counters and op listeners
  private readonly backend = createCpuBackend();
  readonly model: NeuralNetwork;
  private readonly X: Tensor;
  private readonly Y: Tensor;
  private readonly rng: Rng;
  private order: Uint32Array;
  private cursor = 0;
  private bs: number;
  /** updates done */
  step = 0;
  /** complete passes over the data */
  epoch = 0;
  /** the point indices of the last step's mini-batch */
  lastBatch: Uint32Array = new Uint32Array(0);
  /** each dense layer's activation, input side first */
  readonly activations: OutputActivation[];

  constructor(
    readonly data: PlaygroundData,
    config: ModelConfig,
    batchSize: number,
    seed: number,
  ) {
    this.model = new NeuralNetwork(this.backend, config);
    this.activations = config.layers.map((l) => ((l as { activation?: OutputActivation }).activation ?? 'linear'));
    this.X = this.backend.fromArray(data.inputs, [data.n, data.d], 'X');
    this.Y = this.backend.fromArray(data.targets, [data.n, data.k], 'Y');
    this.model.build([data.n, data.d]);
    // the batch order has its own stream, so the weights of a seed do not depend on it
    this.rng = new Rng((seed ^ 0x5bd1e995) >>> 0);
    this.order = this.shuffle();
    this.bs = 1;
    this.batchSize = batchSize;
  }

  get batchSize(): number {
    return this.bs;
  }
  /** at most the number of points */
  set batchSize(v: number) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`the batch size must be a positive integer, got ${v}`);
    this.bs = Math.min(v, this.data.n);
  }

  set lr(v: number) {
    this.model.lr = v;
  }

  private shuffle(): Uint32Array {
    const p = Uint32Array.from({ length: this.data.n }, (_, i) => i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** the next mini-batch's rows: x (m, d), y (m, k) */
  private nextBatch(): { x: Tensor; y: Tensor } {
    if (this.cursor >= this.data.n) {
      this.order = this.shuffle();
      this.cursor = 0;
      this.epoch++;
    }
    const idx = this.order.subarray(this.cursor, Math.min(this.data.n, this.cursor + this.bs));
    this.cursor += idx.length;
    this.lastBatch = idx.slice();
    const { d, k, inputs, targets } = this.data;
    const xb = new Float64Array(idx.length * d);
    const yb = new Float64Array(idx.length * k);
    idx.forEach((row, i) => {
      xb.set(inputs.subarray(row * d, row * d + d), i * d);
      yb.set(targets.subarray(row * k, row * k + k), i * k);
    });
    return { x: this.backend.fromArray(xb, [idx.length, d], 'X batch'), y: this.backend.fromArray(yb, [idx.length, k], 'Y batch') };
  }

  /**
   * Up to `maxSteps` updates (forward, loss, backward, optimizer step each), stopping early
   * once `budgetMs` have passed (at least one step runs) or a loss is not finite.
   */
  async train(maxSteps: number, budgetMs = Infinity): Promise<TrainResult> {
    const t0 = performance.now();
    let lastLoss = NaN;
    let steps = 0;
    while (steps < maxSteps && (steps === 0 || performance.now() - t0 < budgetMs)) {
      const { x, y } = this.nextBatch();
      const lossT = this.model.trainStep(x, y);
      lastLoss = (await this.backend.read(lossT))[0]!;
      this.backend.dispose(lossT, x, y);
      steps++;
      this.step++;
      if (!Number.isFinite(lastLoss)) return { steps, lastLoss, finite: false };
    }
    return { steps, lastLoss, finite: true };
  }

  /** loss over all the points, and the share classified right (null for regression) */
  async evaluate(): Promise<{ loss: number; accuracy: number | null }> {
    const e = await this.model.evaluate(this.X, this.Y);
    return { loss: e.loss, accuracy: this.data.task === 'classification' ? e.accuracy : null };
  }

  /** the network's output for standardized inputs (m, d): (m, k) row-major */
  async predict(inputs: Float64Array): Promise<Float64Array> {
    const m = inputs.length / this.data.d;
    const x = this.backend.fromArray(inputs, [m, this.data.d], 'grid');
    const out = this.model.predict(x);
    try {
      return await this.backend.read(out);
    } finally {
      this.backend.dispose(x, out);
    }
  }

  /** every dense layer's weights and biases, input side first */
  async parameters(): Promise<DenseNumbers[]> {
    return dense(await this.model.readParameters());
  }

  /** the gradients of the last step (null before the first) */
  async gradients(): Promise<DenseNumbers[] | null> {
    return this.step === 0 ? null : dense(await this.model.readGradients());
  }

  dispose(): void {
    this.backend.dispose(this.X, this.Y);
    this.model.dispose();
  }
}

function dense(layers: Record<string, { shape: number[]; data: Float64Array }>[]): DenseNumbers[] {
  return layers.map((l, i) => {
    const W = l.W;
    const b = l.b;
    if (!W || !b || W.shape.length !== 2) throw new Error(`layer ${i}: expected W (n_in, n_out) and b (1, n_out)`);
    return { nIn: W.shape[0]!, nOut: W.shape[1]!, W: W.data, b: b.data };
  });
}
