/**
 * `npm start`'s build step: rebuilds the CLI bundle (esbuild.config.mjs → dist/bin) only when
 * one of its inputs changed since it built it (STAMP), and says so in one line on stderr; otherwise it
 * does nothing, in a few milliseconds. (tsc's dist/ is for the library exports: the demo
 * viewer does not need it, and `npm run build` still makes both.) Run from the project root.
 * `node scripts/build-if-stale.mjs --run ARGS…` then runs the CLI with ARGS in this same
 * process: one Node start-up instead of two.
 */
import { buildNative, eachFile, nativeSources, nativeStaleReason } from './build-native.mjs';

// Built-ins through process.getBuiltinModule, as the bundle takes them: an ES import of node:fs
// builds a facade that loads fs/promises (a few ms of every start); child_process only to build.
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

/** What the bundle is built from: the sources, the bundler's config, and the installed dependencies. */
const INPUTS = ['src', 'esbuild.config.mjs', 'scripts/code-cache.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
// (native/ is built by build-native.mjs, below, with a staleness check of its own.)
const OUTPUT = 'dist/bin/cli.js';
/**
 * Every input's size and mtime as of the last build here, with the bundle's mtime then. Newer
 * than the bundle is not enough: a source deleted, or put back older (`cp -p`, `tar x`, `rsync
 * -a`, a restore from backup), changes nothing newer, and the bundle went on running the code
 * that was there. (The bundler empties dist/bin: `npm run build` leaves no stamp.)
 */
const STAMP = 'dist/bin/.inputs';
/**
 * Written by esbuild.config.mjs once every file of dist/bin is: a build stopped after cli.js
 * (Ctrl-C, a full disk) left a bundle newer than its inputs, taken for one built elsewhere,
 * that failed at its first command (no viewer.mjs, no command script) at every npm start.
 */
const COMPLETE = 'dist/bin/.complete';

/** The bundle's mtime, or undefined when it is missing. */
function bundleTime() {
  try {
    return fs.statSync(OUTPUT).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Each input file as `size mtimeMs path`. */
const inputs = [];
for (const input of INPUTS) eachFile(input, (file, stat) => inputs.push({ file, mtimeMs: stat.mtimeMs, line: `${stat.size} ${stat.mtimeMs} ${file}` }));
const signature = inputs.map((i) => i.line).join('\n');

const stampText = () => {
  try {
    return fs.readFileSync(STAMP, 'utf8');
  } catch {
    return '';
  }
};
const [stampedBundle, ...stamped] = stampText().split('\n');
const builtAt = bundleTime();
/** The stamp is of this very bundle (its mtime then and now). */
const stampHolds = builtAt !== undefined && stampedBundle === String(builtAt);

/** Why the bundle must be rebuilt, or undefined when it is up to date. */
function staleReason() {
  if (builtAt === undefined) return `${OUTPUT} is missing`;
  if (!fs.existsSync(COMPLETE)) return `${OUTPUT}'s build did not finish`;
  if (stampHolds) {
    if (stamped.join('\n') === signature) return undefined;
    const fileOf = (line) => line.slice(line.indexOf(' ', line.indexOf(' ') + 1) + 1);
    const before = new Map(stamped.map((line) => [fileOf(line), line]));
    const changed = inputs.find((i) => before.get(i.file) !== i.line);
    if (changed) return `${changed.file} changed`;
    const now = new Set(inputs.map((i) => i.file));
    return `${[...before.keys()].find((file) => !now.has(file)) ?? 'an input'} removed`;
  }
  // Built elsewhere (`npm run build`): by mtimes only, then stamped as built from what is here.
  const newer = inputs.find((i) => i.mtimeMs > builtAt);
  return newer ? `${newer.file} changed` : undefined;
}

/** Records what the bundle was built from (best effort: a read-only dist/ only loses the check's precision). */
function stamp() {
  const built = bundleTime();
  if (built === undefined) return;
  try {
    fs.writeFileSync(STAMP, `${built}\n${signature}`);
  } catch {
    // (See above.)
  }
}

const reason = staleReason();
let built = true;
if (reason !== undefined) {
  process.stderr.write(`building the CLI bundle (${reason})…\n`);
  const r = process.getBuiltinModule('node:child_process').spawnSync(process.execPath, ['esbuild.config.mjs'], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  built = r.status === 0;
  if (built) stamp();
} else if (!stampHolds) stamp();
// The engine's optional native scanner: built when stale, and never a reason not to run (it says why not).
const nativeFiles = nativeSources();
const nativeReason = nativeStaleReason({ files: nativeFiles });
if (nativeReason !== undefined) buildNative({ reason: nativeReason, files: nativeFiles });
const run = process.argv.indexOf('--run');
if (built && run !== -1) {
  const cli = path.resolve(OUTPUT);
  process.argv = [process.argv[0], cli, ...process.argv.slice(run + 1)];
  await import(process.getBuiltinModule('node:url').pathToFileURL(cli).href);
}
