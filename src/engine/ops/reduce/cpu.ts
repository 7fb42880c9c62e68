// Reductions on the float64 CPU reference (the math of shaders/reduce.wgsl).

/** 1ᵀX: X (M, N) → (1, N) column sums */
export function sumRows(X: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[j] += X[i * N + j]!;
  return out;
}

/** the index of each row's maximum (the first one on ties): X (M, N) → (M) */
export function argmax(X: Float64Array, M: number, N: number): Float64Array {
  const out = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let best = 0;
    for (let j = 1; j < N; j++) if (X[i * N + j]! > X[i * N + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** rows whose arg-max agrees between scores and one-hot labels, both (M, N) */
export function countCorrect(S: Float64Array, Y: Float64Array, M: number, N: number): number {
  const a = argmax(S, M, N);
  const b = argmax(Y, M, N);
  let n = 0;
  for (let i = 0; i < M; i++) if (a[i] === b[i]) n++;
  return n;
}

/** 1 when every element of x (and y, when given) is finite, else 0 */
export function allFinite(x: Float64Array, y: Float64Array | null): number {
  return x.every(Number.isFinite) && (!y || y.every(Number.isFinite)) ? 1 : 0;
}
