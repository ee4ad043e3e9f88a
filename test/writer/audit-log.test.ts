/**
 * The writer in-process, on real files: record contents, the chain, rotation, torn lines,
 * the line cap and `--no-audit`. Fault injection is in faults.test.ts, child processes in
 * processes.test.ts, flag parsing in argv.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import { describe, expect, it } from 'vitest';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import { auditRecordSchema, GENESIS_HASH, MAX_LINE_BYTES } from '../../src/shared/schema.js';
import { openAuditLog } from '../../src/writer/index.js';
import { passwdName } from '../../src/writer/operator.js';
import { chainLinesOf, makeTempDirFactory, parseLines, readLines, sampleRequest, sampleResponse } from './helpers.js';

const tempDir = makeTempDirFactory('spa-writer');

/** A writer whose warnings are collected instead of printed. */
function open(file: string, extra: Parameters<typeof openAuditLog>[0] = {}) {
  const warnings: string[] = [];
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), ...extra });
  return { log, warnings };
}

describe('records', () => {
  it('writes a start record, the request and response, and a stop record at close, all valid', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log, warnings } = open(file);
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    log.request(sampleRequest(2, { decision: 'rejected', error: 'pipeline not allowed', via: 'policy', latencyMs: null }));
    log.close();
    log.close(); // idempotent: no second stop record

    expect(warnings).toEqual([]);
    const lines = readLines(file);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const result = auditRecordSchema.safeParse(JSON.parse(line));
      expect(result.success, `${line}: ${result.error?.message}`).toBe(true);
    }
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((r) => r.type)).toEqual(['writer', 'request', 'response', 'request', 'writer']);
    expect(recs[0]).toMatchObject({ type: 'writer', event: 'start', pid: process.pid });
    expect(recs[4]).toMatchObject({ type: 'writer', event: 'stop', pid: process.pid });
    expect(recs[1]).toMatchObject({
      id: 'req-1',
      time: '2025-03-04T05:06:07Z', // the client's time field, as sent
      pipeline: [['journalctl', '-u', 'nginx', '--since', 'today'], ['grep', 'error']],
      resolved: ['/usr/bin/journalctl', '/usr/bin/grep'],
      decision: 'approved',
      via: 'operator',
      latency_ms: 1500,
      privileged: true,
    });
    expect(recs[3]).toMatchObject({ decision: 'rejected', error: 'pipeline not allowed', via: 'policy', latency_ms: null });
    expect(recs[2]).toMatchObject({
      stages: [
        { exit_code: 0, stderr_len: 0, stderr_truncated: false },
        { exit_code: 1, stderr_len: 16, stderr_truncated: false },
      ],
      stdout_len: 1234,
    });
  });

  it('puts v, type, seq, prev first on every record', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    log.close();
    for (const line of readLines(file)) {
      expect(Object.keys(JSON.parse(line)).slice(0, 4)).toEqual(['v', 'type', 'seq', 'prev']);
      expect(line.startsWith('{"v":1,"type":"')).toBe(true);
    }
  });

  it('keeps only sorted env names and only the lengths of stdout and stderr', () => {
    const file = path.join(tempDir(), 'audit.log');
    const envSecret = 'ENV-SECRET-hunter2-7f3a';
    const stdoutSecret = 'STDOUT-SECRET-ü-9c1e\n'; // ü is two bytes: lengths are bytes
    const stderrSecret = 'STDERR-SECRET-4b2d';
    const { log } = open(file);
    log.request(sampleRequest(1, { env: { ZED: 'z', AWS_SECRET_ACCESS_KEY: envSecret, PATH: '/bin', LANG: 'C' } }));
    log.request(sampleRequest(2, { env: new Map([['TOKEN', envSecret], ['B', '1'], ['A', '2']]) }));
    log.request(sampleRequest(3, { env: ['Y', 'X', 'Y'] }));
    log.response(
      sampleResponse(1, {
        stdout: stdoutSecret,
        stages: [
          { exitCode: 0, stderr: stderrSecret },
          { exitCode: 2, stderr: Buffer.from(stderrSecret), stderrTruncated: true },
        ],
        stdoutTruncated: true,
      }),
    );
    log.close();

    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [envSecret, 'hunter2', 'STDOUT-SECRET', 'STDERR-SECRET']) expect(text).not.toContain(secret);
    const recs = parseLines(file);
    expect(recs[1].env_keys).toEqual(['AWS_SECRET_ACCESS_KEY', 'LANG', 'PATH', 'ZED']);
    expect(recs[2].env_keys).toEqual(['A', 'B', 'TOKEN']);
    expect(recs[3].env_keys).toEqual(['X', 'Y']);
    expect(recs[4]).toMatchObject({
      stdout_len: Buffer.byteLength(stdoutSecret),
      stdout_truncated: true,
      stages: [
        { exit_code: 0, stderr_len: stderrSecret.length, stderr_truncated: false },
        { exit_code: 2, stderr_len: stderrSecret.length, stderr_truncated: true },
      ],
    });
    expect(recs[4].stdout_len).toBe(stdoutSecret.length + 1);
  });

  it('keeps only the names of an execve-style env (["TOKEN=secret"]), never the values', () => {
    const file = path.join(tempDir(), 'audit.log');
    const secret = 'hunter2-e8b1';
    const { log } = open(file);
    log.request(sampleRequest(1, { env: [`TOKEN=${secret}`, `PATH=/usr/bin:${secret}`, 'LANG', `EMPTY=`, `TOKEN=again-${secret}`] }));
    // A name with "=" in a map or object is the same thing to execve: what follows is a value.
    log.request(sampleRequest(2, { env: new Map([[`A=${secret}`, 'x']]) }));
    log.request(sampleRequest(3, { env: { [`B=${secret}`]: 'x', C: secret } }));
    log.close();
    expect(fs.readFileSync(file, 'utf8')).not.toContain(secret);
    const recs = parseLines(file);
    expect(recs[1].env_keys).toEqual(['EMPTY', 'LANG', 'PATH', 'TOKEN']);
    expect(recs[2].env_keys).toEqual(['A']);
    expect(recs[3].env_keys).toEqual(['B', 'C']);
  });
});

