// The trained LeNet on the page: the worker's parameters loaded into a NeuralNetwork on
// the notebook's own backend (WebGPU, or the CPU reference), for one image at a time —
// the feature maps of a test image and the prediction for a drawing. Its work runs on the
// page's device queue (src/train/device-queue.ts), one task at a time with every cell's.
//
//   x (1, 28, 28, 1) → conv 5×5×6 'same' ReLU → Y₀ (1, 28, 28, 6) → pool → (1, 14, 14, 6)
//     → conv 5×5×16 'valid' ReLU → Y₂ (1, 10, 10, 16) → pool → … → softmax ŷ (1, 10)

import type { Backend } from '../../../engine/backend';
import type { HostTensor } from '../../../nn/arrays';
import { readTensor } from '../../../nn/arrays';
import { NeuralNetwork, type ModelConfig } from '../../../nn/model';
import { pageQueue } from '../../../train/device-queue';
import type { ModelSnapshot } from '../../../train/inspect';

export interface ImageInference {
  /** per convolution layer, in order: its output after the activation, (1, h, w, filters) */
  maps: { layer: string; index: number; out: HostTensor }[];
  /** (classes) softmax outputs */
  probs: Float64Array;
  predicted: number;
}

export class PageModel {
  private model: NeuralNetwork | null = null;
  /** the architecture the model was built for (configuration and input shape) */
  private built = '';

  constructor(readonly backend: Backend) {}

  get deviceName(): string {
    return this.backend.deviceName;
  }

  /** takes a snapshot's parameters (into the existing model when the architecture is the same) */
  load(snap: ModelSnapshot): Promise<void> {
    return pageQueue.run(async () => {
      const arch = JSON.stringify([snap.config.layers, snap.inputShape]);
      if (!this.model || arch !== this.built) {
        this.model?.dispose();
        this.model = null;
        const model = new NeuralNetwork(this.backend, snap.config as unknown as ModelConfig);
        model.build([1, ...snap.inputShape]);
        this.model = model;
        this.built = arch;
      }
      const model = this.model;
      if (snap.layers.length !== model.layers.length) throw new Error(`the snapshot has ${snap.layers.length} layers, the model ${model.layers.length}`);
      model.setParameters(snap.layers.map((l) => Object.fromEntries(Object.entries(l.parameters).map(([k, t]) => [k, t.data]))));
    });
  }

  /** the conv layers' outputs and the class probabilities for one (h, w) image in [0, 1] */
  infer(pixels: Float32Array): Promise<ImageInference> {
    return pageQueue.run(async () => {
      const model = this.model;
      if (!model) throw new Error('no model loaded yet');
      const shape = model.sampleShape!;
      const n = shape.reduce((a, b) => a * b, 1);
      if (pixels.length !== n) throw new Error(`the model takes ${shape.join(' × ')} = ${n} values per image, got ${pixels.length}`);
      const b = this.backend;
      const x = b.fromArray(pixels, [1, ...shape], 'inspected image');
      try {
        const y = model.predict(x);
        const maps: ImageInference['maps'] = [];
        try {
          for (let i = 0; i < model.layers.length; i++) {
            const l = model.layers[i]!;
            if (l.type === 'conv2d') maps.push({ layer: l.name, index: i, out: await readTensor(b, l.cache.Y!) });
          }
          const probs = Float64Array.from(await b.read(y));
          if (!probs.every(Number.isFinite)) throw new Error('the model gives no finite probabilities for this image (its weights have grown too large)');
          let predicted = 0;
          for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[predicted]!) predicted = c;
          return { maps, probs, predicted };
        } finally {
          b.dispose(y);
        }
      } finally {
        model.clearCaches();
        b.dispose(x);
      }
    });
  }

  dispose(): void {
    void pageQueue.run(async () => {
      this.model?.dispose();
      this.model = null;
    });
  }
}
