// Random inputs and tolerances several kernel tests share.
import type { Activation } from '../../src/engine/backend';
import type { Padding } from '../../src/engine/geometry';
import type { Rng } from '../../src/engine/random';
import { randomArray } from '../helpers/check';

// float32 sums of `terms` products of values ≤ 1 in size: the error grows like √terms
export const sumTol = (terms: number) => ({ atol: 3e-5 * Math.sqrt(terms), rtol: 1e-4 });
// copies and single products: exact up to float32 rounding
export const exact = { atol: 1e-7, rtol: 1e-6 };

/** the forward output Y = σ(Z) of an activation: values a layer below could have produced (zeros for relu included) */
export function activationOutput(rng: Rng, n: number, act: Activation): Float64Array {
  const z = randomArray(rng, n, -2, 2);
  return z.map((v) => (act === 'relu' ? Math.max(v, 0) : act === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : act === 'tanh' ? Math.tanh(v) : v));
}

/** (m, k) shapes of a row-wise op: one element, one row, odd sizes, a batch, a wide row */
export const ROW_SHAPES: [number, number][] = [[1, 1], [1, 10], [7, 3], [64, 10], [300, 17], [5, 1000]];

/** logits (m, k) with a few rows far from zero: softmax must shift by the row maximum */
export function logits(rng: Rng, m: number, k: number): Float64Array {
  const z = randomArray(rng, m * k, -3, 3);
  for (let i = 0; i < m; i += 3) for (let j = 0; j < k; j++) z[i * k + j]! += i % 2 ? 1000 : -1000;
  return z;
}

/** a convolution: X (m, h, w, c), W (kh, kw, c, f), stride and padding */
export interface ConvCase {
  m: number;
  h: number;
  w: number;
  c: number;
  f: number;
  kh: number;
  kw: number;
  stride: number;
  pad: Padding;
}

export const PADS: Padding[] = ['same', 'valid', 0, 1, 2];