describe('chain', () => {
  it('links each record to the exact bytes of the line before it, from the genesis hash', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    for (let i = 0; i < 5; i++) {
      log.request(sampleRequest(i));
      log.response(sampleResponse(i));
    }
    log.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(12);
    lines.forEach((line, i) => {
      const rec = JSON.parse(line) as { seq: number; prev: string };
      expect(rec.seq).toBe(i + 1);
      expect(rec.prev).toBe(i === 0 ? GENESIS_HASH : hashLine(lines[i - 1]));
    });
    const report = verifyChain(chainLinesOf([file]));
    expect(report).toMatchObject({ ok: true, records: 12, firstSeq: 1, lastSeq: 12, head: hashLine(lines[11]), malformed: [] });
  });

  it('continues seq and prev from the last line when a writer is closed and reopened', () => {
    const file = path.join(tempDir(), 'audit.log');
    const first = open(file).log;
    first.request(sampleRequest(1));
    first.close();
    const before = readLines(file);
    expect(before).toHaveLength(3);

    const second = open(file).log;
    second.request(sampleRequest(2));
    second.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(6);
    expect(lines.slice(0, 3)).toEqual(before); // appended, nothing rewritten
    expect(JSON.parse(lines[3])).toMatchObject({ type: 'writer', event: 'start', seq: 4, prev: hashLine(before[2]) });
    const report = verifyChain(chainLinesOf([file]));
    expect(report.ok).toBe(true);
    expect(report.break).toBeNull();
    expect(report.lastSeq).toBe(6);
  });

  it('continues from a last line written by another program without chain fields', () => {
    const file = path.join(tempDir(), 'audit.log');
    const foreign = JSON.stringify({ v: 1, type: 'writer', time: 't', event: 'start', pid: 1 });
    fs.writeFileSync(file, `${foreign}\n`);
    const { log } = open(file);
    log.close();
    const lines = readLines(file);
    expect(JSON.parse(lines[1])).toMatchObject({ seq: 1, prev: hashLine(foreign) });
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, unchained: 1, records: 2 });
  });

  it('starts a chain after a last line that is unchained by chainFieldsOf (a seq, but no valid prev)', () => {
    // Before, the writer continued from any integer seq, prev or not, where verify saw no chain.
    for (const prev of [undefined, 'F'.repeat(64)]) {
      const file = path.join(tempDir(), 'audit.log');
      const foreign = JSON.stringify({ v: 1, type: 'writer', seq: 41, prev, time: 't', event: 'start', pid: 1 });
      fs.writeFileSync(file, `${foreign}\n`);
      const { log } = open(file);
      log.close();
      expect(JSON.parse(readLines(file)[1])).toMatchObject({ seq: 1, prev: hashLine(foreign) });
    }
  });
});

