// The teacher's command: `npm run grade -- file.json` on exported solutions files, run as
// a child process exactly as a teacher would.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSolutionsFile, serializeSolutions, SolutionsFileError, type SavedExercise } from '../../src/exercises/solutions-file';
import { EXERCISE_IDS, type ExerciseId } from '../../src/exercises/tasks';
import { MISTAKES, mistake, solution } from './known';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'grade-cli-'));
const at = '2026-01-01T00:00:00.000Z';

function file(name: string, sources: Partial<Record<ExerciseId, string>>): string {
  const ex: Partial<Record<ExerciseId, SavedExercise>> = {};
  for (const [id, source] of Object.entries(sources)) ex[id as ExerciseId] = { source: source!, updatedAt: at };
  const path = join(dir, name);
  writeFileSync(path, serializeSolutions(ex, new Date(at)));
  return path;
}

async function grade(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('npm', ['run', '--silent', 'grade', '--', ...args], { cwd: process.cwd(), maxBuffer: 1 << 24 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('npm run grade', () => {
  it('passes a file of correct solutions', async () => {
    const path = file('correct.json', Object.fromEntries(EXERCISE_IDS.map((id) => [id, solution(id)])));
    const { code, out } = await grade(path);
    expect(out).toContain(`${EXERCISE_IDS.length} of ${EXERCISE_IDS.length} exercises pass`);
    for (const id of EXERCISE_IDS) expect(out).toMatch(new RegExp(`✓ ${id}: pass`));
    expect(code).toBe(0);
  });

  it('fails each known mistake with its diagnosis', async () => {
    // one file per mistake of the same exercise: a file holds one source per exercise
    const files: Partial<Record<ExerciseId, string>>[] = [];
    for (const [name, { exercise }] of Object.entries(MISTAKES)) {
      let f = files.find((x) => !(exercise in x));
      if (!f) files.push((f = {}));
      f[exercise as ExerciseId] = mistake(name);
    }
    const paths = files.map((f, i) => file(`mistakes-${i}.json`, f));
    const { code, out } = await grade(...paths);
    expect(code).toBe(1);
    for (const { exercise, diagnosis } of Object.values(MISTAKES)) {
      expect(out).toMatch(new RegExp(`✗ ${exercise}: fail[^✓✗]*known mistake \\(${diagnosis}\\)`));
    }
  });

  it('stops an endless loop with the watchdog and grades the next exercise', async () => {
    const path = file('loop.json', { relu: 'class ReLU {\n  forward(Z) {\n    while (true) {}\n  }\n  backward(Z, dY) {\n    return dY;\n  }\n}\n', tanh: solution('tanh') });
    const { code, out } = await grade(path, '--timeout', '5');
    expect(out).toContain('✗ relu: error: your code did not finish in 5 s — an endless loop?');
    expect(out).toMatch(/✓ tanh: pass/);
    expect(code).toBe(1);
  });

  it('refuses a file that is not a solutions file, naming the problem', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ format: 'something-else' }));
    const { code, out } = await grade(path);
    expect(code).toBe(2);
    expect(out).toContain('"format" should be "backprop-notebook-solutions"');
  });
});

describe('the solutions file', () => {
  it('round-trips through serialize and parse', () => {
    const text = serializeSolutions({ relu: { source: 'class ReLU {}', updatedAt: at } }, new Date(at));
    const f = parseSolutionsFile(text);
    expect(f.exercises.relu?.source).toBe('class ReLU {}');
    expect(f.exportedAt).toBe(at);
  });

  it.each([
    ['not json', 'not JSON'],
    [JSON.stringify({ format: 'backprop-notebook-solutions', version: 2, exportedAt: at, exercises: {} }), 'version 2'],
    [JSON.stringify({ format: 'backprop-notebook-solutions', version: 1, exportedAt: at, exercises: { nope: {} } }), 'exercises["nope"]: unknown exercise'],
    [JSON.stringify({ format: 'backprop-notebook-solutions', version: 1, exportedAt: at, exercises: { relu: { source: 3, updatedAt: at } } }), 'exercises["relu"].source: expected the code as text, got number 3'],
    [
      JSON.stringify({ format: 'backprop-notebook-solutions', version: 1, exportedAt: at, exercises: { relu: { source: '', updatedAt: at, verdict: { id: 'relu', pass: 'yes' } } } }),
      'exercises["relu"].verdict.pass: expected true or false',
    ],
  ])('rejects %s', (text, message) => {
    expect(() => parseSolutionsFile(text)).toThrow(SolutionsFileError);
    expect(() => parseSolutionsFile(text)).toThrow(message);
  });
});
