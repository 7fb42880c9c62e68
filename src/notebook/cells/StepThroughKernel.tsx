// The WGSL source of one kernel the step ran, from the shader registry (the text the
// engine compiled), with the entry point's function marked and scrolled into view
// inside the listing (the page itself does not move).

import { useLayoutEffect, useMemo, useRef } from 'react';
import { entryLines, SHADERS } from '../../engine/gpu/shaders';
import { CodeLine, tokenizeWgsl } from './KernelSource';

export interface StepThroughKernelProps {
  shader: string;
  entry: string;
  maxHeight?: number;
}

export function StepThroughKernel({ shader, entry, maxHeight = 360 }: StepThroughKernelProps) {
  const source = SHADERS[shader];
  const lines = useMemo(() => (source ?? '').replace(/\n$/, '').split('\n').map(tokenizeWgsl), [source]);
  const range = useMemo(() => (source ? entryLines(source, entry) : null), [source, entry]);
  const preRef = useRef<HTMLPreElement>(null);
  const firstRef = useRef<HTMLSpanElement>(null);

  useLayoutEffect(() => {
    const pre = preRef.current;
    const first = firstRef.current;
    if (!pre || !first) return;
    pre.scrollTop = Math.max(0, first.offsetTop - 12); // offsetTop is relative to the pre (position: relative)
  }, [shader, entry]);

  if (source === undefined) {
    return (
      <p className="notice warn" role="note">
        The step ran <code>{shader}</code>, which is not in the shader registry.
      </p>
    );
  }
  return (
    <figure className="kernel-source st-kernel">
      <figcaption className="kernel-title">
        <span>
          shaders/{shader}.wgsl · entry point <code>{entry}</code>
        </span>
        <span className="muted">
          {range ? `lines ${range[0] + 1}–${range[1] + 1} of ${lines.length}` : `${lines.length} lines`}
        </span>
      </figcaption>
      <pre
        ref={preRef}
        className="kernel-code"
        style={{ maxHeight }}
        tabIndex={0}
        aria-label={`WGSL source of ${shader}, entry point ${entry}${range ? ` on lines ${range[0] + 1} to ${range[1] + 1}` : ''}`}
      >
        <code>
          {lines.map((tokens, i) => {
            const inEntry = range !== null && i >= range[0] && i <= range[1];
            return <CodeLine key={i} n={i + 1} tokens={tokens} className={inEntry ? 'st-entry' : undefined} lineRef={range && i === range[0] ? firstRef : undefined} />;
          })}
        </code>
      </pre>
    </figure>
  );
}
