/**
 * Cross-language end to end: the Rust writer (rust/examples/demo_daemon, built offline with
 * cargo) writes, the TypeScript side reads. Concurrent daemon processes, a SIGKILL and a
 * restart, real logrotate (nocreate, the README's configuration) while a daemon writes, and
 * a full disk (a tiny tmpfs where this machine may mount one; else the crate's write seam) —
 * then `verify` is ok across the rotated set, `print --json` gives each request the state the
 * daemon decided, and the viewer in a real terminal (tmux) shows the entries.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { CLI, REPO_ROOT, readLines, runCli } from '../cli/helpers.js';
import { requireTool } from '../helpers/system-tools.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { TmuxPane } from '../tui/tmux.js';
import { buildDaemon, cargo, collectRun, expectedState, pidOf, requestNumber, runDaemon, runs, spawnDaemon } from './rust-helpers.js';

const logrotate = requireTool('logrotate', { package: 'logrotate', for: 'the logrotate scenario' });
const tmux = requireTool('tmux', { package: 'tmux', for: 'the viewer check' });
const tempDir = makeTempDirFactory('spa-rust-e2e');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface EntryJson {
  id: string;
  state: string;
  response: unknown;
  request_error: string | null;
}

/**
 * `torn`: the log may hold a short write's fragment (a full disk), which print names on stderr,
 * and the writer's gap record, which print --json names there too. `forked`: concurrent
 * writers on one file fork its chain (README), which print warns of.
 */
async function printJson(args: readonly string[], { torn = false, forked = false } = {}): Promise<EntryJson[]> {
  const out = await runCli(['print', '--json', ...args]);
  if (torn) expect(out.stderr).toMatch(/^(\S+:\d+: not JSON\n)?(\S+:\d+: writer \(pid \d+\): \d+ records? dropped: .*\n)?$/);
  else if (forked) expect(out.stderr).toMatch(/^(sudo-proxy-audit: warning: the hash chain is broken .*\n)?$/);
  else expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout.trim() === '' ? [] : out.stdout.trim().split('\n').map((l) => JSON.parse(l) as EntryJson);
}

/** Every entry has the state its daemon decided; `killed`: a pid whose last request may have lost its completion. */
function expectStatesExact(entries: EntryJson[], killed: { pid: number; last: number } | null = null): void {
  const wrong = entries.filter((e) => {
    if (e.state === expectedState(e.id)) return false;
    // Written, then the daemon was killed (or the disk filled) before the completion record.
    if (e.state === 'running' && e.response === null && runs(e.id)) return !(killed === null || (pidOf(e.id) === killed.pid && requestNumber(e.id) === killed.last));
    return true;
  });
  expect(wrong).toEqual([]);
}

async function runLogrotate(conf: string, state: string): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    execFile(logrotate.path, ['-f', '-s', state, conf], (error, _o, stderr) => (error || stderr ? reject(new Error(`logrotate: ${stderr || error?.message}`)) : resolve())),
  );
}

let mounted: string | null = null;
let pane: TmuxPane | null = null;

afterEach(() => {
  pane?.kill();
  pane = null;
  if (mounted) spawnUmount(mounted);
  mounted = null;
});

function spawnUmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}

