// The course's layer: `parameters`, `gradients` (same keys as parameters) and `cache`
// (what forward keeps for backward). Parameters are created lazily on the first forward,
// from the input's shape, or explicitly with build(inputShape) or setParameters(values,
// sampleShape?). A layer runs the lean kernels by default, as a model does (Layer.lean).
//
// Tensor ownership, so a long run frees what it allocates:
//   - a layer owns its parameters, its gradients and the tensors it computed into its
//     cache (Y, Z, argmax); it frees the old ones when the next forward/backward replaces
//     them, and everything on dispose();
//   - the input X it caches belongs to the caller (the previous layer, or you);
//   - backward returns dX, which belongs to the caller;
//   - a reshaped view (Flatten's Y and dX) is a tensor like any other: its storage is
//     shared and reference counted, so the view and the viewed tensor are each disposed
//     by their own owner, in any order.

import type { Activation, ActivationGrad, Backend, Tensor } from '../../engine/backend';
import { sameShape, type Shape, shapeStr } from '../../engine/geometry';
import { Rng } from '../../engine/random';
import { type ArrayInput, type HostTensor, readRecord, toFlat } from '../arrays';
import type { LayerType, NormalizedLayerConfig } from './config';

export interface LayerOptions {
  /** shown in tensor labels and error messages; default the layer type */
  name?: string;
  /** seeds the initializer; default 0 */
  seed?: number;
  /**
   * default true, as in a model: the lean kernels training runs. false: every op as the
   * course writes it (the explicit path the step-through shows). See Layer.lean.
   */
  lean?: boolean;
}

/**
 * What the model's lean backward tells a layer (see model.ts): the fusions that take the
 * activation derivatives out of their own dispatches.
 */
export interface BackwardOptions {
  /**
   * dy is already dL/dZ of this layer: the layer above multiplied in this layer's σ'(Z)
   * while making its dX. The layer skips its own activation backward.
   */
  gradIsDz?: boolean;
  /**
   * multiply dX by σ'(Y_prev), Y_prev = this layer's input X as the output of the
   * activation below, inside the kernel that makes dX: the layer below gets its dZ.
   */
  dact?: ActivationGrad | null;
}

export abstract class Layer {
  abstract readonly type: LayerType;
  abstract readonly config: NormalizedLayerConfig;
  /** trainable tensors by key (W, b) */
  readonly parameters: Record<string, Tensor> = {};
  /** dL/d(parameter), same keys as parameters, filled by backward */
  readonly gradients: Record<string, Tensor> = {};
  /** what forward keeps for backward (X, Y, …) */
  readonly cache: Record<string, Tensor> = {};

  /** input shape without the batch dimension, fixed when the parameters are created */
  sampleShape: number[] | null = null;

  /**
   * Lean kernels, the default of a standalone layer and of a model alike (LayerOptions.lean,
   * ModelOptions.lean): [dW; db] in one pass, the convolution without im2col, so a layer
   * on its own runs the kernels a training step runs. false: every op as the course writes
   * it (the explicit path the notebook steps through). Both compute the same thing.
   */
  lean: boolean;

  /**
   * true when the gradients are views the model placed in its gradient arena: backward
   * writes into them instead of allocating new tensors.
   */
  protected pinnedGradients = false;

  private readonly owned = new Set<Tensor>();
  protected readonly rng: Rng;

  constructor(
    readonly backend: Backend,
    /** shown in tensor labels and error messages, e.g. "fc_2" */
    readonly name: string,
    seed: number,
    lean = true,
  ) {
    this.rng = new Rng(seed);
    this.lean = lean;
  }

  get built(): boolean {
    return this.sampleShape !== null;
  }

  /** output shape (batch first) for an input shape (batch first); throws when it does not fit */
  abstract outputShape(inputShape: Shape): Shape;

  /** Y = layer(X); the result belongs to the layer (valid until the next forward) */
  abstract forward(x: Tensor): Tensor;

