// A verdict in words: the page shows these lines under "Check", the teacher's command line
// prints them.

import { shapeText } from './arrays';
import type { Verdict } from './types';

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(4);
}

/** one line: "passed 25 of 26 cases" and how it ended */
export function verdictSummary(v: Verdict): string {
  if (v.error && v.passed === 0 && !v.failure) return `error: ${errorText(v)}`;
  if (v.error) return `error in ${v.failure?.case ?? 'a case'}: ${errorText(v)}`;
  return `${v.pass ? 'pass' : 'fail'}: passed ${v.passed} of ${v.total} cases`;
}

function errorText(v: Verdict): string {
  const e = v.error!;
  const where = e.line !== undefined ? `line ${e.line}${e.column !== undefined ? `:${e.column}` : ''}: ` : '';
  return `${where}${e.message}`;
}

/** the verdict as the lines the page and the command line print */
export function verdictText(v: Verdict): string[] {
  const lines = [`${v.pass ? '✓' : '✗'} ${v.id}: ${verdictSummary(v)}`];
  const f = v.failure;
  if (f && !(v.error && f.what === 'your code')) {
    lines.push(`  ${f.case}`);
    const shapes = Object.entries(f.shapes);
    if (shapes.length) lines.push(`  shapes: ${shapes.map(([k, s]) => `${k} ${shapeText(s)}`).join(', ')}`);
    lines.push(`  ${f.message}`);
    for (const m of f.mismatches) lines.push(`    at [${m.index.join(', ')}]: expected ${num(m.expected)}, got ${num(m.actual)}`);
    if (f.diagnosis) lines.push(`  known mistake (${f.diagnosis.id}): ${f.diagnosis.message}`);
  } else if (f && v.error) {
    lines.push(`  ${f.case}`);
  }
  if (v.gradCheck) {
    const g = v.gradCheck;
    lines.push(
      `  gradient check ${g.pass ? 'passed' : 'failed'} (${g.case}): ${g.checks.map((k) => `${k.what} ${k.pass ? 'ok' : 'wrong'}, ${k.entries} entries, largest difference ${num(k.maxError)}`).join('; ')}`,
    );
  }
  if (v.difference) lines.push(`  ‖${v.difference.between[0]} − ${v.difference.between[1]}‖ = ${num(v.difference.norm)}`);
  return lines;
}
