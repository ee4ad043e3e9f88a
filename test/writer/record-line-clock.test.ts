/**
 * The writer's time in the encoder's lines: every clock reading a writer can meet is written by
 * the encoder itself (not left to the general path), exactly as toISOString writes it, one
 * record after another across days (the encoder remakes the date part once a day).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestInput } from '../../src/writer/record-input.js';
import { generalLine, RecordEncoder, toRequestRecord } from '../../src/writer/record-line.js';

const NOW = 1_764_200_000_123;

describe('the encoder takes every ordinary clock reading itself', () => {
  it('from 1970 to the last millisecond of year 9999, and leaves the rest to the general path', () => {
    const input: RequestInput = { id: 'a', time: 't', session: 's', pipeline: [['id']], privileged: false, decision: 'approved' };
    const encode = (ms: number) => new RecordEncoder().request(Buffer.alloc(4096), 0, 1, '0'.repeat(64), input, ms);
    const response = (ms: number) => new RecordEncoder().response(Buffer.alloc(4096), 0, 1, '0'.repeat(64), { id: 'a', status: 'ok', stages: [], stdout: 0, durationMs: 1 }, ms);
    for (const ms of [0, 0.5, NOW, 253_402_300_799_999]) {
      expect(encode(ms), String(ms)).toBeGreaterThan(0);
      expect(response(ms), String(ms)).toBeGreaterThan(0);
    }
    for (const ms of [-1, -0.5, 253_402_300_800_000, Number.NaN]) {
      expect(encode(ms), String(ms)).toBe(-1);
      expect(response(ms), String(ms)).toBe(-1);
    }
  });

  it('one record after another, across days, months and years, each as toISOString writes it (the day cache)', () => {
    const DAY = 86_400_000;
    const clock = fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: NOW - 3 * DAY, max: NOW + 3 * DAY }), fc.constantFrom(NOW - 1, NOW, NOW + DAY, NOW - DAY, 0, DAY - 1, DAY));
    const encoder = new RecordEncoder();
    const input: RequestInput = { id: 'a', time: 't', session: 's', pipeline: [['id']], privileged: false, decision: 'approved' };
    fc.assert(
      fc.property(fc.array(clock, { minLength: 1, maxLength: 6 }), (times) => {
        for (const ms of times) {
          const buf = Buffer.alloc(4096);
          const end = encoder.request(buf, 0, 1, '0'.repeat(64), input, ms);
          expect(buf.toString('utf8', 0, end)).toBe(generalLine(toRequestRecord(input), 1, '0'.repeat(64), ms));
        }
      }),
      { numRuns: 300 },
    );
  });
});
