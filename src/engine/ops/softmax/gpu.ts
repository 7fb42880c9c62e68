// Softmax along rows on the GPU (shaders/softmax.wgsl): one invocation per row.

import type { GpuContext, GpuTensor } from '../../gpu/context';

/** σ (M, N) = softmax of each row of X (M, N) */
export function softmax(ctx: GpuContext, X: GpuTensor, M: number, N: number): GpuTensor {
  const out = ctx.empty([M, N], 'f32', 'softmax');
  ctx.dispatch({ shader: 'softmax', entry: 'softmax' }, { bind: { x: X, out }, params: { rows: M, cols: N }, invocations: M });
  return out;
}

/** dX = σ ⊙ (dY − rowsum(dY ⊙ σ)), all (M, N) */
export function softmaxBackward(ctx: GpuContext, D: GpuTensor, S: GpuTensor, M: number, N: number): GpuTensor {
  const out = ctx.empty([M, N], 'f32', 'dsoftmax');
  ctx.dispatch(
    { shader: 'softmax', entry: 'softmax_backward' },
    { bind: { dy: D, sigma: S, out }, params: { rows: M, cols: N }, invocations: M },
  );
  return out;
}