describe('rotation', () => {
  it('follows a rename (logrotate `create`) between appends and keeps the chain across the files', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const rotated = `${file}.1`;
    // rotationCheckMs 0: these renames come within the same millisecond as the appends.
    const { log, warnings } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    log.request(sampleRequest(2));
    fs.renameSync(file, rotated);
    log.request(sampleRequest(3)); // no file at the path: the writer creates it
    log.request(sampleRequest(4));
    fs.renameSync(rotated, `${file}.2`);
    fs.renameSync(file, rotated);
    fs.writeFileSync(file, '', { mode: 0o600 }); // logrotate `create` makes the new, empty file
    log.request(sampleRequest(5));
    log.close();

    expect(warnings).toEqual([]);
    const ids = (f: string) => parseLines(f).flatMap((r) => (typeof r.id === 'string' ? [r.id] : []));
    expect(ids(`${file}.2`)).toEqual(['req-1', 'req-2']);
    expect(ids(rotated)).toEqual(['req-3', 'req-4']);
    expect(ids(file)).toEqual(['req-5']);

    const files = [`${file}.2`, rotated, file];
    const report = verifyChain(chainLinesOf(files));
    expect(report.break).toBeNull();
    expect(report).toMatchObject({ ok: true, records: 7, firstSeq: 1, lastSeq: 7 });
    const lastOfRotated = readLines(rotated).at(-1) as string;
    expect(JSON.parse(readLines(file)[0])).toMatchObject({ seq: 6, prev: hashLine(lastOfRotated) });
  });

  it('by default notices a rename between appends a millisecond or more apart', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const { log, warnings } = open(file);
    log.request(sampleRequest(1));
    fs.renameSync(file, `${file}.1`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // requests arrive ms apart
    log.request(sampleRequest(2));
    log.close();
    expect(warnings).toEqual([]);
    const ids = (f: string) => parseLines(f).flatMap((r) => (typeof r.id === 'string' ? [r.id] : []));
    expect(ids(`${file}.1`)).toEqual(['req-1']);
    expect(ids(file)).toEqual(['req-2']);
  });

  it('keeps writing at the start of a file truncated under it (copytruncate), without NUL holes', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const { log } = open(file);
    for (let i = 0; i < 20; i++) log.request(sampleRequest(i));
    fs.copyFileSync(file, `${file}.1`);
    fs.truncateSync(file, 0);
    log.request(sampleRequest(20));
    log.request(sampleRequest(21));
    log.close();

    const bytes = fs.readFileSync(file);
    expect(bytes.includes(0)).toBe(false);
    expect(bytes[0]).toBe('{'.charCodeAt(0));
    const recs = parseLines(file);
    expect(recs.map((r) => r.id ?? r.event)).toEqual(['req-20', 'req-21', 'stop']);
    for (const r of recs) expect(auditRecordSchema.safeParse(r).success).toBe(true);
    // The copy and the truncated file together still form one chain.
    expect(verifyChain(chainLinesOf([`${file}.1`, file])).ok).toBe(true);
  });
});

