// The step-through: one training step as a timeline of the operations that ran — each
// layer's forward, the loss, each layer's backward, the update — and, for the chosen
// operation, the layer it belongs to, its equation with the actual shapes, its input
// and output tensors, and the WGSL kernel(s) it dispatched.
//
// Controls: "Step back", "Step forward", "Run to end" (plays the remaining steps), a
// click on any operation of the timeline, and the keyboard anywhere inside the
// step-through: ← / → one step, Home / End the first / last (a focused heatmap keeps
// its arrow keys for moving between values).

import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Trace, TracePhase, TraceTensor } from '../train/trace';
import { MathBlock } from './Math';
import { TensorHeatmap } from './TensorHeatmap';
import { equationWithShapes, shapeText, shortLabel } from './step-through-equations';
import './StepThrough.css';

export interface StepThroughProps {
  trace: Trace;
  /** the accessible name of the whole step-through, e.g. "Step-through of the 4 → 5 → 3 network" */
  label: string;
  /** ms per step while "Run to end" plays (default 180) */
  playMs?: number;
  /** the WGSL of a kernel that ran (its file and entry point), shown under the operation */
  kernelView: (shader: string, entry: string) => ReactNode;
  /** per operation, how another run's tensors compare with this one's (marked on the timeline); null: nothing to compare */
  marks?: readonly (OpMark | null)[];
  /** shown under the operation's tensors, e.g. another run's tensors for it */
  opExtra?: (index: number) => ReactNode;
}

/** a mark on an operation, its words read out with the operation's name */
export interface OpMark {
  tone: 'agree' | 'disagree';
  words: string;
}

const PHASES: { phase: TracePhase; title: string }[] = [
  { phase: 'forward', title: 'Forward' },
  { phase: 'loss', title: 'Loss' },
  { phase: 'backward', title: 'Backward' },
  { phase: 'update', title: 'Update' },
];

const PHASE_NAME: Record<TracePhase, string> = { forward: 'forward', loss: 'loss', backward: 'backward', update: 'update' };

interface DiagramNode {
  id: string;
  title: string;
  detail: string;
  shape: number[] | null;
}

/** input → layers → loss, with the shape each one hands on */
function diagramOf(trace: Trace): DiagramNode[] {
  const nodes: DiagramNode[] = [];
  const first = trace.ops.find((o) => o.phase === 'forward');
  const x = first?.inputs.find((t) => t.role === 'X');
  nodes.push({ id: '__input', title: 'input', detail: 'X', shape: x ? x.shape : null });
  for (const l of trace.layers) {
    const fwd = trace.ops.filter((o) => o.phase === 'forward' && o.layer === l.name);
    const out = fwd.length ? fwd[fwd.length - 1]!.outputs[0] : undefined;
    const acts = fwd.map((o) => (o.op === 'softmax' ? 'softmax' : typeof o.args.activation === 'string' ? o.args.activation : null)).filter((a): a is string => !!a && a !== 'linear');
    const w = fwd.flatMap((o) => o.inputs).find((t) => t.role === 'W');
    let detail: string = l.type;
    if (l.type === 'fc' && w) detail = `${w.shape[0]} → ${w.shape[1]}`;
    else if (l.type === 'conv2d' && w) detail = `${w.shape[0]}×${w.shape[1]}, ${w.shape[3]} filters`;
    else if (l.type === 'pool2d') detail = fwd.some((o) => o.equation.endsWith('.avg')) ? 'average' : 'max';
    else if (l.type === 'flatten') detail = 'reshape';
    const loss = trace.ops.find((o) => o.phase === 'loss' && o.equation.startsWith('loss.softmax_ce'));
    if (l === trace.layers[trace.layers.length - 1] && loss && acts.length === 0) acts.push('softmax');
    nodes.push({ id: l.name, title: l.name, detail: acts.length ? `${detail}, ${acts.join(', ')}` : detail, shape: out ? out.shape : null });
  }
  const lossOp = trace.ops.find((o) => o.phase === 'loss');
  nodes.push({ id: 'loss', title: 'loss', detail: lossOp?.equation.includes('softmax_ce') ? 'softmax + cross-entropy' : (lossOp?.equation.replace('loss.', '') ?? ''), shape: [1] });
  return nodes;
}

function TensorView({ t, testId }: { t: TraceTensor; testId: string }) {
  // parameters carry their layer's name ("fc_0.W"); other labels are the op's own
  const name = t.label.includes('.') && t.label !== t.role ? `${t.role} · ${t.label}` : t.role;
  if (!t.values) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    return (
      <figure className="heatmap st-too-big" data-testid={testId}>
        <figcaption className="heatmap-title">
          <span className="shape-label">
            {name} {shapeText(t.shape)}
          </span>
        </figcaption>
        <p className="muted small">{n.toLocaleString('en-US')} values: too many to draw here</p>
      </figure>
    );
  }
  // rank 4: conv weights (kh, kw, C, F) as kh × kw for channel 0, filter 0; images and
  // their gradients (m, H, W, C) as H × W for example 0, channel 0
  const weights = /^d?W$/.test(t.role);
  const axes: [number, number] | undefined = t.shape.length === 4 ? (weights ? [0, 1] : [1, 2]) : t.shape.length === 3 ? [1, 2] : undefined;
  return (
    <div data-testid={testId} className="st-tensor">
      <TensorHeatmap name={name} data={t.values} shape={t.shape} axes={axes} maxWidth={300} />
    </div>
  );
}

