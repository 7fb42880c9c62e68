// Elementwise ops on the GPU (shaders/elementwise.wgsl; σ and σ' from
// shaders/lib/activation.wgsl): one invocation per element, one dispatch each.
//
//   biasActivation       Y = σ(X + 1·b)          bias_act
//   activationBackward   dZ = dY ⊙ σ'(Y)         act_backward
//   axpby, scale         α·x + β·y, s·x          axpby, scale

import type { Activation } from '../../backend';
import { ACTIVATIONS } from '../../backend';
import type { GpuContext, GpuTensor } from '../../gpu/context';

const ACT_CODE: Record<Activation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** the WGSL activation code (0 linear, 1 relu, 2 sigmoid, 3 tanh); unknown names throw */
export function actCode(op: string, act: Activation): number {
  const code = ACT_CODE[act];
  if (code === undefined) throw new Error(`${op}: unknown activation '${String(act)}'; known: ${ACTIVATIONS.join(', ')}`);
  return code;
}

/** Y (M, N) = σ(X + 1·b), b (1, N) or none */
export function biasActivation(ctx: GpuContext, X: GpuTensor, B: GpuTensor | null, M: number, N: number, act: Activation): GpuTensor {
  const Y = ctx.empty([M, N], 'f32', `${act}`);
  ctx.dispatch(
    { shader: 'elementwise', entry: 'bias_act', constants: { HAS_BIAS: B !== null, ACT: actCode('biasActivation', act) } },
    { bind: { x: X, b: B ?? ctx.placeholder, out: Y }, params: { count: M * N, cols: N }, invocations: M * N },
  );
  return Y;
}

/** dZ = dY ⊙ σ'(Y), written with Y = σ(Z); `code` the activation's WGSL code */
export function activationBackward(ctx: GpuContext, D: GpuTensor, Y: GpuTensor, code: number, label: string): GpuTensor {
  const out = ctx.empty(Y.shape, 'f32', label);
  ctx.dispatch(
    { shader: 'elementwise', entry: 'act_backward', constants: { ACT: code } },
    { bind: { dy: D, y: Y, out }, params: { count: Y.size, cols: 1 }, invocations: Y.size },
  );
  return out;
}

/** α·x + β·y (y: x itself for scale, where β = 0) */
export function axpby(ctx: GpuContext, alpha: number, X: GpuTensor, beta: number, Y: GpuTensor | null, label: string): GpuTensor {
  const out = ctx.empty(X.shape, 'f32', label);
  if (Y) {
    ctx.dispatch({ shader: 'elementwise', entry: 'axpby' }, { bind: { x: X, y: Y, out }, params: { count: X.size, alpha, beta }, invocations: X.size });
  } else {
    ctx.dispatch({ shader: 'elementwise', entry: 'scale' }, { bind: { x: X, out }, params: { count: X.size, alpha, beta: 0 }, invocations: X.size });
  }
  return out;
}
