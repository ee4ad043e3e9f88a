/**
 * Every error a person can provoke: exit 2 and exactly one line on stderr naming the file (or
 * flag) and the cause — never a stack trace, never a partial output on stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KNOWN, makeTempDirFactory, runCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-errors');
let dir: string;
let log: string;

beforeAll(() => {
  dir = tempDir();
  fs.chmodSync(dir, 0o755); // traversable by the unprivileged user of the permission test
  log = path.join(dir, 'audit.log');
  writeLog(log, KNOWN);
});

async function expectOneLineError(args: string[], expected: string | RegExp, options: Parameters<typeof runCli>[1] = {}) {
  const r = await runCli(args, options);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (typeof expected === 'string') expect(r.stderr.trimEnd()).toBe(expected);
  else expect(r.stderr.trimEnd()).toMatch(expected);
}

describe.concurrent('file errors, for every command that reads logs', () => {
  for (const command of ['print', 'stats', 'verify']) {
    it(`${command}: a missing file`, async () => {
      const missing = path.join(dir, 'nope.log');
      await expectOneLineError([command, missing], `sudo-proxy-audit ${command}: ${missing}: no such file`);
    });

    it(`${command}: a directory that is not a collector directory`, async () => {
      const empty = path.join(dir, 'empty');
      fs.mkdirSync(empty, { recursive: true });
      await expectOneLineError([command, empty], `sudo-proxy-audit ${command}: ${empty}: no collected hosts (expected ${empty}/<host>/audit.log)`);
    });

    it(`${command}: a binary file`, async () => {
      const binary = path.join(dir, 'binary');
      fs.writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
      await expectOneLineError([command, binary], `sudo-proxy-audit ${command}: ${binary}: not an audit log (binary data)`);
    });

    it(`${command}: a text file that is not JSON lines`, async () => {
      const text = path.join(dir, 'notes.txt');
      fs.writeFileSync(text, 'Meeting notes\n- rotate the logs\n');
      await expectOneLineError([command, text], `sudo-proxy-audit ${command}: ${text}: not an audit log (line 1 is not JSON)`);
    });

    it(`${command}: JSON that is not audit records`, async () => {
      const json = path.join(dir, 'other.jsonl');
      fs.writeFileSync(json, '{"level":"info","msg":"started"}\n');
      await expectOneLineError([command, json], `sudo-proxy-audit ${command}: ${json}: not an audit log (line 1 is JSON but not an audit record)`);
    });
  }

  it('a gzip file that does not hold an audit log', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = path.join(dir, 'other.gz');
    fs.writeFileSync(gz, gzipSync('hello world\n'));
    await expectOneLineError(['print', gz], `sudo-proxy-audit print: ${gz}: not an audit log (line 1 is not JSON)`);
  });

  it('the bad file is named even when it comes after good ones', async () => {
    const missing = path.join(dir, 'audit.log.9');
    await expectOneLineError(['verify', missing, log], `sudo-proxy-audit verify: ${missing}: no such file`);
  });

  it('permission denied', async () => {
    const locked = path.join(dir, 'locked.log');
    writeLog(locked, KNOWN.slice(0, 2));
    fs.chmodSync(locked, 0o000);
    // root reads anything: run the CLI as an unprivileged user then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const command of ['print', 'stats', 'verify']) {
      await expectOneLineError([command, locked], `sudo-proxy-audit ${command}: ${locked}: permission denied`, asUser);
    }
  });

  it('view: a file named on the command line must exist', async () => {
    const missing = path.join(dir, 'typo.log');
    await expectOneLineError(['view', missing], `sudo-proxy-audit view: ${missing}: no such file`);
    await expectOneLineError([missing], `sudo-proxy-audit: ${missing}: no such file`);
  });
});

describe.concurrent('usage errors', () => {
  it.each([
    [['print', '--hots', 'web-01'], "sudo-proxy-audit print: unknown option '--hots' (did you mean '--host'?)"],
    [['stats', '--sesion', 's1'], "sudo-proxy-audit stats: unknown option '--sesion' (did you mean '--session'?)"],
    [['print', '--priv'], "sudo-proxy-audit print: unknown option '--priv' (did you mean '--privileged'?)"],
    [['verify', '--jsno'], "sudo-proxy-audit verify: unknown option '--jsno' (did you mean '--json'?)"],
    [['print', '--xyzzy'], "sudo-proxy-audit print: unknown option '--xyzzy'"],
    [['print', '-x'], "sudo-proxy-audit print: unknown option '-x'"],
    [['print', '--host'], "sudo-proxy-audit print: option '--host' needs a value"],
    [['print', '--failed=yes'], "sudo-proxy-audit print: option '--failed' takes no value"],
    [['print', '--state', 'deneid'], /^sudo-proxy-audit print: unknown state 'deneid' \(did you mean 'denied'\?\); states are running, ok, failed, denied, timeout, rejected, approved$/],
    [['print', '--since', 'last tuesday'], /^sudo-proxy-audit print: --since: 'last tuesday' is not a time: /],
    [['stats', '--until', '2026-02-31'], /^sudo-proxy-audit stats: --until: '2026-02-31' is not a time/],
    [['print', '--since', '1h', '--until', '2h'], 'sudo-proxy-audit print: --since must be before --until'],
    [['verify', '--expect-head', 'abc'], /^sudo-proxy-audit verify: --expect-head takes a SHA-256 hex digest/],
    [['schema', 'extra'], "sudo-proxy-audit schema: unexpected argument 'extra'"],
    [['demo', '--rate', 'fast'], "sudo-proxy-audit demo: --rate takes a number ≥ 0.001, got 'fast'"],
    [['demo', '--count', '2.5'], "sudo-proxy-audit demo: --count takes an integer ≥ 1, got '2.5'"],
    [['prnt'], "sudo-proxy-audit: unknown command 'prnt' (did you mean 'print'?)"],
    [['help', 'nosuch'], /^sudo-proxy-audit: no command 'nosuch'; commands are view, print, stats, verify, seal, demo, schema, completion$/],
  ])('%j', async (args, expected) => {
    await expectOneLineError(args, expected);
  });

  it('demo: an audit-log path that is a directory', async () => {
    await expectOneLineError(['demo', '--count', '1', '--audit-log', dir], `sudo-proxy-audit demo: ${dir}: is a directory`);
  });

  it('demo --view without a terminal writes nothing and says what to use instead', async () => {
    const file = path.join(tempDir(), 'audit.log');
    await expectOneLineError(['demo', '--view', '--audit-log', file], /^sudo-proxy-audit demo: not a terminal: use `sudo-proxy-audit print` or `stats`/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
