// Elementwise ops on the float64 CPU reference (the math of shaders/elementwise.wgsl and
// shaders/lib/activation.wgsl): activations, their derivatives, axpby, scale.

import type { Activation } from '../../backend';

/** σ(z) for each activation */
export function activate(act: Activation, z: number): number {
  switch (act) {
    case 'linear':
      return z;
    case 'relu':
      return z > 0 ? z : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
  }
}

/** σ'(z) written with y = σ(z) */
export function activateGrad(act: Activation, y: number): number {
  switch (act) {
    case 'linear':
      return 1;
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
  }
}

/** Y = σ(X + 1·b): X (M, N), b (1, N) or null */
export function biasActivation(X: Float64Array, b: Float64Array | null, M: number, N: number, act: Activation): Float64Array {
  const Y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) Y[i * N + j] = activate(act, X[i * N + j]! + (b ? b[j]! : 0));
  return Y;
}

/** dZ = dY ⊙ σ'(Z), written with Y = σ(Z) */
export function activationBackward(dY: Float64Array, Y: Float64Array, act: Activation): Float64Array {
  const out = new Float64Array(dY.length);
  for (let i = 0; i < dY.length; i++) out[i] = dY[i]! * activateGrad(act, Y[i]!);
  return out;
}

/** data ← data ⊙ σ'(Y) in place (a backward epilogue) */
export function applyActivationGrad(data: Float64Array, Y: Float64Array, act: Activation): void {
  for (let i = 0; i < data.length; i++) data[i]! *= activateGrad(act, Y[i]!);
}

/** α·x + β·y */
export function axpby(alpha: number, x: Float64Array, beta: number, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]! + beta * y[i]!;
  return out;
}

/** s·x */
export function scale(x: Float64Array, s: number): Float64Array {
  return x.map((v) => v * s);
}
