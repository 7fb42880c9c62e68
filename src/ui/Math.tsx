// Typeset math with KaTeX. <M> is inline, <MathBlock> a display equation.
// A TeX error is reported on the console (the end-to-end tests fail on console errors)
// and shown in place as the raw source, so a broken formula never goes unnoticed.

import katex from 'katex';
import { useMemo } from 'react';

function render(tex: string, displayMode: boolean): { html: string } | { error: string } {
  try {
    return { html: katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'ignore', output: 'htmlAndMathml' }) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`KaTeX could not typeset ${JSON.stringify(tex)}: ${message}`);
    return { error: message };
  }
}

/**
 * Inline math: <M>{tex`\frac{\partial L}{\partial w}`}</M>. `p` is punctuation that
 * follows the formula; it is kept on the formula's line.
 */
export function M({ children, p }: { children: string; p?: string }) {
  const out = useMemo(() => render(children, false), [children]);
  if ('error' in out) return <code className="math-error" title={out.error}>{children}</code>;
  if (!p) return <span className="math-inline" dangerouslySetInnerHTML={{ __html: out.html }} />;
  return (
    <span className="math-inline nowrap">
      <span dangerouslySetInnerHTML={{ __html: out.html }} />
      {p}
    </span>
  );
}

/** Display math, centred on its own line; `label` names it for screen readers when useful. */
export function MathBlock({ children, label }: { children: string; label?: string }) {
  const out = useMemo(() => render(children, true), [children]);
  if ('error' in out) return <pre className="math-error" title={out.error}>{children}</pre>;
  return (
    <div
      className="math-block"
      role={label ? 'math' : undefined}
      aria-label={label}
      dangerouslySetInnerHTML={{ __html: out.html }}
    />
  );
}

/** String.raw, shorter: tex`\sum_i x_i` keeps backslashes as written. */
export const tex = String.raw;
