// "Use my implementation": once the exercises a network needs pass, the switch runs that
// network on the student's own layers in the sandbox worker — first one mini-batch traced
// tensor by tensor against the reference (their numbers, and the reference's where they
// disagree), then a whole training run whose loss curve is drawn beside the built-in
// layers' curve on the same configuration. The switch stays disabled, with the reason,
// while a needed exercise does not pass.

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { StudentSources, TrainDataset } from '../../../exercises/student-network';
import type { TraceResult } from '../../../exercises/trace-student';
import { STUDENT_RUNS, type TrainProgress, type TrainResult } from '../../../exercises/train-student';
import type { StudentError } from '../../../exercises/sandbox';
import { useExercises } from '../../../store/exercises';
import { useDevice } from '../../../store/device';
import { Cell } from '../../../ui/Cell';
import { MetricChart, type MetricPoint } from '../../../ui/MetricChart';
import { Progress } from '../../../ui/controls';
import { builtinConfig, trainBuiltin } from './builtin';
import { exerciseTitle, missingOf, NEEDS, needsReason } from './needs';
import { asStudentError, trainingClient } from './runner';
import { TraceTable } from './TraceTable';

const TITLE: Record<TrainDataset, string> = {
  iris: 'Train the Iris network on your own layers',
  'mnist-subset': 'Train a small CNN on your own layers',
};

/** how long a step may go without a word from the worker (the data loads first; an MNIST epoch is long) */
const LIMITS: Record<TrainDataset, { traceMs: number; idleMs: number }> = {
  iris: { traceMs: 30_000, idleMs: 60_000 },
  'mnist-subset': { traceMs: 120_000, idleMs: 600_000 },
};

type Phase =
  | { kind: 'off' }
  | { kind: 'tracing' }
  | { kind: 'training'; epoch: number }
  | { kind: 'builtin' }
  | { kind: 'done' }
  | { kind: 'error'; during: string; error: StudentError };


