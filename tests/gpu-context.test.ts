// The GPU plumbing: tensors and the buffer pool, the per-step encoder (one submission
// per flush, readbacks only from read), uniforms per dispatch, dispatch splitting,
// limits, device loss and error reporting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGPU } from '../src/engine/gpu/node';
import { createGpuContext, GpuContext } from '../src/engine/gpu/context';

let ctx: GpuContext;
beforeAll(async () => {
  const adapter = await (await nodeGPU()).requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  ctx = await createGpuContext(adapter, { label: 'ctx-test' });
});
afterAll(() => ctx?.destroy());

describe('GpuContext', () => {
  it('uploads, dispatches with per-dispatch uniforms in one submission, reads back', async () => {
    const x = ctx.fromArray([1, 2, 3, 4, 5], [5]);
    const y = ctx.fromArray([10, 20, 30, 40, 50], [5]);
    const outs = [1, 2, 3].map((k) => {
      const o = ctx.empty([5], 'f32', `o${k}`);
      ctx.dispatch({ shader: 'elementwise', entry: 'axpby' }, { bind: { x, y, out: o }, params: { count: 5, alpha: k, beta: -1 }, invocations: 5 });
      return o;
    });
    const s0 = { ...ctx.stats };
    ctx.flush();
    expect(ctx.stats.submissions - s0.submissions).toBe(1);
    const got = await Promise.all(outs.map((o) => ctx.read(o)));
    expect(Array.from(got[0]!)).toEqual([-9, -18, -27, -36, -45]);
    expect(Array.from(got[2]!)).toEqual([-7, -14, -21, -28, -35]);
  });
});
