// The code's layout, as the README's "How the code is laid out" describes it:
//
//   imports   engine ← nn ← train ← store ← notebook; src/ui is presentational (no store,
//             no engine); no chapter folder imports another (chapters/index.tsx, the
//             registry, lists them all); the exercises never reach into the page
//   sizes     no source file (TypeScript, JavaScript, CSS) over 500 lines; WGSL is exempt
//   names     a React component (or class) and its own stylesheet in PascalCase, named after
//             what it exports; every other file (a module of several components too) in
//             kebab-case; WGSL in snake_case like its entry points
//   README    its layout table names every folder under src/ and every top-level folder,
//             and every path it names exists

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const SKIP = new Set(['node_modules', 'dist', 'test-results', 'playwright-report']);

/** every file under dir (relative to the repository), build outputs and data left out */
function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((n) => {
    const p = join(dir, n);
    if (SKIP.has(n)) return [];
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : [p];
  });
}

const SOURCE_DIRS = ['src', 'tests', 'e2e', 'bench', 'scripts', 'shaders'];
const ALL = SOURCE_DIRS.flatMap(files);
const CODE = ALL.filter((f) => /\.(tsx?|mjs|js)$/.test(f));

/** the relative imports of a file, resolved to repository paths (without extension) */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.(tsx?|js|css|wgsl)(\?raw)?$/, ''));
}

/** the part of src a path belongs to: engine, nn, train, store, ui, notebook, exercises, … */
const layerOf = (p: string) => (p.startsWith('src/') ? p.split('/')[1]! : null);
const chapterOf = (p: string) => /^src\/notebook\/chapters\/([^/.]+)\//.exec(p)?.[1] ?? null;

/** what each layer may not import */
const FORBIDDEN: Record<string, string[]> = {
  engine: ['nn', 'train', 'store', 'ui', 'notebook', 'exercises', 'App'],
  nn: ['train', 'store', 'ui', 'notebook', 'exercises', 'App'],
  train: ['store', 'ui', 'notebook', 'exercises', 'App'],
  store: ['notebook', 'App'],
  ui: ['engine', 'store', 'notebook', 'exercises', 'App'],
  exercises: ['store', 'ui', 'notebook', 'App'],
};

describe('the layers of the code', () => {
  const src = CODE.filter((f) => f.startsWith('src/'));

  it('finds the source files (the walk is not empty)', () => {
    expect(src.length).toBeGreaterThan(200);
    expect(src).toContain(join('src', 'engine', 'backend.ts'));
    expect(src).toContain(join('src', 'nn', 'data', 'csv.ts'));
  });

  it('each layer imports only the layers below it; src/ui imports no store and no engine module', () => {
    const bad: string[] = [];
    for (const f of src) {
      const from = layerOf(f)!;
      for (const to of importsOf(f)) {
        const layer = layerOf(to);
        if (layer !== null && FORBIDDEN[from]?.includes(layer)) bad.push(`${f} → ${to}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no chapter folder imports another chapter folder', () => {
    const bad: string[] = [];
    for (const f of src) {
      const mine = chapterOf(f);
      if (mine === null) continue;
      for (const to of importsOf(f)) {
        const theirs = chapterOf(to);
        if (theirs !== null && theirs !== mine) bad.push(`${f} → ${to}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('file sizes and names', () => {
  it('no TypeScript, JavaScript or CSS file is over 500 lines (WGSL is exempt)', () => {
    const long = ALL.filter((f) => /\.(tsx?|mjs|js|css)$/.test(f))
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length }))
      .filter((x) => x.lines > 500)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });

  it('components in PascalCase, other files in kebab-case, WGSL in snake_case', () => {
    const kebab = /^[a-z0-9]+(-[a-z0-9]+)*(\.(test|spec|config|d|bench))?\.(tsx?|mjs|js|css)$/;
    const pascal = /^[A-Z][A-Za-z0-9]*\.(tsx?|css)$/;
    const snake = /^[a-z0-9]+(_[a-z0-9]+)*\.wgsl$/;
    const misnamed = ALL.filter((f) => /\.(tsx?|mjs|js|css|wgsl)$/.test(f)).filter((f) => {
      const n = basename(f);
      if (n.endsWith('.wgsl')) return !snake.test(n);
      return !kebab.test(n) && !pascal.test(n);
    });
    expect(misnamed).toEqual([]);
  });

  it('a PascalCase file exports what it is named after (its component, class or cell body); several components: kebab-case', () => {
    const bad = ALL.filter((f) => /\/[A-Z][A-Za-z0-9]*\.tsx?$/.test(f)).filter((f) => {
      const name = basename(f).replace(/\.tsx?$/, '');
      return !new RegExp(`export (function|class|const) [A-Za-z]*${name}[A-Za-z]*\\b`).test(readFileSync(join(ROOT, f), 'utf8'));
    });
    expect(bad).toEqual([]);
  });
});

describe("the README's layout table", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## How the code is laid out'));
  const table = section.slice(0, section.indexOf('\n### '));
  /** the paths in the first column of each row */
  const named = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, '')));

  it('has rows', () => {
    expect(named.length).toBeGreaterThan(10);
  });

  it('every path it names exists (a placeholder such as <family>: the folder that holds it)', () => {
    const real = (p: string) => (p.includes('<') ? p.slice(0, p.indexOf('<')) : p);
    expect(named.filter((p) => !existsSync(join(ROOT, real(p))))).toEqual([]);
  });

  it('names every folder under src/ and every top-level folder the code lives in', () => {
    const srcDirs = readdirSync(join(ROOT, 'src')).filter((n) => statSync(join(ROOT, 'src', n)).isDirectory());
    const wanted = [...srcDirs.map((n) => `src/${n}`), 'src/engine/ops', ...SOURCE_DIRS.filter((d) => d !== 'src'), 'docs', 'public'];
    const covered = (p: string) => named.some((n) => n === p || n.startsWith(`${p}/`));
    expect(wanted.filter((p) => !covered(p))).toEqual([]);
  });

  it('the files the step from a kernel to its test names exist (family by family)', () => {
    const families = readdirSync(join(ROOT, 'src/engine/ops')).filter((n) => statSync(join(ROOT, 'src/engine/ops', n)).isDirectory());
    const missing = families.flatMap((fam) =>
      [`src/engine/ops/${fam}/cpu.ts`, `src/engine/ops/${fam}/gpu.ts`, `tests/ops/${fam}.test.ts`].filter((p) => !existsSync(join(ROOT, p))),
    );
    expect(missing).toEqual([]);
  });
});
