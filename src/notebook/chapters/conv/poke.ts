// The poke cell's computation: a 10 × 10 grey picture X (1, 10, 10, 1) convolved with a
// 3 × 3 kernel W (3, 3, 1, 1), stride 1, 'valid' (Y 8 × 8) or 'same' (Y 10 × 10):
//
//   Y[i, j] = Σ_{p,q} Xpad[i + p, j + q] · W[p, q]
//
// on the page's backend (the conv2d kernel), checked against the float64 reference.

import type { Backend, OpKernel } from '../../../engine/backend';
import { compareArrays, type Comparison } from '../../../engine/check';
import { CHECK_ATOL, CHECK_RTOL } from '../../../engine/kernel-check';
import { withKernels } from '../../cells/backend-task';
import type { PokeImage } from './settings';

export const POKE_SIZE = 10;
export const POKE_K = 3;

/** the pictures, as functions of (row, column) → grey level in [0, 1] */
const PICTURES: Record<PokeImage, (r: number, c: number) => number> = {
  // a filled square and a diagonal stroke: edges in every direction
  shapes: (r, c) => ((r >= 2 && r <= 5 && c >= 1 && c <= 4) || (r >= 1 && r <= 8 && c === r + 1 && c >= 6) ? 1 : 0),
  // a seven: a bar along the top and a slanted stroke
  digit: (r, c) => ((r === 1 && c >= 2 && c <= 8) || (r >= 2 && r <= 8 && Math.abs(c - (8 - Math.floor((r - 2) * 0.7))) < 0.75) ? 1 : 0),
  // vertical stripes two pixels wide
  stripes: (_r, c) => (c % 4 < 2 ? 1 : 0),
};

export function picture(kind: PokeImage): Float64Array {
  const f = PICTURES[kind];
  return Float64Array.from({ length: POKE_SIZE * POKE_SIZE }, (_, i) => f(Math.floor(i / POKE_SIZE), i % POKE_SIZE));
}

export const KERNEL_PRESETS = {
  'vertical edges (Sobel)': [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  'horizontal edges (Sobel)': [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  blur: [1, 1, 1, 1, 1, 1, 1, 1, 1].map((v) => v / 9),
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  outline: [-1, -1, -1, -1, 8, -1, -1, -1, -1],
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
} as const satisfies Record<string, readonly number[]>;
export type KernelPreset = keyof typeof KERNEL_PRESETS;

/** the 9 weights of a kernel setting (a shorter list is filled with zeros) */
export function kernel9(weights: readonly number[]): Float64Array {
  return Float64Array.from({ length: POKE_K * POKE_K }, (_, i) => weights[i] ?? 0);
}

export interface PokeResult {
  x: Float64Array;
  w: Float64Array;
  pad: 'valid' | 'same';
  /** the output's side: 8 ('valid') or 10 ('same') */
  side: number;
  /** padding on each border of X: 0 or 1 */
  border: number;
  y: Float64Array;
  cmp: Comparison;
  kernels: OpKernel[];
}

export async function pokeConvolution(backend: Backend, reference: Backend, image: PokeImage, weights: readonly number[], pad: 'valid' | 'same'): Promise<PokeResult> {
  const x = picture(image);
  const w = kernel9(weights);
  const run = async (be: Backend) => {
    const X = be.fromArray(x, [1, POKE_SIZE, POKE_SIZE, 1], 'X');
    const W = be.fromArray(w, [POKE_K, POKE_K, 1, 1], 'W');
    const Y = be.conv2d(X, W, null, { stride: 1, pad });
    try {
      return Float64Array.from(await be.read(Y));
    } finally {
      be.dispose(X, W, Y);
    }
  };
  const { value: y, kernels } = await withKernels(backend, () => run(backend));
  const yRef = await run(reference);
  const border = pad === 'same' ? 1 : 0;
  const side = POKE_SIZE + 2 * border - POKE_K + 1;
  return { x, w, pad, side, border, y, cmp: compareArrays(y, yRef, CHECK_ATOL, CHECK_RTOL, { label: 'Y' }), kernels };
}

/** the padded input's value at (r, c) of the padded grid; 0 on the border */
export function paddedAt(res: Pick<PokeResult, 'x' | 'border'>, r: number, c: number): number {
  const i = r - res.border;
  const j = c - res.border;
  return i < 0 || j < 0 || i >= POKE_SIZE || j >= POKE_SIZE ? 0 : res.x[i * POKE_SIZE + j]!;
}
