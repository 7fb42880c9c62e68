// Which kernel variants the GPU ops use: one record per device (ctx.tuning), read by the
// matmul, conv and reduction launches; tests and the Performance page change it to
// compare paths.

/** How a matrix product is computed: workgroup-memory tiles, or register blocks only (ops/matmul/gpu.ts). */
export type MatmulVariant = 'tiled' | 'registers';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['tiled', 'registers'];

/** Which tuned variants the kernels may use (all on by default; tests turn them off to check the fallbacks). */
export interface KernelTuning {
  /** the matrix product's kernel: 'tiled' on GPUs, 'registers' on software adapters (createGpuContext) */
  matmul: MatmulVariant;
  /** vec4 loads where the data allows them; false: always scalar loads */
  vec4: boolean;
  /** narrower tiles for skinny products; false: always 64×64 */
  skinnyTiles: boolean;
  /** subgroup reductions when the device has the 'subgroups' feature; false: workgroup memory only */
  subgroups: boolean;
  /** split the rows of a conv weight gradient across workgroups when the layer has few weights; false: one workgroup per weight */
  splitRows: boolean;
  /** the implicit convolution backward's kernel (ops/conv/gpu.ts): register blocks, or one workgroup per weight */
  convBackward: ConvBackwardVariant;
}

/**
 * How the implicit convolution backward computes [dW; db] and dX (ops/conv/gpu.ts):
 *   'blocked'   conv_backward.wgsl: dW as register-block outer products reduced over the
 *               rows, dX as a transposed convolution, a block of pixels × channels per
 *               invocation (the default)
 *   'per-weight' conv2d.wgsl conv2d_backward: a workgroup per element of [dW; db], an
 *               invocation per element of dX (the first version, kept to compare)
 */
export type ConvBackwardVariant = 'blocked' | 'per-weight';
export const CONV_BACKWARD_VARIANTS: readonly ConvBackwardVariant[] = ['blocked', 'per-weight'];

export const DEFAULT_TUNING: Readonly<KernelTuning> = {
  matmul: 'tiled',
  vec4: true,
  skinnyTiles: true,
  subgroups: true,
  splitRows: true,
  convBackward: 'blocked',
};

/** the tuning a device starts with: the defaults, with register-block products on a software adapter */
export function defaultTuning(software: boolean): KernelTuning {
  return { ...DEFAULT_TUNING, matmul: software ? 'registers' : 'tiled' };
}
