/**
 * scripts/build-if-stale.mjs (`npm start`, and `npm install` as prepare): it runs the project's
 * esbuild.config.mjs only when an input changed since its last build (or, built elsewhere, is
 * newer than dist/bin/cli.js), and says so. Run in a
 * scratch project whose esbuild.config.mjs only writes the bundle's file and counts its runs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDirFactory, REPO_ROOT } from './helpers.js';

const tempDir = makeTempDirFactory('spa-build-if-stale');
const SCRIPT = path.join(REPO_ROOT, 'scripts/build-if-stale.mjs');

function scratchProject(): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'src/cli'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src/cli/cli.ts'), 'export {};\n');
  fs.writeFileSync(path.join(root, 'package.json'), '{}\n');
  fs.writeFileSync(
    path.join(root, 'esbuild.config.mjs'),
    // (As the real one: cli.js first, the other files, then the mark that the build finished.)
    "import fs from 'node:fs';\nfs.mkdirSync('dist/bin', { recursive: true });\nfs.writeFileSync('dist/bin/cli.js', '');\nfs.appendFileSync('builds', 'x');\nif (fs.existsSync('fail-once')) { fs.rmSync('fail-once'); process.exit(3); }\nfs.writeFileSync('dist/bin/.complete', '');\n",
  );
  return root;
}

const run = (root: string) => spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: 'utf8' });
const builds = (root: string) => (fs.existsSync(path.join(root, 'builds')) ? fs.readFileSync(path.join(root, 'builds'), 'utf8').length : 0);
/** Moves a file's mtime `seconds` from now (a touch that needs no waiting for the clock). */
const touch = (file: string, seconds: number) => {
  const t = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, t, t);
};

describe('build-if-stale', () => {
  it('builds when there is no bundle, and says why', () => {
    const root = scratchProject();
    const r = run(root);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('building the CLI bundle (dist/bin/cli.js is missing)…\n');
    expect(builds(root)).toBe(1);
  });

  it('does nothing, silently, when nothing is newer than the bundle', () => {
    const root = scratchProject();
    run(root);
    touch(path.join(root, 'dist/bin/cli.js'), 60);
    const r = run(root);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(builds(root)).toBe(1);
  });

  it('rebuilds when a source, the config, the code cache maker or the lock file is touched, naming it', () => {
    const root = scratchProject();
    run(root);
    fs.writeFileSync(path.join(root, 'package-lock.json'), '{}\n');
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.writeFileSync(path.join(root, 'scripts/code-cache.mjs'), '\n');
    for (const [n, file] of ['src/cli/cli.ts', 'esbuild.config.mjs', 'scripts/code-cache.mjs', 'package-lock.json'].entries()) {
      touch(path.join(root, 'dist/bin/cli.js'), 60 * (2 * n + 1));
      touch(path.join(root, file), 60 * (2 * n + 2));
      const r = run(root);
      expect(r.stderr).toBe(`building the CLI bundle (${file} changed)…\n`);
      expect(builds(root)).toBe(n + 2);
    }
  });

  it('rebuilds when a source is put back older than the bundle (cp -p, tar x, a restore): changed is not only newer', () => {
    const root = scratchProject();
    run(root);
    fs.writeFileSync(path.join(root, 'src/cli/cli.ts'), 'export const restored = 1;\n');
    touch(path.join(root, 'src/cli/cli.ts'), -3600);
    const r = run(root);
    expect(r.stderr).toBe('building the CLI bundle (src/cli/cli.ts changed)…\n');
    expect(builds(root)).toBe(2);
    expect(run(root).stderr).toBe('');
    expect(builds(root)).toBe(2);
  });

  it('rebuilds when a source is removed or added with an old mtime (a deletion leaves nothing newer)', () => {
    const root = scratchProject();
    fs.writeFileSync(path.join(root, 'src/cli/gone.ts'), 'export {};\n');
    run(root);
    fs.rmSync(path.join(root, 'src/cli/gone.ts'));
    expect(run(root).stderr).toBe('building the CLI bundle (src/cli/gone.ts removed)…\n');
    fs.writeFileSync(path.join(root, 'src/cli/added.ts'), 'export {};\n');
    touch(path.join(root, 'src/cli/added.ts'), -3600);
    expect(run(root).stderr).toBe('building the CLI bundle (src/cli/added.ts changed)…\n');
    expect(builds(root)).toBe(3);
  });

  it("`npm install` builds the bundle (this package's prepare script), so the first npm start builds nothing", () => {
    const root = scratchProject();
    const { scripts } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, scripts: { prepare: scripts.prepare } }));
    fs.mkdirSync(path.join(root, 'scripts'));
    fs.copyFileSync(SCRIPT, path.join(root, 'scripts/build-if-stale.mjs'));
    // (Which builds the native scanner too, when the project has one: this one has none.)
    fs.copyFileSync(path.join(REPO_ROOT, 'scripts/build-native.mjs'), path.join(root, 'scripts/build-native.mjs'));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(install.status, install.stderr).toBe(0);
    expect(builds(root)).toBe(1);
    const r = run(root);
    expect(r.stderr).toBe('');
    expect(builds(root)).toBe(1);
  });

  it('fails when the build fails, and then runs nothing', () => {
    const root = scratchProject();
    fs.writeFileSync(path.join(root, 'esbuild.config.mjs'), 'process.exit(3);\n');
    const r = spawnSync(process.execPath, [SCRIPT, '--run', 'demo'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
  });

  it('rebuilds after a build that stopped once cli.js was written (Ctrl-C, a full disk): that bundle is not up to date', () => {
    const root = scratchProject();
    fs.writeFileSync(path.join(root, 'fail-once'), '');
    expect(run(root).status).toBe(3);
    // On main: cli.js, newer than every input, passed for a bundle built elsewhere; --run ran it.
    const r = run(root);
    expect(r.stderr).toBe("building the CLI bundle (dist/bin/cli.js's build did not finish)…\n");
    expect(r.status).toBe(0);
    expect(builds(root)).toBe(2);
    expect(run(root).stderr).toBe('');
    expect(builds(root)).toBe(2);
  });

  it('--run ARGS: then runs the bundle with ARGS, in the same process', () => {
    const root = scratchProject();
    run(root);
    touch(path.join(root, 'dist/bin/cli.js'), 60);
    fs.writeFileSync(path.join(root, 'dist/bin/cli.js'), 'process.stdout.write(JSON.stringify([process.argv.slice(2), process.pid]));\n');
    touch(path.join(root, 'dist/bin/cli.js'), 60);
    const r = spawnSync(process.execPath, [SCRIPT, '--run', 'demo', '--view'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [argv, pid] = JSON.parse(r.stdout);
    expect(argv).toEqual(['demo', '--view']);
    expect(pid).toBe(r.pid);
    expect(builds(root)).toBe(1);
  });
});
