/**
 * The one time grammar (shared/time-spec.ts), table-driven with a fixed clock, in UTC and in
 * America/New_York (whose DST ends on 2026-11-01 at 02:00 and starts on 2026-03-08 at 02:00).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseDurationMs, parseTimeRange, parseTimeSpec, TimeSpecError } from '../../src/shared/time-spec.js';

const savedTz = process.env.TZ;
afterAll(() => {
  process.env.TZ = savedTz;
});

/** Thursday 2026-11-26 15:30 UTC; 10:30 in New York (EST, -05:00). */
const NOW = Date.parse('2026-11-26T15:30:00Z');
const at = (iso: string) => Date.parse(iso);

const EVERY_ZONE: Array<[string, number]> = [
  ['now', NOW],
  ['2h', NOW - 2 * 3_600_000],
  ['30m', NOW - 30 * 60_000],
  ['1h30m', NOW - 90 * 60_000],
  ['7d', NOW - 7 * 86_400_000],
  ['1w', NOW - 7 * 86_400_000],
  ['45s', NOW - 45_000],
  [' 2H ago ', NOW - 2 * 3_600_000],
  ['2 hours ago', NOW - 2 * 3_600_000],
  ['1 hour 30 min ago', NOW - 90 * 60_000],
  ['3 days ago', NOW - 3 * 86_400_000],
  ['-1h', NOW - 3_600_000],
  ['+30m', NOW + 30 * 60_000],
  ['+1 hour', NOW + 3_600_000],
  ['2026-11-01T08:00:00Z', at('2026-11-01T08:00:00Z')],
  ['2026-11-01T08:00:00.250Z', at('2026-11-01T08:00:00.250Z')],
  ['2026-11-01T10:00+02:00', at('2026-11-01T08:00:00Z')],
  ['2026-11-01T03:00-0500', at('2026-11-01T08:00:00Z')],
  ['2026-11-01 08:00 Z', at('2026-11-01T08:00:00Z')],
  ['@1793520000', 1_793_520_000_000],
];

const ZONES: Record<string, Array<[string, number]>> = {
  UTC: [
    ['today', at('2026-11-26T00:00:00Z')],
    ['yesterday', at('2026-11-25T00:00:00Z')],
    ['tomorrow', at('2026-11-27T00:00:00Z')],
    ['09:30', at('2026-11-26T09:30:00Z')],
    ['9:30:15', at('2026-11-26T09:30:15Z')],
    ['yesterday 14:00', at('2026-11-25T14:00:00Z')],
    ['Today 08:00', at('2026-11-26T08:00:00Z')],
    ['2026-11-01', at('2026-11-01T00:00:00Z')],
    ['2026-11-01T08:00', at('2026-11-01T08:00:00Z')],
    ['2026-11-01 08:00:30', at('2026-11-01T08:00:30Z')],
  ],
  'America/New_York': [
    ['today', at('2026-11-26T05:00:00Z')],
    ['yesterday', at('2026-11-25T05:00:00Z')],
    ['09:30', at('2026-11-26T14:30:00Z')],
    ['yesterday 14:00', at('2026-11-25T19:00:00Z')],
    // Before and after the DST change of that day: -04:00 at midnight, -05:00 at 08:00.
    ['2026-11-01', at('2026-11-01T04:00:00Z')],
    ['2026-11-01T08:00', at('2026-11-01T13:00:00Z')],
    // 01:30 happens twice that night: the first (still EDT).
    ['2026-11-01 01:30', at('2026-11-01T05:30:00Z')],
    ['2026-03-08 03:30', at('2026-03-08T07:30:00Z')],
  ],
};

describe.each(Object.keys(ZONES))('parseTimeSpec in TZ=%s', (zone) => {
  it.each([...EVERY_ZONE, ...ZONES[zone]])('%j', (spec, expected) => {
    process.env.TZ = zone;
    expect(new Date(parseTimeSpec(spec, NOW)).toISOString()).toBe(new Date(expected).toISOString());
  });
});

