// The initializer cell's computation: 256 Fashion-MNIST test images X (256, 784) pushed
// through a deep stack of dense layers (784 → 256 → … → 256, `depth` layers, biases 0)
// with one activation σ, for three ways to draw W (fan_in n_in, fan_out n_out):
//
//   Xavier   W ~ N(0, 2 / (n_in + n_out))
//   He       W ~ N(0, 2 / n_in)
//   small    W ~ N(0, 0.01²)
//
// and, per layer, the spread of the activations A_l = σ(A_{l−1} W_l): their standard
// deviation and the share of units that are off (ReLU: 0) or saturated (tanh: |a| > 0.99).
// Forward only, on the page's backend.

import type { Backend, Tensor } from '../../../engine/backend';
import { Rng } from '../../../engine/random';
import { initWeights } from '../../../nn/init';
import type { ClassificationDataset } from '../../../nn/data/dataset';

export const INIT_KINDS = ['xavier', 'he', 'small'] as const;
export type InitKind = (typeof INIT_KINDS)[number];
export const INIT_LABELS: Record<InitKind, string> = { xavier: 'Xavier N(0, 2/(n_in+n_out))', he: 'He N(0, 2/n_in)', small: 'too small N(0, 0.01²)' };

export const SPREAD = { batch: 256, width: 256, depth: 6 } as const;

export interface LayerSpread {
  std: number;
  /** ReLU: share of activations equal to 0; tanh: share with |a| > 0.99 */
  deadOrSaturated: number;
}

export interface InitSpread {
  activation: 'relu' | 'tanh';
  /** [kind][layer] */
  layers: Record<InitKind, LayerSpread[]>;
  inputStd: number;
}

function spreadOf(a: ArrayLike<number>, activation: 'relu' | 'tanh'): LayerSpread {
  let s = 0;
  let s2 = 0;
  let off = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    s += v;
    s2 += v * v;
    if (activation === 'relu' ? v === 0 : Math.abs(v) > 0.99) off++;
  }
  const mean = s / a.length;
  return { std: Math.sqrt(Math.max(0, s2 / a.length - mean * mean)), deadOrSaturated: off / a.length };
}

function weights(kind: InitKind, nIn: number, nOut: number, rng: Rng): Float64Array {
  if (kind === 'small') return Float64Array.from({ length: nIn * nOut }, () => 0.01 * rng.normal());
  return initWeights(kind === 'xavier' ? 'xavier_normal' : 'he_normal', [nIn, nOut], nIn, nOut, rng);
}

export async function initSpread(backend: Backend, ds: ClassificationDataset, activation: 'relu' | 'tanh', seed: number): Promise<InitSpread> {
  const d = 28 * 28;
  const x = ds.features.subarray(0, SPREAD.batch * d);
  const layers = {} as Record<InitKind, LayerSpread[]>;
  for (const kind of INIT_KINDS) {
    const rng = new Rng(seed * 31 + INIT_KINDS.indexOf(kind));
    let a: Tensor = backend.fromArray(x, [SPREAD.batch, d], 'X');
    const spreads: LayerSpread[] = [];
    let nIn = d;
    for (let l = 0; l < SPREAD.depth; l++) {
      const w = backend.fromArray(weights(kind, nIn, SPREAD.width, rng), [nIn, SPREAD.width], `W${l + 1}`);
      const next = backend.matmul(a, w, { activation });
      backend.dispose(a, w);
      a = next;
      spreads.push(spreadOf(await backend.read(a), activation));
      nIn = SPREAD.width;
    }
    backend.dispose(a);
    layers[kind] = spreads;
  }
  return { activation, layers, inputStd: spreadOf(x, 'relu').std };
}
