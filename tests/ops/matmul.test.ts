// Matrix products on WebGPU (shaders/matmul.wgsl, src/engine/ops/matmul) vs the float64
// CPU reference, on the same random inputs: matmul in every transpose mode with fused
// epilogues (forward bias + activation, and the backward σ'(Y)), outputs into arena views,
// [dW; db] in one pass — each with both product kernels (workgroup-memory tiles and register
// blocks) — and every tile shape and load width the host picks (and the fallbacks).
import { describe, expect, it } from 'vitest';
import { both, constantsOf, cpu, gpu, pair, useGpu } from './backends';
import type { Activation, MatmulOptions, Tensor } from '../../src/engine/backend';
import { ACTIVATIONS } from '../../src/engine/backend';
import { registerCols, registerRows, registerTile } from '../../src/engine/ops/matmul/gpu';
import { MATMUL_VARIANTS, type MatmulVariant } from '../../src/engine/gpu/tuning';
import { Rng } from '../../src/engine/random';
import { activationOutput } from './inputs';
import { expectClose, randomArray } from '../helpers/check';

useGpu('ops/matmul');

/** runs fn with the given matrix-product kernel, then restores the tuning */
async function withVariant(variant: MatmulVariant, fn: () => Promise<void>): Promise<void> {
  const saved = gpu.tuning;
  gpu.tuning = { ...saved, matmul: variant };
  try {
    await fn();
  } finally {
    gpu.tuning = saved;
  }
}

// float32 accumulation over K terms of size ≤ 1: the error grows like √K
const matmulTol = (K: number) => ({ atol: 3e-5 * Math.sqrt(K), rtol: 1e-4 });

async function checkMatmul(rng: Rng, M: number, K: number, N: number, opts: Omit<MatmulOptions, 'bias'> & { bias?: boolean }) {
  const aShape = opts.transA ? [K, M] : [M, K];
  const bShape = opts.transB ? [N, K] : [K, N];
  const [ag, ac] = pair(randomArray(rng, M * K), aShape);
  const [bg, bc] = pair(randomArray(rng, K * N), bShape);
  const [biasg, biasc] = opts.bias ? pair(randomArray(rng, N), [1, N]) : [undefined, undefined];
  const base = { transA: opts.transA, transB: opts.transB, activation: opts.activation };
  const g = gpu.matmul(ag, bg, { ...base, bias: biasg });
  const c = cpu.matmul(ac, bc, { ...base, bias: biasc });
  expect(g.shape).toEqual([M, N]);
  const [got, ref] = await both(g, c);
  const mode = `${opts.transA ? 'Aᵀ' : 'A'}·${opts.transB ? 'Bᵀ' : 'B'}`;
  const label = `matmul[${gpu.tuning.matmul}] ${M}×${K}×${N} ${mode} bias=${!!opts.bias} ${opts.activation ?? 'linear'}`;
  expectClose(got, ref, { ...matmulTol(K), label });
  gpu.dispose(ag, bg, biasg, g);
}

describe.each(MATMUL_VARIANTS)('matmul vs CPU reference, %s kernel', (variant) => {
  it('7×600×513 in every transpose mode (a dimension above 512, none a multiple of the tile)', () =>
    withVariant(variant, async () => {
      const rng = new Rng(1);
      for (const transA of [false, true]) for (const transB of [false, true]) await checkMatmul(rng, 7, 600, 513, { transA, transB });
    }));

  it('batch 1, odd sizes, exact tile multiples, K smaller than a slice', () => withVariant(variant, async () => {
    const rng = new Rng(2);
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 17, 5],
      [1, 784, 10],
      [3, 5, 2],
      [65, 33, 67],
      [64, 64, 64],
      [128, 16, 64],
      [130, 3, 129],
      [33, 200, 1],
    ];
    for (const [M, K, N] of shapes) {
      await checkMatmul(rng, M, K, N, {});
      await checkMatmul(rng, M, K, N, { transA: true });
      await checkMatmul(rng, M, K, N, { transB: true });
    }
  }));

  it('fused epilogue: bias + every activation, with and without transposes', () => withVariant(variant, async () => {
    const rng = new Rng(3);
    for (const activation of ACTIVATIONS) {
      await checkMatmul(rng, 33, 70, 19, { bias: true, activation });
      await checkMatmul(rng, 70, 9, 65, { bias: false, activation });
    }
    await checkMatmul(rng, 66, 45, 20, { bias: true, activation: 'relu', transA: true, transB: true });
  }));

  it('large pre-activations saturate sigmoid and tanh without NaN', () => withVariant(variant, async () => {
    const x = [-200, -30, -1, 0, 1, 30, 200];
    const [ag, ac] = pair(x, [7, 1]);
    const [bg, bc] = pair([1], [1, 1]);
    for (const activation of ['sigmoid', 'tanh'] as Activation[]) {
      const [got, ref] = await both(gpu.matmul(ag, bg, { activation }), cpu.matmul(ac, bc, { activation }));
      expectClose(got, ref, { atol: 1e-6, rtol: 1e-5, label: `matmul[${variant}] epilogue ${activation}` });
    }
  }));
});

