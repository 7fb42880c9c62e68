// A training session's configuration checked and filled with defaults, the hidden-size
// rule (every fc layer but the output layer), and the options and checkpoint a session
// is made with.

import type { LayerConfig } from '../nn/layers';
import type { ModelConfig } from '../nn/model';
import type { LoadProgress } from '../nn/data/load';
import type { SessionData } from './data';
import type { SessionConfig } from './protocol';

// ── hidden size ────────────────────────────────────────────────────────────────

/** indices of the hidden fully connected layers: every fc layer but the output layer */
export function hiddenLayerIndices(model: ModelConfig): number[] {
  const last = model.layers.length - 1;
  return model.layers.flatMap((l, i) => (l.type === 'fc' && i !== last ? [i] : []));
}

/** units of the hidden fc layers (the first one's, when they differ); null without any */
export function hiddenSizeOf(model: ModelConfig): number | null {
  const idx = hiddenLayerIndices(model);
  return idx.length ? (model.layers[idx[0]!] as { nOut: number }).nOut : null;
}

/** the same model with every hidden fc layer given `hidden` units */
export function withHiddenSize(model: ModelConfig, hidden: number): ModelConfig {
  const idx = new Set(hiddenLayerIndices(model));
  if (idx.size === 0) throw new Error('setHiddenSize: this model has no hidden fully connected layer (only the output layer)');
  if (!(Number.isInteger(hidden) && hidden >= 1)) throw new Error(`setHiddenSize: hidden size must be a positive integer, got ${hidden}`);
  return { ...model, layers: model.layers.map((l, i) => (idx.has(i) ? ({ ...l, nOut: hidden } as LayerConfig) : l)) };
}

export function checkPositiveInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`session: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export function normalizeSessionConfig(c: SessionConfig): Required<Omit<SessionConfig, 'dataset' | 'model'>> & Pick<SessionConfig, 'dataset' | 'model'> {
  if (typeof c !== 'object' || c === null) throw new Error(`session: expected a configuration object, got ${JSON.stringify(c)}`);
  const seed = c.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`session: seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`);
  }
  if (c.lean !== undefined && typeof c.lean !== 'boolean') throw new Error(`session: lean must be true or false, got ${JSON.stringify(c.lean)}`);
  const flushMs = c.flushMs ?? 50;
  if (!(typeof flushMs === 'number' && flushMs >= 0)) throw new Error(`session: flushMs must be ≥ 0, got ${JSON.stringify(flushMs)}`);
  return {
    dataset: c.dataset,
    model: c.model,
    batchSize: checkPositiveInt('batchSize', c.batchSize),
    epochs: checkPositiveInt('epochs', c.epochs),
    seed,
    lossEvery: checkPositiveInt('lossEvery', c.lossEvery ?? 10),
    maxReadsInFlight: checkPositiveInt('maxReadsInFlight', c.maxReadsInFlight ?? 2),
    evalBatchSize: checkPositiveInt('evalBatchSize', c.evalBatchSize ?? 1000),
    flushMs,
    lean: c.lean ?? true,
  };
}

export type SessionSettings = ReturnType<typeof normalizeSessionConfig>;

export interface EvalResult {
  loss: number;
  accuracy: number | null;
  count: number;
}

export interface SessionOptions {
  /** data already prepared (toy sets in tests); otherwise loaded with loadDataset */
  data?: SessionData;
  onProgress?: (p: LoadProgress) => void;
  /** set on each metrics batch (sweeps) */
  sweepRun?: number;
  /**
   * Keep a host copy of the parameters (the parameter arena, P floats) with a periodic loss
   * read — at every epoch's end, every read that ends a request (a pause, a single step),
   * and otherwise at most once a second (session-loop.ts) — so that the session can continue on a
   * new device after the old one was lost (`checkpoint`, `resume`). Not at every read:
   * Iris reads its loss every step, and a second readback per step is not worth it.
   */
  keepParameters?: boolean;
  /** start from a checkpoint of an earlier session of the same model (paused there) */
  resume?: { checkpoint: SessionCheckpoint; message: string };
}

/**
 * The parameters and counters as of the last periodic loss read that came back finite,
 * on the host. The optimizer's state (momentum, Adam moments, the scheduler's count) is
 * not kept: a resumed session's optimizer starts afresh.
 */
export interface SessionCheckpoint {
  run: number;
  step: number;
  epoch: number;
  /** examples of the epoch consumed */
  offset: number;
  examplesSeen: number;
  lrHistory: { step: number; lr: number }[];
  batchSize: number;
  epochs: number;
  model: ModelConfig;
  lastTrainLoss: number | null;
  /** the parameter arena (lean models), else each layer's parameters by key */
  params: Float32Array | Float64Array | Record<string, { data: ArrayLike<number> }>[];
}
