// Weight initializers. fan_in / fan_out are the number of inputs and outputs of one unit:
//   fully connected W (n_in, n_out):        fan_in = n_in,            fan_out = n_out
//   convolution    W (kh, kw, c_in, c_out): fan_in = kh·kw·c_in,      fan_out = kh·kw·c_out
//
//   xavier_uniform  U(−a, a), a = √(6 / (fan_in + fan_out))      (the default)
//   xavier_normal   N(0, 2 / (fan_in + fan_out))
//   he_uniform      U(−a, a), a = √(6 / fan_in)
//   he_normal       N(0, 2 / fan_in)
//   normal          N(0, 1 / max(fan_in, fan_out))
//   zeros           0
// Biases always start at zero. Every draw comes from a seeded Rng, so a seed fixes the weights.

import type { Shape } from '../engine/geometry';
import { sizeOf } from '../engine/geometry';
import { Rng } from '../engine/random';
import { checkName } from './names';

export type InitName = 'xavier_uniform' | 'xavier_normal' | 'he_uniform' | 'he_normal' | 'normal' | 'zeros';
export const INIT_NAMES: readonly InitName[] = ['xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal', 'normal', 'zeros'];

export function checkInit(name: unknown): InitName {
  return checkName('initializer', name, INIT_NAMES);
}

/** host array of the shape's size drawn from the named initializer */
export function initWeights(name: string, shape: Shape, fanIn: number, fanOut: number, rng: Rng): Float64Array {
  const init = checkInit(name);
  const out = new Float64Array(sizeOf(shape));
  const uniform = (a: number) => {
    for (let i = 0; i < out.length; i++) out[i] = rng.range(-a, a);
  };
  const normal = (std: number) => {
    for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
  };
  switch (init) {
    case 'xavier_uniform':
      uniform(Math.sqrt(6 / (fanIn + fanOut)));
      break;
    case 'xavier_normal':
      normal(Math.sqrt(2 / (fanIn + fanOut)));
      break;
    case 'he_uniform':
      uniform(Math.sqrt(6 / fanIn));
      break;
    case 'he_normal':
      normal(Math.sqrt(2 / fanIn));
      break;
    case 'normal':
      normal(Math.sqrt(1 / Math.max(fanIn, fanOut)));
      break;
    case 'zeros':
      break;
  }
  return out;
}

/**
 * The seed of layer `index` of a model seeded with `seed`: each layer draws from its own
 * stream, so a layer's initial weights depend only on (seed, its index, its shapes).
 */
export function layerSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