export function StepThrough({ trace, label, playMs = 180, kernelView, marks, opExtra }: StepThroughProps) {
  const n = trace.ops.length;
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [kernelPick, setKernelPick] = useState(0);
  const timelineRef = useRef<HTMLOListElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  /** the control inside the step-through that last had focus */
  const lastFocused = useRef<HTMLElement | null>(null);
  const headingId = useId();

  // a new trace (new seed, sizes): keep the position when it still exists
  useEffect(() => {
    setIndex((i) => Math.min(i, Math.max(0, n - 1)));
    setPlaying(false);
  }, [trace, n]);
  useEffect(() => setKernelPick(0), [index, trace]);

  useEffect(() => {
    if (!playing) return;
    if (index >= n - 1) {
      setPlaying(false);
      return;
    }
    const id = setTimeout(() => setIndex((i) => Math.min(n - 1, i + 1)), playMs);
    return () => clearTimeout(id);
  }, [playing, index, n, playMs]);

  // keep the current operation visible in the timeline (scrolling the timeline only); in
  // the last phase the row scrolls to its end, so every update step shows
  useEffect(() => {
    const list = timelineRef.current;
    const item = list?.querySelector<HTMLElement>('[aria-current="step"]');
    if (!list || !item) return;
    if (trace.ops[index]?.phase === 'update') {
      list.scrollLeft = list.scrollWidth;
      return;
    }
    const box = list.getBoundingClientRect();
    const at = item.getBoundingClientRect();
    if (at.left < box.left || at.right > box.right) list.scrollLeft += at.left - box.left - box.width / 2 + at.width / 2;
  }, [index, trace]);

  // a button that held focus and is now disabled (Step forward at the last step, Run to
  // end when it stops) hands focus to the step-through itself: the keys keep working
  useEffect(() => {
    const el = lastFocused.current;
    const active = document.activeElement;
    if (el instanceof HTMLButtonElement && el.disabled && (active === el || active === document.body || active === null)) {
      rootRef.current?.focus({ preventScroll: true });
    }
  }, [index, playing]);

  const go = useCallback(
    (i: number) => {
      setPlaying(false);
      setIndex(Math.max(0, Math.min(n - 1, i)));
    },
    [n],
  );

  const runToEnd = () => {
    if (playing) return setPlaying(false);
    const reduced = typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (reduced) go(n - 1);
    else setPlaying(true);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const el = e.target as HTMLElement;
    if (el.closest('input, select, textarea, pre, .heatmap-grid')) return;
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = index + 1;
    else if (e.key === 'ArrowLeft') next = index - 1;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = n - 1;
    if (next !== null) {
      e.preventDefault();
      go(next);
    }
  };

  const diagram = useMemo(() => diagramOf(trace), [trace]);
  const op = trace.ops[index];
  const eq = useMemo(() => (op ? equationWithShapes(op) : null), [op]);
  if (!op || !eq) {
    return <p className="notice warn">The trace recorded no operations.</p>;
  }

  // the layer an op belongs to, for the diagram ("parameters": the lean step's whole arena)
  const layer = op.layer;
  const activeNode = (id: string) =>
    op.phase === 'loss' || (op.phase === 'backward' && op.layer === 'loss') ? id === 'loss' : layer === 'parameters' ? id !== '__input' && id !== 'loss' : id === layer;
  const kernels = op.kernels.filter((k, i, all) => all.findIndex((q) => q.shader === k.shader && q.entry === k.entry) === i);
  const kernel = kernels[Math.min(kernelPick, kernels.length - 1)];
  const counts = PHASES.map((p) => trace.ops.filter((o) => o.phase === p.phase).length);

  return (
    <div
      ref={rootRef}
      onFocus={(e) => {
        lastFocused.current = e.target as HTMLElement;
      }}
      className="step-through"
      role="group"
      aria-roledescription="step-through"
      aria-labelledby={headingId}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="step-through"
    >
      <p id={headingId} className="visually-hidden">
        {label}
      </p>
      <div className="st-bar">
        <div className="button-row" role="group" aria-label="Step controls">
          <button type="button" onClick={() => go(index - 1)} disabled={index === 0}>
            Step back
          </button>
          <button type="button" className="primary" onClick={() => go(index + 1)} disabled={index >= n - 1}>
            Step forward
          </button>
          <button type="button" onClick={runToEnd} disabled={!playing && index >= n - 1}>
            {playing ? 'Stop' : 'Run to end'}
          </button>
        </div>
        <p className="st-position" aria-live="polite" data-testid="st-position">
          Step <strong>{index + 1}</strong> of {n} · <span className={`st-phase st-phase-${op.phase}`}>{PHASE_NAME[op.phase]}</span>
          {op.layer ? <> · {op.layer}</> : null}
        </p>
        <p className="st-keys muted small">← → step · Home / End</p>
      </div>

      <ol className="st-diagram" aria-label="Network">
        {diagram.map((d, i) => (
          <li key={d.id} className={`st-node${activeNode(d.id) ? ' active' : ''}`} aria-current={activeNode(d.id) ? 'true' : undefined}>
            {i > 0 ? (
              <span className="st-edge" aria-hidden="true">
                {op.phase === 'backward' ? '←' : '→'}
              </span>
            ) : null}
            <span className="st-node-box">
              <span className="st-node-title">{d.title}</span>
              <span className="st-node-detail">{d.detail}</span>
              {d.shape ? <span className="st-node-shape mono">{shapeText(d.shape)}</span> : null}
            </span>
          </li>
        ))}
      </ol>

      <div className="st-timeline-wrap">
        <ol ref={timelineRef} className="st-timeline" aria-label="Operations of the step">
          {trace.ops.map((o, i) => {
            const firstOfPhase = i === 0 || trace.ops[i - 1]!.phase !== o.phase;
            const p = PHASES.findIndex((q) => q.phase === o.phase);
            return (
              <li key={o.index} className={`st-op st-phase-${o.phase}${firstOfPhase ? ' first' : ''}`}>
                {firstOfPhase ? (
                  <span className="st-phase-title" aria-hidden="true">
                    {PHASES[p]!.title} ({counts[p]})
                  </span>
                ) : null}
                <button
                  type="button"
                  aria-current={i === index ? 'step' : undefined}
                  onClick={() => go(i)}
                >
                  {/* the accessible name is the visible text plus the hidden words */}
                  <span className="visually-hidden">Operation </span>
                  <span className="st-op-n">{i + 1}</span>
                  <span className="visually-hidden">({PHASE_NAME[o.phase]})</span>
                  <span className="st-op-layer">{o.layer ?? ''}</span>{' '}
                  <span className="st-op-eq">{shortLabel(o)}</span>
                  {marks?.[i] ? (
                    <span className={`st-mark st-mark-${marks[i]!.tone}`}>
                      <span aria-hidden="true">{marks[i]!.tone === 'agree' ? '✓' : '✗'}</span>
                      <span className="visually-hidden">, {marks[i]!.words}</span>
                    </span>
                  ) : null}
                </button>
              </li>
            );
          })}
        </ol>
      </div>

      <div className="st-detail">
        <h3 className="st-title">
          {index + 1}. {op.layer ? `${op.layer}, ` : ''}
          {PHASE_NAME[op.phase]} · <code>{op.op}</code>
        </h3>
        <MathBlock label={eq.text}>{eq.tex}</MathBlock>
        <p className="st-shapes mono" data-testid="st-shapes">
          {eq.text}
        </p>
        <p className="st-general muted small">
          {trace.equations[op.equation] ?? op.equation}
          {Object.keys(op.args).length ? (
            <>
              {' '}
              · <span className="mono">{Object.entries(op.args).map(([k, v]) => `${k} ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`).join(', ')}</span>
            </>
          ) : null}
        </p>

        <div className="st-tensors">
          <section aria-label="Inputs of the operation" className="st-tensor-group">
            <h4>In</h4>
            <div className="heatmap-row">
              {op.inputs.map((t, i) => (
                <TensorView key={`${t.role}-${i}`} t={t} testId={`st-in-${t.role}`} />
              ))}
            </div>
          </section>
          <section aria-label="Outputs of the operation" className="st-tensor-group">
            <h4>Out</h4>
            <div className="heatmap-row">
              {op.outputs.map((t, i) => (
                <TensorView key={`${t.role}-${i}`} t={t} testId={`st-out-${t.role}`} />
              ))}
            </div>
          </section>
        </div>

        {opExtra ? opExtra(index) : null}

        <div className="st-kernels">
          <h4>Kernel{kernels.length > 1 ? 's' : ''} that ran</h4>
          {kernels.length === 0 ? (
            <p className="muted small" data-testid="st-no-kernel">
              {trace.backend === 'cpu'
                ? `This step ran on the float64 CPU reference (${trace.deviceName}): its function ${op.op}() is the reference the WGSL kernel is checked against; no shader ran.`
                : `${op.op} dispatched no kernel: it only relabels the data (a reshape) or was folded into the op before it.`}
            </p>
          ) : (
            <>
              {kernels.length > 1 ? (
                <div className="button-row st-kernel-pick" role="group" aria-label="Kernels of this operation">
                  {kernels.map((k, i) => (
                    <button key={`${k.shader}:${k.entry}`} type="button" aria-pressed={i === kernelPick} onClick={() => setKernelPick(i)}>
                      {i + 1}. {k.entry}
                    </button>
                  ))}
                </div>
              ) : null}
              {kernel ? kernelView(kernel.shader, kernel.entry) : null}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