export function UseMyImplementation({ dataset }: { dataset: TrainDataset }) {
  const entries = useExercises((s) => s.entries);
  // the built-in run: on WebGPU with a hardware adapter; on the CPU reference without one, or
  // with a software adapter (SwiftShader), which is slower than plain JavaScript
  const builtinOn = useDevice((s) => (s.kind === 'webgpu' && !s.isFallback ? 'webgpu' : 'cpu'));
  const builtinName = builtinOn === 'webgpu' ? 'built-in layers (WebGPU)' : 'built-in layers (CPU reference)';
  const needed = NEEDS[dataset];
  const epochs = STUDENT_RUNS[dataset].epochs;
  const missing = missingOf(needed, entries);
  const reasonId = useId();
  const [on, setOn] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'off' });
  const [trace, setTrace] = useState<TraceResult | null>(null);
  const [mine, setMine] = useState<MetricPoint[]>([]);
  const [builtin, setBuiltin] = useState<MetricPoint[]>([]);
  const [accuracy, setAccuracy] = useState<{ mine?: number; builtin?: number | null }>({});
  const run = useRef(0);
  const abort = useRef<AbortController | null>(null);

  /** ends the current run, the student's (its worker is replaced) and the built-in one */
  const stop = () => {
    run.current++;
    abort.current?.abort();
    abort.current = null;
    trainingClient().stop();
  };

  // the code that passed (the checked source), never an edit made since
  const sources = useMemo<StudentSources>(() => Object.fromEntries(needed.map((id) => [id, entries[id]?.checkedSource ?? ''])), [needed, entries]);

  const start = async () => {
    stop();
    const me = ++run.current;
    const live = () => run.current === me;
    const controller = (abort.current = new AbortController());
    setTrace(null);
    setMine([]);
    setBuiltin([]);
    setAccuracy({});
    let during = 'tracing one mini-batch';
    try {
      setPhase({ kind: 'tracing' });
      const t = await trainingClient().run<TraceResult>('trace', { dataset, sources }, { timeoutMs: LIMITS[dataset].traceMs });
      if (!live()) return;
      setTrace(t);
      during = 'training';
      setPhase({ kind: 'training', epoch: 0 });
      const points: MetricPoint[] = [];
      const result = await trainingClient().run<TrainResult>(
        'train',
        { dataset, sources },
        {
          timeoutMs: 0,
          idleMs: LIMITS[dataset].idleMs,
          onProgress: (p) => {
            if (!live()) return;
            const q = p as TrainProgress;
            points.push({ x: q.step, value: q.loss });
            setMine(points.slice());
            setPhase({ kind: 'training', epoch: q.epoch });
          },
        },
      );
      if (!live()) return;
      setMine(result.history.map((h) => ({ x: h.step, value: h.loss })));
      setAccuracy({ mine: result.testAccuracy });
      during = 'training the built-in layers for comparison';
      setPhase({ kind: 'builtin' });
      const b = await trainBuiltin(
        builtinConfig(dataset),
        builtinOn,
        (pts) => {
          if (live()) setBuiltin(pts.slice());
        },
        controller.signal,
      );
      if (!live()) return;
      setBuiltin(b.loss);
      setAccuracy((a) => ({ ...a, builtin: b.testAccuracy }));
      setPhase({ kind: 'done' });
    } catch (e) {
      if (live()) setPhase({ kind: 'error', during, error: asStudentError(e) });
    }
  };

  // an exercise stops passing (edited and failed) while the switch is on: switch off
  useEffect(() => {
    if (missing.length && on) {
      setOn(false);
      stop();
      setPhase({ kind: 'off' });
    }
  }, [missing.length, on]);

  // leaving the chapter ends the runs
  useEffect(() => () => stop(), []);

  const series = useMemo(
    () => [
      { name: 'your layers', points: mine },
      ...(builtin.length ? [{ name: builtinName, points: builtin, dashed: true }] : []),
    ],
    [mine, builtin, builtinName],
  );

  return (
    <Cell
      id={`own-${dataset}`}
      title={TITLE[dataset]}
      runsOn="your code · sandboxed Web Worker (CPU)"
      lead={
        <>
          Once your exercises {needed.map((id) => `“${exerciseTitle(id)}”`).join(', ')} pass, this runs the network on your own code: one mini-batch traced tensor by tensor
          against the reference, then a full training run, its loss beside the built-in layers' on the same data and settings
          (their initial weights come from another generator, so the curves are close, not identical).
        </>
      }
    >
      <div className="yourturn-own">
        <div className="control checkbox">
          <input
            id={`${reasonId}-switch`}
            type="checkbox"
            role="switch"
            checked={on}
            disabled={missing.length > 0}
            aria-describedby={reasonId}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              setOn(v);
              if (v) void start();
              else {
                stop();
                setPhase({ kind: 'off' });
              }
            }}
          />
          <label htmlFor={`${reasonId}-switch`}>Use my implementation</label>
        </div>
        <p id={reasonId} className="switch-reason">
          {missing.length
            ? needsReason(missing)
            : on
              ? 'On: your code runs the network. Switching off stops the run.'
              : 'All the needed exercises pass.'}
        </p>
        {phase.kind === 'tracing' ? <Progress label="Tracing one mini-batch through your layers" /> : null}
        {phase.kind === 'training' ? (
          <Progress label="Training on your layers" value={phase.epoch} max={epochs} detail={phase.epoch ? `epoch ${phase.epoch} of ${epochs}` : 'loading the data'} />
        ) : null}
        {phase.kind === 'builtin' ? <Progress label={`Training the ${builtinName} on the same settings`} detail={`${builtin.length} of ${epochs} epochs`} value={builtin.length} max={epochs} /> : null}
        {phase.kind === 'error' ? (
          <p className="notice error" role="alert">
            Stopped while {phase.during}: {phase.error.message}
            {phase.error.line ? ` (line ${phase.error.line})` : ''}
          </p>
        ) : null}
        {on && trace ? <TraceTable trace={trace} /> : null}
        {on && mine.length ? (
          <>
            <MetricChart
              title={`${dataset === 'iris' ? 'Iris' : 'MNIST subset'}: mean training loss per epoch, your layers and the built-in ones`}
              series={series}
              xLabel="step"
              yLabel="loss"
              testId="mine-chart"
            />
            <p data-testid="own-accuracy" data-accuracy={accuracy.mine} role="status">
              {accuracy.mine !== undefined ? `Test accuracy on your layers: ${(accuracy.mine * 100).toFixed(1)} %` : 'Training…'}
              {accuracy.builtin !== undefined && accuracy.builtin !== null ? `; ${builtinName}: ${(accuracy.builtin * 100).toFixed(1)} %` : ''}
            </p>
          </>
        ) : null}
      </div>
    </Cell>
  );
}
