// "Use my implementation" in a chapter's step-through: once the exercises the network
// needs pass, the traced step's mini-batch runs with that step's parameters through the
// student's layers in the sandbox worker (and through the float64 reference), and the
// step-through shows, under each operation whose output has a counterpart in their code,
// their tensor beside the engine's: the largest |yours − engine| with an agree/disagree
// mark (also on the timeline), the exact check against the float64 reference, and where
// they disagree their values and the first differing entries.
//
//   const mine = useStudentStep(trace, NEEDS.iris);
//   {mine.control}
//   <StepThrough trace={trace} marks={mine.marks} opExtra={mine.opExtra} … />

import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { compareStep, F32_TOLERANCE, F64_TOLERANCE, stepRequest, type OpMatch, type TensorMatch } from '../../../exercises/step-compare';
import type { StudentSources } from '../../../exercises/student-network';
import type { StepResult } from '../../../exercises/trace-student';
import type { ExerciseId } from '../../../exercises/tasks';
import type { StudentError } from '../../../exercises/sandbox';
import { useExercises } from '../../../store/exercises';
import type { Trace } from '../../../train/trace';
import type { OpMark } from '../../../ui/StepThrough';
import { TensorHeatmap } from '../../../ui/TensorHeatmap';
import { missingOf, needsReason } from './needs';
import { asStudentError, stepClient } from './runner';
import './StudentStep.css';

type State = { kind: 'off' } | { kind: 'running' } | { kind: 'done'; matches: OpMatch[] } | { kind: 'error'; error: StudentError };

