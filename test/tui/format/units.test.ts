import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatByteCount, formatBytes, formatCount, formatDuration, groupDigits } from '../../../src/tui/format/units.js';

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [Number.NaN, '-'],
    [0, '0ms'],
    [850, '850ms'],
    [4_250, '4.2s'],
    [25_300, '25s'],
    [65_000, '1m05s'],
    [3_720_000, '1h02m'],
    [273_600_000, '3d04h'],
  ])('%s → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [null, false, '-'],
    [0, false, '0'],
    [900, false, '900B'],
    [40_960, false, '40.0K'],
    [1_048_576, true, '1.0M+'],
    [300 * 1_048_576, false, '300M'],
  ])('%s (truncated %s) → %s', (bytes, truncated, text) => {
    expect(formatBytes(bytes, truncated)).toBe(text);
  });

  it('gives exact counts for the detail pane', () => {
    expect(formatByteCount(1_048_576)).toBe('1,048,576 B');
  });
});

describe('formatCount', () => {
  it('stays exact below 10 000 and compacts above when asked', () => {
    expect(formatCount(9_999, true)).toBe('9999');
    expect(formatCount(12_345, true)).toBe('12.3k');
    expect(formatCount(812_345, true)).toBe('812k');
    expect(formatCount(1_234_567, true)).toBe('1.2M');
    expect(formatCount(1_234_567, false)).toBe('1234567');
  });
});

describe('groupDigits', () => {
  it('writes an integer as en-US does (1,234,567), without loading ICU number formatting', () => {
    for (const n of [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1, -1_234, Number.MAX_SAFE_INTEGER]) {
      expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => groupDigits(n) === n.toLocaleString('en-US')));
    for (const n of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) expect(groupDigits(n)).toBe(n.toLocaleString('en-US'));
  });
});
