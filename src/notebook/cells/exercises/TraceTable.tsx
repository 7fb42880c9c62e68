// The student's tensors for one mini-batch, layer by layer, forward and backward, each
// beside the reference run with the same parameters: its shape, its first numbers, the
// largest |yours − reference| and, where they disagree, the reference's first numbers.

import { exactMatch } from '../../../exercises/step-compare';
import type { TraceResult, TracedTensor } from '../../../exercises/trace-student';

const SHOWN = 3;

/** a tensor agrees when |yours − reference| is within the exact check's tolerance (float64 on both sides) */
const agrees = (t: TracedTensor): boolean => exactMatch(t.maxAbsDiff, t.reference);

function nums(v: readonly number[]): string {
  const head = v.slice(0, SHOWN).map((x) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x)));
  return head.join(', ') + (v.length > SHOWN ? ', …' : '');
}

const diffText = (d: number) => (Number.isFinite(d) ? (d === 0 ? '0' : d.toExponential(1)) : 'shapes differ');

export function TraceTable({ trace }: { trace: TraceResult }) {
  const groups = trace.layers.map((l, li) => ({
    key: li,
    name: l.name,
    rows: Object.entries(l.tensors).map(([name, t]) => ({ name, t, ok: agrees(t) })),
  }));
  const rows = groups.flatMap((g) => g.rows);
  const bad = rows.filter((r) => !r.ok).length;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Your tensors beside the reference's">
      <table className="yourturn-table" data-testid="own-trace">
        <caption>
          One mini-batch through your layers: {rows.length} tensors, {bad ? `${bad} disagree${bad === 1 ? 's' : ''} with the reference` : 'all agree with the reference'}.
          Loss: yours {Number(trace.loss.yours.toPrecision(6))}, reference {Number(trace.loss.reference.toPrecision(6))}.
        </caption>
        <thead>
          <tr>
            <th scope="col">layer</th>
            <th scope="col">tensor</th>
            <th scope="col">shape</th>
            <th scope="col">your numbers</th>
            <th scope="col">max |yours − ref.|</th>
            <th scope="col">reference (if it differs)</th>
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody key={g.key}>
            {g.rows.map((r, i) => (
              <tr key={r.name} className={r.ok ? '' : 'disagree'}>
                {i === 0 ? (
                  <th scope="rowgroup" rowSpan={g.rows.length} className="trace-layer">
                    {g.name}
                  </th>
                ) : null}
                <th scope="row">{r.name}</th>
                <td className="shape">({r.t.shape.join(', ')})</td>
                <td className="num">{nums(r.t.data)}</td>
                <td className="num">
                  {diffText(r.t.maxAbsDiff)}
                  {r.ok ? '' : ' ✗'}
                </td>
                <td className="num">{r.ok ? '—' : nums(r.t.reference)}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
