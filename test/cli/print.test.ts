/** `print` as a child process: filters with known answers, JSON, escaping, malformed lines. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/index.js';
import { KNOWN, linesOf, makeTempDirFactory, readLines, request, response, runCli, writeLines, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-print');
let known: string;

beforeAll(() => {
  known = path.join(tempDir(), 'audit.log');
  writeLog(known, KNOWN);
});

/** The ids `print --json` returns for these flags, in output order. */
async function ids(...flags: string[]): Promise<string[]> {
  const r = await runCli(['print', '--json', ...flags, known]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return linesOf(r.stdout).map((l) => (JSON.parse(l) as { id: string }).id);
}

describe.concurrent('print filters (known answers)', () => {
  it.each([
    [[], ['a1', 'd2', 'f3', 't4', 'r5', 'g6', 'e7']],
    [['--state', 'denied,timeout'], ['d2', 't4']],
    [['--state', 'denied', '--state', 'rejected'], ['d2', 'r5']],
    [['--state', 'approved'], ['a1', 'f3', 'g6', 'e7']],
    [['--state', 'running'], ['g6']],
    [['--host', 'web-01'], ['a1', 't4', 'g6']],
    [['--host', ''], ['f3']],
    [['--session', 's1', '--session', 's3'], ['a1', 'f3', 'r5', 'g6', 'e7']],
    [['--failed'], ['f3', 'e7']],
    [['--grep', 'NGINX'], ['a1', 'f3']],
    [['--grep', 'rm -rf'], ['d2']],
    [['--privileged'], ['a1', 'd2', 't4', 'g6']],
    [['--since', '2026-11-01T08:30:00Z'], ['t4', 'r5', 'g6', 'e7']],
    [['--until', '2026-11-01T08:20:00Z'], ['a1', 'd2']],
    [['--since', '2026-11-01T08:10:00Z', '--until', '2026-11-01T08:45:00Z'], ['d2', 'f3', 't4', 'r5']],
    [['--host', 'web-01', '--privileged', '--state', 'ok'], ['a1']],
    [['--host', 'nowhere'], []],
    // A whole id, a host, a session, a reason.
    [['--grep', 'g6'], ['g6']],
    [['--grep', 'WEB-02'], ['d2', 'r5', 'e7']],
    [['--grep', 's3'], ['r5', 'e7']],
    [['--grep', 'kernel'], ['t4']],
    // Resolved paths, a rejected request's error, a response's error.
    [['--grep', '/usr/bin/upt'], ['a1', 'd2', 'f3', 't4', 'r5', 'g6', 'e7']],
    [['--grep', 'ALLOW-LIST'], ['r5']],
    [['--grep', 'os error 2'], ['e7']],
    [['--regex', '^s[13]$'], ['a1', 'f3', 'r5', 'g6', 'e7']],
    [['--regex', 'Nginx'], []],
    [['--regex', 'nginx|DNS'], ['a1', 'f3', 'g6']],
    [['--id', 't'], ['t4']],
    [['--id', 'g6'], ['g6']],
    [['--time', '2026-11-01T08:10:00Z..2026-11-01T08:45:00Z'], ['d2', 'f3', 't4', 'r5']],
    [['--since', '2026-11-01 08:45'], ['g6', 'e7']],
    [['--since', 'yesterday 08:45', '--until', '+1 day'], []],
    // A time back from now as its own argument (not only --since=-1h).
    [['--since', '-1h'], []],
    [['--until', '-1 hour', '--state', 'denied'], ['d2']],
    // The newest N, newest first.
    [['-n', '2'], ['g6', 'e7']],
    [['--lines', '0'], []],
    [['-n', '99'], ['a1', 'd2', 'f3', 't4', 'r5', 'g6', 'e7']],
    [['--reverse'], ['e7', 'g6', 'r5', 't4', 'f3', 'd2', 'a1']],
    [['-n', '3', '-r', '--host', 'web-01'], ['g6', 't4', 'a1']],
  ])('%j → %j', async (flags, expected) => {
    expect(await ids(...flags)).toEqual(expected);
  });

  it('--grep finds an entry by a part of its id (#16: `--grep 92bcb9bb`)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, [
      { request: { id: '0d3e92bcb9bb-4c51-9a0f', time: '2026-11-01T08:00:00Z', decision: 'denied' } },
      { request: { id: '77aa01-other', time: '2026-11-01T08:01:00Z', decision: 'denied' } },
    ]);
    const r = await runCli(['print', '--json', '--grep', '92BCB9BB', file]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['0d3e92bcb9bb-4c51-9a0f']);
  });

  it('relative --since/--until count back from now', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const iso = (msAgo: number) => `${new Date(Date.now() - msAgo).toISOString().slice(0, 19)}Z`;
    writeLog(file, [
      { request: { id: 'old', time: iso(3 * 3_600_000), decision: 'denied' } },
      { request: { id: 'new', time: iso(30 * 60_000), decision: 'denied' } },
    ]);
    const since = await runCli(['print', '--json', '--since', '2h', file]);
    expect(linesOf(since.stdout).map((l) => JSON.parse(l).id)).toEqual(['new']);
    const until = await runCli(['print', '--json', '--until', '1h', file]);
    expect(linesOf(until.stdout).map((l) => JSON.parse(l).id)).toEqual(['old']);
  });
});

