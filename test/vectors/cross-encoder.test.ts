/**
 * Beyond the fixed golden vectors: random hostile records (any Unicode, controls, bidi, astral
 * characters, odd numbers, empty and missing fields, now and then an argv over the 1 MiB line
 * cap; the format additions of issue #15: who decided, reject kinds known and unknown, policy
 * records) encoded by both writers must give the same bytes. The Rust side is the crate's
 * `encode_lines` example (rust/examples/encode_lines.rs), fed the same inputs on stdin.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cargo, runCargo, RUST_DIR } from '../rust/rust-helpers.js';
import { lineOf } from './generate.js';
import { ESCALATIONS, POLICY_BY, REJECT_KINDS } from '../../src/shared/format-constants.js';
import type { RawPolicy, RawRecord, RawRequest, RawResponse, RawWriter } from './vector-input.js';

const ENCODER = path.join(RUST_DIR, 'target/debug/examples/encode_lines');

const hostile = fc.constantFrom('\u001b[2J', '\u009b31m', '\u202e', '\u2028', '\u2029', '\u{1F600}', '\u0000', '\u007f', '"', '\\', '/', '\uFFFD', '\u00e9', '\r\n', '…[cut 3 chars]');
const text = fc.oneof(
  // No lone surrogate: a Rust string cannot hold one.
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/\p{Cs}/u.test(s)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(hostile, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join('')) },
);
/** Now and then a string far over the line cap, of one repeated (possibly astral) character. */
const big = fc.tuple(fc.constantFrom('A', '\u00e9', '\u{1F600}', '\u001b', '"'), fc.integer({ min: 200_000, max: 700_000 })).map(([c, n]) => c.repeat(n));
const arg = fc.oneof({ weight: 30, arbitrary: text }, { weight: 1, arbitrary: big });
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 1000),
  fc.constantFrom(0, -0, 1e21, 1e-7, 1e-6, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 5e-324, 0.1 + 0.2),
);
const time = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => n * 1000 + (n % 1000)), fc.constantFrom(-1, 0, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_000, 8.64e15, -8.64e15));

/** The writer's operator: a uid as the OS has one (32 bits), any strings. */
const operator = fc.record({ uid: fc.nat({ max: 2 ** 32 - 1 }), user: text, tty: fc.option(text), hostname: text });
/** A known value, or now and then anything. */
const oneOf = (known: readonly string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: text });

const request: fc.Arbitrary<RawRequest> = fc.record(
  {
    id: text,
    time: text,
    host: text,
    session: text,
    pipeline: fc.array(fc.array(arg, { maxLength: 5 }), { maxLength: 4 }),
    resolved: fc.array(fc.option(text), { maxLength: 5 }),
    env: fc.array(text, { maxLength: 6 }),
    reason: text,
    privileged: fc.boolean(),
    decision: fc.constantFrom('approved', 'denied', 'timeout', 'rejected'),
    via: fc.constantFrom('operator', 'policy', 'pkexec'),
    latency_ms: fc.option(number),
    error: text,
    reject: oneOf(REJECT_KINDS),
    always: fc.boolean(),
    escalation: oneOf(ESCALATIONS),
    forward_agent: fc.boolean(),
    client_version: text,
    operator,
  },
  { requiredKeys: ['id', 'time', 'session', 'pipeline', 'privileged', 'decision'] },
) as fc.Arbitrary<RawRequest>;

const response: fc.Arbitrary<RawResponse> = fc.record(
  {
    id: text,
    time: text,
    ok: fc.boolean(),
    error: fc.option(text),
    stages: fc.array(fc.record({ exit_code: number, stderr_len: number, stderr_truncated: fc.boolean() }), { maxLength: 4 }),
    stdout_len: number,
    stdout_truncated: fc.boolean(),
    duration_ms: number,
  },
  { requiredKeys: ['id', 'ok', 'stages', 'stdout_len', 'stdout_truncated', 'duration_ms'] },
);

const writer: fc.Arbitrary<RawWriter> = fc
  .record(
    { time_ms: time, event: fc.constantFrom('start', 'stop', 'dropped'), pid: fc.integer({ min: 1, max: 4_194_304 }), dropped: fc.nat(), error: text, operator },
    { requiredKeys: ['time_ms', 'event', 'pid'] },
  )
  // Who decided is on `start` only: the writers write it nowhere else.
  .map(({ operator: o, ...w }) => (w.event === 'start' && o !== undefined ? { ...w, operator: o } : w));

const policyValue = fc.oneof(fc.boolean(), number, text, fc.constant(null));
const policy: fc.Arbitrary<RawPolicy> = fc.record(
  { setting: text, old: policyValue, new: policyValue, request_id: fc.option(text), by: oneOf(POLICY_BY), operator },
  { requiredKeys: ['setting', 'old', 'new', 'by'] },
);

const record: fc.Arbitrary<RawRecord> = fc.oneof(
  { weight: 5, arbitrary: request.map((r) => ({ request: r })) },
  { weight: 3, arbitrary: response.map((r) => ({ response: r })) },
  { weight: 1, arbitrary: writer.map((w) => ({ writer: w })) },
  { weight: 2, arbitrary: policy.map((p) => ({ policy: p })) },
);

const input = fc.record({ seq: fc.integer({ min: 1, max: 2 ** 31 }), prev: fc.stringMatching(/^[0-9a-f]{64}$/), logged_ms: time, record });

describe.skipIf(!cargo.found)('the Rust and TypeScript encoders', () => {
  beforeAll(async () => {
    await runCargo(['build', '--offline', '--quiet', '--example', 'encode_lines']);
  }, 300_000);

  it('write the same bytes for random hostile records', () => {
    // The inputs cross to Rust as JSON: both sides read what JSON carries (NaN → null, -0 → 0).
    const inputs = fc.sample(input, { numRuns: 300, seed: 20_260_115 }).map((v) => JSON.parse(JSON.stringify(v)) as typeof v);
    const out = execFileSync(ENCODER, { input: inputs.map((v) => JSON.stringify(v)).join('\n'), encoding: 'utf8', maxBuffer: 1 << 30 });
    const rust = out.split('\n').slice(0, -1);
    expect(rust).toHaveLength(inputs.length);
    const differ = inputs.flatMap((v, i) => {
      const ts = lineOf(v.record, v.seq, v.prev, v.logged_ms);
      return ts === rust[i] ? [] : [{ input: JSON.stringify(v).slice(0, 600), ts: ts.slice(0, 600), rust: rust[i].slice(0, 600) }];
    });
    expect(differ.slice(0, 3)).toEqual([]);
    expect(inputs.filter((v) => v.record.request && lineOf(v.record, v.seq, v.prev, v.logged_ms).includes('"truncated":true')).length).toBeGreaterThan(0);
  }, 120_000);
});
