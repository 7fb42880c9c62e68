// Pooling on WebGPU (shaders/pool.wgsl, src/engine/ops/pool) vs the float64 CPU reference:
// max and average pooling forward (with the arg-max) and backward (σ' fused), random
// configurations, asymmetric padding, ties; shape errors that name the op and the shapes.
import { describe, expect, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import type { Pool2DOptions } from '../../src/engine/backend';
import { Rng } from '../../src/engine/random';
import { activationOutput, exact, PADS, sumTol } from './inputs';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/pool');

interface PoolCase {
  m: number;
  h: number;
  w: number;
  c: number;
  opts: Pool2DOptions;
}

function randomPool(rng: Rng, mode: 'max' | 'avg'): PoolCase {
  for (;;) {
    const kh = 1 + rng.int(4);
    const kw = rng.uniform() < 0.6 ? kh : 1 + rng.int(4);
    const p: PoolCase = {
      m: 1 + rng.int(5),
      h: 2 + rng.int(9),
      w: 2 + rng.int(9),
      c: 1 + rng.int(4),
      opts: { mode, kernel: [kh, kw], stride: 1 + rng.int(2), pad: PADS[rng.int(PADS.length)]! },
    };
    if (p.h === p.w) p.w += 1;
    const padN = typeof p.opts.pad === 'number' ? p.opts.pad : 0;
    if (p.opts.pad !== 'same' && (p.h + 2 * padN < kh || p.w + 2 * padN < kw)) continue;
    return p;
  }
}

const describePool = (p: PoolCase) =>
  `${p.opts.mode}pool X (${p.m}, ${p.h}, ${p.w}, ${p.c}) ${p.opts.kernel[0]}×${p.opts.kernel[1]} stride ${p.opts.stride} pad ${JSON.stringify(p.opts.pad)}`;

async function checkPool(rng: Rng, p: PoolCase, data?: ArrayLike<number>): Promise<void> {
  const label = describePool(p);
  const shape = [p.m, p.h, p.w, p.c];
  const [xg, xc] = pair(data ?? randomArray(rng, p.m * p.h * p.w * p.c), shape);
  const d0 = gpu.stats.dispatches;
  const g = gpu.pool2d(xg, p.opts);
  expect(gpu.stats.dispatches - d0, 'pool2d = one dispatch').toBe(1);
  const c = cpu.pool2d(xc, p.opts);
  const [y, yRef] = await both(g.y, c.y);
  expectClose(y, yRef, { ...exact, label: `${label} y` });
  if (p.opts.mode === 'max') {
    expect(g.argmax?.dtype).toBe('u32');
    const [a, aRef] = await both(g.argmax!, c.argmax!);
    // read() hands u32 tensors back exactly (float64), padding marker 0xffffffff included
    expectClose(a, aRef, { atol: 0, rtol: 0, label: `${label} argmax` });
  } else {
    expect(g.argmax).toBeUndefined();
  }
  const [dyg, dyc] = pair(randomArray(rng, c.y.size), [...c.y.shape]);
  const d1 = gpu.stats.dispatches;
  const dxg = gpu.pool2dBackward(dyg, shape, p.opts, g.argmax);
  expect(gpu.stats.dispatches - d1, 'pool2dBackward = one dispatch').toBe(1);
  const [dx, dxRef] = await both(dxg, cpu.pool2dBackward(dyc, shape, p.opts, c.argmax));
  const [kh, kw] = p.opts.kernel;
  expectClose(dx, dxRef, { ...sumTol(kh * kw), label: `${label} dX` });
  // X as the output of an activation (a conv's relu, …): dX ⊙ σ'(X) in the same dispatch
  {
    const act = (['relu', 'sigmoid', 'tanh'] as const)[rng.int(3)]!;
    const [ag, ac] = pair(activationOutput(rng, p.m * p.h * p.w * p.c, act), shape);
    const d2 = gpu.stats.dispatches;
    const fused = gpu.pool2dBackward(dyg, shape, p.opts, g.argmax, { y: ag, activation: act });
    expect(gpu.stats.dispatches - d2, 'pool2dBackward with σ\' = one dispatch').toBe(1);
    const [f, fRef] = await both(fused, cpu.pool2dBackward(dyc, shape, p.opts, c.argmax, { y: ac, activation: act }));
    expectClose(f, fRef, { ...sumTol(kh * kw), label: `${label} dX ⊙ ${act}'` });
    gpu.dispose(ag, fused);
  }
  gpu.dispose(xg, g.y, g.argmax, dyg, dxg);
}

describe('pool2d forward and backward vs CPU reference', () => {
  it('max pooling, random configurations', async () => {
    const rng = new Rng(31);
    for (let t = 0; t < 12; t++) await checkPool(rng, randomPool(rng, 'max'));
  });

  it('average pooling, random configurations', async () => {
    const rng = new Rng(32);
    for (let t = 0; t < 12; t++) await checkPool(rng, randomPool(rng, 'avg'));
  });

  it("asymmetric 'same' padding: top ≠ left, bottom ≠ top (non-square window, stride 2, odd sizes)", async () => {
    // 7×6 input, 4×2 window, stride 2: pad top 1, bottom 2, left 0, right 0
    const rng = new Rng(35);
    for (const mode of ['max', 'avg'] as const) {
      await checkPool(rng, { m: 2, h: 7, w: 6, c: 2, opts: { mode, kernel: [4, 2], stride: 2, pad: 'same' } });
      await checkPool(rng, { m: 1, h: 5, w: 8, c: 3, opts: { mode, kernel: [2, 3], stride: 2, pad: 'same' } });
    }
  });

  it('the common 2×2/2 on 28×28×6, batch 4 (4704 outputs)', async () => {
    const rng = new Rng(33);
    for (const mode of ['max', 'avg'] as const) {
      await checkPool(rng, { m: 4, h: 28, w: 28, c: 6, opts: { mode, kernel: [2, 2], stride: 2, pad: 'valid' } });
    }
  });

  it('ties: the first maximum wins; a padding zero above negative inputs routes nowhere', async () => {
    const rng = new Rng(34);
    const opts: Pool2DOptions = { mode: 'max', kernel: [3, 3], stride: 1, pad: 1 };
    // all equal: every window picks its first inside element
    await checkPool(rng, { m: 1, h: 4, w: 5, c: 2, opts }, new Float64Array(40).fill(0.5));
    // all negative: windows touching the padding have the padding zero as their maximum
    const neg = randomArray(rng, 40, -2, -1);
    await checkPool(rng, { m: 1, h: 4, w: 5, c: 2, opts }, neg);
    const { argmax } = gpu.pool2d(gpu.fromArray(neg, [1, 4, 5, 2]), opts);
    const a = await gpu.read(argmax!);
    // output (0, 0, 0, 0)'s window covers the padding row above: arg-max 0xffffffff
    expect(a[0]).toBe(0xffffffff);
    // output (0, 1, 1, 0)'s window lies inside x: a real index
    expect(a[(1 * 5 + 1) * 2]).toBeLessThan(40);
  });
});

describe('shape errors name the op and the shapes', () => {
  it('pool2d / pool2dBackward: bad dY, missing or misshapen arg-max, unknown mode', () => {
    const x = gpu.zeros([1, 4, 6, 2]);
    const opts: Pool2DOptions = { mode: 'max', kernel: [2, 2], stride: 2, pad: 'valid' };
    const { argmax } = gpu.pool2d(x, opts);
    expect(() => gpu.pool2dBackward(gpu.zeros([1, 2, 2, 2]), [1, 4, 6, 2], opts, argmax)).toThrow(
      /pool2dBackward: dY has shape \(1, 2, 2, 2\), expected \(1, 2, 3, 2\)/,
    );
    expect(() => gpu.pool2dBackward(gpu.zeros([1, 2, 3, 2]), [1, 4, 6, 2], opts)).toThrow(/pool2dBackward: max pooling needs the arg-max/);
    expect(() => gpu.pool2dBackward(gpu.zeros([1, 2, 3, 2]), [1, 4, 6, 2], opts, gpu.zeros([1, 2, 3, 2]))).toThrow(
      /pool2dBackward: argmax .* must be u32/,
    );
    expect(() => gpu.pool2d(x, { ...opts, mode: 'min' as 'max' })).toThrow(/pool2d: unknown pooling mode 'min'/);
    expect(() => gpu.pool2d(gpu.zeros([4, 6, 2]), opts)).toThrow(/pool2d: input .* rank 4, got shape \(4, 6, 2\)/);
  });
});
