// Convolution on WebGPU (shaders/conv2d.wgsl, conv_weight_grad.wgsl, im2col.wgsl,
// col2im.wgsl; src/engine/ops/conv) vs the float64 CPU reference, on the same random
// inputs: im2col, col2im, conv2d forward (fused bias + activation) and backward on both
// paths (implicit GEMM / direct dX, and im2col + matmul + col2im), σ'(Y_prev) fused into dX.
// Random configurations cover kernels 1–5 (square and not), stride 1–2, padding 'same' /
// 'valid' / integer, non-square inputs, 1–4 channels and batch 1–5; one case per op has a
// dimension far above 512, and two cases launch more than 65535 workgroups (the 2-D grid).
// Also: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ on the GPU, dispatch counts of the conv step, and
// shape errors that name the op and the shapes.
import { describe, expect, it } from 'vitest';
import { both, cpu, gpu, pair, useGpu } from './backends';
import type { Activation, ConvAlgorithm } from '../../src/engine/backend';
import { ACTIVATIONS } from '../../src/engine/backend';
import { ShapeError } from '../../src/engine/errors';
import { window2d } from '../../src/engine/geometry';
import { blockedBackwardLaunch, weightGradSplit } from '../../src/engine/ops/conv/gpu';
import { MATMUL_VARIANTS } from '../../src/engine/gpu/tuning';
import { Rng } from '../../src/engine/random';
import { activationOutput, exact, PADS, sumTol, type ConvCase } from './inputs';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/conv');

/** a random configuration whose window fits: kernel 1–5, stride 1–2, batch 1–5, 1–4 channels */
function randomConv(rng: Rng): ConvCase {
  for (;;) {
    const kh = 1 + rng.int(5);
    const kw = rng.uniform() < 0.6 ? kh : 1 + rng.int(5);
    const cfg: ConvCase = {
      m: 1 + rng.int(5),
      h: 3 + rng.int(9),
      w: 3 + rng.int(9),
      c: 1 + rng.int(4),
      f: 1 + rng.int(4),
      kh,
      kw,
      stride: 1 + rng.int(2),
      pad: PADS[rng.int(PADS.length)]!,
    };
    if (cfg.h === cfg.w) cfg.w += 1; // non-square inputs
    if (cfg.h + 2 * (typeof cfg.pad === 'number' ? cfg.pad : 0) < kh && cfg.pad !== 'same') continue;
    if (cfg.w + 2 * (typeof cfg.pad === 'number' ? cfg.pad : 0) < kw && cfg.pad !== 'same') continue;
    return cfg;
  }
}

const describeConv = (k: ConvCase) =>
  `X (${k.m}, ${k.h}, ${k.w}, ${k.c}) W ${k.kh}×${k.kw}×${k.c}×${k.f} stride ${k.stride} pad ${JSON.stringify(k.pad)}`;

