// Conv2D, a cross-correlation over NHWC images:
//   Z[n,d1,d2,f] = Σ_i Σ_j Σ_c W[i,j,c,f]·Xpad[n, d1·s+i, d2·s+j, c] + b[f],  Y = σ(Z)
//   X (m, H, W, c_in), W (kh, kw, c_in, c_out), b (1, c_out), Y (m, oh, ow, c_out)
//   oh = floor((H + pad_top + pad_bottom − kh)/s) + 1 (likewise ow)
// Lean (the model's default), the backend runs it as one implicit-GEMM kernel with bias
// and activation in the epilogue; otherwise as the course writes it, im2col + matmul.
// Backward: dZ = σ'(Z) ⊙ dY, then conv2dBackward gives dW, db and dX (col2im of dZ·Wᵀ);
// lean, dX carries the σ' of the layer below when the model asks (BackwardOptions.dact).

import type { Activation, Backend, Conv2DOptions, Tensor } from '../../engine/backend';
import { type Shape, shapeStr, window2d } from '../../engine/geometry';
import { type ActivationFunction, createActivation } from '../activations';
import { initWeights } from '../init';
import { type Conv2DConfig, normalizeLayerConfig, type NormalizedConv2D } from './config';
import { type BackwardOptions, Layer, type LayerOptions } from './layer';

export class Conv2D extends Layer {
  readonly type = 'conv2d' as const;
  readonly config: NormalizedConv2D;
  readonly activation: ActivationFunction;

  constructor(backend: Backend, config: Omit<Conv2DConfig, 'type'> & { type?: 'conv2d' }, opts: LayerOptions = {}) {
    super(backend, opts.name ?? 'conv2d', opts.seed ?? 0, opts.lean);
    this.config = normalizeLayerConfig({ type: 'conv2d', ...config }, this.name) as NormalizedConv2D;
    this.activation = createActivation(this.config.activation);
  }

  private get convOptions(): Conv2DOptions {
    return { stride: this.config.stride, pad: this.config.pad, algorithm: this.lean ? 'implicit' : 'im2col' };
  }

  override get outputActivation(): Activation {
    return this.config.activation;
  }

  outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 4) {
      throw new Error(`${this.name}: Conv2D takes images (m, H, W, C), got ${shapeStr(inputShape)}`);
    }
    const win = window2d(this.name, inputShape, this.config.kernel, this.config.stride, this.config.pad);
    return [win.n, win.oh, win.ow, this.config.nOut];
  }

  protected override parameterShapes(inputShape: Shape) {
    const [kh, kw] = this.config.kernel;
    const cIn = inputShape[3]!;
    const cOut = this.config.nOut;
    const fanIn = kh * kw * cIn;
    const fanOut = kh * kw * cOut;
    return {
      W: { shape: [kh, kw, cIn, cOut], fanIn, fanOut },
      b: { shape: [1, cOut], fanIn, fanOut },
    };
  }

  protected override initialValues(key: string, shape: Shape, fanIn: number, fanOut: number): Float64Array {
    if (key === 'b') return new Float64Array(shape[1]!);
    return initWeights(this.config.init, shape, fanIn, fanOut, this.rng);
  }

  forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const { W, b } = this.parameters as { W: Tensor; b: Tensor };
    const y = this.backend.conv2d(x, W, b, this.convOptions, this.config.activation);
    this.setCache('X', x, false);
    this.setCache('Y', y, true);
    return y;
  }

  backward(dy: Tensor): Tensor;
  backward(dy: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;
  backward(dy: Tensor, needInput = true, opts: BackwardOptions = {}): Tensor | null {
    const x = this.cached('X');
    const y = this.cached('Y');
    this.checkDy(dy, y);
    const { W } = this.parameters as { W: Tensor };
    const dz = this.config.activation === 'linear' || opts.gradIsDz ? dy : this.activation.backward(this.backend, dy, y);
    const { dx, dw, db } = this.backend.conv2dBackward(dz, x, W, this.convOptions, needInput, {
      dw: this.gradientTarget('W'),
      db: this.gradientTarget('b'),
      dact: opts.dact ?? undefined,
    });
    if (dz !== dy) this.backend.dispose(dz);
    this.setGradient('W', dw);
    this.setGradient('b', db);
    return needInput ? dx! : null;
  }
}
