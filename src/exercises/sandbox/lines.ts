// From the student's text to the code that runs, and from a stack frame back to the
// student's line and column.
//
// The text is stripped of TypeScript by sucrase, which keeps every line where it was
// (columns move where types are removed; its source map gives them back). The result runs
// as the body of `new Function(...)`, named student.js by a sourceURL comment, so every
// engine's stack names that file; the lines the Function constructor puts before the body
// are counted once by compiling a probe.

import { transform } from 'sucrase';
import type { StudentError } from './errors';

export const STUDENT_FILE = 'student.js';
/**
 * put on the student's first line (so line numbers stay the student's); the inner function
 * lets the student's declarations reuse a shadowed name (`const close = …`)
 */
export const PRELUDE = '"use strict";return (function () {';
/** closes PRELUDE; `grab` is the object of the names handed back */
export const epilogue = (grab: string) => `\n;return { ${grab} };\n})();\n//# sourceURL=${STUDENT_FILE}`;

export interface Compiled {
  /** the body for the Function constructor, without the epilogue */
  code: string;
  /** per generated line (0-based): [generated column, source line, source column] segments, 0-based */
  map: number[][][];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** a source map's `mappings` (one source) as segments per generated line */
function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of mappings.split(';')) {
    const segs: number[][] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0];
      if (vals.length >= 4) {
        srcLine += vals[2];
        srcCol += vals[3];
        segs.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** `export` before a declaration is allowed and ignored (blanked, so columns stay) */
const EXPORT = /^([ \t]*)(export[ \t]+(?:default[ \t]+)?)(?=(?:async[ \t]+)?function\b|class\b|const\b|let\b|var\b)/gm;
const IMPORT = /^[ \t]*import\b(?!\s*\()/m;

const cache = new Map<string, Compiled | { error: StudentError }>();

/** the student's text → the code that runs, or a syntax error at the student's line */
export function compile(source: string): Compiled | { error: StudentError } {
  const hit = cache.get(source);
  if (hit) return hit;
  const res = compileUncached(source);
  if (cache.size > 32) cache.delete(cache.keys().next().value!);
  cache.set(source, res);
  return res;
}

function compileUncached(source: string): Compiled | { error: StudentError } {
  const imp = IMPORT.exec(source);
  if (imp) {
    const line = source.slice(0, imp.index).split('\n').length;
    return { error: { kind: 'syntax', message: 'import is not needed here: np is already in scope (and nothing else can be imported)', line, column: 1 } };
  }
  const text = source.replace(EXPORT, (_m, indent: string, kw: string) => indent + ' '.repeat(kw.length));
  try {
    const out = transform(text, {
      transforms: ['typescript'],
      disableESTransforms: true,
      filePath: 'student.ts',
      sourceMapOptions: { compiledFilename: STUDENT_FILE },
    });
    return { code: out.code, map: decodeMappings(out.sourceMap?.mappings ?? '') };
  } catch (e) {
    // sucrase's loc: line and column both 1-based
    const err = e as Error & { loc?: { line: number; column: number } };
    const message = `SyntaxError: ${err.message.replace(/^Error transforming [^:]*: /, '').replace(/\s*\(\d+:\d+\)$/, '')}`;
    return err.loc ? { error: { kind: 'syntax', message, line: err.loc.line, column: err.loc.column } } : { error: { kind: 'syntax', message } };
  }
}

/** a generated (line, column), 1-based, in the compiled code → the student's, 1-based */
function toSource(c: Compiled, line: number, column: number): { line: number; column: number } {
  const segs = c.map[line - 1];
  if (!segs || segs.length === 0) return { line, column };
  let best = segs[0];
  for (const s of segs) if (s[0] <= column - 1) best = s;
  return { line: best[1] + 1, column: Math.max(1, best[2] + (column - 1 - best[0]) + 1) };
}

let headerLines: number | null = null;

/** lines the Function constructor puts before the body (2 in V8 and SpiderMonkey) */
export function functionHeaderLines(): number {
  if (headerLines !== null) return headerLines;
  headerLines = 2;
  try {
    new Function(`${PRELUDE}throw new Error('probe')\n})();\n//# sourceURL=student-probe.js`)();
  } catch (e) {
    const m = /student-probe\.js:(\d+)/.exec(String((e as Error).stack));
    if (m) headerLines = Number(m[1]) - 1;
  }
  return headerLines;
}

const FRAME = new RegExp(`${STUDENT_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`);

/** the innermost frame of the error's stack in the student's code, as the student's line/column */
export function locate(err: Error, source: string): { line: number; column: number } | null {
  const m = FRAME.exec(String(err.stack ?? ''));
  if (!m) return null;
  let line = Number(m[1]) - functionHeaderLines();
  let column = Number(m[2]);
  if (line < 1) return null;
  if (line === 1) column = Math.max(1, column - PRELUDE.length);
  const c = compile(source);
  if ('code' in c) ({ line, column } = toSource(c, line, column));
  return { line, column };
}
