// Pooling on the GPU: max or average over kh×kw windows of an NHWC image, with stride
// and zero padding that takes part in the window (the course pads, then pools).
//
//   pool2d           x (m, H, W, C) → y (m, oh, ow, C) [+ arg (m, oh, ow, C) u32 for max]   1 dispatch
//   pool2dBackward   dy (m, oh, ow, C) → dx (m, H, W, C)                                    1 dispatch
//
// Max records the flat index into x of each window's maximum (the first one on ties;
// 0xffffffff when the maximum is a padding zero, whose gradient goes nowhere) and its
// backward sends dy there; average spreads dy/(kh·kw) over the window.
// Kernels: shaders/pool.wgsl. Geometry and shape checks: signatures.ts, shared with the CPU
// reference (cpu.ts).

import type { ActivationGrad, Pool2DOptions, PoolResult, Tensor } from '../../backend';
import { shapeStr, sizeOf, windowUniforms, type Shape, type Window2D } from '../../geometry';
import type { GpuContext, GpuTensor } from '../../gpu/context';
import { pool2dBackwardSignature, pool2dSignature } from '../../signatures';
import { actCode } from '../elementwise/gpu';

/** The uniform struct `Win` of pool.wgsl (count: elements the kernel writes; dact: σ' code or 0). */
function winParams(win: Window2D, count: number, dact = 0): Record<string, number> {
  return {
    ...windowUniforms(win),
    count,
    dact,
  };
}

/** y (m, oh, ow, C) = max or mean over each window; max also returns the arg-max (u32). */
export function pool2d(ctx: GpuContext, x: Tensor, opts: Pool2DOptions): PoolResult {
  const X = ctx.useF32(x, 'pool2d', 'X');
  const { win, mode, shape } = pool2dSignature(X.shape, opts);
  const y = ctx.empty(shape, 'f32', `${mode}pool`);
  const desc = `${mode}pool ${win.kh}×${win.kw}/${win.stride} ${shapeStr(X.shape)} → ${shapeStr(shape)}`;
  if (mode === 'max') {
    const arg = ctx.empty(shape, 'u32', 'maxpool argmax');
    ctx.dispatch(
      { shader: 'pool', entry: 'pool_max' },
      { bind: { x: X, y, arg }, params: winParams(win, y.size), invocations: y.size, label: desc },
    );
    return { y, argmax: arg };
  }
  ctx.dispatch(
    { shader: 'pool', entry: 'pool_avg' },
    { bind: { x: X, y }, params: winParams(win, y.size), invocations: y.size, label: desc },
  );
  return { y };
}

/** dx (xShape) from dy (m, oh, ow, C): max routes dy to the recorded arg-max, avg spreads dy/(kh·kw). */
export function pool2dBackward(
  ctx: GpuContext,
  dy: Tensor,
  xShape: Shape,
  opts: Pool2DOptions,
  argmax?: Tensor,
  dact?: ActivationGrad,
): GpuTensor {
  const op = 'pool2dBackward';
  const D = ctx.useF32(dy, op, 'dY');
  const act = dact ? ctx.useF32(dact.y, op, 'dact.y') : ctx.placeholder;
  const A = argmax ? ctx.use(argmax, op, 'argmax') : undefined;
  if (A && A.dtype !== 'u32') throw new TypeError(`${op}: argmax '${A.label}' must be u32, got ${A.dtype}`);
  const { win, mode } = pool2dBackwardSignature(D.shape, xShape, opts, A?.shape, dact ? act.shape : undefined);
  const code = dact ? actCode(op, dact.activation) : 0;
  const dx = ctx.empty(xShape, 'f32', `d${mode}pool`);
  const count = sizeOf(xShape);
  const desc = `${mode}pool backward ${shapeStr(D.shape)} → ${shapeStr(xShape)}${code ? ` ⊙ ${dact!.activation}'` : ''}`;
  if (mode === 'max') {
    ctx.dispatch(
      { shader: 'pool', entry: 'pool_max_backward' },
      { bind: { dy: D, arg_in: A!, x_act: act, dx }, params: winParams(win, count, code), invocations: count, label: desc },
    );
  } else {
    ctx.dispatch(
      { shader: 'pool', entry: 'pool_avg_backward' },
      { bind: { dy: D, x_act: act, dx }, params: winParams(win, count, code), invocations: count, label: desc },
    );
  }
  return dx;
}
