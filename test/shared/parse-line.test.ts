import { describe, expect, it } from 'vitest';
import { parseLine, parseLineText, schemaReason, validateRecord } from '../../src/shared/parse-line.js';
import { auditRecordSchema, MAX_LINE_BYTES } from '../../src/shared/schema.js';
import { request, response, writerStart } from '../engine/helpers.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('parseLine', () => {
  it('accepts the three record types, chained or not', () => {
    for (const r of [request('a'), response('a'), writerStart(), { ...request('b'), seq: 3, prev: 'f'.repeat(64) }]) {
      const result = parseLine(bytes(JSON.stringify(r)));
      expect(result).toEqual({ ok: true, record: r });
    }
  });

  it('names the reason a line is not a record', () => {
    expect(parseLine(bytes('{"v":1,"type":'))).toEqual({ ok: false, reason: 'not JSON' });
    // A blank line is named as verify names it (blank-line.ts): nothing, or only spaces, tabs, CRs.
    for (const blank of ['', ' ', '\t \r', '\r']) expect(parseLine(bytes(blank))).toEqual({ ok: false, reason: 'blank line' });
    // U+00A0 and U+FEFF are not JSON whitespace: not blank, not JSON.
    for (const notBlank of ['\u00a0', '\ufeff', '\u2028']) expect(parseLine(bytes(notBlank))).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseLine(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toEqual({ ok: false, reason: 'invalid UTF-8' });
    const big = Buffer.alloc(MAX_LINE_BYTES + 1, 0x20);
    expect(parseLine(big)).toEqual({ ok: false, reason: 'over the 1 MiB line cap' });
    expect(parseLine(bytes('[1,2]'))).toEqual({ ok: false, reason: 'schema: expected an object, got an array' });
    expect(parseLine(bytes('{"v":1,"type":"audit"}'))).toEqual({ ok: false, reason: 'schema: type: expected "request", "response", "writer", "policy" or "seal"' });
    // Names an object has by inheritance are not record types either (the fuzzer found "valueOf").
    for (const type of ['valueOf', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(parseLine(bytes(`{"v":1,"type":"${type}","time":"","event":"start","pid":0}`))).toEqual({ ok: false, reason: 'schema: type: expected "request", "response", "writer", "policy" or "seal"' });
    }
  });

  it('gives the zod path of a schema violation', () => {
    const bad = { ...request('a'), pipeline: 'ls -la' };
    const r = parseLineText(JSON.stringify(bad));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('schema: pipeline: expected array, received string');
    const nested = { ...response('a'), stages: [{ exit_code: 'x', stderr_len: 0, stderr_truncated: false }] };
    expect(schemaReason(nested)).toBe('schema: stages[0].exit_code: expected number, received string');
    expect(schemaReason({ ...request('a'), decision: 'rejected' })).toMatch(/^schema: error: a rejected request carries an error message/);
  });

  it('names NUL bytes: a line of them alone is crash padding, with its length; anywhere else, NUL in a line', () => {
    expect(parseLine(Buffer.alloc(3))).toEqual({ ok: false, reason: 'NUL padding: 3 bytes' });
    expect(parseLine(Buffer.alloc(1))).toEqual({ ok: false, reason: 'NUL padding: 1 byte' });
    expect(parseLine(Buffer.from('{"v":1}\0'))).toEqual({ ok: false, reason: 'contains NUL bytes' }); // UTF-8, not JSON
    expect(parseLine(Buffer.from([0xff, 0x00]))).toEqual({ ok: false, reason: 'contains NUL bytes' }); // not UTF-8 either
    expect(parseLine(Buffer.from([0xff]))).toEqual({ ok: false, reason: 'invalid UTF-8' });
    expect(parseLine(bytes('{"v":1,"type":"audit"}'))).toEqual({ ok: false, reason: 'schema: type: expected "request", "response", "writer", "policy" or "seal"' });
  });

  it('takes a line of exactly the cap, and only a longer one is over it', () => {
    expect(parseLine(Buffer.alloc(MAX_LINE_BYTES, 0x20))).toEqual({ ok: false, reason: 'blank line' });
    expect(parseLine(Buffer.alloc(MAX_LINE_BYTES + 1, 0x20))).toEqual({ ok: false, reason: 'over the 1 MiB line cap' });
    expect(parseLine(bytes(' \t\r'))).toEqual({ ok: false, reason: 'blank line' });
  });

  it('keeps a byte order mark: a line that starts with one is not a record (its bytes are what is hashed)', () => {
    expect(parseLine(bytes(`\ufeff${JSON.stringify(writerStart())}`))).toEqual({ ok: false, reason: 'not JSON' });
  });

  it('says what a JSON value that is not an object is', () => {
    expect(parseLine(bytes('null'))).toEqual({ ok: false, reason: 'schema: expected an object, got null' });
    expect(parseLine(bytes('5'))).toEqual({ ok: false, reason: 'schema: expected an object, got number' });
    expect(parseLine(bytes('"x"'))).toEqual({ ok: false, reason: 'schema: expected an object, got string' });
    // A type that only reads as a record type once made a string is not one.
    expect(parseLine(bytes('{"v":1,"type":["request"]}'))).toEqual({ ok: false, reason: 'schema: type: expected "request", "response", "writer", "policy" or "seal"' });
  });

  it('tolerates a CRLF line ending and a UTF-8 payload', () => {
    const r = request('a', { reason: 'café ✓ 日本' });
    expect(parseLine(bytes(`${JSON.stringify(r)}\r`))).toEqual({ ok: true, record: r });
  });
});

