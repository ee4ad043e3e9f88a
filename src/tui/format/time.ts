/**
 * Times in the operator's local zone: just the clock for today, with the date otherwise, so a
 * glance at an incident a week ago is not mistaken for this morning. Pure given `nowMs`.
 */

/** How much of a timestamp a column shows; chosen once per view so the column does not jump. */
export type TimeStyle = 'time' | 'date' | 'year';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function sameLocalDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** The style that fits every entry from `oldestMs` to now. */
export function timeStyleFor(oldestMs: number, nowMs: number): TimeStyle {
  if (!Number.isFinite(oldestMs)) return 'date';
  const oldest = new Date(oldestMs);
  const now = new Date(nowMs);
  if (sameLocalDay(oldest, now)) return 'time';
  return oldest.getFullYear() === now.getFullYear() ? 'date' : 'year';
}

export const TIME_STYLE_WIDTH: Record<TimeStyle, number> = { time: 8, date: 14, year: 16 };

/** 08:00:03 · 11-01 08:00:03 · 2025-11-01 08:00. A time today always drops the date. */
export function formatTime(ms: number, style: TimeStyle, nowMs: number): string {
  const d = new Date(ms);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (style === 'time' || sameLocalDay(d, new Date(nowMs))) return `${clock}:${pad(d.getSeconds())}`;
  if (style === 'date') return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}:${pad(d.getSeconds())}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`;
}

/**
 * The zone the viewer's times are in, for the header: `UTC` (`--utc`, or a local zone at UTC
 * now), else `times UTC-05:00` (the offset now: the detail pane gives each entry's own).
 */
export function zoneNote(nowMs: number): string {
  const offset = -new Date(nowMs).getTimezoneOffset();
  if (offset === 0) return 'UTC';
  const abs = Math.abs(offset);
  return `times UTC${offset > 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Full local timestamp with zone offset, for the detail pane: 2026-11-01 09:00:03.120 +01:00. */
export function formatFullTime(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * A row is stamped before the row above it, to the second shown: rows are in log order (as the
 * records were written), so a request written late (one that waited for a decision, a client
 * clock behind) sits below later ones. The table marks it `↑` and the footer says why.
 */
export function stampedEarlier(aboveMs: number, ms: number): boolean {
  return Number.isFinite(aboveMs) && Number.isFinite(ms) && Math.floor(ms / 1000) < Math.floor(aboveMs / 1000);
}