describe('print --json', () => {
  it('gives every field of an entry under its documented name', async () => {
    const r = await runCli(['print', '--json', '--state', 'failed', known]);
    const [f3, e7] = linesOf(r.stdout).map((l) => JSON.parse(l));
    expect(f3).toEqual({
      id: 'f3',
      state: 'failed',
      time: '2026-11-01T08:20:00Z',
      logged: '2026-11-01T08:20:00.000Z',
      origin: '',
      host: '',
      session: 's1',
      privileged: false,
      pipeline: [['journalctl', '-u', 'nginx'], ['grep', 'error']],
      resolved: ['/usr/bin/uptime', null],
      env_keys: ['PATH'],
      reason: 'why did NGINX fail?',
      decision: 'approved',
      via: 'operator',
      latency_ms: 1000,
      request_error: null,
      reject: null,
      always: false,
      escalation: null,
      forward_agent: null,
      client_version: null,
      operator: expect.objectContaining({ uid: expect.any(Number), hostname: expect.any(String) }),
      security: false,
      completed_time: '2026-11-01T08:20:02.000Z',
      status: 'ok',
      error: null,
      exit_codes: [0, 1],
      stages: [
        { exit_code: 0, stderr_len: 0, stderr_truncated: false },
        { exit_code: 1, stderr_len: 12, stderr_truncated: false },
      ],
      stdout_len: 0,
      stdout_truncated: false,
      duration_ms: 120,
      anomalies: [],
      request: { file: known, line: 5, offset: expect.any(Number), seq: 5 },
      response: { file: known, line: 6, offset: expect.any(Number), seq: 6 },
    });
    expect(e7).toMatchObject({ id: 'e7', status: 'error', error: 'spawn df: No such file or directory (os error 2)', exit_codes: [], via: 'policy', latency_ms: null });
  });

  it('shows a running entry and a rejected one with nulls where nothing happened', async () => {
    const r = await runCli(['print', '--json', '--state', 'running,rejected', known]);
    const [r5, g6] = linesOf(r.stdout).map((l) => JSON.parse(l));
    expect(r5).toMatchObject({ id: 'r5', state: 'rejected', request_error: 'command not in the allow-list', completed_time: null, duration_ms: null, response: null });
    expect(g6).toMatchObject({ id: 'g6', state: 'running', status: null, stdout_len: null, duration_ms: null, response: null });
  });
});

