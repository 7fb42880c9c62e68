// The teacher's command's worker (worker_threads): grades one exercise at a time, so that
// the command's watchdog can end a student's endless loop and go on with the next one.

import { grade, type GradeRequest } from '../src/exercises/grader';
import { serveSandbox } from '../src/exercises/sandbox';
import { parentPortScope } from '../src/exercises/sandbox/node';

serveSandbox(
  {
    ready: () => true,
    grade: (req: GradeRequest) => grade(req.id, req.source, { seed: req.seed, cases: req.cases }),
  },
  parentPortScope(),
);
