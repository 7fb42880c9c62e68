// Chapter 4's computations, on the page's backend and checked against the float64 CPU
// reference:
//
//   im2colLab      X (1, H, W, C) → cols = im2col(X) (oh·ow, kh·kw·C) → Z_flat = cols·W_flat + 1b
//                  (oh·ow, F) → Z (1, oh, ow, F); the conv2d kernels (implicit GEMM and the
//                  im2col path) against the reference; backward dX = col2im(dZ_flat·W_flatᵀ)
//   poolLab        max / average pooling forward (with the arg-max) and backward
//   convGradCheck  one Conv2D layer with ReLU, analytic gradients (dW, db, dX) against
//                  central differences in float64 — and the course's broken variant:
//                  the activation applied inside the convolution loop, the padded input
//                  cached as "Z", so the backward's σ' reads the wrong tensor
//   convStepNet    the step-through's small CNN (cell 4.3)

import type { Backend, Tensor } from '../../../engine/backend';
import type { ModelConfig } from '../../../nn/model';
import { type Padding, type Window2D, window2d } from '../../../engine/geometry';
import { Rng } from '../../../engine/random';
import { centralDifference, compareArrays, type Comparison } from '../../../engine/check';
import { GRAD_ATOL, GRAD_H, GRAD_RTOL, type GradRow } from '../../cells/compare';

export type PadChoice = 'same' | 'valid' | '0' | '1' | '2';

export function padOf(p: PadChoice): Padding {
  return p === 'same' || p === 'valid' ? p : Number(p);
}

