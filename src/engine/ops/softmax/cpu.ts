// Softmax along rows on the float64 CPU reference (the math of shaders/softmax.wgsl).

/** σ_ij = exp(x_ij − max_i) / Σ_k exp(x_ik − max_i): X (M, N) → (M, N) */
export function softmax(X: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    let mx = -Infinity;
    for (let j = 0; j < N; j++) mx = Math.max(mx, X[i * N + j]!);
    let s = 0;
    for (let j = 0; j < N; j++) s += out[i * N + j] = Math.exp(X[i * N + j]! - mx);
    for (let j = 0; j < N; j++) out[i * N + j]! /= s;
  }
  return out;
}

/** dX_ij = σ_ij (dY_ij − Σ_k dY_ik σ_ik): the Jacobian-vector product of softmax */
export function softmaxBackward(D: Float64Array, S: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    let dot = 0;
    for (let k = 0; k < N; k++) dot += D[i * N + k]! * S[i * N + k]!;
    for (let j = 0; j < N; j++) out[i * N + j] = S[i * N + j]! * (D[i * N + j]! - dot);
  }
  return out;
}