  /**
   * dX = dL/dX from dY = dL/dY, filling `gradients`. The result belongs to the caller.
   * needInput = false skips dX (the first layer of a model) and returns null.
   */
  abstract backward(dy: Tensor): Tensor;
  abstract backward(dy: Tensor, needInput: boolean, opts?: BackwardOptions): Tensor | null;

  /**
   * The elementwise activation applied to this layer's output, whose derivative the
   * layer above may fuse into its dX (BackwardOptions.dact); null when there is none to
   * fuse (pooling, flatten, softmax).
   */
  get outputActivation(): Activation | null {
    return null;
  }

  /** the parameter shapes this layer creates for an input shape */
  protected parameterShapes(_inputShape: Shape): Record<string, { shape: Shape; fanIn: number; fanOut: number }> {
    return {};
  }

  /** the shape of each parameter build(inputShape) would create (allocates nothing) */
  plannedParameterShapes(inputShape: Shape): Record<string, Shape> {
    return Object.fromEntries(Object.entries(this.parameterShapes(inputShape)).map(([k, p]) => [k, p.shape]));
  }

  protected initialValues(_key: string, shape: Shape, _fanIn: number, _fanOut: number): Float64Array {
    return new Float64Array(shape.reduce((a, b) => a * b, 1));
  }

  /**
   * Creates the parameters for inputs of this shape (batch first; the batch size does not
   * matter). Called by the first forward; call it yourself to set parameters before any
   * forward. A built layer refuses an input of a different sample shape.
   */
  build(inputShape: Shape): void {
    const sample = inputShape.slice(1);
    if (this.sampleShape) {
      if (!sameShape(sample, this.sampleShape)) {
        throw new Error(
          `${this.name}: built for inputs (m, ${this.sampleShape.join(', ')}) but got ${shapeStr(inputShape)}`,
        );
      }
      return;
    }
    this.outputShape(inputShape); // throws when the input does not fit
    for (const [key, p] of Object.entries(this.parameterShapes(inputShape))) {
      const init = this.initialValues(key, p.shape, p.fanIn, p.fanOut);
      this.parameters[key] = this.backend.fromArray(init, p.shape, `${this.name}.${key}`);
    }
    this.sampleShape = sample;
  }

  /**
   * The input shape per example that these parameter values imply, when they tell it
   * (a fully connected layer's W (n_in, n_out) gives [n_in]); null when they do not.
   */
  sampleShapeFor(_values: Readonly<Record<string, ArrayInput>>): number[] | null {
    return null;
  }

  /**
   * Overwrites parameters from flat or nested arrays: layer.setParameters({ W: [[…]], b: [[…]] }).
   * An unbuilt layer is built first, for `sampleShape` (the input shape per example, no
   * batch dimension) or, without it, the shape the values imply (sampleShapeFor).
   */
  setParameters(values: Readonly<Record<string, ArrayInput>>, sampleShape?: readonly number[]): void {
    if (sampleShape && this.built && !sameShape(sampleShape, this.sampleShape!)) {
      throw new Error(`${this.name}: built for inputs (m, ${this.sampleShape!.join(', ')}), not (m, ${sampleShape.join(', ')})`);
    }
    if (!this.built) {
      const sample = sampleShape ?? this.sampleShapeFor(values);
      if (!sample) {
        throw new Error(
          `${this.name}: no parameters yet, and these values do not tell the input shape; ` +
            `pass the input shape per example, e.g. setParameters(values, [28, 28, 1]), or run a forward first`,
        );
      }
      this.build([1, ...sample]);
    }
    const keys = Object.keys(this.parameters);
    for (const [key, v] of Object.entries(values)) {
      const p = this.parameters[key];
      if (!p) throw new Error(`${this.name}: unknown parameter '${key}'. Valid: ${keys.join(', ') || '(none)'}`);
      this.backend.write(p, toFlat(v, p.shape, `${this.name}.${key}`));
    }
  }

