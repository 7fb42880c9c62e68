// What chapter 5 asks the training worker beyond the session's protocol (src/train/
// protocol.ts): the trained parameters, the test images, and the model's predictions on
// the test set. These messages share the worker's port with the session's; they carry
// their own `channel` and message types, which the TrainingClient ignores.
//
//   page: InspectClient ── InspectRequest {channel, id, op} ──▶ worker: inspector.ts
//                       ◀── inspect-reply {id, ok, value} / inspect-progress {id, done, total}

import type { NormalizedModelConfig } from '../../../nn/model';

export const INSPECT_CHANNEL = 'lenet-inspect';

export type InspectOp = 'snapshot' | 'testSet' | 'predictTest';

export interface InspectRequest {
  channel: typeof INSPECT_CHANNEL;
  id: number;
  op: InspectOp;
}

/** a parameter tensor: float64 values (exact for both backends), row-major */
export interface SnapshotTensor {
  shape: number[];
  data: Float64Array;
}

/**
 * The session's model as it is now: its configuration and input shape (to rebuild the
 * architecture) and every layer's parameters, as typed arrays that travel without copying.
 */
export interface ModelSnapshot {
  /** the session's run (restarts count up) and updates done when the parameters were read */
  run: number;
  step: number;
  config: NormalizedModelConfig;
  /** per example, e.g. [28, 28, 1] */
  inputShape: number[];
  layers: { name: string; type: string; parameters: Record<string, SnapshotTensor> }[];
}

/** the session's test split, pixels as bytes (value · 255, exact for MNIST) */
export interface TestSet {
  count: number;
  height: number;
  width: number;
  /** (count, height, width) row-major, 0 … 255 */
  images: Uint8Array;
  /** (count) class indices */
  labels: Uint8Array;
  classNames: string[];
}

/** the model's outputs on every test image */
export interface TestPredictions {
  run: number;
  step: number;
  count: number;
  classes: number;
  /** (count) true class */
  labels: Uint8Array;
  /** (count) arg-max of the probabilities (the first on ties) */
  predicted: Uint8Array;
  /** (count, classes) softmax outputs */
  probs: Float32Array;
  /** wall time of the pass, ms */
  ms: number;
}

export interface InspectValues {
  snapshot: ModelSnapshot;
  testSet: TestSet;
  predictTest: TestPredictions;
}

export type InspectMessage =
  | { channel: typeof INSPECT_CHANNEL; type: 'inspect-reply'; id: number; ok: true; value: InspectValues[InspectOp] }
  | { channel: typeof INSPECT_CHANNEL; type: 'inspect-reply'; id: number; ok: false; error: string }
  /** images of a predictTest pass done so far */
  | { channel: typeof INSPECT_CHANNEL; type: 'inspect-progress'; id: number; done: number; total: number };

export function isInspectRequest(m: unknown): m is InspectRequest {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === INSPECT_CHANNEL && 'op' in m;
}

export function isInspectMessage(m: unknown): m is InspectMessage {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === INSPECT_CHANNEL && 'type' in m;
}