describe('days across a DST change (America/New_York)', () => {
  it('yesterday is the calendar day before, 25 or 23 hours back', () => {
    process.env.TZ = 'America/New_York';
    const afterFallBack = at('2026-11-02T17:00:00Z'); // 12:00 EST
    expect(new Date(parseTimeSpec('yesterday', afterFallBack)).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(new Date(parseTimeSpec('today', afterFallBack)).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    const afterSpringForward = at('2026-03-09T16:00:00Z'); // 12:00 EDT
    expect(new Date(parseTimeSpec('yesterday 12:00', afterSpringForward)).toISOString()).toBe('2026-03-08T16:00:00.000Z');
    expect(new Date(parseTimeSpec('yesterday', afterSpringForward)).toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it('refuses a local time the change skips', () => {
    process.env.TZ = 'America/New_York';
    expect(() => parseTimeSpec('2026-03-08 02:30', NOW)).toThrow(/skipped by a daylight saving change/);
    expect(() => parseTimeSpec('2026-03-08T02:30Z', NOW)).not.toThrow();
  });
});

describe('what is not a time', () => {
  const BAD = ['', '2', 'h2', '2x', 'soon', 'ago', '+', '-soon', '2026-02-31', '2026-13-01', '2026-11-01T25:00', '2026-11-01T08:00:61Z',
    '2026-11-01T08:00:61', '25:00', '12:60', 'yesterday 25:00', 'yesterday soon', 'today 9', '@', '2 fortnights ago', '1h30'];
  it.each(BAD)('%j is refused, with the accepted forms', (spec) => {
    process.env.TZ = 'UTC';
    expect(() => parseTimeSpec(spec, NOW)).toThrow(TimeSpecError);
    expect(() => parseTimeSpec(spec, NOW)).toThrow(/2 hours ago.*-2h.*\+30m.*09:30.*yesterday 14:00.*2026-11-01T08:00:00Z/);
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1h30m', 5_400_000],
    ['2 hours', 7_200_000],
    ['1.5h', 5_400_000],
    ['', null],
    ['10', null],
    ['10 parsecs', null],
  ])('%j → %j', (spec, ms) => expect(parseDurationMs(spec)).toBe(ms));
});

describe.each(['UTC', 'America/New_York'])('parseTimeRange in TZ=%s (the viewer t prompt and --time)', (zone) => {
  const local = (h: number, m = 0) => {
    process.env.TZ = zone;
    return new Date(2026, 10, 26, h, m).getTime();
  };
  it.each([
    ['2h', () => ({ label: '2h', sinceMs: NOW - 7_200_000 })],
    ['30m..10m', () => ({ label: '30m..10m', sinceMs: NOW - 1_800_000, untilMs: NOW - 600_000 })],
    ['..10m', () => ({ label: '..10m', untilMs: NOW - 600_000 })],
    ['-1h..+30m', () => ({ label: '-1h..+30m', sinceMs: NOW - 3_600_000, untilMs: NOW + 1_800_000 })],
    ['08:00..09:30', () => ({ label: '08:00..09:30', sinceMs: local(8), untilMs: local(9, 30) })],
    ['2026-11-01..2026-11-02', () => ({ label: '2026-11-01..2026-11-02', sinceMs: new Date(2026, 10, 1).getTime(), untilMs: new Date(2026, 10, 2).getTime() })],
    ['yesterday 14:00..today', () => ({ label: 'yesterday 14:00..today', sinceMs: new Date(2026, 10, 25, 14).getTime(), untilMs: new Date(2026, 10, 26).getTime() })],
  ])('%j', (text, expected) => {
    process.env.TZ = zone;
    const want = expected();
    expect(parseTimeRange(text, NOW)).toEqual(want);
  });

  it('explains what is wrong', () => {
    process.env.TZ = zone;
    expect(parseTimeRange('', NOW)).toEqual({ error: expect.stringMatching(/^empty time range: A, A\.\.B/) });
    expect(parseTimeRange('..', NOW)).toEqual({ error: expect.stringMatching(/^empty time range/) });
    expect(parseTimeRange('1h..2h', NOW)).toEqual({ error: 'the range ends before it starts: 1h..2h' });
    expect(parseTimeRange('a..b..c', NOW)).toEqual({ error: "one '..' at most: a..b..c" });
    expect((parseTimeRange('25:00', NOW) as { error: string }).error).toMatch(/^'25:00' is not a time \(no such clock time\): use 2h/);
    expect((parseTimeRange('soon', NOW) as { error: string }).error).toMatch(/'soon' is not a time/);
  });
});
