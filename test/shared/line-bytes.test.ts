/**
 * What is wrong with a line before it is JSON (line-bytes.ts): fixed cases at each edge, for a
 * line given as text and as bytes, since readers hand over both.
 */
import { describe, expect, it } from 'vitest';
import { isAllNul, isBlankLine, nulReason, overCapReason, REASON_OVER_CAP } from '../../src/shared/line-bytes.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('isBlankLine', () => {
  it('is true for nothing, or only spaces, tabs and carriage returns, as text or bytes', () => {
    for (const line of ['', ' ', '\t', '\r', ' \t\r ']) {
      expect(isBlankLine(line), JSON.stringify(line)).toBe(true);
      expect(isBlankLine(Buffer.from(line)), JSON.stringify(line)).toBe(true);
    }
  });

  it('is false once any other character is there, a Unicode space or a form feed included', () => {
    for (const line of [' x', '\u00a0', '\ufeff', '\f', '\u000b', '\u0000', ' \t\r{']) {
      expect(isBlankLine(line), JSON.stringify(line)).toBe(false);
      expect(isBlankLine(Buffer.from(line)), JSON.stringify(line)).toBe(false);
    }
  });
});

describe('nulReason', () => {
  it('is undefined for a line without NUL, as text or bytes', () => {
    expect(nulReason('{"a":1}')).toBeUndefined();
    expect(nulReason(Buffer.from('{"a":1}'))).toBeUndefined();
    expect(nulReason('')).toBeUndefined();
  });

  it('names a NUL among other bytes, as text or bytes', () => {
    expect(nulReason('{"a":\u00001}')).toBe('contains NUL bytes');
    expect(nulReason(bytes(0x7b, 0x00, 0x7d))).toBe('contains NUL bytes');
    expect(nulReason(bytes(0x00, 0x00, 0x41))).toBe('contains NUL bytes');
  });

  it('names a line of NUL bytes alone as padding, with its length', () => {
    expect(nulReason('\u0000')).toBe('NUL padding: 1 byte');
    expect(nulReason(bytes(0))).toBe('NUL padding: 1 byte');
    expect(nulReason(new Uint8Array(4096))).toBe('NUL padding: 4096 bytes');
  });
});

describe('isAllNul', () => {
  it('is true for only NUL bytes in the range, and for an empty range', () => {
    expect(isAllNul(bytes(0, 0, 0))).toBe(true);
    expect(isAllNul(bytes())).toBe(true);
    expect(isAllNul(bytes(1, 0, 0, 1), 1, 3)).toBe(true); // the bytes at the ends are outside
    expect(isAllNul(bytes(1, 1), 1, 1)).toBe(true);
  });

  it('is false for any other byte in the range, at its start, middle or end', () => {
    expect(isAllNul(bytes(1, 0, 0))).toBe(false);
    expect(isAllNul(bytes(0, 0xff, 0))).toBe(false);
    expect(isAllNul(bytes(0, 0, 0x20))).toBe(false);
    expect(isAllNul(bytes(0, 1, 0, 0), 1, 3)).toBe(false);
    expect(isAllNul(bytes(0, 0, 1, 0), 0, 3)).toBe(false);
  });
});

describe('overCapReason', () => {
  it('names a line over the cap as padding when it held only NUL bytes, with its length, else over the cap', () => {
    expect(overCapReason(true, 2_000_000)).toBe('NUL padding: 2000000 bytes');
    expect(overCapReason(false, 2_000_000)).toBe(REASON_OVER_CAP);
    expect(REASON_OVER_CAP).toBe('over the 1 MiB line cap');
  });
});