describe('print --id', () => {
  let file: string;
  beforeAll(() => {
    file = path.join(tempDir(), 'audit.log');
    writeLog(file, [
      { request: { id: 'abc1', time: '2026-11-01T08:00:00Z', decision: 'denied' } },
      { request: { id: 'abc10', time: '2026-11-01T08:01:00Z', decision: 'denied' } },
      { request: { id: 'abd2', time: '2026-11-01T08:02:00Z', decision: 'denied' } },
      { request: { id: 'xy, xz', time: '2026-11-01T08:03:00Z', decision: 'denied' } },
      { request: { id: 'xw', time: '2026-11-01T08:04:00Z', decision: 'denied' } },
    ]);
  });
  const idsFor = async (prefix: string) => {
    const r = await runCli(['print', '--json', '--id', prefix, file]);
    return { code: r.code, stderr: r.stderr, ids: linesOf(r.stdout).map((l) => JSON.parse(l).id as string) };
  };

  it('takes a unique prefix, and an id whole even when longer ones begin with it', async () => {
    expect(await idsFor('abd')).toEqual({ code: 0, stderr: '', ids: ['abd2'] });
    expect(await idsFor('abc10')).toEqual({ code: 0, stderr: '', ids: ['abc10'] });
    expect(await idsFor('abc1')).toEqual({ code: 0, stderr: '', ids: ['abc1'] });
  });

  it('lists the candidates of an ambiguous prefix, and says when none matches (exit 1)', async () => {
    expect(await idsFor('ab')).toEqual({ code: 1, stderr: "sudo-proxy-audit print: --id ab is ambiguous: 3 ids start with it: 'abc1', 'abc10', 'abd2'\n", ids: [] });
    expect(await idsFor('zz')).toEqual({ code: 1, stderr: 'sudo-proxy-audit print: --id zz: no entry has an id starting with it\n', ids: [] });
  });

  it('quotes each candidate, so an id holding ", " does not read as two', async () => {
    expect(await idsFor('x')).toEqual({ code: 1, stderr: "sudo-proxy-audit print: --id x is ambiguous: 2 ids start with it: 'xy, xz', 'xw'\n", ids: [] });
  });
});

