// The reference a student reads (src/exercises/np/reference.md) names every function the
// module offers, and its recipes for the convolution and pooling — pad, sliding windows,
// einsum, get/set/add_at — compute what the course's CPU reference computes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCpuBackend, type CpuTensor } from '../../src/engine/cpu/backend';
import { NDArray, np } from '../../src/exercises/np';

const reference = readFileSync(new URL('../../src/exercises/np/reference.md', import.meta.url), 'utf8');
const cpu = createCpuBackend();
const swv = np.lib.stride_tricks.sliding_window_view;

function expectClose(got: NDArray, want: Float64Array | number[], what: string): void {
  expect(got.size, what).toBe(want.length);
  got.data.forEach((v, i) => expect(Math.abs(v - want[i]), `${what} [${i}]`).toBeLessThan(1e-9 * (1 + Math.abs(want[i]))));
}

describe('reference.md', () => {
  it('names every np function', () => {
    const names = Object.entries(np)
      .filter(([, v]) => typeof v === 'function' && v !== np.ndarray)
      .map(([k]) => `np.${k}`);
    names.push(...Object.keys(np.random).map((k) => `np.random.${k}`), 'np.lib.stride_tricks.sliding_window_view', 'np.add.at');
    const missing = names.filter((n) => !reference.includes(`${n}(`) && !reference.includes(`${n}\``) && !reference.includes(`${n},`));
    expect(missing).toEqual([]);
  });
  it('does not offer what the exercises ask the student to write', () => {
    for (const k of ['conv', 'conv2d', 'convolve', 'correlate', 'softmax', 'log_softmax', 'logsumexp', 'pool', 'max_pool', 'grad', 'nn']) {
      expect(k in np, k).toBe(false);
    }
    expect('as_strided' in np.lib.stride_tricks).toBe(false);
  });
});

describe("the reference's recipes agree with the CPU reference", () => {
  it('conv forward (windows + einsum), dW (einsum), dX (add_at over kernel positions)', () => {
    np.random.seed(7);
    for (let t = 0; t < 12; t++) {
      const pick = (lo: number, hi: number) => lo + Math.floor(np.random.rand().item() * (hi - lo + 1));
      const [m, c, f, kh, kw, s, p] = [pick(1, 3), pick(1, 3), pick(1, 3), pick(1, 3), pick(1, 3), pick(1, 3), pick(0, 2)];
      const [h, w] = [pick(kh, 7), pick(kw, 7)];
      const X = np.random.randn(m, h, w, c);
      const W = np.random.randn(kh, kw, c, f);
      const b = np.random.randn(1, f);
      const what = `m${m} ${h}×${w}×${c} k${kh}×${kw} f${f} s${s} p${p}`;

      // forward, as reference.md writes it
      const Xp = np.pad(X, [[0, 0], [p, p], [p, p], [0, 0]]);
      const win = swv(Xp, [kh, kw], [1, 2]).get(':', `::${s}`, `::${s}`);
      const Z = np.einsum('nhwcij,ijcf->nhwf', win, W).add(b);
      const xT = cpu.fromArray(X.data, [m, h, w, c]);
      const wT = cpu.fromArray(W.data, [kh, kw, c, f]);
      const zRef = cpu.conv2d(xT, wT, cpu.fromArray(b.data, [1, f]), { stride: s, pad: p }) as CpuTensor;
      expect(Z.shape, what).toEqual([...zRef.shape]);
      expectClose(Z, zRef.data, `Z ${what}`);

      // forward, one output position at a time
      const [, oh, ow] = Z.shape;
      const Zloop = np.zeros(Z.shape);
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const x = Xp.get(':', `${i * s}:${i * s + kh}`, `${j * s}:${j * s + kw}`, ':');
          Zloop.set(':', i, j, ':', np.einsum('nhwc,hwcf->nf', x, W));
        }
      }
      expectClose(Zloop.add(b), zRef.data, `Z per position ${what}`);

      // backward
      const dZ = np.random.randn(...Z.shape);
      const ref = cpu.conv2dBackward(cpu.fromArray(dZ.data, dZ.shape), xT, wT, { stride: s, pad: p }, true);
      expectClose(np.einsum('nhwcij,nhwf->ijcf', win, dZ), (ref.dw as CpuTensor).data, `dW ${what}`);
      expectClose(np.sum(dZ, [0, 1, 2], true), (ref.db as CpuTensor).data, `db ${what}`);
      const dXp = np.zeros(Xp.shape);
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          // dXp[:, i*s:i*s+kh, j*s:j*s+kw, :] += einsum('nf,ijcf->nijc', dZ[:, i, j, :], W)
          const g = np.einsum('nf,ijcf->nijc', dZ.get(':', i, j, ':'), W);
          np.add_at(dXp, [':', `${i * s}:${i * s + kh}`, `${j * s}:${j * s + kw}`, ':'], g);
        }
      }
      const dX = dXp.get(':', `${p}:${p + h}`, `${p}:${p + w}`, ':');
      expectClose(dX, (ref.dx as CpuTensor).data, `dX ${what}`);
    }
  });

  it('max and average pooling forward over window positions', () => {
    np.random.seed(11);
    for (const [k, s, p] of [[2, 2, 0], [3, 1, 1], [2, 3, 0], [3, 2, 1]]) {
      const X = np.random.randn(2, 7, 6, 3);
      const Xp = np.pad(X, [[0, 0], [p, p], [p, p], [0, 0]]);
      const oh = Math.floor((7 + 2 * p - k) / s) + 1;
      const ow = Math.floor((6 + 2 * p - k) / s) + 1;
      const Zmax = np.zeros([2, oh, ow, 3]);
      const Zavg = np.zeros([2, oh, ow, 3]);
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const x = Xp.get(':', `${i * s}:${i * s + k}`, `${j * s}:${j * s + k}`, ':');
          Zmax.set(':', i, j, ':', np.max(x, [1, 2]));
          Zavg.set(':', i, j, ':', np.mean(x, [1, 2]));
        }
      }
      const xT = cpu.fromArray(X.data, X.shape);
      const refMax = cpu.pool2d(xT, { mode: 'max', kernel: [k, k], stride: s, pad: p }).y as CpuTensor;
      const refAvg = cpu.pool2d(xT, { mode: 'avg', kernel: [k, k], stride: s, pad: p }).y as CpuTensor;
      expectClose(Zmax, refMax.data, `max k${k} s${s} p${p}`);
      expectClose(Zavg, refAvg.data, `avg k${k} s${s} p${p}`);
    }
  });
});
