/**
 * Bundles the CLI for start-up speed: Ink and its dependencies are hundreds of small ES
 * modules (es-toolkit's barrel alone takes ~0.3 s to load), and one bundle with a few shared
 * chunks loads the viewer in about a third of the time. `print`, `stats` and `verify` still
 * load no React: the viewer is its own chunk. tsc's dist/ stays for the typed library exports
 * (writer, schema); the `bin` is dist/bin/cli.js.
 */
import fs from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/bin';
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  // The scan worker is its own entry: parallel-scan starts it from next to whichever chunk holds it.
  entryPoints: ['src/cli/cli.ts', 'src/engine/scan-worker.ts'],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Ink loads react-devtools-core only when DEV=true; it is not installed.
  external: ['react-devtools-core'],
  // CommonJS dependencies (react, the reconciler) require Node built-ins: give ESM a require.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

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
