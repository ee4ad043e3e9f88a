/** The fast byte scanner must agree with the full path (parseLine + compactFromRecord) on every line it accepts. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/shared/parse-line.js';
import { compactFromRecord, errorOf, newCompactRecord, operatorKey, rejectCode, requestStrings, resolvedKeyOf } from '../../src/engine/compact-record.js';
import { scanRecord } from '../../src/engine/scan-record.js';
import { generateLog } from '../../src/demo/generate.js';
import { request, response, tempDir } from './helpers.js';

const OPERATOR = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };

/** Fast path result, or null when it declines. */
function fast(line: Buffer) {
  const padded = Buffer.concat([line, Buffer.from('\n{"next":"line"}\n')]); // the scanner must stop at its line's end
  const out = newCompactRecord();
  return scanRecord(padded, 0, line.length, out) ? { ...out, ...(out.kind === 0 ? requestStrings(out) : {}), resolvedKey: resolvedKeyOf(out), error: errorOf(out) } : null;
}

function slow(line: Buffer) {
  const r = parseLine(line);
  return r.ok ? { ...compactFromRecord(r.record, newCompactRecord()) } : null;
}

/** Only the fields the kind defines are compared (the rest of the reused object is stale by design). */
function relevant(c: ReturnType<typeof slow>) {
  if (!c) return null;
  const common = { kind: c.kind, chained: c.chained, seq: c.seq, idHash: c.idHash, timeMs: c.timeMs };
  return c.kind === 0
    ? { ...common, resolvedKey: c.resolvedKey, error: c.error, host: c.host, session: c.session, reason: c.reason, commandKey: c.commandKey, privileged: c.privileged, decision: c.decision, policy: c.policy, latencyMs: c.latencyMs, reject: c.reject, operator: c.operator }
    : c.kind === 1
      ? { ...common, failed: c.failed, durationMs: c.durationMs, error: c.error }
      : { ...common, writer: c.writer };
}

function expectAgreement(line: Buffer): 'fast' | 'slow' {
  const f = fast(line);
  const s = slow(line);
  if (f === null) return 'slow';
  expect(s, line.toString()).not.toBeNull();
  expect(relevant(f), line.toString()).toEqual(relevant(s));
  return 'fast';
}

