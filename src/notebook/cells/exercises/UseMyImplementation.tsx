// "Use my implementation": once the exercises a network needs pass, the switch runs that
// network on the student's own layers in the sandbox worker — first one mini-batch traced
// tensor by tensor against the reference (their numbers, and the reference's where they
// disagree), then a whole training run whose loss curve is drawn beside the built-in
// layers' curve on the same configuration. The switch stays disabled, with the reason,
// while a needed exercise does not pass.

import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { EXERCISES } from '../../../exercises/tasks';
import { passes, useExercises } from '../../../store/exercises';
import { useDevice } from '../../../store/device';
import { Cell } from '../../../ui/Cell';
import { LossChart, type ChartPoint } from '../../../ui/LossChart';
import { Progress } from '../../../ui/controls';
import { trainBuiltin } from './builtin';
import { asStudentError, trainingClient } from './runner';
import { TraceTable, type TraceResult } from './TraceTable';
import type { StudentError } from '../../../exercises/grader/types';
import type { SessionConfig } from '../../../train';

export type OwnDataset = 'iris' | 'mnist-subset';

/** the exercises each network is made of */
export const NEEDS: Record<OwnDataset, readonly string[]> = {
  iris: ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model'],
  'mnist-subset': ['relu', 'fully-connected', 'softmax', 'cross-entropy', 'model', 'conv2d', 'pool2d'],
};

const TITLE: Record<OwnDataset, string> = {
  iris: 'Train the Iris network on your own layers',
  'mnist-subset': 'Train the small CNN on your own layers',
};

interface TrainProgress {
  step: number;
  epoch: number;
  loss: number;
  accuracy?: number;
}

interface TrainResult {
  testAccuracy: number;
  history: TrainProgress[];
  /** the configuration the run used (the built-in run repeats it) */
  config?: SessionConfig;
  epochs?: number;
}

type Phase =
  | { kind: 'off' }
  | { kind: 'tracing' }
  | { kind: 'training'; epoch?: number; epochs?: number }
  | { kind: 'done' }
  | { kind: 'error'; error: StudentError };

const title = (id: string) => EXERCISES.find((e) => e.id === id)?.title ?? id;

export function UseMyImplementation({ dataset }: { dataset: OwnDataset }) {
  const entries = useExercises((s) => s.entries);
  const deviceKind = useDevice((s) => s.kind);
  const needed = NEEDS[dataset];
  const missing = needed.filter((id) => !passes(entries[id]));
  const reasonId = useId();
  const [on, setOn] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'off' });
  const [trace, setTrace] = useState<TraceResult | null>(null);
  const [mine, setMine] = useState<ChartPoint[]>([]);
  const [builtin, setBuiltin] = useState<ChartPoint[]>([]);
  const [accuracy, setAccuracy] = useState<{ mine?: number; builtin?: number | null }>({});
  const run = useRef(0);

  // the code that passed (the checked source), never an edit made since
  const sources = useMemo(() => Object.fromEntries(needed.map((id) => [id, entries[id]?.checkedSource ?? ''])), [needed, entries]);

  const start = async () => {
    const me = ++run.current;
    const live = () => run.current === me;
    setTrace(null);
    setMine([]);
    setBuiltin([]);
    setAccuracy({});
    try {
      setPhase({ kind: 'tracing' });
      const t = (await trainingClient().run('trace', { dataset, sources }, { timeoutMs: 30_000 })) as TraceResult;
      if (!live()) return;
      setTrace(t);
      setPhase({ kind: 'training' });
      const points: ChartPoint[] = [];
      const result = (await trainingClient().run(
        'train',
        { dataset, sources },
        {
          timeoutMs: 0,
          onProgress: (p: unknown) => {
            if (!live()) return;
            const q = p as TrainProgress & { epochs?: number };
            if (typeof q?.loss === 'number') {
              points.push({ step: q.step, value: q.loss });
              setMine(points.slice());
            }
            setPhase({ kind: 'training', epoch: q?.epoch, epochs: q?.epochs });
          },
        },
      )) as TrainResult;
      if (!live()) return;
      setMine(result.history.map((h) => ({ step: h.step, value: h.loss })));
      setAccuracy((a) => ({ ...a, mine: result.testAccuracy }));
      setPhase({ kind: 'done' });
      if (result.config) {
        const b = await trainBuiltin(result.config, deviceKind === 'cpu' ? 'cpu' : 'webgpu', (pts) => live() && setBuiltin(pts.slice()));
        if (!live()) return;
        setBuiltin(b.loss);
        setAccuracy((a) => ({ ...a, builtin: b.testAccuracy }));
      }
    } catch (e) {
      if (live()) setPhase({ kind: 'error', error: asStudentError(e) });
    }
  };

  // an exercise stops passing (edited and failed) while the switch is on: switch off
  useEffect(() => {
    if (missing.length && on) {
      setOn(false);
      run.current++;
      setPhase({ kind: 'off' });
    }
  }, [missing.length, on]);

  const series = useMemo(
    () => [
      { name: 'your layers', points: mine },
      ...(builtin.length ? [{ name: 'built-in layers', points: builtin, dashed: true }] : []),
    ],
    [mine, builtin],
  );

  return (
    <Cell
      id={`own-${dataset}`}
      title={TITLE[dataset]}
      runsOn="your code · sandboxed Web Worker (CPU)"
      lead={
        <>
          Once {needed.map(title).join(', ')} pass, this runs the network on your own code: one mini-batch traced tensor by tensor
          against the reference, then a full training run, its loss beside the built-in layers' on the same data, seed and
          settings.
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
                run.current++;
                setPhase({ kind: 'off' });
              }
            }}
          />
          <label htmlFor={`${reasonId}-switch`}>Use my implementation</label>
        </div>
        <p id={reasonId} className="switch-reason">
          {missing.length
            ? `Needs a passing check of: ${missing.map(title).join(', ')}.`
            : on
              ? 'Running on your code. Switch off to stop following this run.'
              : 'All the needed exercises pass.'}
        </p>
        {phase.kind === 'tracing' ? <Progress label="Tracing one mini-batch through your layers" /> : null}
        {phase.kind === 'training' ? (
          <Progress
            label="Training on your layers"
            value={phase.epoch}
            max={phase.epochs ?? 1}
            detail={phase.epoch !== undefined ? `epoch ${Math.floor(phase.epoch)}${phase.epochs ? ` of ${phase.epochs}` : ''}` : undefined}
          />
        ) : null}
        {phase.kind === 'error' ? (
          <p className="notice error" role="alert">
            Your layers failed while {trace ? 'training' : 'tracing'}: {phase.error.message}
            {phase.error.line ? ` (line ${phase.error.line})` : ''}
          </p>
        ) : null}
        {on && trace ? <TraceTable trace={trace} /> : null}
        {on && mine.length ? (
          <>
            <LossChart title={`${dataset === 'iris' ? 'Iris' : 'MNIST subset'}: training loss, your layers and the built-in ones`} series={series} xLabel="step" />
            <p data-testid="own-accuracy" data-accuracy={accuracy.mine} role="status">
              {accuracy.mine !== undefined ? `Test accuracy on your layers: ${(accuracy.mine * 100).toFixed(1)} %` : 'Training…'}
              {accuracy.builtin !== undefined && accuracy.builtin !== null ? `; built-in layers: ${(accuracy.builtin * 100).toFixed(1)} %` : ''}
            </p>
          </>
        ) : null}
      </div>
    </Cell>
  );
}
