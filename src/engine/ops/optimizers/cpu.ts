// Optimizer updates on the float64 CPU reference, in place (the math of shaders/optimizers.wgsl).

import type { AdamHyper, SgdHyper } from '../../backend';

/** p ← p − lr·g; with momentum μ: v ← μ·v − lr·g, p ← p + v */
export function sgd(P: Float64Array, G: Float64Array, V: Float64Array | null, hp: SgdHyper): void {
  if (V) {
    for (let i = 0; i < P.length; i++) {
      V[i] = hp.momentum * V[i]! - hp.lr * G[i]!;
      P[i]! += V[i]!;
    }
  } else {
    for (let i = 0; i < P.length; i++) P[i]! -= hp.lr * G[i]!;
  }
}

/**
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr·m̂ / (√v̂ + ε) with the bias
 * corrections m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
 */
export function adam(P: Float64Array, G: Float64Array, Mt: Float64Array, Vt: Float64Array, hp: AdamHyper): void {
  const c1 = 1 - hp.beta1 ** hp.t;
  const c2 = 1 - hp.beta2 ** hp.t;
  for (let i = 0; i < P.length; i++) {
    const g = G[i]!;
    Mt[i] = hp.beta1 * Mt[i]! + (1 - hp.beta1) * g;
    Vt[i] = hp.beta2 * Vt[i]! + (1 - hp.beta2) * g * g;
    P[i]! -= (hp.lr * (Mt[i]! / c1)) / (Math.sqrt(Vt[i]! / c2) + hp.eps);
  }
}
