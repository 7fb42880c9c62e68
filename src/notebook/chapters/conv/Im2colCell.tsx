// Cell: im2col laid out. An input image with its padding, every window copied into a row
// of the cols matrix, the product with the reshaped weights, and the feature maps —
// computed by the page's backend (im2col.wgsl, matmul.wgsl) and checked against the
// float64 reference; and the way back, dX = col2im(dZ·W_flatᵀ). Pointing at an output,
// a row or a pixel highlights the same numbers in every view.

import { useMemo, useState } from 'react';
import { CONV_LIMITS, CONV_PADS, useConvLab, type ConvPad } from './settings';
import { M, tex } from '../../../ui/Math';
import { Select } from '../../../ui/controls';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { fmtError, fmtFixed } from '../../../ui/format';
import { TaskStatus } from '../../cells/TaskStatus';
import { ConvGrid, type Mark } from './ConvGrid';
import { CONV_ATOL, CONV_RTOL, im2colLab, padded, tryWindow, type Im2colResult } from './conv-lab';

const PAD_LABEL: Record<ConvPad, string> = { same: "'same'", valid: "'valid'", '0': '0', '1': '1', '2': '2' };

/** the geometry controls of chapter 4 (input size, channels, kernel, stride, padding) */
export function ConvGeometryControls() {
  const size = useConvLab((s) => s.size);
  const channels = useConvLab((s) => s.channels);
  const kernel = useConvLab((s) => s.kernel);
  const stride = useConvLab((s) => s.stride);
  const pad = useConvLab((s) => s.pad);
  const seed = useConvLab((s) => s.seed);
  const set = useConvLab((s) => s.set);
  const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i));
  return (
    <fieldset className="conv-settings">
      <legend>Convolution</legend>
      <div className="controls-row">
        <Select label="Input size" value={String(size)} options={range(...CONV_LIMITS.size).map((v) => ({ value: v, label: `${v} × ${v}` }))} onChange={(v) => set('size', Number(v))} />
        <Select label="Channels" value={String(channels)} options={range(...CONV_LIMITS.channels).map((v) => ({ value: v, label: v }))} onChange={(v) => set('channels', Number(v))} />
        <Select label="Kernel size" value={String(kernel)} options={range(...CONV_LIMITS.kernel).map((v) => ({ value: v, label: `${v} × ${v}` }))} onChange={(v) => set('kernel', Number(v))} />
        <Select label="Stride" value={String(stride)} options={range(...CONV_LIMITS.stride).map((v) => ({ value: v, label: v }))} onChange={(v) => set('stride', Number(v))} />
        <Select<ConvPad> label="Padding" value={pad} options={CONV_PADS.map((p) => ({ value: p, label: PAD_LABEL[p] }))} onChange={(v) => set('pad', v)} />
        <button type="button" onClick={() => set('seed', seed + 1)}>
          New numbers
        </button>
      </div>
    </fieldset>
  );
}

/** what is pointed at: an output position (a row of cols) or a pixel (i, j, c) of the padded input */
type Focus = { kind: 'out'; p: number } | { kind: 'pixel'; i: number; j: number; c: number } | null;

