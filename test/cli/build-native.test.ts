/**
 * scripts/build-native.mjs, as `npm run build` (--if-stale) and `npm start`
 * (build-if-stale.mjs) run it: the optional native scanner is built when its sources are not
 * what the addon in dist/native was built from, an addon from other sources is never left
 * there to be loaded, and a machine that cannot build it is told so once and runs anyway. Run
 * in scratch projects whose `cargo` is a stand-in that counts its runs and "builds" a file
 * from native/src/lib.rs (or fails, when asked to).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDirFactory, REPO_ROOT } from './helpers.js';

const tempDir = makeTempDirFactory('spa-build-native');
const BUILD_NATIVE = path.join(REPO_ROOT, 'scripts/build-native.mjs');
const BUILD_IF_STALE = path.join(REPO_ROOT, 'scripts/build-if-stale.mjs');
const ADDON = 'dist/native/sudo-proxy-audit-native.node';

/** A project with native/ sources, a CLI bundle already built, and `cargo` in bin/ (on PATH only when asked). */
function scratchProject(): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'native/src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'native/Cargo.toml'), '[package]\nname = "scratch"\n');
  fs.writeFileSync(path.join(root, 'native/Cargo.lock'), '# lock\n');
  fs.writeFileSync(path.join(root, 'native/src/lib.rs'), '// version 1\n');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.writeFileSync(
    path.join(root, 'bin/cargo'),
    `#!${process.execPath}\n` +
      "const fs = require('node:fs');\n" +
      "fs.appendFileSync('cargo-runs', 'x');\n" +
      "if (fs.existsSync('cargo-fails')) { process.stderr.write('error: could not compile (stand-in)\\n'); process.exit(101); }\n" +
      "fs.mkdirSync('native/target/release', { recursive: true });\n" +
      "fs.writeFileSync('native/target/release/libsudo_proxy_audit_native.so', 'built from ' + fs.readFileSync('native/src/lib.rs', 'utf8'));\n",
    { mode: 0o755 },
  );
  fs.mkdirSync(path.join(root, 'no-tools'));
  // The CLI bundle, up to date, for build-if-stale (its own checks are build-if-stale.test.ts's).
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'esbuild.config.mjs'), "import fs from 'node:fs';\nfs.mkdirSync('dist/bin', { recursive: true });\nfs.writeFileSync('dist/bin/cli.js', 'process.stdout.write(`ran ${process.argv.slice(2)}`);\\n');\nfs.writeFileSync('dist/bin/.complete', '');\n");
  spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: root });
  return root;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
/** Runs `script` in `root`, with the stand-in cargo on PATH or no cargo at all. */
function run(root: string, script: string, args: string[], withCargo: boolean): Run {
  const PATH = path.join(root, withCargo ? 'bin' : 'no-tools');
  return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH } });
}
const build = (root: string, withCargo = true) => run(root, BUILD_NATIVE, ['--if-stale'], withCargo);
const start = (root: string, withCargo = true) => run(root, BUILD_IF_STALE, ['--run', 'demo'], withCargo);
const cargoRuns = (root: string) => (fs.existsSync(path.join(root, 'cargo-runs')) ? fs.readFileSync(path.join(root, 'cargo-runs'), 'utf8').length : 0);
const addon = (root: string) => (fs.existsSync(path.join(root, ADDON)) ? fs.readFileSync(path.join(root, ADDON), 'utf8') : null);
/** Moves a file's mtime `seconds` from now. */
const touch = (file: string, seconds: number) => {
  const t = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, t, t);
};

describe('build-native', () => {
  it('builds the addon when there is none, then not again while its sources stay as they were', () => {
    const root = scratchProject();
    expect(build(root).status).toBe(0);
    expect(addon(root)).toBe('built from // version 1\n');
    expect(build(root).stderr).toBe('');
    expect(cargoRuns(root)).toBe(1);
  });

  it('rebuilds when a source is put back older than the addon (cp -p, tar x, a restore): changed is not only newer', () => {
    const root = scratchProject();
    build(root);
    const lib = path.join(root, 'native/src/lib.rs');
    fs.writeFileSync(lib, '// version 0, restored\n');
    touch(lib, -3600);
    const r = build(root);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('native/src/lib.rs changed');
    expect(cargoRuns(root)).toBe(2);
    expect(addon(root)).toBe('built from // version 0, restored\n');
  });

  it('leaves no addon built from other sources when the build fails: the engine would load it, not read in JavaScript as it says', () => {
    const root = scratchProject();
    build(root);
    fs.writeFileSync(path.join(root, 'native/src/lib.rs'), '// version 2, does not compile\n');
    fs.writeFileSync(path.join(root, 'cargo-fails'), '');
    const r = build(root);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^native scanner not built \(cargo exited with 101\): the engine reads in JavaScript/m);
    expect(addon(root)).toBeNull();
  });

  it('without cargo, npm start says so in one line, once, and runs', () => {
    const root = scratchProject();
    const first = start(root, false);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('ran demo');
    expect(first.stderr).toBe('native scanner not built (no cargo on PATH): the engine reads in JavaScript\n');
    const again = start(root, false);
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('ran demo');
    // Until cargo is there, or the sources change.
    const withCargo = start(root, true);
    expect(withCargo.stdout).toBe('ran demo');
    expect(cargoRuns(root)).toBe(1);
    expect(addon(root)).toBe('built from // version 1\n');
  });

  it('a dist/native it cannot write is no reason for npm start not to run', () => {
    const root = scratchProject();
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(root, 'dist/native'), 'a file where the directory goes\n');
    const r = start(root, true);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ran demo');
    expect(r.stderr).toMatch(/^native scanner not built \(.*\): the engine reads in JavaScript$/m);
  });
});
