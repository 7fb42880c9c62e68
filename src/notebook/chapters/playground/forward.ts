// The network's output at many points at once, from its parameters as plain arrays: the
// boundary picture needs Ŷ at 48² points every frame, and a tight float64 loop without
// tensors does that in a fraction of the time. tests/playground.test.ts checks it against
// the package's own forward (model.predict) to 1e-12.
//
//   Z_l = Y_{l−1}·W_l + 1·b_l,  W_l (n_in, n_out),  Y_l = σ_l(Z_l),  Y_0 = X (m, d)
//   softmax per row, max-shifted: ŷ_c = e^{z_c − max z} / Σ_j e^{z_j − max z}

import type { DenseNumbers } from './trainer';

export type OutputActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

function activate(a: OutputActivation, z: Float64Array, n: number): void {
  switch (a) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < z.length; i++) if (!(z[i]! > 0)) z[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < z.length; i++) z[i] = 1 / (1 + Math.exp(-z[i]!));
      return;
    case 'tanh':
      for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i]!);
      return;
    case 'softmax':
      for (let r = 0; r < z.length; r += n) {
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, z[r + j]!);
        let sum = 0;
        for (let j = 0; j < n; j++) sum += z[r + j] = Math.exp(z[r + j]! - max);
        for (let j = 0; j < n; j++) z[r + j]! /= sum;
      }
  }
}

/** Ŷ (m, n_out of the last layer) for x (m, d), row-major */
export function forwardDense(layers: readonly DenseNumbers[], activations: readonly OutputActivation[], x: Float64Array): Float64Array {
  if (activations.length !== layers.length) throw new Error(`forward: ${activations.length} activations for ${layers.length} layers`);
  let y = x;
  let d = layers[0]?.nIn ?? 0;
  const m = d ? x.length / d : 0;
  if (!Number.isInteger(m)) throw new Error(`forward: ${x.length} inputs do not fill rows of ${d}`);
  layers.forEach((l, k) => {
    if (l.nIn !== d) throw new Error(`forward: layer ${k} takes ${l.nIn} inputs, gets ${d}`);
    const z = new Float64Array(m * l.nOut);
    for (let r = 0; r < m; r++) {
      const zr = r * l.nOut;
      for (let j = 0; j < l.nOut; j++) z[zr + j] = l.b[j]!;
      for (let i = 0; i < d; i++) {
        const v = y[r * d + i]!;
        if (v === 0) continue;
        const wi = i * l.nOut;
        for (let j = 0; j < l.nOut; j++) z[zr + j]! += v * l.W[wi + j]!;
      }
    }
    activate(activations[k]!, z, l.nOut);
    y = z;
    d = l.nOut;
  });
  return y;
}