/** the step-through's network: conv (2 filters, relu) → max pool 2×2 stride 2 'same' → flatten → fc 2 (softmax), SGD η = 0.1 */
export function convStepNet(kernel: number, stride: number, pad: Padding, seed: number): ModelConfig {
  return {
    layers: [
      { type: 'conv2d', nOut: 2, kernel, stride, pad, activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2, pad: 'same' },
      { type: 'flatten' },
      { type: 'fc', nOut: 2, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr: 0.1 },
    seed,
  };
}

/** float32 kernels against float64: |x − ref| ≤ atol + rtol·|ref| */
export const CONV_ATOL = 1e-5;
export const CONV_RTOL = 1e-5;

/** the window, or the reason it does not fit (shown instead of running) */
export function tryWindow(op: string, shape: readonly number[], kernel: number, stride: number, pad: PadChoice): { win: Window2D } | { error: string } {
  try {
    return { win: window2d(op, shape, [kernel, kernel], stride, padOf(pad)) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

async function host(b: Backend, t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await b.read(t));
}

/** the zero-padded input (n, H + pt + pb, W + pl + pr, C), built on the host for drawing */
export function padded(x: Float64Array, win: Window2D): { data: Float64Array; h: number; w: number } {
  const { n, h, w, c, padTop, padBottom, padLeft, padRight } = win;
  const H = h + padTop + padBottom;
  const W = w + padLeft + padRight;
  const out = new Float64Array(n * H * W * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < c; k++) out[((b * H + i + padTop) * W + j + padLeft) * c + k] = x[((b * h + i) * w + j) * c + k]!;
  return { data: out, h: H, w: W };
}

// ── im2col ─────────────────────────────────────────────────────────────────────

export interface Im2colResult {
  win: Window2D;
  filters: number;
  /** (1, H, W, C): small integers, as pixel values */
  x: Float64Array;
  /** (kh, kw, C, F) = W_flat (kh·kw·C, F) in the same order */
  w: Float64Array;
  b: Float64Array;
  /** (oh·ow, kh·kw·C) from the backend's im2col */
  cols: Float64Array;
  /** (oh·ow, F) = cols·W_flat + 1b from the backend's matmul */
  zflat: Float64Array;
  /** float64 conv2d by its definition (1, oh, ow, F) */
  zref: Float64Array;
  /** dZ (oh·ow, F) fed to the backward */
  dz: Float64Array;
  /** dcols = dZ_flat·W_flatᵀ (oh·ow, kh·kw·C) from the backend */
  dcols: Float64Array;
  /** dX = col2im(dcols) from the backend (1, H, W, C) */
  dx: Float64Array;
  checks: { name: string; cmp: Comparison; kernels: string }[];
}

export async function im2colLab(
  backend: Backend,
  reference: Backend,
  o: { size: number; channels: number; kernel: number; stride: number; pad: PadChoice; seed: number; filters?: number },
): Promise<Im2colResult> {
  const F = o.filters ?? 2;
  const C = o.channels;
  const shape = [1, o.size, o.size, C];
  const win = window2d('im2col', shape, [o.kernel, o.kernel], o.stride, padOf(o.pad));
  const rng = new Rng(o.seed * 13 + 1);
  const x = Float64Array.from({ length: o.size * o.size * C }, () => rng.int(10));
  const w = Float64Array.from({ length: o.kernel * o.kernel * C * F }, () => Math.fround(Math.round(rng.range(-1, 1) * 10) / 10));
  const b = Float64Array.from({ length: F }, () => Math.fround(Math.round(rng.range(-1, 1) * 10) / 10));
  const rows = win.oh * win.ow;
  const kc = o.kernel * o.kernel * C;
  const dz = Float64Array.from({ length: rows * F }, () => Math.fround(Math.round(rng.range(-1, 1) * 10) / 10));
  const opts = { stride: o.stride, pad: padOf(o.pad) };

  const run = async (be: Backend) => {
    const X = be.fromArray(x, shape, 'X');
    const Wt = be.fromArray(w, [o.kernel, o.kernel, C, F], 'W');
    const Wf = be.reshape(Wt, [kc, F]);
    const B = be.fromArray(b, [1, F], 'b');
    const DZ = be.fromArray(dz, [rows, F], 'dZ_flat');
    const made: Tensor[] = [];
    const keep = <T extends Tensor>(t: T) => (made.push(t), t);
    try {
      const cols = keep(be.im2col(X, win));
      const zflat = keep(be.matmul(cols, Wf, { bias: B }));
      const zImplicit = keep(be.conv2d(X, Wt, B, { ...opts, algorithm: 'implicit' }));
      const zIm2col = keep(be.conv2d(X, Wt, B, { ...opts, algorithm: 'im2col' }));
      const dcols = keep(be.matmul(DZ, Wf, { transB: true })); // (oh·ow, kh·kw·C)
      const dx = keep(be.col2im(dcols, win));
      const dzT = be.reshape(DZ, [1, win.oh, win.ow, F]);
      made.push(dzT);
      const back = be.conv2dBackward(dzT, X, Wt, opts, true);
      made.push(back.dx!, back.dw, back.db);
      const [c, zf, zi, zc, dc, d, bdx] = await Promise.all([cols, zflat, zImplicit, zIm2col, dcols, dx, back.dx!].map((t) => host(be, t)));
      return { cols: c!, zflat: zf!, zImplicit: zi!, zIm2col: zc!, dcols: dc!, dx: d!, convDx: bdx! };
    } finally {
      be.dispose(X, Wf, Wt, B, DZ, ...made);
    }
  };
  const got = await run(backend);
  const ref = await run(reference);
  const cmp = (a: Float64Array, r: Float64Array) => compareArrays(a, r, CONV_ATOL, CONV_RTOL);
  return {
    win,
    filters: F,
    x,
    w,
    b,
    cols: got.cols,
    zflat: got.zflat,
    zref: ref.zIm2col,
    dz,
    dcols: got.dcols,
    dx: got.dx,
    checks: [
      { name: 'cols = im2col(X)', cmp: cmp(got.cols, ref.cols), kernels: 'im2col.wgsl' },
      { name: 'Z = cols·W_flat + 1b', cmp: cmp(got.zflat, ref.zIm2col), kernels: 'matmul.wgsl' },
      { name: 'conv2d, im2col path', cmp: cmp(got.zIm2col, ref.zIm2col), kernels: 'im2col.wgsl, matmul.wgsl' },
      { name: 'conv2d, implicit GEMM', cmp: cmp(got.zImplicit, ref.zIm2col), kernels: 'conv2d.wgsl (conv2d_implicit; conv2d_implicit_registers on a software adapter)' },
      { name: 'dX = col2im(dZ·W_flatᵀ)', cmp: cmp(got.dx, ref.dx), kernels: 'matmul.wgsl, col2im.wgsl' },
      { name: 'conv2dBackward dX', cmp: cmp(got.convDx, ref.dx), kernels: 'conv_backward.wgsl (conv2d_backward_blocked)' },
    ],
  };
}

// ── pooling ────────────────────────────────────────────────────────────────────

export const NO_ARGMAX = 0xffffffff;

export interface PoolLabResult {
  win: Window2D;
  mode: 'max' | 'avg';
  /** (1, H, W, 1): the numbers 1 … H·W shuffled (no ties) */
  x: Float64Array;
  y: Float64Array;
  /** max: flat input index of each output's maximum (NO_ARGMAX when it is a padding zero) */
  argmax: number[] | null;
  dy: Float64Array;
  dx: Float64Array;
  checks: { name: string; cmp: Comparison }[];
}

export async function poolLab(
  backend: Backend,
  reference: Backend,
  o: { size: number; mode: 'max' | 'avg'; window: number; stride: number; pad: PadChoice; seed: number },
): Promise<PoolLabResult> {
  const shape = [1, o.size, o.size, 1];
  const win = window2d('pool2d', shape, [o.window, o.window], o.stride, padOf(o.pad));
  const rng = new Rng(o.seed * 17 + 2);
  const x = Float64Array.from(rng.shuffle(Array.from({ length: o.size * o.size }, (_, i) => i + 1)) as number[]);
  const dy = Float64Array.from({ length: win.oh * win.ow }, () => 1 + rng.int(9));
  const opts = { mode: o.mode, kernel: [o.window, o.window] as const, stride: o.stride, pad: padOf(o.pad) };
  const run = async (be: Backend) => {
    const X = be.fromArray(x, shape, 'X');
    const DY = be.fromArray(dy, [1, win.oh, win.ow, 1], 'dY');
    const { y, argmax } = be.pool2d(X, opts);
    const dx = be.pool2dBackward(DY, shape, opts, argmax);
    try {
      return { y: await host(be, y), argmax: argmax ? Array.from(await be.read(argmax)) : null, dx: await host(be, dx) };
    } finally {
      be.dispose(X, DY, y, argmax, dx);
    }
  };
  const got = await run(backend);
  const ref = await run(reference);
  const checks = [
    { name: `Y = ${o.mode === 'max' ? 'max' : 'mean'} over each window`, cmp: compareArrays(got.y, ref.y, CONV_ATOL, CONV_RTOL) },
    { name: 'dX', cmp: compareArrays(got.dx, ref.dx, CONV_ATOL, CONV_RTOL) },
  ];
  if (got.argmax && ref.argmax) checks.splice(1, 0, { name: 'arg-max indices', cmp: compareArrays(got.argmax, ref.argmax, 0, 0) });
  return { win, mode: o.mode, x, y: got.y, argmax: got.argmax, dy, dx: got.dx, checks };
}

// ── gradient check of a Conv2D layer, and the broken variant ───────────────────

export interface ConvGradResult {
  rows: GradRow[];
  pass: boolean;
  worstRelErr: number;
  /** smallest |Z| of the pre-activation (ReLU's kink) */
  minAbsZ: number;
  broken: boolean;
  /** "k3 s1 same", the geometry checked */
  geometry: string;
  device: string;
}

/**
 * L = Σ R ⊙ ReLU(conv(X, W) + b) for X (2, size, size, C), W (k, k, C, 2), a fixed random
 * R. Analytic: the backend's forward and backward — correctly (σ'(Y) then conv2dBackward),
 * or `broken`: the forward applies the ReLU inside the convolution and caches the padded
 * input Xpad as "Z"; the backward then takes σ' of the cached "Z" at each output
 * position (Xpad[n, d1·s, d2·s, f mod C], the window's corner) instead of the output's
 * own pre-activation. Numerical: central differences of L in float64.
 */
export async function convGradCheck(
  backend: Backend,
  reference: Backend,
  o: { size: number; channels: number; kernel: number; stride: number; pad: PadChoice; seed: number; broken: boolean },
): Promise<ConvGradResult> {
  const F = 2;
  const C = o.channels;
  const xShape = [2, o.size, o.size, C];
  const wShape = [o.kernel, o.kernel, C, F];
  const win = window2d('conv2d', xShape, [o.kernel, o.kernel], o.stride, padOf(o.pad));
  const yShape = [2, win.oh, win.ow, F];
  const rng = new Rng(o.seed * 23 + 7);
  const x = Float64Array.from({ length: 2 * o.size * o.size * C }, () => Math.fround(rng.normal()));
  const w = Float64Array.from({ length: o.kernel * o.kernel * C * F }, () => Math.fround(rng.normal() * 0.5));
  const b = Float64Array.from({ length: F }, () => Math.fround(rng.normal() * 0.2));
  const r = Float64Array.from({ length: 2 * win.oh * win.ow * F }, () => Math.fround(rng.normal()));
  const opts = { stride: o.stride, pad: padOf(o.pad), algorithm: 'im2col' as const };

  // analytic on the backend
  const X = backend.fromArray(x, xShape, 'X');
  const Wt = backend.fromArray(w, wShape, 'W');
  const B = backend.fromArray(b, [1, F], 'b');
  const R = backend.fromArray(r, yShape, 'dL/dY');
  const made: (Tensor | undefined)[] = [];
  let analytic: { W: Float64Array; b: Float64Array; X: Float64Array };
  try {
    const Y = backend.conv2d(X, Wt, B, opts, 'relu');
    made.push(Y);
    let dz: Tensor;
    if (!o.broken) {
      dz = backend.activationBackward(R, Y, 'relu'); // dZ = dY ⊙ 1[Y > 0]
    } else {
      // the cache holds Xpad under the key "Z": im2col with a 1×1 window and the layer's padding copies it
      const padWin: Window2D = { ...win, kh: 1, kw: 1, stride: 1, oh: win.h + win.padTop + win.padBottom, ow: win.w + win.padLeft + win.padRight };
      const xpadT = backend.im2col(X, padWin); // (n·Hp·Wp, C)
      made.push(xpadT);
      const xpad = await host(backend, xpadT);
      const Hp = padWin.oh;
      const Wp = padWin.ow;
      // what the broken backward reads as "Z" at each output (n, d1, d2, f)
      const zWrong = new Float64Array(r.length);
      for (let n = 0; n < 2; n++)
        for (let d1 = 0; d1 < win.oh; d1++)
          for (let d2 = 0; d2 < win.ow; d2++)
            for (let f = 0; f < F; f++) zWrong[((n * win.oh + d1) * win.ow + d2) * F + f] = xpad[((n * Hp + d1 * o.stride) * Wp + d2 * o.stride) * C + (f % C)]!;
      const Zw = backend.fromArray(zWrong, yShape, '"Z" (the cached padded input)');
      made.push(Zw);
      dz = backend.activationBackward(R, Zw, 'relu');
    }
    made.push(dz);
    const g = backend.conv2dBackward(dz, X, Wt, opts, true);
    made.push(g.dx, g.dw, g.db);
    analytic = { W: await host(backend, g.dw), b: await host(backend, g.db), X: await host(backend, g.dx!) };
  } finally {
    backend.dispose(X, Wt, B, R, ...made);
  }

  // numerical in float64
  const RX = reference.fromArray(x, xShape);
  const RW = reference.fromArray(w, wShape);
  const RB = reference.fromArray(b, [1, F]);
  try {
    const objective = async (): Promise<number> => {
      const y = reference.conv2d(RX, RW, RB, opts, 'relu');
      try {
        const v = await reference.read(y);
        let s = 0;
        for (let i = 0; i < v.length; i++) s += v[i]! * r[i]!;
        return s;
      } finally {
        reference.dispose(y);
      }
    };
    const z = reference.conv2d(RX, RW, RB, opts, 'linear');
    const minAbsZ = Array.from(await reference.read(z)).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
    reference.dispose(z);
    const rows: GradRow[] = [];
    for (const [name, t, base, a] of [
      ['W', RW, w, analytic.W],
      ['b', RB, b, analytic.b],
      ['X', RX, x, analytic.X],
    ] as const) {
      const numerical = await centralDifference(
        Float64Array.from(base),
        async (v) => {
          reference.write(t, v);
          return objective();
        },
        { h: GRAD_H },
      );
      reference.write(t, base);
      rows.push({ name: `d${name}`, shape: [...t.shape], analytic: a, numerical, cmp: compareArrays(a, numerical, GRAD_ATOL, GRAD_RTOL) });
    }
    return {
      rows,
      pass: rows.every((q) => q.cmp.pass),
      worstRelErr: rows.reduce((m, q) => Math.max(m, q.cmp.relErr), 0),
      minAbsZ,
      broken: o.broken,
      geometry: `k${o.kernel} s${o.stride} ${o.pad}`,
      device: backend.kind === 'webgpu' ? backend.deviceName : 'CPU reference',
    };
  } finally {
    reference.dispose(RX, RW, RB);
  }
}
