// How a kernel's WGSL is put together from the files of shaders/, over any registry
// (name → source text). The page runs it over the registry of shaders.ts; the build runs
// it over the same files read from disk, to reflect the very text the page compiles
// (scripts/wgsl-reflection.ts).

/** name (path below shaders/ without .wgsl: 'matmul', 'lib/activation') → WGSL source */
export type ShaderRegistry = Readonly<Record<string, string>>;

/** the registry name of a file below shaders/: 'matmul', 'lib/activation' */
export function shaderBaseName(path: string): string {
  return path.slice(path.lastIndexOf('shaders/') + 'shaders/'.length).replace(/\.wgsl$/, '');
}

/** the key of a composed module: the shader's name, '+subgroups' for its subgroup variant */
export function variantKey(name: string, subgroups: boolean): string {
  return subgroups ? `${name}+subgroups` : name;
}

const USES = /^\/\/ uses (\S+)\.wgsl\b/gm;

export interface ShaderComposer {
  /** every name of the registry, sorted */
  shaderNames(): string[];
  /** The WGSL source of a shader; throws naming the known shaders when the name is unknown. */
  shaderSource(name: string): string;
  /**
   * The shared helper files a WGSL source declares, in order: each line
   * `// uses lib/<name>.wgsl` names one, as its registry name ('lib/activation'). Throws,
   * naming the helper files there are, when a declared file is not in shaders/lib/.
   */
  declaredLibs(source: string): string[];
  /**
   * The WGSL the engine compiles for a shader: its file, preceded by the helper files it
   * needs (neededLibs) — with `subgroups` (the device has the 'subgroups' feature and the
   * kernel may use it), their _subgroups twins: group_sum's subgroup path. Line numbers of
   * the file itself (entryLines) count from the file, not from the composed text.
   */
  composeShader(name: string, subgroups: boolean): string;
  /** true when the shader needs a helper with a subgroup twin (group_sum, block_sum): a subgroup variant exists */
  usesGroupSum(name: string): boolean;
}

/** The composer over one registry. */
export function shaderComposer(shaders: ShaderRegistry): ShaderComposer {
  const shaderNames = () => Object.keys(shaders).sort((a, b) => a.localeCompare(b));

  const shaderSource = (name: string): string => {
    const src = shaders[name];
    if (src === undefined) {
      throw new Error(`unknown shader '${name}'; known shaders: ${shaderNames().join(', ') || '(none)'}`);
    }
    return src;
  };

  const declaredLibs = (source: string): string[] => {
    const libs: string[] = [];
    for (const [line, lib] of source.matchAll(USES)) {
      if (!lib!.startsWith('lib/') || shaders[lib!] === undefined) {
        const known = shaderNames().filter((n) => n.startsWith('lib/'));
        throw new Error(`'${line}': no helper file shaders/${lib}.wgsl; the helper files are ${known.map((n) => `shaders/${n}.wgsl`).join(', ') || '(none)'}`);
      }
      if (!libs.includes(lib!)) libs.push(lib!);
    }
    return libs;
  };

  /** the helper file used in place of `lib` when subgroups are on: lib/<name>_subgroups, where it exists */
  const subgroupTwin = (lib: string): string | null => {
    const twin = `${lib}_subgroups`;
    return shaders[twin] === undefined ? null : twin;
  };

  /**
   * Every helper file a shader needs, dependencies first: the files it declares
   * (`// uses lib/<name>.wgsl`), the files those declare, and so on; with `subgroups`, each
   * replaced by its lib/<name>_subgroups twin where there is one.
   */
  const neededLibs = (name: string, subgroups: boolean): string[] => {
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
  };

  const composeShader = (name: string, subgroups: boolean): string => {
    const src = shaderSource(name);
    const parts = neededLibs(name, subgroups).map((lib) => shaderSource(lib));
    if (parts.length === 0) return src;
    if (parts.some((p) => /^enable subgroups;/m.test(p))) {
      // one `enable subgroups;`, before every declaration
      return ['enable subgroups;', ...parts.map((p) => p.replace(/^enable subgroups;\n/m, '')), src].join('\n');
    }
    return [...parts, src].join('\n');
  };

  const usesGroupSum = (name: string): boolean => neededLibs(name, false).some((lib) => subgroupTwin(lib) !== null);

  return { shaderNames, shaderSource, declaredLibs, composeShader, usesGroupSum };
}
