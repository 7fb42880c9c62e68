// The WGSL source of a kernel, exactly as the engine compiles it (from the shader
// registry), with line numbers and light syntax colouring.

import { useMemo, type Ref } from 'react';
import { SHADERS } from '../../engine/gpu/shaders';

type Token = { kind: 'comment' | 'keyword' | 'type' | 'number' | 'attr' | 'builtin' | 'plain'; text: string };

const KEYWORDS = new Set(
  'fn let var const override struct return if else for while loop break continue switch case default discard alias enable requires diagnostic'.split(' '),
);
const TYPES = /^(f32|f16|i32|u32|bool|vec[234][fiuh]?|mat[234]x[234][fh]?|array|atomic|ptr|sampler|texture_\w+|storage|uniform|workgroup|function|private|read|write|read_write)$/;
const BUILTINS = new Set(
  'workgroupBarrier storageBarrier atomicAdd atomicLoad atomicStore atomicMax atomicMin arrayLength select min max clamp abs exp log sqrt pow tanh floor ceil fma dot bitcast'.split(' '),
);
const TOKEN = /(\/\/[^\n]*)|(@\w+)|(\b\d+(?:\.\d*)?(?:e[+-]?\d+)?[uif]?\b|\b0x[0-9a-f]+[ui]?\b)|([A-Za-z_]\w*)|([^A-Za-z_\d@/]+|\/)/gi;

export function tokenizeWgsl(line: string): Token[] {
  const out: Token[] = [];
  for (const m of line.matchAll(TOKEN)) {
    const [text, comment, attr, num, ident] = m;
    if (comment) out.push({ kind: 'comment', text });
    else if (attr) out.push({ kind: 'attr', text });
    else if (num) out.push({ kind: 'number', text });
    else if (ident) {
      out.push({
        kind: KEYWORDS.has(ident) ? 'keyword' : TYPES.test(ident) ? 'type' : BUILTINS.has(ident) ? 'builtin' : 'plain',
        text,
      });
    } else out.push({ kind: 'plain', text });
  }
  return out;
}

/** one line of WGSL, its tokens coloured by kind */
export function LineTokens({ tokens }: { tokens: Token[] }) {
  return (
    <>
      {tokens.map((t, k) =>
        t.kind === 'plain' ? (
          t.text
        ) : (
          <span key={k} className={`tok-${t.kind}`}>
            {t.text}
          </span>
        ),
      )}
    </>
  );
}

/** one numbered line of WGSL (`lineRef` on the line a view scrolls to) */
export function CodeLine({ n, tokens, className, lineRef }: { n: number; tokens: Token[]; className?: string; lineRef?: Ref<HTMLSpanElement> }) {
  return (
    <span className={`code-line${className ? ` ${className}` : ''}`} ref={lineRef}>
      <span className="line-no" aria-hidden="true">
        {n}
      </span>
      <LineTokens tokens={tokens} />
      {'\n'}
    </span>
  );
}

export interface KernelSourceProps {
  /** registry name: the file shaders/<name>.wgsl */
  name: string;
  title?: string;
  /** height limit in CSS pixels before the listing scrolls */
  maxHeight?: number;
}

export function KernelSource({ name, title, maxHeight = 420 }: KernelSourceProps) {
  const source = SHADERS[name];
  const lines = useMemo(() => (source ?? '').replace(/\n$/, '').split('\n').map(tokenizeWgsl), [source]);
  const heading = title ?? `shaders/${name}.wgsl`;
  if (source === undefined) {
    const known = Object.keys(SHADERS);
    return (
      <div className="kernel-source missing" role="note">
        <p className="kernel-title">{heading}</p>
        <p>
          No shader named <code>{name}</code> in the registry
          {known.length ? ` (known: ${known.join(', ')})` : ' (the registry is empty)'}.
        </p>
      </div>
    );
  }
  return (
    <figure className="kernel-source">
      <figcaption className="kernel-title">
        <span>{heading}</span>
        <span className="muted">
          {lines.length} lines of WGSL{title ? <> · <code>shaders/{name}.wgsl</code></> : null}
        </span>
      </figcaption>
      <pre className="kernel-code" style={{ maxHeight }} tabIndex={0} aria-label={`WGSL source of ${name}`}>
        <code>
          {lines.map((tokens, i) => (
            <CodeLine key={i} n={i + 1} tokens={tokens} />
          ))}
        </code>
      </pre>
    </figure>
  );
}
