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

/** the helper file used in place of `lib` when subgroups are on: lib/<name>_subgroups, where it exists */
function subgroupTwin(lib: string): string | null {
  const twin = `${lib}_subgroups`;
  return SHADERS[twin] === undefined ? null : twin;
}

/**
 * Every helper file a shader needs, dependencies first: the files it declares
 * (`// uses lib/<name>.wgsl`), the files those declare, and so on; with `subgroups`, each
 * replaced by its lib/<name>_subgroups twin where there is one.
 */
function neededLibs(name: ShaderName, subgroups: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string) => {
    let deps: string[];
    try {
      deps = declaredLibs(shaderSource(file));
    } catch (e) {
      throw new Error(`shaders/${file}.wgsl: ${(e as Error).message}`);
    }
    for (const d of deps) {
      const lib = subgroups ? (subgroupTwin(d) ?? d) : d;
      if (seen.has(lib)) continue;
      seen.add(lib);
      visit(lib);
      out.push(lib);
    }
  };
  visit(name);
  return out;
}

/**
 * The WGSL the engine compiles for a shader: its file, preceded by the helper files it
 * needs (neededLibs) — with `subgroups` (the device has the 'subgroups' feature and the
 * kernel may use it), their _subgroups twins: group_sum's subgroup path. Line numbers of
 * the file itself (entryLines) count from the file, not from the composed text.
 */
export function composeShader(name: ShaderName, subgroups: boolean): string {
  const src = shaderSource(name);
  const parts = neededLibs(name, subgroups).map((lib) => shaderSource(lib));
  if (parts.length === 0) return src;
  if (parts.some((p) => /^enable subgroups;/m.test(p))) {
    // one `enable subgroups;`, before every declaration
    return ['enable subgroups;', ...parts.map((p) => p.replace(/^enable subgroups;\n/m, '')), src].join('\n');
  }
  return [...parts, src].join('\n');
}

/** true when the shader needs a helper with a subgroup twin (group_sum, block_sum): a subgroup variant exists */
export function usesGroupSum(name: ShaderName): boolean {
  return neededLibs(name, false).some((lib) => subgroupTwin(lib) !== null);
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
