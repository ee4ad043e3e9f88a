/**
 * The byte encoder of request and response lines against JSON.stringify: for any input,
 * hostile strings and odd types included, the writer's line is exactly the UTF-8 of
 * JSON.stringify of toRequestRecord/toResponseRecord with seq and prev after v and type;
 * the encoder (not the general path) handles every ordinary input; and every line the writer
 * writes is canonical JSON.stringify output of itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/shared/parse-line.js';
import { auditRecordSchema, MAX_LINE_BYTES, type OperatorInfo } from '../../src/shared/schema.js';
import { ESCALATIONS, REJECT_KINDS } from '../../src/shared/format-constants.js';
import type { RequestInput, ResponseInput } from '../../src/writer/record-input.js';
import { openAuditLog } from '../../src/writer/index.js';
import { fitRecord } from '../../src/writer/fit.js';
import { generalLine, RecordEncoder, toRequestRecord, toResponseRecord, type UnchainedRecord } from '../../src/writer/record-line.js';
import { makeTempDirFactory, readLines } from './helpers.js';

const tempDir = makeTempDirFactory('spa-record-line');

/** Strings JSON must escape, and some it must not: controls, quotes, backslashes, lone and paired surrogates, U+2028/9, DEL. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udfff', '\ud83d\ude00', 'é', 'a', '/'), maxLength: 12 }),
  fc.constantFrom('', 'journalctl', '\u001b[2J', '\u001b]0;pwned\u0007', 'a\u2028b', '\ud83d', '\ude00x', '"quoted"', 'C:\\path', '</script>'),
);
/** What a careless daemon might pass where a string belongs. */
const oddValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.constant({ toString: () => 'obj' }));
const maybeOdd = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: oddValue });
const number = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.double(), fc.constantFrom(-0, 0.1, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, -1));

const argv = fc.array(maybeOdd(hostileString), { maxLength: 5 });
const requestInput = fc.record(
  {
    id: maybeOdd(hostileString),
    time: maybeOdd(hostileString),
    host: maybeOdd(hostileString),
    session: maybeOdd(hostileString),
    pipeline: fc.oneof({ weight: 8, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: argv }, { weight: 1, arbitrary: oddValue }), { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant(undefined) }),
    resolved: fc.option(fc.array(maybeOdd(hostileString), { maxLength: 5 })),
    env: fc.oneof(
      fc.dictionary(hostileString, fc.string(), { maxKeys: 6 }),
      fc.array(hostileString, { maxLength: 6 }),
      fc.array(fc.tuple(hostileString, fc.string()), { maxLength: 4 }).map((entries) => new Map(entries)),
      fc.constant(undefined),
    ),
    reason: maybeOdd(hostileString),
    privileged: fc.oneof(fc.boolean(), oddValue),
    decision: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('approved', 'denied', 'timeout', 'rejected') }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: oddValue }),
    via: fc.oneof(fc.constantFrom('operator', 'policy', 'pkexec'), oddValue),
    latencyMs: fc.oneof(number, oddValue),
    error: maybeOdd(hostileString),
    // Issue #15's fields: known values, unknown ones (a reject kind the list lacks), odd types.
    reject: fc.oneof(fc.constantFrom(...REJECT_KINDS), hostileString, oddValue),
    always: fc.oneof(fc.boolean(), oddValue),
    escalation: fc.oneof(fc.constantFrom(...ESCALATIONS), hostileString, oddValue),
    forwardAgent: fc.oneof(fc.boolean(), oddValue),
    clientVersion: maybeOdd(hostileString),
  },
  { requiredKeys: ['id', 'time', 'session', 'pipeline', 'privileged', 'decision'] },
) as unknown as fc.Arbitrary<RequestInput>;

const size = fc.oneof(number, hostileString, fc.uint8Array({ maxLength: 8 }), oddValue);
const responseInput = fc.record(
  {
    id: maybeOdd(hostileString),
    time: maybeOdd(hostileString),
    status: fc.oneof(fc.constantFrom('ok', 'error'), oddValue),
    error: maybeOdd(hostileString),
    stages: fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: fc.record({ exitCode: fc.oneof(number, oddValue), stderr: size, stderrTruncated: fc.oneof(fc.boolean(), oddValue) }) }, { weight: 1, arbitrary: fc.constant(undefined) }), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    stdout: size,
    stdoutTruncated: fc.oneof(fc.boolean(), oddValue),
    durationMs: fc.oneof(number, oddValue),
  },
  { requiredKeys: ['id', 'status', 'stages', 'stdout', 'durationMs'] },
) as unknown as fc.Arbitrary<ResponseInput>;