/** an arena of zeros with a view of `shape` at the second aligned offset (neighbours to check) */
function arenaView(shape: number[]): { arena: Tensor; view: Tensor; offset: number } {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = gpu.viewAlignment;
  const offset = a;
  const arena = gpu.zeros([offset + Math.ceil(n / a) * a + a]);
  return { arena, view: gpu.view(arena, offset, shape), offset };
}

/** the arena outside [offset, offset + n) is still zero */
async function expectUntouched(arena: Tensor, offset: number, n: number, label: string) {
  const all = await gpu.read(arena);
  const outside = [...all.slice(0, offset), ...all.slice(offset + n)];
  expect(outside.every((v) => v === 0), `${label}: an arena element outside the view changed`).toBe(true);
}

describe.each(MATMUL_VARIANTS)('matmul backward epilogue and output views, %s kernel', (variant) => {
  it('C = (op(A)·op(B)) ⊙ σ\'(Y) for every activation, written into a view of an arena', () => withVariant(variant, async () => {
    const rng = new Rng(40);
    const cases: [number, number, number, boolean][] = [
      [33, 19, 70, true], // dX = dZ·Wᵀ: (m, n_out)·(n_in, n_out)ᵀ
      [64, 10, 84, true],
      [70, 600, 65, false], // K above 512
      [5, 3, 520, true], // N above 512
    ];
    for (const act of ACTIVATIONS) {
      for (const [M, K, N, transB] of cases) {
        const [ag, ac] = pair(randomArray(rng, M * K), [M, K]);
        const [bg, bc] = pair(randomArray(rng, K * N), transB ? [N, K] : [K, N]);
        const [yg, yc] = pair(activationOutput(rng, M * N, act), [M, N]);
        const { arena, view, offset } = arenaView([M, N]);
        const d0 = gpu.stats.dispatches;
        const g = gpu.matmul(ag, bg, { transB, dact: { y: yg, activation: act }, out: view });
        expect(gpu.stats.dispatches - d0).toBe(1);
        expect(g).toBe(view);
        const c = cpu.matmul(ac, bc, { transB, dact: { y: yc, activation: act } });
        const label = `matmul[${variant}] ${M}×${K}×${N} ${transB ? 'A·Bᵀ' : 'A·B'} ⊙ ${act}'`;
        expectClose(await gpu.read(g), await cpu.read(c), { ...matmulTol(K), label });
        await expectUntouched(arena, offset, M * N, label);
        gpu.dispose(ag, bg, yg, view, arena);
      }
    }
  }));

  it('refuses dact with a forward epilogue, and an out or dact.y of the wrong shape', () => {
    const a = gpu.zeros([3, 4]);
    const b = gpu.zeros([4, 5]);
    expect(() => gpu.matmul(a, b, { activation: 'relu', dact: { y: gpu.zeros([3, 5]), activation: 'relu' } })).toThrow(/dact.*cannot be combined/);
    expect(() => gpu.matmul(a, b, { dact: { y: gpu.zeros([5, 3]), activation: 'relu' } })).toThrow(/matmul: dact.y has shape \(5, 3\), expected \(3, 5\)/);
    expect(() => gpu.matmul(a, b, { out: gpu.zeros([3, 4]) })).toThrow(/matmul: out \(C\) has shape \(3, 4\), expected \(3, 5\)/);
  });
});