describe('torn last line', () => {
  it('starts the first new record on a fresh line and leaves the fragment in place', () => {
    const file = path.join(tempDir(), 'audit.log');
    const first = open(file).log;
    first.request(sampleRequest(1));
    first.close();
    const fragment = '{"v":1,"type":"request","seq":4,"prev":"ab';
    fs.appendFileSync(file, fragment);

    const { log, warnings } = open(file);
    log.request(sampleRequest(2));
    log.close();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/torn/);
    const lines = readLines(file);
    expect(lines).toHaveLength(7);
    expect(lines[3]).toBe(fragment);
    const restart = JSON.parse(lines[4]) as Record<string, unknown>;
    expect(restart).toMatchObject({ type: 'writer', event: 'start', seq: 4, prev: hashLine(lines[2]) });
    for (const line of [...lines.slice(0, 3), ...lines.slice(4)]) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    const report = verifyChain(chainLinesOf([file]));
    expect(report.ok).toBe(true);
    expect(report.malformed).toEqual([{ file, line: 4, reason: 'not JSON' }]);
  });

  it('continues seq and prev from a last record that lost only its final newline, on a new line', () => {
    const file = path.join(tempDir(), 'audit.log');
    const first = open(file).log;
    first.request(sampleRequest(1));
    first.close();
    fs.truncateSync(file, fs.statSync(file).size - 1); // cut only the last "\n"
    const before = readLines(file);

    const { log, warnings } = open(file);
    log.request(sampleRequest(2));
    log.close();

    expect(warnings).toEqual([]); // nothing was lost: no torn line to report
    const lines = readLines(file);
    expect(lines.slice(0, 3)).toEqual(before);
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[3])).toMatchObject({ type: 'writer', event: 'start', seq: 4, prev: hashLine(before[2]) });
    for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, break: null, records: 6, lastSeq: 6, malformed: [] });
  });

  it('continues from the rotated PATH.1 when it too lost only its final newline', () => {
    const file = path.join(tempDir(), 'audit.log');
    open(file).log.close();
    fs.truncateSync(file, fs.statSync(file).size - 1);
    fs.renameSync(file, `${file}.1`);
    const older = readLines(`${file}.1`);
    fs.writeFileSync(file, '', { mode: 0o600 });
    open(file).log.close();
    expect(JSON.parse(readLines(file)[0])).toMatchObject({ event: 'start', seq: 3, prev: hashLine(older[1]) });
  });

  it('handles a file that is nothing but a fragment', () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, '{"v":1,"ty');
    const { log } = open(file);
    log.close();
    const lines = readLines(file);
    expect(lines[0]).toBe('{"v":1,"ty');
    expect(JSON.parse(lines[1])).toMatchObject({ event: 'start', seq: 1, prev: GENESIS_HASH });
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
  });
});

describe('a deleted log directory', () => {
  it('is recreated 0700 and leaves a trace in the log: a writer record saying so, chained to the last record written', () => {
    const dir = path.join(tempDir(), 'sudo-proxy');
    const file = path.join(dir, 'audit.log');
    const { log, warnings } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    const lastBefore = readLines(file).at(-1) as string;
    fs.rmSync(dir, { recursive: true });
    log.request(sampleRequest(2));
    log.close();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const lines = readLines(file);
    const recs = lines.map((l) => auditRecordSchema.parse(JSON.parse(l)));
    expect(recs.map((r) => ('id' in r ? r.id : 'event' in r ? r.event : r.type))).toEqual(['dropped', 'req-2', 'stop']);
    expect(recs[0]).toMatchObject({ type: 'writer', dropped: 0, seq: 3, prev: hashLine(lastBefore) });
    const trace = recs[0].type === 'writer' ? String(recs[0].error) : '';
    expect(trace).toContain(`log directory ${dir} was missing`);
    expect(trace).toMatch(/recreated/);
    expect(warnings).toEqual([]); // no outage: nothing was dropped
  });

  it('is no news at first start: a new log in a new directory needs no trace', () => {
    const file = path.join(tempDir(), 'new', 'sudo-proxy', 'audit.log');
    const { log, warnings } = open(file);
    log.close();
    expect(parseLines(file).map((r) => r.event)).toEqual(['start', 'stop']);
    expect(warnings).toEqual([]);
  });
});