function ImViews({ r }: { r: Im2colResult }) {
  const { win, filters: F } = r;
  const { kh, kw, c: C, stride: s, oh, ow } = win;
  const kc = kh * kw * C;
  const rows = oh * ow;
  const [focus, setFocus] = useState<Focus>({ kind: 'out', p: 0 });
  const xp = useMemo(() => padded(r.x, win), [r.x, win]);
  const isPadAt = (i: number, j: number) => i < win.padTop || i >= win.padTop + win.h || j < win.padLeft || j >= win.padLeft + win.w;
  const cell = rows <= 25 ? 22 : rows <= 49 ? 17 : 12;
  // decimals need wider cells than the image's single digits
  const wide = cell >= 16 ? 40 : cell;

  // cols[p, (i·kw + j)·C + c] = Xpad[d1·s + i, d2·s + j, c] with p = d1·ow + d2
  const source = (p: number, q: number) => {
    const d1 = Math.floor(p / ow);
    const d2 = p % ow;
    const c = q % C;
    const ij = Math.floor(q / C);
    return { i: d1 * s + Math.floor(ij / kw), j: d2 * s + (ij % kw), c };
  };
  const pAt = focus?.kind === 'out' ? focus.p : null;
  const inWindow = (p: number, i: number, j: number) => {
    const d1 = Math.floor(p / ow);
    const d2 = p % ow;
    return i >= d1 * s && i < d1 * s + kh && j >= d2 * s && j < d2 * s + kw;
  };
  const colsMark = (p: number, q: number): Mark => {
    if (pAt !== null) return p === pAt ? 'strong' : null;
    if (focus?.kind === 'pixel') {
      const src = source(p, q);
      return src.i === focus.i && src.j === focus.j && src.c === focus.c ? 'strong' : null;
    }
    return null;
  };
  const pixelMark = (c: number) => (i: number, j: number): Mark => {
    if (pAt !== null) return inWindow(pAt, i, j) ? 'strong' : null;
    if (focus?.kind === 'pixel') return focus.i === i && focus.j === j && focus.c === c ? 'strong' : null;
    return null;
  };
  const copies = focus?.kind === 'pixel' ? Array.from({ length: rows * kc }, (_, k) => colsMark(Math.floor(k / kc), k % kc)).filter(Boolean).length : 0;
  const d1 = pAt !== null ? Math.floor(pAt / ow) : 0;
  const d2 = pAt !== null ? pAt % ow : 0;
  const fmt2 = (v: number) => fmtFixed(v, 2, { integers: true });

  return (
    <>
      <div className="im-flow" data-testid="im2col-views">
        {Array.from({ length: C }, (_, c) => (
          <ConvGrid
            key={`x${c}`}
            title={`Xpad (${xp.h}, ${xp.w})${C > 1 ? `, channel ${c}` : ''}`}
            caption={`X (1, ${win.h}, ${win.w}, ${C}) padded`}
            rows={xp.h}
            cols={xp.w}
            value={(i, j) => xp.data[(i * xp.w + j) * C + c]!}
            isPad={isPadAt}
            mark={pixelMark(c)}
            onPoint={(pt) => pt && setFocus({ kind: 'pixel', i: pt[0], j: pt[1], c })}
            scale="sequential"
            range={[0, 9]}
            cell={xp.w > 9 ? 22 : 28}
            testId={`im2col-xpad-${c}`}
          />
        ))}
        <span className="im-op" aria-hidden="true">
          →
        </span>
        <ConvGrid
          title={`cols (${rows}, ${kc})`}
          caption="one window per row"
          rows={rows}
          cols={kc}
          value={(p, q) => r.cols[p * kc + q]!}
          mark={colsMark}
          onPoint={(pt) => pt && setFocus({ kind: 'out', p: pt[0] })}
          scale="sequential"
          range={[0, 9]}
          cell={cell}
          testId="im2col-cols"
        />
        <span className="im-op" aria-hidden="true">
          ·
        </span>
        <ConvGrid title={`W_flat (${kc}, ${F})`} rows={kc} cols={F} value={(q, f) => r.w[q * F + f]!} cell={cell} cellWidth={wide} format={fmt2} testId="im2col-wflat" />
        <span className="im-op" aria-hidden="true">
          +
        </span>
        <ConvGrid title={`b (1, ${F})`} rows={1} cols={F} value={(_, f) => r.b[f]!} cell={22} cellWidth={40} format={fmt2} />
        <span className="im-op" aria-hidden="true">
          =
        </span>
        <ConvGrid
          title={`Z_flat (${rows}, ${F})`}
          rows={rows}
          cols={F}
          value={(p, f) => r.zflat[p * F + f]!}
          mark={(p) => (p === pAt ? 'strong' : null)}
          onPoint={(pt) => pt && setFocus({ kind: 'out', p: pt[0] })}
          cell={cell}
          cellWidth={wide}
          format={(v) => v.toFixed(1)}
          testId="im2col-zflat"
        />
        <span className="im-op" aria-hidden="true">
          →
        </span>
        {Array.from({ length: F }, (_, f) => (
          <ConvGrid
            key={`z${f}`}
            title={`Z[0, :, :, ${f}] (${oh}, ${ow})`}
            caption={f === 0 ? `Z (1, ${oh}, ${ow}, ${F})` : undefined}
            rows={oh}
            cols={ow}
            value={(a, b) => r.zflat[(a * ow + b) * F + f]!}
            mark={(a, b) => (pAt !== null && a * ow + b === pAt ? 'strong' : null)}
            onPoint={(pt) => pt && setFocus({ kind: 'out', p: pt[0] * ow + pt[1] })}
            cell={ow > 8 ? 24 : 28}
            cellWidth={ow > 8 ? 34 : 38}
            format={(v) => v.toFixed(1)}
            testId={`im2col-z-${f}`}
          />
        ))}
      </div>
      <p className="im-readout small" aria-live="polite" data-testid="im2col-readout">
        {pAt !== null ? (
          <>
            Output <span className="mono">(d1, d2) = ({d1}, {d2})</span> is row <span className="mono">{pAt}</span> of cols: the window of the
            padded input at rows {d1 * s}–{d1 * s + kh - 1}, columns {d2 * s}–{d2 * s + kw - 1}; <span className="mono">Z_flat[{pAt}, :] = (
            {Array.from(r.zflat.subarray(pAt * F, pAt * F + F), (v) => v.toFixed(2)).join(', ')})</span>.
          </>
        ) : focus?.kind === 'pixel' ? (
          <>
            Padded pixel <span className="mono">({focus.i}, {focus.j}{C > 1 ? `, ${focus.c}` : ''})</span>
            {isPadAt(focus.i, focus.j) ? ' is padding' : ''}: im2col copies it into {copies} {copies === 1 ? 'entry' : 'entries'} of cols
            {copies ? '' : ' (no window covers it)'} — and on the way back, col2im adds up the gradients of those same {copies} entries.
          </>
        ) : null}
      </p>

      <h3 className="im-subhead">The way back: dX = col2im(dZ_flat · W_flatᵀ)</h3>
      <div className="im-flow">
        <ConvGrid title={`dZ_flat (${rows}, ${F})`} caption="given" rows={rows} cols={F} value={(p, f) => r.dz[p * F + f]!} mark={(p) => (p === pAt ? 'strong' : null)} onPoint={(pt) => pt && setFocus({ kind: 'out', p: pt[0] })} cell={cell} cellWidth={wide} format={fmt2} testId="im2col-dz" />
        <span className="im-op" aria-hidden="true">
          · W_flatᵀ =
        </span>
        <ConvGrid title={`dcols (${rows}, ${kc})`} rows={rows} cols={kc} value={(p, q) => r.dcols[p * kc + q]!} mark={colsMark} onPoint={(pt) => pt && setFocus({ kind: 'out', p: pt[0] })} cell={cell} cellWidth={wide} format={fmt2} testId="im2col-dcols" />
        <span className="im-op" aria-hidden="true">
          col2im →
        </span>
        {Array.from({ length: C }, (_, c) => (
          <ConvGrid
            key={`dx${c}`}
            title={`dX (${win.h}, ${win.w})${C > 1 ? `, channel ${c}` : ''}`}
            caption={`dX (1, ${win.h}, ${win.w}, ${C})`}
            rows={win.h}
            cols={win.w}
            value={(i, j) => r.dx[(i * win.w + j) * C + c]!}
            mark={(i, j) => pixelMark(c)(i + win.padTop, j + win.padLeft)}
            onPoint={(pt) => pt && setFocus({ kind: 'pixel', i: pt[0] + win.padTop, j: pt[1] + win.padLeft, c })}
            cell={28}
            cellWidth={40}
            format={fmt2}
            testId={`im2col-dx-${c}`}
          />
        ))}
      </div>
    </>
  );
}

