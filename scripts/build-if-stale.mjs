/**
 * `npm start`'s build step: rebuilds the CLI bundle (esbuild.config.mjs → dist/bin) only when
 * one of its inputs is newer than the bundle, and says so in one line on stderr; otherwise it
 * does nothing, in a few milliseconds. (tsc's dist/ is for the library exports: the demo
 * viewer does not need it, and `npm run build` still makes both.) Run from the project root.
 * `node scripts/build-if-stale.mjs --run ARGS…` then runs the CLI with ARGS in this same
 * process: one Node start-up instead of two.
 */
// Built-ins through process.getBuiltinModule, as the bundle takes them: an ES import of node:fs
// builds a facade that loads fs/promises (a few ms of every start); child_process only to build.
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

/** What the bundle is built from: the sources, the bundler's config, and the installed dependencies. */
const INPUTS = ['src', 'esbuild.config.mjs', 'scripts/code-cache.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
const OUTPUT = 'dist/bin/cli.js';

/** The newest file under `entry` (a file or a directory), or undefined when there is none. */
function newest(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { file: entry, mtimeMs: stat.mtimeMs };
  let best;
  for (const name of fs.readdirSync(entry)) {
    const found = newest(path.join(entry, name));
    if (found && (!best || found.mtimeMs > best.mtimeMs)) best = found;
  }
  return best;
}

/** Why the bundle must be rebuilt, or undefined when it is up to date. */
function staleReason() {
  let built;
  try {
    built = fs.statSync(OUTPUT).mtimeMs;
  } catch {
    return `${OUTPUT} is missing`;
  }
  for (const input of INPUTS) {
    const found = newest(input);
    if (found && found.mtimeMs > built) return `${found.file} changed`;
  }
  return undefined;
}

const reason = staleReason();
let built = true;
if (reason !== undefined) {
  process.stderr.write(`building the CLI bundle (${reason})…\n`);
  const r = process.getBuiltinModule('node:child_process').spawnSync(process.execPath, ['esbuild.config.mjs'], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  built = r.status === 0;
}
const run = process.argv.indexOf('--run');
if (built && run !== -1) {
  const cli = path.resolve(OUTPUT);
  process.argv = [process.argv[0], cli, ...process.argv.slice(run + 1)];
  await import(process.getBuiltinModule('node:url').pathToFileURL(cli).href);
}