/** Mutations of valid records: the hand-written check must agree with zod on every one. */
const OPERATOR = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };

function* mutations(): Generator<unknown> {
  const bases: Record<string, unknown>[] = [
    request('a'),
    { ...request('b', { decision: 'rejected', error: 'not allowed', latency_ms: null, via: 'policy' }), seq: 1, prev: '0'.repeat(64) },
    response('a'),
    { ...response('a', { status: 'error', error: 'spawn', stages: [] }), truncated: true },
    writerStart(),
    { ...writerStart(), event: 'dropped', dropped: 3, error: 'ENOSPC' },
    // Issue #15's additions: who decided, which refusal, ApprovedAlways, pkexec, a policy change.
    { ...request('c', { decision: 'rejected', error: 'replay', latency_ms: null, via: 'policy' }), reject: 'replay', escalation: 'none', forward_agent: false, client_version: '0.3.1', operator: OPERATOR },
    { ...request('d', { via: 'pkexec' }), always: true, escalation: 'pkexec', operator: { ...OPERATOR, tty: null } },
    { ...writerStart(), operator: OPERATOR },
    { v: 1, type: 'policy', seq: 2, prev: 'f'.repeat(64), logged: '2026-11-01T08:00:00.000Z', time: '2026-11-01T08:00:00.000Z', setting: 'confirm_unprivileged', old: true, new: false, request_id: 'd', by: 'keypress', operator: OPERATOR },
  ];
  const values: unknown[] = [
    undefined, null, true, false, 0, -1, 1, 1.5, 2 ** 53, -0, '', 'x', 'approved', 'request', 'ok', 'start', 'operator',
    'f'.repeat(64), 'F'.repeat(64), [], [[]], [['ls']], [['ls', 1]], ['a', null], [null], {}, [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }],
    [{ exit_code: 0.5, stderr_len: 0, stderr_truncated: false }], [{ exit_code: 0, stderr_len: -1, stderr_truncated: false }],
    'replay', 'busy', 'sudo', 'pkexec', 'none', 'keypress', 'config', 'policy', 'rejected', OPERATOR, { ...OPERATOR, uid: -1 },
    { ...OPERATOR, uid: 1.5 }, { ...OPERATOR, tty: 3 }, { uid: 0, user: 'root', tty: null }, { ...OPERATOR, hostname: null },
  ];
  for (const base of bases) {
    yield base;
    const added = ['reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator', 'via', 'decision'];
    const keys = [...new Set([...Object.keys(base), 'seq', 'prev', 'logged', 'error', 'truncated', 'dropped', 'extra', ...added])];
    for (const key of keys) {
      for (const value of values) {
        const copy: Record<string, unknown> = { ...base };
        if (value === undefined) delete copy[key];
        else copy[key] = value;
        yield copy;
      }
    }
  }
  yield null;
  yield [];
  yield 'request';
  yield 42;
}

describe('validateRecord (the fast path)', () => {
  it('accepts exactly what the zod schema accepts', () => {
    let checked = 0;
    let valid = 0;
    for (const value of mutations()) {
      const zod = auditRecordSchema.safeParse(value).success;
      expect({ value, ok: validateRecord(value) !== null }).toEqual({ value, ok: zod });
      checked++;
      if (zod) valid++;
    }
    // Both sides of the boundary were exercised.
    expect(checked).toBeGreaterThan(500);
    expect(valid).toBeGreaterThan(30);
    expect(checked - valid).toBeGreaterThan(300);
  });

  it('rejects non-finite numbers that JSON can still produce (1e999)', () => {
    expect(validateRecord(JSON.parse(JSON.stringify(response('a')).replace('"duration_ms":900', '"duration_ms":1e999')))).toBeNull();
  });
});