export function Im2colCell() {
  const size = useConvLab((s) => s.size);
  const channels = useConvLab((s) => s.channels);
  const kernel = useConvLab((s) => s.kernel);
  const stride = useConvLab((s) => s.stride);
  const pad = useConvLab((s) => s.pad);
  const seed = useConvLab((s) => s.seed);
  const geom = tryWindow('im2col', [1, size, size, channels], kernel, stride, pad);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${size}|${channels}|${kernel}|${stride}|${pad}|${seed}|${'error' in geom}`, (backend) =>
    'error' in geom ? Promise.resolve(null) : im2colLab(backend, referenceBackend(), { size, channels, kernel, stride, pad, seed }), near);
  const r = task.result;
  const win = 'win' in geom ? geom.win : null;
  const kc = kernel * kernel * channels;

  return (
    <div ref={nearRef} className="lab-cell">
      <ConvGeometryControls />
      {win ? (
        <>
          <p className="mono small" data-testid="im2col-shapes">
            X (1, {size}, {size}, {channels}) → cols ({win.oh * win.ow}, {kc}) · W_flat ({kc}, 2) + 1·b (1, 2) = Z_flat ({win.oh * win.ow}, 2) → Z (1,{' '}
            {win.oh}, {win.ow}, 2)
          </p>
          <p className="small" data-testid="im2col-outsize">
            Output size: <M>{tex`H_\text{out} = \lfloor (${size} + ${win.padTop} + ${win.padBottom} - ${kernel}) / ${stride} \rfloor + 1 = ${win.oh}`}</M>
            {win.padTop !== win.padBottom ? ` (padding 'same' with an even total puts the extra row at the bottom and the extra column at the right)` : ''}.
          </p>
        </>
      ) : (
        <p className="notice warn" role="status">
          {'error' in geom ? geom.error : ''}
        </p>
      )}
      {win ? (
        <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Running im2col and the product">
          {r ? (
            <>
              <ImViews key={`${r.win.h}|${r.win.c}|${r.win.kh}|${r.win.stride}|${r.win.padTop}|${r.win.padBottom}`} r={r} />
              <div className="table-wrap">
                <table data-testid="im2col-checks">
                  <caption>
                    Each result on {task.backend?.kind === 'webgpu' ? 'the GPU' : 'the CPU reference'} against the float64 reference (|x − ref| ≤ {fmtError(CONV_ATOL)} + {fmtError(CONV_RTOL)}·|ref|)
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Result</th>
                      <th scope="col">Kernels</th>
                      <th scope="col" className="num">
                        max |x − ref|
                      </th>
                      <th scope="col">Verdict</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.checks.map((c) => (
                      <tr key={c.name} className={c.cmp.pass ? 'gc-pass' : 'gc-fail'}>
                        <th scope="row" className="mono">
                          {c.name}
                        </th>
                        <td className="small">{task.backend?.kind === 'webgpu' ? c.kernels : 'float64 loops (no shader)'}</td>
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
      ) : null}
    </div>
  );
}
