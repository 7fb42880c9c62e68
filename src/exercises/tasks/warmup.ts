// The warm-ups: getting to know np with three products, each written two ways.

import type { ExerciseInfo } from './types';

export const WARMUPS: ExerciseInfo[] = [
  {
    id: 'warmup-trace',
    chapter: 'hand',
    title: 'Warm-up: the trace, two ways',
    prompt: `The trace of a square matrix is the sum of its diagonal: $\\operatorname{tr}(A) = \\sum_i A_{ii}$.

Write it twice, for $A$ of shape $(n, n)$:

- \`trace(A)\` with plain np (a loop over $i$ adding \`A.get(i, i).item()\`, or \`np.trace\`);
- \`traceEinsum(A)\` with one call to \`np.einsum\`: a repeated index on one operand sums the diagonal.

Both return one number (a plain number or an array of shape $()$). The checker compares both with the reference and shows how far apart your two answers are.`,
    starter: `// A: (n, n) → a number
function trace(A) {
  // your code here
}

// the same with np.einsum
function traceEinsum(A) {
  // your code here
}
`,
    names: ['trace', 'traceEinsum'],
    forbidsExampleLoop: false,
  },
  {
    id: 'warmup-matmul',
    chapter: 'hand',
    title: 'Warm-up: the matrix product, two ways',
    prompt: `The matrix product $C = AB$ of $A$ $(n, k)$ and $B$ $(k, m)$ is $C_{ij} = \\sum_l A_{il} B_{lj}$, of shape $(n, m)$.

Write it twice:

- \`matmul(A, B)\` with \`np.matmul\` (or \`A.matmul(B)\`, \`np.dot\`);
- \`matmulEinsum(A, B)\` with \`np.einsum\`, spelling out the indices: which one is summed, which ones remain.`,
    starter: `// A: (n, k), B: (k, m) → C: (n, m)
function matmul(A, B) {
  // your code here
}

function matmulEinsum(A, B) {
  // your code here
}
`,
    names: ['matmul', 'matmulEinsum'],
    forbidsExampleLoop: false,
  },
  {
    id: 'warmup-batched-matmul',
    chapter: 'hand',
    title: 'Warm-up: a batch of matrix products, two ways',
    prompt: `A batch of $b$ products at once: $C_{s} = A_{s} B_{s}$ for every $s$, with $A$ $(b, n, k)$, $B$ $(b, k, m)$ and $C$ $(b, n, m)$:
$$C_{sij} = \\sum_l A_{sil} B_{slj}.$$

- \`batchedMatmul(A, B)\` with \`np.matmul\`, which treats leading axes as a batch;
- \`batchedMatmulEinsum(A, B)\` with \`np.einsum\`.

No loop over $s$: the checker counts your np operations for two batch sizes, and the count must not grow with $b$.`,
    starter: `// A: (b, n, k), B: (b, k, m) → C: (b, n, m)
function batchedMatmul(A, B) {
  // your code here
}

function batchedMatmulEinsum(A, B) {
  // your code here
}
`,
    names: ['batchedMatmul', 'batchedMatmulEinsum'],
    forbidsExampleLoop: true,
  },
];
