/**
 * The `t` prompt: a time range as an operator types it. `2h` (the last two hours), `2h..1h`,
 * `08:00..09:30` (today, local), `2026-11-01..2026-11-02`, `..10m` (until ten minutes ago).
 * Each side is a time spec as the CLI's --since/--until read it (shared parseTimeSpec), plus
 * a bare clock time meaning today, which is what one types while looking at today's log.
 */
import { parseTimeSpec } from '../../shared/query.js';

export interface TimeRange {
  sinceMs?: number;
  untilMs?: number;
  /** As typed, for the header. */
  label: string;
}

/** One point in time, ms since the epoch; throws with a hint when it is not one. */
export function parseTimePoint(spec: string, nowMs: number): number {
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(spec.trim());
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) throw new Error(`'${spec.trim()}' is not a clock time`);
    const d = new Date(nowMs);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate(), h, m, s).getTime();
  }
  return parseTimeSpec(spec, nowMs);
}

/** Parses `A`, `A..B`, `A..` or `..B`; an error message instead when it cannot. */
export function parseTimeRange(text: string, nowMs: number): TimeRange | { error: string } {
  const label = text.trim();
  if (label === '') return { error: 'empty time range' };
  const sides = label.split('..');
  if (sides.length > 2) return { error: `one '..' at most: ${label}` };
  const [fromSpec, toSpec = ''] = sides.map((s) => s.trim());
  const range: TimeRange = { label };
  try {
    if (fromSpec !== '') range.sinceMs = parseTimePoint(fromSpec, nowMs);
    if (toSpec !== '') range.untilMs = parseTimePoint(toSpec, nowMs);
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (range.sinceMs === undefined && range.untilMs === undefined) return { error: 'empty time range' };
  if (range.sinceMs !== undefined && range.untilMs !== undefined && range.untilMs <= range.sinceMs) {
    return { error: `the range ends before it starts: ${label}` };
  }
  return range;
}
