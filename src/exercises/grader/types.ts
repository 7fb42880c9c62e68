// What the grader answers: one verdict per exercise, the same object in the page, in the
// saved solutions file and in the teacher's command line.

import type { StudentError } from '../sandbox';

export type { StudentError };

/** A failure that matches a mistake students are known to make. */
export interface Diagnosis {
  id: string;
  message: string;
}

export interface Mismatch {
  /** the element's multi-index in the result, e.g. [0, 2, 1, 3] */
  index: number[];
  expected: number;
  actual: number;
}

export interface CaseFailure {
  /** the case, in words: "case 7 of 25: m = 3, 5×6×2 input, kernel 3×2, stride 2, padding 'same'" */
  case: string;
  /** the shapes that went in and the one expected out */
  shapes: Record<string, number[]>;
  /** which result failed, e.g. 'Y', 'dL/dW', 'b (after init)' */
  what: string;
  /** the failure in one sentence */
  message: string;
  /** the first mismatching elements (empty when the failure is a shape or a missing value) */
  mismatches: Mismatch[];
  diagnosis?: Diagnosis;
}

/** Central differences of the student's own forward against the student's backward. */
export interface GradCheck {
  case: string;
  checks: { what: string; entries: number; maxError: number; pass: boolean }[];
  pass: boolean;
}

export interface Verdict {
  id: string;
  pass: boolean;
  /** cases passed, of total (the loop-over-examples check counts as one case where it applies) */
  passed: number;
  total: number;
  error?: StudentError;
  failure?: CaseFailure;
  gradCheck?: GradCheck;
  /** the warm-ups' two ways compared: ‖a − b‖ over the last case */
  difference?: { between: [string, string]; norm: number };
  /** ISO time */
  gradedAt: string;
}

export interface GradeOptions {
  /** seeds the cases (default 1) */
  seed?: number;
  /** random cases to run (default DEFAULT_CASES) */
  cases?: number;
}

/** the worker's 'grade' request */
export interface GradeRequest {
  id: string;
  source: string;
  seed?: number;
  cases?: number;
}