const exp = (v: number) => (v === 0 ? '0' : Number.isFinite(v) ? v.toExponential(1) : '∞');
const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 0.001 → "10⁻³" (the tolerances are powers of ten) */
const pow10 = (v: number) => {
  const e = Math.round(Math.log10(v));
  return `10${e < 0 ? '⁻' : ''}${[...String(Math.abs(e))].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
};

/** the tolerances in words, as the page states them */
export const TOLERANCE_TEXT =
  `agrees: every entry within ${pow10(F32_TOLERANCE.rtol)}·|engine| + ${pow10(F32_TOLERANCE.scaled)}·max|engine| + ${pow10(F32_TOLERANCE.atol)} of the engine's float32 value, ` +
  `your code running in float64; exact: within ${pow10(F64_TOLERANCE.atol)} + ${pow10(F64_TOLERANCE.rtol)}·max|reference| of the float64 reference on the same inputs`;

export interface StudentStep {
  /** the switch, its reason and the run's state: placed above the step-through */
  control: ReactNode;
  marks?: (OpMark | null)[];
  opExtra?: (index: number) => ReactNode;
}

function MatchView({ m }: { m: TensorMatch }) {
  const weights = /^d?W$/.test(m.role);
  const axes: [number, number] | undefined = m.shape.length === 4 ? (weights ? [0, 1] : [1, 2]) : m.shape.length === 3 ? [1, 2] : undefined;
  const drawable = m.mine.length === m.engine.length && m.mine.length > 0;
  return (
    <div className={`st-mine-tensor ${m.agree ? 'agree' : 'disagree'}`} data-testid={`st-mine-${m.role}`} data-agree={m.agree}>
      <p className="st-mine-head">
        <strong>{m.role}</strong> · {m.yours}:{' '}
        <span className="mono">max |yours − engine| = {exp(m.maxDiff)}</span>{' '}
        <span className={`st-mine-verdict ${m.agree ? 'agree' : 'disagree'}`}>{m.agree ? '✓ agrees' : '✗ disagrees'}</span>
        {m.exact !== null ? (
          <span className="muted">
            {' '}
            · float64 reference: max |yours − ref.| = <span className="mono">{exp(m.maxDiff64!)}</span> ({m.exact ? 'exact' : 'differs'})
          </span>
        ) : null}
      </p>
      {drawable ? <TensorHeatmap name={`${m.role} · yours`} data={m.mine} shape={m.shape} axes={axes} maxWidth={300} /> : null}
      {m.firstDiffs.length ? (
        <ul className="st-mine-diffs mono small" aria-label={`First entries of ${m.role} that differ`}>
          {m.firstDiffs.map((d) => (
            <li key={d.index.join(',')}>
              [{d.index.join(', ')}]: yours {num(d.yours)}, engine {num(d.engine)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function useStudentStep(trace: Trace | null, needs: readonly ExerciseId[]): StudentStep {
  const entries = useExercises((s) => s.entries);
  const missing = missingOf(needs, entries);
  const [on, setOn] = useState(false);
  const [state, setState] = useState<State>({ kind: 'off' });
  const reasonId = useId();
  // the code that passed its check
  const sourcesKey = needs.map((id) => entries[id]?.checkedSource ?? '').join('\u0000');
  const sources = useMemo<StudentSources>(() => {
    const code = sourcesKey.split('\u0000');
    return Object.fromEntries(needs.map((id, i) => [id, code[i] ?? '']));
  }, [sourcesKey, needs]);
  const active = on && missing.length === 0;

  // an exercise stops passing while the switch is on: switch off
  useEffect(() => {
    if (on && missing.length) setOn(false);
  }, [on, missing.length]);

  useEffect(() => {
    if (!active || !trace) {
      setState({ kind: 'off' });
      return;
    }
    const req = stepRequest(trace, sources);
    if ('error' in req) {
      setState({ kind: 'error', error: { kind: 'runtime', message: req.error } });
      return;
    }
    let live = true;
    setState({ kind: 'running' });
    stepClient()
      .run<StepResult>('step', req.request, { timeoutMs: 30_000 })
      .then(
        (r) => live && setState({ kind: 'done', matches: compareStep(trace, r) }),
        (e) => live && setState({ kind: 'error', error: asStudentError(e) }),
      );
    return () => {
      live = false;
    };
  }, [active, trace, sources]);

  const matches = state.kind === 'done' ? state.matches : null;
  const tally = useMemo(() => {
    if (!matches || !trace) return null;
    const compared = matches.filter((m) => m.verdict).length;
    const first = matches.findIndex((m) => m.verdict === 'disagree');
    const tensors = matches.flatMap((m) => m.tensors);
    return { compared, first, tensors: tensors.length, agree: tensors.filter((t) => t.agree).length };
  }, [matches, trace]);

  const control = (
    <div className="st-mine-control">
      <div className="control checkbox">
        <input
          id={`${reasonId}-switch`}
          type="checkbox"
          role="switch"
          checked={active}
          disabled={missing.length > 0}
          aria-describedby={reasonId}
          onChange={(e) => setOn(e.currentTarget.checked)}
        />
        <label htmlFor={`${reasonId}-switch`}>Use my implementation</label>
      </div>
      <p id={reasonId} className="switch-reason">
        {missing.length
          ? needsReason(missing)
          : active
            ? 'On: this mini-batch, with these parameters, also runs through your layers (sandboxed worker, float64); each operation shows your tensor beside the engine’s.'
            : 'Your exercises pass: switch on to see your layers’ numbers in each step.'}
      </p>
      {state.kind === 'running' ? (
        <p className="muted small" role="status">
          Running this mini-batch through your layers…
        </p>
      ) : null}
      {state.kind === 'error' ? (
        <p className="notice error" role="alert">
          Your layers stopped on this mini-batch: {state.error.message}
          {state.error.line ? ` (line ${state.error.line})` : ''}
        </p>
      ) : null}
      {tally && trace ? (
        <p className={`notice ${tally.first < 0 ? 'ok' : 'error'} st-mine-summary`} role="status" data-testid="st-mine-summary">
          Your layers on this mini-batch: {tally.agree} of {tally.tensors} tensors agree with the engine’s over {tally.compared} of {trace.ops.length} operations
          {tally.first < 0 ? '.' : `; the first that disagrees is operation ${tally.first + 1} (${trace.ops[tally.first]!.layer ?? ''} ${trace.ops[tally.first]!.phase}).`}{' '}
          <span className="small">({TOLERANCE_TEXT}.)</span>
        </p>
      ) : null}
    </div>
  );

  if (!matches) return { control };
  const marks = matches.map((m): OpMark | null =>
    m.verdict === null ? null : { tone: m.verdict, words: m.verdict === 'agree' ? 'your numbers agree' : 'your numbers disagree' },
  );
  const opExtra = (i: number) => {
    const m = matches[i];
    return (
      <section className="st-mine" aria-label="Your numbers for this operation" data-testid="st-mine">
        <h4>Your code on this step</h4>
        {m && m.tensors.length ? (
          m.tensors.map((t) => <MatchView key={t.role} m={t} />)
        ) : (
          <p className="muted small">No tensor of your code stands for this operation’s output (the engine’s own intermediate, e.g. an arg-max or a velocity).</p>
        )}
      </section>
    );
  };
  return { control, marks, opExtra };
}
