/**
 * Installed like a tool: `npm pack` of the built package, `npm install -g --offline` of the
 * tarball into a temporary prefix (the package is dependency-free: env-paths rides in the
 * tarball, zod is inlined, the CLI is a bundle), then the installed binary runs and the
 * installed package's exports are imported by a consumer, as a daemon would.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, KNOWN, makeTempDirFactory, REPO_ROOT, writeLog } from './helpers.js';
import { CODE_CACHED_COMMANDS, codeCacheRejected } from './code-cache-check.js';

const run = promisify(execFile);
const tempDir = makeTempDirFactory('spa-install');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** npm with nothing from the calling `npm test` (its npm_* variables name its own prefix and config). */
function npmEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, HOME: home, npm_config_userconfig: path.join(home, '.npmrc'), npm_config_update_notifier: 'false' };
}

let dir: string;
let prefix: string;
let installed: string;
let bin: string;

beforeAll(async () => {
  dir = tempDir();
  const env = npmEnv(dir);
  // The build is npm test's (or `npm run build`): packing again must not rebuild dist/ under the other tests.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, env, maxBuffer: 64 << 20 });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  prefix = path.join(dir, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--cache', path.join(dir, 'cache'), '--no-audit', '--no-fund', path.join(dir, filename)], {
    cwd: dir,
    env,
  });
  installed = path.join(prefix, 'lib/node_modules', pkg.name);
  bin = path.join(prefix, 'bin', pkg.name);
}, 120_000);

describe('npm install -g of the packed tarball, offline', () => {
  it("runs its commands with their code caches: installed, each is still the one made from its script's bytes, and V8 takes it", () => {
    for (const command of CODE_CACHED_COMMANDS) expect(codeCacheRejected(path.join(installed, 'dist/bin', `command-${command}.js`)), command).toBe('false');
  });

  it('puts the binary on the prefix: --version, and print over a log', async () => {
    expect((await run(bin, ['--version'], { env: cliEnv() })).stdout).toBe(`${pkg.name} ${pkg.version}\n`);
    const log = path.join(dir, 'audit.log');
    writeLog(log, KNOWN);
    const printed = await run(bin, ['print', '--utc', '--state', 'denied', log], { env: cliEnv() });
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(/^2026-11-01 08:10:00.*web-02 .*denied .*rm -rf \/srv\/old$/m);
  });

  it('a consumer imports both exports: the writer writes a log, the schema accepts its lines, the binary prints it', async () => {
    const consumer = path.join(dir, 'consumer');
    fs.mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
    fs.symlinkSync(installed, path.join(consumer, 'node_modules', pkg.name));
    const log = path.join(consumer, 'daemon.log');
    fs.writeFileSync(
      path.join(consumer, 'daemon.mjs'),
      `import fs from 'node:fs';
import { openAuditLog } from '${pkg.name}/writer';
import { auditRecordSchema } from '${pkg.name}/schema';
const log = openAuditLog({ path: ${JSON.stringify(log)} });
log.request({ id: 'i1', time: '2026-11-01T08:00:00Z', host: 'web-01', session: 's1', pipeline: [['uptime']], resolved: ['/usr/bin/uptime'], env: ['PATH'], reason: 'installed', privileged: false, decision: 'approved', via: 'operator', latencyMs: 900 });
log.response({ id: 'i1', time: '2026-11-01T08:00:01Z', status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 10, durationMs: 5 });
log.close();
const lines = fs.readFileSync(${JSON.stringify(log)}, 'utf8').trim().split('\\n');
for (const line of lines) auditRecordSchema.parse(JSON.parse(line));
console.log(lines.length);
`,
    );
    const daemon = await run(process.execPath, ['daemon.mjs'], { cwd: consumer, env: cliEnv() });
    expect(daemon.stdout).toBe('4\n'); // start, request, response, stop
    const printed = await run(bin, ['print', '--utc', log], { env: cliEnv() });
    expect(printed.stdout).toMatch(/web-01 .* uptime/);
    expect((await run(bin, ['verify', log], { env: cliEnv() })).stdout).toMatch(/^ok: 4 records/);
  });

  it('fits in 10 MB with nothing but its bundle, examples, man page, license and the README with what it links to', async () => {
    const { stdout } = await run('du', ['-sk', prefix]);
    expect(Number(stdout.split('\t')[0])).toBeLessThanOrEqual(10 * 1024);
    // Only the writer's one dependency, carried in the tarball: no Ink, React or zod.
    expect(fs.readdirSync(path.join(installed, 'node_modules')).sort()).toEqual(['env-paths', 'is-safe-filename']);
    for (const file of ['LICENSE', 'README.md', 'examples/rsyslog/sender.conf', 'examples/rsyslog/collector.conf', 'schema/audit-record.schema.json']) {
      expect(fs.existsSync(path.join(installed, file)), file).toBe(true);
    }
    const readme = fs.readFileSync(path.join(installed, 'README.md'), 'utf8');
    // Every link the README makes inside the package (images, ARCHITECTURE.md, examples) leads somewhere once installed.
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.filter((t) => t.startsWith('screenshots/')).length).toBeGreaterThan(0);
    for (const target of targets) expect(fs.existsSync(path.join(installed, target)), target).toBe(true);
  });

  it('installs the man page where man finds it', () => {
    const page = path.join(prefix, 'share/man/man1', `${pkg.name}.1`);
    expect(fs.readFileSync(page, 'utf8')).toBe(fs.readFileSync(path.join(REPO_ROOT, 'man', `${pkg.name}.1`), 'utf8'));
  });
});
