// The student's tensors for one mini-batch, forward and backward, each beside the
// reference: its shape, its first numbers, the largest difference from the reference and,
// where they disagree, the reference's first numbers too.

export interface TraceTensor {
  /** e.g. 'Z1 = X·W1 + b1', 'dL/dW2' */
  name: string;
  shape: number[];
  /** the student's first values (row-major) */
  values: number[];
  /** the reference's first values */
  reference: number[];
  /** max |student − reference| over the whole tensor */
  maxDiff: number;
  agree: boolean;
}

export interface TraceResult {
  tensors: TraceTensor[];
}

const SHOWN = 5;

function nums(v: readonly number[]): string {
  const head = v.slice(0, SHOWN).map((x) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x)));
  return head.join(', ') + (v.length > SHOWN ? ', …' : '');
}

export function TraceTable({ trace }: { trace: TraceResult }) {
  const bad = trace.tensors.filter((t) => !t.agree).length;
  return (
    <div className="trace-wrap">
      <table className="yourturn-table" data-testid="own-trace">
        <caption>
          One mini-batch through your layers: {trace.tensors.length} tensors,{' '}
          {bad ? `${bad} disagree${bad === 1 ? 's' : ''} with the reference` : 'all agree with the reference'}
        </caption>
        <thead>
          <tr>
            <th scope="col">tensor</th>
            <th scope="col">shape</th>
            <th scope="col">your numbers</th>
            <th scope="col">max |yours − reference|</th>
            <th scope="col">reference, where it differs</th>
          </tr>
        </thead>
        <tbody>
          {trace.tensors.map((t) => (
            <tr key={t.name} className={t.agree ? '' : 'disagree'}>
              <th scope="row">{t.name}</th>
              <td>({t.shape.join(', ')})</td>
              <td className="num">{nums(t.values)}</td>
              <td className="num">
                {t.maxDiff.toExponential(1)}
                {t.agree ? '' : ' ✗'}
              </td>
              <td className="num">{t.agree ? '—' : nums(t.reference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
