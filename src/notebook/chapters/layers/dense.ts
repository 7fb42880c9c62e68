// Chapter 2's dense-layer and activation cells, on the page's backend and checked against
// the float64 CPU reference:
//
//   denseForward      Z = X·W + 1b for X (m, d), W (d, n), b (1, n): one fused matmul
//                     kernel (bias in its epilogue), with the kernels it dispatched
//   activationCurves  y = σ(z) and σ'(z) for ReLU, sigmoid and tanh on a grid of z, by the
//                     activation kernels: the forward, then the backward with dY = 1 (so
//                     dZ = σ'(z) ⊙ 1 = σ'(z), computed from y as the layer's backward does)

import type { Activation, Backend, OpKernel, Tensor } from '../../../engine/backend';
import { compareArrays, type Comparison } from '../../../engine/check';
import { CHECK_ATOL, CHECK_RTOL } from '../../../engine/kernel-check';
import { Rng } from '../../../engine/random';
import { withKernels } from '../../cells/backend-task';


export interface DenseRun {
  m: number;
  d: number;
  n: number;
  x: Float64Array;
  w: Float64Array;
  b: Float64Array;
  /** Z from the page's backend, (m, n) */
  z: Float64Array;
  /** Z from the float64 reference */
  zRef: Float64Array;
  cmp: Comparison;
  /** the WGSL kernels that computed Z (none on the CPU reference) */
  kernels: OpKernel[];
}

const twoDecimals = (v: number) => Math.fround(Math.round(v * 100) / 100);

async function readAndDispose(backend: Backend, ...ts: Tensor[]): Promise<Float64Array[]> {
  try {
    return await Promise.all(ts.map(async (t) => Float64Array.from(await backend.read(t))));
  } finally {
    backend.dispose(...ts);
  }
}

export async function denseForward(backend: Backend, reference: Backend, seed: number, m: number, d: number, n: number): Promise<DenseRun> {
  const rng = new Rng(seed * 104729 + 7);
  const x = Float64Array.from({ length: m * d }, () => twoDecimals(rng.normal()));
  const w = Float64Array.from({ length: d * n }, () => twoDecimals(rng.normal() * Math.sqrt(2 / d)));
  const b = Float64Array.from({ length: n }, () => twoDecimals(rng.normal() * 0.5));
  const run = async (be: Backend) => {
    const X = be.fromArray(x, [m, d], 'X');
    const W = be.fromArray(w, [d, n], 'W');
    const B = be.fromArray(b, [1, n], 'b');
    const Z = be.matmul(X, W, { bias: B });
    const [z] = await readAndDispose(be, Z);
    be.dispose(X, W, B);
    return z!;
  };
  const { value: z, kernels } = await withKernels(backend, () => run(backend));
  const zRef = await run(reference);
  return { m, d, n, x, w, b, z, zRef, cmp: compareArrays(z, zRef, CHECK_ATOL, CHECK_RTOL, { label: 'Z' }), kernels };
}

export const CURVE_ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const satisfies readonly Activation[];
export type CurveActivation = (typeof CURVE_ACTIVATIONS)[number];

export interface ActivationCurve {
  activation: CurveActivation;
  z: Float64Array;
  /** σ(z) from the page's backend */
  y: Float64Array;
  /** σ'(z), the backward with dY = 1 */
  dy: Float64Array;
  /** both against the float64 reference */
  cmp: Comparison;
  kernels: OpKernel[];
}

/** z from −zMax to zMax in `points` steps */
export function zGrid(points: number, zMax: number): Float64Array {
  return Float64Array.from({ length: points }, (_, i) => -zMax + (2 * zMax * i) / (points - 1));
}

export async function activationCurves(backend: Backend, reference: Backend, points = 161, zMax = 4): Promise<ActivationCurve[]> {
  const z = zGrid(points, zMax);
  const run = async (be: Backend, act: CurveActivation) => {
    const Z = be.fromArray(z, [1, points], 'Z');
    const ones = be.fromArray(new Float64Array(points).fill(1), [1, points], 'dY');
    const Y = be.biasActivation(Z, null, act);
    const dZ = be.activationBackward(ones, Y, act);
    const out = await readAndDispose(be, Y, dZ);
    be.dispose(Z, ones);
    return out as [Float64Array, Float64Array];
  };
  const curves: ActivationCurve[] = [];
  for (const activation of CURVE_ACTIVATIONS) {
    const { value: [y, dy], kernels } = await withKernels(backend, () => run(backend, activation));
    const [yRef, dyRef] = await run(reference, activation);
    const got = Float64Array.from([...y, ...dy]);
    const ref = Float64Array.from([...yRef, ...dyRef]);
    curves.push({ activation, z, y, dy, cmp: compareArrays(got, ref, CHECK_ATOL, CHECK_RTOL, { label: activation }), kernels });
  }
  return curves;
}
