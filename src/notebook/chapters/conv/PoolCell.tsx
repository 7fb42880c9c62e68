// Cell: max and average pooling on the page's backend (pool.wgsl), forward and backward,
// checked against float64 — with the routing of the gradient drawn: each dY goes to the
// arg-max of its window (max) or is spread over the window (average).

import { useState } from 'react';
import { CONV_LIMITS, POOL_PADS, useConvLab, type PoolMode, type PoolPad } from './settings';
import { Select } from '../../../ui/controls';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtError, fmtFixed } from '../../../ui/format';
import { TaskStatus } from '../../cells/TaskStatus';
import { ConvGrid } from './ConvGrid';
import { CONV_ATOL, CONV_RTOL, NO_ARGMAX, padded, poolLab, tryWindow, type PoolLabResult } from './conv-lab';

const SIZE = 6;
const fmt = (v: number) => fmtFixed(v, 2, { integers: true });

/** dX (H × W) on the left, dY (oh × ow) on the right, an arrow for every route of the gradient */
function Routing({ r, sel, onSel }: { r: PoolLabResult; sel: number; onSel: (p: number) => void }) {
  const { win } = r;
  const cell = 34;
  const gap = 110;
  const left = 0;
  const right = win.w * cell + gap;
  const width = right + win.ow * cell;
  const height = Math.max(win.h, win.oh) * cell;
  const top = (win.h * cell - win.oh * cell) / 2;
  const outCentre = (p: number) => ({ x: right + (p % win.ow) * cell + cell / 2, y: top + Math.floor(p / win.ow) * cell + cell / 2 });
  const inCentre = (i: number, j: number) => ({ x: left + j * cell + cell / 2, y: i * cell + cell / 2 });
  const routes: { p: number; i: number; j: number }[] = [];
  for (let p = 0; p < win.oh * win.ow; p++) {
    if (r.mode === 'max') {
      const a = r.argmax![p]!;
      if (a !== NO_ARGMAX) routes.push({ p, i: Math.floor(a / win.w), j: a % win.w });
    } else if (p === sel) {
      const d1 = Math.floor(p / win.ow);
      const d2 = p % win.ow;
      for (let i = 0; i < win.kh; i++)
        for (let j = 0; j < win.kw; j++) {
          const hi = d1 * win.stride + i - win.padTop;
          const wj = d2 * win.stride + j - win.padLeft;
          if (hi >= 0 && hi < win.h && wj >= 0 && wj < win.w) routes.push({ p, i: hi, j: wj });
        }
    }
  }
  const dxRange = Math.max(...Array.from(r.dx, Math.abs), 1);
  const cellRect = (x: number, y: number, v: number, key: string, strong: boolean, range: number) => {
    const t = Math.min(1, Math.abs(v) / range);
    const fill = `rgba(178, 24, 43, ${(0.08 + 0.72 * t).toFixed(3)})`;
    return (
      <g key={key} transform={`translate(${x},${y})`}>
        <rect width={cell - 2} height={cell - 2} fill={v === 0 ? '#f4f5f7' : fill} stroke={strong ? '#111827' : 'none'} strokeWidth={strong ? 2 : 0} />
        <text x={(cell - 2) / 2} y={(cell - 2) / 2} fontSize={11} textAnchor="middle" dominantBaseline="central" fill={t > 0.55 ? '#fff' : '#1b1f27'}>
          {fmt(v)}
        </text>
      </g>
    );
  };
  const selected = new Set(routes.filter((q) => q.p === sel).map((q) => q.i * win.w + q.j));
  return (
    <figure className="pool-routing">
      <figcaption className="heatmap-title">
        <span className="shape-label">
          dX (1, {win.h}, {win.w}, 1) ← dY (1, {win.oh}, {win.ow}, 1)
        </span>
        <span className="heatmap-caption"> — {r.mode === 'max' ? 'every arrow is one output’s gradient, sent to its arg-max' : 'the chosen output’s gradient, spread over its window'}</span>
      </figcaption>
      <div className="cg-scroll">
        <svg
          width={width}
          height={height + 4}
          viewBox={`0 -2 ${width} ${height + 4}`}
          role="img"
          aria-label={`Gradient routing: ${routes.length} arrows from dY to dX. ${
            r.mode === 'max' ? 'Each output sends its whole gradient to the position of its maximum.' : `Output ${sel} sends dY/${win.kh * win.kw} to each position of its window.`
          }`}
          data-testid="pool-routing"
        >
          <defs>
            <marker id="pool-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#2f5fa7" />
            </marker>
          </defs>
          {Array.from({ length: win.h * win.w }, (_, k) => {
            const i = Math.floor(k / win.w);
            const j = k % win.w;
            return cellRect(left + j * cell, i * cell, r.dx[k]!, `dx${k}`, selected.has(k), dxRange);
          })}
          {Array.from({ length: win.oh * win.ow }, (_, p) => {
            const c = outCentre(p);
            return (
              <g key={`dy${p}`} onMouseEnter={() => onSel(p)} style={{ cursor: 'pointer' }}>
                {cellRect(c.x - cell / 2, c.y - cell / 2, r.dy[p]!, `dyc${p}`, p === sel, 9)}
              </g>
            );
          })}
          {routes.map((q, k) => {
            const a = outCentre(q.p);
            const b = inCentre(q.i, q.j);
            const from = { x: a.x - cell / 2 + 2, y: a.y };
            const to = { x: b.x + cell / 2 - 6, y: b.y };
            const mx = (from.x + to.x) / 2;
            const strong = q.p === sel;
            return (
              <path
                key={`r${k}`}
                d={`M ${from.x} ${from.y} C ${mx} ${from.y}, ${mx} ${to.y}, ${to.x} ${to.y}`}
                className={`pool-route${strong ? ' strong' : ''}`}
                markerEnd="url(#pool-arrow)"
                data-testid="pool-route"
              />
            );
          })}
        </svg>
      </div>
    </figure>
  );
}

