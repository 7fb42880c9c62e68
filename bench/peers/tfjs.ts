// TensorFlow.js (tfjs-core + tfjs-backend-webgpu) on the shared device.
//
// The 'webgpu' backend that tfjs-backend-webgpu registers at import (when navigator.gpu
// exists) requests its own device; it is replaced by one built on the shared device:
// `new WebGPUBackend(device, adapterInfo)`. Layout is the engine's: NHWC, filters HWIO.
// Waiting: TF.js batches dispatches into its own command encoder; endComputePassEncoder()
// and submitQueue() submit them, then queue.onSubmittedWorkDone() of the shared device waits for the GPU.

import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the umbrella @tensorflow/tfjs package imports these
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Contender, Runner } from '../harness';
import { installNavigatorGpu, type SharedDevice } from '../shared-device';
import {
  convOperands,
  convOut,
  epochBatches,
  epochSource,
  irisData,
  irisParams,
  LENET_PARAM_SHAPES,
  lenetParams,
  matmulOperands,
  MnistLike,
  sweepConfigs,
  type LenetParams,
  type Workload,
} from '../workloads';

type LenetKey = keyof LenetParams;
const LENET_KEYS = Object.keys(LENET_PARAM_SHAPES) as LenetKey[];

async function readF32(t: tf.Tensor): Promise<Float32Array> {
  const d = await t.data();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** LeNet with TF.js ops, NHWC; variables updated by tf.train.sgd */
class TfLenet {
  readonly v: Record<LenetKey, tf.Variable>;
  readonly opt: tf.SGDOptimizer;
  constructor(init: LenetParams, lr: number) {
    this.v = {} as Record<LenetKey, tf.Variable>;
    for (const k of LENET_KEYS) {
      const shape = k.startsWith('b') ? [LENET_PARAM_SHAPES[k][1]!] : LENET_PARAM_SHAPES[k];
      this.v[k] = tf.variable(tf.tensor(init[k], shape), true);
    }
    this.opt = tf.train.sgd(lr);
  }
  loss(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    const v = this.v;
    const m = x.shape[0];
    let a = tf.relu(tf.add(tf.conv2d(x, v.w1 as tf.Tensor4D, 1, 'same'), v.b1)) as tf.Tensor4D;
    a = tf.maxPool(a, 2, 2, 'valid');
    a = tf.relu(tf.add(tf.conv2d(a, v.w2 as tf.Tensor4D, 1, 'valid'), v.b2)) as tf.Tensor4D;
    a = tf.maxPool(a, 2, 2, 'valid');
    let h = tf.reshape(a, [m, 400]) as tf.Tensor2D;
    h = tf.relu(tf.add(tf.matMul(h, v.w3 as tf.Tensor2D), v.b3)) as tf.Tensor2D;
    h = tf.relu(tf.add(tf.matMul(h, v.w4 as tf.Tensor2D), v.b4)) as tf.Tensor2D;
    const z = tf.add(tf.matMul(h, v.w5 as tf.Tensor2D), v.b5);
    return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
  }
  /** one SGD step; returns the loss (kept) */
  step(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    return this.opt.minimize(() => this.loss(x, y), true, Object.values(this.v))!;
  }
  async readParams(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const k of LENET_KEYS) out.push(await readF32(this.v[k]));
    return out;
  }
  dispose(): void {
    for (const k of LENET_KEYS) this.v[k].dispose();
    this.opt.dispose();
  }
}

