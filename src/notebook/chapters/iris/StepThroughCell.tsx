// Cell body: the step-through of the Iris network (4 → hidden (ReLU) → 3, softmax +
// cross-entropy, SGD) on one mini-batch, traced on the page's backend.
//
//   <Cell id="iris-step-through" number="3.4" title="Step through one mini-batch" runsOn="page backend">
//     <StepThroughCell hiddenSize={hidden} batchSize={batchSize} seed={seed} learningRate={lr} />
//   </Cell>
//
// A training session (the same code the worker runs) is built on the main thread over
// the page's backend with the standardized Iris data and the seed's split and batch
// order; its next step is traced op by op. "Trace the next mini-batch" traces the step
// after it (the weights have moved by one update); a change of any prop starts over
// from the seed's first mini-batch. "Use my implementation" (once the Iris exercises
// pass) runs the traced step's mini-batch and parameters through the student's layers
// and shows their tensors beside the engine's under each operation.

import { useEffect, useMemo, useRef, useState } from 'react';
import { EXPERIMENTS } from '../../../train/experiments';
import { loadSessionData } from '../../../train/data';
import type { SessionConfig } from '../../../train/protocol';
import { TrainingSession } from '../../../train/session';
import type { Trace } from '../../../train/trace';
import { StepThrough } from '../../cells/StepThrough';
import { useStudentStep } from '../../cells/exercises/StudentStep';
import { NEEDS } from '../../cells/exercises/needs';
import { runExclusive, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtValue } from '../../../ui/format';
import { TaskStatus } from '../../cells/TaskStatus';
import '../../cells/lab.css';

export interface StepThroughCellProps {
  hiddenSize: number;
  batchSize: number;
  /** seeds the weights, the split and the batch order (default: the course experiment's) */
  seed?: number;
  learningRate?: number;
  /** the session configuration to start from (dataset split, optimizer); hiddenSize, batchSize, seed and learningRate override it */
  config?: SessionConfig;
}

/** tensors up to this many values keep their numbers in the trace (a batch of 120 × 32 hidden units) */
const MAX_VALUES = 4096;

function sessionConfig(p: StepThroughCellProps, lean: boolean): SessionConfig {
  const base = p.config ?? EXPERIMENTS.iris.config;
  const optimizer = base.model.optimizer;
  return {
    ...base,
    model: {
      ...base.model,
      layers: [
        { type: 'fc', nOut: p.hiddenSize, activation: 'relu' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      optimizer: p.learningRate === undefined ? optimizer : { ...optimizer, lr: p.learningRate },
    },
    batchSize: p.batchSize,
    seed: p.seed ?? base.seed,
    lean,
    lossEvery: 1,
  };
}

function check(p: StepThroughCellProps): string | null {
  if (!(Number.isInteger(p.hiddenSize) && p.hiddenSize >= 1)) return `hidden size must be a positive integer, got ${p.hiddenSize}`;
  if (!(Number.isInteger(p.batchSize) && p.batchSize >= 1)) return `batch size must be a positive integer, got ${p.batchSize}`;
  return null;
}

interface Traced {
  trace: Trace;
  trainCount: number;
  epoch: number;
}

export function StepThroughCell(props: StepThroughCellProps) {
  const [lean, setLean] = useState(false);
  const [next, setNext] = useState(0);
  const bad = check(props);
  const { hiddenSize, batchSize, seed, learningRate, config: base } = props;
  const config = useMemo(() => sessionConfig({ hiddenSize, batchSize, seed, learningRate, config: base }, lean), [hiddenSize, batchSize, seed, learningRate, base, lean]);
  const configKey = useMemo(() => JSON.stringify(config), [config]);
  /** the session of the current settings, and how many steps it has traced */
  const session = useRef<{ key: string; session: TrainingSession; traced: number; lastTrace?: Trace } | null>(null);

  // new settings: start again from the seed's first mini-batch
  useEffect(() => setNext(0), [configKey]);
  // leaving the page frees the session's model and tensors
  useEffect(
    () => () => {
      const s = session.current;
      session.current = null;
      if (s) void runExclusive(() => s.session.dispose());
    },
    [],
  );

  // the trace of training step next + 1 of a session of these settings: a run asked twice
  // for the same step traces it once; going back starts a fresh session
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask<Traced | null>(`${configKey}|${next}|${bad ?? ''}`, async (backend) => {
    if (bad) return null;
    const want = next + 1;
    let cur = session.current;
    if (!cur || cur.key !== configKey || cur.traced > want || cur.session.status === 'done') {
      session.current = null;
      if (cur) await cur.session.dispose();
      const data = await loadSessionData(config.dataset, config.seed);
      cur = { key: configKey, session: await TrainingSession.create(backend, config, () => {}, { data }), traced: 0 };
      session.current = cur;
    }
    let trace: Trace | null = cur.lastTrace ?? null;
    while (cur.traced < want) {
      trace = await cur.session.trace(MAX_VALUES);
      cur.traced++;
      cur.lastTrace = trace;
    }
    return { trace: trace!, trainCount: cur.session.dataInfo.train, epoch: cur.session.snapshot().epoch };
  }, near);
  const r = task.result;
  const mine = useStudentStep(r?.trace ?? null, NEEDS.iris);

  if (bad) {
    return (
      <p className="notice error" role="alert">
        Cannot trace the Iris network: {bad}.
      </p>
    );
  }
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <button type="button" onClick={() => setNext((n) => n + 1)} disabled={!r || task.running}>
          Trace the next mini-batch
        </button>
        <button type="button" onClick={() => setNext(0)} disabled={!r || task.running || r.trace.step === 1}>
          Back to the first mini-batch
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={lean} onChange={(e) => setLean(e.currentTarget.checked)} />
          Fused kernels (the lean step training runs)
        </label>
      </div>
      {mine.control}
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Tracing one Iris mini-batch">
        {r ? (
          <>
            <p className="lab-facts small" data-testid="iris-step-facts">
              Training step {r.trace.step}: a mini-batch of {r.trace.batchSize} of the {r.trainCount} training flowers (seed {config.seed}),{' '}
              4 → {props.hiddenSize} → 3 with SGD at η = {fmtValue(config.model.optimizer.lr)}. Loss{' '}
              <output className="mono" aria-label="Loss of the traced mini-batch">
                {r.trace.loss === null ? 'not finite' : fmtValue(r.trace.loss, 5)}
              </output>
              ; {r.trace.ops.length} operations on <strong>{r.trace.backend === 'webgpu' ? `WebGPU (${r.trace.deviceName})` : 'the CPU reference'}</strong>.
            </p>
            <StepThrough
              trace={r.trace}
              label={`Step-through of the Iris network, 4 → ${props.hiddenSize} → 3, on a mini-batch of ${r.trace.batchSize}`}
              marks={mine.marks}
              opExtra={mine.opExtra}
            />
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
