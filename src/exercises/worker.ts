// The exercises' Web Worker: the student's code runs here, never on the page's thread.
//
//   'grade' { id, source, seed?, cases? }             → Verdict
//   'train' { dataset, sources, seed?, epochs? }      → progress { step, epoch, loss, accuracy }
//                                                       per epoch, then { testAccuracy, history, … }
//   'trace' { dataset, sources, seed?, batch? }       → every layer's tensors, the student's and
//                                                       the reference's, with their largest difference
//   'step'  { sources, layers, parameters, x, y }     → the student's tensors of one step-through
//                                                       step (that step's batch and parameters)
//                                                       and the float64 reference's
//
//   page: new SandboxClient(() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }))

import { grade, type GradeRequest } from './grader';
import { serveSandbox } from './sandbox';
import { stepStudent, traceStudent, type StepRequest, type TraceRequest } from './trace-student';
import { trainStudent, type TrainRequest } from './train-student';

serveSandbox({
  grade: (req: GradeRequest) => grade(req.id, req.source, { seed: req.seed, cases: req.cases }),
  train: (req: TrainRequest, ctx) => trainStudent(req, (p) => ctx.progress(p)),
  trace: (req: TraceRequest) => traceStudent(req),
  step: async (req: StepRequest) => stepStudent(req),
});
