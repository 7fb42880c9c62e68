// Grades exported solutions files in Node, with the grader the page runs, and prints the
// same verdicts.
//
//   npm run grade -- solutions.json [more.json …] [--seed S] [--cases N] [--timeout SECONDS]
//
//   --seed      seeds the random cases (default 1: every student gets the same cases)
//   --cases     random cases per exercise (default: the page's)
//   --timeout   the longest one exercise's grading may take (default 60 s): an endless loop
//               in a student's code ends that exercise with an error, and grading goes on
//
// The student's code runs in a worker thread with a watchdog, as in the page. Exit status:
// 0 when every exercise of every file passes, 1 when one fails or is missing, 2 when a file
// cannot be read.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CASES, verdictText, type Verdict } from '../src/exercises/grader';
import { isStudentError, SandboxClient } from '../src/exercises/sandbox';
import { plain } from '../src/exercises/sandbox/errors';
import { NodeSandboxWorker } from '../src/exercises/sandbox/node';
import { parseSolutionsFile } from '../src/exercises/solutions-file';
import { EXERCISE_IDS, exerciseInfo } from '../src/exercises/tasks';

const USAGE = 'usage: npm run grade -- solutions.json [more.json …] [--seed S] [--cases N] [--timeout SECONDS]';

function fail(msg: string): never {
  console.error(`grade: ${msg}\n${USAGE}`);
  process.exit(2);
}

const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const files: string[] = [];
const opts: Record<string, number> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--help' || a === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  if (a.startsWith('--')) {
    const key = a.slice(2);
    if (key !== 'seed' && key !== 'cases' && key !== 'timeout') fail(`unknown option ${a}`);
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < (key === 'seed' ? 0 : 1)) fail(`${a} needs ${key === 'seed' ? 'a non-negative' : 'a positive'} integer`);
    opts[key] = v;
  } else files.push(a);
}
if (!files.length) fail('which solutions file?');

const entry = join(dirname(fileURLToPath(import.meta.url)), 'grade-worker.ts');
const sandbox = new SandboxClient(() => new NodeSandboxWorker(entry));
const timeoutMs = (opts.timeout ?? 60) * 1000;

async function gradeInWorker(id: string, source: string): Promise<Verdict> {
  // a fresh worker first loads the grader (seconds on a busy machine): not the student's time
  await sandbox.run('ready', null, { timeoutMs: 0 });
  try {
    return await sandbox.run<Verdict>('grade', { id, source, seed: opts.seed ?? 1, cases: opts.cases ?? DEFAULT_CASES }, { timeoutMs });
  } catch (e) {
    if (!isStudentError(e)) throw e;
    const total = (opts.cases ?? DEFAULT_CASES) + (exerciseInfo(id)?.forbidsExampleLoop ? 1 : 0);
    return { id, pass: false, passed: 0, total, error: plain(e), gradedAt: new Date().toISOString() };
  }
}

let failures = 0;
for (const file of files) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  let solutions;
  try {
    solutions = parseSolutionsFile(text, file);
  } catch (e) {
    fail((e as Error).message);
  }
  console.log(`${file} (exported ${solutions.exportedAt})`);
  let passed = 0;
  for (const id of EXERCISE_IDS) {
    const saved = solutions.exercises[id];
    if (!saved) {
      console.log(`– ${id}: not in the file`);
      continue;
    }
    const v = await gradeInWorker(id, saved.source);
    for (const line of verdictText(v)) console.log(line);
    if (v.pass) passed++;
  }
  console.log(`${passed} of ${EXERCISE_IDS.length} exercises pass\n`);
  failures += EXERCISE_IDS.length - passed;
}
sandbox.dispose();
process.exit(failures ? 1 : 0);
