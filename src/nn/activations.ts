// Activations σ, each with its forward Y = σ(Z) and backward dZ = dL/dZ given dY = dL/dY.
//
//   linear   σ(z) = z                 dZ = dY
//   relu     σ(z) = max(z, 0)         dZ = dY ⊙ [Y > 0]
//   sigmoid  σ(z) = 1/(1 + e^−z)      dZ = dY ⊙ Y ⊙ (1 − Y)
//   tanh     σ(z) = tanh z            dZ = dY ⊙ (1 − Y²)
//   softmax  σ(z)_k = e^{z_k − max z} / Σ_j e^{z_j − max z}, per row of (m, k)
//            dZ = σ ⊙ (dY − Σ_k dY_k σ_k), per row: the Jacobian-vector product
//
// The four elementwise ones are written in terms of the output Y, so a layer needs to
// keep only Y, and the matmul/conv epilogue can apply them without storing Z.

import type { Activation, Backend, Tensor } from '../engine/backend';
import { checkName } from './names';

export type ActivationName = Activation | 'softmax';
export const ACTIVATION_NAMES: readonly ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export interface ActivationFunction {
  readonly name: ActivationName;
  /** true for linear, relu, sigmoid, tanh: applied element by element (fusable into an epilogue) */
  readonly elementwise: boolean;
  /** Y = σ(Z), Z (m, n) */
  forward(backend: Backend, z: Tensor): Tensor;
  /** dZ from dY and the forward output Y (same shape) */
  backward(backend: Backend, dy: Tensor, y: Tensor): Tensor;
}

class Elementwise implements ActivationFunction {
  readonly elementwise = true;
  constructor(readonly name: Activation) {}
  forward(backend: Backend, z: Tensor): Tensor {
    return backend.biasActivation(z, null, this.name);
  }
  backward(backend: Backend, dy: Tensor, y: Tensor): Tensor {
    return backend.activationBackward(dy, y, this.name);
  }
}

class Softmax implements ActivationFunction {
  readonly name = 'softmax' as const;
  readonly elementwise = false;
  forward(backend: Backend, z: Tensor): Tensor {
    return backend.softmax(z);
  }
  backward(backend: Backend, dy: Tensor, y: Tensor): Tensor {
    return backend.softmaxBackward(dy, y);
  }
}

/** the activation of that name; unknown names are refused with the valid ones */
export function createActivation(name: string): ActivationFunction {
  const n = checkName('activation', name, ACTIVATION_NAMES);
  return n === 'softmax' ? new Softmax() : new Elementwise(n);
}
