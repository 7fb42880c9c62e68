// The grader against the reference solutions (every case passes) and the known mistakes
// (each fails with its diagnosis).

import { describe, expect, it } from 'vitest';
import { grade, verdictText } from '../../src/exercises/grader';
import { EXERCISE_IDS, EXERCISES } from '../../src/exercises/tasks';
import { MISTAKES, mistake, solution } from './known';

describe('the reference solutions pass every random configuration', () => {
  for (const id of EXERCISE_IDS) {
    it(`${id}: 200 cases`, async () => {
      const v = await grade(id, solution(id), { seed: 7, cases: 200 });
      expect(verdictText(v).join('\n')).toMatch(/^✓/);
      expect(v.pass).toBe(true);
      expect(v.error).toBeUndefined();
      expect(v.passed).toBe(v.total);
      expect(v.total).toBe(200 + (EXERCISES.find((e) => e.id === id)!.forbidsExampleLoop ? 1 : 0));
      if (v.gradCheck) expect(v.gradCheck.pass).toBe(true);
    });
  }
});

describe('each known mistake fails with its diagnosis', () => {
  for (const [name, { exercise, diagnosis }] of Object.entries(MISTAKES)) {
    it(`${name} (${exercise}) → ${diagnosis}, whatever the seed`, async () => {
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const v = await grade(exercise, mistake(name), { seed, cases: 25 });
        expect(v.pass).toBe(false);
        expect(v.error).toBeUndefined();
        expect(v.failure?.diagnosis?.id, `seed ${seed}\n${verdictText(v).join('\n')}`).toBe(diagnosis);
        expect(verdictText(v).join('\n')).toContain(`known mistake (${diagnosis})`);
      }
    });
  }
});

describe('the student’s own errors', () => {
  it('a run-time error comes back at the student’s line, with the case it happened in', async () => {
    const source = 'class ReLU {\n  forward(Z) {\n    return np.maximum(Z, 0);\n  }\n  backward(Z, dY) {\n    return dY.multiply(Z.gt(0));\n  }\n}\n';
    const v = await grade('relu', source, { seed: 1, cases: 5 });
    expect(v.pass).toBe(false);
    expect(v.error?.kind).toBe('runtime');
    expect(v.error?.line).toBe(6);
    expect(v.failure?.case).toMatch(/^case 1 of 5: Z of shape/);
    expect(verdictText(v)[0]).toMatch(/^✗ relu: error in case 1 of 5.*: line 6/);
  });

  it('a syntax error comes back at its line, before any case runs', async () => {
    const v = await grade('tanh', 'class TanH {\n  forward(Z) {\n    return np.tanh(Z;\n  }\n}\n', { seed: 1, cases: 5 });
    expect(v.error?.kind).toBe('syntax');
    expect(v.error?.line).toBe(3);
    expect(v.passed).toBe(0);
  });

  it('a missing class is named', async () => {
    const v = await grade('sigmoid', 'class Sigmoud {}\n', { seed: 1, cases: 5 });
    expect(v.error?.kind).toBe('missing');
    expect(v.error?.message).toContain('Sigmoid');
  });

  it('an unknown exercise is refused with the list', async () => {
    await expect(grade('nope', '')).rejects.toThrow(/unknown exercise 'nope'; the exercises are warmup-trace/);
  });
});

describe('the exercises as the page shows them', () => {
  it('are the twelve of the course, in its order, each in a chapter of the notebook', () => {
    expect(EXERCISE_IDS).toEqual(['warmup-trace', 'warmup-matmul', 'warmup-batched-matmul', 'relu', 'sigmoid', 'tanh', 'fully-connected', 'softmax', 'cross-entropy', 'model', 'conv2d', 'pool2d']);
    for (const e of EXERCISES) {
      expect(['hand', 'layers', 'iris', 'conv']).toContain(e.chapter);
      expect(e.prompt).toMatch(/\$/);
      for (const n of e.names) expect(e.starter).toContain(n);
    }
    expect(EXERCISES.filter((e) => !e.forbidsExampleLoop).map((e) => e.id)).toEqual(['warmup-trace', 'warmup-matmul', 'softmax']);
  });

  for (const e of EXERCISES) {
    it(`${e.id}: the starter loads and fails its first case with a message, not a crash`, async () => {
      const v = await grade(e.id, e.starter, { seed: 1, cases: 3 });
      expect(v.pass).toBe(false);
      expect(v.error?.kind === 'syntax' || v.error?.kind === 'missing').toBe(false);
      expect(verdictText(v)[0]).toMatch(new RegExp(`^✗ ${e.id}: (fail|error)`));
    });
  }
});
