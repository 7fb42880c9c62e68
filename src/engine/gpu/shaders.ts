// The WGSL registry: shader name → source text, one entry per file in shaders/.
//
// The engine compiles exactly these strings and the notebook's "kernel source" panel
// displays the very same text, so what a student reads is what runs. Every
// shaders/<name>.wgsl file is picked up (imported as text with `?raw`), and so is every
// shared helper file shaders/lib/<name>.wgsl, under the name 'lib/<name>'.

const files = import.meta.glob(['../../../shaders/*.wgsl', '../../../shaders/lib/*.wgsl'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** the path below shaders/ without .wgsl: 'matmul', 'lib/activation' */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('shaders/') + 'shaders/'.length).replace(/\.wgsl$/, '');
}

/** name (path below shaders/ without .wgsl) → WGSL source */
export const SHADERS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    Object.entries(files)
      .map(([path, src]) => [baseName(path), src] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  ),
);

export type ShaderName = string;

export function shaderNames(): string[] {
  return Object.keys(SHADERS);
}

/** The WGSL source of a shader; throws naming the known shaders when the name is unknown. */
export function shaderSource(name: ShaderName): string {
  const src = SHADERS[name];
  if (src === undefined) {
    throw new Error(`unknown shader '${name}'; known shaders: ${shaderNames().join(', ') || '(none)'}`);
  }
  return src;
}

/** helpers a kernel may call without defining them; each has a portable and a subgroup file */
const HELPERS = ['group_sum', 'block_sum'] as const;

function calledHelpers(src: string): string[] {
  return HELPERS.filter((h) => new RegExp(`\\b${h}\\s*\\(`).test(src) && !new RegExp(`\\bfn\\s+${h}\\b`).test(src));
}

const USES = /^\/\/ uses (\S+)\.wgsl\b/gm;

/**
 * The shared helper files a WGSL source declares, in order: each line
 * `// uses lib/<name>.wgsl` names one, as its registry name ('lib/activation'). Throws,
 * naming the helper files there are, when a declared file is not in shaders/lib/.
 */
export function declaredLibs(source: string): string[] {
  const libs: string[] = [];
  for (const [line, lib] of source.matchAll(USES)) {
    if (!lib!.startsWith('lib/') || SHADERS[lib!] === undefined) {
      const known = shaderNames().filter((n) => n.startsWith('lib/'));
      throw new Error(`'${line}': no helper file shaders/${lib}.wgsl; the helper files are ${known.map((n) => `shaders/${n}.wgsl`).join(', ') || '(none)'}`);
    }
    if (!libs.includes(lib!)) libs.push(lib!);
  }
  return libs;
}

/**
 * The WGSL the engine compiles for a shader: its file, preceded by the helper files it
 * declares (`// uses lib/<name>.wgsl`) and by the reduction helpers it calls without
 * defining them — group_sum (group_sum.wgsl) and block_sum (block_sum.wgsl), or their
 * _subgroups files when `subgroups` (the device has the 'subgroups' feature and the kernel
 * may use it). Line numbers of the file itself (entryLines) count from the file, not from
 * the composed text.
 */
export function composeShader(name: ShaderName, subgroups: boolean): string {
  const src = shaderSource(name);
  const helpers = calledHelpers(src);
  let libs: string[];
  try {
    libs = declaredLibs(src).map((lib) => shaderSource(lib));
  } catch (e) {
    throw new Error(`shaders/${name}.wgsl: ${(e as Error).message}`);
  }
  if (helpers.length === 0 && libs.length === 0) return src;
  const parts = [...libs, ...helpers.map((h) => shaderSource(subgroups ? `${h}_subgroups` : h))];
  if (subgroups) {
    // one `enable subgroups;`, before every declaration
    return ['enable subgroups;', ...parts.map((p) => p.replace(/^enable subgroups;\n/m, '')), src].join('\n');
  }
  return [...parts, src].join('\n');
}

/** true when the shader reduces with group_sum or block_sum (so a subgroup variant exists) */
export function usesGroupSum(name: ShaderName): boolean {
  return calledHelpers(shaderSource(name)).length > 0;
}

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
