// One training step of a model on one batch, traced op by op, for the step-through.
//
//   X (m, …) and one-hot y (m, k) on the backend → model.trainStep (forward, loss,
//   backward, update), recorded by a Tracer over that backend → Trace
//
// The model is built from `config` on the tracer's backend, traced once and freed; the
// backend (the page's WebGPU device, or the CPU reference) is the caller's.

import type { Backend } from '../../engine/backend';
import type { Shape } from '../../engine/geometry';
import { NeuralNetwork, type ModelConfig } from '../../nn/model';
import { Tracer, type Trace } from '../../train/trace';

export interface HostArray {
  data: ArrayLike<number>;
  shape: Shape;
}

export interface TraceStepOptions {
  /** fused kernels (the nn default) or every op as the course writes it (false, the default here) */
  lean?: boolean;
  /** tensors with at most this many values keep their values in the trace (default 512) */
  maxValues?: number;
  /** parameters to load before the step, per layer (null for a layer without any) */
  parameters?: ReadonlyArray<Readonly<Record<string, ArrayLike<number>>> | null>;
}

export async function traceTrainingStep(backend: Backend, config: ModelConfig, x: HostArray, y: HostArray, opts: TraceStepOptions = {}): Promise<Trace> {
  const maxValues = opts.maxValues ?? 512;
  const tracer = new Tracer(backend);
  const model = new NeuralNetwork(tracer.backend, config, { lean: opts.lean ?? false });
  const X = backend.fromArray(x.data, x.shape, 'X');
  const Y = backend.fromArray(y.data, y.shape, 'y');
  try {
    model.build(x.shape);
    if (opts.parameters) model.setParameters(opts.parameters.map((p) => (p ? Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)])) : null)));
    let loss: number | null = null;
    const { ops, equations } = await tracer.record(model, maxValues, async () => {
      const l = model.trainStep(X, Y);
      try {
        const v = (await backend.read(l))[0]!;
        loss = Number.isFinite(v) ? v : null;
      } finally {
        backend.dispose(l);
      }
    });
    return {
      step: 1,
      run: 0,
      batchSize: x.shape[0]!,
      backend: backend.kind,
      deviceName: backend.deviceName,
      loss,
      layers: model.layers.map((l) => ({ name: l.name, type: l.type })),
      ops,
      equations,
      maxValues,
      lean: model.lean,
    };
  } finally {
    model.dispose();
    backend.dispose(X, Y);
  }
}