async function checkIm2colCol2im(rng: Rng, k: ConvCase): Promise<void> {
  const win = window2d('im2col', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
  const [xg, xc] = pair(randomArray(rng, k.m * k.h * k.w * k.c), [k.m, k.h, k.w, k.c]);
  const colsG = gpu.im2col(xg, win);
  const colsC = cpu.im2col(xc, win);
  const [got, ref] = await both(colsG, colsC);
  expectClose(got, ref, { ...exact, label: `im2col ${describeConv(k)}` });

  const rows = k.m * win.oh * win.ow;
  const K = k.kh * k.kw * k.c;
  const [cg, cc] = pair(randomArray(rng, rows * K), [rows, K]);
  const [got2, ref2] = await both(gpu.col2im(cg, win), cpu.col2im(cc, win));
  // each pixel sums at most ⌈kh/s⌉·⌈kw/s⌉ entries
  expectClose(got2, ref2, { ...sumTol(k.kh * k.kw), label: `col2im ${describeConv(k)}` });
  gpu.dispose(xg, colsG, cg);
}

interface ConvCheck {
  /** compute dX (default true) */
  inputGrad?: boolean;
  /** the algorithms to run (default both) */
  algorithms?: ConvAlgorithm[];
  /** also fuse σ'(Y_prev) of this activation into dX */
  dact?: Activation;
}

/**
 * dispatches of each path: forward; backward with dX; + σ'(Y_prev); without dX.
 * implicit: conv2d_implicit; conv2d_backward ([dW; db] and dX ⊙ σ' together), + the
 * chunk reduce when the rows are split. im2col: im2col + matmul; weight grad + matmul +
 * col2im (+ act_backward).
 */
function convDispatches(algorithm: ConvAlgorithm, k: ConvCase, rows: number): { forward: number; backward: number; dact: number; noInput: number } {
  if (algorithm === 'im2col') return { forward: 2, backward: 3, dact: 1, noInput: 1 };
  if (gpu.tuning.convBackward === 'blocked') {
    const win = window2d('conv2d', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
    const withDx = blockedBackwardLaunch(gpu.ctx, win, k.f, true).split > 1 ? 2 : 1;
    const noDx = blockedBackwardLaunch(gpu.ctx, win, k.f, false).split > 1 ? 2 : 1;
    return { forward: 1, backward: withDx, dact: 0, noInput: noDx };
  }
  const split = gpu.tuning.splitRows ? weightGradSplit((k.kh * k.kw * k.c + 1) * k.f, rows, gpu.ctx.reduction().size) : 1;
  const backward = split > 1 ? 2 : 1;
  return { forward: 1, backward, dact: 0, noInput: backward };
}

async function checkConv(rng: Rng, k: ConvCase, act: Activation, withBias: boolean, check: ConvCheck = {}): Promise<void> {
  const { inputGrad = true, algorithms = ['implicit', 'im2col'], dact } = check;
  const [xg, xc] = pair(randomArray(rng, k.m * k.h * k.w * k.c), [k.m, k.h, k.w, k.c]);
  const [wg, wc] = pair(randomArray(rng, k.kh * k.kw * k.c * k.f), [k.kh, k.kw, k.c, k.f]);
  const [bg, bc] = withBias ? pair(randomArray(rng, k.f), [1, k.f]) : [null, null];
  const [ypg, ypc] = dact ? pair(activationOutput(rng, k.m * k.h * k.w * k.c, dact), [k.m, k.h, k.w, k.c]) : [null, null];
  const K = k.kh * k.kw * k.c;
  const base = { stride: k.stride, pad: k.pad };
  const zc = cpu.conv2d(xc, wc, bc, base, act);
  const [dzg, dzc] = pair(randomArray(rng, zc.size), [...zc.shape]);
  const rows = zc.size / k.f;
  const c = cpu.conv2dBackward(dzc, xc, wc, base, inputGrad, dact ? { dact: { y: ypc!, activation: dact } } : {});
  const [zRef, dwRef, dbRef] = [await cpu.read(zc), await cpu.read(c.dw), await cpu.read(c.db)];
  const dxRef = inputGrad ? await cpu.read(c.dx!) : null;

  for (const algorithm of algorithms) {
    const label = `${describeConv(k)} ${act} bias=${withBias} ${algorithm}${dact ? ` dX ⊙ ${dact}'` : ''}`;
    const opts = { ...base, algorithm };
    const n = convDispatches(algorithm, k, rows);
    const d0 = gpu.stats.dispatches;
    const zg = gpu.conv2d(xg, wg, bg, opts, act);
    expect(gpu.stats.dispatches - d0, `${label}: conv2d forward dispatches`).toBe(n.forward);
    expect(zg.shape).toEqual(zc.shape);
    expectClose(await gpu.read(zg), zRef, { ...sumTol(K + 1), label: `conv2d forward ${label}` });

    const d1 = gpu.stats.dispatches;
    const g = gpu.conv2dBackward(dzg, xg, wg, opts, inputGrad, dact ? { dact: { y: ypg!, activation: dact } } : {});
    expect(gpu.stats.dispatches - d1, `${label}: conv2dBackward dispatches`).toBe(
      inputGrad ? n.backward + (dact ? n.dact : 0) : n.noInput,
    );
    expectClose(await gpu.read(g.dw), dwRef, { ...sumTol(rows), label: `conv2d dW ${label}` });
    expectClose(await gpu.read(g.db), dbRef, { ...sumTol(rows), label: `conv2d db ${label}` });
    if (inputGrad) {
      expect(g.dx).toBeDefined();
      expect(g.dx!.shape).toEqual(xg.shape);
      expectClose(await gpu.read(g.dx!), dxRef!, { ...sumTol(k.kh * k.kw * k.f), label: `conv2d dX ${label}` });
    } else {
      expect(g.dx).toBeUndefined();
    }
    gpu.dispose(zg, g.dw, g.db, g.dx);
  }
  gpu.dispose(xg, wg, bg, ypg, dzg);
}

describe('im2col and col2im vs CPU reference', () => {
  it('random configurations', async () => {
    const rng = new Rng(11);
    for (let t = 0; t < 12; t++) await checkIm2colCol2im(rng, randomConv(rng));
  });

  it("asymmetric 'same' padding: top ≠ left, bottom ≠ top (non-square kernel, stride 2, odd sizes)", async () => {
    // 7×6 input, 4×2 kernel, stride 2: pad top 1, bottom 2, left 0, right 0
    const k: ConvCase = { m: 2, h: 7, w: 6, c: 2, f: 1, kh: 4, kw: 2, stride: 2, pad: 'same' };
    expect(window2d('t', [2, 7, 6, 2], [4, 2], 2, 'same')).toMatchObject({ padTop: 1, padBottom: 2, padLeft: 0, padRight: 0 });
    await checkIm2colCol2im(new Rng(15), k);
    await checkIm2colCol2im(new Rng(16), { ...k, kh: 2, kw: 5, stride: 1 });
  });

  it('im2col with 2048 rows and col2im back (rows far above 512)', async () => {
    await checkIm2colCol2im(new Rng(12), { m: 2, h: 32, w: 32, c: 3, f: 1, kh: 3, kw: 3, stride: 1, pad: 'same' });
  });

  it('more than 65535 workgroups: im2col and col2im on a 2-D grid', async () => {
    // cols has 8·40·40 rows × 5·5·4·… = 51 200 × 100 = 5.12 M elements, 80 000 workgroups of 64
    await checkIm2colCol2im(new Rng(13), { m: 8, h: 40, w: 40, c: 4, f: 1, kh: 5, kw: 5, stride: 1, pad: 'same' });
  });

  it('adjointness on the GPU: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩', async () => {
    const rng = new Rng(14);
    for (let t = 0; t < 4; t++) {
      const k = randomConv(rng);
      const win = window2d('im2col', [k.m, k.h, k.w, k.c], [k.kh, k.kw], k.stride, k.pad);
      const rows = k.m * win.oh * win.ow;
      const K = k.kh * k.kw * k.c;
      const xData = Float32Array.from(randomArray(rng, k.m * k.h * k.w * k.c));
      const cData = Float32Array.from(randomArray(rng, rows * K));
      const x = gpu.fromArray(xData, [k.m, k.h, k.w, k.c]);
      const c = gpu.fromArray(cData, [rows, K]);
      const ax = await gpu.read(gpu.im2col(x, win));
      const atc = await gpu.read(gpu.col2im(c, win));
      let lhs = 0;
      let rhs = 0;
      let scale = 0;
      for (let i = 0; i < ax.length; i++) {
        lhs += ax[i]! * cData[i]!;
        scale += Math.abs(ax[i]! * cData[i]!);
      }
      for (let i = 0; i < atc.length; i++) rhs += xData[i]! * atc[i]!;
      expect(Math.abs(lhs - rhs), `⟨im2col(x), c⟩ = ${lhs} vs ⟨x, col2im(c)⟩ = ${rhs} for ${describeConv(k)}`).toBeLessThanOrEqual(
        1e-5 * scale + 1e-6,
      );
      gpu.dispose(x, c);
    }
  });
});

describe('conv2d forward and backward vs CPU reference (implicit GEMM and im2col paths)', () => {
  it('random configurations, every activation, with and without bias, σ\'(Y_prev) fused into dX', async () => {
    const rng = new Rng(21);
    for (let t = 0; t < 12; t++) {
      const act = ACTIVATIONS[t % ACTIVATIONS.length]!;
      await checkConv(rng, randomConv(rng), act, t % 3 !== 2, { dact: t % 2 === 0 ? ACTIVATIONS[(t + 1) % ACTIVATIONS.length] : undefined });
    }
  });

  it('LeNet layers: 28×28×1 → 6 filters 5×5 same, 14×14×6 → 16 filters 5×5 valid (relu, σ\' of relu fused)', async () => {
    await checkConv(new Rng(22), { m: 3, h: 28, w: 28, c: 1, f: 6, kh: 5, kw: 5, stride: 1, pad: 'same' }, 'relu', true);
    await checkConv(new Rng(26), { m: 2, h: 14, w: 14, c: 6, f: 16, kh: 5, kw: 5, stride: 1, pad: 'valid' }, 'relu', true, { dact: 'relu' });
  });

  it('filters a multiple of 4 and not (vec4 and scalar loads of W and dZ), more filters than one tile (F = 70 > 64)', async () => {
    const rng = new Rng(27);
    await checkConv(rng, { m: 2, h: 6, w: 7, c: 3, f: 8, kh: 3, kw: 3, stride: 1, pad: 'same' }, 'relu', true, { dact: 'tanh' });
    await checkConv(rng, { m: 1, h: 5, w: 6, c: 2, f: 70, kh: 3, kw: 2, stride: 1, pad: 1 }, 'linear', true, { dact: 'sigmoid', algorithms: ['implicit'] });
  });

  it('more than 65535 workgroups in the weight-gradient kernel (2-D grid)', async () => {
    // [dW; db] has (5·5·64 + 1)·41 = 65 641 elements, one workgroup each (≈15 s on SwiftShader,
    // so only the weight gradients, once: dX takes the paths tested above)
    await checkConv(new Rng(23), { m: 2, h: 6, w: 5, c: 64, f: 41, kh: 5, kw: 5, stride: 1, pad: 'valid' }, 'linear', true, {
      inputGrad: false,
      algorithms: ['implicit'],
    });
  });

  it('stride 2 with same padding on odd sizes (extra padding at the bottom/right)', async () => {
    await checkConv(new Rng(24), { m: 2, h: 7, w: 6, c: 3, f: 2, kh: 3, kw: 3, stride: 2, pad: 'same' }, 'tanh', true, { dact: 'relu' });
    await checkConv(new Rng(25), { m: 1, h: 9, w: 4, c: 2, f: 3, kh: 4, kw: 2, stride: 2, pad: 'same' }, 'sigmoid', false);
  });

  it('per-weight backward kernel: weight gradients split over row chunks, reduced with subgroups or in workgroup memory: every combination', async () => {
    // SwiftShader offers 'subgroups' (subgroups of 4): both reduction paths run here
    expect(gpu.hasSubgroups, 'the adapter offers subgroups').toBe(true);
    const saved = gpu.tuning;
    const k: ConvCase = { m: 3, h: 28, w: 28, c: 1, f: 6, kh: 5, kw: 5, stride: 1, pad: 'same' }; // [dW; db]: 156 elements, 2352 rows
    try {
      for (const subgroups of [true, false]) {
        for (const splitRows of [true, false]) {
          gpu.tuning = { ...saved, subgroups, splitRows, convBackward: 'per-weight' };
          const size = gpu.ctx.reduction().size;
          expect(size).toBe(subgroups ? gpu.ctx.subgroupMinSize : 64);
          const split = weightGradSplit(156, 2352, size);
          expect(split, 'LeNet\'s first conv gets its rows split').toBeGreaterThan(1);
          // the kernels compiled: with the subgroup helper or the workgroup-memory one
          const seen: { entry: string; subgroups: boolean; size: unknown }[] = [];
          const off = gpu.onOp({ end: (e) => seen.push(...e.kernels.map((kern) => ({ entry: kern.entry, subgroups: kern.subgroups === true, size: kern.constants?.GROUP_SIZE }))) });
          try {
            await checkConv(new Rng(29), k, 'relu', true, { algorithms: ['implicit'], dact: 'relu' });
          } finally {
            off();
          }
          const backward = seen.filter((d) => d.entry === 'conv2d_backward');
          expect(backward.length).toBeGreaterThan(0);
          for (const d of backward) expect(d, `subgroups ${subgroups}`).toMatchObject({ subgroups, size });
          expect(seen.some((d) => d.entry === 'conv2d_weight_grad_reduce'), `reduce pass with splitRows ${splitRows}`).toBe(splitRows);
        }
      }
    } finally {
      gpu.tuning = saved;
    }
  });

  it('a dimension above 512: 600 rows of the implicit product (batch 6 of 10×10)', async () => {
    await checkConv(new Rng(28), { m: 6, h: 10, w: 10, c: 2, f: 5, kh: 3, kw: 3, stride: 1, pad: 'same' }, 'relu', true, {
      dact: 'relu',
      algorithms: ['implicit'],
    });
  });
});

describe.each(MATMUL_VARIANTS)('conv2d implicit forward with the %s product kernel', (variant) => {
  // the implicit forward follows backend.tuning.matmul: conv2d_implicit (workgroup tiles)
  // or conv2d_implicit_registers (4 or 8 pixels × 4 or 8 filters per invocation)
  const entry = variant === 'registers' ? 'conv2d_implicit_registers' : 'conv2d_implicit';
  async function withVariant(cases: [Rng, ConvCase, Activation, boolean][]): Promise<void> {
    const saved = gpu.tuning;
    const seen: string[] = [];
    gpu.tuning = { ...saved, matmul: variant };
    const off = gpu.onOp({ end: (e) => seen.push(...e.kernels.map((kern) => kern.entry)) });
    try {
      for (const [rng, k, act, bias] of cases) await checkConv(rng, k, act, bias, { algorithms: ['implicit'] });
    } finally {
      off();
      gpu.tuning = saved;
    }
    expect(seen.filter((e) => e.startsWith('conv2d_implicit'))).toEqual(cases.map(() => entry));
  }

  it('random configurations with 1–12 filters (blocks of 4 and 8, scalar and vec4 loads of W)', async () => {
    const rng = new Rng(variant === 'registers' ? 31 : 32);
    const cases: [Rng, ConvCase, Activation, boolean][] = [];
    for (let t = 0; t < 8; t++) cases.push([rng, { ...randomConv(rng), f: 1 + rng.int(12) }, ACTIVATIONS[t % ACTIVATIONS.length]!, t % 3 !== 2]);
    await withVariant(cases);
  });

  it('fewer than 5 output pixels (a 4-row block), more filters than one tile (F = 70), batch 1', async () => {
    await withVariant([
      [new Rng(33), { m: 1, h: 2, w: 3, c: 3, f: 9, kh: 2, kw: 2, stride: 1, pad: 'valid' }, 'sigmoid', true],
      [new Rng(34), { m: 1, h: 5, w: 6, c: 2, f: 70, kh: 3, kw: 2, stride: 1, pad: 1 }, 'tanh', true],
      [new Rng(35), { m: 3, h: 28, w: 28, c: 1, f: 6, kh: 5, kw: 5, stride: 1, pad: 'same' }, 'relu', true],
    ]);
  });
});
describe('shape errors name the op and the shapes', () => {
  it('conv2d: channel mismatch, bad bias, bad dZ', () => {
    const x = gpu.zeros([2, 6, 5, 3]);
    const w = gpu.zeros([3, 3, 2, 4]);
    expect(() => gpu.conv2d(x, w, null, { stride: 1, pad: 'same' })).toThrow(ShapeError);
    expect(() => gpu.conv2d(x, w, null, { stride: 1, pad: 'same' })).toThrow(/conv2d.*\(2, 6, 5, 3\).*\(3, 3, 2, 4\)/);
    const w3 = gpu.zeros([3, 3, 3, 4]);
    expect(() => gpu.conv2d(x, w3, gpu.zeros([1, 5]), { stride: 1, pad: 'same' })).toThrow(/conv2d: bias has shape \(1, 5\), expected \(1, 4\)/);
    expect(() => gpu.conv2d(x, gpu.zeros([9, 4]), null, { stride: 1, pad: 'same' })).toThrow(/conv2d: W .* rank 4.*\(9, 4\)/);
    expect(() => gpu.conv2dBackward(gpu.zeros([2, 6, 5, 5]), x, w3, { stride: 1, pad: 'same' }, true)).toThrow(
      /conv2dBackward: dZ has shape \(2, 6, 5, 5\), expected \(2, 6, 5, 4\)/,
    );
    expect(() => gpu.conv2d(x, gpu.zeros([7, 3, 3, 1]), null, { stride: 1, pad: 'valid' })).toThrow(/conv2d.*7×3.*\(2, 6, 5, 3\)/);
  });

  it('im2col / col2im: input and cols shapes must match the window', () => {
    const win = window2d('im2col', [2, 6, 5, 3], [3, 3], 1, 'valid');
    expect(() => gpu.im2col(gpu.zeros([2, 6, 5, 2]), win)).toThrow(/im2col: X has shape \(2, 6, 5, 2\), expected \(2, 6, 5, 3\)/);
    expect(() => gpu.col2im(gpu.zeros([24, 26]), win)).toThrow(/col2im: cols has shape \(24, 26\), expected \(24, 27\)/);
    expect(() => gpu.col2im(gpu.zeros([24, 27]), { ...win, oh: 5 })).toThrow(/col2im: window output 5×3 disagrees/);
  });

});
