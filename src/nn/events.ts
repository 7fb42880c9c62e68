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

/** a model's listeners, and the scopes it tells them */
export class ModelEvents {
  private listeners: ModelListener[] = [];

  /** subscribe; returns the unsubscribe */
  on(listener: ModelListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** runs `body` inside a scope told to the listeners */
  scoped<T>(phase: ModelPhase, layer: string | null, layerType: string | null, body: () => T): T {
    if (this.listeners.length === 0) return body();
    const scope: ModelScope = { phase, layer, layerType };
    const listeners = this.listeners;
    for (const l of listeners) l.enter?.(scope);
    try {
      return body();
    } finally {
      for (const l of listeners) l.exit?.(scope);
    }
  }
}
