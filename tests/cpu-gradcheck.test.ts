// The CPU reference's backward operations agree with central differences in float64.
//
// For an op Y = f(X) and a fixed random R, take the scalar L = Σ R ⊙ f(X). Then
// dL/dY = R, the analytic gradient is backward(R), and each entry of the numerical one is
// (L(X + h·e_i) − L(X − h·e_i)) / 2h. Relative error ‖a − n‖ / (‖a‖ + ‖n‖) < 1e-6.

import { describe, expect, it } from 'vitest';
import type { Activation, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { type Padding, window2d } from '../src/engine/geometry';
import { Rng } from '../src/engine/random';
import { centralDifference, randomArray, randomOneHot, relativeError } from './helpers/check';

const cpu = createCpuBackend();
const H = 1e-6;
const TOL = 1e-6;

function dataOf(x: Tensor): Float64Array {
  return (x as unknown as { data: Float64Array }).data;
}

/** numerical gradient of x ↦ Σ r ⊙ f(x) by central differences */
function numericGrad(x: Float64Array, f: (x: Float64Array) => Float64Array, r: Float64Array): Float64Array {
  return centralDifference(x, (v) => f(v).reduce((s, y, i) => s + y * r[i]!, 0), { h: H });
}

function check(name: string, analytic: ArrayLike<number>, numeric: ArrayLike<number>): void {
  const err = relativeError(analytic, numeric);
  expect(err, `${name}: relative error ${err.toExponential(2)}`).toBeLessThan(TOL);
}

describe('CPU reference gradients vs central differences (float64)', () => {
  const rng = new Rng(20261122);

  it.each<[Activation]>([['linear'], ['relu'], ['sigmoid'], ['tanh']])('dense layer with %s: dX, dW, db', (act) => {
    for (const [m, nin, nout] of [[1, 3, 2], [5, 4, 3], [3, 7, 5]] as const) {
      const x = randomArray(rng, m * nin);
      const w = randomArray(rng, nin * nout);
      const b = randomArray(rng, nout);
      const r = randomArray(rng, m * nout);
      const fwd = (xv: Float64Array, wv: Float64Array, bv: Float64Array) =>
        dataOf(cpu.matmul(cpu.fromArray(xv, [m, nin]), cpu.fromArray(wv, [nin, nout]), { bias: cpu.fromArray(bv, [1, nout]), activation: act }));
      // Z must stay off the ReLU kink: shift the bias so no |z| is tiny
      if (act === 'relu') {
        const z = dataOf(cpu.matmul(cpu.fromArray(x, [m, nin]), cpu.fromArray(w, [nin, nout]), { bias: cpu.fromArray(b, [1, nout]) }));
        for (let j = 0; j < nout; j++) for (let i = 0; i < m; i++) if (Math.abs(z[i * nout + j]!) < 0.05) b[j]! += 0.1;
      }
      const X = cpu.fromArray(x, [m, nin]);
      const W = cpu.fromArray(w, [nin, nout]);
      const Y = cpu.matmul(X, W, { bias: cpu.fromArray(b, [1, nout]), activation: act });
      const dZ = cpu.activationBackward(cpu.fromArray(r, [m, nout]), Y, act);
      const dX = cpu.matmul(dZ, W, { transB: true });
      const dW = cpu.matmul(X, dZ, { transA: true });
      const db = cpu.sumRows(dZ);
      check(`${act} dX`, dataOf(dX), numericGrad(x, (v) => fwd(v, w, b), r));
      check(`${act} dW`, dataOf(dW), numericGrad(w, (v) => fwd(x, v, b), r));
      check(`${act} db`, dataOf(db), numericGrad(b, (v) => fwd(x, w, v), r));
    }
  });

  it('softmax Jacobian-vector product', () => {
    for (const [m, k] of [[1, 2], [4, 5], [3, 10]] as const) {
      const z = randomArray(rng, m * k, -3, 3);
      const r = randomArray(rng, m * k);
      const s = cpu.softmax(cpu.fromArray(z, [m, k]));
      const analytic = dataOf(cpu.softmaxBackward(cpu.fromArray(r, [m, k]), s));
      check('softmax', analytic, numericGrad(z, (v) => dataOf(cpu.softmax(cpu.fromArray(v, [m, k]))), r));
    }
  });

  it('cross-entropy on probabilities, and the fused softmax–cross-entropy', () => {
    for (const [m, k] of [[1, 3], [5, 4], [2, 10]] as const) {
      const y = randomOneHot(rng, m, k);
      const p = randomArray(rng, m * k, 0.05, 1);
      const one = Float64Array.of(1);
      const ce = (v: Float64Array) => dataOf(cpu.crossEntropy(cpu.fromArray(v, [m, k]), cpu.fromArray(y, [m, k])));
      check('cross-entropy', dataOf(cpu.crossEntropyBackward(cpu.fromArray(p, [m, k]), cpu.fromArray(y, [m, k]))), numericGrad(p, ce, one));

      const z = randomArray(rng, m * k, -4, 4);
      const fused = (v: Float64Array) => dataOf(cpu.softmaxCrossEntropy(cpu.fromArray(v, [m, k]), cpu.fromArray(y, [m, k])).loss);
      const { probs } = cpu.softmaxCrossEntropy(cpu.fromArray(z, [m, k]), cpu.fromArray(y, [m, k]));
      const dz = dataOf(cpu.softmaxCrossEntropyBackward(probs, cpu.fromArray(y, [m, k])));
      check('softmax–cross-entropy', dz, numericGrad(z, fused, one));
      // the unfused chain (softmax backward ∘ cross-entropy backward) gives the same dZ
      const chain = dataOf(cpu.softmaxBackward(cpu.crossEntropyBackward(probs, cpu.fromArray(y, [m, k])), probs));
      check('fused vs unfused', chain, dz);
    }
  });

  it('mean squared error', () => {
    const [m, k] = [4, 3];
    const p = randomArray(rng, m * k);
    const y = randomArray(rng, m * k);
    const f = (v: Float64Array) => dataOf(cpu.mse(cpu.fromArray(v, [m, k]), cpu.fromArray(y, [m, k])));
    check('mse', dataOf(cpu.mseBackward(cpu.fromArray(p, [m, k]), cpu.fromArray(y, [m, k]))), numericGrad(p, f, Float64Array.of(1)));
  });

  // kernel 1–5, stride 1–2, pad same/valid/int, non-square, 1–4 channels, batch 1–5
  const convCases: [number, number, number, number, number, number, number, number, Padding][] = [];
  {
    const r = new Rng(7);
    const pads: Padding[] = ['same', 'valid', 0, 1, 2];
    for (let i = 0; i < 10; i++) {
      const kh = 1 + r.int(5);
      const kw = 1 + r.int(5);
      const stride = 1 + r.int(2);
      const pad = pads[i % pads.length]!;
      const h = kh + 1 + r.int(4);
      const w = kw + r.int(5);
      convCases.push([1 + r.int(5), h, w, 1 + r.int(4), kh, kw, 1 + r.int(3), stride, pad]);
    }
  }

  it.each(convCases)('conv2d n=%i H=%i W=%i C=%i k=%i×%i F=%i stride %i pad %s', (n, h, w, c, kh, kw, f, stride, pad) => {
    const x = randomArray(rng, n * h * w * c);
    const wt = randomArray(rng, kh * kw * c * f);
    const b = randomArray(rng, f);
    const opts = { stride, pad };
    const fwd = (xv: Float64Array, wv: Float64Array, bv: Float64Array) =>
      dataOf(cpu.conv2d(cpu.fromArray(xv, [n, h, w, c]), cpu.fromArray(wv, [kh, kw, c, f]), cpu.fromArray(bv, [1, f]), opts));
    const z = fwd(x, wt, b);
    const r = randomArray(rng, z.length);
    const { dx, dw, db } = cpu.conv2dBackward(cpu.fromArray(r, shapeOfConv(n, h, w, kh, kw, stride, pad, f)), cpu.fromArray(x, [n, h, w, c]), cpu.fromArray(wt, [kh, kw, c, f]), opts, true);
    check('conv dX', dataOf(dx!), numericGrad(x, (v) => fwd(v, wt, b), r));
    check('conv dW', dataOf(dw), numericGrad(wt, (v) => fwd(x, v, b), r));
    check('conv db', dataOf(db), numericGrad(b, (v) => fwd(x, wt, v), r));

    // conv2d's definition equals im2col followed by matmul, and col2im is im2col's adjoint
    const win = window2d('conv2d', [n, h, w, c], [kh, kw], stride, pad);
    const cols = cpu.im2col(cpu.fromArray(x, [n, h, w, c]), win);
    const viaCols = dataOf(cpu.matmul(cols, cpu.fromArray(wt, [kh * kw * c, f]), { bias: cpu.fromArray(b, [1, f]) }));
    check('conv = im2col · W', viaCols, z);
    const cr = randomArray(rng, cols.size);
    const lhs = dataOf(cols).reduce((s, v, i) => s + v * cr[i]!, 0);
    const rhs = dataOf(cpu.col2im(cpu.fromArray(cr, cols.shape), win)).reduce((s, v, i) => s + v * x[i]!, 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lhs)));
  });

  it.each(convCases.slice(0, 8))('pooling max and avg n=%i H=%i W=%i C=%i k=%i×%i (F=%i) stride %i pad %s', (n, h, w, c, kh, kw, _f, stride, pad) => {
    for (const mode of ['max', 'avg'] as const) {
      const opts = { mode, kernel: [kh, kw] as const, stride, pad };
      // distinct values, well separated, so no two elements of a window tie and
      // a ±h step never changes the arg-max; positive so padding zeros never win
      const x = rng.shuffle(Array.from({ length: n * h * w * c }, (_, i) => 1 + 0.01 * i)) as number[];
      const xs = Float64Array.from(x);
      const fwd = (v: Float64Array) => dataOf(cpu.pool2d(cpu.fromArray(v, [n, h, w, c]), opts).y);
      const { y, argmax } = cpu.pool2d(cpu.fromArray(xs, [n, h, w, c]), opts);
      const r = randomArray(rng, y.size);
      const dx = cpu.pool2dBackward(cpu.fromArray(r, y.shape), [n, h, w, c], opts, argmax);
      check(`${mode} pool`, dataOf(dx), numericGrad(xs, fwd, r));
    }
  });

  it('max pooling routes the gradient to the arg-max only', () => {
    // one 2×2 window: the gradient lands on the 9
    const x = cpu.fromArray([1, 9, 3, 4], [1, 2, 2, 1]);
    const opts = { mode: 'max' as const, kernel: [2, 2] as const, stride: 2, pad: 'valid' as const };
    const { y, argmax } = cpu.pool2d(x, opts);
    expect([...dataOf(y)]).toEqual([9]);
    expect([...dataOf(cpu.pool2dBackward(cpu.fromArray([5], [1, 1, 1, 1]), [1, 2, 2, 1], opts, argmax))]).toEqual([0, 5, 0, 0]);
    const avg = cpu.pool2dBackward(cpu.fromArray([4], [1, 1, 1, 1]), [1, 2, 2, 1], { ...opts, mode: 'avg' });
    expect([...dataOf(avg)]).toEqual([1, 1, 1, 1]);
  });
});

function shapeOfConv(n: number, h: number, w: number, kh: number, kw: number, stride: number, pad: Padding, f: number): number[] {
  const win = window2d('conv2d', [n, h, w, 1], [kh, kw], stride, pad);
  return [n, win.oh, win.ow, f];
}
