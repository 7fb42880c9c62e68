// The expected values: the project's float64 CPU reference (src/engine/cpu), called on the
// grader's plain arrays. Nothing here is written in the student's language: the page never
// shows a solution.
//
// Also the reference objects with the student's interfaces (np arrays in and out): the
// activation handed to a student's FullyConnected or Conv2D, the layers and loss handed to a
// student's model, and the stand-ins for exercises not yet solved when a student trains.

import type { Activation, Tensor } from '../../engine/backend';
import { CpuBackend, type CpuTensor } from '../../engine/cpu/backend';
import type { Padding } from '../../engine/geometry';
import { Rng } from '../../engine/random';
import { initWeights } from '../../nn/init';
import type { NDArray } from '../np';
import { type Arr, fromStudent, shapeText, sizeOf, toNp } from './arrays';
import { diagnosis, type DiagnosisId } from './diagnoses';
import { CaseFail, sameShape } from './harness';

const cpu = new CpuBackend();

function tensor(a: Arr): Tensor {
  return cpu.fromArray(a.data, a.shape);
}
function out(t: Tensor): Arr {
  return { data: (t as CpuTensor).data, shape: [...t.shape] };
}
/** a as rows of its last axis (elementwise ops work on (M, N)) */
function rows2d(a: Arr): Arr {
  const n = a.shape.length ? a.shape[a.shape.length - 1]! : 1;
  return { data: a.data, shape: [sizeOf(a.shape) / Math.max(n, 1), n] };
}

export type ActivationName = Activation | 'softmax';

/** Y = σ(Z), any shape (softmax: per row of (m, k)) */
export function activationForward(act: ActivationName, z: Arr): Arr {
  if (act === 'softmax') return out(cpu.softmax(tensor(z)));
  return { data: out(cpu.biasActivation(tensor(rows2d(z)), null, act)).data, shape: [...z.shape] };
}

/** dL/dZ from dL/dY at Z */
export function activationBackward(act: ActivationName, z: Arr, dy: Arr): Arr {
  const y = activationForward(act, z);
  if (act === 'softmax') return out(cpu.softmaxBackward(tensor(dy), tensor(y)));
  return { data: out(cpu.activationBackward(tensor(rows2d(dy)), tensor(rows2d(y)), act)).data, shape: [...z.shape] };
}

/** C = A·B for (M, K)·(K, N) */
export function matmul(a: Arr, b: Arr): Arr {
  return out(cpu.matmul(tensor(a), tensor(b)));
}

