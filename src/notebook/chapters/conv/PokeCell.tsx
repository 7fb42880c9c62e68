// Cell: a convolution you can poke — a picture, a 3 × 3 kernel the student edits (or
// picks from presets), and the output map from the conv2d kernel; pointing at an output
// entry (mouse or arrow keys) highlights its window in the input and writes out the sum.

import { useState } from 'react';
import { NumberInput, Select } from '../../../ui/controls';
import { fmtError, fmtFixed } from '../../../ui/format';
import { referenceBackend, useBackendTask, useNearViewport } from '../../cells/backend-task';
import { TaskStatus } from '../../cells/TaskStatus';
import { ConvGrid } from './ConvGrid';
import { KERNEL_PRESETS, kernel9, paddedAt, pokeConvolution, POKE_K, type KernelPreset, type PokeResult } from './poke';
import { POKE_IMAGES, useConvLab, type PokeImage } from './settings';

const IMAGE_NAMES: Record<PokeImage, string> = { shapes: 'a square and a stroke', digit: 'a seven', stripes: 'stripes' };
const w2 = (v: number) => fmtFixed(v, 2, { trim: true });
/** a factor in a written-out sum: negatives in parentheses */
const factor = (v: number) => (v < 0 ? `(${w2(v)})` : w2(v));

function presetOf(weights: readonly number[]): KernelPreset | 'custom' {
  const k = kernel9(weights);
  const hit = (Object.keys(KERNEL_PRESETS) as KernelPreset[]).find((p) => KERNEL_PRESETS[p].every((v, i) => Math.abs(v - k[i]!) < 1e-9));
  return hit ?? 'custom';
}

function KernelEditor({ weights, onChange }: { weights: Float64Array; onChange: (w: number[]) => void }) {
  return (
    <fieldset className="poke-kernel">
      <legend>The kernel W (3 × 3)</legend>
      <div className="poke-kernel-grid">
        {Array.from(weights, (v, i) => (
          <NumberInput
            key={i}
            label={`W row ${Math.floor(i / POKE_K) + 1}, column ${(i % POKE_K) + 1}`}
            className="poke-weight"
            value={Math.round(v * 1000) / 1000}
            min={-9}
            max={9}
            step={0.1}
            onChange={(x) => onChange(Array.from(weights, (old, j) => (j === i ? x : old)))}
          />
        ))}
      </div>
    </fieldset>
  );
}

function SumReadout({ r, at }: { r: PokeResult; at: [number, number] }) {
  const [i, j] = at;
  const terms: string[] = [];
  for (let p = 0; p < POKE_K; p++)
    for (let q = 0; q < POKE_K; q++) terms.push(`${factor(paddedAt(r, i + p, j + q))}·${factor(r.w[p * POKE_K + q]!)}`);
  return (
    <p className="small mono poke-sum" data-testid="poke-sum" aria-live="polite">
      Y[{i}, {j}] = {terms.join(' + ')} = {w2(r.y[i * r.side + j]!)}
    </p>
  );
}

export function PokeCell() {
  const image = useConvLab((s) => s.pokeImage);
  const weights = useConvLab((s) => s.pokeKernel);
  const pad = useConvLab((s) => s.pokePad);
  const set = useConvLab((s) => s.set);
  const [at, setAt] = useState<[number, number]>([3, 3]);
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const task = useBackendTask(`${image}|${weights.join(',')}|${pad}`, (backend) => pokeConvolution(backend, referenceBackend(), image, weights, pad), near);
  const r = task.result;
  const k = kernel9(weights);
  const preset = presetOf(weights);
  const point = r ? ([Math.min(at[0], r.side - 1), Math.min(at[1], r.side - 1)] as [number, number]) : at;
  const xSide = r ? r.side + POKE_K - 1 : 0;
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <Select<PokeImage> label="Picture" value={image} options={POKE_IMAGES.map((v) => ({ value: v, label: IMAGE_NAMES[v] }))} onChange={(v) => set('pokeImage', v)} />
        <Select<KernelPreset | 'custom'>
          label="Kernel preset"
          value={preset}
          options={[...(Object.keys(KERNEL_PRESETS) as KernelPreset[]).map((p) => ({ value: p, label: p })), ...(preset === 'custom' ? [{ value: 'custom' as const, label: 'your own' }] : [])]}
          onChange={(v) => v !== 'custom' && set('pokeKernel', [...KERNEL_PRESETS[v]])}
        />
        <Select<'valid' | 'same'> label="Padding" value={pad} options={[{ value: 'valid', label: "'valid' (Y 8 × 8)" }, { value: 'same', label: "'same' (Y 10 × 10)" }]} onChange={(v) => set('pokePad', v)} />
      </div>
      <KernelEditor weights={k} onChange={(w) => set('pokeKernel', w)} />
      <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Convolving">
        {r ? (
          <>
            <div className="poke-grids">
              <ConvGrid
                title={r.border ? `X padded (${xSide}, ${xSide})` : `X (${xSide}, ${xSide})`}
                caption="the window under the cursor is outlined"
                rows={xSide}
                cols={xSide}
                value={(i, j) => paddedAt(r, i, j)}
                isPad={(i, j) => r.border > 0 && (i === 0 || j === 0 || i === xSide - 1 || j === xSide - 1)}
                mark={(i, j) => (i >= point[0] && i < point[0] + POKE_K && j >= point[1] && j < point[1] + POKE_K ? 'soft' : null)}
                scale="sequential"
                range={[0, 1.6]}
                cell={24}
                format={w2}
                testId="poke-x"
              />
              <ConvGrid
                title={`Y (${r.side}, ${r.side})`}
                caption="point at an entry, or focus and use the arrow keys"
                rows={r.side}
                cols={r.side}
                value={(i, j) => r.y[i * r.side + j]!}
                mark={(i, j) => (i === point[0] && j === point[1] ? 'strong' : null)}
                onPoint={(pt) => pt && setAt(pt)}
                cursor={point}
                cell={28}
                cellWidth={34}
                format={w2}
                testId="poke-y"
              />
            </div>
            <SumReadout r={r} at={point} />
            <p className="small" data-testid="poke-verdict">
              {r.kernels.length ? `Computed by ${[...new Set(r.kernels.map((x) => `${x.entry} (shaders/${x.shader}.wgsl)`))].join(' and ')}; ` : 'Computed by the CPU reference; '}
              {r.cmp.pass ? `agrees with float64 (largest difference ${fmtError(r.cmp.maxAbs)}).` : `${r.cmp.bad} of ${r.cmp.n} entries differ from float64.`} The same
              nine weights slide over every position: that sharing is what makes a convolution cheap and what lets a feature found in one
              corner be found everywhere.
            </p>
          </>
        ) : null}
      </TaskStatus>
    </div>
  );
}