describe('scanRecord', () => {
  it('takes the fast path for the writer\'s request and response lines, with the same result', () => {
    const file = path.join(tempDir('scan'), 'audit.log');
    generateLog({ path: file, count: 3000, seed: 7, runningShare: 0.05 });
    const lines = fs.readFileSync(file).toString('latin1').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'latin1'));
    let fastCount = 0;
    for (const line of lines) if (expectAgreement(line) === 'fast') fastCount++;
    const writerLines = lines.filter((l) => l.includes('"type":"writer"')).length;
    expect(fastCount).toBe(lines.length - writerLines);
  });

  it('takes the fast path for a daemon\'s request lines, which carry an operator and the fields of #15, with the same result', () => {
    const file = path.join(tempDir('scan'), 'audit.log');
    generateLog({ path: file, count: 3000, seed: 7, runningShare: 0.05, operator: OPERATOR });
    const lines = fs.readFileSync(file).toString('latin1').split('\n').filter(Boolean).map((l) => Buffer.from(l, 'latin1'));
    const requests = lines.filter((l) => l.includes('"type":"request"'));
    expect(requests.every((l) => l.includes('"operator":{"uid":1000'))).toBe(true);
    expect(requests.some((l) => l.includes('"decision":"rejected"'))).toBe(true); // (the other fields of #15: in the variants below)
    let fastCount = 0;
    for (const line of lines) if (expectAgreement(line) === 'fast') fastCount++;
    const eventLines = lines.filter((l) => l.includes('"type":"writer"') || l.includes('"type":"policy"')).length;
    expect(fastCount).toBe(lines.length - eventLines);
    const rejected = requests.find((l) => l.includes('"decision":"rejected"')) as Buffer;
    expect(fast(rejected)).toMatchObject({ decision: 'rejected', operator: operatorKey(OPERATOR) });
    const replay = Buffer.from(JSON.stringify({ ...request('a', { decision: 'rejected', error: 'x', latency_ms: null, via: 'policy' }), reject: 'replay', operator: OPERATOR }));
    expect(fast(replay)).toMatchObject({ reject: rejectCode('replay'), operator: operatorKey(OPERATOR) });
  });

  it('agrees with the schema on the fields of #15, or declines them', () => {
    const op = { operator: OPERATOR };
    const good: object[] = [
      { ...request('a'), ...op },
      { ...request('a'), operator: { ...OPERATOR, tty: null } },
      { ...request('a'), operator: { ...OPERATOR, user: '', uid: 0 } },
      { ...request('a'), operator: { hostname: 'h', tty: null, user: 'bob', uid: 7 } }, // another key order
      { ...request('a'), operator: { ...OPERATOR, extra: 1 } },
      { ...request('a'), operator: { ...OPERATOR, user: 'é"\\' } },
      { ...request('a', { decision: 'rejected', error: 'x', latency_ms: null, via: 'policy' }), reject: 'replay', ...op },
      { ...request('a', { decision: 'rejected', error: 'x', latency_ms: null, via: 'policy' }), reject: 'prompt_error' },
      { ...request('a', { via: 'pkexec' }), always: true, escalation: 'pkexec', forward_agent: false, client_version: '0.4.1', ...op },
      { ...request('a'), escalation: 'none', forward_agent: true, ...op, truncated: true },
      { ...request('a'), escalation: 'sudo', ...op, seq: 4, prev: 'b'.repeat(64) },
    ];
    const bad: object[] = [
      { ...request('a'), operator: { ...OPERATOR, uid: -1 } },
      { ...request('a'), operator: { ...OPERATOR, uid: 1.5 } },
      { ...request('a'), operator: { ...OPERATOR, uid: '1000' } },
      { ...request('a'), operator: { uid: 1, user: 'a', tty: null } },
      { ...request('a'), operator: { ...OPERATOR, tty: 3 } },
      { ...request('a'), operator: { ...OPERATOR, user: null } },
      { ...request('a'), operator: { ...OPERATOR, hostname: false } },
      { ...request('a'), operator: null },
      { ...request('a'), operator: [1000, 'alice'] },
      { ...request('a', { decision: 'rejected', error: 'x', latency_ms: null, via: 'policy' }), reject: 'nope' },
      { ...request('a'), reject: 'replay' }, // only a rejected request carries one
      { ...request('a', { decision: 'denied' }), always: true },
      { ...request('a'), always: false },
      { ...request('a'), escalation: 'doas' },
      { ...request('a'), forward_agent: 'yes' },
      { ...request('a'), client_version: 4 },
      { ...request('a', { via: 'daemon' as never }) },
    ];
    const paths = good.map((g) => expectAgreement(Buffer.from(JSON.stringify(g))));
    expect(paths.filter((p) => p === 'fast').length).toBeGreaterThanOrEqual(8);
    for (const b of bad) {
      const bytes = Buffer.from(JSON.stringify(b));
      expect(fast(bytes), bytes.toString()).toBeNull();
      expect(slow(bytes), bytes.toString()).toBeNull();
    }
    // One operator after another: each line keeps its own (the scanner reuses the key of a repeated one).
    const lines = [OPERATOR, { ...OPERATOR, uid: 1001 }, { ...OPERATOR, user: 'alicf' }, OPERATOR].map((o) => Buffer.from(JSON.stringify({ ...request('a'), operator: o })));
    expect(lines.map((l) => fast(l)?.operator)).toEqual(lines.map((l) => slow(l)?.operator));
  });

  it('agrees on valid variations, or declines them', () => {
    const variants: string[] = [
      JSON.stringify(Object.fromEntries(Object.entries(request('k')).reverse())), // keys in another order
      JSON.stringify(request('a'), null, 1), // whitespace
      JSON.stringify(request('a', { reason: 'tab\tand "quotes" \\ and é' })), // escapes and non-ASCII
      JSON.stringify(request('a', { latency_ms: 12.5 })),
      JSON.stringify(request('a', { latency_ms: 0 })).replace('"latency_ms":0', '"latency_ms":-0'),
      JSON.stringify(request('a', { latency_ms: 1 })).replace('"latency_ms":1', '"latency_ms":1e3'),
      JSON.stringify(request('a', { latency_ms: 1 })).replace('"latency_ms":1', '"latency_ms":1.5E-2'),
      JSON.stringify(request('a', { decision: 'rejected', error: 'x', latency_ms: null, via: 'policy' })),
      JSON.stringify({ ...request('a'), truncated: true, seq: 9007199254740991, prev: 'a'.repeat(64) }),
      JSON.stringify({ ...request('a'), extra: 1 }),
      JSON.stringify(request('a', { time: '2026-11-01T08:00:00.5Z' })),
      JSON.stringify(request('a', { time: '2024-02-29T23:59:59.999Z' })),
      JSON.stringify(request('a', { time: 'not a time' })),
      JSON.stringify(request('a', { time: '2026-02-31T00:00:00Z' })),
      JSON.stringify(request('a', { pipeline: [[]], resolved: [null] })),
      JSON.stringify(request('a', { env_keys: [] })),
      JSON.stringify(response('a', { stages: [] })),
      JSON.stringify(response('a', { stages: [{ exit_code: -1, stderr_len: 0, stderr_truncated: true }] })),
      JSON.stringify(response('a', { stages: [{ stderr_truncated: false, exit_code: 0, stderr_len: 5 }, { exit_code: 2, stderr_len: 0, stderr_truncated: false }] })),
      // A stage whose keys leave the writer's order after its exit code: read again key by key, and failed.
      JSON.stringify(response('a', { stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }, { exit_code: 3, stderr_truncated: false, stderr_len: 1 }] })),
      JSON.stringify(response('a', { stages: [{ exit_code: 4, stderr_len: 2, stderr_truncated: false }] })).replace('"stderr_truncated":false}', '"stderr_truncated":false,"stderr_len":2}'),
      JSON.stringify(response('a', { status: 'error', error: 'spawn' })),
      JSON.stringify(response('a', { duration_ms: 0.25 })),
      `${JSON.stringify(request('a'))}\r`,
      JSON.stringify(request('a')).replace('"reason"', '"reason":"x","reason"'), // a duplicate key: JSON.parse keeps the last
    ];
    const paths = variants.map((v) => expectAgreement(Buffer.from(v)));
    expect(paths.filter((p) => p === 'fast').length).toBeGreaterThan(12);
  });

  it('times a record by the writer\'s clock (logged) when it has one, on both paths, and by its time otherwise', () => {
    const logged = '2026-12-04T15:00:00.123Z';
    const cases = [
      [{ ...request('a', { time: '2001-01-01T00:00:00Z' }), logged }, Date.parse(logged)],
      [{ ...request('a', { time: 'not a time' }), logged }, Date.parse(logged)],
      [{ ...response('a', { time: '2099-01-01T00:00:00.000Z' }), logged }, Date.parse(logged)],
      [request('a', { time: '2001-01-01T00:00:00Z' }), Date.parse('2001-01-01T00:00:00Z')], // an older record: the time as sent
      [{ ...request('a'), logged: 'not a time' }, Number.NaN], // a writer time that is not one is not replaced by the client's
    ] as const;
    for (const [record, timeMs] of cases) {
      const { v, type, ...rest } = record as Record<string, unknown>;
      const line = Buffer.from(JSON.stringify({ v, type, seq: 3, prev: 'a'.repeat(64), ...rest }));
      expect(expectAgreement(line), line.toString()).toBe('fast');
      expect(fast(line)?.timeMs).toEqual(timeMs);
    }
    // A writer time that is not a string makes the record invalid on both paths.
    const bad = Buffer.from(JSON.stringify({ ...request('a'), logged: 1 }));
    expect(fast(bad)).toBeNull();
    expect(slow(bad)).toBeNull();
  });

  it('declines every invalid line (so it is reported with its reason)', () => {
    const bad: string[] = [
      JSON.stringify(request('')),
      JSON.stringify(request('a', { decision: 'rejected' })),
      JSON.stringify({ ...request('a'), error: null }),
      JSON.stringify({ ...request('a'), truncated: false }),
      JSON.stringify({ ...request('a'), seq: 0 }),
      JSON.stringify({ ...request('a'), seq: 1.5 }),
      JSON.stringify({ ...request('a'), seq: 2 ** 53 }),
      JSON.stringify({ ...request('a'), prev: 'A'.repeat(64) }),
      JSON.stringify({ ...request('a'), prev: 'a'.repeat(63) }),
      JSON.stringify({ ...request('a'), prev: 'a'.repeat(65) }),
      JSON.stringify({ ...request('a'), prev: `${'a'.repeat(63)}g` }),
      JSON.stringify({ ...request('a'), prev: 5 }),
      `{"v":1,"type":"request","seq":3,"prev":"${'a'.repeat(64)}`,
      `{"v":1,"type":"request","seq":3,"prev":"${'a'.repeat(64)}"`,
      JSON.stringify(request('a', { pipeline: [] })),
      JSON.stringify(request('a', { pipeline: [['ls', 1 as unknown as string]] })),
      JSON.stringify(request('a', { latency_ms: -1 })),
      JSON.stringify({ ...request('a'), v: 2 }),
      JSON.stringify({ ...request('a'), host: undefined }),
      JSON.stringify(response('a', { stages: [{ exit_code: 0, stderr_len: -1, stderr_truncated: false }] })),
      JSON.stringify(response('a', { stages: [{ exit_code: 0, stderr_len: 0 } as never] })),
      JSON.stringify(response('a', { stdout_len: 1.5 })),
      JSON.stringify({ ...response('a'), error: undefined }),
      JSON.stringify(request('a')).replace('"latency_ms":1200', '"latency_ms":01200'),
      JSON.stringify(request('a')).replace('"latency_ms":1200', '"latency_ms":1200.'),
      JSON.stringify(request('a')).replace('"latency_ms":1200', '"latency_ms":1e999'),
      `${JSON.stringify(request('a'))}x`,
      JSON.stringify(request('a')).slice(0, -1),
      JSON.stringify(request('a')).replace('apply', 'app\u0001ly'),
    ];
    for (const line of bad) {
      const bytes = Buffer.from(line);
      expect(fast(bytes), line).toBeNull();
      expect(slow(bytes), line).toBeNull();
    }
  });

  it('applies chainFieldsOf\'s rule on both paths: a record with only one chain field is unchained and has no seq', () => {
    const prev = 'a'.repeat(64);
    const cases = [
      [{ ...request('a'), seq: 5, prev }, true, 5],
      [{ ...request('a'), seq: 5 }, false, -1], // before: unchained, yet seq 5 (ordered by it in a collected host)
      [{ ...request('a'), prev }, false, -1],
      [{ ...response('a'), seq: 7 }, false, -1],
    ] as const;
    for (const [record, chained, seq] of cases) {
      const line = Buffer.from(JSON.stringify(record));
      expect(expectAgreement(line)).toBe('fast');
      expect(fast(line), line.toString()).toMatchObject({ chained, seq });
      expect(slow(line), line.toString()).toMatchObject({ chained, seq });
    }
  });

  it('reads a time with a non-digit where a digit goes as the full path does, whatever line came before', () => {
    // The fast time reader took a non-digit as -1000 and summed on: `302:` was the year 2020,
    // and `2026-1:-05` (month 10 - 1000) the same day key as 2016-10-05, taken from the cache
    // the line before left: a record's time chosen by its neighbour (found porting the scanner).
    const cases: Array<[string, string]> = [
      ['2016-10-05T00:00:00.000Z', '2026-1:-05T01:02:03.456Z'],
      ['2026-01-15T00:00:00Z', '302:-01-15T00:00:00Z'],
      ['2026-01-10T00:00:00Z', '2126-01-1:T00:00:00Z'],
      ['2026-01-10T00:00:00Z', '2026-01-10T0/:00:00Z'],
      ['2026-01-10T00:00:00.000Z', '2026-01-10T00:00:00.0:0Z'],
    ];
    for (const [before, time] of cases) {
      fast(Buffer.from(JSON.stringify(request('a', { time: before }))));
      const line = Buffer.from(JSON.stringify(request('b', { time })));
      expectAgreement(line);
      const f = fast(line);
      if (f !== null) expect(f.timeMs, time).toBeNaN();
    }
  });
});