describe('a deleted log file', () => {
  it('is recreated and leaves a trace in the log: a writer record saying so, chained to the last record written', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log, warnings } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    const lastBefore = readLines(file).at(-1) as string;
    fs.rmSync(file);
    log.request(sampleRequest(2));
    log.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const recs = readLines(file).map((l) => auditRecordSchema.parse(JSON.parse(l)));
    expect(recs.map((r) => ('id' in r ? r.id : 'event' in r ? r.event : r.type))).toEqual(['dropped', 'req-2', 'stop']);
    expect(recs[0]).toMatchObject({ type: 'writer', dropped: 0, seq: 3, prev: hashLine(lastBefore) });
    const trace = recs[0].type === 'writer' ? String(recs[0].error) : '';
    expect(trace).toContain(`log file ${file} was deleted`);
    expect(trace).toMatch(/recreated/);
    expect(warnings).toEqual([]); // no outage: nothing was dropped
  });

  it('deleted and replaced by another file: the same trace', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    fs.rmSync(file);
    fs.writeFileSync(file, '', { mode: 0o600 });
    log.request(sampleRequest(2));
    log.close();
    const first = JSON.parse(readLines(file)[0]) as { event?: string; error?: string };
    expect(first).toMatchObject({ event: 'dropped', error: expect.stringContaining(`log file ${file} was deleted`) });
  });

  it('renamed away (logrotate nocreate) is no news: the new file starts with the next record, no trace', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file, { rotationCheckMs: 0 });
    log.request(sampleRequest(1));
    fs.renameSync(file, `${file}.1`);
    log.request(sampleRequest(2));
    log.close();
    expect(parseLines(file).map((r) => r.id ?? r.event)).toEqual(['req-2', 'stop']);
  });
});

describe('line cap', () => {
  it('cuts a 3 MB argument to fit under MAX_LINE_BYTES and flags the record', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    log.request(sampleRequest(1, { pipeline: [['echo', 'A'.repeat(3 * 1024 * 1024)], ['wc', '-c']] }));
    log.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(3);
    const bytes = Buffer.byteLength(lines[1]) + 1;
    expect(bytes).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const rec = auditRecordSchema.parse(JSON.parse(lines[1]));
    expect(rec).toMatchObject({ type: 'request', id: 'req-1', truncated: true });
    if (rec.type !== 'request') throw new Error('expected a request');
    expect(rec.pipeline[0][0]).toBe('echo');
    expect(rec.pipeline[0][1]).toMatch(/^A+…\[cut \d+ chars\]$/);
    expect(rec.pipeline[1]).toEqual(['wc', '-c']);
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
  });

  it('fits a record of 300,000 tiny arguments too', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    log.request(sampleRequest(1, { pipeline: [['xargs', ...Array.from({ length: 300_000 }, () => 'ab')]] }));
    log.close();
    const line = readLines(file)[1];
    expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(auditRecordSchema.parse(JSON.parse(line))).toMatchObject({ id: 'req-1', truncated: true });
  });

  it('a 2,000,000-argument argv: the record is written, fits the cap, is flagged and says how many arguments it left out', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log, warnings } = open(file);
    const argv = Array.from({ length: 2_000_000 }, (_, i) => `arg${i % 100}`);
    log.request(sampleRequest(1, { pipeline: [argv, ['wc', '-l']], resolved: ['/usr/bin/xargs', '/usr/bin/wc'] }));
    log.close();
    expect(warnings).toEqual([]);
    const lines = readLines(file);
    expect(lines).toHaveLength(3);
    expect(Buffer.byteLength(lines[1]) + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const rec = auditRecordSchema.parse(JSON.parse(lines[1]));
    if (rec.type !== 'request') throw new Error('expected a request');
    expect(rec).toMatchObject({ id: 'req-1', truncated: true, resolved: ['/usr/bin/xargs', '/usr/bin/wc'] });
    const stage = rec.pipeline[0];
    const marker = /^…\[cut (\d+) args\]$/.exec(stage.at(-1) as string);
    expect(marker).not.toBeNull();
    const kept = stage.slice(0, -1);
    expect(kept.length).toBeGreaterThan(1_000);
    expect(kept).toEqual(argv.slice(0, kept.length)); // the first arguments, whole and in order
    expect(kept.length + Number(marker?.[1])).toBe(argv.length);
    expect(rec.pipeline[1]).toEqual(['wc', '-l']);
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
  });

  it('leaves a record that fits untouched', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    log.request(sampleRequest(1));
    log.close();
    expect(parseLines(file)[1]).not.toHaveProperty('truncated');
  });
});