/** Who decided, as the writer has it (none, or any strings an override or the OS gives). */
const operator: fc.Arbitrary<OperatorInfo | null> = fc.option(
  fc.record({ uid: fc.oneof(fc.nat(), fc.maxSafeNat()), user: hostileString, tty: fc.option(hostileString, { nil: null }), hostname: hostileString }),
  { nil: null },
);

const NOW = 1_764_200_000_123;
const now = () => NOW;
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const chain = fc.record({ seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), prev: hex64, at: fc.constantFrom(0, 1) });

/** JSON.stringify of the record with seq, prev and the writer's time after v and type: what every line must be. */
function expectedLine(record: UnchainedRecord, seq: number, prev: string): Buffer {
  const { v, type, ...fields } = record;
  return Buffer.from(JSON.stringify({ v, type, seq, prev, logged: new Date(NOW).toISOString(), ...fields }));
}

/** What the writer writes for an input: the encoder's bytes, or the general path's when it declines. */
function writtenLine(encode: (buf: Buffer, at: number) => number, record: () => UnchainedRecord, seq: number, prev: string, at: number): { line: Buffer; fast: boolean } {
  const buf = Buffer.alloc(64 * 1024, 0xee);
  const end = encode(buf, at);
  if (end < 0) return { line: Buffer.from(generalLine(record(), seq, prev, NOW)), fast: false };
  expect(buf.subarray(0, at).every((b) => b === 0xee)).toBe(true); // nothing written before `at`
  expect(buf[end]).toBe(0xee); // …nor past the end it reports
  return { line: Buffer.from(buf.subarray(at, end)), fast: true };
}

/** Durations as a daemon measures them: whole, to the µs, or any double at all. */
const milliseconds = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000_000 }).map((us) => us / 1000),
  fc.integer({ min: 0, max: 10_000_000 }).map((us) => us / 1_000_000),
  fc.double({ min: 0, max: 1e22, noNaN: true }),
  fc.constantFrom(0.1, 0.5, 1.005, 0.0005, 1e-7, 999_999_999_999.5, 1e12 + 0.25, 2 ** 53, 2 ** 53 + 2, 1e21, 123.456),
);

/** Inputs of the shape a daemon sends: every argv item and path a string. */
const plainRequest = fc.record({
  id: hostileString,
  time: hostileString,
  host: hostileString,
  session: hostileString,
  pipeline: fc.array(fc.array(hostileString, { maxLength: 5 }), { minLength: 1, maxLength: 4 }),
  resolved: fc.array(fc.option(hostileString, { nil: null }), { maxLength: 5 }),
  env: fc.dictionary(hostileString, fc.string(), { maxKeys: 6 }),
  reason: hostileString,
  privileged: fc.boolean(),
  decision: fc.constantFrom('approved', 'denied', 'timeout', 'rejected'),
  via: fc.constantFrom('operator', 'policy', 'pkexec'),
  latencyMs: fc.option(fc.oneof(fc.integer({ min: 0, max: 60_000 }), milliseconds), { nil: null }),
  reject: fc.option(fc.constantFrom(...REJECT_KINDS), { nil: undefined }),
  always: fc.option(fc.boolean(), { nil: undefined }),
  escalation: fc.option(fc.constantFrom(...ESCALATIONS), { nil: undefined }),
  forwardAgent: fc.option(fc.boolean(), { nil: undefined }),
  clientVersion: fc.option(hostileString, { nil: undefined }),
}) as fc.Arbitrary<RequestInput>;
const plainResponse = fc.record({
  id: hostileString,
  time: hostileString,
  status: fc.constantFrom('ok', 'error'),
  error: fc.option(hostileString, { nil: null }),
  stages: fc.array(fc.record({ exitCode: fc.oneof(fc.integer({ min: -1, max: 255 }), fc.integer()), stderr: fc.oneof(fc.nat(), fc.maxSafeNat(), hostileString), stderrTruncated: fc.boolean() }), { maxLength: 4 }),
  stdout: fc.oneof(fc.nat(), fc.maxSafeNat(), hostileString),
  stdoutTruncated: fc.boolean(),
  durationMs: milliseconds,
}) as fc.Arbitrary<ResponseInput>;

