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
    it(`${name} (${exercise}) → ${diagnosis}`, async () => {
      const v = await grade(exercise, mistake(name), { seed: 1, cases: 25 });
      expect(v.pass).toBe(false);
      expect(v.error).toBeUndefined();
      expect(v.failure?.diagnosis?.id, verdictText(v).join('\n')).toBe(diagnosis);
      expect(verdictText(v).join('\n')).toContain(`known mistake (${diagnosis})`);
    });
  }
});
