// The Fashion-MNIST images that the picture grid and the initializer cell show: the
// official test files (10 000 × 28 × 28, about 4.4 MB gzipped) or, in a copy with one
// pool of 70 000 images, that pool. Nothing is fetched until the student asks (the
// chapter downloads nothing before then); both cells share one load.

import { create } from 'zustand';
import { checkManifest, type ManifestEntry } from '../../../nn/data/manifest';
import { decodeIdxPair } from '../../../nn/data/idx';
import type { ClassificationDataset } from '../../../nn/data/dataset';
import { FASHION_MNIST_CLASSES } from '../../../nn/data/load';

function dataUrl(path: string): string {
  const base = (import.meta.env.BASE_URL as string | undefined) ?? '/';
  return `${base}data/${path}`;
}

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(dataUrl(path));
  if (!res.ok) throw new Error(`data/${path}: ${res.status} ${res.statusText} (the data files are made by scripts/prepare-data.mjs)`);
  return res.json();
}

async function bytesOf(path: string): Promise<Uint8Array> {
  const res = await fetch(dataUrl(path));
  if (!res.ok) throw new Error(`data/${path}: ${res.status} ${res.statusText} (the data files are made by scripts/prepare-data.mjs)`);
  return new Uint8Array(await res.arrayBuffer());
}

/** the image and label files to show: the test pair, or the one pool */
function filesOf(entry: ManifestEntry): { images: string; labels: string; bytes: number; part: string } {
  const pair = entry.split.kind === 'official' ? (['test-images', 'test-labels'] as const) : (['images', 'labels'] as const);
  const images = entry.files[pair[0]];
  const labels = entry.files[pair[1]];
  if (!images || !labels) throw new Error(`data/manifest.json lists no Fashion-MNIST ${pair[0]} and ${pair[1]} files`);
  return { images: images.path, labels: labels.path, bytes: images.bytes + labels.bytes, part: entry.split.kind === 'official' ? 'test' : 'all' };
}

interface ImagesState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  data: ClassificationDataset | null;
  error: string | null;
  /** fetches and decodes the images (once; again after a failure) */
  load: () => void;
}

export const useFashionImages = create<ImagesState>((set, get) => ({
  status: 'idle',
  data: null,
  error: null,
  load: () => {
    if (get().status === 'loading' || get().status === 'ready') return;
    set({ status: 'loading', error: null });
    void (async () => {
      const manifest = checkManifest(await fetchJson('manifest.json'));
      const entry = manifest.datasets['fashion-mnist'];
      if (!entry) throw new Error('data/manifest.json has no Fashion-MNIST entry');
      const f = filesOf(entry);
      const [img, lab] = await Promise.all([bytesOf(f.images), bytesOf(f.labels)]);
      return decodeIdxPair(img, lab, { name: 'Fashion-MNIST', part: f.part, split: f.part, source: entry.source, classNames: FASHION_MNIST_CLASSES });
    })().then(
      (data) => set({ status: 'ready', data }),
      (e: unknown) => set({ status: 'failed', error: e instanceof Error ? e.message : String(e) }),
    );
  },
}));

/** the first `perClass` images of each class, in class order: their indices */
export function firstOfEachClass(ds: ClassificationDataset, perClass: number): number[][] {
  const picked: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.labels.length && picked.some((p) => p.length < perClass); i++) {
    const p = picked[ds.labels[i]!]!;
    if (p.length < perClass) p.push(i);
  }
  return picked;
}