describe('print text', () => {
  it('prints a header and one aligned line per entry, oldest first', async () => {
    const r = await runCli(['print', known]);
    expect(r.code).toBe(0);
    const all = linesOf(r.stdout);
    // The writer's start and stop, in place (print-events.test.ts has the rest).
    expect(all[1]).toMatch(/^── .* writer started \(pid \d+\) by .+ at .+$/);
    expect(all.at(-1)).toMatch(/^── .* writer stopped \(pid \d+\)$/);
    const lines = all.filter((l) => !l.startsWith('──'));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^TIME\s+HOST\s+SESSION\s+STATE\s+WAIT\s+EXIT\s+TOOK\s+OUT\s+COMMAND$/);
    expect(lines[1]).toMatch(/^2026-11-01 08:00:00\+00:00\s+web-01\s+s1\s+ok\s+1\.0s\s+0\s+900ms\s+2\.0K # systemctl restart nginx$/);
    expect(lines[3]).toMatch(/^2026-11-01 08:20:00\+00:00\s+\(local\)\s+s1\s+failed\s+1\.0s\s+0\|1\s+120ms\s+0 \$ journalctl -u nginx \| grep error$/);
    expect(lines[5]).toContain('[rejected: command not in the allow-list]');
    expect(lines[7]).toContain('[error: spawn df: No such file or directory (os error 2)]');
    // Aligned: the command column starts at the same place on every line.
    const commandAt = lines[0].indexOf('COMMAND');
    for (const line of lines.slice(1)) expect(line.slice(commandAt - 1, commandAt + 1)).toMatch(/^ [#$]$/);
  });

  it('omits the header with --no-header, and prints UTC with --utc whatever TZ says', async () => {
    const r = await runCli(['print', '--no-header', '--no-events', '--utc', '--state', 'ok', known], { env: { ...process.env, TZ: 'Asia/Tokyo', NO_COLOR: '1' } });
    expect(linesOf(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(/^2026-11-01 08:00:00Z /);
    const local = await runCli(['print', '--no-header', '--no-events', '--state', 'ok', known], { env: { ...process.env, TZ: 'Asia/Tokyo', NO_COLOR: '1' } });
    expect(local.stdout).toMatch(/^2026-11-01 17:00:00\+09:00 /);
  });

  it('says the zone of every time, with the offset of that moment (DST), and reads --since in the zone it shows', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, [
      { request: { id: 'edt', time: '2026-11-01T05:30:00Z', decision: 'denied' } },
      { request: { id: 'est', time: '2026-11-01T06:30:00Z', decision: 'denied' } },
    ]);
    const env = { ...process.env, TZ: 'America/New_York', NO_COLOR: '1' };
    const r = await runCli(['print', '--no-events', file], { env });
    expect(linesOf(r.stdout).map((l) => l.slice(0, 26))).toEqual(['TIME                      ', '2026-11-01 01:30:00-04:00 ', '2026-11-01 01:30:00-05:00 ']);
    const since = await runCli(['print', '--json', '--since', '2026-11-01 06:00', file], { env });
    expect(linesOf(since.stdout)).toEqual([]);
    const utc = await runCli(['print', '--json', '--utc', '--since', '2026-11-01 06:00', file], { env });
    expect(linesOf(utc.stdout).map((l) => JSON.parse(l).id)).toEqual(['est']);
  });

  it('-n keeps the events after its first entry; --reverse turns events and entries around', async () => {
    // (Columns are as wide as the entries printed need: compared without the padding.)
    const rows = async (...flags: string[]) => linesOf((await runCli(['print', '--no-header', ...flags, known])).stdout).map((l) => l.replace(/ +/g, ' '));
    const all = await rows();
    expect(all[0]).toMatch(/writer started/);
    const tail = await rows('-n', '1');
    expect(tail).toEqual(all.slice(-2));
    const reversed = await rows('--reverse');
    expect(reversed).toEqual([...all].reverse());
  });

  it('refuses a bad -n and --reverse with --follow', async () => {
    const bad = await runCli(['print', '-n', 'x', known]);
    expect([bad.code, bad.stderr]).toEqual([2, "sudo-proxy-audit print: -n/--lines takes a number of entries, got 'x'\n"]);
    const follow = await runCli(['print', '-r', '-f', known]);
    expect(follow.code).toBe(2);
    expect(follow.stderr).toMatch(/--reverse and --follow/);
  });
});

describe('hostile strings', () => {
  const host = 'evil\u001b]0;pwned\u0007';
  const session = 's\u202eX';
  const arg = '\u001b[2J\u009b31m a\u2028b';
  let file: string;
  beforeAll(() => {
    file = path.join(tempDir(), 'audit.log');
    writeLog(file, [
      { request: { id: 'x1', time: '2026-11-01T08:00:00Z', host, session, pipeline: [['echo', arg]], reason: 'r\u0000' } },
      { response: response('x1') },
    ]);
  });
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('text output escapes them exactly as the viewer does', async () => {
    const r = await runCli(['print', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('evil\\e]0;pwned\\x07');
    expect(r.stdout).toContain('s\\u202eX');
    expect(r.stdout).toContain("'\\e[2J\\x9b31m a\\u2028b'");
  });

  it('--json output is valid JSON that keeps the exact strings and is still safe on a terminal', async () => {
    const r = await runCli(['print', '--json', file]);
    expect(r.stdout).not.toMatch(RAW);
    const e = JSON.parse(linesOf(r.stdout)[0]);
    expect(e).toMatchObject({ host, session, pipeline: [['echo', arg]], reason: 'r\u0000' });
  });
});

describe('malformed lines', () => {
  let file: string;
  beforeAll(() => {
    file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN.slice(0, 3));
    const lines = readLines(file);
    lines.splice(2, 0, 'this is not json', '{"v":1,"type":"request"}');
    writeLines(file, lines);
  });

  it('are reported on stderr as file:line: reason, and do not stop the output', async () => {
    const r = await runCli(['print', '--json', file]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).map((l) => JSON.parse(l).id)).toEqual(['a1', 'd2']);
    const err = linesOf(r.stderr);
    expect(err[0]).toBe(`${file}:3: not JSON`);
    expect(err[1]).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:4: schema`));
    // A JSON object without seq and prev inside the chain: inserted, as verify says, said last.
    expect(err[2]).toMatch(/^sudo-proxy-audit: warning: the hash chain is broken \(1 break\): .*:4 carries no valid chain fields/);
    expect(err).toHaveLength(3);
  });

  it('make --strict exit 1, for print and stats', async () => {
    expect((await runCli(['print', '--strict', file])).code).toBe(1);
    expect((await runCli(['stats', '--strict', file])).code).toBe(1);
    expect((await runCli(['print', '--strict', known])).code).toBe(0);
  });
});

describe('what the writer recorded about lost records', () => {
  it('a log file deleted under the writer: its trace is named on stderr as file:line, beside the entries', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, rotationCheckMs: 0, pid: 77, warn: () => {} });
    log.request(request({ id: 'gone', time: '2026-11-01T08:00:00Z' }));
    fs.rmSync(file);
    log.request(request({ id: 'kept', time: '2026-11-01T08:01:00Z' }));
    log.close();
    const r = await runCli(['print', '--json', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(linesOf(r.stdout).map((l) => JSON.parse(l).id)).toEqual(['kept']);
    expect(linesOf(r.stderr)).toEqual([`${file}:1: writer (pid 77): the log file ${file} was deleted while the writer had it open (removed, or compressed away by a rotation without delaycompress) and was recreated: whatever it held is not in this file`]);
  });

  it('records dropped in an outage are counted on stderr', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN.slice(0, 1));
    const lines = readLines(file);
    const stop = JSON.parse(lines[lines.length - 1]);
    lines.push(JSON.stringify({ ...stop, event: 'dropped', dropped: 17, error: 'ENOSPC: no space left on device', seq: undefined, prev: undefined }));
    writeLines(file, lines);
    // (Named on stderr when no event line says it in place: --json without --events, or --no-events.)
    const gapLine = `${file}:${lines.length}: writer (pid ${stop.pid}): 17 records dropped: ENOSPC: no space left on device`;
    // (The record was written by hand without seq/prev, inside the chain: the chain says so too.)
    const chainWarning = /^sudo-proxy-audit: warning: the hash chain is broken/;
    for (const args of [['--json'], ['--no-events']]) {
      const r = await runCli(['print', ...args, file]);
      expect(linesOf(r.stderr).filter((l) => !chainWarning.test(l))).toEqual([gapLine]);
    }
    expect(linesOf((await runCli(['print', file])).stderr).filter((l) => !chainWarning.test(l))).toEqual([]);
  });
});

describe('several files', () => {
  it('reads a rotated set oldest first, gzip included, whatever order the names come in', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'audit.log');
    writeLog(live, KNOWN);
    const lines = readLines(live);
    // Split into audit.log.2.gz (oldest), audit.log.1 and audit.log.
    const { gzipSync } = await import('node:zlib');
    fs.writeFileSync(`${live}.2.gz`, gzipSync(lines.slice(0, 4).map((l) => `${l}\n`).join('')));
    writeLines(`${live}.1`, lines.slice(4, 8));
    writeLines(live, lines.slice(8));
    const expected = ['a1', 'd2', 'f3', 't4', 'r5', 'g6', 'e7'];
    const glob = await runCli(['print', '--json', live, `${live}.1`, `${live}.2.gz`]);
    expect(linesOf(glob.stdout).map((l) => JSON.parse(l).id)).toEqual(expected);
    const history = await runCli(['print', '--json', '--history', live]);
    expect(linesOf(history.stdout).map((l) => JSON.parse(l).id)).toEqual(expected);
    expect(history.stderr).toBe('');
  });
});