  readParameters(): Promise<Record<string, HostTensor>> {
    return readRecord(this.backend, this.parameters);
  }
  readGradients(): Promise<Record<string, HostTensor>> {
    return readRecord(this.backend, this.gradients);
  }
  readCache(): Promise<Record<string, HostTensor>> {
    return readRecord(this.backend, this.cache);
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────────
  /** creates the parameters on the first forward; later, checks the input's sample shape */
  protected ensureBuilt(x: Tensor): void {
    this.build(x.shape);
  }

  /** cache[key] = t; owned tensors are freed when replaced */
  protected setCache(key: string, t: Tensor | null, owned: boolean): void {
    const old = this.cache[key];
    if (old && old !== t && this.owned.delete(old)) this.backend.dispose(old);
    if (t) {
      this.cache[key] = t;
      if (owned) this.owned.add(t);
    } else {
      delete this.cache[key];
    }
  }

  protected setGradient(key: string, g: Tensor): void {
    const old = this.gradients[key];
    if (old && old !== g) {
      if (this.pinnedGradients) throw new Error(`${this.name}: gradient ${key} lives in the model's arena; write into it (out) instead of replacing it`);
      this.backend.dispose(old);
    }
    this.gradients[key] = g;
  }

  /** the arena view to write gradient `key` into, when the model placed one */
  protected gradientTarget(key: string): Tensor | undefined {
    return this.pinnedGradients ? this.gradients[key] : undefined;
  }

  /**
   * Moves this layer's parameters and gradients into views the model made (one buffer
   * for every parameter of the model, one for every gradient): each parameter's values
   * are copied into its view and the old tensor freed; from now on backward writes its
   * gradients into the gradient views. Keys must be this layer's parameter keys.
   */
  adoptArena(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void {
    for (const [key, p] of Object.entries(this.parameters)) {
      const v = params[key];
      const g = grads[key];
      if (!v || !g) throw new Error(`${this.name}: adoptArena needs a parameter and a gradient view for '${key}'`);
      if (!sameShape(v.shape, p.shape) || !sameShape(g.shape, p.shape)) {
        throw new Error(`${this.name}: arena views for '${key}' are ${shapeStr(v.shape)}/${shapeStr(g.shape)}, the parameter is ${shapeStr(p.shape)}`);
      }
    }
    for (const key of Object.keys(this.parameters)) {
      const old = this.parameters[key]!;
      this.backend.assign(params[key]!, old);
      this.backend.dispose(old);
      this.parameters[key] = params[key]!;
      const oldGrad = this.gradients[key];
      if (oldGrad && oldGrad !== grads[key]) this.backend.dispose(oldGrad);
      this.gradients[key] = grads[key]!;
    }
    this.pinnedGradients = true;
  }

  /** true once the model placed this layer's parameters in its arenas */
  get inArena(): boolean {
    return this.pinnedGradients;
  }

  /** the cached tensor or a clear error when forward has not run */
  protected cached(key: string): Tensor {
    const t = this.cache[key];
    if (!t) throw new Error(`${this.name}: backward needs cache.${key}; run forward first`);
    return t;
  }

  protected checkDy(dy: Tensor, y: Tensor): void {
    if (!sameShape(dy.shape, y.shape)) {
      throw new Error(`${this.name}: backward got dY ${shapeStr(dy.shape)} but the forward output Y is ${shapeStr(y.shape)}`);
    }
  }

  /**
   * Hands the cached output Y over to the caller (the layer forgets it and will not free
   * it). Used by predict, so its result outlives the next forward.
   */
  takeOutput(): Tensor {
    const y = this.cached('Y');
    this.owned.delete(y);
    delete this.cache.Y;
    return y;
  }

  /** frees the cache (not the parameters or gradients) */
  clearCache(): void {
    for (const key of Object.keys(this.cache)) this.setCache(key, null, false);
  }

  /** frees everything this layer owns; the layer is unusable for training afterwards */
  dispose(): void {
    this.clearCache();
    this.backend.dispose(...Object.values(this.parameters), ...Object.values(this.gradients));
    for (const k of Object.keys(this.parameters)) delete this.parameters[k];
    for (const k of Object.keys(this.gradients)) delete this.gradients[k];
    this.sampleShape = null;
    this.pinnedGradients = false;
  }
}
