// jax-js (@jax-js/jax) on the shared device.
//
// jax-js's init('webgpu') takes its device from navigator.gpu.requestAdapter(); for that
// call navigator.gpu answers with the shared stand-in adapter (withNavigatorAdapter), so
// getWebGPUDevice() is the shared device. jax-js is lazy and reference-counted: every
// function consumes its array arguments (`.ref` keeps one). Each workload is one jit()
// function, as a jax user writes it.
// Layout: jax-js's convolutions are NCHW with OIHW kernels; operands are converted on the
// host while preparing, and results converted back for the cross-check.
// Waiting: `await y.gpuBuffer()` dispatches the pending kernels of y without reading it
// back; queue.onSubmittedWorkDone() of the shared device then waits for the GPU.

import * as jax from '@jax-js/jax';
import type { Contender, Runner } from '../harness';
import { withNavigatorAdapter, type SharedDevice } from '../shared-device';
import jaxPkg from '../../node_modules/@jax-js/jax/package.json';
import {
  convOperands,
  convOut,
  epochBatches,
  epochSource,
  fc1RowsToNchw,
  fc1RowsToNhwc,
  hwioToOihw,
  irisData,
  irisParams,
  lenetParams,
  matmulOperands,
  MnistLike,
  nchwToNhwc,
  nhwcToNchw,
  oihwToHwio,
  sweepConfigs,
  type LenetParams,
  type Workload,
} from '../workloads';

const { numpy: np, lax, nn, tree } = jax;
type Arr = jax.Array;

function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** a jax-js array of a copy of `data` */
const arr = (data: Float32Array, shape: number[]): Arr => np.array(new Float32Array(data), { shape });

