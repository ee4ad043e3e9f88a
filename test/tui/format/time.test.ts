import '../tz.js';
import { describe, expect, it } from 'vitest';
import { formatFullTime, formatTime, timeStyleFor, zoneNote } from '../../../src/tui/format/time.js';

const NOW = Date.UTC(2026, 10, 26, 15, 30, 0);

describe('local times', () => {
  it('name their zone for the header: UTC, or the offset now', () => {
    expect(zoneNote(NOW)).toBe('UTC');
    try {
      process.env.TZ = 'America/New_York';
      expect(zoneNote(NOW)).toBe('times UTC-05:00');
      expect(zoneNote(Date.UTC(2026, 6, 1))).toBe('times UTC-04:00');
      process.env.TZ = 'Asia/Kolkata';
      expect(zoneNote(NOW)).toBe('times UTC+05:30');
    } finally {
      process.env.TZ = 'UTC';
    }
  });

  it('shows only the clock for today, the date otherwise, the year when it differs', () => {
    expect(timeStyleFor(Date.UTC(2026, 10, 26, 0, 0, 1), NOW)).toBe('time');
    expect(timeStyleFor(Date.UTC(2026, 10, 25, 23, 59), NOW)).toBe('date');
    expect(timeStyleFor(Date.UTC(2025, 11, 31), NOW)).toBe('year');
    expect(timeStyleFor(Number.NaN, NOW)).toBe('date');
  });

  it('formats each style, dropping the date for today even in a dated column', () => {
    const earlier = Date.UTC(2026, 10, 1, 8, 0, 3);
    expect(formatTime(Date.UTC(2026, 10, 26, 8, 0, 3), 'time', NOW)).toBe('08:00:03');
    expect(formatTime(earlier, 'date', NOW)).toBe('11-01 08:00:03');
    expect(formatTime(Date.UTC(2025, 10, 1, 8, 0, 3), 'year', NOW)).toBe('2025-11-01 08:00');
    expect(formatTime(Date.UTC(2026, 10, 26, 8, 0, 3), 'date', NOW)).toBe('08:00:03');
  });

  it('gives the full time with milliseconds and the zone offset', () => {
    expect(formatFullTime(Date.UTC(2026, 10, 26, 8, 0, 3, 120))).toBe('2026-11-26 08:00:03.120 +00:00');
  });
});
