// A notebook cell: a framed, titled section with its own anchor (#<id>), so a cell can
// be linked to and reached with the keyboard by its heading.

import type { ReactNode } from 'react';

export interface CellProps {
  id: string;
  /** e.g. "1.2" */
  number?: string;
  title: string;
  /** one line under the title: what the cell shows and computes */
  lead?: ReactNode;
  children: ReactNode;
  /** marks where the numbers come from, e.g. "float64 JavaScript" or "WebGPU kernel" */
  runsOn?: string;
}

export function Cell({ id, number, title, lead, children, runsOn }: CellProps) {
  const headingId = `${id}-title`;
  return (
    <section className="cell" id={id} aria-labelledby={headingId}>
      <header className="cell-head">
        <h2 id={headingId}>
          {number ? <span className="cell-number">{number}</span> : null}
          {title}
        </h2>
        {runsOn ? <span className="runs-on">{runsOn}</span> : null}
      </header>
      {lead ? <p className="cell-lead">{lead}</p> : null}
      <div className="cell-body">{children}</div>
    </section>
  );
}