function PoolViews({ r }: { r: PoolLabResult }) {
  const { win } = r;
  const [sel, setSel] = useState(0);
  const xp = padded(r.x, win);
  const d1 = Math.floor(sel / win.ow);
  const d2 = sel % win.ow;
  const inWin = (i: number, j: number) => i >= d1 * win.stride && i < d1 * win.stride + win.kh && j >= d2 * win.stride && j < d2 * win.stride + win.kw;
  const am = r.argmax ? r.argmax[sel]! : NO_ARGMAX;
  const isArg = (i: number, j: number) => am !== NO_ARGMAX && i - win.padTop === Math.floor(am / win.w) && j - win.padLeft === am % win.w;
  const isPad = (i: number, j: number) => i < win.padTop || i >= win.padTop + win.h || j < win.padLeft || j >= win.padLeft + win.w;
  const fromPadding = r.argmax ? r.argmax.filter((a) => a === NO_ARGMAX).length : 0;
  return (
    <>
      <div className="im-flow">
        <ConvGrid
          title={`Xpad (${xp.h}, ${xp.w})`}
          caption={`X (1, ${win.h}, ${win.w}, 1)`}
          rows={xp.h}
          cols={xp.w}
          value={(i, j) => xp.data[i * xp.w + j]!}
          isPad={isPad}
          mark={(i, j) => (isArg(i, j) ? 'strong' : inWin(i, j) ? 'soft' : null)}
          scale="sequential"
          range={[0, SIZE * SIZE]}
          cell={32}
          testId="pool-x"
        />
        <span className="im-op" aria-hidden="true">
          {r.mode === 'max' ? 'max →' : 'mean →'}
        </span>
        <ConvGrid
          title={`Y (${win.oh}, ${win.ow})`}
          caption={`Y (1, ${win.oh}, ${win.ow}, 1)`}
          rows={win.oh}
          cols={win.ow}
          value={(a, b) => r.y[a * win.ow + b]!}
          mark={(a, b) => (a * win.ow + b === sel ? 'strong' : null)}
          onPoint={(pt) => pt && setSel(pt[0] * win.ow + pt[1])}
          scale="sequential"
          range={[0, SIZE * SIZE]}
          cell={32}
          testId="pool-y"
        />
      </div>
      <p className="im-readout small" aria-live="polite" data-testid="pool-readout">
        Output ({d1}, {d2}) = {fmt(r.y[sel]!)}: the {r.mode === 'max' ? 'maximum' : 'mean'} of the {win.kh} × {win.kw} window at rows {d1 * win.stride}–
        {d1 * win.stride + win.kh - 1}, columns {d2 * win.stride}–{d2 * win.stride + win.kw - 1} of the padded input
        {r.mode === 'max'
          ? am === NO_ARGMAX
            ? ', a padding zero — its gradient goes nowhere.'
            : `, found at input position (${Math.floor(am / win.w)}, ${am % win.w}); backward, dY = ${fmt(r.dy[sel]!)} goes there and nowhere else.`
          : `; backward, each of its ${win.kh * win.kw} positions gets dY/${win.kh * win.kw} = ${fmt(r.dy[sel]! / (win.kh * win.kw))} (padding positions take their share and drop it).`}
      </p>
      <Routing r={r} sel={sel} onSel={setSel} />
      {r.mode === 'max' && win.stride < win.kh ? (
        <p className="small muted">The windows overlap (stride {win.stride} &lt; window {win.kh}): a pixel that is the maximum of several windows collects all their gradients, added.</p>
      ) : null}
      {fromPadding ? <p className="small muted">{fromPadding} outputs took their maximum from a padding zero; their gradient is dropped.</p> : null}
    </>
  );
}

