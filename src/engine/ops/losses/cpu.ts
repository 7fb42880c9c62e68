// Losses on the float64 CPU reference (the math of shaders/cross_entropy.wgsl), each
// averaged over the m rows of a batch; targets y are one-hot (m, k).

/** 2⁻¹⁰²², the smallest normal double: a probability below it has underflowed */
const TINY = 2.2250738585072014e-308;

/** L = −(1/m) Σ y·ln ŷ */
export function crossEntropy(P: Float64Array, Y: Float64Array, M: number): number {
  // a target's ŷ below the smallest normal double counts as 0: ln 0 = −∞, L = +∞ (as on the GPU)
  let s = 0;
  for (let i = 0; i < P.length; i++) if (Y[i] !== 0) s += P[i]! < TINY ? -Infinity : Y[i]! * Math.log(P[i]!);
  return -s / M;
}

/** dL/dŷ = −y / (m·ŷ) */
export function crossEntropyBackward(P: Float64Array, Y: Float64Array, M: number): Float64Array {
  const out = new Float64Array(P.length);
  // 0 where y = 0 (no −0/0 where a non-target ŷ underflowed); ŷ clamped at the smallest
  // normal double where a target's ŷ underflowed, so the gradient stays finite
  for (let i = 0; i < P.length; i++) out[i] = Y[i] === 0 ? 0 : -Y[i]! / (M * Math.max(P[i]!, TINY));
  return out;
}

/**
 * softmax and cross-entropy in one: probs = softmax(z) along rows, L = −(1/m) Σ y·(z − lse)
 * with lse = ln Σ exp z (no ln of an underflowed probability)
 */
export function softmaxCrossEntropy(Z: Float64Array, Y: Float64Array, M: number, N: number): { loss: number; probs: Float64Array } {
  const probs = new Float64Array(M * N);
  let loss = 0;
  for (let i = 0; i < M; i++) {
    let mx = -Infinity;
    for (let j = 0; j < N; j++) mx = Math.max(mx, Z[i * N + j]!);
    let s = 0;
    for (let j = 0; j < N; j++) s += Math.exp(Z[i * N + j]! - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < N; j++) {
      probs[i * N + j] = Math.exp(Z[i * N + j]! - lse);
      loss += Y[i * N + j]! * (Z[i * N + j]! - lse); // y·ln softmax(z) = y·(z − lse)
    }
  }
  return { loss: -loss / M, probs };
}

/** dL/dz of softmax + cross-entropy = (probs − y) / m */
export function softmaxCrossEntropyBackward(P: Float64Array, Y: Float64Array, M: number): Float64Array {
  const out = new Float64Array(P.length);
  for (let i = 0; i < P.length; i++) out[i] = (P[i]! - Y[i]!) / M;
  return out;
}

/** L = (1/2m) Σ (ŷ − y)² */
export function mse(P: Float64Array, Y: Float64Array, M: number): number {
  let s = 0;
  for (let i = 0; i < P.length; i++) s += (P[i]! - Y[i]!) ** 2;
  return s / (2 * M);
}

/** dL/dŷ = (ŷ − y) / m */
export function mseBackward(P: Float64Array, Y: Float64Array, M: number): Float64Array {
  return softmaxCrossEntropyBackward(P, Y, M);
}
