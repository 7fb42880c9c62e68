// The matrix products of matmul.wgsl, host side: their variants, tile shapes and vec4 loads,
// and the launches of matmul and denseGrads (gemm); the implicit convolution forward
// (ops/conv/gpu.ts) shares productLaunch.
//
// Two ways to compute a product (matmul.wgsl), chosen per device by `tuning.matmul`:
//   'tiled'      workgroups stage K slices of A and B in workgroup memory between barriers
//                (the GPU kernel; the default on hardware adapters);
//   'registers'  every invocation an up to 8×8 register block fed by vec4 loads from global memory,
//                no workgroup memory, no barrier (the default on software adapters —
//                SwiftShader, WARP, llvmpipe — where it measured 2–6× faster: docs/benchmarks.md).
// createGpuContext sets it from the adapter (gpu/tuning.ts); set backend.tuning to compare them.
//
// Variants are override constants of one WGSL file, so each is its own cached pipeline:
//   tiles  WX × WY invocations own a 4·WY × 4·WX tile of C. 16×16 (64×64 tiles) in
//          general; for a skinny product (N or M ≤ 16: a conv with 6 filters, a 10-class
//          output, a batch of 1) a 128×16 or 16×128 tile, and 32×32 when both are ≤ 32, so
//          the workgroups do not spend most of their work on zeros past the matrix edge.
//   vec4   16-byte loads when the stored matrix's contiguous dimension is a multiple of 4
//          (its rows then start 16-byte aligned: every bound tensor starts at a 256-byte
//          offset); scalar loads otherwise.

import type { Activation } from '../../backend';
import type { GpuContext, GpuTensor } from '../../gpu/context';
import { MATMUL_VARIANTS } from '../../gpu/tuning';
import type { MatmulSignature } from '../../signatures';
import { actCode } from '../elementwise/gpu';

/** [WX, WY]: invocations of a workgroup along N and M; its tile of C is 4·WY × 4·WX */
export function gemmTile(M: number, N: number, skinny: boolean): [number, number] {
  if (!skinny) return [16, 16];
  if (M <= 32 && N <= 32) return [8, 8]; //   32 × 32: both small
  if (N <= 16) return [4, 32]; //             128 × 16: few columns (conv filters, classes)
  if (M <= 16) return [32, 4]; //              16 × 128: few rows (a small batch)
  return [16, 16]; //                          64 × 64
}

/**
 * Columns of C per invocation of a register-block product: 8 (two vec4 groups) when C has
 * more than 4. On a software adapter every load is a per-invocation gather, so a wider block
 * (fewer loads per multiply-add) wins even where it computes a few columns past N
 * (N = 6: 8 columns, 6 stored — LeNet's first conv).
 */
export function registerCols(N: number): 4 | 8 {
  return N > 4 ? 8 : 4;
}

/** rows of C per invocation of a register-block product: 8 when C has more than 4 (as registerCols) */
export function registerRows(M: number): 4 | 8 {
  return M > 4 ? 8 : 4;
}

/**
 * [WX, WY] of a register-block product: 64 invocations, each a registerRows(M) ×
 * registerCols(N) block of C, shaped so that a skinny C (N or M of a few blocks) does not
 * leave most of the workgroup idle.
 */
export function registerTile(M: number, N: number): [number, number] {
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
  const colBlocks = Math.ceil(N / registerCols(N));
  const rowBlocks = Math.ceil(M / registerRows(M));
  if (colBlocks < 8) {
    const wx = pow2(colBlocks);
    return [wx, 64 / wx];
  }
  if (rowBlocks < 8) {
    const wy = pow2(rowBlocks);
    return [64 / wy, wy];
  }
  return [8, 8];
}

/**
 * The launch shape of a product C (M, N) in the adapter's variant (tuning.matmul), shared by
 * matmul.wgsl and the implicit convolution forward:
 *   tiled      a workgroup owns a 4·WY × 4·WX tile of C (workgroup memory)
 *   registers  each invocation a BM × BN block of C, WX × WY invocations per workgroup
 * `constants` are the kernel's overrides (WX, WY, and BM, BN for registers); `groups` the grid.
 */
export function productLaunch(ctx: GpuContext, M: number, N: number, label: string) {
  const tuning = ctx.tuning;
  const registers = tuning.matmul === 'registers';
  if (!registers && tuning.matmul !== 'tiled') {
    throw new Error(`${label}: unknown matmul variant '${String(tuning.matmul)}'; known: ${MATMUL_VARIANTS.join(', ')}`);
  }
  const [wx, wy] = registers ? registerTile(M, N) : gemmTile(M, N, tuning.skinnyTiles);
  const bm = registers ? registerRows(M) : 4;
  const bn = registers ? registerCols(N) : 4;
  const constants: Record<string, number | boolean> = registers ? { WX: wx, WY: wy, BM: bm, BN: bn } : { WX: wx, WY: wy };
  const groups: [number, number] = [Math.ceil(N / (bn * wx)), Math.ceil(M / (bm * wy))];
  return { registers, constants, groups };
}

