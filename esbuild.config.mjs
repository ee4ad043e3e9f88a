/**
 * Bundles the CLI for start-up speed: Ink and its dependencies are hundreds of small ES
 * modules (es-toolkit's barrel alone takes ~0.3 s to load). dist/bin/cli.js is the dispatcher
 * alone; each command (registry.ts's `import('./X.js')`) is one file of its own,
 * command-X.js, with all it needs: a command loads two files, not the ~25 shared chunks code
 * splitting made (each costs a resolve, a read and a compile: ~10–15 % of `stats`' start-up).
 * `print`, `stats` and `verify` load no React: only viewer.mjs holds it, which `view` and
 * `demo --view` load. `view`, `print`, `stats` and `verify` are scripts with V8's code cache
 * beside them (CACHED, below), not ES modules: a run does not wait for their compile.
 * tsc's dist/ stays for the typed library exports (writer, schema); the `bin` is
 * dist/bin/cli.js.
 *
 * Some modules are needed synchronously but rarely (zod's schemas, only for the message of a
 * line the hand-written check rejects): LAZY builds each into its own CommonJS file beside the
 * chunks, and the bundle gets a stub in its place that `require`s that file on the first call.
 * So `print`, `stats` and `verify` load no zod (test/cli/bundle.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const outdir = 'dist/bin';
const target = 'node20';
fs.rmSync(outdir, { recursive: true, force: true });

/**
 * Source (a file, or a package by name) → the CommonJS file the stub requires, and the
 * functions it exports ('default' for a default export), each forwarded on call.
 * string-width: its top level builds an \p{RGI_Emoji} regex (~20–200 ms on this machine), and
 * most text never needs it (tui/format/text.ts measures plain text itself).
 */
const LAZY = [
  { source: 'src/shared/record-schemas.ts', name: 'record-schemas', exports: ['schemaOfType', 'auditRecordJsonSchema'] },
  { source: 'string-width', name: 'string-width', exports: ['default'] },
  // chokidar: only `--follow` watches; its top level (and fs/promises, streams) cost every run.
  { source: 'chokidar', name: 'chokidar', exports: ['watch'] },
];

const lazyStubs = {
  name: 'lazy-stubs',
  setup(b) {
    const srcDir = path.resolve('src') + path.sep;
    const key = (l) => (l.source.startsWith('src/') ? path.resolve(l.source) : l.source);
    const bySource = new Map(LAZY.map((l) => [key(l), l]));
    b.onResolve({ filter: /^[^/]/ }, (args) => {
      // Only our own imports: a library keeps the copy it asked for.
      if (args.namespace !== 'file' || !args.importer.startsWith(srcDir)) return undefined;
      const local = args.path.startsWith('.') ? path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) : args.path;
      const lazy = bySource.get(local);
      return lazy ? { path: lazy.name, namespace: 'lazy-stub' } : undefined;
    });
    b.onResolve({ filter: /\.cjs$/, namespace: 'lazy-stub' }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-stub' }, (args) => {
      const lazy = LAZY.find((l) => l.name === args.path);
      const forwards = lazy.exports.map((e) =>
        e === 'default' ? 'export default function (...args) { return load().default(...args); }' : `export function ${e}(...args) { return load().${e}(...args); }`,
      );
      return { contents: ['let loaded;', `const load = () => (loaded ??= require('./${lazy.name}.cjs'));`, ...forwards].join('\n'), loader: 'js' };
    });
  },
};

/**
 * Node's built-ins through `process.getBuiltinModule` (Node ≥ 20.16) rather than `import`:
 * an ES import of a built-in builds a facade that reads every export, so `node:fs` loads
 * fs/promises and `node:crypto` loads all of WebCrypto (~10 ms of CPU each start-up, for a
 * 20-record `stats` about 15 % of it). Here each import is the module object itself, and a
 * named import reads only its own property (the rest are marked pure: esbuild drops the unused).
 */
