// Our side of every workload, written against the Backend interface only: the WebGPU
// backend in the benchmark, the float64 CPU reference when checking the harness.
//
// The LeNet and Iris training steps are built here from Backend ops (forward, fused
// softmax–cross-entropy, backward, SGD), the same sequence the nn package's layers issue,
// so the benchmark does not depend on the nn package's model code.

import type { Backend, Conv2DOptions, Pool2DOptions, Tensor } from '../src/engine/backend';
import type { Contender, Runner } from './harness';
import {
  convOperands,
  epochBatches,
  irisData,
  irisParams,
  LENET_PARAM_SHAPES,
  lenetParams,
  matmulOperands,
  MnistLike,
  sweepConfigs,
  type ConvShape,
  type LenetParams,
  type Workload,
} from './workloads';

const f32 = (a: ArrayLike<number>): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const POOL: Pool2DOptions = { mode: 'max', kernel: [2, 2], stride: 2, pad: 'valid' };

// ── LeNet from Backend ops ───────────────────────────────────────────────────

type LenetKey = keyof LenetParams;
const LENET_KEYS = Object.keys(LENET_PARAM_SHAPES) as LenetKey[];

export class OurLenet {
  readonly p: Record<LenetKey, Tensor>;
  constructor(
    readonly be: Backend,
    init: LenetParams,
  ) {
    this.p = {} as Record<LenetKey, Tensor>;
    for (const k of LENET_KEYS) this.p[k] = be.fromArray(init[k], LENET_PARAM_SHAPES[k], `lenet.${k}`);
  }

  /**
   * One SGD step on x (m, 28, 28, 1), y one-hot (m, 10). Returns the loss (1), not read.
   * Recorded into one command buffer and submitted (flush).
   */
  step(x: Tensor, y: Tensor, lr: number): Tensor {
    const be = this.be;
    const p = this.p;
    const m = x.shape[0]!;
    const c1: Conv2DOptions = { stride: 1, pad: 'same' };
    const c2: Conv2DOptions = { stride: 1, pad: 'valid' };
    // forward
    const z1 = be.conv2d(x, p.w1, p.b1, c1, 'relu'); // (m,28,28,6), after relu
    const q1 = be.pool2d(z1, POOL); // (m,14,14,6)
    const z2 = be.conv2d(q1.y, p.w2, p.b2, c2, 'relu'); // (m,10,10,16)
    const q2 = be.pool2d(z2, POOL); // (m,5,5,16)
    const flat = be.reshape(q2.y, [m, 400]);
    const h3 = be.matmul(flat, p.w3, { bias: p.b3, activation: 'relu' }); // (m,120)
    const h4 = be.matmul(h3, p.w4, { bias: p.b4, activation: 'relu' }); // (m,84)
    const z5 = be.matmul(h4, p.w5, { bias: p.b5 }); // (m,10)
    const { loss, probs } = be.softmaxCrossEntropy(z5, y);
    // backward
    const dz5 = be.softmaxCrossEntropyBackward(probs, y); // (ŷ − y)/m
    const dw5 = be.matmul(h4, dz5, { transA: true });
    const db5 = be.sumRows(dz5);
    const dh4 = be.matmul(dz5, p.w5, { transB: true });
    const dz4 = be.activationBackward(dh4, h4, 'relu');
    const dw4 = be.matmul(h3, dz4, { transA: true });
    const db4 = be.sumRows(dz4);
    const dh3 = be.matmul(dz4, p.w4, { transB: true });
    const dz3 = be.activationBackward(dh3, h3, 'relu');
    const dw3 = be.matmul(flat, dz3, { transA: true });
    const db3 = be.sumRows(dz3);
    const dflat = be.matmul(dz3, p.w3, { transB: true }); // (m,400)
    const dq2 = be.reshape(dflat, [m, 5, 5, 16]);
    const da2 = be.pool2dBackward(dq2, z2.shape, POOL, q2.argmax);
    const dz2 = be.activationBackward(da2, z2, 'relu');
    const g2 = be.conv2dBackward(dz2, q1.y, p.w2, c2, true);
    const da1 = be.pool2dBackward(g2.dx!, z1.shape, POOL, q1.argmax);
    const dz1 = be.activationBackward(da1, z1, 'relu');
    const g1 = be.conv2dBackward(dz1, x, p.w1, c1, false);
    // SGD: p ← p − lr·g
    const h = { lr, momentum: 0 };
    const grads: Record<LenetKey, Tensor> = { w1: g1.dw, b1: g1.db, w2: g2.dw, b2: g2.db, w3: dw3, b3: db3, w4: dw4, b4: db4, w5: dw5, b5: db5 };
    for (const k of LENET_KEYS) be.sgdUpdate(p[k], grads[k], null, h);
    be.dispose(z1, q1.y, q1.argmax, z2, q2.y, q2.argmax, flat, h3, h4, z5, probs, dz5, dh4, dz4, dh3, dz3, dflat, dq2);
    be.dispose(da2, dz2, g2.dx, da1, dz1, ...Object.values(grads));
    be.flush();
    return loss;
  }

