/**
 * Hostile input against the pure reading path: random bytes, random JSON, truncated, huge and
 * deeply nested lines, invalid UTF-8, and records whose every string is full of control
 * characters. Zero crashes; every rejected line has a reason; the fast validator agrees with
 * the zod schema; the joiner keeps every record it is given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinRecords, type LocatedRecord } from '../shared/oracles/entry-joiner.js';
import { parseLine, parseLineText, validateRecord } from '../../src/shared/parse-line.js';
import { escapeForTerminal, formatPipeline } from '../../src/shared/sanitize.js';
import { type AuditRecord, auditRecordSchema, MAX_LINE_BYTES } from '../../src/shared/schema.js';

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u001b[2J', '\u001b]0;pwned\u0007', '\u001b]52;c;ZWNobyBoaQ==\u0007', '\u009b31m', '\u007f', '\u202etxt.exe', 'a\u2028b', '\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\'),
);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

const request = fc.record({
  v: fc.constant(1),
  type: fc.constant('request'),
  seq: fc.integer({ min: 1, max: 1e9 }),
  prev: hex64,
  id: fc.constantFrom('a', 'b', 'c', 'd', '\u001b[31mid'),
  time: hostileString,
  host: hostileString,
  session: hostileString,
  pipeline: fc.array(fc.array(hostileString, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  resolved: fc.array(fc.option(hostileString), { maxLength: 3 }),
  env_keys: fc.array(hostileString, { maxLength: 3 }),
  reason: hostileString,
  privileged: fc.boolean(),
  decision: fc.constantFrom('approved', 'denied', 'timeout'),
  via: fc.constantFrom('operator', 'policy'),
  latency_ms: fc.option(fc.integer({ min: 0, max: 60_000 })),
});
const response = fc.record({
  v: fc.constant(1),
  type: fc.constant('response'),
  id: fc.constantFrom('a', 'b', 'c', 'd', 'zz'),
  time: hostileString,
  status: fc.constantFrom('ok', 'error'),
  error: fc.option(hostileString),
  stages: fc.array(fc.record({ exit_code: fc.integer({ min: -1, max: 255 }), stderr_len: fc.nat(), stderr_truncated: fc.boolean() }), { maxLength: 3 }),
  stdout_len: fc.nat(),
  stdout_truncated: fc.boolean(),
  duration_ms: fc.nat(),
});
const writer = fc.record({ v: fc.constant(1), type: fc.constant('writer'), time: hostileString, event: fc.constantFrom('start', 'stop'), pid: fc.nat() });
const record = fc.oneof(request, response, writer);

/** Changes one field of a record to some other JSON value. */
const mutated = fc.tuple(record, fc.nat(), fc.jsonValue()).map(([r, i, value]) => {
  const keys = Object.keys(r);
  return { ...r, [keys[i % keys.length]]: value } as Record<string, unknown>;
});

describe('line parser under hostile input', () => {
  it('never throws on random bytes, and gives every rejected line a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseLine(bytes);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
        else expect(auditRecordSchema.safeParse(r.record).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts exactly what the zod schema accepts, over valid and mutated records', () => {
    fc.assert(
      fc.property(fc.oneof(record as fc.Arbitrary<Record<string, unknown>>, mutated), (value) => {
        const fast = validateRecord(value) !== null;
        const zod = auditRecordSchema.safeParse(value).success;
        expect(fast).toBe(zod);
        const r = parseLineText(JSON.stringify(value));
        expect(r.ok).toBe(zod);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on random JSON values and truncated records, and judges each as the schema does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), record.chain((r) => fc.nat().map((n) => JSON.stringify(r).slice(0, n)))), (text) => {
        const r = parseLine(Buffer.from(text));
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // A cut record (or nothing at all) is not JSON: never a record.
          expect(r.ok).toBe(false);
          return;
        }
        expect(r.ok).toBe(auditRecordSchema.safeParse(value).success);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects invalid UTF-8, deep nesting and lines over the cap with a reason, without crashing', () => {
    const valid = Buffer.from(JSON.stringify({ v: 1, type: 'writer', time: 't', event: 'start', pid: 1 }));
    const broken = Buffer.concat([valid.subarray(0, 20), Buffer.from([0xc3]), valid.subarray(20)]);
    expect(parseLine(broken)).toEqual({ ok: false, reason: expect.stringMatching(/UTF-8/) });
    expect(parseLine(Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).ok).toBe(false);
    expect(parseLine(Buffer.from(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`)).ok).toBe(false);
    const huge = Buffer.alloc(MAX_LINE_BYTES + 1, 0x61);
    expect(parseLine(huge)).toEqual({ ok: false, reason: expect.stringMatching(/cap/) });
  });
});

describe('joiner under hostile input', () => {
  it('keeps every record: each request is an entry, each response is joined or an orphan, nothing throws', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), (records) => {
        const located: LocatedRecord[] = records.map((r, i) => ({
          record: r as AuditRecord,
          location: { file: 'audit.log', line: i + 1, offset: i * 100, length: 99, seq: null },
        }));
        const { entries, writerEvents } = joinRecords(located);
        const requests = records.filter((r) => r.type === 'request').length;
        const orphans = entries.filter((e) => e.anomalies.includes('orphan-response')).length;
        expect(entries.length).toBe(requests + orphans);
        expect(writerEvents.length).toBe(records.filter((r) => r.type === 'writer').length);
        const joinedResponses = entries.filter((e) => e.response !== null).length;
        const responses = records.filter((r) => r.type === 'response').length;
        expect(joinedResponses).toBeLessThanOrEqual(responses);
        for (const e of entries) {
          // What the viewer would print for it is always terminal-safe.
          const shown = [formatPipeline(e.pipeline), escapeForTerminal(e.host), escapeForTerminal(e.session), escapeForTerminal(e.reason)].join(' ');
          expect(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}]/u.test(shown)).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