/** A 256 KiB tmpfs at `dir`, or false where this machine does not allow mounting. */
function mountTinyTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    mounted = dir;
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!cargo.found)('the Rust writer, read by TypeScript', () => {
  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error('build first (npm run build)');
    await buildDaemon();
  }, 300_000);

  it('concurrent daemon processes on one log: every line a whole record, every request once, states exact', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const perProcess = 150;
    const results = await Promise.all([0, 1, 2].map(() => runDaemon(['--audit-log', file, '--count', String(perProcess)])));
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = readLines(file);
    for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).success, line.slice(0, 200)).toBe(true);
    const entries = await printJson([file], { forked: true });
    expect(entries).toHaveLength(3 * perProcess);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3 * perProcess);
    expectStatesExact(entries);
    expect(entries.filter((e) => e.state === 'rejected').every((e) => (e.request_error ?? '').length > 0)).toBe(true);
  }, 120_000);

  it.skipIf(!logrotate.found)('SIGKILL, a restart, real logrotate mid-stream: verify ok across the rotated set, print --json exact, the viewer shows it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const first = await runDaemon(['--audit-log', file, '--count', '40']);
    expect(first.code).toBe(0);

    // A daemon killed mid-stream: no stop record, maybe a request without its completion.
    const killed = spawnDaemon(['--audit-log', file, '--count', '1000000', '--interval-ms', '1']);
    const killedExit = collectRun(killed);
    const before = fs.statSync(file).size;
    while (fs.statSync(file).size < before + 20_000) await sleep(20);
    killed.kill('SIGKILL');
    expect((await killedExit).signal).toBe('SIGKILL');

    // The restart continues the chain while logrotate renames the log away twice (nocreate).
    const conf = path.join(dir, 'logrotate.conf');
    fs.writeFileSync(conf, fs.readFileSync(path.join(REPO_ROOT, 'test/hardening/fixtures/logrotate-audit.conf'), 'utf8').replaceAll('@AUDIT_LOG@', file));
    const restart = collectRun(spawnDaemon(['--audit-log', file, '--count', '400', '--interval-ms', '3']));
    await sleep(300);
    await runLogrotate(conf, path.join(dir, 'logrotate.state'));
    await sleep(400);
    await runLogrotate(conf, path.join(dir, 'logrotate.state'));
    const restarted = await restart;
    expect({ code: restarted.code, stderr: restarted.stderr }).toEqual({ code: 0, stderr: '' });
    const last = await runDaemon(['--audit-log', file, '--count', '24']);
    expect(last.code).toBe(0);
    expect(fs.existsSync(`${file}.1`) && fs.existsSync(`${file}.2.gz`)).toBe(true);

    const verified = await runCli(['verify', '--history', file]);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(/^ok: \d+ records, head [0-9a-f]{64}/);
    expect(verified.code).toBe(0);

    const entries = await printJson(['--history', file]);
    const killedIds = entries.filter((e) => e.id.startsWith(killed.pid!.toString(16).padStart(8, '0')));
    expect(killedIds.length).toBeGreaterThan(10);
    const killedLast = Math.max(...killedIds.map((e) => requestNumber(e.id)));
    expect(entries).toHaveLength(40 + killedIds.length + 400 + 24);
    expectStatesExact(entries, { pid: killed.pid!, last: killedLast });

    if (!tmux.found) return;
    pane = new TmuxPane('rust-e2e', 160, 40, { TZ: 'UTC', NO_COLOR: '1' });
    pane.run(`node ${CLI} view --history ${file}`);
    // Approvals, and the refusals before any prompt: their command's ESC shown escaped, never sent to the terminal.
    const refused = /⊗ rejected .*sh -c \$'echo \\e\[31mred\\e\[0m'/;
    const screen = await pane.waitFor('the Rust daemon’s entries', (s) => s.includes('systemctl restart rust-demo') && refused.test(s));
    expect(screen).not.toContain('\u001b');
    pane.keys('q');
  }, 180_000);

  it('a full disk: the daemon runs on, warns once, and records the gap; verify ok, states exact', async () => {
    const dir = tempDir();
    const tiny = path.join(dir, 'tiny');
    fs.mkdirSync(tiny);
    const file = path.join(tiny, 'sudo-proxy', 'audit.log');
    const onTmpfs = mountTinyTmpfs(tiny);
    let run;
    if (onTmpfs) {
      // Leave room for a few dozen records, then free it once the daemon has hit ENOSPC: then
      // there is room for all the rest.
      const filler = path.join(tiny, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(236 * 1024));
      const child = spawnDaemon(['--audit-log', file, '--count', '120', '--interval-ms', '20']);
      const exited = collectRun(child);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      while (!stderr.includes('records are counted') && child.exitCode === null) await sleep(10);
      expect(child.exitCode).toBeNull(); // still running: the disk filled before it was done
      fs.rmSync(filler);
      run = await exited;
    } else {
      console.warn('cross-language.test.ts: cannot mount a tmpfs here; ENOSPC comes from the crate\'s write seam instead');
      run = await runDaemon(['--audit-log', file, '--count', '300', '--interval-ms', '5', '--enospc-after', '40', '--enospc-for', '3']);
    }
    expect(run.code).toBe(0);
    const warnings = run.stderr.trim().split('\n');
    expect(warnings, run.stderr).toHaveLength(2);
    expect(warnings[0]).toMatch(/^sudo-proxy-audit: (cannot write|short write to) .*; records are counted and the log retried with back-off$/);
    expect(warnings[1]).toMatch(/^sudo-proxy-audit: audit log writable again: \d+ record\(s\) were dropped and the gap is recorded in /);
    const dropped = Number(/dropped (\d+)$/m.exec(run.stdout)?.[1]);
    expect(dropped).toBeGreaterThan(0);

    const gaps = readLines(file).flatMap((l) => {
      try {
        const r = JSON.parse(l) as { event?: string; dropped?: number; error?: string };
        return r.event === 'dropped' ? [r] : [];
      } catch {
        return []; // a short write's torn fragment
      }
    });
    expect(gaps).toHaveLength(1);
    expect(gaps[0].dropped).toBe(dropped);
    expect(gaps[0].error).toMatch(/ENOSPC|disk full/);

    const verified = await runCli(['verify', file]);
    expect(verified.stdout).toMatch(/^ok: /);
    expect(verified.code).toBe(0);
    expectStatesExact(await printJson([file], { torn: true }));
  }, 120_000);
});
