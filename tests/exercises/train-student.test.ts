// Training on the student's own layers (here the reference solutions, written as a student
// would) and the step-through's tensors against the reference.

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetcherFromReadFile, setDataFetcher } from '../../src/nn/data/load';
import type { StudentSources } from '../../src/exercises/student-network';
import { traceStudent } from '../../src/exercises/trace-student';
import { trainStudent, type TrainProgress } from '../../src/exercises/train-student';
import { StudentFailure } from '../../src/exercises/sandbox';
import { EXERCISE_IDS } from '../../src/exercises/tasks';
import { mistake, solution } from './known';

const all: StudentSources = Object.fromEntries(EXERCISE_IDS.map((id) => [id, solution(id)]));

beforeAll(() => setDataFetcher(fetcherFromReadFile((p) => readFile(`public/data/${p}`))));

describe('training with the student’s layers', () => {
  it('the Iris net reaches ≥ 0.93 test accuracy, every part the student’s', async () => {
    const seen: TrainProgress[] = [];
    const r = await trainStudent({ dataset: 'iris', sources: all, seed: 1 }, (p) => seen.push(p));
    expect(r.parts).toEqual({ relu: 'yours', softmax: 'yours', 'fully-connected': 'yours', 'cross-entropy': 'yours', model: 'yours' });
    expect(seen.length).toBe(100);
    expect(seen.map((p) => p.epoch)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(seen.at(-1)!.loss).toBeLessThan(seen[0]!.loss / 4);
    expect(r.testExamples).toBe(30);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.93);
  });

  it('parts without a source run the reference, and give the same run', async () => {
    const mine = await trainStudent({ dataset: 'iris', sources: { 'fully-connected': all['fully-connected'] }, seed: 2, epochs: 5 });
    expect(mine.parts['fully-connected']).toBe('yours');
    expect(mine.parts.relu).toBe('reference');
    const theirs = await trainStudent({ dataset: 'iris', sources: all, seed: 2, epochs: 5 });
    expect(mine.history.at(-1)!.loss).toBeCloseTo(theirs.history.at(-1)!.loss, 10);
  });

  it('a model whose layers are not chained fails with the student’s error, not a silent run', async () => {
    await expect(trainStudent({ dataset: 'iris', sources: { ...all, model: mistake('layers-not-chained') }, seed: 1, epochs: 1 })).rejects.toBeInstanceOf(StudentFailure);
  });

  it('the small CNN reaches ≥ 90 % on its MNIST subset', { timeout: 600_000 }, async () => {
    const seen: TrainProgress[] = [];
    const r = await trainStudent({ dataset: 'mnist-subset', sources: all, seed: 1 }, (p) => seen.push(p));
    expect(r.parts.conv2d).toBe('yours');
    expect(r.parts.pool2d).toBe('yours');
    expect(r.trainExamples).toBe(3000);
    expect(r.testExamples).toBe(500);
    const ends = seen.filter((p) => p.endOfEpoch);
    expect(ends.map((p) => p.epoch)).toEqual([1, 2]);
    expect(ends[1]!.loss).toBeLessThan(ends[0]!.loss);
    // reports within each epoch too (every 20 steps of 188)
    expect(seen.length).toBe(2 + 2 * 9);
    expect(r.history).toEqual(ends);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});

describe('the step-through’s trace', () => {
  it('shows the student’s tensors, equal to the reference for correct layers', async () => {
    const t = await traceStudent({ dataset: 'iris', sources: all, batch: 3 });
    expect(t.layers.map((l) => l.name)).toEqual(['fully connected 16, relu', 'fully connected 3, softmax']);
    const fc = t.layers[0]!.tensors;
    expect(Object.keys(fc).sort()).toEqual(['W', 'X', 'Y', 'b', 'dL/dW', 'dL/dX', 'dL/dY', 'dL/db'].sort());
    expect(fc.X!.shape).toEqual([3, 4]);
    expect(fc['dL/dW']!.shape).toEqual([4, 16]);
    for (const l of t.layers) for (const v of Object.values(l.tensors)) expect(v.maxAbsDiff).toBeLessThan(1e-12);
    expect(t.loss.yours).toBeCloseTo(t.loss.reference, 12);
  });

  it('traces the CNN layer by layer, with the student’s conv and pool', async () => {
    const t = await traceStudent({ dataset: 'mnist-subset', sources: all, batch: 2 });
    expect(t.parts.conv2d).toBe('yours');
    expect(t.layers.map((l) => l.tensors.Y!.shape)).toEqual([[2, 14, 14, 8], [2, 7, 7, 8], [2, 392], [2, 10]]);
    expect(t.layers[0]!.tensors['dL/dW']!.shape).toEqual([3, 3, 1, 8]);
    for (const l of t.layers) for (const v of Object.values(l.tensors)) expect(v.maxAbsDiff).toBeLessThan(1e-10);
  });

  it('points at the tensor where a mistake makes the student’s numbers differ', async () => {
    const t = await traceStudent({ dataset: 'iris', sources: { ...all, 'fully-connected': mistake('loss-grad-skips-softmax') }, batch: 3 });
    const out = t.layers[1]!.tensors;
    expect(out.Y!.maxAbsDiff).toBeLessThan(1e-12);
    expect(out['dL/dW']!.maxAbsDiff).toBeGreaterThan(1e-3);
  });
});