describe.each(MATMUL_VARIANTS)('denseGrads: [dW; db] = [X 1]ᵀ·dZ in one dispatch, %s kernel', (variant) => {
  it('matches Xᵀ·dZ and 1ᵀ·dZ of the CPU reference; into views of a gradient arena or new tensors', () => withVariant(variant, async () => {
    const rng = new Rng(41);
    // (m, n_in, n_out): LeNet's three dense layers at batch 64, n_in above 512, odd sizes, batch 1
    // (n_in a multiple of 4: vec4 loads of X with the row of ones in a block of its own; odd n_in: scalar loads)
    const cases: [number, number, number][] = [[64, 256, 120], [64, 120, 84], [64, 84, 10], [7, 600, 13], [130, 3, 129], [1, 5, 3], [9, 8, 5]];
    for (const [m, nIn, nOut] of cases) {
      const [xg, xc] = pair(randomArray(rng, m * nIn), [m, nIn]);
      const [dg, dc] = pair(randomArray(rng, m * nOut), [m, nOut]);
      const c = cpu.denseGrads(xc, dc);
      const dwRef = await cpu.read(c.dw);
      const dbRef = await cpu.read(c.db);
      // the teaching path's two ops agree with it exactly on the CPU
      expect(Array.from(await cpu.read(cpu.matmul(xc, dc, { transA: true })))).toEqual(Array.from(dwRef));
      expectClose(await cpu.read(cpu.sumRows(dc)), dbRef, { atol: 1e-12, rtol: 1e-12, label: 'sumRows vs denseGrads (CPU)' });

      const label = `denseGrads[${variant}] m=${m} n_in=${nIn} n_out=${nOut}`;
      let d0 = gpu.stats.dispatches;
      const g = gpu.denseGrads(xg, dg);
      expect(gpu.stats.dispatches - d0, `${label}: one dispatch`).toBe(1);
      expect(g.dw.shape).toEqual([nIn, nOut]);
      expect(g.db.shape).toEqual([1, nOut]);
      expectClose(await gpu.read(g.dw), dwRef, { ...matmulTol(m), label: `${label} dW` });
      expectClose(await gpu.read(g.db), dbRef, { ...matmulTol(m), label: `${label} db` });

      // both outputs as views of one arena: two writable views of one buffer in one dispatch
      const al = gpu.viewAlignment;
      const dbOffset = Math.ceil((nIn * nOut) / al) * al;
      const arena = gpu.zeros([dbOffset + Math.ceil(nOut / al) * al]);
      const dwv = gpu.view(arena, 0, [nIn, nOut]);
      const dbv = gpu.view(arena, dbOffset, [1, nOut]);
      d0 = gpu.stats.dispatches;
      const r = gpu.denseGrads(xg, dg, { dw: dwv, db: dbv });
      expect(gpu.stats.dispatches - d0).toBe(1);
      expect(r.dw).toBe(dwv);
      expect(r.db).toBe(dbv);
      const all = await gpu.read(arena);
      expectClose(all.slice(0, nIn * nOut), dwRef, { ...matmulTol(m), label: `${label} dW in the arena` });
      expectClose(all.slice(dbOffset, dbOffset + nOut), dbRef, { ...matmulTol(m), label: `${label} db in the arena` });
      expect(all.slice(nIn * nOut, dbOffset).every((v) => v === 0), 'the gap stays zero').toBe(true);
      gpu.dispose(xg, dg, g.dw, g.db, dwv, dbv, arena);
    }
  }));

  it('refuses mismatched rows and misshapen outputs', () => {
    expect(() => gpu.denseGrads(gpu.zeros([4, 3]), gpu.zeros([5, 2]))).toThrow(/denseGrads: X \(4, 3\) and dZ \(5, 2\)/);
    expect(() => gpu.denseGrads(gpu.zeros([4, 3]), gpu.zeros([4, 2]), { db: gpu.zeros([2]) })).toThrow(/denseGrads: out \(db\) has shape \(2\), expected \(1, 2\)/);
  });
});

