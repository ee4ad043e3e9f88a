/**
 * A seal record through parseLine: accepted exactly as the zod schema accepts it, each field's
 * rule checked by a fixed case (the fast path, validateRecord, is hand-written: a dropped check
 * would let a malformed seal through as a record).
 */
import { describe, expect, it } from 'vitest';
import { parseLine, validateRecord } from '../../src/shared/parse-line.js';
import { sealRecordSchema } from '../../src/shared/schema.js';

const seal = {
  v: 1,
  type: 'seal',
  seq: 42,
  prev: 'a'.repeat(64),
  logged: '2026-11-27T10:14:02.118Z',
  time: '2026-11-27T10:14:02.118Z',
  epoch: 3,
  key_id: '0123456789abcdef',
  mac: 'b'.repeat(64),
};

const line = (o: object) => Buffer.from(JSON.stringify(o));

describe('a seal record', () => {
  it('as the writer writes it: a record', () => {
    const parsed = parseLine(line(seal));
    expect(parsed).toEqual({ ok: true, record: seal });
    expect(validateRecord({ ...seal, epoch: 0 })).not.toBeNull();
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['seq missing', { seq: undefined }],
    ['seq 0', { seq: 0 }],
    ['seq not an integer', { seq: 1.5 }],
    ['prev missing', { prev: undefined }],
    ['prev not hex', { prev: 'g'.repeat(64) }],
    ['logged missing', { logged: undefined }],
    ['logged a number', { logged: 5 }],
    ['time missing', { time: undefined }],
    ['epoch negative', { epoch: -1 }],
    ['epoch not an integer', { epoch: 0.5 }],
    ['epoch a string', { epoch: '3' }],
    ['key_id of 15 digits', { key_id: '0123456789abcde' }],
    ['key_id of 17 digits', { key_id: '0123456789abcdef0' }],
    ['key_id with a prefix', { key_id: 'x0123456789abcdef' }],
    ['key_id with a suffix', { key_id: '0123456789abcdefx' }],
    ['key_id in capitals', { key_id: '0123456789ABCDEF' }],
    ['key_id not hex', { key_id: 'ghijklmnopqrstuv' }],
    ['key_id of one digit', { key_id: 'a' }],
    ['key_id a number', { key_id: 1234567890123456 }],
    ['mac missing', { mac: undefined }],
    ['mac too short', { mac: 'b'.repeat(63) }],
  ];
  for (const [name, change] of bad) {
    it(`${name}: not a record, as the schema says`, () => {
      const value = { ...seal, ...change };
      expect(sealRecordSchema.safeParse(value).success).toBe(false);
      expect(validateRecord(JSON.parse(JSON.stringify(value)))).toBeNull();
      const parsed = parseLine(line(value));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/^schema: /);
    });
  }
});

describe('a line starting with a byte order mark', () => {
  it('is not JSON (the mark is kept, not skipped)', () => {
    expect(parseLine(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), line(seal)]))).toEqual({ ok: false, reason: 'not JSON' });
  });
});
