/**
 * The one time grammar: every `--since`/`--until`/`--time` and the viewer's `t` prompt read
 * times here, so a time typed in one place means the same in the other. What journalctl
 * accepts that fits an audit log, plus the viewer's `A..B` ranges. Times without a zone are
 * local (the TZ the reader runs in). Pure: the clock is a parameter.
 */

/** The forms on one line, for an error message. */
export const TIME_FORMS_HINT =
  'use 2h, 30m, 1h30m, "2 hours ago", -2h, +30m, now, today, yesterday, 09:30, "yesterday 14:00", 2026-11-01, 2026-11-01T08:00, 2026-11-01T08:00:00Z or @EPOCH';

export class TimeSpecError extends Error {
  constructor(spec: string, why = '') {
    super(`'${spec}' is not a time${why ? ` (${why})` : ''}: ${TIME_FORMS_HINT}`);
    this.name = 'TimeSpecError';
  }
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Unit words as journalctl/systemd spell them → the one-letter unit. */
const UNIT_WORDS: Record<string, string> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
};
const DURATION_PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/** A duration such as `30s`, `15m`, `1h30m`, `7d`, `2 hours`, `1h 30min` (and `250ms`), in ms; null when it is not one. */
export function parseDurationMs(spec: string): number | null {
  const s = spec.trim().toLowerCase();
  const ms = /^(\d+)ms$/.exec(s);
  if (ms) return Number(ms[1]);
  if (s === '') return null;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(s);
    if (!m) return null;
    const unit = UNIT_WORDS[m[2]];
    if (unit === undefined) return null;
    total += Number(m[1]) * UNIT_MS[unit];
    at = DURATION_PART.lastIndex;
    while (s[at] === ' ') at++;
  }
  return total;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DAYS: Record<string, number> = { today: 0, yesterday: -1, tomorrow: 1 };

/** Local `y-m-d h:mi:s.ms`, refusing what rolls over (Feb 31, 25:00) or does not exist (a DST gap). */
function localTime(spec: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (s > 59) throw new TimeSpecError(spec, 'no such second');
  const t = new Date(y, mo, d, h, mi, s, ms);
  if (t.getFullYear() !== y || t.getMonth() !== mo || t.getDate() !== d) throw new TimeSpecError(spec, 'no such date');
  if (t.getHours() !== h || t.getMinutes() !== mi) {
    throw new TimeSpecError(spec, h > 23 || mi > 59 ? 'no such time' : 'that local time is skipped by a daylight saving change');
  }
  return t.getTime();
}

/** `day` days from the local date of `nowMs` (0 today, -1 yesterday), at a clock time. */
function onDay(spec: string, nowMs: number, day: number, h = 0, mi = 0, s = 0): number {
  const n = new Date(nowMs);
  // Date arithmetic on the calendar (not 24 h steps): right across a DST change.
  const d = new Date(n.getFullYear(), n.getMonth(), n.getDate() + day, 12);
  return localTime(spec, d.getFullYear(), d.getMonth(), d.getDate(), h, mi, s);
}

function clock(spec: string, text: string): [number, number, number] | null {
  const m = CLOCK.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) throw new TimeSpecError(spec, 'no such clock time');
  return [h, mi, s];
}

/**
 * A point in time as typed on a command line or in the viewer, in ms since the epoch (the forms
 * of TIME_FORMS_HINT). An ambiguous local time (the hour repeated when DST ends) is the first
 * of the two. Throws TimeSpecError, whose message lists the accepted forms.
 */
export function parseTimeSpec(spec: string, nowMs: number): number {
  const s = spec.trim().toLowerCase().replace(/\s+/g, ' ');
  if (s === 'now') return nowMs;
  if (s in DAYS) return onDay(spec, nowMs, DAYS[s]);
  const dayAt = /^(today|yesterday|tomorrow) (.+)$/.exec(s);
  if (dayAt) {
    const c = clock(spec, dayAt[2]);
    if (!c) throw new TimeSpecError(spec);
    return onDay(spec, nowMs, DAYS[dayAt[1]], ...c);
  }
  const c = clock(spec, s);
  if (c) return onDay(spec, nowMs, 0, ...c);
  const epoch = /^@(\d+(?:\.\d+)?)$/.exec(s);
  if (epoch) return Math.round(Number(epoch[1]) * 1000);
  const signed = /^([+-])\s*(.+)$/.exec(s);
  if (signed) {
    const d = parseDurationMs(signed[2]);
    if (d === null) throw new TimeSpecError(spec);
    return signed[1] === '+' ? nowMs + d : nowMs - d;
  }
  const ago = parseDurationMs(s.replace(/ ?ago$/, ''));
  if (ago !== null) return nowMs - ago;
  const m = ISO.exec(spec.trim());
  if (!m) throw new TimeSpecError(spec);
  const [y, mo, d] = [+m[1], +m[2] - 1, +m[3]];
  const [h, mi, sec] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  const ms = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000);
  const zone = m[8];
  if (zone === undefined) return localTime(spec, y, mo, d, h, mi, sec, ms);
  if (sec > 59) throw new TimeSpecError(spec, 'no such second');
  const t = Date.UTC(y, mo, d, h, mi, sec, ms);
  const check = new Date(t);
  if (check.getUTCMonth() !== mo || check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi) {
    throw new TimeSpecError(spec, 'no such date or time');
  }
  if (zone.toUpperCase() === 'Z') return t;
  const digits = zone.slice(1).replace(':', '');
  const offset = (+digits.slice(0, 2) * 60 + +(digits.slice(2) || 0)) * 60_000;
  return zone[0] === '+' ? t - offset : t + offset;
}

export interface TimeRange {
  sinceMs?: number;
  untilMs?: number;
  /** As typed, for a header. */
  label: string;
}

/**
 * `A` (since A), `A..B`, `A..` or `..B`, each side a time spec: `2h`, `08:00..09:30`,
 * `30m..10m`, `2026-11-01..2026-11-02`. An error message instead when it is not one.
 */
export function parseTimeRange(text: string, nowMs: number): TimeRange | { error: string } {
  const label = text.trim();
  if (label === '') return { error: `empty time range: ${RANGE_HINT}` };
  const sides = label.split('..');
  if (sides.length > 2) return { error: `one '..' at most: ${label}` };
  const [fromSpec, toSpec = ''] = sides.map((s) => s.trim());
  const range: TimeRange = { label };
  try {
    if (fromSpec !== '') range.sinceMs = parseTimeSpec(fromSpec, nowMs);
    if (toSpec !== '') range.untilMs = parseTimeSpec(toSpec, nowMs);
  } catch (e) {
    if (e instanceof TimeSpecError) return { error: e.message };
    throw e;
  }
  if (range.sinceMs === undefined && range.untilMs === undefined) return { error: `empty time range: ${RANGE_HINT}` };
  if (range.sinceMs !== undefined && range.untilMs !== undefined && range.untilMs <= range.sinceMs) {
    return { error: `the range ends before it starts: ${label}` };
  }
  return range;
}

const RANGE_HINT = 'A, A..B, A.. or ..B (2h, 08:00..09:30, 30m..10m, 2026-11-01..2026-11-02)';