  async readParams(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const k of LENET_KEYS) out.push(f32(await this.be.read(this.p[k])));
    return out;
  }

  dispose(): void {
    this.be.dispose(...Object.values(this.p));
  }
}

// ── the Iris net ─────────────────────────────────────────────────────────────

class OurIris {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
  constructor(
    readonly be: Backend,
    hidden: number,
    seed: number,
  ) {
    const p = irisParams(seed, hidden);
    this.w1 = be.fromArray(p.w1, [4, hidden], 'iris.w1');
    this.b1 = be.fromArray(p.b1, [1, hidden], 'iris.b1');
    this.w2 = be.fromArray(p.w2, [hidden, 3], 'iris.w2');
    this.b2 = be.fromArray(p.b2, [1, 3], 'iris.b2');
  }
  /** logits (m, 3) and the hidden activations (m, h) */
  forward(x: Tensor): { h: Tensor; z: Tensor } {
    const h = this.be.matmul(x, this.w1, { bias: this.b1, activation: 'relu' });
    const z = this.be.matmul(h, this.w2, { bias: this.b2 });
    return { h, z };
  }
  step(x: Tensor, y: Tensor, lr: number): void {
    const be = this.be;
    const { h, z } = this.forward(x);
    const { loss, probs } = be.softmaxCrossEntropy(z, y);
    const dz = be.softmaxCrossEntropyBackward(probs, y);
    const dw2 = be.matmul(h, dz, { transA: true });
    const db2 = be.sumRows(dz);
    const dh = be.matmul(dz, this.w2, { transB: true });
    const dzh = be.activationBackward(dh, h, 'relu');
    const dw1 = be.matmul(x, dzh, { transA: true });
    const db1 = be.sumRows(dzh);
    const hyp = { lr, momentum: 0 };
    be.sgdUpdate(this.w1, dw1, null, hyp);
    be.sgdUpdate(this.b1, db1, null, hyp);
    be.sgdUpdate(this.w2, dw2, null, hyp);
    be.sgdUpdate(this.b2, db2, null, hyp);
    be.dispose(h, z, loss, probs, dz, dw2, db2, dh, dzh, dw1, db1);
    be.flush();
  }
  /** [loss, accuracy] on (x, y) */
  async evaluate(x: Tensor, y: Tensor): Promise<[number, number]> {
    const { h, z } = this.forward(x);
    const { loss, probs } = this.be.softmaxCrossEntropy(z, y);
    const correct = this.be.countCorrect(z, y);
    this.be.flush();
    const l = (await this.be.read(loss))[0]!;
    const c = (await this.be.read(correct))[0]!;
    this.be.dispose(h, z, loss, probs, correct);
    return [l, c / x.shape[0]!];
  }
  dispose(): void {
    this.be.dispose(this.w1, this.b1, this.w2, this.b2);
  }
}

// ── the contender ────────────────────────────────────────────────────────────

export class OursContender implements Contender {
  readonly key = 'ours';
  constructor(
    readonly be: Backend,
    readonly name: string,
  ) {}

  unsupported(): string | null {
    return null;
  }

  destroy(): void {
    this.be.destroy();
  }

