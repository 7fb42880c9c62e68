// An exercise: the task (markdown with math), the editor holding the student's code (the
// starter until they write their own), "Check" — the grader runs the code on randomized
// cases in the sandbox worker, off the main thread — "Reset to starter" (asks first), and
// the verdict: a pass with its case count, or the failing case with its shapes, the first
// mismatching entries (index, expected, actual) and, where the failure matches a known
// mistake, the diagnosis; errors are marked at the student's line. The array module's
// reference folds out under the editor. Solutions are never in the page.

import { useCallback, useMemo, useState } from 'react';
import type { ExerciseInfo } from '../../exercises/tasks';
import type { StudentError, Verdict } from '../../exercises/grader/types';
import reference from '../../exercises/np/reference.md?raw';
import { isStale, useExercises } from '../../store/exercises';
import { Cell } from '../../ui/Cell';
import { CodeEditor, type CodeDiagnostic } from '../../ui/CodeEditor';
import { Progress } from '../../ui/controls';
import { ConfirmDialog } from './exercises/ConfirmDialog';
import { Markdown } from './exercises/Markdown';
import { gradeInWorker } from './exercises/runner';
import './ExerciseCell.css';

const ERROR_KIND: Record<StudentError['kind'], string> = {
  syntax: 'Syntax error',
  runtime: 'Error while running your code',
  timeout: 'Stopped',
  memory: 'Too much memory',
  missing: 'Missing definition',
};

/** "3.4 · 2.0e-5" — numbers in the mismatch table, wide enough to see the difference */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

const shape = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

