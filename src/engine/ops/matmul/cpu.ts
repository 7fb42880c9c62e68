// Matrix products on the float64 CPU reference (the math of shaders/matmul.wgsl).

import type { Activation } from '../../backend';
import type { MatmulSignature } from '../../signatures';
import { activate } from '../elementwise/cpu';

/**
 * C (M, N) = act(op(A)·op(B) + 1·b): C[i,j] = σ(Σ_k op(A)[i,k]·op(B)[k,j] + b[j]);
 * A stored (M, K), or (K, M) when transA; B stored (K, N), or (N, K) when transB.
 */
export function matmul(A: Float64Array, B: Float64Array, s: MatmulSignature, bias: Float64Array | null, act: Activation): Float64Array {
  const { M, N, K, transA, transB } = s;
  const ac = transA ? M : K; // columns of A as stored
  const bc = transB ? K : N; // columns of B as stored
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? A[k * ac + i]! : A[i * ac + k]!;
        const bv = transB ? B[j * bc + k]! : B[k * bc + j]!;
        sum += av * bv;
      }
      C[i * N + j] = activate(act, sum + (bias ? bias[j]! : 0));
    }
  }
  return C;
}

/** [dW; db] = [Xᵀ; 1ᵀ]·dZ: X (m, n_in), dZ (m, n_out) → dW (n_in, n_out), db (1, n_out) */
export function denseGrads(X: Float64Array, D: Float64Array, m: number, nIn: number, nOut: number): { dw: Float64Array; db: Float64Array } {
  const dw = new Float64Array(nIn * nOut);
  const db = new Float64Array(nOut);
  for (let r = 0; r < m; r++)
    for (let j = 0; j < nOut; j++) {
      const g = D[r * nOut + j]!;
      db[j] += g;
      for (let i = 0; i < nIn; i++) dw[i * nOut + j] += X[r * nIn + i]! * g;
    }
  return { dw, db };
}
