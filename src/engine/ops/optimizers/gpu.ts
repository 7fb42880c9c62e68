// Optimizer updates on the GPU, in place (shaders/optimizers.wgsl): one invocation per
// parameter, a whole parameter arena in one dispatch.

import type { AdamHyper, SgdHyper } from '../../backend';
import type { GpuContext, GpuTensor } from '../../gpu/context';

/** p ← p − lr·g, or with velocity v ← μ·v − lr·g, p ← p + v */
export function sgd(ctx: GpuContext, P: GpuTensor, G: GpuTensor, V: GpuTensor | null, h: SgdHyper): void {
  if (V) {
    ctx.dispatch(
      { shader: 'optimizers', entry: 'sgd_momentum' },
      { bind: { p: P, g: G, v: V }, params: { count: P.size, lr: h.lr, momentum: h.momentum }, invocations: P.size },
    );
  } else {
    ctx.dispatch(
      { shader: 'optimizers', entry: 'sgd' },
      { bind: { p: P, g: G }, params: { count: P.size, lr: h.lr, momentum: 0 }, invocations: P.size },
    );
  }
}

/** Adam with bias corrections c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ (t ≥ 1) */
export function adam(ctx: GpuContext, P: GpuTensor, G: GpuTensor, Mt: GpuTensor, Vt: GpuTensor, h: AdamHyper): void {
  if (!(h.t >= 1)) throw new Error(`adamUpdate: step count t must be ≥ 1 (1-based), got ${h.t}`);
  ctx.dispatch(
    { shader: 'optimizers', entry: 'adam' },
    {
      bind: { p: P, g: G, m: Mt, v: Vt },
      params: {
        count: P.size,
        lr: h.lr,
        beta1: h.beta1,
        beta2: h.beta2,
        eps: h.eps,
        c1: 1 - h.beta1 ** h.t,
        c2: 1 - h.beta2 ** h.t,
      },
      invocations: P.size,
    },
  );
}
