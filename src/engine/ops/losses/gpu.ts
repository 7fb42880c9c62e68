// Losses on the GPU (shaders/cross_entropy.wgsl), each averaged over the m rows:
//
//   crossEntropy, mse                       one workgroup adds the batch       ce_loss, mse_loss
//   crossEntropyBackward, mseBackward,      one invocation per element         ce_backward, mse_backward,
//   softmaxCrossEntropyBackward                                                softmax_ce_backward
//   softmaxCrossEntropy (+ its gradient)    one workgroup: probs, loss (, dZ)  softmax_ce (softmax_ce_grad)

import type { GpuContext, GpuTensor } from '../../gpu/context';

/** the loss L (1) of ŷ and y, both (M, N), by a reducing entry point */
export function reducedLoss(ctx: GpuContext, op: string, entry: string, P: GpuTensor, Y: GpuTensor, M: number, N: number): GpuTensor {
  const loss = ctx.empty([1], 'f32', op);
  ctx.dispatch({ shader: 'cross_entropy', entry }, { bind: { yhat: P, y: Y, loss }, params: { rows: M, cols: N }, groups: 1 });
  return loss;
}

/** dL/dŷ (M, N) by an elementwise entry point */
export function lossGrad(ctx: GpuContext, op: string, entry: string, P: GpuTensor, Y: GpuTensor, M: number, N: number): GpuTensor {
  const grad = ctx.empty([M, N], 'f32', op);
  ctx.dispatch({ shader: 'cross_entropy', entry }, { bind: { yhat: P, y: Y, grad }, params: { rows: M, cols: N }, invocations: M * N });
  return grad;
}

/** probs = softmax(Z), L = −(1/m) Σ y·ln probs, and with `grad` dZ = (probs − y)/m: one dispatch */
export function softmaxCrossEntropy(
  ctx: GpuContext,
  Z: GpuTensor,
  Y: GpuTensor,
  M: number,
  N: number,
  grad: boolean,
): { loss: GpuTensor; probs: GpuTensor; dz?: GpuTensor } {
  const loss = ctx.empty([1], 'f32', 'softmaxCrossEntropy loss');
  const probs = ctx.empty([M, N], 'f32', 'softmaxCrossEntropy probs');
  if (grad) {
    const dz = ctx.empty([M, N], 'f32', 'softmaxCrossEntropy dZ');
    ctx.dispatch(
      { shader: 'cross_entropy', entry: 'softmax_ce_grad' },
      { bind: { logits: Z, y: Y, loss, probs, grad: dz }, params: { rows: M, cols: N }, groups: 1 },
    );
    return { loss, probs, dz };
  }
  ctx.dispatch(
    { shader: 'cross_entropy', entry: 'softmax_ce' },
    { bind: { logits: Z, y: Y, loss, probs }, params: { rows: M, cols: N }, groups: 1 },
  );
  return { loss, probs };
}
