// NeuralNetwork: layers chained output → input, a loss, an optimizer and a scheduler,
// built from one configuration object and a seed.
//
//   forward     X → layer 0 → layer 1 → … → Ŷ
//   loss        L(Ŷ, y); with a final softmax and cross-entropy, the fused
//               softmax–cross-entropy on the last layer's logits (unless fused: false)
//   backward    dL/dŶ → … → layer 0, each layer filling its gradients
//   step        every parameter updated in place by the optimizer at the scheduled rate
//
// trainStep(x, y) records all of that with no readback and submits it once; the loss
// comes back as a (1) tensor for the caller to read when it wants (and then dispose).
// Intermediate tensors are freed as soon as they are consumed; a layer keeps only its
// current cache and gradients, so memory stays flat over a long run.
//
// Lean steps (the default, as for a standalone layer; `lean: false` runs every op as the
// course writes it):
//   arenas     every parameter is a view of ONE parameter buffer, every gradient a view
//              of one gradient buffer (each at a viewAlignment offset; the gaps hold
//              zeros), so the optimizer updates the whole model in one dispatch, its
//              state (velocity, Adam moments) an arena of the same layout
//   loss       softmax–cross-entropy forward and backward in one kernel
//   σ' fused   the kernel that makes a layer's dX also multiplies by the derivative of
//              the activation below (matmul epilogue, pool and conv backward), so no
//              activation-backward dispatch remains: dX_prev = (dZ·Wᵀ) ⊙ σ'(Y_prev)
//   [dW; db]   one pass per dense layer; the convolution as an implicit GEMM
// LeNet (2 conv, 2 pool, 3 dense) takes 20 dispatches a step instead of 40.

import type { ActivationGrad, Backend, Tensor } from '../engine/backend';
import { sameShape, type Shape, shapeStr, sizeOf } from '../engine/geometry';
import type { ArrayInput, HostTensor } from './arrays';
import { layerSeed } from './init';
import { createLayer, Flatten, FullyConnected, type Layer } from './layers';
import { CrossEntropy, createLoss, type ModelLoss } from './losses';
import { type ModelListener, ModelEvents } from './events';
import { type Evaluation, type ModelConfig, type ModelOptions, type NormalizedModelConfig, normalizeModelConfig } from './model-config';
import { type Arenas, packArenas } from './model-arena';
import { loadParametersInto, saveModel } from './model-io';
import { createOptimizer, type Optimizer, type ParamSlot } from './optimizers';
import { createScheduler, type Scheduler } from './schedulers';
import { checkModelFile, type ModelFile } from './serialize';

export { type Evaluation, type ModelConfig, type ModelOptions, type NormalizedModelConfig, normalizeModelConfig } from './model-config';

/** what backward does besides filling the parameters' gradients */
export interface ModelBackwardOptions {
  /**
   * also compute dL/dX, the gradient with respect to the model's input (layer 0's dX),
   * and return it; default true when an upstream gradient dY is given, false otherwise
   */
  inputGradient?: boolean;
}

export class NeuralNetwork {
  readonly config: NormalizedModelConfig;
  readonly layers: readonly Layer[];
  readonly loss: ModelLoss;
  readonly optimizer: Optimizer;
  readonly scheduler: Scheduler;
  /** which loss path the last computeLoss took; backward follows it */
  private pending: 'fused' | 'unfused' | null = null;
  private _lean: boolean;
  private arenas: Arenas | null = null;
  /** a backward has filled the gradient arena (it starts as zeros) */
  private backwardRan = false;
  private readonly events = new ModelEvents();

  constructor(
    readonly backend: Backend,
    config: ModelConfig,
    opts: ModelOptions = {},
  ) {
    this.config = normalizeModelConfig(config);
    const seed = this.config.seed;
    this.layers = this.config.layers.map((c, i) => createLayer(backend, c, { name: `${c.type}_${i}`, seed: layerSeed(seed, i) }));
    this.loss = createLoss(backend, this.config.loss.type);
    this.optimizer = createOptimizer(backend, this.config.optimizer);
    this.scheduler = createScheduler(this.config.scheduler);
    this._lean = opts.lean ?? true;
    for (const layer of this.layers) layer.lean = this._lean;
  }

