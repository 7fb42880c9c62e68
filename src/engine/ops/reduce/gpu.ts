// Reductions on the GPU (shaders/reduce.wgsl).
//
//   sumRows        a workgroup per column; group_sum adds (subgroups when the device has them)
//   argmax         an invocation per row
//   countCorrect   one workgroup
//   allFinite      one workgroup

import type { GpuContext, GpuTensor } from '../../gpu/context';

/** 1ᵀX: X (M, N) → (1, N) */
export function sumRows(ctx: GpuContext, X: GpuTensor, M: number, N: number): GpuTensor {
  const out = ctx.empty([1, N], 'f32', 'sumRows');
  const red = ctx.reduction();
  ctx.dispatch(
    { shader: 'reduce', entry: 'sum_rows', subgroups: red.subgroups, constants: { GROUP_SIZE: red.size } },
    { bind: { x: X, out }, params: { rows: M, cols: N }, groups: N },
  );
  return out;
}

/** the index of each row's maximum: X (M, N) → (M) u32 */
export function argmax(ctx: GpuContext, X: GpuTensor, M: number, N: number): GpuTensor {
  const idx = ctx.empty([M], 'u32', 'argmax');
  ctx.dispatch({ shader: 'reduce', entry: 'argmax_rows' }, { bind: { x: X, idx }, params: { rows: M, cols: N }, invocations: M });
  return idx;
}

/** rows whose arg-max agrees between scores and one-hot labels, both (M, N) → (1) */
export function countCorrect(ctx: GpuContext, S: GpuTensor, Y: GpuTensor, M: number, N: number): GpuTensor {
  const out = ctx.empty([1], 'f32', 'countCorrect');
  ctx.dispatch({ shader: 'reduce', entry: 'count_correct' }, { bind: { x: S, y: Y, out }, params: { rows: M, cols: N }, groups: 1 });
  return out;
}

/** (1) = 1 when every element of X (and Y) is finite, else 0 */
export function allFinite(ctx: GpuContext, X: GpuTensor, Y: GpuTensor | null): GpuTensor {
  const out = ctx.empty([1], 'f32', 'allFinite');
  // without y, x is bound in its place too (both read-only; cols = 0: never read as y)
  const bind = { x: X, y: Y ?? X, out };
  ctx.dispatch({ shader: 'reduce', entry: 'all_finite' }, { bind, params: { rows: X.size, cols: Y ? Y.size : 0 }, groups: 1 });
  return out;
}