export interface GemmArgs {
  /** matmul: C = act(op(A)·op(B) + bias) or (op(A)·op(B)) ⊙ σ'(Y);  dense_grads: [C; db] = [Aᵀ; 1ᵀ]·B */
  entry: 'matmul' | 'dense_grads';
  A: GpuTensor;
  B: GpuTensor;
  C: GpuTensor;
  /** sizes of the product: op(A) (M, K), op(B) (K, N); dense_grads: M counts the row of ones */
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  bias?: GpuTensor | null;
  act?: number;
  /** the backward epilogue's Y and activation code */
  dactY?: GpuTensor | null;
  dact?: number;
  /** dense_grads: where the row of ones lands (1, N) */
  db?: GpuTensor;
  label: string;
}

/** Records one tiled product of matmul.wgsl, with the tile and load variants the shape allows. */
export function gemm(ctx: GpuContext, g: GemmArgs): void {
  const tuning = ctx.tuning;
  const { registers, constants: tile, groups } = productLaunch(ctx, g.M, g.N, g.label);
  // the contiguous dimension of each stored matrix: A (M, K) → K, A (K, M') → M'; B (K, N) → N, B (N, K) → K
  const storedRowsA = g.entry === 'dense_grads' ? g.M - 1 : g.M;
  const vecA = tuning.vec4 && (g.transA ? storedRowsA : g.K) % 4 === 0;
  const vecB = tuning.vec4 && (g.transB ? g.K : g.N) % 4 === 0;
  const constants: Record<string, number | boolean> = {
    TRANS_A: g.transA,
    TRANS_B: g.transB,
    VEC_A: vecA,
    VEC_B: vecB,
    ONES_ROW: g.entry === 'dense_grads',
    ...tile,
  };
  const bind: Record<string, GpuTensor> = { a: g.A, a4: g.A, b: g.B, b4: g.B, c: g.C };
  if (g.entry === 'matmul') {
    bind.bias = g.bias ?? ctx.placeholder;
    bind.y = g.dactY ?? ctx.placeholder;
  } else {
    if (!g.db) throw new Error(`${g.label}: dense_grads needs db`);
    bind.db = g.db;
  }
  ctx.dispatch(
    { shader: 'matmul', entry: registers ? `${g.entry}_registers` : g.entry, constants },
    {
      bind,
      params: { M: g.M, N: g.N, K: g.K, has_bias: g.bias ? 1 : 0, act: g.act ?? 0, dact: g.dact ?? 0 },
      groups,
      label: g.label,
    },
  );
}

/**
 * C (M, N) = act(op(A)·op(B) + 1·b), or (op(A)·op(B)) ⊙ σ'(Y) with a backward epilogue
 * (dactY, its activation); shapes checked by signatures.ts's matmulSignature.
 */
export function matmul(
  ctx: GpuContext,
  A: GpuTensor,
  B: GpuTensor,
  C: GpuTensor,
  s: MatmulSignature,
  epilogue: { bias: GpuTensor | null; act: Activation; dactY: GpuTensor | null; dact?: Activation },
): void {
  const { M, N, K } = s;
  const dact = epilogue.dact ? actCode('matmul', epilogue.dact) : 0;
  gemm(ctx, {
    entry: 'matmul',
    A,
    B,
    C,
    M,
    N,
    K,
    transA: s.transA,
    transB: s.transB,
    bias: epilogue.bias,
    act: actCode('matmul', epilogue.act),
    dactY: epilogue.dactY,
    dact,
    label: `matmul ${M}×${K}·${K}×${N}${dact ? ` ⊙ ${epilogue.dact}'` : ''}`,
  });
}

/** [dW; db] = [Xᵀ; 1ᵀ]·dZ: X (m, n_in), dZ (m, n_out) into dW (n_in, n_out), db (1, n_out) */
export function denseGrads(ctx: GpuContext, X: GpuTensor, D: GpuTensor, dw: GpuTensor, db: GpuTensor, m: number, nIn: number, nOut: number): void {
  // op(A) = Xᵀ with a row of ones, (n_in + 1) × m
  gemm(ctx, {
    entry: 'dense_grads',
    A: X,
    B: D,
    C: dw,
    db,
    M: nIn + 1,
    N: nOut,
    K: m,
    transA: true,
    transB: false,
    label: `dense grads [dW; db] (${nIn}+1)×${m}·${m}×${nOut}`,
  });
}