  async prepare(w: Workload): Promise<Runner> {
    const be = this.be;
    const sync = async () => {
      be.flush();
      await be.sync();
    };
    switch (w.kind) {
      case 'matmul': {
        const { a, b } = matmulOperands(w.m, w.n, w.k);
        const ta = be.fromArray(a, [w.m, w.k], 'A');
        const tb = be.fromArray(b, [w.k, w.n], 'B');
        return {
          run: () => {
            be.dispose(be.matmul(ta, tb));
            be.flush();
          },
          sync,
          probe: async () => {
            const c = be.matmul(ta, tb);
            const out = f32(await be.read(c));
            be.dispose(c);
            return out;
          },
          dispose: () => be.dispose(ta, tb),
        };
      }
      case 'conv-fwd':
      case 'conv-bwd': {
        const s: ConvShape = w.conv;
        const d = convOperands(s);
        const [oh, ow] = s.pad === 'same' ? [s.h, s.w] : [s.h - s.k + 1, s.w - s.k + 1];
        const x = be.fromArray(d.x, [s.m, s.h, s.w, s.c], 'X');
        const wt = be.fromArray(d.w, [s.k, s.k, s.c, s.f], 'W');
        const b = be.fromArray(d.b, [1, s.f], 'b');
        const dz = be.fromArray(d.dz, [s.m, oh, ow, s.f], 'dZ');
        const opts: Conv2DOptions = { stride: 1, pad: s.pad };
        const fwd = () => be.conv2d(x, wt, b, opts, s.relu ? 'relu' : 'linear');
        const needInput = w.kind === 'conv-bwd' && w.needInput;
        const bwd = () => be.conv2dBackward(dz, x, wt, opts, needInput);
        const dispose = () => be.dispose(x, wt, b, dz);
        if (w.kind === 'conv-fwd') {
          return {
            run: () => {
              be.dispose(fwd());
              be.flush();
            },
            sync,
            probe: async () => {
              const y = fwd();
              const out = f32(await be.read(y));
              be.dispose(y);
              return out;
            },
            dispose,
          };
        }
        return {
          run: () => {
            const g = bwd();
            be.dispose(g.dx, g.dw, g.db);
            be.flush();
          },
          sync,
          probe: async () => {
            const g = bwd();
            const parts = [await be.read(g.dw), await be.read(g.db)];
            if (g.dx) parts.push(await be.read(g.dx));
            be.dispose(g.dx, g.dw, g.db);
            return concat(parts);
          },
          dispose,
        };
      }
      case 'lenet-step': {
        const data = new MnistLike(3, w.batch);
        const { x: xs, y: ys } = data.batch(0, w.batch);
        const x = be.fromArray(xs, [w.batch, 28, 28, 1], 'x');
        const y = be.fromArray(ys, [w.batch, 10], 'y');
        const net = new OurLenet(be, lenetParams(42));
        return {
          run: () => be.dispose(net.step(x, y, w.lr)),
          sync,
          probe: async () => {
            const loss = net.step(x, y, w.lr);
            const l = f32(await be.read(loss));
            be.dispose(loss);
            return concat([l, ...(await net.readParams())]);
          },
          dispose: () => {
            net.dispose();
            be.dispose(x, y);
          },
        };
      }
      case 'mnist-epoch': {
        const data = new MnistLike(5);
        const net = new OurLenet(be, lenetParams(43));
        const xFull = be.zeros([w.batch, 28, 28, 1], 'x batch');
        const yFull = be.zeros([w.batch, 10], 'y batch');
        const batches = epochBatches(w.samples, w.batch);
        /** one epoch; returns the mean of the step losses (read once, at the end) */
        const epoch = async (): Promise<number> => {
          let sum = be.zeros([1], 'loss sum');
          for (const [start, size] of batches) {
            const { x: xs, y: ys } = data.batch(start, size);
            let x = xFull;
            let y = yFull;
            if (size === w.batch) {
              be.write(xFull, xs);
              be.write(yFull, ys);
            } else {
              x = be.fromArray(xs, [size, 28, 28, 1], 'x tail');
              y = be.fromArray(ys, [size, 10], 'y tail');
            }
            const loss = net.step(x, y, w.lr);
            const next = be.axpby(1, sum, 1, loss);
            be.dispose(sum, loss);
            sum = next;
            if (x !== xFull) be.dispose(x, y);
          }
          const mean = (await be.read(sum))[0]! / batches.length;
          be.dispose(sum);
          return mean;
        };
        return {
          run: async () => {
            await epoch();
          },
          sync,
          probe: async () => Float32Array.of(await epoch()),
          dispose: () => {
            net.dispose();
            be.dispose(xFull, yFull);
          },
        };
      }
      case 'iris-sweep': {
        const iris = irisData(9);
        const xAll = be.fromArray(iris.x, [iris.n, 4], 'iris x');
        const yAll = be.fromArray(iris.y, [iris.n, 3], 'iris y');
        const batches = epochBatches(iris.n, w.batch).map(([s, m]) => ({
          x: be.fromArray(iris.x.subarray(s * 4, (s + m) * 4), [m, 4], `iris x[${s}]`),
          y: be.fromArray(iris.y.subarray(s * 3, (s + m) * 3), [m, 3], `iris y[${s}]`),
        }));
        const sweep = async (): Promise<Float32Array> => {
          const out: number[] = [];
          for (const cfg of sweepConfigs(w)) {
            const net = new OurIris(be, cfg.hidden, cfg.seed);
            for (let e = 0; e < w.epochs; e++) for (const b of batches) net.step(b.x, b.y, cfg.lr);
            out.push(...(await net.evaluate(xAll, yAll)));
            net.dispose();
          }
          return Float32Array.from(out);
        };
        return {
          run: async () => {
            await sweep();
          },
          sync,
          probe: sweep,
          dispose: () => {
            be.dispose(xAll, yAll);
            for (const b of batches) be.dispose(b.x, b.y);
          },
        };
      }
    }
  }
}