/** C[i] = A[i]·B[i] for (n, M, K)·(n, K, N) */
export function batchedMatmul(a: Arr, b: Arr): Arr {
  const [n, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const c = new Float64Array(n * M * N);
  for (let i = 0; i < n; i++) {
    const ai = { data: a.data.subarray(i * M * K, (i + 1) * M * K), shape: [M, K] };
    const bi = { data: b.data.subarray(i * K * N, (i + 1) * K * N), shape: [K, N] };
    c.set(matmul(ai, bi).data, i * M * N);
  }
  return { data: c, shape: [n, M, N] };
}

/** Z = X·W + 1b */
export function denseForward(x: Arr, w: Arr, b: Arr): Arr {
  return out(cpu.matmul(tensor(x), tensor(w), { bias: tensor(b) }));
}

/** dW = Xᵀ·dZ, db = 1ᵀ·dZ, dX = dZ·Wᵀ */
export function denseBackward(x: Arr, w: Arr, dz: Arr): { dX: Arr; dW: Arr; db: Arr } {
  const g = cpu.denseGrads(tensor(x), tensor(dz));
  return { dX: out(cpu.matmul(tensor(dz), tensor(w), { transB: true })), dW: out(g.dw), db: out(g.db) };
}

/** L = −(1/m) Σ y·ln ŷ */
export function crossEntropy(y: Arr, yhat: Arr): number {
  return out(cpu.crossEntropy(tensor(yhat), tensor(y))).data[0]!;
}

/** dL/dŷ = −y/(m·ŷ) */
export function crossEntropyBackward(y: Arr, yhat: Arr): Arr {
  return out(cpu.crossEntropyBackward(tensor(yhat), tensor(y)));
}

export interface ConvGeometry {
  stride: number;
  pad: Padding;
}

/** Z = conv(X, W) + b, NHWC, W (kh, kw, c_in, c_out), b (1, c_out) */
export function convForward(x: Arr, w: Arr, b: Arr, g: ConvGeometry): Arr {
  return out(cpu.conv2d(tensor(x), tensor(w), tensor(b), { stride: g.stride, pad: g.pad }));
}

export function convBackward(x: Arr, w: Arr, dz: Arr, g: ConvGeometry): { dX: Arr; dW: Arr; db: Arr } {
  const r = cpu.conv2dBackward(tensor(dz), tensor(x), tensor(w), { stride: g.stride, pad: g.pad }, true);
  return { dX: out(r.dx!), dW: out(r.dw), db: out(r.db) };
}

export interface PoolGeometry extends ConvGeometry {
  kernel: [number, number];
  mode: 'max' | 'average';
}

function poolOptions(g: PoolGeometry) {
  return { mode: g.mode === 'max' ? ('max' as const) : ('avg' as const), kernel: g.kernel, stride: g.stride, pad: g.pad };
}

export function poolForward(x: Arr, g: PoolGeometry): Arr {
  return out(cpu.pool2d(tensor(x), poolOptions(g)).y);
}

export function poolBackward(x: Arr, dy: Arr, g: PoolGeometry): Arr {
  const o = poolOptions(g);
  const r = cpu.pool2d(tensor(x), o);
  return out(cpu.pool2dBackward(tensor(dy), x.shape, o, r.argmax));
}

// ── objects with the student's interfaces ────────────────────────────────────────────

function plain(v: unknown, what: string): Arr {
  const a = fromStudent(v);
  if (typeof a === 'string') throw new Error(`${what}: expected an np array, got ${a}`);
  return a;
}

/** an activation object as the student's layers receive it: forward(Z), backward(Z, dY) */
export class ReferenceActivation {
  /** cacheDiagnosis: what a Z of the wrong shape means in the layer being graded */
  constructor(
    readonly name: ActivationName,
    private readonly cacheDiagnosis?: DiagnosisId,
  ) {}
  forward(Z: NDArray): NDArray {
    return toNp(activationForward(this.name, plain(Z, `${this.name}.forward`)));
  }
  backward(Z: NDArray, dY: NDArray): NDArray {
    const z = plain(Z, `${this.name}.backward`);
    const dy = plain(dY, `${this.name}.backward`);
    if (!sameShape(z.shape, dy.shape)) {
      throw new CaseFail({
        what: 'activation.backward(Z, dY)',
        message: `activation.backward got Z of shape ${shapeText(z.shape)} and dY of shape ${shapeText(dy.shape)}: Z must be the layer's pre-activation value, cached in the forward`,
        mismatches: [],
        ...(this.cacheDiagnosis ? { diagnosis: diagnosis(this.cacheDiagnosis) } : {}),
      });
    }
    return toNp(activationBackward(this.name, z, dy));
  }
}

export class ReferenceCrossEntropy {
  forward(Y: NDArray, Y_hat: NDArray): number {
    return crossEntropy(plain(Y, 'CrossEntropy.forward'), plain(Y_hat, 'CrossEntropy.forward'));
  }
  backward(Y: NDArray, Y_hat: NDArray): NDArray {
    return toNp(crossEntropyBackward(plain(Y, 'CrossEntropy.backward'), plain(Y_hat, 'CrossEntropy.backward')));
  }
}

/** what a layer of the student's model offers */
export interface StudentLayer {
  parameters: Record<string, NDArray>;
  gradients: Record<string, NDArray>;
  forward(X: NDArray): NDArray;
  backward(dLdY: NDArray): NDArray;
}

interface LayerActivation {
  name?: string;
  forward(Z: NDArray): NDArray;
  backward(Z: NDArray, dY: NDArray): NDArray;
}

/** FullyConnected with the exercise's interface, computed by the CPU reference */
export class ReferenceFullyConnected implements StudentLayer {
  parameters: Record<string, NDArray> = {};
  gradients: Record<string, NDArray> = {};
  private cache: { X?: Arr; Z?: Arr } = {};
  private readonly rng: Rng;
  constructor(
    readonly n_out: number,
    readonly activation: LayerActivation,
    seed = 1,
  ) {
    this.rng = new Rng(seed);
  }
  forward(X: NDArray): NDArray {
    const x = plain(X, 'FullyConnected.forward');
    if (!this.parameters.W) {
      const nIn = x.shape[1]!;
      this.parameters = {
        W: toNp({ data: initWeights('xavier_uniform', [nIn, this.n_out], nIn, this.n_out, this.rng), shape: [nIn, this.n_out] }),
        b: toNp({ data: new Float64Array(this.n_out), shape: [1, this.n_out] }),
      };
    }
    const z = denseForward(x, plain(this.parameters.W, 'W'), plain(this.parameters.b, 'b'));
    this.cache = { X: x, Z: z };
    return this.activation.forward(toNp(z));
  }
  backward(dLdY: NDArray): NDArray {
    const dz = plain(this.activation.backward(toNp(this.cache.Z!), dLdY), 'activation.backward');
    const g = denseBackward(this.cache.X!, plain(this.parameters.W!, 'W'), dz);
    this.gradients = { W: toNp(g.dW), b: toNp(g.db) };
    return toNp(g.dX);
  }
}

/** Conv2D with the exercise's interface, computed by the CPU reference */
export class ReferenceConv2D implements StudentLayer {
  parameters: Record<string, NDArray> = {};
  gradients: Record<string, NDArray> = {};
  private cache: { X?: Arr; Z?: Arr } = {};
  private readonly rng: Rng;
  constructor(
    readonly n_out: number,
    readonly kernel_shape: [number, number],
    readonly activation: LayerActivation,
    readonly stride = 1,
    readonly pad: Padding = 'same',
    seed = 1,
  ) {
    this.rng = new Rng(seed);
  }
  forward(X: NDArray): NDArray {
    const x = plain(X, 'Conv2D.forward');
    if (!this.parameters.W) {
      const [kh, kw] = this.kernel_shape;
      const cin = x.shape[3]!;
      const shape = [kh, kw, cin, this.n_out];
      this.parameters = {
        W: toNp({ data: initWeights('xavier_uniform', shape, kh * kw * cin, kh * kw * this.n_out, this.rng), shape }),
        b: toNp({ data: new Float64Array(this.n_out), shape: [1, this.n_out] }),
      };
    }
    const z = convForward(x, plain(this.parameters.W, 'W'), plain(this.parameters.b, 'b'), this);
    this.cache = { X: x, Z: z };
    return this.activation.forward(toNp(z));
  }
  backward(dLdY: NDArray): NDArray {
    const dz = plain(this.activation.backward(toNp(this.cache.Z!), dLdY), 'activation.backward');
    const g = convBackward(this.cache.X!, plain(this.parameters.W!, 'W'), dz, this);
    this.gradients = { W: toNp(g.dW), b: toNp(g.db) };
    return toNp(g.dX);
  }
}

/** Pool2D with the exercise's interface, computed by the CPU reference */
export class ReferencePool2D implements StudentLayer {
  parameters: Record<string, NDArray> = {};
  gradients: Record<string, NDArray> = {};
  private x: Arr | null = null;
  constructor(
    readonly kernel_shape: [number, number],
    readonly mode: 'max' | 'average' = 'max',
    readonly stride = 1,
    readonly pad: Padding = 0,
  ) {}
  private get geometry(): PoolGeometry {
    return { kernel: this.kernel_shape, mode: this.mode, stride: this.stride, pad: this.pad };
  }
  forward(X: NDArray): NDArray {
    this.x = plain(X, 'Pool2D.forward');
    return toNp(poolForward(this.x, this.geometry));
  }
  backward(dLdY: NDArray): NDArray {
    return toNp(poolBackward(this.x!, plain(dLdY, 'Pool2D.backward'), this.geometry));
  }
}

interface LossObject {
  forward(Y: NDArray, Y_hat: NDArray): unknown;
  backward(Y: NDArray, Y_hat: NDArray): NDArray;
}

/** the model with the exercise's interface: layers chained forward, backward in reverse */
export class ReferenceModel {
  constructor(
    readonly layers: StudentLayer[],
    readonly loss: LossObject,
  ) {}
  forward(X: NDArray): NDArray {
    return this.layers.reduce((h, l) => l.forward(h), X);
  }
  backward(target: NDArray, out: NDArray): number {
    const L = plain(this.loss.forward(target, out), 'loss.forward').data[0]!;
    this.layers.reduceRight((g, l) => l.backward(g), this.loss.backward(target, out));
    return L;
  }
  predict(X: NDArray): NDArray {
    const y = plain(this.forward(X), 'predict');
    const [m, k] = y.shape as [number, number];
    const classes = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 1; j < k; j++) if (y.data[i * k + j]! > y.data[i * k + classes[i]!]!) classes[i] = j;
    return toNp({ data: classes, shape: [m] });
  }
}
