// The blocked convolution backward (shaders/conv_backward.wgsl, tuning.convBackward
// 'blocked', the default) against the float64 CPU reference, on WebGPU (Dawn: SwiftShader
// here; the suite fails, never skips, without an adapter).
//
//   [dW; db] = [colsᵀ; 1ᵀ]·dZ   register blocks of BK × BF, reduced over the rows by
//                               block_sum (subgroups or workgroup memory), rows split in
//                               chunks + conv2d_weight_grad_reduce for a layer with few weights
//   dX = convᵀ(dZ, W) ⊙ σ'(Y)   BP pixels × BC channels per invocation, gathered per pixel
//
// Random configurations: batch 1 and odd, non-square inputs and kernels, kernel 1–5, stride
// 1–3, every padding mode, 1–4 channels (and 6, 9: one and two channel blocks of 8), 1–12
// filters (vec4 and scalar loads of dZ and W), LeNet's two layers. Each check asserts which
// entry points ran.
import { describe, expect, it } from 'vitest';
import { cpu, gpu, kernelsOf, pair, useGpu } from './backends';
import { ACTIVATIONS, type Activation, type Tensor } from '../../src/engine/backend';
import { window2d } from '../../src/engine/geometry';
import { blockedBackwardLaunch } from '../../src/engine/ops/conv/gpu';
import { Rng } from '../../src/engine/random';
import { activationOutput, PADS, sumTol, type ConvCase as Case } from './inputs';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/conv-backward');

const describeCase = (k: Case) =>
  `X (${k.m}, ${k.h}, ${k.w}, ${k.c}) W ${k.kh}×${k.kw}×${k.c}×${k.f} stride ${k.stride} pad ${JSON.stringify(k.pad)}`;

/** a random configuration whose window fits: kernel 1–5, stride 1–3, batch 1–5, 1–4 channels, 1–12 filters */
function randomCase(rng: Rng): Case {
  for (;;) {
    const kh = 1 + rng.int(5);
    const kw = rng.uniform() < 0.5 ? kh : 1 + rng.int(5);
    const k: Case = {
      m: [1, 3, 5, 2][rng.int(4)]!,
      h: 3 + rng.int(12),
      w: 3 + rng.int(12),
      c: 1 + rng.int(4),
      f: 1 + rng.int(12),
      kh,
      kw,
      stride: 1 + rng.int(3),
      pad: PADS[rng.int(PADS.length)]!,
    };
    if (k.h === k.w) k.w += 1; // non-square inputs
    const p = typeof k.pad === 'number' ? k.pad : 0;
    if (k.pad !== 'same' && (k.h + 2 * p < kh || k.w + 2 * p < kw)) continue;
    return k;
  }
}

/**
 * conv2dBackward on the GPU (implicit, blocked) vs the CPU reference for one case: dW, db,
 * and dX (⊙ σ'(Y) when dact) when inputGrad; asserts the entry points that ran.
 */
