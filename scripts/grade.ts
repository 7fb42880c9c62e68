// Grades exported solutions files in Node, with the grader the page runs, and prints the
// same verdicts.
//
//   npm run grade -- solutions.json [more.json …] [--seed S] [--cases N]
//
//   --seed    seeds the random cases (default 1: every student gets the same cases)
//   --cases   random cases per exercise (default: the page's)
//
// Exit status: 0 when every exercise of every file passes, 1 when one fails or is missing,
// 2 when a file cannot be read. The student's code runs in this process: an endless loop in
// it stops the command (Ctrl-C), it does not go unnoticed.

import { readFile } from 'node:fs/promises';
import { DEFAULT_CASES, grade, verdictText } from '../src/exercises/grader';
import { parseSolutionsFile } from '../src/exercises/solutions-file';
import { EXERCISE_IDS } from '../src/exercises/tasks';

const USAGE = 'usage: npm run grade -- solutions.json [more.json …] [--seed S] [--cases N]';

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
    if (key !== 'seed' && key !== 'cases') fail(`unknown option ${a}`);
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < (key === 'cases' ? 1 : 0)) fail(`${a} needs ${key === 'cases' ? 'a positive' : 'a non-negative'} integer`);
    opts[key] = v;
  } else files.push(a);
}
if (!files.length) fail('which solutions file?');

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
    const v = await grade(id, saved.source, { seed: opts.seed ?? 1, cases: opts.cases ?? DEFAULT_CASES });
    for (const line of verdictText(v)) console.log(line);
    if (v.pass) passed++;
  }
  console.log(`${passed} of ${EXERCISE_IDS.length} exercises pass\n`);
  failures += EXERCISE_IDS.length - passed;
}
process.exit(failures ? 1 : 0);
