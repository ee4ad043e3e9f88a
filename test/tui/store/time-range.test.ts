import '../tz.js';
import { describe, expect, it } from 'vitest';
import { parseTimePoint, parseTimeRange } from '../../../src/tui/store/time-range.js';

const NOW = Date.UTC(2026, 10, 26, 15, 30, 0);

describe('time ranges for the t prompt', () => {
  it('reads a single point as "since"', () => {
    expect(parseTimeRange('2h', NOW)).toEqual({ label: '2h', sinceMs: NOW - 7_200_000 });
  });

  it('reads A..B, A.. and ..B', () => {
    expect(parseTimeRange('30m..10m', NOW)).toEqual({ label: '30m..10m', sinceMs: NOW - 1_800_000, untilMs: NOW - 600_000 });
    expect(parseTimeRange('2026-11-01..', NOW)).toEqual({ label: '2026-11-01..', sinceMs: Date.UTC(2026, 10, 1) });
    expect(parseTimeRange('..10m', NOW)).toEqual({ label: '..10m', untilMs: NOW - 600_000 });
  });

  it('reads a clock time as today, local', () => {
    expect(parseTimePoint('08:00', NOW)).toBe(Date.UTC(2026, 10, 26, 8, 0, 0));
    expect(parseTimeRange('08:00..09:30', NOW)).toMatchObject({ sinceMs: Date.UTC(2026, 10, 26, 8), untilMs: Date.UTC(2026, 10, 26, 9, 30) });
  });

  it('uses the shared time specs (ISO with a zone, today, durations)', () => {
    expect(parseTimePoint('2026-11-01T08:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 1, 8));
    expect(parseTimePoint('today', NOW)).toBe(Date.UTC(2026, 10, 26));
    expect(parseTimePoint('1h30m', NOW)).toBe(NOW - 5_400_000);
  });

  it('explains what is wrong', () => {
    expect(parseTimeRange('', NOW)).toEqual({ error: 'empty time range' });
    expect(parseTimeRange('..', NOW)).toEqual({ error: 'empty time range' });
    expect(parseTimeRange('1h..2h', NOW)).toEqual({ error: 'the range ends before it starts: 1h..2h' });
    expect(parseTimeRange('a..b..c', NOW)).toEqual({ error: "one '..' at most: a..b..c" });
    expect(parseTimeRange('25:00', NOW)).toEqual({ error: "'25:00' is not a clock time" });
    expect((parseTimeRange('soon', NOW) as { error: string }).error).toMatch(/'soon' is not a time/);
  });
});