describe('who decided (operator)', () => {
  it('is filled from the OS once at open: the real uid, its name, the terminal on fd 0 (or null), the hostname', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file);
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    log.close();
    const recs = parseLines(file);
    const expected = {
      uid: process.getuid?.() ?? 0,
      user: os.userInfo().username,
      tty: tty.isatty(0) ? fs.readlinkSync('/proc/self/fd/0') : null,
      hostname: os.hostname(),
    };
    expect(Object.keys(recs[0].operator as object)).toEqual(['uid', 'user', 'tty', 'hostname']);
    expect(recs[0]).toMatchObject({ event: 'start', operator: expected });
    expect(recs[1]).toMatchObject({ type: 'request', operator: expected });
    // Not on responses (the request says who decided) nor on the stop record.
    expect(recs[2]).not.toHaveProperty('operator');
    expect(recs[3]).toMatchObject({ event: 'stop' });
    expect(recs[3]).not.toHaveProperty('operator');
  });

  it('takes the daemon\'s override of any part, keeps the OS\'s for the rest, and writes none with operator: false', () => {
    const dir = tempDir();
    const { log } = open(path.join(dir, 'a.log'), { operator: { tty: '/dev/pts/3', hostname: 'build-01' } });
    log.request(sampleRequest(1));
    log.close();
    const [start, request] = parseLines(path.join(dir, 'a.log'));
    const who = { uid: process.getuid?.() ?? 0, user: os.userInfo().username, tty: '/dev/pts/3', hostname: 'build-01' };
    expect(start.operator).toEqual(who);
    expect(request.operator).toEqual(who);

    const { log: pkexecMode } = open(path.join(dir, 'b.log'), { operator: { tty: null, uid: 4242, user: 'bob' } });
    pkexecMode.request(sampleRequest(1, { via: 'pkexec', escalation: 'pkexec' }));
    pkexecMode.close();
    expect(parseLines(path.join(dir, 'b.log'))[1]).toMatchObject({ via: 'pkexec', escalation: 'pkexec', operator: { uid: 4242, user: 'bob', tty: null } });

    const { log: none } = open(path.join(dir, 'c.log'), { operator: false });
    none.request(sampleRequest(1));
    none.policy({ setting: 'confirm_unprivileged', old: true, new: false, by: 'config' });
    none.close();
    for (const rec of parseLines(path.join(dir, 'c.log'))) expect(rec).not.toHaveProperty('operator');
  });

  it('of a uid given without a name: its name from /etc/passwd, else ""; of an invalid uid: the process\'s', () => {
    const dir = tempDir();
    const other = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f.length > 2 && f[0] !== '' && Number(f[2]) !== process.geteuid?.());
    if (other) {
      const { log: named } = open(path.join(dir, 'n.log'), { operator: { uid: Number(other[2]) } });
      named.close();
      expect(parseLines(path.join(dir, 'n.log'))[0].operator).toMatchObject({ uid: Number(other[2]), user: other[0] });
    }
    const { log } = open(path.join(dir, 'a.log'), { operator: { uid: 3_999_999_999 } });
    log.close();
    expect(parseLines(path.join(dir, 'a.log'))[0].operator).toMatchObject({ uid: 3_999_999_999, user: '' });
    expect(passwdName('root:x:0:0::/root:/bin/sh\n:x:5:5::/:/bin/sh\nsvc:x:12:12::/:/bin/false\nbad line\n', 12)).toBe('svc');
    expect(passwdName('root:x:0:0::/root:/bin/sh\n:x:5:5::/:/bin/sh\n', 5)).toBe('');
    const { log: bad } = open(path.join(dir, 'b.log'), { operator: { uid: -1 } as never });
    bad.close();
    expect(parseLines(path.join(dir, 'b.log'))[0].operator).toMatchObject({ uid: process.getuid?.() ?? 0 });
  });
});

