/**
 * The layer rule of ARCHITECTURE.md, read from the sources: each folder of src/ is one layer
 * and imports only point down, so the layout cannot rot one convenient import at a time.
 * Type-only imports count too (they couple the code the same way); the writer's zod rule is
 * about what a daemon loads at run time, so there only value imports count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** What each layer may import from src/, besides itself. */
const ALLOWED: Record<string, string[]> = {
  shared: [],
  writer: ['shared'],
  engine: ['shared'],
  tui: ['shared', 'engine'],
  // The command line is the entry point: it starts the viewer (`view`) and the demo daemon
  // (`demo`), and `print` draws a row with the viewer's cell format.
  cli: ['shared', 'engine', 'tui', 'demo'],
  demo: ['shared', 'writer'],
};

/** Node modules that do I/O: the format's layer stays pure. */
const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:worker_threads', 'node:net', 'node:os'];

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
  /** `import(…)`: loaded when the code runs it, not with the module. */
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(file: string, text = fs.readFileSync(file, 'utf8')): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (spec) out.push({ file, spec, typeOnly: m[2] !== undefined, dynamic: m[4] !== undefined });
  }
  return out;
}

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, '');
  for (const ext of ['.ts', '.tsx']) if (fs.existsSync(base + ext)) return base + ext;
  throw new Error(`${path.relative(SRC, from)}: cannot resolve ${spec}`);
}

const files = sourceFiles(SRC);

describe('layers (ARCHITECTURE.md)', () => {
  it('the import scanner sees static, type-only and dynamic imports', () => {
    const text = "import a from './a.js';\nimport type { B } from '../b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\n";
    expect(importsOf('x.ts', text).map((i) => [i.spec, i.typeOnly])).toEqual([
      ['./a.js', false],
      ['../b.js', true],
      ['./c.js', false],
      ['./d.js', false],
    ]);
  });

  it('every file of src/ sits in a known layer', () => {
    const unknown = files.filter((f) => !(layerOf(f) in ALLOWED)).map((f) => path.relative(SRC, f));
    expect(unknown).toEqual([]);
  });

  it('imports only point down', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const { spec } of importsOf(file)) {
        const target = resolveLocal(file, spec);
        if (!target) continue;
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from].includes(to)) upward.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the format layer does no I/O', () => {
    const io = files
      .filter((f) => layerOf(f) === 'shared')
      .flatMap((f) => importsOf(f).filter((i) => IO_MODULES.includes(i.spec)).map((i) => `${path.relative(SRC, f)}: ${i.spec}`));
    expect(io).toEqual([]);
  });

  it('no import cycles: a module never imports itself through others', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const trail: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      trail.push(file);
      for (const { spec } of importsOf(file)) {
        const target = resolveLocal(file, spec);
        if (!target) continue;
        if (state.get(target) === 'open') cycles.push(trail.slice(trail.indexOf(target)).map((f) => path.relative(SRC, f)).join(' → '));
        else if (!state.has(target)) visit(target);
      }
      trail.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  /** The files and packages `entry` loads at run time (`withDynamic` false: only those loaded with it, not by an `import(…)` it runs later). */
  function loadedBy(entry: string, withDynamic = true): { files: string[]; packages: string[] } {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { spec, typeOnly, dynamic } of importsOf(file)) {
        if (typeOnly || (dynamic && !withDynamic)) continue;
        const target = resolveLocal(file, spec);
        if (target) visit(target);
        else if (!spec.startsWith('node:')) packages.add(spec);
      }
    };
    visit(path.join(SRC, entry));
    return { files: [...seen].map((f) => path.relative(SRC, f)), packages: [...packages] };
  }

  it('what a daemon links loads no zod at run time', () => {
    const { files, packages } = loadedBy('writer/index.ts');
    expect(files.length).toBeGreaterThan(3);
    expect(packages).not.toContain('zod');
  });

  it('a scan worker loads the JavaScript scanner only when it runs it (#17: ready in ~70 ms, not ~140)', () => {
    const atStart = loadedBy('engine/scan-worker.ts', false).files;
    expect(atStart).toContain('engine/native-lines.ts');
    expect(atStart).not.toContain('engine/chunk-scan.ts');
    expect(atStart).not.toContain('shared/record-schemas.ts');
    // …which it still can, without the addon.
    expect(loadedBy('engine/scan-worker.ts').files).toContain('engine/chunk-scan.ts');
  });
});
