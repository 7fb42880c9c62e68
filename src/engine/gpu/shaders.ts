// The WGSL registry: shader name → source text, one entry per file in shaders/.
//
// The engine compiles exactly these strings and the notebook's "kernel source" panel
// displays the very same text, so what a student reads is what runs. Every
// shaders/<name>.wgsl file is picked up (imported as text with `?raw`), and so is every
// shared helper file shaders/lib/<name>.wgsl, under the name 'lib/<name>'. How a kernel is
// composed with its helpers is in compose.ts, which the build also runs to reflect the
// composed text (scripts/wgsl-reflection.ts).

import { shaderBaseName, shaderComposer, type ShaderRegistry } from './compose';

const files = import.meta.glob(['../../../shaders/*.wgsl', '../../../shaders/lib/*.wgsl'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** name (path below shaders/ without .wgsl) → WGSL source */
export const SHADERS: ShaderRegistry = Object.freeze(
  Object.fromEntries(
    Object.entries(files)
      .map(([path, src]) => [shaderBaseName(path), src] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  ),
);

export type ShaderName = string;

// the composer over this registry (compose.ts): declaredLibs, composeShader, … (documented there)
export const { shaderNames, shaderSource, declaredLibs, composeShader, usesGroupSum } = shaderComposer(SHADERS);

/** [first, last] line (0-based) of `fn <entry>(…) { … }`, from its attributes to the closing brace */
export function entryLines(source: string, entry: string): [number, number] | null {
  const lines = source.split('\n');
  const head = new RegExp(`^\\s*fn\\s+${entry.replace(/[^\w]/g, '')}\\s*\\(`);
  const at = lines.findIndex((l) => head.test(l));
  if (at < 0) return null;
  let first = at;
  // the @compute / @workgroup_size attribute lines just above belong to the entry point
  while (first > 0 && /^\s*@/.test(lines[first - 1]!)) first--;
  let depth = 0;
  let opened = false;
  for (let i = at; i < lines.length; i++) {
    const code = lines[i]!.replace(/\/\/.*$/, '');
    for (const ch of code) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) return [first, i];
  }
  return [first, lines.length - 1];
}
