// Pool2D over NHWC images: max or average over kh×kw windows with stride and padding.
//   X (m, H, W, C) → Y (m, oh, ow, C); zero padding takes part in the window.
// Backward: max sends each dY to the arg-max position of its window (recorded by the
// forward as a u32 index into X); average spreads dY/(kh·kw) over its window. Lean, the
// σ' of the activation below (a conv's relu) is applied in the same kernel.
// No parameters.

import type { Backend, Pool2DOptions, Tensor } from '../../engine/backend';
import { type Shape, shapeStr, window2d } from '../../engine/geometry';
import { normalizeLayerConfig, type NormalizedPool2D, type Pool2DConfig } from './config';
import { type BackwardOptions, Layer, type LayerOptions } from './layer';

export class Pool2D extends Layer {
  readonly type = 'pool2d' as const;
  readonly config: NormalizedPool2D;

  constructor(backend: Backend, config: Omit<Pool2DConfig, 'type'> & { type?: 'pool2d' } = {}, opts: LayerOptions = {}) {
    super(backend, opts.name ?? 'pool2d', opts.seed ?? 0, opts.lean);
    this.config = normalizeLayerConfig({ type: 'pool2d', ...config }, this.name) as NormalizedPool2D;
  }

  get poolOptions(): Pool2DOptions {
    const c = this.config;
    return { mode: c.mode === 'max' ? 'max' : 'avg', kernel: c.kernel, stride: c.stride, pad: c.pad };
  }

  outputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 4) {
      throw new Error(`${this.name}: Pool2D takes images (m, H, W, C), got ${shapeStr(inputShape)}`);
    }
    const win = window2d(this.name, inputShape, this.config.kernel, this.config.stride, this.config.pad);
    return [win.n, win.oh, win.ow, win.c];
  }

  forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const { y, argmax } = this.backend.pool2d(x, this.poolOptions);
    this.setCache('X', x, false);
    this.setCache('Y', y, true);
    this.setCache('argmax', argmax ?? null, true);
    return y;
  }

  backward(dy: Tensor): Tensor;
  backward(dy: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;
  backward(dy: Tensor, needInput = true, opts: BackwardOptions = {}): Tensor | null {
    const x = this.cached('X');
    this.checkDy(dy, this.cached('Y'));
    if (!needInput) return null;
    const argmax = this.config.mode === 'max' ? this.cached('argmax') : undefined;
    // with opts.dact (X is a conv's relu output) dX is that conv's dZ
    return this.backend.pool2dBackward(dy, x.shape, this.poolOptions, argmax, opts.dact ?? undefined);
  }
}
