// A two-layer classifier session on the toy blobs: the configuration the training tests share.
//   x (m, 2) → fc nOut=hidden, activation → fc 3 softmax → cross-entropy (fused), SGD

import type { SessionConfig } from '../../src/train/protocol';
import type { ActivationName } from '../../src/nn';

export interface BlobsOptions {
  hidden?: number;
  activation?: ActivationName;
  lr?: number;
  momentum?: number;
}

/** blobs (25 % validation) through fc(hidden) → fc(3, softmax); `over` replaces session fields */
export function blobsSession(o: BlobsOptions = {}, over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    dataset: { name: 'blobs', validationFraction: 0.25 },
    model: {
      layers: [
        { type: 'fc', nOut: o.hidden ?? 10, activation: o.activation ?? 'relu' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      loss: 'cross_entropy',
      optimizer: { type: 'sgd', lr: o.lr ?? 0.1, ...(o.momentum !== undefined ? { momentum: o.momentum } : {}) },
    },
    batchSize: 8,
    epochs: 100000,
    seed: 1,
    lossEvery: 1,
    ...over,
  };
}
