// Layers by configuration: createLayer(backend, { type: 'conv2d', nOut: 8, kernel: 3 }).

import type { Backend } from '../../engine/backend';
import { type LayerConfig, normalizeLayerConfig } from './config';
import { Conv2D } from './conv2d';
import { Flatten } from './flatten';
import { FullyConnected } from './fully-connected';
import { type BackwardOptions, Layer, type LayerOptions } from './layer';
import { Pool2D } from './pool2d';

export { Conv2D, Flatten, FullyConnected, Layer, Pool2D };
export type { BackwardOptions, LayerOptions };
export * from './config';

/** a layer from its configuration; unknown types and options are refused with the valid ones */
export function createLayer(backend: Backend, config: LayerConfig, opts: LayerOptions = {}): Layer {
  const c = normalizeLayerConfig(config, opts.name ?? 'layer');
  switch (c.type) {
    case 'fc':
      return new FullyConnected(backend, c, opts);
    case 'conv2d':
      return new Conv2D(backend, c, opts);
    case 'pool2d':
      return new Pool2D(backend, c, opts);
    case 'flatten':
      return new Flatten(backend, opts);
  }
}
