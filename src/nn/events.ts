// What a model tells its listeners while it computes (model.onEvent): each layer's
// forward and backward, the loss and its gradient, the optimizer's update. Between a
// scope's enter and exit every backend op (backend.onOp) belongs to that scope, so a
// tracer can say "fc_1, backward" beside a matmul without wrapping any method.

export type ModelPhase = 'forward' | 'loss' | 'backward' | 'update';

export interface ModelScope {
  phase: ModelPhase;
  /** the layer's name (e.g. "fc_0"), 'loss', or null for the optimizer's update */
  layer: string | null;
  /** fc, conv2d, pool2d, flatten; 'loss'; the optimizer's type (sgd, adam) in 'update' */
  layerType: string | null;
}

/** enter and exit come in pairs, nested the way the calls are */
export interface ModelListener {
  enter?(scope: ModelScope): void;
  exit?(scope: ModelScope): void;
}
