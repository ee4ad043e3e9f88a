/**
 * What the writer refuses, as an attacker would try it: a FIFO where the log should be (the
 * daemon would hang), and a directory or file someone else controls (the log would be theirs to
 * rewrite). Each refusal costs the daemon nothing: one warning saying why, records counted as
 * dropped, the gap recorded once the path can be trusted again.
 *
 * The FIFO attacks run in a child process with a deadline: if the writer ever waits again,
 * that test fails on its deadline instead of hanging the suite.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/shared/chain.js';
import { openAuditLog, type WriterFs, type WriterStats } from '../../src/writer/index.js';
import { chainLinesOf, makeTempDirFactory, parseLines, REPO_ROOT, readLines, sampleRequest } from './helpers.js';

const tempDir = makeTempDirFactory('spa-refusals');
const ATTACK_CHILD = path.join(REPO_ROOT, 'test/writer/fixtures/attack-child.ts');
const NOBODY = 65534;
/** Far beyond a tsx start on a loaded machine; a writer that blocks never answers. */
const DEADLINE_MS = 20_000;

interface AttackResult {
  timedOut: boolean;
  code: number | null;
  stats?: WriterStats;
  warnings?: string[];
  stderr: string;
}

/** Runs attack-child.ts SCENARIO FILE; kills it at the deadline. */
function runAttack(scenario: string, file: string): Promise<AttackResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', ATTACK_CHILD, scenario, file], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, DEADLINE_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const answer = stdout.trim() === '' ? {} : (JSON.parse(stdout) as { stats: WriterStats; warnings: string[] });
      resolve({ timedOut, code, stderr, ...answer });
    });
  });
}

const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

/** A writer whose warnings are collected instead of printed. */
function open(file: string, extra: Parameters<typeof openAuditLog>[0] = {}) {
  const warnings: string[] = [];
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), ...extra });
  return { log, warnings };
}

/** A directory owned by nobody that anyone may write: where an attacker would want the log. */
function foreignWorldWritableDir(base: string): string {
  const dir = path.join(base, 'attacker');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777);
  fs.chownSync(dir, NOBODY, NOBODY);
  return dir;
}

describe('never waits: a FIFO', () => {
  it('never blocks on a FIFO at open', async () => {
    const file = path.join(tempDir(), 'audit.log');
    mkfifo(file);
    const r = await runAttack('open', file);
    expect(r.timedOut, 'the writer blocked opening a FIFO').toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stats).toMatchObject({ written: 0 });
    expect(r.stats?.dropped).toBeGreaterThan(0);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings?.[0]).toMatch(/not a regular file/);
    expect(fs.statSync(file).isFIFO()).toBe(true);
  }, 30_000);

  it('never blocks on a FIFO swapped in while it runs (mkfifo f; mv -T f audit.log)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const r = await runAttack('swap-fifo', file);
    expect(r.timedOut, 'the writer blocked on a FIFO swapped in').toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stats).toMatchObject({ written: 2 }); // start and the first request
    expect(r.stats?.dropped).toBeGreaterThan(0);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings?.[0]).toMatch(/not a regular file/);
  }, 30_000);

  it('never blocks on a FIFO at PATH.1, the rotated file it continues the chain from', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, '', { mode: 0o600 });
    mkfifo(`${file}.1`);
    const r = await runAttack('open', file);
    expect(r.timedOut, 'the writer blocked reading PATH.1').toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stats).toEqual({ written: 3, dropped: 0, droppedTotal: 0 });
    expect(parseLines(file)[0]).toMatchObject({ event: 'start', seq: 1 });
  }, 30_000);

  it('never blocks on a FIFO swapped in right after its open: the last line is read from the file it opened, not by path', async () => {
    const file = path.join(tempDir(), 'audit.log');
    open(file).log.close();
    const r = await runAttack('fifo-after-open', file);
    expect(r.timedOut, 'the writer blocked reading the last line from a FIFO').toBe(false);
    expect(r.stderr).toBe('');
    // The last line came from the file it opened; the FIFO now at the path is refused at the first append's check.
    expect(r.stats).toMatchObject({ written: 0 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings?.[0]).toMatch(/not a regular file \(a FIFO\)/);
  }, 30_000);
});

describe('never waits: a log directory that cannot be made', () => {
  // procfs answers ENOENT to mkdir of a name it does not hold; Node 20's recursive mkdir takes
  // that for a missing parent, makes the parent (EEXIST) and tries again, forever, at full CPU.
  it('never spins on a directory under /proc (mkdir answers ENOENT with the parent there)', async () => {
    const r = await runAttack('open', `/proc/spa-no-such-dir-${process.pid}/logs/audit.log`);
    expect(r.timedOut, 'the writer spun making its directory').toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stats).toMatchObject({ written: 0 });
    expect(r.stats?.dropped).toBeGreaterThan(0);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings?.[0]).toMatch(/ENOENT/);
  }, 30_000);
});

