// The Fashion-MNIST images that the picture grid and the initializer cell show: the
// official test files (10 000 × 28 × 28, about 4.4 MB gzipped) or, in a copy with one
// pool of 70 000 images, that pool (loadImagesToShow). Nothing is fetched until the
// student asks (the chapter downloads nothing before then); both cells share one load.

import { create } from 'zustand';
import type { ClassificationDataset } from '../../../nn/data/dataset';
import { loadImagesToShow } from '../../../nn/data/load';

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
    loadImagesToShow('fashion-mnist').then(
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
