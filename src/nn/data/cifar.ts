// CIFAR-10 binary batches (data_batch_1.bin … test_batch.bin).
//
// A batch is a run of 3073-byte records: 1 label byte (0–9), then 3072 pixel bytes,
// channel-planar: 1024 red (32×32, row-major), 1024 green, 1024 blue. The course's
// layout is NHWC, so pixel (y, x) of channel c moves from c·1024 + y·32 + x to
// (y·32 + x)·3 + c, and values are scaled to [0, 1]. Several batches concatenated
// are accepted as one.

import { allocF32, allocU8 } from './alloc';
import { checkLabels, checkSize, type ClassificationDataset, type SizeLimits } from './dataset';
import { DataFormatError } from './errors';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;

const SIDE = 32;
const PLANE = SIDE * SIDE; // 1024
const RECORD = 1 + 3 * PLANE; // 3073

export interface CifarOptions extends SizeLimits {
  /** names the data in messages, default "CIFAR-10 batch" */
  what?: string;
  split?: string;
  source?: string;
}

export function parseCifar10(bytes: Uint8Array, opts: CifarOptions = {}): ClassificationDataset {
  const what = opts.what ?? 'CIFAR-10 batch';
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    const whole = Math.floor(bytes.length / RECORD);
    throw new DataFormatError(
      `${what}: ${bytes.length} bytes is not a whole number of 3073-byte records (1 label byte + 3072 pixel bytes)` +
        (bytes.length === 0 ? '' : `: ${whole} whole record${whole === 1 ? '' : 's'} and ${bytes.length - whole * RECORD} bytes left over`),
    );
  }
  const n = bytes.length / RECORD;
  checkSize(what, `${n} images of 32×32×3`, n * 3 * PLANE, opts);
  const labels = allocU8(n);
  const features = allocF32(n * 3 * PLANE);
  for (let i = 0; i < n; i++) {
    const rec = i * RECORD;
    labels[i] = bytes[rec]!;
    const out = i * 3 * PLANE;
    for (let c = 0; c < 3; c++) {
      const plane = rec + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) features[out + p * 3 + c] = bytes[plane + p]! / 255;
    }
  }
  checkLabels(`${what} labels`, labels, 10);
  return {
    task: 'classification',
    name: 'CIFAR-10',
    split: opts.split ?? `${n} images`,
    source: opts.source ?? 'CIFAR-10 binary batch',
    notes: ['channel-planar records converted to NHWC (32, 32, 3)', 'pixels scaled from 0–255 to [0, 1]'],
    shape: [n, SIDE, SIDE, 3],
    features,
    labels,
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
  };
}