async function check(rng: Rng, k: Case, inputGrad: boolean, dact?: Activation): Promise<void> {
  const [xg, xc] = pair(randomArray(rng, k.m * k.h * k.w * k.c), [k.m, k.h, k.w, k.c]);
  const [wg, wc] = pair(randomArray(rng, k.kh * k.kw * k.c * k.f), [k.kh, k.kw, k.c, k.f]);
  const win = window2d('conv2d', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
  const [dzg, dzc] = pair(randomArray(rng, k.m * win.oh * win.ow * k.f), [k.m, win.oh, win.ow, k.f]);
  const [yg, yc] = dact ? pair(activationOutput(rng, k.m * k.h * k.w * k.c, dact), [k.m, k.h, k.w, k.c]) : [null, null];
  const opts = { stride: k.stride, pad: k.pad };
  const ref = cpu.conv2dBackward(dzc, xc, wc, opts, inputGrad, dact ? { dact: { y: yc!, activation: dact } } : {});

  let got!: { dx?: Tensor; dw: Tensor; db: Tensor };
  const seen = kernelsOf(() => {
    got = gpu.conv2dBackward(dzg, xg, wg, { ...opts, algorithm: 'implicit' }, inputGrad, dact ? { dact: { y: yg!, activation: dact } } : {});
  }).map((kern) => ({ entry: kern.entry, subgroups: kern.subgroups === true }));
  const launch = blockedBackwardLaunch(gpu.ctx, win, k.f, inputGrad);
  const label = `${describeCase(k)}${inputGrad ? ' + dX' : ''}${dact ? ` ⊙ ${dact}'` : ''} (split ${launch.split})`;
  expect(
    seen.map((d) => d.entry),
    label,
  ).toEqual(launch.split > 1 ? ['conv2d_backward_blocked', 'conv2d_weight_grad_reduce'] : ['conv2d_backward_blocked']);
  expect(seen[0]!.subgroups, `${label}: subgroup reduction`).toBe(launch.subgroups);

  const rows = k.m * win.oh * win.ow;
  expectClose(await gpu.read(got.dw), await cpu.read(ref.dw), { ...sumTol(rows), label: `dW ${label}` });
  expectClose(await gpu.read(got.db), await cpu.read(ref.db), { ...sumTol(rows), label: `db ${label}` });
  if (inputGrad) {
    expect(got.dx!.shape).toEqual([k.m, k.h, k.w, k.c]);
    expectClose(await gpu.read(got.dx!), await cpu.read(ref.dx!), { ...sumTol(k.kh * k.kw * k.f), label: `dX ${label}` });
  } else {
    expect(got.dx).toBeUndefined();
  }
  gpu.dispose(xg, wg, dzg, yg, got.dw, got.db, got.dx);
}

describe('blocked convolution backward vs the float64 reference', () => {
  it('is the default implicit backward', () => {
    expect(gpu.tuning.convBackward).toBe('blocked');
  });

  // 24 configurations compiled and run on a software adapter: well under a minute alone, but
  // the suite shares two cores with the other test files, so its limit is wider than the default
  it('random configurations: kernel 1–5, stride 1–3, every padding, batch 1 and odd, 1–4 channels, 1–12 filters, σ\' fused', { timeout: 300_000 }, async () => {
    const rng = new Rng(131);
    for (let t = 0; t < 24; t++) {
      const k = randomCase(rng);
      const dact = t % 3 === 0 ? undefined : ACTIVATIONS[t % ACTIVATIONS.length];
      await check(rng, k, t % 5 !== 4, dact);
    }
  });

  it('every stride with every padding mode on odd, non-square sizes', async () => {
    const rng = new Rng(132);
    for (const stride of [1, 2, 3]) {
      for (const pad of PADS) {
        await check(rng, { m: 3, h: 9, w: 7, c: 2, f: 5, kh: 4, kw: 3, stride, pad }, true, 'tanh');
      }
    }
  });

  it("LeNet's layers at batch 5: 28×28×1 → 6 filters 5×5 same (no dX), 14×14×6 → 16 filters 5×5 valid (dX ⊙ relu')", async () => {
    await check(new Rng(133), { m: 5, h: 28, w: 28, c: 1, f: 6, kh: 5, kw: 5, stride: 1, pad: 'same' }, false);
    await check(new Rng(134), { m: 5, h: 14, w: 14, c: 6, f: 16, kh: 5, kw: 5, stride: 1, pad: 'valid' }, true, 'relu');
  });

  it('channels in two blocks of 8 (c = 9), 1×1 kernels, a single output pixel, batch 1', async () => {
    const rng = new Rng(135);
    await check(rng, { m: 1, h: 6, w: 5, c: 9, f: 7, kh: 3, kw: 3, stride: 1, pad: 1 }, true, 'sigmoid');
    await check(rng, { m: 3, h: 5, w: 6, c: 4, f: 12, kh: 1, kw: 1, stride: 2, pad: 0 }, true);
    await check(rng, { m: 1, h: 5, w: 4, c: 3, f: 2, kh: 5, kw: 4, stride: 3, pad: 'valid' }, true, 'relu');
  });

  it('rows split in chunks with dX in the same dispatch, and the fallbacks: no subgroups, no split, scalar loads', async () => {
    const saved = gpu.tuning;
    // [dW; db] of 3×3×2×3 is 19 × 3: 3 blocks of 8 × 8, 2352 rows
    const k: Case = { m: 3, h: 28, w: 28, c: 2, f: 3, kh: 3, kw: 3, stride: 1, pad: 'same' };
    try {
      const win = window2d('conv2d', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
      expect(blockedBackwardLaunch(gpu.ctx, win, k.f, true).split, 'the rows are split').toBeGreaterThan(1);
      let n = 0;
      for (const subgroups of [true, false]) {
        for (const splitRows of [true, false]) {
          for (const vec4 of [true, false]) {
            gpu.tuning = { ...saved, subgroups, splitRows, vec4 };
            expect(blockedBackwardLaunch(gpu.ctx, win, k.f, true).split > 1).toBe(splitRows);
            await check(new Rng(136 + n++), k, true, 'relu');
            await check(new Rng(136 + n++), { ...k, f: 8 }, false);
          }
        }
      }
    } finally {
      gpu.tuning = saved;
    }
  });

  it('agrees with the per-weight kernel it replaces (same inputs, both on the GPU)', async () => {
    const rng = new Rng(140);
    const k: Case = { m: 2, h: 10, w: 9, c: 3, f: 5, kh: 3, kw: 2, stride: 2, pad: 'same' };
    const x = gpu.fromArray(Float32Array.from(randomArray(rng, k.m * k.h * k.w * k.c)), [k.m, k.h, k.w, k.c]);
    const w = gpu.fromArray(Float32Array.from(randomArray(rng, k.kh * k.kw * k.c * k.f)), [k.kh, k.kw, k.c, k.f]);
    const win = window2d('conv2d', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
    const dz = gpu.fromArray(Float32Array.from(randomArray(rng, k.m * win.oh * win.ow * k.f)), [k.m, win.oh, win.ow, k.f]);
    const saved = gpu.tuning;
    const out: Float32Array[][] = [];
    try {
      for (const convBackward of ['blocked', 'per-weight'] as const) {
        gpu.tuning = { ...saved, convBackward };
        const g = gpu.conv2dBackward(dz, x, w, { stride: k.stride, pad: k.pad }, true);
        out.push([await gpu.read(g.dw), await gpu.read(g.db), await gpu.read(g.dx!)] as Float32Array[]);
        gpu.dispose(g.dw, g.db, g.dx);
      }
    } finally {
      gpu.tuning = saved;
    }
    for (let i = 0; i < 3; i++) expectClose(out[0]![i]!, out[1]![i]!, { ...sumTol(100), label: ['dW', 'db', 'dX'][i] });
    gpu.dispose(x, w, dz);
  });

  it('refuses an unknown backward variant by name', () => {
    const saved = gpu.tuning;
    const x = gpu.fromArray(new Float32Array(2 * 4 * 4), [2, 4, 4, 1]);
    const w = gpu.fromArray(new Float32Array(9), [3, 3, 1, 1]);
    const dz = gpu.fromArray(new Float32Array(2 * 2 * 2), [2, 2, 2, 1]);
    try {
      gpu.tuning = { ...saved, convBackward: 'fft' as 'blocked' };
      expect(() => gpu.conv2dBackward(dz, x, w, { stride: 1, pad: 'valid' }, true)).toThrow(/unknown conv backward variant 'fft'; known: blocked, per-weight/);
    } finally {
      gpu.tuning = saved;
      gpu.dispose(x, w, dz);
    }
  });
});