describe('trusts only a directory and a file it owns', () => {
  it('refuses a log directory replaced by a symlink to a world-writable directory owned by someone else', () => {
    const base = tempDir();
    const dir = path.join(base, 'sudo-proxy');
    const file = path.join(dir, 'audit.log');
    const attacker = foreignWorldWritableDir(base);
    const { log, warnings } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    fs.renameSync(dir, path.join(base, 'moved-away'));
    fs.symlinkSync(attacker, dir);
    expect(() => log.request(sampleRequest(2))).not.toThrow();
    log.close();
    expect(fs.readdirSync(attacker)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dir);
    expect(warnings[0]).toMatch(/symlink/);
    expect(log.stats()).toMatchObject({ written: 2 });
    expect(log.stats().dropped).toBeGreaterThan(0);
  });

  it('refuses to start in a log directory that is a symlink, even to a directory of its own', () => {
    const base = tempDir();
    const real = path.join(base, 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    const dir = path.join(base, 'sudo-proxy');
    fs.symlinkSync(real, dir);
    const { log, warnings } = open(path.join(dir, 'audit.log'));
    log.request(sampleRequest(1));
    log.close();
    expect(fs.readdirSync(real)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symlink/);
  });

  it('refuses an existing audit.log owned by another user with mode 0666, and leaves it untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const planted = `${JSON.stringify({ v: 1, type: 'writer', seq: 1, prev: '0'.repeat(64), time: 't', event: 'start', pid: 1 })}\n`;
    fs.writeFileSync(file, planted);
    fs.chownSync(file, NOBODY, NOBODY);
    fs.chmodSync(file, 0o666);
    const { log, warnings } = open(file);
    expect(() => {
      log.request(sampleRequest(1));
      log.close();
    }).not.toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe(planted);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/owned by uid 65534/);
    expect(log.stats().written).toBe(0);
  });

  for (const mode of [0o620, 0o606, 0o666]) {
    it(`refuses an audit.log of its own that others may write (mode ${mode.toString(8)})`, () => {
      const file = path.join(tempDir(), 'audit.log');
      fs.writeFileSync(file, '');
      fs.chmodSync(file, mode);
      const { log, warnings } = open(file);
      log.request(sampleRequest(1));
      log.close();
      expect(fs.readFileSync(file, 'utf8')).toBe('');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`writable by group or others \\(mode 0${mode.toString(8)}\\)`));
    });
  }

  it('refuses a log directory owned by another user, even one only its owner may write', () => {
    const base = tempDir();
    const dir = path.join(base, 'sudo-proxy');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, NOBODY, NOBODY);
    const { log, warnings } = open(path.join(dir, 'audit.log'));
    log.request(sampleRequest(1));
    log.close();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dir);
    expect(warnings[0]).toMatch(/owned by uid 65534/);
  });

  for (const mode of [0o770, 0o703, 0o1777]) {
    it(`refuses a log directory of its own that others may write (mode ${mode.toString(8)})`, () => {
      const base = tempDir();
      const dir = path.join(base, 'sudo-proxy');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, mode);
      const { log, warnings } = open(path.join(dir, 'audit.log'));
      log.request(sampleRequest(1));
      log.close();
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/writable by group or others/);
    });
  }

  it('refuses a directory it created that was replaced by a symlink before the log was opened', () => {
    const base = tempDir();
    const file = path.join(base, 'state', 'sudo-proxy', 'audit.log');
    const aside = path.join(base, 'aside');
    // mkdir -p made state/ and state/sudo-proxy; then state/ is swapped for a symlink to a copy
    // whose sudo-proxy/ is still the writer's own, 0700: only a check of each level it created sees it.
    const swapping: WriterFs = {
      ...fs,
      mkdirSync: ((p: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
        const created = fs.mkdirSync(p, options);
        // (Once the last level is made: the writer makes one level at a time.)
        if (p === path.dirname(file)) {
          fs.renameSync(path.join(base, 'state'), aside);
          fs.symlinkSync(aside, path.join(base, 'state'));
        }
        return created;
      }) as typeof fs.mkdirSync,
    };
    const { log, warnings } = open(file, { fs: swapping });
    log.close();
    expect(fs.readdirSync(path.join(aside, 'sudo-proxy'))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/symlink/);
  });

  it('keeps the daemon running through a refusal and records the gap once its directory is its own again', () => {
    const base = tempDir();
    const dir = path.join(base, 'sudo-proxy');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    let t = 1_700_000_000_000;
    const { log, warnings } = open(path.join(dir, 'audit.log'), { now: () => t });
    expect(() => {
      for (let i = 0; i < 5; i++) log.request(sampleRequest(i));
    }).not.toThrow();
    expect(log.stats()).toEqual({ written: 0, dropped: 5, droppedTotal: 5 });
    fs.chmodSync(dir, 0o700);
    t += 60_000;
    log.request(sampleRequest(5));
    log.close();
    const file = path.join(dir, 'audit.log');
    expect(parseLines(file).map((r) => r.event ?? r.id)).toEqual(['dropped', 'req-5', 'stop']);
    expect(String(parseLines(file)[0].error)).toMatch(/writable by group or others/);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/writable again/);
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
    expect(readLines(file)).toHaveLength(3);
  });
});
