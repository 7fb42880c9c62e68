// The reference solutions and the known mistakes, by file (read from disk: src never
// imports them).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function solution(id: string): string {
  return readFileSync(join(here, 'solutions', `${id}.js`), 'utf8');
}

/** mistakes/<file>.js: the exercise it answers and the diagnosis the grader must give */
export const MISTAKES: Record<string, { exercise: string; diagnosis: string }> = {
  'bias-shape': { exercise: 'fully-connected', diagnosis: 'bias-shape' },
  'loss-grad-skips-softmax': { exercise: 'fully-connected', diagnosis: 'loss-grad-skips-softmax' },
  'grad-left-padded': { exercise: 'conv2d', diagnosis: 'grad-left-padded' },
  'conv-padded-cached-as-z': { exercise: 'conv2d', diagnosis: 'conv-cache-wrong' },
  'conv-activation-in-loop': { exercise: 'conv2d', diagnosis: 'conv-cache-wrong' },
  'max-grad-all-ties': { exercise: 'pool2d', diagnosis: 'max-grad-all-ties' },
  'max-grad-wrong-window': { exercise: 'pool2d', diagnosis: 'max-grad-wrong-window' },
  'softmax-overflow': { exercise: 'softmax', diagnosis: 'softmax-overflow' },
  'layers-not-chained': { exercise: 'model', diagnosis: 'layers-not-chained' },
  'loop-over-examples': { exercise: 'cross-entropy', diagnosis: 'loop-over-examples' },
  'ce-not-averaged': { exercise: 'cross-entropy', diagnosis: 'ce-not-averaged' },
};

export function mistake(name: string): string {
  return readFileSync(join(here, 'mistakes', `${name}.js`), 'utf8');
}
