/**
 * A mark's row in the table: a writer's start, stop or gap, or a break of the hash chain, drawn
 * as a rule across the table so it cannot be read as an entry — `┄` for the writer's life, `━`
 * for a break — with words and a symbol, not only a colour (NO_COLOR); symbols common monospace
 * fonts have (▷ □ ⚠ ✗; not the media-control ⏵ ⏹ many lack). Everything from the log
 * (error text, file and host names) escaped. Pure.
 */
import path from 'node:path';
import type { ChainBreakSeen, WriterEvent } from '../../shared/entry.js';
import { parseRecordTime } from '../../shared/join.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { operatorText, policyChangeText, SECURITY_MARK } from '../../shared/security.js';
import type { Mark } from '../store/rows.js';
import type { Color } from '../theme.js';
import { breakPlace } from './chain-badge.js';
import type { RowContext } from './cells.js';
import { fitLine } from './header.js';
import { lineText, type Span } from './spans.js';
import { displayWidth, fit, truncate } from './text.js';
import { formatTime, TIME_STYLE_WIDTH } from './time.js';
import { groupDigits } from './units.js';

export interface MarkLook {
  text: string;
  color: Color;
  bold: boolean;
  dim: boolean;
  /** The rule's character. */
  rule: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${groupDigits(n)} ${n === 1 ? one : many}`;

/** When a record was due, as the table shows times; the text as written when it is not a time. */
function when(time: string | null | undefined, ctx: RowContext): string {
  if (time == null) return '?';
  const ms = parseRecordTime(time);
  return Number.isFinite(ms) ? formatTime(ms, ctx.timeStyle, ctx.nowMs) : escapeForTerminal(time, 40);
}

function origin(o: string | undefined): string {
  return o ? `${escapeForTerminal(o, 80)}: ` : '';
}

export function writerLook(e: WriterEvent, ctx: RowContext): MarkLook {
  const pid = `pid ${e.pid}`;
  // Said first, where a narrow row does not cut it: no chain vouches for a record without
  // seq/prev (anyone with write access may have added it: a forged stop or gap as well as a policy change).
  const unchained = e.location.seq === null ? '(⚠ unchained) ' : '';
  const at = `${origin(e.origin)}${unchained}`;
  switch (e.event) {
    case 'start':
      if (e.afterCrash) {
        return { text: `⚠ ${at}writer restarted after a crash · ${pid} (the one before wrote no stop)`, color: 'yellow', bold: true, dim: false, rule: '┄' };
      }
      return { text: `▷ ${at}writer started · ${pid}`, color: 'blue', bold: false, dim: false, rule: '┄' };
    case 'stop':
      return { text: `□ ${at}writer stopped · ${pid}`, color: 'blue', bold: false, dim: false, rule: '┄' };
    case 'dropped': {
      const span = e.firstTime || e.lastTime ? ` ${when(e.firstTime, ctx)}–${when(e.lastTime, ctx)}` : '';
      const error = e.error ? ` · ${escapeForTerminal(e.error, 200)}` : '';
      return { text: `⚠ GAP ${at}${plural(e.dropped, 'record')} dropped${span}${error}`, color: 'yellow', bold: true, dim: false, rule: '┄' };
    }
    case 'policy': {
      const p = e.policy;
      const what = p ? policyChangeText(p, 80) : '?';
      const who = e.operator ? ` by ${operatorText(e.operator, 40)}` : '';
      const how = p?.by === 'config' ? ' (configuration)' : '';
      return { text: `${SECURITY_MARK} ${origin(e.origin)}POLICY CHANGED ${unchained}${what}${who}${how}`, color: 'magenta', bold: true, dim: false, rule: '┄' };
    }
  }
}

export function breakLook(b: ChainBreakSeen): MarkLook {
  return { text: `✗ CHAIN BROKEN here: ${b.kind} at ${breakPlace(b)}`, color: 'red', bold: true, dim: false, rule: '━' };
}

export function markLook(m: Mark, ctx: RowContext): MarkLook {
  return m.kind === 'writer' ? writerLook(m.event, ctx) : breakLook(m.brk);
}

/** The time cell of a mark: the writer's time, blank for a break (the record's own time is on the entry). */
export function markTime(m: Mark, ctx: RowContext): string {
  const width = TIME_STYLE_WIDTH[ctx.timeStyle];
  return fit(m.kind === 'writer' ? when(m.event.time, ctx) : '', width);
}

/** The row after the selection marker, exactly `width` columns: time, then the rule with the words in it. */
export function markSpans(m: Mark, width: number, ctx: RowContext): Span[] {
  const look = markLook(m, ctx);
  const time = markTime(m, ctx);
  const lead = `${look.rule}${look.rule} `;
  const room = Math.max(0, width - displayWidth(time) - 1 - lead.length);
  const text = truncate(look.text, room);
  const fill = Math.max(0, room - displayWidth(text) - 1);
  const style = { color: look.color, bold: look.bold, dim: look.dim };
  const spans = fitLine(
    [
      { text: time, dim: true },
      { text: ' ' },
      { text: lead, ...style },
      { text, ...style },
      { text: fill > 0 ? ` ${look.rule.repeat(fill)}` : ' '.repeat(Math.max(0, room - displayWidth(text))), ...style },
    ],
    width,
  );
  // Narrower than the time and the rule's lead: cut, and padded to the width all the same.
  const short = width - displayWidth(lineText(spans));
  return short > 0 ? [...spans, { text: ' '.repeat(short) }] : spans;
}

/** file:line of a mark's record, for lists and the detail pane. */
export function markPlace(m: Mark): string {
  if (m.kind === 'break') return breakPlace(m.brk);
  const loc = m.event.location;
  const where = `${escapeForTerminal(path.basename(loc.file), 80)}:${loc.line}`;
  return m.event.origin ? `${escapeForTerminal(m.event.origin, 80)} ${where}` : where;
}
