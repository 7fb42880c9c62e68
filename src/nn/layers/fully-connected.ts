// FullyConnected: Z = X·W + 1b, Y = σ(Z).
//   X (m, n_in), W (n_in, n_out), b (1, n_out), Z and Y (m, n_out)
// Backward, from dY (m, n_out):
//   dZ = σ'(Z) ⊙ dY  (softmax: the per-row Jacobian-vector product)
//   dW = Xᵀ·dZ (n_in, n_out),  db = 1ᵀ·dZ (1, n_out),  dX = dZ·Wᵀ (m, n_in)
// Forward runs one matmul with the bias and activation fused into its epilogue; softmax,
// which needs a whole row, runs as its own kernel after the matmul.
// Lean backward: [dW; db] = [X 1]ᵀ·dZ in one pass (denseGrads), and dX's matmul carries
// the σ' of the layer below in its epilogue when the model asks (BackwardOptions.dact).

import type { Activation, Backend, Tensor } from '../../engine/backend';
import { type Shape, shapeStr } from '../../engine/geometry';
import { type ActivationFunction, createActivation } from '../activations';
import type { ArrayInput } from '../arrays';
import { initWeights } from '../init';
import { type FullyConnectedConfig, normalizeLayerConfig, type NormalizedFullyConnected } from './config';
import { type BackwardOptions, Layer, type LayerOptions } from './layer';

export class FullyConnected extends Layer {
  readonly type = 'fc' as const;
  readonly config: NormalizedFullyConnected;
  readonly activation: ActivationFunction;

  constructor(backend: Backend, config: Omit<FullyConnectedConfig, 'type'> & { type?: 'fc' }, opts: LayerOptions = {}) {
    super(backend, opts.name ?? 'fc', opts.seed ?? 0, opts.lean);
    this.config = normalizeLayerConfig({ type: 'fc', ...config }, this.name) as NormalizedFullyConnected;
    this.activation = createActivation(this.config.activation);
  }

  outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new Error(
        `${this.name}: a fully connected layer takes (m, n_in) input, got ${shapeStr(inputShape)}` +
          (inputShape.length === 4 ? '; put a flatten layer before it' : ''),
      );
    }
    return [inputShape[0]!, this.config.nOut];
  }

  protected override parameterShapes(inputShape: Shape) {
    const nIn = inputShape[1]!;
    const nOut = this.config.nOut;
    return {
      W: { shape: [nIn, nOut], fanIn: nIn, fanOut: nOut },
      b: { shape: [1, nOut], fanIn: nIn, fanOut: nOut },
    };
  }

  /** W (n_in, n_out), nested or flat, gives the input shape [n_in] */
  override sampleShapeFor(values: Readonly<Record<string, ArrayInput>>): number[] | null {
    const w = values.W;
    if (!w) return null;
    const nested = Array.isArray(w) && w.length > 0 && Array.isArray(w[0]);
    const nIn = nested ? w.length : w.length / this.config.nOut;
    return Number.isInteger(nIn) && nIn > 0 ? [nIn] : null;
  }

  protected override initialValues(key: string, shape: Shape, fanIn: number, fanOut: number): Float64Array {
    if (key === 'b') return new Float64Array(shape[1]!);
    return initWeights(this.config.init, shape, fanIn, fanOut, this.rng);
  }

  forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const { W, b } = this.parameters as { W: Tensor; b: Tensor };
    let y: Tensor;
    if (this.activation.elementwise) {
      y = this.backend.matmul(x, W, { bias: b, activation: this.config.activation as Activation });
    } else {
      const z = this.backend.matmul(x, W, { bias: b });
      y = this.activation.forward(this.backend, z);
      this.backend.dispose(z);
    }
    this.setCache('X', x, false);
    this.setCache('Z', null, false);
    this.setCache('Y', y, true);
    return y;
  }

  /**
   * The logits Z = X·W + 1b without the activation: the model's fused
   * softmax–cross-entropy path. Caches X and Z; the model then hands the probabilities
   * to setOutput so cache.Y holds them as in the unfused path.
   */
  forwardLogits(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const { W, b } = this.parameters as { W: Tensor; b: Tensor };
    const z = this.backend.matmul(x, W, { bias: b });
    this.setCache('X', x, false);
    this.setCache('Y', null, false);
    this.setCache('Z', z, true);
    return z;
  }

  /** stores Y = σ(Z) computed outside (the fused loss's probabilities); the layer owns it */
  setOutput(y: Tensor): void {
    this.setCache('Y', y, true);
  }

  override get outputActivation(): Activation | null {
    return this.activation.elementwise ? (this.config.activation as Activation) : null;
  }

  backward(dy: Tensor): Tensor;
  backward(dy: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;
  backward(dy: Tensor, needInput = true, opts: BackwardOptions = {}): Tensor | null {
    const y = this.cached('Y');
    this.checkDy(dy, y);
    if (this.config.activation === 'linear' || opts.gradIsDz) return this.backwardLogits(dy, needInput, opts);
    const dz = this.activation.backward(this.backend, dy, y);
    const dx = this.backwardLogits(dz, needInput, opts);
    this.backend.dispose(dz);
    return dx;
  }

  /** from dZ = dL/dZ (m, n_out): fills dW, db and returns dX (or null); opts.dact fuses σ'(Y_prev) into dX */
  backwardLogits(dz: Tensor): Tensor;
  backwardLogits(dz: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;
  backwardLogits(dz: Tensor, needInput = true, opts: BackwardOptions = {}): Tensor | null {
    const x = this.cached('X');
    const { W } = this.parameters as { W: Tensor };
    const m = x.shape[0]!;
    if (dz.shape.length !== 2 || dz.shape[0] !== m || dz.shape[1] !== this.config.nOut) {
      throw new Error(`${this.name}: backward got dZ ${shapeStr(dz.shape)}, expected (${m}, ${this.config.nOut})`);
    }
    if (this.lean) {
      const { dw, db } = this.backend.denseGrads(x, dz, { dw: this.gradientTarget('W'), db: this.gradientTarget('b') });
      this.setGradient('W', dw);
      this.setGradient('b', db);
    } else {
      this.setGradient('W', this.backend.matmul(x, dz, { transA: true, out: this.gradientTarget('W') }));
      const db = this.backend.sumRows(dz);
      const target = this.gradientTarget('b');
      if (target) {
        this.backend.assign(target, db);
        this.backend.dispose(db);
      } else {
        this.setGradient('b', db);
      }
    }
    if (!needInput) return null;
    return this.backend.matmul(dz, W, { transB: true, dact: opts.dact ?? undefined });
  }
}
