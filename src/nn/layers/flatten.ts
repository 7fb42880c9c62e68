// Flatten: (m, H, W, C) → (m, H·W·C), row-major, so index (h·W + w)·C + c.
// A reshape: the output is a view of the input's data, no copy; backward reshapes dY back
// (dX is a view of dY's data, and belongs to the caller like any dX).

import type { Backend, Tensor } from '../../engine/backend';
import { type Shape, shapeStr, sizeOf } from '../../engine/geometry';
import type { FlattenConfig } from './config';
import { type BackwardOptions, Layer, type LayerOptions } from './layer';

export class Flatten extends Layer {
  readonly type = 'flatten' as const;
  readonly config: FlattenConfig = { type: 'flatten' };

  constructor(backend: Backend, opts: LayerOptions = {}) {
    super(backend, opts.name ?? 'flatten', opts.seed ?? 0, opts.lean);
  }

  outputShape(inputShape: Shape): Shape {
    if (inputShape.length < 2) throw new Error(`${this.name}: Flatten needs a batch dimension, got ${shapeStr(inputShape)}`);
    return [inputShape[0]!, sizeOf(inputShape.slice(1))];
  }

  forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const y = this.backend.reshape(x, this.outputShape(x.shape));
    this.setCache('X', x, false);
    this.setCache('Y', y, true); // a view of X's storage (reference counted)
    return y;
  }

  backward(dy: Tensor): Tensor;
  backward(dy: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;
  backward(dy: Tensor, needInput = true, opts: BackwardOptions = {}): Tensor | null {
    if (opts.dact) throw new Error(`${this.name}: Flatten's backward is a reshape and cannot apply an activation derivative`);
    const x = this.cached('X');
    this.checkDy(dy, this.cached('Y'));
    return needInput ? this.backend.reshape(dy, x.shape) : null;
  }
}