describe('matmul variants: tile shapes and vec4 loads, chosen by the host', () => {
  it('the product kernel follows the adapter: register blocks on this software adapter, and backend.tuning says so', async () => {
    expect(gpu.isFallback, `${gpu.deviceName} is a software adapter`).toBe(true);
    expect(gpu.ctx.software).toBe(true);
    expect(gpu.tuning.matmul).toBe('registers');
    const a = gpu.zeros([8, 8]);
    const [k] = constantsOf(() => gpu.dispose(gpu.matmul(a, a)));
    expect(k!.entry).toBe('matmul_registers');
    await withVariant('tiled', async () => {
      const [t] = constantsOf(() => gpu.dispose(gpu.matmul(a, a)));
      expect(t!.entry).toBe('matmul');
    });
    gpu.tuning = { ...gpu.tuning, matmul: 'bogus' as MatmulVariant };
    try {
      expect(() => gpu.matmul(a, a)).toThrow(/unknown matmul variant 'bogus'; known: tiled, registers/);
    } finally {
      gpu.tuning = { ...gpu.tuning, matmul: 'registers' };
    }
    gpu.dispose(a);
  });

  // (M, K, N) and the tile each gets (rows × columns of C per workgroup)
  const SHAPES: [number, number, number, [number, number]][] = [
    [24, 36, 20, [8, 8]], //      32 × 32: both small
    [100, 20, 12, [4, 32]], //   128 × 16: N ≤ 16 (a conv with few filters, a 10-class output)
    [12, 40, 520, [32, 4]], //    16 × 128: M ≤ 16 (a small batch), N above 512
    [68, 24, 72, [16, 16]], //    64 × 64
  ];
  const MODES = [
    { transA: false, transB: false },
    { transA: true, transB: false },
    { transA: false, transB: true },
  ];

  it('tiled: every tile shape in three transpose modes, vec4 loads where the contiguous dimension is a multiple of 4', () => withVariant('tiled', async () => {
    const rng = new Rng(42);
    for (const [M, K, N, tile] of SHAPES) {
      for (const mode of MODES) {
        let g: Tensor | null = null;
        const aShape = mode.transA ? [K, M] : [M, K];
        const bShape = mode.transB ? [N, K] : [K, N];
        const [ag, ac] = pair(randomArray(rng, M * K), aShape);
        const [bg, bc] = pair(randomArray(rng, K * N), bShape);
        const [k] = constantsOf(() => void (g = gpu.matmul(ag, bg, mode)));
        expect([k!.WX, k!.WY], `tile of ${M}×${K}×${N}`).toEqual(tile);
        expect(k!.VEC_A).toBe((mode.transA ? M : K) % 4 === 0);
        expect(k!.VEC_B).toBe((mode.transB ? K : N) % 4 === 0);
        const label = `matmul ${M}×${K}×${N} ${mode.transA ? 'Aᵀ' : 'A'}·${mode.transB ? 'Bᵀ' : 'B'} tile ${4 * tile[1]}×${4 * tile[0]} vecA=${k!.VEC_A} vecB=${k!.VEC_B}`;
        expectClose(await gpu.read(g!), await cpu.read(cpu.matmul(ac, bc, mode)), { ...matmulTol(K), label });
        gpu.dispose(ag, bg, g);
      }
    }
  }));

  it('register blocks: workgroup shapes for skinny products, every transpose mode with vec4 and scalar loads of each operand', () =>
    withVariant('registers', async () => {
      // blocks of 8 × 8 (4 rows / 4 columns where C has no more)
      expect([registerRows(1024), registerCols(1024), registerRows(4), registerCols(4), registerRows(5), registerCols(6)]).toEqual([8, 8, 4, 4, 8, 8]);
      expect(registerTile(1024, 1024)).toEqual([8, 8]);
      expect(registerTile(50176, 6)).toEqual([1, 64]); //   6 columns: one block of 8 across
      expect(registerTile(150, 3)).toEqual([1, 64]);
      expect(registerTile(8, 520)).toEqual([64, 1]); //     8 rows: one block down
      expect(registerTile(64, 12)).toEqual([2, 32]); //     12 columns: 2 blocks of 8 across
      expect(registerTile(24, 400)).toEqual([16, 4]); //    24 rows: 3 blocks of 8 down
      const rng = new Rng(45);
      // (M, K, N): K mod 4 = 0 … 3 (the one-k tail), M and N not multiples of 4 or 8, one above 512,
      // blocks of 4 and 8 rows and columns (M = 13, N = 20: the second group of 4 half outside C;
      // M = 6, N = 6: rows and columns 6, 7 of the block outside C; M = 1: a batch of 1);
      // each shape in every transpose mode, so each operand is loaded both as vec4 and as scalars
      const shapes: [number, number, number][] = [
        [24, 36, 20], [13, 41, 6], [9, 22, 523], [530, 7, 5], [4, 4, 4], [3, 1, 2], [17, 8, 16], [6, 12, 6], [1, 9, 10], [44, 64, 12],
      ];
      for (const [M, K, N] of shapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const mode = { transA, transB };
            const [ag, ac] = pair(randomArray(rng, M * K), transA ? [K, M] : [M, K]);
            const [bg, bc] = pair(randomArray(rng, K * N), transB ? [N, K] : [K, N]);
            let g: Tensor | null = null;
            const [k] = constantsOf(() => void (g = gpu.matmul(ag, bg, mode)));
            expect(k!.entry).toBe('matmul_registers');
            expect([k!.WX, k!.WY]).toEqual(registerTile(M, N));
            expect(k!.BN, '8 columns per invocation when C has more than 4').toBe(N > 4 ? 8 : 4);
            expect(k!.BM, '8 rows per invocation when C has more than 4').toBe(M > 4 ? 8 : 4);
            expect(registerCols(N)).toBe(k!.BN);
            expect(registerRows(M)).toBe(k!.BM);
            expect(k!.VEC_A).toBe((transA ? M : K) % 4 === 0);
            expect(k!.VEC_B).toBe((transB ? K : N) % 4 === 0);
            const label = `matmul[registers] ${M}×${K}×${N} ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} vecA=${k!.VEC_A} vecB=${k!.VEC_B}`;
            expectClose(await gpu.read(g!), await cpu.read(cpu.matmul(ac, bc, mode)), { ...matmulTol(K), label });
            gpu.dispose(ag, bg, g);
          }
        }
      }
    }));

  it('the fallbacks: scalar loads only (both kernels), and 64×64 tiles only, give the same results', async () => {
    const rng = new Rng(43);
    const saved = gpu.tuning;
    try {
      const tunings = [
        { ...saved, matmul: 'tiled' as const, vec4: false },
        { ...saved, matmul: 'registers' as const, vec4: false },
        { ...saved, matmul: 'tiled' as const, skinnyTiles: false },
      ];
      for (const tuning of tunings) {
        gpu.tuning = tuning;
        for (const [M, K, N] of [SHAPES[1]!, SHAPES[2]!]) {
          for (const mode of MODES) {
            const [ag, ac] = pair(randomArray(rng, M * K), mode.transA ? [K, M] : [M, K]);
            const [bg, bc] = pair(randomArray(rng, K * N), mode.transB ? [N, K] : [K, N]);
            let g: Tensor | null = null;
            const [k] = constantsOf(() => void (g = gpu.matmul(ag, bg, mode)));
            if (!tuning.vec4) expect([k!.VEC_A, k!.VEC_B]).toEqual([false, false]);
            if (!tuning.skinnyTiles) expect([k!.WX, k!.WY]).toEqual([16, 16]);
            const label = `matmul[${tuning.matmul}] ${M}×${K}×${N} vec4=${tuning.vec4} skinnyTiles=${tuning.skinnyTiles}`;
            expectClose(await gpu.read(g!), await cpu.read(cpu.matmul(ac, bc, mode)), { ...matmulTol(K), label });
            gpu.dispose(ag, bg, g);
          }
        }
      }
    } finally {
      gpu.tuning = saved;
    }
  });
});
