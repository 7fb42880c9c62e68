// Convolution on the GPU, two ways that compute the same thing.
//
// 'implicit' (the default): im2col's index map lives inside the kernels; nothing is unrolled.
//   forward    Z = act(cols · W' + 1·b)          tile loader gathers cols from X   conv2d.wgsl conv2d_implicit
//                                                (register blocks gather it where    (conv2d_implicit_registers)
//                                                matmul is 'registers': ops/matmul/gpu.ts)
//   backward   [dW; db] = [colsᵀ·dZ; 1ᵀ·dZ]      BK × BF register blocks of outer   conv_backward.wgsl
//                                                products over the rows, read        conv2d_backward_blocked
//                                                through X; block_sum adds them
//              dX = convᵀ(dZ, W) ⊙ σ'(Y_prev)    BP pixels × BC channels per         (the same dispatch)
//                                                invocation, gathered per pixel
//              → forward 1 dispatch; backward 1, or 2 when a layer with few weights
//                has its rows split across workgroups (+ conv2d_weight_grad_reduce)
//   tuning.convBackward 'per-weight' runs the first version instead (conv2d.wgsl
//   conv2d_backward: a workgroup per element of [dW; db], an invocation per element of dX).
//
// 'im2col' (the course's, shown in the notebook): unroll, then one matrix product.
//   forward    cols = im2col(X)                  (m·oh·ow, kh·kw·C)            im2col.wgsl
//              Z    = act(cols · W' + 1·b)       W' = W.reshape(kh·kw·C, F)    matmul.wgsl (fused epilogue)
//   backward   [dW; db] as above                                                conv_weight_grad.wgsl
//              dcols = dZ · W'ᵀ                  (m·oh·ow, kh·kw·C)             matmul.wgsl
//              dX    = col2im(dcols)             (m, H, W, C)                   col2im.wgsl
//              → forward 2 dispatches; backward 3 (+1 for σ'(Y_prev), 1 without dX)
//
// Shapes: X (m, H, W, C) NHWC; W (kh, kw, C, F); b (1, F); Z, dZ (m, oh, ow, F).
// The window geometry (padding, output size) comes from geometry.ts's window2d and the
// shape checks from signatures.ts, the definitions the CPU reference (cpu.ts) uses too.

import type { Activation, Conv2DBackwardExtras, Conv2DOptions, ConvAlgorithm, MatmulOptions, Tensor } from '../../backend';
import { shapeStr, windowUniforms, type Window2D } from '../../geometry';
import type { GpuContext, GpuTensor } from '../../gpu/context';
import { CONV_BACKWARD_VARIANTS } from '../../gpu/tuning';
import { col2imSignature, conv2dBackwardSignature, conv2dSignature, im2colSignature, outShape } from '../../signatures';
import { actCode, activationBackward } from '../elementwise/gpu';
import { productLaunch } from '../matmul/gpu';

/** What the convolution needs from the backend: its context and its fused matmul. */
export interface ConvHost {
  readonly ctx: GpuContext;
  matmul(a: Tensor, b: Tensor, opts?: MatmulOptions): Tensor;
}

function algorithmOf(op: string, opts: Conv2DOptions): ConvAlgorithm {
  const a = opts.algorithm ?? 'implicit';
  if (a !== 'implicit' && a !== 'im2col') throw new Error(`${op}: unknown algorithm '${String(a)}'; known: implicit, im2col`);
  return a;
}

/**
 * Chunks to split the rows of the weight gradient in: a layer whose [dW; db] has fewer
 * elements than a GPU has room for workgroups (LeNet's first conv: 156) gets about
 * SPLIT_TARGET workgroups, each still adding at least 8 rows per invocation.
 */
export function weightGradSplit(outputs: number, rows: number, groupSize: number): number {
  const SPLIT_TARGET = 1024;
  if (outputs >= SPLIT_TARGET) return 1;
  return Math.max(1, Math.min(Math.floor(SPLIT_TARGET / outputs), Math.floor(rows / (8 * groupSize))));
}

