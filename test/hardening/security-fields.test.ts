/**
 * Issue #15's fields as an attacker writes them: a hostile client controls `client_version`
 * and most request fields, and someone with write access to the log controls every byte of an
 * `operator` and a `policy` record. Whatever they hold reaches a terminal inert (every
 * sequence shown as an escape, each field capped) from print, print --security/--operator,
 * print --events, stats and verify.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainedLines, POLICY, securityRecords } from '../helpers/security-log.js';
import { request } from '../helpers/records.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { openAuditLog, type RequestInput } from '../../src/writer/index.js';
import { MAX_LINE_BYTES } from '../../src/shared/format-constants.js';
import { expectInert, runRaw } from './terminal-bytes.js';

const tempDir = makeTempDirFactory('spa-security-fields');

const TITLE = '\u001b]0;pwned\u0007';
const OSC52 = '\u001b]52;c;cHduZWQ=\u0007';
const C1 = '\u009b2J';
const BIDI = '\u202etxt.exe';
const ALL = `${TITLE}${OSC52}${C1}${BIDI}\u2028\r\n\u007f`;
const HUGE = `${TITLE}${'H'.repeat(300_000)}`;
const HOSTILE_OPERATOR = { uid: 0, user: `root${ALL}`, tty: `/dev/pts/9${ALL}`, hostname: HUGE };

const LOGGED_AT = '2026-11-01T08:00:05.000Z';
let file = '';

beforeAll(() => {
  file = path.join(tempDir(), 'audit.log');
  const records = securityRecords();
  records[0] = { ...records[0], operator: HOSTILE_OPERATOR };
  records.push(
    { ...request(`id${ALL}`, { decision: 'rejected', via: 'policy', latency_ms: null, error: `e${ALL}` }), reject: 'replay', client_version: `9${ALL}${HUGE}`, operator: HOSTILE_OPERATOR },
    { ...POLICY, setting: `s${ALL}${HUGE}`, old: `o${ALL}`, new: HUGE, request_id: `r${ALL}${HUGE}`, operator: HOSTILE_OPERATOR },
    { ...request(`id2${ALL}`), client_version: ALL },
    { ...POLICY, time: `t${ALL}`, by: 'config', request_id: null, old: 1e308, new: -0, operator: { ...HOSTILE_OPERATOR, tty: null, user: '' } },
  );
  fs.writeFileSync(file, chainedLines(records).map((l) => `${l}\n`).join(''));
});

describe.concurrent('#15 fields from a hostile client or a hand with write access reach the terminal inert', () => {
  for (const args of [['print', '--utc'], ['print', '--security'], ['print', '--operator', '0'], ['print', '--json', '--events'], ['print', '--id', 'id'], ['stats'], ['stats', '--json'], ['verify']]) {
    it(`${args.join(' ')}: no raw sequence, every line capped`, async () => {
      const r = await runRaw([...args, file]);
      expect(r.code, r.stderr.toString()).toBeLessThanOrEqual(1);
      const out = expectInert(r.stdout, args.join(' '));
      const err = expectInert(r.stderr, `${args.join(' ')} (stderr)`);
      // Two ids start with `id`: both listed, escaped.
      if (args.includes('--id')) expect(err).toMatch(/--id id is ambiguous: 2 ids start with it: 'id2?\\e\]0;pwned/);
      if (!args.includes('--json')) for (const line of out.split('\n')) expect(line.length, line.slice(0, 200)).toBeLessThan(8_000);
    });
  }
});

describe('a policy change no chain vouches for (no seq/prev: anyone with write access can add one)', () => {
  it('print says so on its ── line, as it does for an unchained entry', async () => {
    const plain = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(plain, securityRecords().map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = await runRaw(['print', '--no-header', '--utc', plain]);
    const lines = expectInert(r.stdout, 'print').split('\n');
    expect(lines.find((l) => l.includes('POLICY CHANGED'))).toMatch(/\(a key at the prompt of request a\) \[unchained\]$/);
    expect(lines.find((l) => l.includes('approved always (a)'))).toMatch(/unchained\]$/);
  });
});

describe('writer records no chain vouches for (a forged "writer stopped" or gap, added by hand)', () => {
  it('print marks each of their ── lines [unchained], as it does a policy change', async () => {
    const plain = path.join(tempDir(), 'audit.log');
    const writer = (event: string, extra: Record<string, unknown> = {}) => ({ v: 1, type: 'writer', event, time: '2026-11-01T08:00:00Z', pid: 9, ...extra });
    const records = [writer('start'), writer('dropped', { dropped: 4, error: 'ENOSPC' }), writer('stop')];
    fs.writeFileSync(plain, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const r = await runRaw(['print', '--no-header', '--utc', plain]);
    const events = expectInert(r.stdout, 'print').split('\n').filter((l) => l.startsWith('──'));
    expect(events).toHaveLength(3);
    for (const line of events) expect(line).toMatch(/\[unchained\]$/);
  });
});

describe('a hostile client through the writer: it cannot say who decided, nor place its record in the chain', () => {
  it('operator, seq, prev and logged smuggled into a request are the writer\'s own; a 2 MB client_version is cut to the line cap', () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {}, now: () => Date.parse(LOGGED_AT), operator: { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' } });
    const smuggled = { operator: { uid: 0, user: 'root', tty: null, hostname: 'elsewhere' }, seq: 999, prev: '0'.repeat(64), logged: '1999-01-01T00:00:00.000Z' };
    const base = { time: '2026-11-01T08:00:00Z', host: 'h', session: 's', pipeline: [['id']], privileged: false, decision: 'denied', latencyMs: 1 } as const;
    log.request({ ...base, ...smuggled, id: 'a', clientVersion: `9${ALL}` } as RequestInput);
    log.request({ ...base, ...smuggled, id: 'b', clientVersion: 'v'.repeat(2_000_000) } as RequestInput);
    log.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.type === 'request');
    for (const r of [a, b]) {
      expect(r.operator).toEqual({ uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' });
      expect(r.logged).toBe(LOGGED_AT);
    }
    expect([a.seq, b.seq]).toEqual([2, 3]);
    expect(a.client_version).toBe(`9${ALL}`);
    expect(b).toMatchObject({ truncated: true });
    expect(String(b.client_version)).toMatch(/^v+…\[cut \d+ chars\]$/);
  });
});
