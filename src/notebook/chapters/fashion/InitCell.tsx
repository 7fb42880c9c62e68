// Cell: initializers — the spread of the activations layer by layer for Xavier, He and
// too-small weights, on 256 Fashion-MNIST test images through six dense layers, computed
// on the page's backend: a table of standard deviations and dead (ReLU) or saturated
// (tanh) shares, and the standard deviations plotted on a log scale.

import { useId, useState } from 'react';
import { Select } from '../../../ui/controls';
import { fmtSig } from '../../../ui/format';
import { useBackendTask, useNearViewport } from '../../cells/backend-task';
import { TaskStatus } from '../../cells/TaskStatus';
import { useFashionImages } from './test-images';
import { ImagesGate } from './ImagesGate';
import { INIT_KINDS, INIT_LABELS, initSpread, SPREAD, type InitKind, type InitSpread } from './init-spread';

const COLOURS: Record<InitKind, string> = { xavier: 'var(--accent)', he: 'var(--ok)', small: 'var(--warm)' };
const W = 420;
const H = 200;
const P = { l: 52, r: 12, t: 12, b: 30 };

function SpreadPlot({ r }: { r: InitSpread }) {
  const titleId = useId();
  const all = INIT_KINDS.flatMap((k) => r.layers[k].map((l) => l.std)).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all, r.inputStd)));
  const x = (l: number) => P.l + (l / SPREAD.depth) * (W - P.l - P.r);
  const y = (v: number) => P.t + ((hi - Math.log10(Math.max(v, 10 ** lo))) / Math.max(1, hi - lo)) * (H - P.t - P.b);
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="init-plot" role="img" aria-labelledby={titleId}>
      <title id={titleId}>Standard deviation of the activations per layer, log scale, for the three initializers</title>
      {decades.map((e) => (
        <g key={e}>
          <line x1={P.l} x2={W - P.r} y1={y(10 ** e)} y2={y(10 ** e)} className="init-grid" />
          <text x={P.l - 6} y={y(10 ** e) + 3} textAnchor="end" className="init-tick">
            1e{e}
          </text>
        </g>
      ))}
      {Array.from({ length: SPREAD.depth + 1 }, (_, l) => (
        <text key={l} x={x(l)} y={H - 10} textAnchor="middle" className="init-tick">
          {l === 0 ? 'X' : l}
        </text>
      ))}
      {INIT_KINDS.map((k) => (
        <polyline
          key={k}
          fill="none"
          stroke={COLOURS[k]}
          strokeWidth={2}
          points={[r.inputStd, ...r.layers[k].map((l) => l.std)].map((v, l) => `${x(l)},${y(v)}`).join(' ')}
        />
      ))}
    </svg>
  );
}

/** the average factor by which the spread changes per layer, from layer 1 to the last */
function perLayer(r: InitSpread, k: InitKind): string {
  const ls = r.layers[k];
  const f = (ls[ls.length - 1]!.std / ls[0]!.std) ** (1 / (ls.length - 1));
  return f >= 1 ? `×${fmtSig(f, 2)} per layer` : `÷${fmtSig(1 / f, 2)} per layer`;
}

export function InitCell() {
  const [activation, setActivation] = useState<'relu' | 'tanh'>('relu');
  const [nearRef, near] = useNearViewport<HTMLDivElement>();
  const images = useFashionImages((s) => s.data);
  const task = useBackendTask(`init|${activation}|${!!images}`, async (backend) => (images ? initSpread(backend, images, activation, 1) : null), near && !!images);
  const r = task.result;
  const offName = activation === 'relu' ? 'off (a = 0)' : 'saturated (|a| > 0.99)';
  return (
    <div ref={nearRef} className="lab-cell">
      <div className="controls-row">
        <Select<'relu' | 'tanh'> label="Activation" value={activation} options={[{ value: 'relu', label: 'ReLU' }, { value: 'tanh', label: 'tanh' }]} onChange={setActivation} />
      </div>
      <ImagesGate why="The cell pushes 256 test images through the layers; the test set is downloaded when you ask for it.">{() => null}</ImagesGate>
      {images ? (
        <TaskStatus failed={task.failed} error={task.error} running={task.running} hasResult={!!r} what="Pushing 256 images through six layers">
          {r ? (
            <>
              <div className="init-row">
                <SpreadPlot r={r} />
                <ul className="init-key small">
                  {INIT_KINDS.map((k) => (
                    <li key={k}>
                      <span className="init-swatch" style={{ background: COLOURS[k] }} aria-hidden="true" /> {INIT_LABELS[k]}
                    </li>
                  ))}
                </ul>
              </div>
              <div className="table-wrap">
                <table data-testid="init-table">
                  <caption>
                    Standard deviation of the activations after each layer ({r.activation === 'relu' ? 'ReLU' : 'tanh'}, {SPREAD.width} units, biases 0),
                    and the share of units {offName}; the input pixels have standard deviation {fmtSig(r.inputStd, 3)}.
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Layer</th>
                      {INIT_KINDS.map((k) => (
                        <th key={k} scope="col" className="num">
                          {INIT_LABELS[k]}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {r.layers.xavier.map((_, l) => (
                      <tr key={l}>
                        <th scope="row">{l + 1}</th>
                        {INIT_KINDS.map((k) => (
                          <td key={k} className="num mono" data-testid={`init-${k}-${l + 1}`}>
                            {fmtSig(r.layers[k][l]!.std, 3)} · {Math.round(100 * r.layers[k][l]!.deadOrSaturated)}% {activation === 'relu' ? 'off' : 'sat.'}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="small">
                {activation === 'relu'
                  ? `With ReLU, He keeps the spread about level from layer to layer (ReLU zeroes half of every layer, and the factor 2 makes up for it: ${perLayer(r, 'he')}); Xavier lets it shrink (${perLayer(r, 'xavier')}); too-small weights shrink it fast (${perLayer(r, 'small')}), and the gradients with it.`
                  : `With tanh, Xavier keeps the spread about level (${perLayer(r, 'xavier')}); He makes it larger and drives more units towards ±1, where tanh′ is near 0 (${perLayer(r, 'he')}); too-small weights make every layer nearly linear and the signal dies out (${perLayer(r, 'small')}).`}
              </p>
            </>
          ) : null}
        </TaskStatus>
      ) : null}
    </div>
  );
}