describe('request lines', () => {
  it('are exactly JSON.stringify of toRequestRecord(input, operator) with seq and prev, for any input and operator', () => {
    fc.assert(
      fc.property(requestInput, operator, chain, (input, who, { seq, prev, at }) => {
        const encoder = new RecordEncoder(who);
        const { line } = writtenLine((buf, a) => encoder.request(buf, a, seq, prev, input, NOW), () => toRequestRecord(input, who), seq, prev, at);
        expect(line.toString()).toBe(expectedLine(toRequestRecord(input, who), seq, prev).toString());
        expect(line.equals(expectedLine(toRequestRecord(input, who), seq, prev))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('come from the encoder, not the general path, for every input of the shape a daemon sends', () => {
    fc.assert(
      fc.property(plainRequest, operator, chain, (input, who, { seq, prev, at }) => {
        const encoder = new RecordEncoder(who);
        const { line, fast } = writtenLine((buf, a) => encoder.request(buf, a, seq, prev, input, NOW), () => toRequestRecord(input, who), seq, prev, at);
        expect(fast).toBe(true);
        expect(line.equals(expectedLine(toRequestRecord(input, who), seq, prev))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('write the fields of issue #15 in the format\'s order, only where the format allows them', () => {
    const who: OperatorInfo = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
    fc.assert(
      fc.property(plainRequest, (input) => {
        const buf = Buffer.alloc(64 * 1024);
        const record = JSON.parse(buf.toString('utf8', 0, new RecordEncoder(who).request(buf, 0, 1, '0'.repeat(64), input, NOW)));
        const keys = Object.keys(record);
        const extras = keys.slice(keys.indexOf('latency_ms') + 1);
        const order = ['error', 'reject', 'always', 'escalation', 'forward_agent', 'client_version', 'operator'];
        expect(extras).toEqual(order.filter((k) => extras.includes(k)));
        expect(record.operator).toEqual(who);
        expect(record.reject).toBe(input.decision === 'rejected' ? input.reject : undefined);
        expect(record.always).toBe(input.always === true && input.decision === 'approved' ? true : undefined);
        expect(record.escalation).toBe(input.escalation);
        expect(record.forward_agent).toBe(input.forwardAgent);
        expect(record.client_version).toBe(input.clientVersion);
        expect(record.via).toBe(input.via);
        expect(auditRecordSchema.safeParse(record).error).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('write a reject kind the list lacks as no reject and say it in the error, never dropping the record', () => {
    for (const [kind, error] of [['cosmic_ray', 'refused'], ['"\u001b]0;x\u0007', undefined], [7, 'odd']] as const) {
      const input = { id: 'x', time: 't', session: 's', pipeline: [['id']], privileged: true, decision: 'rejected', reject: kind, error } as unknown as RequestInput;
      const buf = Buffer.alloc(4096);
      const end = new RecordEncoder().request(buf, 0, 1, '0'.repeat(64), input, NOW);
      expect(end).toBeGreaterThan(0);
      const record = JSON.parse(buf.toString('utf8', 0, end));
      expect(record.reject).toBeUndefined();
      expect(record.error).toBe(`${error ?? 'rejected'} (unknown reject kind ${JSON.stringify(String(kind))})`);
      expect(auditRecordSchema.safeParse(record).error).toBeUndefined();
    }
  });

  it('keep the env names right through any sequence of requests (the last-list cache)', () => {
    const names = fc.constantFrom('PATH', 'LANG', 'HOME', 'TERM', 'A', 'a', 'Z_\u0001', '"q"', 'é');
    const env = fc.uniqueArray(names, { maxLength: 5 }).map((keys) => Object.fromEntries(keys.map((k) => [k, 'secret-value'])));
    fc.assert(
      fc.property(fc.array(env, { minLength: 1, maxLength: 12 }), (envs) => {
        const encoder = new RecordEncoder();
        const buf = Buffer.alloc(64 * 1024);
        for (const e of envs) {
          const input: RequestInput = { id: 'x', time: 't', session: 's', pipeline: [['true']], env: e, privileged: false, decision: 'approved' };
          const line = buf.toString('utf8', 0, encoder.request(buf, 0, 1, '0'.repeat(64), input, NOW));
          expect(line).toBe(expectedLine(toRequestRecord(input), 1, '0'.repeat(64)).toString());
          expect(JSON.parse(line).env_keys).toEqual(Object.keys(e).sort());
          expect(line).not.toContain('secret-value');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leave odd shapes to the general path, which writes what JSON.stringify writes', () => {
    const odd: RequestInput[] = [
      { id: 'a', time: 't', session: 's', pipeline: new Set([['ls'], ['wc', '-l']]) as unknown as string[][], privileged: true, decision: 'approved' },
      { id: 'b', time: 't', session: 's', pipeline: [['ls']], privileged: true, decision: undefined as unknown as 'approved' },
      { id: 'c', time: 't', session: 's', pipeline: [['ls', , 'x'] as string[], 'ab' as unknown as string[]], privileged: true, decision: 'approved' },
      { id: 'd', time: 't', session: 's', pipeline: [], privileged: true, decision: 'approved' },
      { id: 'e', time: 't', session: 's', pipeline: [['ls', 7 as unknown as string]], resolved: [3 as unknown as string], privileged: true, decision: 'approved' },
    ];
    const encoder = new RecordEncoder();
    for (const input of odd) {
      const { line, fast } = writtenLine((buf, a) => encoder.request(buf, a, 9, 'f'.repeat(64), input, NOW), () => toRequestRecord(input), 9, 'f'.repeat(64), 0);
      expect(fast).toBe(false);
      expect(line.equals(expectedLine(toRequestRecord(input), 9, 'f'.repeat(64)))).toBe(true);
    }
    expect(JSON.parse(generalLine(toRequestRecord(odd[2]), 1, '0'.repeat(64), NOW)).pipeline).toEqual([['ls', '', 'x'], ['a', 'b']]); // holes become '', never null
  });
});

describe('response lines', () => {
  it('are exactly JSON.stringify of toResponseRecord(input) with seq and prev, for any input', () => {
    const encoder = new RecordEncoder();
    fc.assert(
      fc.property(responseInput, chain, (input, { seq, prev, at }) => {
        const { line } = writtenLine((buf, a) => encoder.response(buf, a, seq, prev, input, NOW), () => toResponseRecord(input, NOW), seq, prev, at);
        expect(line.toString()).toBe(expectedLine(toResponseRecord(input, NOW), seq, prev).toString());
        expect(line.equals(expectedLine(toResponseRecord(input, NOW), seq, prev))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('come from the encoder for every input of the shape a daemon sends', () => {
    const encoder = new RecordEncoder();
    fc.assert(
      fc.property(plainResponse, chain, (input, { seq, prev, at }) => {
        const { line, fast } = writtenLine((buf, a) => encoder.response(buf, a, seq, prev, input, NOW), () => toResponseRecord(input, NOW), seq, prev, at);
        expect(fast).toBe(true);
        expect(line.equals(expectedLine(toResponseRecord(input, NOW), seq, prev))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('write no null, Infinity or NaN where the schema wants a number or a string', () => {
    const buf = Buffer.alloc(4096);
    const input = { id: 'a', time: 12 as unknown as string, status: 'ok', stages: [{ exitCode: Number.POSITIVE_INFINITY, stderr: Number.NaN }, undefined as unknown as ResponseInput['stages'][number]], stdout: Number.POSITIVE_INFINITY, durationMs: Number.POSITIVE_INFINITY } as const;
    const response = JSON.parse(buf.toString('utf8', 0, new RecordEncoder().response(buf, 0, 1, '0'.repeat(64), input, NOW)));
    expect(response).toMatchObject({ time: '12', stages: [{ exit_code: 0, stderr_len: 0 }, { exit_code: 0, stderr_len: 0 }], stdout_len: 0, duration_ms: 0 });
    expect(auditRecordSchema.safeParse(response).success).toBe(true);
  });

  it('write an exit code or a length beyond ±(2^53 − 1), which readers reject, as ±(2^53 − 1)', () => {
    const huge = [2 ** 53, 2 ** 60, 1e21, Number.MAX_VALUE];
    const input: ResponseInput = {
      id: 'a',
      status: 'error',
      stages: [...huge.map((n) => ({ exitCode: n, stderr: n })), ...huge.map((n) => ({ exitCode: -n, stderr: -n }))],
      stdout: 2 ** 64,
      durationMs: 1,
    };
    const buf = Buffer.alloc(4096);
    const end = new RecordEncoder().response(buf, 0, 1, '0'.repeat(64), input, NOW);
    const line = buf.subarray(0, end);
    expect(line.equals(Buffer.from(generalLine(toResponseRecord(input, NOW), 1, '0'.repeat(64), NOW)))).toBe(true);
    const parsed = parseLine(line);
    expect(parsed.ok, parsed.ok ? '' : parsed.reason).toBe(true);
    const response = JSON.parse(line.toString());
    const max = Number.MAX_SAFE_INTEGER;
    expect(response.stages).toEqual([...huge.map(() => ({ exit_code: max, stderr_len: max, stderr_truncated: false })), ...huge.map(() => ({ exit_code: -max, stderr_len: 0, stderr_truncated: false }))]);
    expect(response.stdout_len).toBe(max);
  });

  it('write a decision readers do not know as "rejected", with the decision given in the error', () => {
    for (const decision of ['allowed', '', 7, undefined] as unknown[]) {
      const input = { id: 'x', time: 't', session: 's', pipeline: [['id']], privileged: true, decision, error: decision === '' ? 'refused by the daemon' : undefined } as unknown as RequestInput;
      const line = Buffer.from(generalLine(toRequestRecord(input), 1, '0'.repeat(64), NOW));
      const parsed = parseLine(line);
      expect(parsed.ok, parsed.ok ? '' : parsed.reason).toBe(true);
      const record = JSON.parse(line.toString());
      expect(record.decision).toBe('rejected');
      expect(record.error).toContain(`unknown decision ${JSON.stringify(String(decision))}`);
      if (decision === '') expect(record.error).toContain('refused by the daemon');
    }
  });

  it('give a response without a time of its own the writer\'s time, and keep one that has it', () => {
    const encoder = new RecordEncoder();
    const buf = Buffer.alloc(4096);
    const given = JSON.parse(buf.toString('utf8', 0, encoder.response(buf, 0, 1, '0'.repeat(64), { id: 'a', time: '2025-01-01T00:00:00.000Z', status: 'ok', stages: [], stdout: 0, durationMs: 1 }, NOW)));
    expect(given).toMatchObject({ time: '2025-01-01T00:00:00.000Z', logged: new Date(NOW).toISOString() });
    const end = encoder.response(buf, 0, 1, '0'.repeat(64), { id: 'a', status: 'ok', stages: [], stdout: 0, durationMs: 1 }, NOW);
    expect(JSON.parse(buf.toString('utf8', 0, end))).toMatchObject({ time: new Date(NOW).toISOString(), logged: new Date(NOW).toISOString() });
  });

  it('write the writer\'s time exactly as toISOString does, for any clock reading (general path outside 1970–9999)', () => {
    const clock = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.double({ min: -1e16, max: 1e16, noNaN: true }),
      fc.constantFrom(0, 86_399_999, 86_400_000, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, 0.5, NOW + 0.999),
    );
    fc.assert(
      fc.property(clock, (ms) => {
        const input = { id: 'a', time: 't', session: 's', pipeline: [['id']], privileged: false, decision: 'approved' } as RequestInput;
        const buf = Buffer.alloc(4096);
        let line: string;
        try {
          const end = new RecordEncoder().request(buf, 0, 1, '0'.repeat(64), input, ms);
          line = end < 0 ? generalLine(toRequestRecord(input), 1, '0'.repeat(64), ms) : buf.toString('utf8', 0, end);
        } catch {
          expect(Number.isNaN(new Date(ms).getTime())).toBe(true); // only a clock no Date can hold fails, and the writer counts a drop
          return;
        }
        expect(JSON.parse(line).logged).toBe(new Date(ms).toISOString());
      }),
    );
  });
});

describe('long records', () => {
  const input = (arg: string): RequestInput => ({ id: 'big', time: 't', session: 's', pipeline: [['echo', arg], ['wc', '-c']], privileged: true, decision: 'approved' });
  const prev = '0'.repeat(64);

  for (const [name, arg] of [
    ['a 1 MB plain argument', 'A'.repeat(1_000_000)],
    ['a 1 MB argument of control characters (6 bytes each once escaped)', '\u0001'.repeat(1_000_000)],
    ['a 1 MB argument of lone surrogates and quotes', '\ud800"'.repeat(500_000)],
    ['a 400 KB argument of 3-byte characters', '€'.repeat(400_000)],
  ] as const) {
    it(`${name}: the general path writes JSON.stringify of the record fitted under the cap`, () => {
      const { line, fast } = writtenLine((buf, a) => new RecordEncoder().request(buf, a, 5, prev, input(arg), NOW), () => toRequestRecord(input(arg)), 5, prev, 0);
      expect(fast).toBe(false);
      expect(line.equals(expectedLine(fitRecord(toRequestRecord(input(arg))), 5, prev))).toBe(true);
      expect(line.length + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
    });
  }

  it('a 10,000-character argument of control characters still fits the encoder, escaped', () => {
    const big = input('\u001f\u0000"\\'.repeat(2_500));
    const { line, fast } = writtenLine((buf, a) => new RecordEncoder().request(buf, a, 5, prev, big, NOW), () => toRequestRecord(big), 5, prev, 1);
    expect(fast).toBe(true);
    expect(line.equals(expectedLine(toRequestRecord(big), 5, prev))).toBe(true);
  });

  it('a pipeline of 200,000 stages and 100,000 env names: each list keeps its head and counts what it left out', () => {
    const stages = Array.from({ length: 200_000 }, (_, i) => [`cmd${i % 7}`]);
    const env = Array.from({ length: 100_000 }, (_, i) => `NAME_${String(i).padStart(6, '0')}=secret`);
    const line = generalLine(toRequestRecord({ id: 'many', time: 't', session: 's', pipeline: stages, env, privileged: false, decision: 'approved' }), 5, prev, NOW);
    expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const rec = auditRecordSchema.parse(JSON.parse(line));
    if (rec.type !== 'request') throw new Error('expected a request');
    expect(rec.truncated).toBe(true);
    const countOf = (marker: unknown, what: string) => Number(new RegExp(`^…\\[cut (\\d+) ${what}\\]$`).exec(String(marker))?.[1]);
    const lastStage = rec.pipeline.at(-1) as string[];
    expect(rec.pipeline.length - 1 + countOf(lastStage[0], 'stages')).toBe(stages.length);
    expect(rec.pipeline.slice(0, -1)).toEqual(stages.slice(0, rec.pipeline.length - 1));
    expect(rec.env_keys.length - 1 + countOf(rec.env_keys.at(-1), 'names')).toBe(env.length);
    expect(line).not.toContain('secret');
  });

  it('the general path cuts a writer record the same way', () => {
    const record = { v: 1, type: 'writer', time: 't', event: 'dropped', pid: 1, dropped: 1, error: 'x'.repeat(2_000_000) } as const;
    const line = generalLine(record, 3, prev, NOW);
    expect(JSON.parse(line)).toMatchObject({ seq: 3, prev, event: 'dropped', truncated: true });
    expect(Buffer.byteLength(line) + 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
  });
});

describe('lines on disk', () => {
  it('every line the writer writes for hostile input is canonical: JSON.stringify(JSON.parse(line)) === line', () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    const ops = fc.oneof(
      fc.oneof(requestInput, plainRequest).map((input) => ({ request: input })),
      fc.oneof(responseInput, plainResponse).map((input) => ({ response: input })),
    );
    const inputs = fc.sample(ops, { numRuns: 400, seed: 7 });
    for (const op of inputs) {
      if ('request' in op) log.request(op.request);
      else log.response(op.response);
    }
    log.close();
    expect(log.stats()).toEqual({ written: inputs.length + 2, dropped: 0, droppedTotal: 0 });
    const lines = readLines(file);
    expect(lines).toHaveLength(inputs.length + 2);
    for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('\n\n');
  });

  it('every line the writer writes, for any input at all, is a record the readers accept', () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    const beyondSafe = fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 63, 1e21, -1e300, Number.MAX_VALUE);
    const ops = fc.oneof(
      fc.oneof(requestInput, plainRequest).map((input) => ({ request: input })),
      fc.oneof(responseInput, plainResponse).map((input) => ({ response: input })),
      fc.record({ exitCode: beyondSafe, stderr: beyondSafe }).map((stage) => ({ response: { id: 'x', status: 'ok', stages: [stage], stdout: 2 ** 64, durationMs: 1 } as ResponseInput })),
    );
    const inputs = fc.sample(ops, { numRuns: 600, seed: 11 });
    for (const op of inputs) {
      if ('request' in op) log.request(op.request);
      else log.response(op.response);
    }
    log.close();
    const lines = fs.readFileSync(file).toString('latin1').split('\n').slice(0, -1).map((l) => Buffer.from(l, 'latin1'));
    expect(lines).toHaveLength(inputs.length + 2);
    for (const line of lines) {
      const parsed = parseLine(line);
      expect(parsed.ok, parsed.ok ? '' : `${parsed.reason}: ${line.toString().slice(0, 300)}`).toBe(true);
    }
  });
});
