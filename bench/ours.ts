// Our side of every workload: the engine through the Backend interface (matmul,
// convolution), and the nn package's NeuralNetwork for training (LeNet step, epoch, Iris
// sweep), which is what the notebook runs. Backend: the WebGPU engine in the benchmark,
// or the float64 CPU reference when checking the harness.
//
// Models start from the same seeded parameters as the peers (setParameters), so the
// cross-check compares the same computation.

import type { Backend, Conv2DOptions } from '../src/engine/backend';
import { WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import type { MatmulVariant } from '../src/engine/gpu/tuning';
import { NeuralNetwork, type ModelConfig } from '../src/nn';
import type { Contender, Runner } from './harness';
import {
  convOperands,
  epochBatches,
  epochSource,
  irisData,
  irisParams,
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

// ── LeNet and the Iris net as nn models ──────────────────────────────────────

/** LeNet-5 as in bench/workloads.ts: conv–pool–conv–pool–flatten–fc–fc–fc softmax, fused cross-entropy, SGD */
export function lenetConfig(lr: number): ModelConfig {
  return {
    layers: [
      { type: 'conv2d', nOut: 6, kernel: 5, stride: 1, pad: 'same', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2, pad: 'valid' },
      { type: 'conv2d', nOut: 16, kernel: 5, stride: 1, pad: 'valid', activation: 'relu' },
      { type: 'pool2d', mode: 'max', kernel: 2, stride: 2, pad: 'valid' },
      { type: 'flatten' },
      { type: 'fc', nOut: 120, activation: 'relu' },
      { type: 'fc', nOut: 84, activation: 'relu' },
      { type: 'fc', nOut: 10, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr, momentum: 0 },
    seed: 42,
  };
}

export function lenetModel(be: Backend, p: LenetParams, lr: number, batch: number): NeuralNetwork {
  const model = new NeuralNetwork(be, lenetConfig(lr));
  model.build([batch, 28, 28, 1]);
  model.setParameters([
    { W: p.w1, b: p.b1 },
    null,
    { W: p.w2, b: p.b2 },
    null,
    null,
    { W: p.w3, b: p.b3 },
    { W: p.w4, b: p.b4 },
    { W: p.w5, b: p.b5 },
  ]);
  return model;
}

/** the parameters in LENET_PARAM_SHAPES order (w1, b1, …, w5, b5) */
async function lenetParamsOf(model: NeuralNetwork): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const layer of await model.readParameters()) {
    if (layer.W) out.push(f32(layer.W.data), f32(layer.b!.data));
  }
  return out;
}

function irisModel(be: Backend, hidden: number, lr: number, seed: number): NeuralNetwork {
  const p = irisParams(seed, hidden);
  const model = new NeuralNetwork(be, {
    layers: [
      { type: 'fc', nOut: hidden, activation: 'relu' },
      { type: 'fc', nOut: 3, activation: 'softmax' },
    ],
    loss: 'cross_entropy',
    optimizer: { type: 'sgd', lr, momentum: 0 },
    seed,
  });
  model.build([1, 4]);
  model.setParameters([
    { W: p.w1, b: p.b1 },
    { W: p.w2, b: p.b2 },
  ]);
  return model;
}

// ── the contender ────────────────────────────────────────────────────────────

export interface OursOptions {
  /** 'ours' (the engine as it configures itself), or e.g. 'ours-tiled' */
  key?: string;
  /** run every workload with this matrix-product kernel (the backend's tuning switched around each call) */
  variant?: MatmulVariant;
  /** destroy the backend with the contender (false: another contender owns it) */
  owner?: boolean;
}

/** "ours webgpu (registers matmul, blocked conv bwd)": the column title names the product and conv backward kernels that ran */
export function oursName(be: Backend, variant?: MatmulVariant): string {
  if (!(be instanceof WebGPUBackend)) return 'ours (CPU float64 reference)';
  return `ours webgpu (${variant ?? be.tuning.matmul} matmul, ${be.tuning.convBackward} conv bwd)`;
}

export class OursContender implements Contender {
  readonly key: string;
  readonly name: string;
  constructor(
    readonly be: Backend,
    private opts: OursOptions = {},
  ) {
    this.key = opts.key ?? 'ours';
    this.name = oursName(be, opts.variant);
  }

  unsupported(): string | null {
    return null;
  }

  destroy(): void {
    if (this.opts.owner !== false) this.be.destroy();
  }

  async prepare(w: Workload): Promise<Runner> {
    const r = await this.prepareRunner(w);
    const variant = this.opts.variant;
    const be = this.be;
    if (!variant || !(be instanceof WebGPUBackend)) return r;
    // the variant holds while this contender records; the shared backend's own tuning otherwise
    const within = async <T>(fn: () => T | Promise<T>): Promise<T> => {
      const saved = be.tuning;
      be.tuning = { ...saved, matmul: variant };
      try {
        return await fn();
      } finally {
        be.tuning = saved;
      }
    };
    return { run: () => within(() => r.run()), sync: r.sync, probe: () => within(() => r.probe()), dispose: r.dispose };
  }

  private async prepareRunner(w: Workload): Promise<Runner> {
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
        const model = lenetModel(be, lenetParams(42), w.lr, w.batch);
        return {
          run: () => be.dispose(model.trainStep(x, y)),
          sync,
          probe: async () => {
            const loss = model.trainStep(x, y);
            const l = f32(await be.read(loss));
            be.dispose(loss);
            return concat([l, ...(await lenetParamsOf(model))]);
          },
          dispose: () => {
            model.dispose();
            be.dispose(x, y);
          },
        };
      }
      case 'mnist-epoch': {
        const data = epochSource(w);
        const model = lenetModel(be, lenetParams(43), w.lr, w.batch);
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
            const loss = model.trainStep(x, y);
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
            model.dispose();
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
            const model = irisModel(be, cfg.hidden, cfg.lr, cfg.seed);
            for (let e = 0; e < w.epochs; e++) for (const b of batches) be.dispose(model.trainStep(b.x, b.y));
            const ev = await model.evaluate(xAll, yAll);
            out.push(ev.loss, ev.accuracy!);
            model.dispose();
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