/** The uniform struct `Conv` of conv2d.wgsl. */
function convParams(
  win: Window2D,
  f: number,
  extra: { has_bias?: number; act?: number; dact?: number; count?: number; split?: number; chunk?: number; weight_groups?: number },
): Record<string, number> {
  return {
    ...windowUniforms(win),
    f,
    has_bias: extra.has_bias ?? 0,
    act: extra.act ?? 0,
    dact: extra.dact ?? 0,
    count: extra.count ?? 0,
    split: extra.split ?? 1,
    chunk: extra.chunk ?? 0,
    weight_groups: extra.weight_groups ?? 0,
  };
}

/** The uniform struct `Win` of im2col.wgsl / col2im.wgsl (count: elements the kernel writes). */
function winParams(win: Window2D, count: number): Record<string, number> {
  return {
    ...windowUniforms(win),
    count,
  };
}

/** X (n, h, w, c) → cols (n·oh·ow, kh·kw·c); column (i·kw + j)·c + ch; zeros in the padding. */
export function im2col(ctx: GpuContext, x: Tensor, win: Window2D, label = 'im2col'): GpuTensor {
  const X = ctx.useF32(x, 'im2col', 'X');
  const [rows, k] = im2colSignature(X.shape, win) as [number, number];
  const cols = ctx.empty([rows, k], 'f32', label);
  ctx.dispatch(
    { shader: 'im2col', entry: 'im2col' },
    {
      bind: { x: X, cols },
      params: winParams(win, rows * k),
      invocations: rows * k,
      label: `im2col ${shapeStr(X.shape)} → ${shapeStr(cols.shape)}`,
    },
  );
  return cols;
}

/** Adjoint of im2col: cols (n·oh·ow, kh·kw·c) → (n, h, w, c), overlapping patches summed. */
export function col2im(ctx: GpuContext, cols: Tensor, win: Window2D, label = 'col2im'): GpuTensor {
  const C = ctx.useF32(cols, 'col2im', 'cols');
  const dx = ctx.empty(col2imSignature(C.shape, win), 'f32', label);
  ctx.dispatch(
    { shader: 'col2im', entry: 'col2im' },
    {
      bind: { cols: C, dx },
      params: winParams(win, dx.size),
      invocations: dx.size,
      label: `col2im ${shapeStr(C.shape)} → ${shapeStr(dx.shape)}`,
    },
  );
  return dx;
}

/** Z = act(conv(X, W) + b): X (m, H, W, C), W (kh, kw, C, F), b (1, F) or null → (m, oh, ow, F). */
export function conv2d(
  host: ConvHost,
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  opts: Conv2DOptions,
  act: Activation = 'linear',
): GpuTensor {
  const { ctx } = host;
  const X = ctx.useF32(x, 'conv2d', 'X');
  const W = ctx.useF32(w, 'conv2d', 'W');
  const B = b ? ctx.useF32(b, 'conv2d', 'bias') : null;
  const { win, F } = conv2dSignature(X.shape, W.shape, B?.shape ?? null, opts);

  if (algorithmOf('conv2d', opts) === 'implicit') {
    // Z (m·oh·ow, F) = act(cols·W' + 1·b), cols read through X by the tile loader
    const rows = win.n * win.oh * win.ow;
    const K = win.kh * win.kw * win.c;
    // the matrix product's variant (ops/matmul/gpu.ts): workgroup-memory tiles, or register blocks
    const shapes = `${shapeStr(X.shape)} * ${shapeStr(W.shape)} (${rows}×${K}·${K}×${F})`;
    const { registers, constants: tile, groups } = productLaunch(ctx, rows, F, `conv2d ${shapes}`);
    const Z = ctx.empty([win.n, win.oh, win.ow, F], 'f32', 'conv2d');
    ctx.dispatch(
      { shader: 'conv2d', entry: registers ? 'conv2d_implicit_registers' : 'conv2d_implicit', constants: { VEC_B: ctx.tuning.vec4 && F % 4 === 0, ...tile } },
      {
        bind: { x: X, wt: W, wt4: W, bias: B ?? ctx.placeholder, z: Z },
        params: convParams(win, F, { has_bias: B ? 1 : 0, act: actCode('conv2d', act) }),
        groups,
        label: `conv2d implicit${registers ? ' (register blocks)' : ''} ${shapes}`,
      },
    );
    return Z;
  }

  const cols = im2col(ctx, X, win, 'conv2d cols');
  const Wm = ctx.alias(W, [win.kh * win.kw * win.c, F], `${W.label} (kh·kw·C, F)`);
  const Z = host.matmul(cols, Wm, { bias: B ?? undefined, activation: act }) as GpuTensor;
  const out = ctx.alias(Z, [win.n, win.oh, win.ow, F], 'conv2d');
  // the recorded dispatches keep their buffers; the pool hands them out only to later work
  ctx.dispose(cols);
  ctx.dispose(Wm);
  ctx.dispose(Z);
  return out;
}