/** consumes a */
async function readF32(a: Arr): Promise<Float32Array> {
  const d = await a.data();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** dispatches the pending kernels that produce a (consumed), without waiting or reading */
async function dispatch(a: Arr | Arr[]): Promise<void> {
  for (const x of Array.isArray(a) ? a : [a]) await x.gpuBuffer();
}

/** 2×2 max pooling, stride 2, on NCHW */
const maxPool2 = (x: Arr): Arr => lax.reduceWindow(x, np.max, [2, 2], [2, 2]);

type LenetTree = { w1: Arr; b1: Arr; w2: Arr; b2: Arr; w3: Arr; b3: Arr; w4: Arr; b4: Arr; w5: Arr; b5: Arr };

/** the engine's LeNet parameters in jax-js layouts: OIHW kernels, (f,1,1) conv biases, fc1 rows in NCHW flatten order */
function lenetTree(p: LenetParams): LenetTree {
  return {
    w1: arr(hwioToOihw(p.w1, 5, 5, 1, 6), [6, 1, 5, 5]),
    b1: arr(p.b1, [6, 1, 1]),
    w2: arr(hwioToOihw(p.w2, 5, 5, 6, 16), [16, 6, 5, 5]),
    b2: arr(p.b2, [16, 1, 1]),
    w3: arr(fc1RowsToNchw(p.w3), [400, 120]),
    b3: arr(p.b3, [120]),
    w4: arr(p.w4, [120, 84]),
    b4: arr(p.b4, [84]),
    w5: arr(p.w5, [84, 10]),
    b5: arr(p.b5, [10]),
  };
}

/** back to the engine's layouts, in LENET_PARAM_SHAPES order (does not consume p) */
async function lenetTreeToEngine(p: LenetTree): Promise<Float32Array[]> {
  const r = async (a: Arr) => readF32(a.ref);
  return [
    oihwToHwio(await r(p.w1), 6, 1, 5, 5),
    await r(p.b1),
    oihwToHwio(await r(p.w2), 16, 6, 5, 5),
    await r(p.b2),
    fc1RowsToNhwc(await r(p.w3)),
    await r(p.b3),
    await r(p.w4),
    await r(p.b4),
    await r(p.w5),
    await r(p.b5),
  ];
}

/** mean cross-entropy of softmax(z) against one-hot y (consumes z, y) */
const xent = (z: Arr, y: Arr): Arr => {
  const m = z.shape[0]!;
  return nn.logSoftmax(z, -1).mul(y).sum().mul(-1 / m);
};

/** LeNet loss on x (m,1,28,28) NCHW and one-hot y (m,10); consumes everything */
function lenetLoss(p: LenetTree, x: Arr, y: Arr): Arr {
  const m = x.shape[0]!;
  let a = nn.relu(lax.conv(x, p.w1, [1, 1], 'SAME').add(p.b1));
  a = maxPool2(a);
  a = nn.relu(lax.conv(a, p.w2, [1, 1], 'VALID').add(p.b2));
  a = maxPool2(a);
  let h = a.reshape([m, 400]);
  h = nn.relu(np.dot(h, p.w3).add(p.b3));
  h = nn.relu(np.dot(h, p.w4).add(p.b4));
  const z = np.dot(h, p.w5).add(p.b5);
  return xent(z, y);
}

/** jit-compiled SGD step: (params, x, y) → [new params, loss]; consumes its arguments */
function lenetStep(lr: number) {
  return jax.jit((p: LenetTree, x: Arr, y: Arr): [LenetTree, Arr] => {
    const [loss, g] = jax.valueAndGrad(lenetLoss)(tree.ref(p), x, y);
    const next = tree.map((pi: Arr, gi: Arr) => pi.sub(gi.mul(lr)), p, g as LenetTree) as LenetTree;
    return [next, loss];
  });
}

type IrisTree = { w1: Arr; b1: Arr; w2: Arr; b2: Arr };
const irisLogits = (p: IrisTree, x: Arr): Arr => np.dot(nn.relu(np.dot(x, p.w1).add(p.b1)), p.w2).add(p.b2);

export async function createJaxContender(shared: SharedDevice): Promise<Contender> {
  const got = await withNavigatorAdapter(shared, () => jax.init('webgpu'));
  if (!got.includes('webgpu')) throw new Error(`jax-js: no webgpu device (backends: ${got.join(', ')})`);
  jax.defaultDevice('webgpu');
  if (jax.getWebGPUDevice() !== shared.device) throw new Error('jax-js is not on the shared device');

  const sync = async () => {
    await shared.device.queue.onSubmittedWorkDone();
  };

  const prepare = async (w: Workload): Promise<Runner> => {
    switch (w.kind) {
      case 'matmul': {
        const { a, b } = matmulOperands(w.m, w.n, w.k);
        const ta = arr(a, [w.m, w.k]);
        const tb = arr(b, [w.k, w.n]);
        const mm = jax.jit((x: Arr, y: Arr) => np.matmul(x, y));
        return {
          run: () => dispatch(mm(ta.ref, tb.ref)),
          sync,
          probe: () => readF32(mm(ta.ref, tb.ref)),
          dispose: () => {
            tree.dispose([ta, tb]);
            mm.dispose();
          },
        };
      }
      case 'conv-fwd':
      case 'conv-bwd': {
        const s = w.conv;
        const d = convOperands(s);
        const [oh, ow] = convOut(s);
        const pad = s.pad === 'same' ? 'SAME' : 'VALID';
        const x = arr(nhwcToNchw(d.x, s.m, s.h, s.w, s.c), [s.m, s.c, s.h, s.w]);
        const wt = arr(hwioToOihw(d.w, s.k, s.k, s.c, s.f), [s.f, s.c, s.k, s.k]);
        const b = arr(d.b, [s.f, 1, 1]);
        const dz = arr(nhwcToNchw(d.dz, s.m, oh, ow, s.f), [s.m, s.f, oh, ow]);
        const dispose = () => tree.dispose([x, wt, b, dz]);
        if (w.kind === 'conv-fwd') {
          const fwd = jax.jit((x: Arr, w: Arr, b: Arr) => {
            const z = lax.conv(x, w, [1, 1], pad).add(b);
            return s.relu ? nn.relu(z) : z;
          });
          return {
            run: () => dispatch(fwd(x.ref, wt.ref, b.ref)),
            sync,
            probe: async () => nchwToNhwc(await readF32(fwd(x.ref, wt.ref, b.ref)), s.m, s.f, oh, ow),
            dispose: () => {
              dispose();
              fwd.dispose();
            },
          };
        }
        // the gradient jax-js derives for lax.conv (vjp), jit-compiled; the primal output is unused
        const needInput = w.needInput;
        const bwd = jax.jit((x: Arr, w: Arr, dz: Arr): Arr[] => {
          const [y, pull] = jax.vjp((xx: Arr, ww: Arr) => lax.conv(xx, ww, [1, 1], pad), [x, w]);
          y.dispose();
          const [dx, dw] = pull(dz.ref) as [Arr, Arr];
          pull.dispose();
          const db = dz.sum([0, 2, 3]);
          if (needInput) return [dw, db, dx];
          dx.dispose();
          return [dw, db];
        });
        return {
          run: () => dispatch(bwd(x.ref, wt.ref, dz.ref)),
          sync,
          probe: async () => {
            const g = bwd(x.ref, wt.ref, dz.ref);
            const dw = oihwToHwio(await readF32(g[0]!), s.f, s.c, s.k, s.k);
            const db = await readF32(g[1]!);
            const parts = [dw, db];
            if (g[2]) parts.push(nchwToNhwc(await readF32(g[2]), s.m, s.c, s.h, s.w));
            return concat(parts);
          },
          dispose: () => {
            dispose();
            bwd.dispose();
          },
        };
      }
      case 'lenet-step': {
        const data = new MnistLike(3, w.batch);
        const { x: xs, y: ys } = data.batch(0, w.batch);
        // (m,28,28,1) NHWC is (m,1,28,28) NCHW: one channel, same memory
        const x = arr(xs, [w.batch, 1, 28, 28]);
        const y = arr(ys, [w.batch, 10]);
        let params = lenetTree(lenetParams(42));
        const step = lenetStep(w.lr);
        return {
          run: async () => {
            const [next, loss] = step(params, x.ref, y.ref);
            params = next;
            await dispatch([loss, ...tree.leaves(tree.ref(params))]);
          },
          sync,
          probe: async () => {
            const [next, loss] = step(params, x.ref, y.ref);
            params = next;
            return concat([await readF32(loss), ...(await lenetTreeToEngine(params))]);
          },
          dispose: () => {
            tree.dispose([params, x, y]);
            step.dispose();
          },
        };
      }
      case 'mnist-epoch': {
        const data = epochSource(w);
        let params = lenetTree(lenetParams(43));
        const step = lenetStep(w.lr);
        const batches = epochBatches(w.samples, w.batch);
        const epoch = async (): Promise<number> => {
          let sum: Arr = np.zeros([]);
          for (const [start, size] of batches) {
            const { x: xs, y: ys } = data.batch(start, size);
            const x = arr(xs, [size, 1, 28, 28]);
            const y = arr(ys, [size, 10]);
            const [next, loss] = step(params, x, y);
            params = next;
            sum = sum.add(loss);
            // keep the queue fed step by step, as a training loop does
            await dispatch(tree.leaves(tree.ref(params)));
          }
          return (await readF32(sum))[0]! / batches.length;
        };
        return {
          run: async () => {
            await epoch();
          },
          sync,
          probe: async () => Float32Array.of(await epoch()),
          dispose: () => {
            tree.dispose(params);
            step.dispose();
          },
        };
      }
      case 'iris-sweep': {
        const iris = irisData(9);
        const xAll = arr(iris.x, [iris.n, 4]);
        const yAll = arr(iris.y, [iris.n, 3]);
        const batches = epochBatches(iris.n, w.batch).map(([s, m]) => ({
          x: arr(iris.x.subarray(s * 4, (s + m) * 4), [m, 4]),
          y: arr(iris.y.subarray(s * 3, (s + m) * 3), [m, 3]),
        }));
        const lossFn = (p: IrisTree, x: Arr, y: Arr) => xent(irisLogits(p, x), y);
        const steps = new Map<number, ReturnType<typeof makeStep>>();
        function makeStep(lr: number) {
          return jax.jit((p: IrisTree, x: Arr, y: Arr): IrisTree => {
            const g = jax.grad(lossFn)(tree.ref(p), x, y) as IrisTree;
            return tree.map((pi: Arr, gi: Arr) => pi.sub(gi.mul(lr)), p, g) as IrisTree;
          });
        }
        const evaluate = jax.jit((p: IrisTree, x: Arr, y: Arr): [Arr, Arr] => {
          const z = irisLogits(p, x);
          const correct = np.argmax(z.ref, 1).equal(np.argmax(y.ref, 1)).astype(np.float32).sum();
          return [xent(z, y), correct];
        });
        const sweep = async (): Promise<Float32Array> => {
          const out: number[] = [];
          for (const cfg of sweepConfigs(w)) {
            if (!steps.has(cfg.lr)) steps.set(cfg.lr, makeStep(cfg.lr));
            const step = steps.get(cfg.lr)!;
            const p0 = irisParams(cfg.seed, cfg.hidden);
            let p: IrisTree = { w1: arr(p0.w1, [4, cfg.hidden]), b1: arr(p0.b1, [cfg.hidden]), w2: arr(p0.w2, [cfg.hidden, 3]), b2: arr(p0.b2, [3]) };
            for (let e = 0; e < w.epochs; e++) {
              for (const b of batches) p = step(p, b.x.ref, b.y.ref);
              await dispatch(tree.leaves(tree.ref(p)));
            }
            const [loss, correct] = evaluate(p, xAll.ref, yAll.ref);
            out.push((await readF32(loss))[0]!, (await readF32(correct))[0]! / iris.n);
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
            tree.dispose([xAll, yAll]);
            for (const b of batches) tree.dispose([b.x, b.y]);
            for (const s of steps.values()) s.dispose();
            evaluate.dispose();
          },
        };
      }
    }
  };

  return {
    key: 'jax',
    name: `jax-js ${jaxPkg.version} webgpu`,
    unsupported: () => null,
    prepare,
    destroy: () => {
      /* the shared device outlives jax-js */
    },
  };
}
