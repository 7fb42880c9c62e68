// Chapter id → the component that renders it. The table of contents (ids, numbers,
// titles) is in ../toc.ts.

import type { ComponentType } from 'react';
import type { ChapterInfo } from '../../store/toc';
import { ConvChapter } from './conv';
import { FashionChapter } from './fashion';
import { HandChapter } from './hand';
import { IrisChapter } from './iris';
import { LayersChapter } from './layers';
import { LenetChapter } from './lenet';
import { PerfChapter } from './perf';
import { StartChapter } from './start';
import { YourTurnChapter } from './yourturn';

export const CHAPTER_VIEWS: Readonly<Record<string, ComponentType<{ info: ChapterInfo }>>> = {
  start: StartChapter,
  hand: HandChapter,
  layers: LayersChapter,
  iris: IrisChapter,
  conv: ConvChapter,
  lenet: LenetChapter,
  fashion: FashionChapter,
  perf: PerfChapter,
  yourturn: YourTurnChapter,
};