export function PoolCell() {
  const mode = useConvLab((s) => s.poolMode);
  const poolWindow = useConvLab((s) => s.poolWindow);
  const stride = useConvLab((s) => s.poolStride);
  const pad = useConvLab((s) => s.poolPad);
  const seed = useConvLab((s) => s.seed);
  const set = useConvLab((s) => s.set);
  const geom = tryWindow('pool2d', [1, SIZE, SIZE, 1], poolWindow, stride, pad);
  const fits = 'win' in geom;
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${mode}|${poolWindow}|${stride}|${pad}|${seed}|${fits}`, (backend) =>
    fits ? poolLab(backend, referenceBackend(), { size: SIZE, mode, window: poolWindow, stride, pad, seed }) : Promise.resolve(null), near);
  const r = task.result;
  const opts = (lo: number, hi: number, lab: (v: number) => string) => Array.from({ length: hi - lo + 1 }, (_, i) => ({ value: String(lo + i), label: lab(lo + i) }));
  return (
    <div ref={nearRef} className="lab-cell">
      <fieldset className="conv-settings">
        <legend>Pooling</legend>
        <div className="controls-row">
          <Select<PoolMode>
            label="Pooling"
            value={mode}
            options={[
              { value: 'max', label: 'max' },
              { value: 'avg', label: 'average' },
            ]}
            onChange={(v) => set('poolMode', v)}
          />
          <Select label="Window" value={String(poolWindow)} options={opts(...CONV_LIMITS.poolWindow, (v) => `${v} × ${v}`)} onChange={(v) => set('poolWindow', Number(v))} />
          <Select label="Pool stride" value={String(stride)} options={opts(...CONV_LIMITS.poolStride, String)} onChange={(v) => set('poolStride', Number(v))} />
          <Select<PoolPad> label="Pool padding" value={pad} options={POOL_PADS.map((p) => ({ value: p, label: p === 'same' || p === 'valid' ? `'${p}'` : p }))} onChange={(v) => set('poolPad', v)} />
        </div>
      </fieldset>
      {!fits ? (
        <p className="notice warn" role="status">
          {'error' in geom ? geom.error : ''}
        </p>
      ) : (
        <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Pooling forward and backward">
          {r ? (
            <>
              <PoolViews key={`${r.mode}|${r.win.kh}|${r.win.stride}|${r.win.padTop}|${r.win.padBottom}`} r={r} />
              <div className="table-wrap">
                <table data-testid="pool-checks">
                  <caption>
                    pool.wgsl on {task.backend?.kind === 'webgpu' ? 'the GPU' : 'the CPU reference'} against float64 (|x − ref| ≤ {fmtError(CONV_ATOL)} + {fmtError(CONV_RTOL)}·|ref|; arg-max exact)
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Result</th>
                      <th scope="col" className="num">
                        max |x − ref|
                      </th>
                      <th scope="col">Verdict</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.checks.map((c) => (
                      <tr key={c.name} className={c.cmp.pass ? 'gc-pass' : 'gc-fail'}>
                        <th scope="row">{c.name}</th>
                        <td className="num mono">{fmtError(c.cmp.maxAbs)}</td>
                        <td className="gc-verdict">{c.cmp.pass ? 'agrees' : `${c.cmp.bad} of ${c.cmp.n} off`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </TaskStatus>
      )}
    </div>
  );
}