const builtins = {
  name: 'builtins',
  setup(b) {
    const req = createRequire(import.meta.url);
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const names = Object.keys(req(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const lines = [`const m = process.getBuiltinModule(${JSON.stringify(args.path)});`, 'export default m;'];
      for (const n of names) lines.push(`export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/**
 * Yoga (Ink's layout) embeds its WebAssembly as a base64 `data:` URL and, when `fetch` exists,
 * fetches it: Node's `fetch` is undici, compiled on first use (~60–90 ms of the viewer's start
 * under load, #17). Told there is no `fetch`, it decodes the same bytes itself. The build fails
 * if a Yoga upgrade changes the text.
 */
const yogaNoFetch = {
  name: 'yoga-no-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const code = fs.readFileSync(args.path, 'utf8');
      const patched = code.replaceAll('"function"!=typeof fetch', 'true');
      if (patched === code) throw new Error(`yoga-no-fetch: no fetch test left in ${args.path}`);
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  entryPoints: Object.fromEntries(LAZY.map((l) => [l.name, l.source])),
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target,
  sourcemap: true,
  logLevel: 'warning',
});
const registry = path.resolve('src/cli/commands/registry.ts');
const runViewer = path.resolve('src/tui/run-viewer.ts');
const commands = [...fs.readFileSync(registry, 'utf8').matchAll(/import\('\.\/([a-z-]+)\.js'\)/g)].map((m) => m[1]);

/**
 * Commands bundled as a script with V8's code cache beside it (src/cli/cached-script.ts) rather
 * than as an ES module: the viewer, whose first frame waited for its ~0.5 MB to compile, and
 * print, stats and verify, which an operator runs dozens of times (~20 ms of CPU a run, #17).
 * Each maps registry.ts's `import('./X.js')` to its export (`.viewCommand`).
 */
const CACHED = { view: 'viewCommand', print: 'printCommand', stats: 'statsCommand', verify: 'verifyCommand' };
const cachedScript = path.resolve('src/cli/cached-script.ts');
/** The viewer's Ink part, which run-viewer.ts imports as './viewer.js'. */
const VIEWER = './viewer.mjs';

/**
 * registry.ts's `import('./X.js')` → the separate file command-X.js, required at run time (all
 * of dist/bin is CommonJS but the viewer's Ink part: see below).
 */
const commandFiles = {
  name: 'command-files',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      if (args.importer !== registry || args.kind !== 'dynamic-import') return undefined;
      const name = args.path.slice(2, -3);
      return { path: name, namespace: name in CACHED ? 'cached-command' : 'required-command' };
    });
    // A code-cached command: a module in cli.js that runs command-X.js through the cache on load.
    b.onLoad({ filter: /.*/, namespace: 'cached-command' }, (args) => ({
      contents: `import { loadCachedScript } from ${JSON.stringify(cachedScript)};\nexport const ${CACHED[args.path]} = loadCachedScript('command-${args.path}').${CACHED[args.path]};`,
      loader: 'js',
      resolveDir: path.dirname(cachedScript),
    }));
    // Any other: require()d, not import()ed, so that it too starts no ES module loader.
    b.onLoad({ filter: /.*/, namespace: 'required-command' }, (args) => ({ contents: `module.exports = require('./command-${args.path}.js');`, loader: 'js' }));
    b.onResolve({ filter: /^\.\/command-[a-z-]+\.js$/, namespace: 'required-command' }, (args) => ({ path: args.path, external: true }));
    // The viewer's Ink part (Ink, React: ~2 MB) is one file of its own that `view` and `demo
    // --view` both load (run-viewer.ts, once the first frame is drawn), rather than a copy in each.
    b.onResolve({ filter: /^\.\/viewer\.js$/ }, (args) => (args.importer === runViewer && args.kind === 'dynamic-import' ? { path: VIEWER, external: true } : undefined));
    // Ink imports ./devtools.js (which needs react-devtools-core, not installed) only when
    // DEV=true: without code splitting it would be inlined, its import hoisted into every
    // viewer start. In its place, the error Ink expects when that package is missing.
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (args.importer.includes(`${path.sep}ink${path.sep}`) ? { path: 'ink-devtools', namespace: 'ink-devtools' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ink-devtools' }, () => ({
      contents: "const e = new Error(\"Cannot find package 'react-devtools-core'\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e;",
      loader: 'js',
    }));
  },
};

/**
 * dist/bin is CommonJS (its own package.json says so): a CommonJS main never starts Node's ES
 * module loader (its resolve, translators, fs/promises, readline: ~8 ms of CPU each start-up of
 * print, stats or verify, #17). `import.meta.url` is the file's URL, from __filename.
 */
const commonJs = {
  format: 'cjs',
  define: { 'import.meta.url': '__moduleUrl' },
};
fs.mkdirSync(outdir, { recursive: true });
fs.writeFileSync(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
/**
 * The scripts of dist/bin without a code cache made from their text: whitespace and syntax
 * minified (names kept, for profiles; the source maps read them), as the installed package has
 * a 10 MB budget (test/cli/install.test.ts) that the print worker's 105 KB, then the interning
 * scan worker's code, took it past.
 */
const minifiedBin = {
  outdir,
  bundle: true,
  ...commonJs,
  minifyWhitespace: true,
  minifySyntax: true,
  // (Strict first, as the ES modules they were: the banner goes before esbuild's own directive.)
  banner: { js: "'use strict';\nvar __moduleUrl = require('node:url').pathToFileURL(__filename).href;" },
  platform: 'node',
  target,
  sourcemap: true,
  logLevel: 'warning',
};
await build({
  ...minifiedBin,
  entryPoints: {
    cli: 'src/cli/cli.ts',
    ...Object.fromEntries(commands.filter((c) => !(c in CACHED)).map((c) => [`command-${c}`, `src/cli/commands/${c}.ts`])),
  },
  plugins: [lazyStubs, commandFiles, builtins],
});
// The workers are entries of their own: parallel-scan and json-dump start them from next to the file that holds them.
await build({
  ...minifiedBin,
  entryPoints: { 'scan-worker': 'src/engine/scan-worker.ts', 'print-worker': 'src/cli/commands/print-worker.ts' },
  plugins: [lazyStubs, builtins],
});
// The viewer's Ink part alone is an ES module (viewer.mjs): Yoga awaits its WebAssembly at its top level.
await build({
  entryPoints: { viewer: 'src/tui/viewer.tsx' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target,
  sourcemap: true,
  plugins: [lazyStubs, commandFiles, builtins, yogaNoFetch],
  // CommonJS dependencies (react, the reconciler) require Node built-ins: give ESM a require.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

/**
 * esbuild escapes every non-ASCII character of code (charset 'ascii') but not of the comments it
 * keeps: one `→` and V8 holds the whole script as UTF-16, twice the bytes, ~1 ms more to decode
 * at each start (#17). Escaped here, on comment lines only (columns of code unchanged).
 */
function asciiComments(text, where) {
  return text.replace(/^.*[^\x00-\x7f].*$/gm, (line) => {
    if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`${where}: a non-ASCII character outside a comment: ${line.trim().slice(0, 80)}`);
    return line.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  });
}

// The code-cached commands: CommonJS, wrapped in the function cached-script.ts calls (on the
// first line, so the source map's lines still hold), import.meta.url and import() given by it.
const IMPORT_VIEWER = `import(${JSON.stringify(VIEWER)})`;
for (const name of Object.keys(CACHED)) {
  const outfile = path.join(outdir, `command-${name}.js`);
  const result = await build({
    entryPoints: [`src/cli/commands/${name}.ts`],
    outfile,
    bundle: true,
    ...commonJs,
    platform: 'node',
    target,
    sourcemap: true,
    write: false,
    plugins: [lazyStubs, commandFiles, builtins],
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    let text = file.text;
    if (file.path === path.resolve(outfile)) {
      // The viewer's Ink part is the one import() a script may make (the viewer's: none else).
      const imports = text.split(IMPORT_VIEWER).length - 1;
      const expected = name === 'view' ? 1 : 0;
      if (imports !== expected || /\bimport\.meta\b/.test(text)) throw new Error(`command-${name}.js: expected ${expected} ${IMPORT_VIEWER} and no import.meta, found ${imports}`);
      text = `(function (module, exports, require, __moduleUrl, __importBeside) {${text.replace(IMPORT_VIEWER, `__importBeside(${JSON.stringify(VIEWER)})`)}\n})`;
      text = asciiComments(text, file.path);
    }
    fs.writeFileSync(file.path, text);
  }
}
// Their code caches, made by a run of each (the viewer's to its first frame: V8 caches what
// ran). Without one a command compiles its script at each start (~20 ms slower, #17), and
// test/cli/bundle.test.ts fails: a warning here, so an install elsewhere still builds.
for (const name of Object.keys(CACHED)) {
  const warm = spawnSync(process.execPath, ['scripts/code-cache.mjs', path.join(outdir, `command-${name}.js`)], { stdio: 'inherit' });
  if (warm.status !== 0) process.stderr.write(`warning: no code cache for command-${name}.js (scripts/code-cache.mjs: exit ${warm.status ?? warm.signal})\n`);
}

// The `./schema` export, with zod inlined over tsc's dist/shared/schema.js: zod is a build-time
// dependency (8 MB installed, ~0.8 MB inlined here), so an install fetches nothing but this
// package. Its types stay tsc's (dist/shared/schema.d.ts names zod's: a typed consumer installs zod).
// No source map: zod's would be 1.4 MB; tsc's map was of the file replaced.
fs.rmSync('dist/shared/schema.js.map', { force: true });
await build({
  entryPoints: ['src/shared/schema.ts'],
  outfile: 'dist/shared/schema.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

// Last: every file of dist/bin is written (scripts/build-if-stale.mjs trusts no bundle without this).
fs.writeFileSync(path.join(outdir, '.complete'), '');