/**
 * Gradients of Z = conv(X, W) + b given dZ (m, oh, ow, F): dW (kh, kw, C, F), db (1, F),
 * dX when needInput (⊙ σ'(Y_prev) with extras.dact); dW and db into extras.dw / extras.db
 * when given.
 */
export function conv2dBackward(
  host: ConvHost,
  dz: Tensor,
  x: Tensor,
  w: Tensor,
  opts: Conv2DOptions,
  needInput: boolean,
  extras: Conv2DBackwardExtras = {},
): { dx?: GpuTensor; dw: GpuTensor; db: GpuTensor } {
  const op = 'conv2dBackward';
  const { ctx } = host;
  const D = ctx.useF32(dz, op, 'dZ');
  const X = ctx.useF32(x, op, 'X');
  const W = ctx.useF32(w, op, 'W');
  const dactY = extras.dact ? ctx.useF32(extras.dact.y, op, 'dact.y') : null;
  const { win, F } = conv2dBackwardSignature(D.shape, X.shape, W.shape, opts, dactY?.shape);
  const algorithm = algorithmOf(op, opts);
  if (algorithm === 'implicit' && !CONV_BACKWARD_VARIANTS.includes(ctx.tuning.convBackward)) {
    throw new Error(`${op}: unknown conv backward variant '${String(ctx.tuning.convBackward)}'; known: ${CONV_BACKWARD_VARIANTS.join(', ')}`);
  }
  const K = win.kh * win.kw * win.c;
  const rows = win.n * win.oh * win.ow;
  const dact = extras.dact ? actCode(op, extras.dact.activation) : 0;
  const target = (t: Tensor | undefined, shape: readonly number[], what: string, label: string): GpuTensor => {
    if (!t) return ctx.empty(shape, 'f32', label);
    const g = ctx.useF32(t, op, `out (${what})`);
    outShape(op, what, g.shape, shape);
    return g;
  };

  const dw = target(extras.dw, W.shape, 'dW', 'conv2d dW');
  const db = target(extras.db, [1, F], 'db', 'conv2d db');

  if (algorithm === 'implicit' && ctx.tuning.convBackward === 'blocked') {
    return blockedBackward(ctx, { D, X, W, win, F, dw, db, dactY, dact, needInput, extras });
  }
  if (algorithm === 'implicit') {
    // one dispatch: [dW; db] (rows split in chunks when the layer has few weights) in the
    // first workgroups, dX ⊙ σ'(Y_prev) in the rest; then the chunks' sums added
    const red = ctx.reduction();
    const outputs = (K + 1) * F;
    const split = ctx.tuning.splitRows ? weightGradSplit(outputs, rows, red.size) : 1;
    const chunk = Math.ceil(rows / split);
    const weightGroups = outputs * split;
    const dx = needInput ? ctx.empty(X.shape, 'f32', 'conv2d dX') : null;
    // unused outputs still need a (writable) buffer each
    const partial = ctx.empty([split > 1 ? split * outputs : 1], 'f32', 'conv2d dW chunks');
    const noDx = dx ? null : ctx.empty([1], 'f32', 'unused');
    const dxGroups = dx ? Math.ceil(dx.size / red.size) : 0;
    ctx.dispatch(
      { shader: 'conv2d', entry: 'conv2d_backward', subgroups: red.subgroups, constants: { VEC_F: ctx.tuning.vec4 && F % 4 === 0, GROUP_SIZE: red.size } },
      {
        bind: { x: X, dz4: D, wt4: W, y: dactY ?? ctx.placeholder, dx: dx ?? noDx!, dw, db, partial },
        params: convParams(win, F, { dact, count: dx ? dx.size : 0, split, chunk, weight_groups: weightGroups }),
        groups: weightGroups + dxGroups,
        label:
          `conv2d backward [dW; db]${split > 1 ? ` in ${split} row chunks` : ''}` +
          (dx ? ` + dX ${shapeStr(D.shape)} → ${shapeStr(X.shape)}${dact ? ` ⊙ ${extras.dact!.activation}'` : ''}` : ''),
      },
    );
    if (split > 1) {
      ctx.dispatch(
        { shader: 'conv2d', entry: 'conv2d_weight_grad_reduce', constants: { GROUP_SIZE: red.size } },
        {
          bind: { partial, dw, db },
          params: convParams(win, F, { split, chunk, weight_groups: weightGroups }),
          invocations: outputs,
          label: `conv2d [dW; db] = Σ of ${split} row chunks`,
        },
      );
    }
    ctx.dispose(partial);
    ctx.dispose(noDx);
    return dx ? { dx, dw, db } : { dw, db };
  }

  // [dW; db] = [colsᵀ; 1ᵀ]·dZ: one workgroup per element of the (K + 1, F) result
  ctx.dispatch(
    { shader: 'conv_weight_grad', entry: 'conv_weight_grad' },
    {
      bind: { x: X, dz: D, dw, db },
      params: {
        ...windowUniforms(win),
        f: F,
      },
      groups: (K + 1) * F,
      label: `conv2d dW, db ${shapeStr(W.shape)} from ${rows} rows`,
    },
  );
  if (!needInput) return { dw, db };

  // dX = col2im(dZ · W'ᵀ), then ⊙ σ'(Y_prev)
  const Dm = ctx.alias(D, [rows, F], `${D.label} (m·oh·ow, F)`);
  const Wm = ctx.alias(W, [K, F], `${W.label} (kh·kw·C, F)`);
  const dcols = host.matmul(Dm, Wm, { transB: true }) as GpuTensor;
  let dx = col2im(ctx, dcols, win, 'conv2d dX');
  ctx.dispose(Dm);
  ctx.dispose(Wm);
  ctx.dispose(dcols);
  if (dactY) {
    const g = activationBackward(ctx, dx, dactY, dact, 'conv2d dX');
    ctx.dispose(dx);
    dx = g;
  }
  return { dx, dw, db };
}

/**
 * The launch of conv_backward.wgsl for dZ (R, F) of a window: register blocks of [dW; db]
 * (BK rows k × BF filters per invocation; its rows R split in chunks across workgroups when
 * the blocks alone are too few workgroups for the device) and of dX (BP pixels × BC
 * channels per invocation).
 */
export function blockedBackwardLaunch(
  ctx: GpuContext,
  win: Window2D,
  F: number,
  needInput: boolean,
): {
  groupSize: number;
  subgroups: boolean;
  BK: number;
  BF: number;
  BP: number;
  BC: number;
  kBlocks: number;
  fBlocks: number;
  split: number;
  chunk: number;
  xSlots: number;
  cBlocks: number;
  dxItems: number;
} {
  // block_sum keeps 4 blocks per invocation in 16 KiB of workgroup memory: ≤ 64 invocations
  const red = ctx.reduction();
  const { subgroups, size: groupSize } = red.size <= 64 ? red : { subgroups: false, size: 64 };
  const K = win.kh * win.kw * win.c;
  const rows = win.n * win.oh * win.ow;
  const BK = K + 1 > 4 ? 8 : 4;
  const BF = F > 4 ? 8 : 4;
  const kBlocks = Math.ceil((K + 1) / BK);
  const fBlocks = Math.ceil(F / BF);
  const blocks = kBlocks * fBlocks;
  // workgroups the weight gradient should fill: a CPU-emulated adapter runs a few at a time;
  // a GPU wants hundreds, but where dX shares the dispatch its workgroups fill the device
  const target = ctx.software ? 32 : needInput ? 64 : 512;
  // each invocation still adds at least 16 rows
  const split = ctx.tuning.splitRows && blocks < target ? Math.max(1, Math.min(Math.floor(target / blocks), Math.floor(rows / (16 * groupSize)))) : 1;
  const chunk = Math.ceil(rows / split);
  const s = win.stride;
  const BP = Math.min(ctx.software ? 8 : 4, Math.ceil(win.w / s));
  const BC = win.c > 4 ? 8 : 4;
  const xSlots = s * Math.ceil(Math.ceil(win.w / s) / BP);
  const cBlocks = Math.ceil(win.c / BC);
  const dxItems = needInput ? win.n * win.h * xSlots * cBlocks : 0;
  return { groupSize, subgroups, BK, BF, BP, BC, kBlocks, fBlocks, split, chunk, xSlots, cBlocks, dxItems };
}

interface BlockedArgs {
  D: GpuTensor;
  X: GpuTensor;
  W: GpuTensor;
  win: Window2D;
  F: number;
  dw: GpuTensor;
  db: GpuTensor;
  dactY: GpuTensor | null;
  dact: number;
  needInput: boolean;
  extras: Conv2DBackwardExtras;
}

// one dispatch of conv_backward.wgsl: [dW; db] in the first workgroups, dX ⊙ σ'(Y_prev) in
// the rest; then, when the rows were split, the chunks' sums added (conv2d_weight_grad_reduce)
function blockedBackward(ctx: GpuContext, a: BlockedArgs): { dx?: GpuTensor; dw: GpuTensor; db: GpuTensor } {
  const { D, X, W, win, F, dw, db } = a;
  const L = blockedBackwardLaunch(ctx, win, F, a.needInput);
  const outputs = (win.kh * win.kw * win.c + 1) * F;
  const weightGroups = L.kBlocks * L.fBlocks * L.split;
  const dx = a.needInput ? ctx.empty(X.shape, 'f32', 'conv2d dX') : null;
  const partial = ctx.empty([L.split > 1 ? L.split * outputs : 1], 'f32', 'conv2d dW chunks');
  const noDx = dx ? null : ctx.empty([1], 'f32', 'unused');
  const dxGroups = Math.ceil(L.dxItems / L.groupSize);
  ctx.dispatch(
    {
      shader: 'conv_backward',
      entry: 'conv2d_backward_blocked',
      subgroups: L.subgroups,
      constants: { VEC_F: ctx.tuning.vec4 && F % 4 === 0, GROUP_SIZE: L.groupSize, BK: L.BK, BF: L.BF, BP: L.BP, BC: L.BC },
    },
    {
      bind: { x: X, dz4: D, wt4: W, y: a.dactY ?? ctx.placeholder, dx: dx ?? noDx!, dw, db, partial },
      params: {
        ...windowUniforms(win),
        f: F,
        dact: a.dact,
        split: L.split,
        chunk: L.chunk,
        weight_groups: weightGroups,
        k_blocks: L.kBlocks,
        f_blocks: L.fBlocks,
        x_slots: L.xSlots,
        c_blocks: L.cBlocks,
        dx_items: L.dxItems,
      },
      groups: weightGroups + dxGroups,
      label:
        `conv2d backward blocked [dW; db] ${L.BK}×${L.BF} blocks${L.split > 1 ? ` in ${L.split} row chunks` : ''}` +
        (dx ? ` + dX ${shapeStr(D.shape)} → ${shapeStr(X.shape)} ${L.BP}×${L.BC} blocks${a.dact ? ` ⊙ ${a.extras.dact!.activation}'` : ''}` : ''),
    },
  );
  if (L.split > 1) {
    const red = ctx.reduction();
    ctx.dispatch(
      { shader: 'conv2d', entry: 'conv2d_weight_grad_reduce', constants: { GROUP_SIZE: red.size } },
      {
        bind: { partial, dw, db },
        params: convParams(win, F, { split: L.split, chunk: L.chunk, weight_groups: weightGroups }),
        invocations: outputs,
        label: `conv2d [dW; db] = Σ of ${L.split} row chunks`,
      },
    );
  }
  ctx.dispose(partial);
  ctx.dispose(noDx);
  return dx ? { dx, dw, db } : { dw, db };
}