export function VerdictPanel({ verdict, stale }: { verdict: Verdict; stale: boolean }) {
  const { error, failure } = verdict;
  return (
    <div className={`verdict ${verdict.pass ? 'pass' : 'fail'}`} data-testid="verdict">
      {stale ? <p className="verdict-stale">The code has changed since this check — check again.</p> : null}
      {verdict.pass ? (
        <p className="verdict-head">
          <span aria-hidden="true">✓ </span>Passed: {verdict.passed} of {verdict.total} checks (randomized cases against the float64 reference).
        </p>
      ) : null}
      {verdict.pass ? null : error ? (
        <>
          <p className="verdict-head">
            <span aria-hidden="true">✗ </span>
            {ERROR_KIND[error.kind] ?? 'Error'}
            {error.line ? ` at line ${error.line}${error.column ? `, column ${error.column}` : ''}` : ''}
          </p>
          <p className="verdict-message">{error.message}</p>
        </>
      ) : (
        <>
          <p className="verdict-head">
            <span aria-hidden="true">✗ </span>Failed{verdict.total ? `: ${verdict.passed} of ${verdict.total} cases passed` : ''}
          </p>
          {failure ? (
            <p>
              First failure, in <code>{failure.what}</code>: {failure.case}
            </p>
          ) : null}
          {failure?.message ? <p className="verdict-message">{failure.message}</p> : null}
          {failure?.diagnosis ? (
            <p className="verdict-diagnosis" data-testid="diagnosis">
              <strong>Likely mistake:</strong> {failure.diagnosis.message}
            </p>
          ) : null}
          {failure ? (
            <>
              {Object.keys(failure.shapes).length ? (
                <p className="verdict-shapes">
                  Shapes:{' '}
                  {Object.entries(failure.shapes).map(([k, s], i) => (
                    <span key={k}>
                      {i ? ', ' : ''}
                      <code>{k}</code> {shape(s)}
                    </span>
                  ))}
                </p>
              ) : null}
              {failure.mismatches.length ? (
                <table className="verdict-table">
                  <caption>
                    The first {failure.mismatches.length === 1 ? 'mismatching entry' : `${failure.mismatches.length} mismatching entries`} of {failure.what}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">index</th>
                      <th scope="col">expected</th>
                      <th scope="col">yours</th>
                    </tr>
                  </thead>
                  <tbody>
                    {failure.mismatches.map((m, i) => (
                      <tr key={i}>
                        <th scope="row">[{m.index.join(', ')}]</th>
                        <td>{num(m.expected)}</td>
                        <td>{num(m.actual)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </>
          ) : null}
        </>
      )}
      {verdict.difference ? (
        <p className="verdict-extra">
          The two ways differ by ‖a − b‖ = {num(verdict.difference.norm)} ({verdict.difference.between[0]} vs{' '}
          {verdict.difference.between[1]}, last case).
        </p>
      ) : null}
      {verdict.gradCheck ? (
        <p className="verdict-extra">
          Central differences of your forward against your backward ({verdict.gradCheck.case}):{' '}
          {verdict.gradCheck.checks.map((c, i) => (
            <span key={c.what}>
              {i ? '; ' : ''}
              {c.what} {c.pass ? 'agrees' : 'disagrees'} (max error {c.maxError.toExponential(1)} over {c.entries} entries)
            </span>
          ))}
          .
        </p>
      ) : null}
    </div>
  );
}

export function ExerciseCell({ exercise, number }: { exercise: ExerciseInfo; number?: string }) {
  const { id, title, prompt, starter } = exercise;
  const entry = useExercises((s) => s.entries[id]);
  const status = useExercises((s) => s.status);
  const unsaved = useExercises((s) => s.unsaved.includes(id));
  const storageMessage = useExercises((s) => s.storageMessage);
  const [checking, setChecking] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [referenceOpen, setReferenceOpen] = useState(false);
  const source = entry?.source ?? starter;

  const onChange = useCallback((s: string) => useExercises.getState().setSource(id, s), [id]);

  const check = async () => {
    const graded = source;
    setChecking(true);
    setProgress(null);
    try {
      const v = await gradeInWorker(id, graded, (p) => {
        const msg = p as { passed?: number; total?: number } | string;
        setProgress(typeof msg === 'string' ? msg : msg?.total ? `${msg.passed ?? 0} / ${msg.total} cases` : null);
      });
      useExercises.getState().setVerdict(id, graded, v);
    } finally {
      setChecking(false);
    }
  };

  const verdict = entry?.verdict;
  const stale = isStale(entry);
  const diagnostics = useMemo<CodeDiagnostic[]>(() => {
    const e = verdict?.error;
    return e?.line ? [{ line: e.line, column: e.column, message: `${ERROR_KIND[e.kind] ?? 'Error'}: ${e.message}` }] : [];
  }, [verdict]);

  return (
    <Cell id={`ex-${id}`} number={number} title={`Your turn: ${title}`} runsOn="your code · sandboxed Web Worker">
      <div className="exercise-prompt">
        <Markdown text={prompt} headingLevel={3} />
      </div>
      {status === 'loading' ? (
        <Progress label="Loading your saved code" />
      ) : (
        <CodeEditor label={`Your code: ${title}`} value={source} onChange={onChange} diagnostics={diagnostics} />
      )}
      <div className="button-row exercise-actions">
        <button type="button" className="primary" onClick={() => void check()} disabled={checking || status === 'loading'} aria-describedby={`ex-${id}-save`}>
          {checking ? 'Checking…' : 'Check'}
        </button>
        <button type="button" onClick={() => setConfirm(true)} disabled={status === 'loading' || source === starter}>
          Reset to starter
        </button>
        <span id={`ex-${id}-save`} className="exercise-saved" data-testid="save-state">
          {status === 'memory-only' ? 'not saved in this browser' : unsaved ? 'saving…' : entry ? 'saved in this browser' : ''}
        </span>
      </div>
      {storageMessage ? (
        <p className="notice warn" role="status">
          {storageMessage}
        </p>
      ) : null}
      <div aria-live="polite" className="exercise-result">
        {checking ? <Progress label="Checking your code on randomized cases" detail={progress ?? undefined} /> : verdict ? <VerdictPanel verdict={verdict} stale={stale} /> : null}
      </div>
      {/* the reference is long: built only while it is open */}
      <details className="exercise-reference" onToggle={(e) => setReferenceOpen(e.currentTarget.open)}>
        <summary>Array module reference</summary>
        {/* scrolls on its own: focusable, so the keyboard can scroll it */}
        {referenceOpen ? (
          <div className="exercise-reference-body" tabIndex={0} role="region" aria-label={`Array module reference for ${title}`}>
            <Markdown text={reference} headingLevel={3} />
          </div>
        ) : null}
      </details>
      <ConfirmDialog
        open={confirm}
        title="Reset to the starter?"
        message={`Your code for “${title}” and its verdict will be replaced by the starter. Export your solutions first to keep a copy.`}
        confirmLabel="Reset"
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          useExercises.getState().reset(id);
        }}
      />
    </Cell>
  );
}
