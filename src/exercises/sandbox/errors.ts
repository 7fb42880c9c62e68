// What went wrong in a student's code, in the student's terms: the kind, the message, and
// the line and column in their own text (1-based) where one is known.

import { locate } from './lines';

export type StudentErrorKind = 'syntax' | 'runtime' | 'timeout' | 'memory' | 'missing';

export interface StudentError {
  kind: StudentErrorKind;
  message: string;
  line?: number;
  column?: number;
}

const KINDS = new Set<string>(['syntax', 'runtime', 'timeout', 'memory', 'missing']);

/** a StudentError as something to throw and reject with (an Error, with the same fields) */
export class StudentFailure extends Error implements StudentError {
  readonly kind: StudentErrorKind;
  readonly line?: number;
  readonly column?: number;
  constructor(e: StudentError) {
    super(e.message);
    this.name = 'StudentFailure';
    this.kind = e.kind;
    if (e.line !== undefined) this.line = e.line;
    if (e.column !== undefined) this.column = e.column;
  }
  /** the plain object (for postMessage, JSON, a verdict) */
  toJSON(): StudentError {
    return plain(this);
  }
}

export function isStudentError(x: unknown): x is StudentError {
  return typeof x === 'object' && x !== null && KINDS.has((x as StudentError).kind) && typeof (x as StudentError).message === 'string';
}

export function plain(e: StudentError): StudentError {
  const out: StudentError = { kind: e.kind, message: e.message };
  if (e.line !== undefined) out.line = e.line;
  if (e.column !== undefined) out.column = e.column;
  return out;
}

const MEMORY = /invalid array length|invalid typed array length|array buffer allocation failed|allocation failed|out of memory|array buffer.*too large/i;

/**
 * A thrown value → a StudentError: ArrayTooLarge and allocation failures are 'memory',
 * everything else 'runtime'; the line is that of the innermost frame in the student's code.
 */
export function mapStudentError(err: unknown, source: string): StudentError {
  if (isStudentError(err)) return plain(err);
  const e = err instanceof Error ? err : null;
  const name = e?.name ?? '';
  const msg = e ? e.message : String(err);
  const where = e ? locate(e, source) : null;
  let out: StudentError;
  if (name === 'ArrayTooLarge') out = { kind: 'memory', message: msg };
  else if (e instanceof RangeError && MEMORY.test(msg)) {
    out = { kind: 'memory', message: `your code asked for more memory than the page can give (${name}: ${msg})` };
  } else if (/maximum call stack size exceeded|too much recursion/i.test(msg)) {
    out = { kind: 'runtime', message: `${name || 'RangeError'}: ${msg} — a function that calls itself without end?` };
  } else out = { kind: 'runtime', message: e ? `${name}: ${msg}` : `your code threw ${msg}` };
  if (where) Object.assign(out, where);
  return out;
}