describe('policy records', () => {
  it('are chained like every record, after the ApprovedAlways request that caused them, at the writer\'s clock', () => {
    const file = path.join(tempDir(), 'audit.log');
    let clock = Date.UTC(2026, 0, 15, 9, 30, 0, 5);
    const who = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
    const { log, warnings } = open(file, { now: () => clock, operator: who });
    log.request(sampleRequest(1, { privileged: false, always: true, escalation: 'none', clientVersion: '0.4.1', forwardAgent: false }));
    clock += 7;
    log.policy({ setting: 'confirm_unprivileged', old: true, new: false, requestId: 'req-1', by: 'keypress' });
    log.request(sampleRequest(2, { decision: 'rejected', via: 'policy', latencyMs: null, error: 'duplicate request id', reject: 'replay' }));
    log.close();
    expect(warnings).toEqual([]);
    const lines = readLines(file);
    expect(verifyChain(chainLinesOf([file])).ok).toBe(true);
    for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).error).toBeUndefined();
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((r) => r.type)).toEqual(['writer', 'request', 'policy', 'request', 'writer']);
    expect(recs[1]).toMatchObject({ always: true, escalation: 'none', forward_agent: false, client_version: '0.4.1', operator: who });
    const at = new Date(clock).toISOString();
    expect(lines[2]).toBe(
      `{"v":1,"type":"policy","seq":3,"prev":"${hashLine(lines[1])}","logged":"${at}","time":"${at}","setting":"confirm_unprivileged","old":true,"new":false,"request_id":"req-1","by":"keypress","operator":${JSON.stringify(who)}}`,
    );
    expect(recs[3]).toMatchObject({ decision: 'rejected', reject: 'replay', error: 'duplicate request id' });
  });

  it('take odd input without dropping the change: a null request id, any scalar, an unknown by as config', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file, { operator: false });
    log.policy({ setting: 'prompt_timeout_s', old: 60, new: Number.NaN, by: 'config' });
    log.policy({ setting: 'mode', old: null, new: 'pkexec', requestId: null, by: 'telepathy' as never });
    log.policy({ setting: 'x', old: { on: true } as never, new: undefined as never, requestId: 7 as never, by: 'keypress' });
    log.close();
    const recs = parseLines(file).slice(1, -1);
    expect(recs).toEqual([
      expect.objectContaining({ setting: 'prompt_timeout_s', old: 60, new: null, request_id: null, by: 'config' }),
      expect.objectContaining({ setting: 'mode', old: null, new: 'pkexec', request_id: null, by: 'config' }),
      expect.objectContaining({ setting: 'x', old: '[object Object]', new: null, request_id: '7', by: 'keypress' }),
    ]);
    for (const rec of recs) expect(auditRecordSchema.safeParse(rec).error).toBeUndefined();
  });

  it('a policy value over the line cap is cut to fit, like any string', () => {
    const file = path.join(tempDir(), 'audit.log');
    const { log } = open(file, { operator: { hostname: 'h'.repeat(2_000_000) } });
    log.request(sampleRequest(1, { clientVersion: 'v'.repeat(2_000_000) }));
    log.policy({ setting: 's'.repeat(3_000_000), old: 'o'.repeat(1_000_000), new: false, by: 'config' });
    log.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
      const rec = JSON.parse(line);
      expect(auditRecordSchema.safeParse(rec).error).toBeUndefined();
      if (rec.type !== 'writer' || rec.event === 'start') expect(rec.truncated).toBe(true);
    }
  });
});

describe('--no-audit', () => {
  it('creates nothing and makes every call a no-op', () => {
    const dir = tempDir();
    const file = path.join(dir, 'state', 'audit.log');
    const warnings: string[] = [];
    const log = openAuditLog({ path: file, disabled: true, warn: (m) => warnings.push(m) });
    expect(log.path).toBeNull();
    log.request(sampleRequest(1));
    log.response(sampleResponse(1));
    log.policy({ setting: 'confirm_unprivileged', old: true, new: false, requestId: 'req-1', by: 'keypress' });
    log.close();
    expect(log.stats()).toEqual({ written: 0, dropped: 0, droppedTotal: 0 });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
