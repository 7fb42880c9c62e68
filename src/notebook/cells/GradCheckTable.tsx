// The table and summary line of a gradient check: per parameter tensor, analytic against
// central-difference gradients, |a − n| ≤ atol + rtol·|n| per entry.

import { fmtError, fmtValue } from '../../ui/format';
import { GRAD_H, type GradRow } from './compare';

export function GradCheckTable({ result, caption }: { result: { rows: GradRow[] }; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="gc-table" data-testid="gradcheck-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Shape</th>
            <th scope="col" className="num">
              max |a − n|
            </th>
            <th scope="col" className="num">
              Relative error
            </th>
            <th scope="col">Worst entry: analytic / numerical</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r) => (
            <tr key={r.name} className={r.cmp.pass ? 'gc-pass' : 'gc-fail'}>
              <th scope="row" className="mono">
                {r.name}
              </th>
              <td className="mono">({r.shape.join(', ')})</td>
              <td className="num mono">{fmtError(r.cmp.maxAbs)}</td>
              <td className="num mono">{fmtError(r.cmp.relErr)}</td>
              <td className="mono small">
                [{r.cmp.worst}] {fmtValue(r.analytic[r.cmp.worst]!)} / {fmtValue(r.numerical[r.cmp.worst]!)}
              </td>
              <td className="gc-verdict">
                {r.cmp.pass ? 'pass' : r.cmp.nonFinite ? `fail: ${r.cmp.nonFinite} of ${r.cmp.n} not finite` : `fail: ${r.cmp.bad} of ${r.cmp.n} off`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `config` names what was checked (e.g. "unfused|wrong"), so a reader of the page can tell a fresh result from the previous one */
export function GradCheckSummary({ pass, worst, detail, config }: { pass: boolean; worst: number; detail: string; config: string }) {
  return (
    <p className={`check-summary ${pass ? 'pass' : 'fail'}`} data-testid="gradcheck-summary" data-config={config} role="status">
      <strong>{pass ? 'PASS' : 'FAIL'}</strong> · worst relative error{' '}
      <span className="mono" data-testid="gradcheck-worst">
        {fmtError(worst)}
      </span>{' '}
      · {detail}
    </p>
  );
}

/**
 * The warning under a gradient check when a pre-activation lies within 10·h of ReLU's kink
 * at 0: a central difference there can straddle the kink, so the numerical derivative is
 * unreliable (nothing is shown otherwise).
 */
export function KinkWarning({ minAbsZ, which, retry }: { minAbsZ: number; which: string; retry: string }) {
  if (!(minAbsZ < 10 * GRAD_H)) return null;
  return (
    <p className="notice warn">
      {which} lies within {fmtValue(minAbsZ)} of ReLU's kink at 0, less than ten steps h: a central difference there can straddle the kink,
      so the numerical derivative is unreliable. {retry}
    </p>
  );
}
