/**
 * Builds the engine's optional native scanner (native/: Rust, no dependencies, N-API) into
 * dist/native/sudo-proxy-audit-native.node when one of its sources is newer than it. It is an
 * accelerator, not a requirement: without cargo, on a system it does not support, or when the
 * build fails, this says so in one line and exits 0, and the engine reads every line in
 * JavaScript (src/engine/native-scanner.ts). `--required` exits 1 instead (CI has the toolchain).
 * Run from the project root; `npm run build` and `npm install` (build-if-stale.mjs) call it.
 */
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

const SOURCES = ['native/Cargo.toml', 'native/Cargo.lock', 'native/src'];
const BUILT = 'native/target/release/libsudo_proxy_audit_native.so';
export const OUTPUT = 'dist/native/sudo-proxy-audit-native.node';

/** The newest mtime among the sources (0 when none is there: a package without native/). */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const s of SOURCES) visit(s);
  return newest;
}

/** Why the addon must be built again, or undefined when it is current. */
export function nativeStaleReason() {
  const newest = newestSource();
  if (newest === 0) return undefined;
  let built;
  try {
    built = fs.statSync(OUTPUT).mtimeMs;
  } catch {
    return 'not built';
  }
  return newest > built ? 'native/ changed' : undefined;
}

/** Builds it; true when it is there afterwards. Says why not in one line on stderr. */
export function buildNative({ required = false } = {}) {
  const fail = (why) => {
    process.stderr.write(`native scanner not built (${why}): the engine reads in JavaScript\n`);
    if (required) process.exitCode = 1;
    return false;
  };
  if (process.platform !== 'linux') return fail(`${process.platform} is not supported`);
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const r = spawnSync('cargo', ['build', '--release', '--offline', '--quiet', '--features', 'addon', '--manifest-path', 'native/Cargo.toml'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) return fail(r.error.code === 'ENOENT' ? 'no cargo on PATH' : r.error.message);
  if (r.status !== 0) return fail(`cargo exited with ${r.status ?? r.signal}`);
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  // Copied to a new file and renamed over: a running process keeps the addon it loaded.
  fs.copyFileSync(BUILT, `${OUTPUT}.tmp`);
  fs.renameSync(`${OUTPUT}.tmp`, OUTPUT);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const required = process.argv.includes('--required');
  const reason = process.argv.includes('--if-stale') ? nativeStaleReason() : 'asked';
  if (reason !== undefined) buildNative({ required });
}