export async function createTfjsContender(shared: SharedDevice): Promise<Contender> {
  // WebGPUBackend's constructor insists on navigator.gpu (absent in Node)
  installNavigatorGpu(shared);
  // replace the self-registered 'webgpu' backend by one on the shared device
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(shared.device, shared.info), 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js: the webgpu backend failed to initialize');
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  if (backend.device !== shared.device) throw new Error('TF.js is not on the shared device');

  const sync = async () => {
    // what TF.js does itself before a read: close the pass, submit its encoder
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
    await shared.device.queue.onSubmittedWorkDone();
  };

  const prepare = async (w: Workload): Promise<Runner> => {
    switch (w.kind) {
      case 'matmul': {
        const { a, b } = matmulOperands(w.m, w.n, w.k);
        const ta = tf.tensor2d(a, [w.m, w.k]);
        const tb = tf.tensor2d(b, [w.k, w.n]);
        return {
          run: () => tf.matMul(ta, tb).dispose(),
          sync,
          probe: async () => {
            const c = tf.matMul(ta, tb);
            const out = await readF32(c);
            c.dispose();
            return out;
          },
          dispose: () => tf.dispose([ta, tb]),
        };
      }
      case 'conv-fwd':
      case 'conv-bwd': {
        const s = w.conv;
        const d = convOperands(s);
        const [oh, ow] = convOut(s);
        const x = tf.tensor4d(d.x, [s.m, s.h, s.w, s.c]);
        const wt = tf.tensor4d(d.w, [s.k, s.k, s.c, s.f]);
        const b = tf.tensor1d(d.b);
        const dz = tf.tensor4d(d.dz, [s.m, oh, ow, s.f]);
        const dispose = () => tf.dispose([x, wt, b, dz]);
        if (w.kind === 'conv-fwd') {
          const fwd = () =>
            tf.tidy(() => {
              const z = tf.add(tf.conv2d(x, wt, 1, s.pad), b);
              return s.relu ? tf.relu(z) : z;
            });
          return {
            run: () => fwd().dispose(),
            sync,
            probe: async () => {
              const y = fwd();
              const out = await readF32(y);
              y.dispose();
              return out;
            },
            dispose,
          };
        }
        // the kernels TF.js's own conv2d gradient calls: Conv2DBackpropFilter, Conv2DBackpropInput
        const needInput = w.needInput;
        const bwd = (): tf.Tensor[] =>
          tf.tidy(() => {
            const attrs = { strides: [1, 1], pad: s.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
            const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...attrs, filterShape: wt.shape } as never) as tf.Tensor;
            const db = tf.sum(dz, [0, 1, 2]);
            const out = [dw, db];
            if (needInput) {
              out.push(tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: wt }, { ...attrs, inputShape: x.shape } as never) as tf.Tensor);
            }
            return out;
          });
        return {
          run: () => tf.dispose(bwd()),
          sync,
          probe: async () => {
            const g = bwd();
            const parts: Float32Array[] = [];
            for (const t of g) parts.push(await readF32(t));
            tf.dispose(g);
            return concat(parts);
          },
          dispose,
        };
      }
      case 'lenet-step': {
        const data = new MnistLike(3, w.batch);
        const { x: xs, y: ys } = data.batch(0, w.batch);
        const x = tf.tensor4d(xs, [w.batch, 28, 28, 1]);
        const y = tf.tensor2d(ys, [w.batch, 10]);
        const net = new TfLenet(lenetParams(42), w.lr);
        return {
          run: () => net.step(x, y).dispose(),
          sync,
          probe: async () => {
            const loss = net.step(x, y);
            const l = await readF32(loss);
            loss.dispose();
            return concat([l, ...(await net.readParams())]);
          },
          dispose: () => {
            net.dispose();
            tf.dispose([x, y]);
          },
        };
      }
      case 'mnist-epoch': {
        const data = epochSource(w);
        const net = new TfLenet(lenetParams(43), w.lr);
        const batches = epochBatches(w.samples, w.batch);
        const epoch = async (): Promise<number> => {
          let sum: tf.Tensor = tf.zeros([]);
          for (const [start, size] of batches) {
            const { x: xs, y: ys } = data.batch(start, size);
            const x = tf.tensor4d(xs, [size, 28, 28, 1]);
            const y = tf.tensor2d(ys, [size, 10]);
            const loss = net.step(x, y);
            const next = tf.add(sum, loss);
            tf.dispose([sum, loss, x, y]);
            sum = next;
          }
          const mean = (await sum.data())[0]! / batches.length;
          sum.dispose();
          return mean;
        };
        return {
          run: async () => {
            await epoch();
          },
          sync,
          probe: async () => Float32Array.of(await epoch()),
          dispose: () => net.dispose(),
        };
      }
      case 'iris-sweep': {
        const iris = irisData(9);
        const xAll = tf.tensor2d(iris.x, [iris.n, 4]);
        const yAll = tf.tensor2d(iris.y, [iris.n, 3]);
        const batches = epochBatches(iris.n, w.batch).map(([s, m]) => ({
          x: tf.tensor2d(iris.x.subarray(s * 4, (s + m) * 4), [m, 4]),
          y: tf.tensor2d(iris.y.subarray(s * 3, (s + m) * 3), [m, 3]),
        }));
        const sweep = async (): Promise<Float32Array> => {
          const out: number[] = [];
          for (const cfg of sweepConfigs(w)) {
            const p = irisParams(cfg.seed, cfg.hidden);
            const v = {
              w1: tf.variable(tf.tensor2d(p.w1, [4, cfg.hidden])),
              b1: tf.variable(tf.tensor1d(p.b1)),
              w2: tf.variable(tf.tensor2d(p.w2, [cfg.hidden, 3])),
              b2: tf.variable(tf.tensor1d(p.b2)),
            };
            const logits = (x: tf.Tensor2D) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, v.w1), v.b1)), v.w2), v.b2) as tf.Tensor2D;
            const opt = tf.train.sgd(cfg.lr);
            for (let e = 0; e < w.epochs; e++) {
              for (const b of batches) opt.minimize(() => tf.losses.softmaxCrossEntropy(b.y, logits(b.x)) as tf.Scalar, false, Object.values(v));
            }
            const [loss, correct] = tf.tidy(() => {
              const z = logits(xAll);
              return [tf.losses.softmaxCrossEntropy(yAll, z), tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), tf.argMax(yAll, 1)), 'float32'))];
            });
            out.push((await loss!.data())[0]!, (await correct!.data())[0]! / iris.n);
            tf.dispose([loss!, correct!, ...Object.values(v)]);
            opt.dispose();
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
            tf.dispose([xAll, yAll]);
            for (const b of batches) tf.dispose([b.x, b.y]);
          },
        };
      }
    }
  };

  return {
    key: 'tfjs',
    name: `TF.js ${tf.version_core} webgpu`,
    unsupported: () => null,
    prepare,
    destroy: () => {
      /* the shared device outlives TF.js; its backend is left to the process exit */
    },
  };
}
