/**
 * Builds the engine's optional native scanner (native/: Rust, no dependencies, N-API) into
 * dist/native/sudo-proxy-audit-native.node when its sources are not those the addon there was
 * built from. It is an accelerator, not a requirement: without cargo, on a system it does not
 * support, or when the build fails, this says so in one line and exits 0, and the engine reads
 * every line in JavaScript (src/engine/native-scanner.ts). `--required` exits 1 instead (CI
 * has the toolchain). Run from the project root; `npm run build` and `npm install`
 * (build-if-stale.mjs) call it.
 *
 * What the addon was built from is recorded beside it (STAMP: each source's size and mtime, as
 * build-if-stale.mjs records the bundle's inputs), not judged by an mtime newer than the addon's:
 * sources put back older (`cp -p`, `tar x`, `rsync -a`, a restore) left an addon built
 * from other sources in place, which the engine loads (its slots' layout is the same). For the
 * same reason a build that fails removes the addon there: the engine would load it, not read
 * in JavaScript as the line says. A build that could not run is said once, not at every start.
 */
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

const SOURCES = ['native/Cargo.toml', 'native/Cargo.lock', 'native/src'];
const BUILT = 'native/target/release/libsudo_proxy_audit_native.so';
export const OUTPUT = 'dist/native/sudo-proxy-audit-native.node';
/** `built` or `failed: WHY`, then `SIZE MTIME FILE` for each source the addon was built (or failed to build) from. */
const STAMP = 'dist/native/.sources';
const NO_CARGO = 'no cargo on PATH';

/**
 * Each file under `entry` (a file, or a directory walked in name order; a missing one is
 * skipped), handed to `visit` with its stat. build-if-stale.mjs lists the bundle's inputs by it too.
 */
export function eachFile(entry, visit) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return;
  }
  if (!stat.isDirectory()) visit(entry, stat);
  else for (const name of fs.readdirSync(entry).sort()) eachFile(path.join(entry, name), visit);
}

/**
 * Each source file of the addon as `size mtimeMs path`, as build-if-stale.mjs stamps the bundle's
 * inputs: a source changed, or put back older, no longer matches the stamp (hashing the sources
 * cost ~8 ms of every npm start). Read once a run and handed to both calls below.
 */
export function nativeSources() {
  const out = [];
  for (const s of SOURCES) eachFile(s, (file, stat) => out.push(`${stat.size} ${stat.mtimeMs} ${file}`));
  return out;
}

function readStamp() {
  try {
    const [outcome, ...files] = fs.readFileSync(STAMP, 'utf8').split('\n');
    return { outcome, files };
  } catch {
    return null;
  }
}

/** Records what the addon there was built from, or failed to build from (best effort: without it, the next run only builds again). */
function stamp(outcome, files) {
  try {
    fs.mkdirSync(path.dirname(STAMP), { recursive: true });
    fs.writeFileSync(STAMP, [outcome, ...files].join('\n'));
  } catch {
    // (See above.)
  }
}

/** The cargo on PATH, or null. */
function findCargo() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, 'cargo');
    try {
      if (fs.statSync(file).isFile()) {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Why the addon must be built again, or undefined when it is built from the sources there (or
 * failed to be, and said so: then again only once cargo is on PATH, or with `retryFailed`).
 */
export function nativeStaleReason({ retryFailed = false, files = nativeSources() } = {}) {
  if (files.length === 0) return undefined;
  const built = fs.existsSync(OUTPUT);
  const stamped = readStamp();
  if (stamped === null) return built ? `${OUTPUT} has no record of its sources` : 'not built';
  const fileOf = (line) => line.slice(line.indexOf(' ', line.indexOf(' ') + 1) + 1);
  const before = new Map(stamped.files.map((line) => [fileOf(line), line]));
  const changed = files.find((line) => before.get(fileOf(line)) !== line);
  if (changed) return `${fileOf(changed)} changed`;
  if (before.size !== files.length) {
    const now = new Set(files.map(fileOf));
    return `${[...before.keys()].find((file) => !now.has(file))} removed`;
  }
  if (stamped.outcome === 'built') return built ? undefined : 'not built';
  if (built) return `${OUTPUT} is not built from native/`;
  if (retryFailed) return stamped.outcome;
  return stamped.outcome === `failed: ${NO_CARGO}` && findCargo() !== null ? 'cargo is on PATH now' : undefined;
}

/**
 * Builds it, saying why first (`reason`); true when it is there afterwards. Else says why not
 * in one line on stderr, and leaves no addon from other sources behind.
 */
export function buildNative({ required = false, reason = 'asked', files = nativeSources() } = {}) {
  const fail = (why) => {
    try {
      fs.rmSync(OUTPUT, { force: true });
    } catch {
      // (A dist/native that is not a directory holds no addon.)
    }
    stamp(`failed: ${why}`, files);
    process.stderr.write(`native scanner not built (${why}): the engine reads in JavaScript\n`);
    if (required) process.exitCode = 1;
    return false;
  };
  if (process.platform !== 'linux') return fail(`${process.platform} is not supported`);
  const cargo = findCargo();
  if (cargo === null) return fail(NO_CARGO);
  process.stderr.write(`building the native scanner (${reason})…\n`);
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const r = spawnSync(cargo, ['build', '--release', '--offline', '--quiet', '--features', 'addon', '--manifest-path', 'native/Cargo.toml'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) return fail(r.error.message);
  if (r.status !== 0) return fail(`cargo exited with ${r.status ?? r.signal}`);
  // Copied to a file of this process's and renamed over: a running process keeps the addon it
  // loaded, and two builds at once (npm start beside npm test) never rename a half-written copy.
  const copy = `${OUTPUT}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
    fs.copyFileSync(BUILT, copy);
    fs.renameSync(copy, OUTPUT);
  } catch (e) {
    try {
      fs.rmSync(copy, { force: true });
    } catch {
      // (Nothing was written.)
    }
    return fail(e.code ?? e.message);
  }
  stamp('built', files);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const required = process.argv.includes('--required');
  const files = nativeSources();
  const reason = process.argv.includes('--if-stale') ? nativeStaleReason({ retryFailed: required, files }) : 'asked';
  if (reason !== undefined) buildNative({ required, reason, files });
}
