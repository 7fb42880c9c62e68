// Chapter id → the component that renders it, each chapter in its own script loaded when
// it is first opened (the first chapter does not wait for the others). The table of
// contents (ids, numbers, titles) is in ../../store/toc.ts.

import { lazy, type ComponentType } from 'react';
import type { ChapterInfo } from '../../store/toc';

type ChapterView = ComponentType<{ info: ChapterInfo }>;

/** A chapter module's named export as a lazily loaded component. */
function chapter<K extends string>(load: () => Promise<Record<K, ChapterView>>, name: K): ChapterView {
  return lazy(async () => ({ default: (await load())[name] as ChapterView }));
}

export const CHAPTER_VIEWS: Readonly<Record<string, ChapterView>> = {
  start: chapter(() => import('./start'), 'StartChapter'),
  hand: chapter(() => import('./hand'), 'HandChapter'),
  layers: chapter(() => import('./layers'), 'LayersChapter'),
  iris: chapter(() => import('./iris'), 'IrisChapter'),
  conv: chapter(() => import('./conv'), 'ConvChapter'),
  lenet: chapter(() => import('./lenet'), 'LenetChapter'),
  fashion: chapter(() => import('./fashion'), 'FashionChapter'),
  playground: chapter(() => import('./playground'), 'PlaygroundChapter'),
  perf: chapter(() => import('./perf'), 'PerfChapter'),
  yourturn: chapter(() => import('./yourturn'), 'YourTurnChapter'),
};
