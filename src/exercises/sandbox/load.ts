// Runs a student's text as a module body and hands back the functions and classes it
// defines: `function relu_forward(Z) {…}` → exports.relu_forward.
//
// In scope: `np`, `Math`, `console`. The worker's messaging and network names (postMessage,
// self, fetch, importScripts, …) are shadowed by parameters that are undefined, so that a
// student's code cannot reach them by name by accident. This is a guard against accidents,
// not a security boundary: code that wants the global object can still find it (through a
// function's constructor, for one). The code runs in a Web Worker that the page can end.

import { np } from '../np';
import { StudentError, mapStudentError } from './errors';
import { PRELUDE, compile, epilogue } from './lines';

/** names shadowed in the student's scope (each is undefined there) */
const SHADOWED = [
  'self',
  'globalThis',
  'window',
  'document',
  'postMessage',
  'onmessage',
  'close',
  'fetch',
  'importScripts',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'indexedDB',
  'caches',
  'navigator',
  'setTimeout',
  'setInterval',
  'queueMicrotask',
  'require',
  'process',
  'module',
  'exports',
];

/** a function or class of the student's (called or constructed) */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StudentExport = ((...args: any[]) => any) & (new (...args: any[]) => any);

export interface LoadOptions {
  /** where the student's console.log goes (default: the real console) */
  console?: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug' | 'table'>;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The student's module: its top-level functions/classes named in `names`, or the first
 * problem — a syntax error, an error while the top level runs, or a name it does not define.
 */
export function loadStudentModule(
  source: string,
  names: string[],
  opts: LoadOptions = {},
): { exports: Record<string, StudentExport>; error?: undefined } | { error: StudentError; exports?: undefined } {
  for (const n of names) if (!IDENT.test(n)) throw new Error(`loadStudentModule: '${n}' is not a JavaScript name`);
  const c = compile(source);
  if ('error' in c) return { error: c.error };
  const grab = names.map((n) => `${JSON.stringify(n)}: typeof ${n} === 'undefined' ? undefined : ${n}`).join(', ');
  const body = PRELUDE + c.code + epilogue(grab);
  // a deep stack (np's calls under the student's) must still reach the student's frame
  const E = Error as { stackTraceLimit?: number };
  if (typeof E.stackTraceLimit === 'number' && E.stackTraceLimit < 50) E.stackTraceLimit = 50;
  let fn: (...args: unknown[]) => Record<string, unknown>;
  try {
    fn = new Function('np', 'Math', 'console', ...SHADOWED, body) as typeof fn;
  } catch (e) {
    // sucrase accepted it, the engine did not (an early error such as a repeated `let`)
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { error: { kind: 'syntax', message, ...guessLine(source, message) } };
  }
  let got: Record<string, unknown>;
  try {
    got = fn(np, Math, opts.console ?? console, ...SHADOWED.map(() => undefined));
  } catch (e) {
    return { error: mapStudentError(e, source) };
  }
  if (!got || typeof got !== 'object') {
    return { error: { kind: 'syntax', message: 'a `return` outside any function ended your code before its definitions were read' } };
  }
  const exports: Record<string, StudentExport> = {};
  for (const n of names) {
    const v = got[n];
    if (v === undefined) {
      return { error: { kind: 'missing', message: `${n} is not defined: write \`function ${n}(…) { … }\` (or \`class ${n}\`) at the top level of your code` } };
    }
    if (typeof v !== 'function') {
      return { error: { kind: 'missing', message: `${n} is defined but is not a function or class (it is ${v === null ? 'null' : typeof v})` } };
    }
    exports[n] = v as StudentExport;
  }
  return { exports };
}

/**
 * The engine's early errors carry no line; the word they name finds it: the second
 * declaration of a name "already declared", else the first line that uses the word.
 */
function guessLine(source: string, message: string): { line?: number } {
  const word = /'([\w$]+)'/.exec(message)?.[1] ?? /\b(await|yield|eval|arguments)\b/.exec(message)?.[1];
  if (!word) return {};
  const lines = source.split('\n');
  const decl = new RegExp(`\\b(?:let|const|var|class|function)\\s+${word.replace(/\$/g, '\\$')}\\b`);
  const use = new RegExp(`(?<![\\w$])${word.replace(/\$/g, '\\$')}(?![\\w$])`);
  const decls = lines.flatMap((l, i) => (decl.test(l) ? [i + 1] : []));
  if (/already been declared/.test(message) && decls.length > 1) return { line: decls[1] };
  const i = lines.findIndex((l) => use.test(l));
  return i >= 0 ? { line: i + 1 } : {};
}