  /**
   * Subscribes to the model's scopes (./events.ts: each layer's forward and backward, the
   * loss, the update); returns the unsubscribe. With no listener a scope costs a length test.
   */
  onEvent(listener: ModelListener): () => void {
    return this.events.on(listener);
  }

  /**
   * Lean steps (see ModelOptions). Choose before training: once the optimizer has state,
   * switching would leave it behind, so it is refused.
   */
  get lean(): boolean {
    return this._lean;
  }
  set lean(v: boolean) {
    if (v === this._lean) return;
    if (this.optimizer.steps > 0) {
      throw new Error('model: choose lean before the first training step (the optimizer state is laid out for one or the other)');
    }
    this._lean = v;
    for (const layer of this.layers) layer.lean = v;
  }

  /** the parameter and gradient arenas, once a lean model is built (null otherwise) */
  get arena(): { params: Tensor; grads: Tensor } | null {
    return this.arenas ? { params: this.arenas.params, grads: this.arenas.grads } : null;
  }

  /** the base learning rate (a plain value: set it between steps, the next step uses it) */
  get lr(): number {
    return this.optimizer.lr;
  }
  set lr(v: number) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`model: learning rate must be a finite number ≥ 0, got ${v}`);
    this.optimizer.lr = v;
  }
  /** optimizer updates done */
  get iteration(): number {
    return this.optimizer.steps;
  }
  /** the rate the next step will use: the scheduler applied to lr */
  get currentLr(): number {
    return this.scheduler.rate(this.optimizer.lr, this.optimizer.steps);
  }
  /** true when the loss runs fused with the last layer's softmax */
  get fused(): boolean {
    const last = this.layers[this.layers.length - 1];
    return this.config.loss.type === 'cross_entropy' && this.config.loss.fused && last instanceof FullyConnected && last.config.activation === 'softmax';
  }
  get built(): boolean {
    return this.layers.every((l) => l.built);
  }
  /** the input shape without the batch dimension, once built */
  get sampleShape(): number[] | null {
    return this.layers[0]!.sampleShape;
  }

  /**
   * Refuses (DeviceLimitError, naming the tensor, its shape and the limit) a model the
   * backend cannot hold for inputs of this shape (batch first), from the shapes alone —
   * nothing is allocated and no weight is drawn: every parameter, every layer's output at
   * this batch size, and (lean) the parameter arena that holds them all.
   */
  checkFits(inputShape: Shape): void {
    const align = this.backend.viewAlignment;
    let shape = inputShape;
    let arena = 0;
    for (const layer of this.layers) {
      const out = layer.outputShape(shape); // throws a ShapeError when the input does not fit
      for (const [key, p] of Object.entries(layer.plannedParameterShapes(shape))) {
        this.backend.checkFits(p, `${layer.name}.${key}`);
        arena = Math.ceil(arena / align) * align + sizeOf(p);
      }
      this.backend.checkFits(out, `${layer.name} output`);
      shape = out;
    }
    if (this._lean && arena > 0) this.backend.checkFits([arena], 'the parameter arena (every parameter of the model)');
  }

  /** creates every layer's parameters for inputs of this shape (batch first), without running anything */
  build(inputShape: Shape): void {
    if (!this.built) this.checkFits(inputShape);
    let shape = inputShape;
    for (const layer of this.layers) {
      layer.build(shape);
      shape = layer.outputShape(shape);
    }
    if (this._lean) this.pack();
  }

  private pack(): void {
    this.arenas ??= packArenas(this.backend, this.layers);
  }

  /** builds and packs a lean model for this input before its first forward */
  private prepare(x: Tensor): void {
    if (this._lean && !this.arenas) this.build(x.shape);
  }

  /** output shape for an input shape (batch first) */
  outputShape(inputShape: Shape): Shape {
    return this.layers.reduce<Shape>((s, l) => l.outputShape(s), inputShape);
  }

  /** Ŷ = the chained forward; belongs to the last layer (valid until the next forward) */
  forward(x: Tensor): Tensor {
    this.pending = null;
    this.prepare(x);
    let h = x;
    for (const layer of this.layers) h = this.events.scoped('forward', layer.name, layer.type, () => layer.forward(h));
    return h;
  }

  /**
   * Forward and loss for training: returns L as a (1) tensor that belongs to the caller.
   * y (m, k) is kept by reference until backward. `backward: false` says none will follow
   * (evaluation): a lean model's fused loss kernel then skips dL/dZ.
   */
  computeLoss(x: Tensor, y: Tensor, opts: { backward?: boolean } = {}): Tensor {
    return this.lossFor(x, y, opts.backward ?? true);
  }

  /** forward and loss; withGrad: a lean model's fused loss kernel also makes dL/dZ for backward */
  private lossFor(x: Tensor, y: Tensor, withGrad: boolean): Tensor {
    const out = this.outputShape(x.shape);
    if (y.shape.length !== out.length || y.shape.some((d, i) => d !== out[i])) {
      throw new Error(`model: targets y ${shapeStr(y.shape)} do not match the output ${shapeStr(out)} for input ${shapeStr(x.shape)}`);
    }
    this.prepare(x);
    if (this.fused) {
      let h = x;
      const n = this.layers.length;
      for (let i = 0; i < n - 1; i++) {
        const layer = this.layers[i]!;
        h = this.events.scoped('forward', layer.name, layer.type, () => layer.forward(h));
      }
      const last = this.layers[n - 1] as FullyConnected;
      const z = this.events.scoped('forward', last.name, last.type, () => last.forwardLogits(h));
      const ce = this.loss as CrossEntropy;
      const { loss, probs } = this.events.scoped('loss', 'loss', 'loss', () => ce.forwardLogits(z, y, this._lean && withGrad));
      last.setOutput(probs);
      this.pending = 'fused';
      return loss;
    }
    const yhat = this.forward(x);
    const loss = this.events.scoped('loss', 'loss', 'loss', () => this.loss.forward(yhat, y));
    this.pending = 'unfused';
    return loss;
  }

  /**
   * Backward through every layer, each filling its gradients (same keys as its parameters):
   *
   *   model.backward()      after computeLoss(x, y): from the loss, dL/dŶ (fused: dL/dZ)
   *   model.backward(dY)    after forward(x): from an upstream gradient dY = dL/dŶ, the
   *                         shape of Ŷ (the model as one layer of a larger computation)
   *
   * Returns dL/dX, the gradient with respect to the model's input (its shape; belongs to the
   * caller), when dY is given or opts.inputGradient is true; otherwise null — a training
   * step skips layer 0's dX.
   */
  backward(dy?: Tensor | null, opts: ModelBackwardOptions = {}): Tensor | null {
    const wantDx = opts.inputGradient ?? !!dy;
    const n = this.layers.length;
    let start = n - 1;
    let dtop: Tensor | null;
    // lean: index of the layer whose dZ the gradient in flight already is (σ' fused above it)
    let dzFor: number | null = null;
    if (dy) {
      const yhat = this.layers[n - 1]!.cache.Y;
      if (!yhat) throw new Error('model: backward(dY) needs forward(x) first');
      if (!sameShape(dy.shape, yhat.shape)) throw new Error(`model: backward got dY ${shapeStr(dy.shape)} but the output Ŷ is ${shapeStr(yhat.shape)}`);
      if (this.loss instanceof CrossEntropy) this.loss.discardGradient();
      dtop = dy; // the caller's: never freed here
    } else if (!this.pending) {
      throw new Error('model: backward needs computeLoss(x, y) first (forward alone has no loss), or an upstream gradient: backward(dY)');
    } else if (this.pending === 'fused') {
      const ce = this.loss as CrossEntropy;
      const dz = this.events.scoped('backward', 'loss', 'loss', () => ce.backwardLogits()); // (ŷ − y)/m
      const below = this.fusableBelow(n - 1);
      const last = this.layers[n - 1] as FullyConnected;
      dtop = this.events.scoped('backward', last.name, last.type, () => last.backwardLogits(dz, n > 1 || wantDx, { dact: below?.dact }));
      dzFor = below?.index ?? null;
      this.backend.dispose(dz);
      start = n - 2;
    } else {
      dtop = this.events.scoped('backward', 'loss', 'loss', () => this.loss.backward());
    }
    // each dX feeds the next layer down, then is freed (views included: storage is reference counted)
    let cur = dtop;
    for (let i = start; i >= 0; i--) {
      const layer = this.layers[i]!;
      const needInput = i > 0 || wantDx;
      let dx: Tensor | null;
      if (layer instanceof Flatten) {
        const g = cur!;
        dx = this.events.scoped('backward', layer.name, layer.type, () => layer.backward(g, needInput)); // a reshape: what flows through keeps its meaning
      } else {
        const below = this.fusableBelow(i);
        const [g, gradIsDz] = [cur!, dzFor === i];
        dx = this.events.scoped('backward', layer.name, layer.type, () => layer.backward(g, needInput, { gradIsDz, dact: below?.dact }));
        dzFor = below?.index ?? null;
      }
      if (cur !== dy) this.backend.dispose(cur);
      cur = dx;
    }
    this.backwardRan = true;
    if (wantDx) return cur;
    if (cur !== dy) this.backend.dispose(cur);
    return null;
  }

  /**
   * Lean: the activation whose derivative layer i can fuse into its dX — the output
   * activation of the first non-Flatten layer below (a Flatten's output is a view of that
   * layer's Y) — with Y = layer i's input; null when there is none worth fusing.
   */
  private fusableBelow(i: number): { index: number; dact: ActivationGrad } | null {
    if (!this._lean || i === 0) return null;
    let j = i - 1;
    while (j > 0 && this.layers[j] instanceof Flatten) j--;
    const act = this.layers[j]!.outputActivation;
    if (act === null || act === 'linear') return null;
    return { index: j, dact: { y: this.layers[i]!.cache.X!, activation: act } };
  }

  /**
   * The finiteness check of a training step, recorded after it (nothing is read back):
   * `flag` reads back `want` exactly when the loss (1) and every parameter are finite.
   * The bits of each float are tested (Backend.allFinite), because WGSL may turn NaN into
   * finite numbers on the way to the loss (a NaN model can report a finite loss). Lean: one
   * dispatch over the parameter arena and the loss (want = 1); otherwise one per parameter
   * (each with the loss) and their sum. The caller disposes flag. `backend`: where to
   * record it (the model's own by default; a session passes the untraced backend, so a
   * traced step shows the step's ops only).
   */
  finiteCheck(loss: Tensor, backend: Backend = this.backend): { flag: Tensor; want: number } {
    const b = backend;
    if (this.arenas) return { flag: b.allFinite(this.arenas.params, loss), want: 1 };
    const params = this.layers.flatMap((l) => Object.values(l.parameters));
    if (params.length === 0) return { flag: b.allFinite(loss), want: 1 };
    let flag = b.allFinite(params[0]!, loss);
    for (const p of params.slice(1)) {
      const f = b.allFinite(p, loss);
      const sum = b.axpby(1, flag, 1, f);
      b.dispose(flag, f);
      flag = sum;
    }
    return { flag, want: params.length };
  }

  /** (id, parameter, gradient) of every parameter, layer by layer */
  parameterSlots(): ParamSlot[] {
    const slots: ParamSlot[] = [];
    for (const layer of this.layers) {
      for (const [key, param] of Object.entries(layer.parameters)) {
        const grad = layer.gradients[key];
        if (!grad) throw new Error(`model: ${layer.name}.${key} has no gradient; run backward before step`);
        slots.push({ id: `${layer.name}.${key}`, param, grad });
      }
    }
    return slots;
  }

  /** one optimizer update of every parameter at the scheduled rate (lean: one dispatch over the arena) */
  step(): void {
    const lr = this.currentLr;
    if (this.arenas) {
      if (!this.backwardRan) {
        const first = this.parameterSlots()[0]!;
        throw new Error(`model: ${first.id} has no gradient; run backward before step`);
      }
      const slot = { id: 'parameters', param: this.arenas.params, grad: this.arenas.grads };
      this.events.scoped('update', null, this.optimizer.type, () => this.optimizer.update([slot], lr));
    } else {
      const slots = this.parameterSlots();
      this.events.scoped('update', null, this.optimizer.type, () => this.optimizer.update(slots, lr));
    }
  }

  /**
   * forward + loss + backward + update, recorded and submitted once, nothing read back.
   * Returns L (a (1) tensor): read it when you want, then dispose it.
   */
  trainStep(x: Tensor, y: Tensor): Tensor {
    const loss = this.computeLoss(x, y);
    this.backward();
    this.step();
    this.backend.flush();
    return loss;
  }

  /** Ŷ for x as a tensor that belongs to the caller */
  predict(x: Tensor): Tensor {
    this.forward(x);
    return this.layers[this.layers.length - 1]!.takeOutput();
  }

  /** loss and accuracy on one batch (reads back two numbers) */
  async evaluate(x: Tensor, y: Tensor): Promise<Evaluation> {
    const lossT = this.lossFor(x, y, false);
    this.pending = null;
    const yhat = this.layers[this.layers.length - 1]!.cache.Y!;
    const classes = this.loss.name !== 'binary_cross_entropy' && yhat.shape.length === 2 && yhat.shape[1]! > 1;
    const correctT = classes ? this.backend.countCorrect(yhat, y) : null;
    try {
      const loss = (await this.backend.read(lossT))[0]!;
      const correct = correctT ? (await this.backend.read(correctT))[0]! : null;
      const count = x.shape[0]!;
      return { loss, correct, accuracy: correct === null ? null : correct / count, count };
    } finally {
      this.backend.dispose(lossT, correctT);
    }
  }

  // ── parameters in and out ─────────────────────────────────────────────────────
  private requireBuilt(what: string): void {
    if (!this.built) throw new Error(`model: ${what} needs parameters; call build(inputShape) or run a forward first`);
  }

  /**
   * values[i] sets layer i's parameters (flat or nested arrays by key); missing entries are
   * left as they are. An unbuilt model is built first, for `sampleShape` (the input per
   * example, no batch dimension: [4], [28, 28, 1]) or, without it, the shape layer 0's
   * values imply (a first fc layer's W (n_in, n_out) gives [n_in]).
   */
  setParameters(values: ReadonlyArray<Readonly<Record<string, ArrayInput>> | null | undefined>, sampleShape?: readonly number[]): void {
    if (values.length > this.layers.length) throw new Error(`model: ${values.length} entries for ${this.layers.length} layers`);
    if (this.built && sampleShape && !sameShape(sampleShape, this.sampleShape!)) {
      throw new Error(`model: built for inputs (m, ${this.sampleShape!.join(', ')}), not (m, ${sampleShape.join(', ')})`);
    }
    if (!this.built) {
      const sample = sampleShape ?? (values[0] ? this.layers[0]!.sampleShapeFor(values[0]) : null);
      if (!sample) {
        throw new Error(
          'model: no parameters yet, and the values do not tell the input shape; pass the input shape per example, ' +
            'e.g. setParameters(values, [28, 28, 1]), or call build([m, …]) first',
        );
      }
      this.build([1, ...sample]);
    }
    values.forEach((v, i) => {
      if (v) this.layers[i]!.setParameters(v);
    });
  }

  readParameters(): Promise<Record<string, HostTensor>[]> {
    return Promise.all(this.layers.map((l) => l.readParameters()));
  }
  readGradients(): Promise<Record<string, HostTensor>[]> {
    return Promise.all(this.layers.map((l) => l.readGradients()));
  }

  /** the configuration, the shapes and every parameter, as a JSON-ready object */
  async save(): Promise<ModelFile> {
    this.requireBuilt('save');
    return saveModel(this);
  }

  /** JSON text of save() */
  async toJSON(): Promise<string> {
    return JSON.stringify(await this.save());
  }

  /**
   * Overwrites this model's parameters from a saved file. Refused, naming the difference,
   * when the file's format, version, layers or shapes do not match this model.
   */
  loadParameters(file: unknown): void {
    loadParametersInto(this, file);
  }

  /** a new model with the file's configuration and parameters */
  static load(backend: Backend, file: unknown): NeuralNetwork {
    const f = checkModelFile(file);
    const model = new NeuralNetwork(backend, f.config as unknown as ModelConfig);
    model.loadParameters(f);
    return model;
  }

  /** frees every layer's cache (the forward outputs kept for backward) and a loss gradient no backward took */
  clearCaches(): void {
    for (const layer of this.layers) layer.clearCache();
    if (this.loss instanceof CrossEntropy) this.loss.discardGradient();
    this.pending = null;
  }

  /** frees every tensor the model owns (parameters, gradients, caches, optimizer state) */
  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.optimizer.dispose();
    this.loss.dispose();
    if (this.arenas) this.backend.dispose(this.arenas.params, this.arenas.grads);
    this.arenas = null;
    this.backwardRan = false;
    this.pending = null;
  }
}
