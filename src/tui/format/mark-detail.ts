/**
 * The detail pane for a mark (Enter on a writer row or a chain break): what the record says,
 * where it is, and what it means for the trail. Everything from the log escaped. Pure.
 */
import type { BreakKind } from '../../shared/chain.js';
import type { ChainBreakSeen, WriterEvent } from '../../shared/entry.js';
import { parseRecordTime } from '../../shared/join.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { operatorText, policySecurityReason, policyValueText } from '../../shared/security.js';
import type { Mark } from '../store/rows.js';
import { ANOMALY_TEXT, detailBuilder, locationText } from './detail.js';
import { markLook } from './mark-row.js';
import type { Line } from './spans.js';
import { formatFullTime } from './time.js';
import { groupDigits } from './units.js';

const BREAK_MEANING: Record<BreakKind, string> = {
  modified: "a line's bytes no longer match the hash the next record holds: it was changed after it was written",
  deleted: 'records are missing: the sequence jumps forward and the records in between never appear',
  inserted: "a line the chain's writer did not write sits among its records",
  reordered: 'records appear out of sequence order',
  restarted: 'a new chain starts after records of an older one: what came before cannot be tied to what follows',
};

function fullTime(time: string | null | undefined): string {
  if (time == null) return 'unknown';
  const ms = parseRecordTime(time);
  return Number.isFinite(ms) ? formatFullTime(ms) : `${escapeForTerminal(time, 200)} (not a valid time)`;
}

function policyLines(e: WriterEvent, width: number): Line[] {
  const { lines, section, field } = detailBuilder(width);
  const p = e.policy;
  section('Policy change');
  if (p) {
    field('setting', escapeForTerminal(p.setting, 1_000), { bold: true });
    field('was', policyValueText(p.old, 1_000));
    field('now', policyValueText(p.new, 1_000), { color: 'magenta', bold: true });
    field('by', p.by === 'keypress' ? 'the operator, with a key at a prompt' : "the daemon's configuration");
    field('request', p.requestId === null ? '(none)' : escapeForTerminal(p.requestId, 1_000), p.requestId === null ? { dim: true } : {});
  }
  field('who decided', e.operator ? operatorText(e.operator, 1_000) : '(not recorded)', e.operator ? {} : { dim: true });
  field('time', fullTime(e.time));
  if (e.origin) field('origin', escapeForTerminal(e.origin, 1_000));
  field('record', locationText(e.location));
  if (e.location.seq === null) field('unchained', ANOMALY_TEXT.unchained, { color: 'yellow' });
  section('Security event');
  field('', p ? `${policySecurityReason(p)}.` : 'a change of the daemon\'s policy.');
  return lines;
}

function writerLines(e: WriterEvent, width: number): Line[] {
  if (e.event === 'policy') return policyLines(e, width);
  const { lines, section, field } = detailBuilder(width);
  section('Writer');
  field('event', e.event === 'start' && e.afterCrash ? 'start, after a crash' : e.event);
  field('time', fullTime(e.time));
  field('pid', String(e.pid));
  if (e.operator) field('operator', operatorText(e.operator, 1_000));
  if (e.origin) field('origin', escapeForTerminal(e.origin, 1_000));
  field('record', locationText(e.location));
  if (e.event === 'dropped') {
    field('dropped', `${groupDigits(e.dropped)} record${e.dropped === 1 ? '' : 's'}`, { color: 'yellow', bold: true });
    if (e.firstTime || e.lastTime) field('due', `${fullTime(e.firstTime)} → ${fullTime(e.lastTime)}`);
    field('error', e.error ? escapeForTerminal(e.error, 4_000) : '(none recorded)', e.error ? { color: 'red' } : { dim: true });
  }
  section('What it means');
  if (e.event === 'dropped') {
    field('', 'The writer could not append these records and says so here: the trail has a gap. What happened in it is not recorded anywhere in this log.');
  } else if (e.event === 'start' && e.afterCrash) {
    field('', 'The writer before this one ended without a stop record: it crashed or was killed. Requests it was running have no outcome (shown interrupted).');
  } else if (e.event === 'start') {
    field('', 'The daemon opened the log: records after this row come from this process.');
  } else {
    field('', 'The daemon closed the log cleanly: requests still running then have no outcome (shown interrupted).');
  }
  return lines;
}

function breakLines(b: ChainBreakSeen, width: number): Line[] {
  const { lines, section, field } = detailBuilder(width);
  section('Chain break');
  field('kind', b.kind, { color: 'red', bold: true });
  field('where', `${escapeForTerminal(b.file, 1_000)}:${b.line}`);
  if (b.origin !== '') field('origin', escapeForTerminal(b.origin, 1_000));
  field('verify says', escapeForTerminal(b.message, 4_000));
  section('What it means');
  field('', `${BREAK_MEANING[b.kind]}. The entries from here on are shown as read, but the chain no longer vouches for them.`);
  return lines;
}

export function markDetailLines(m: Mark, width: number, nowMs: number): Line[] {
  const look = markLook(m, { nowMs, timeStyle: 'year' });
  const title: Line = [{ text: look.text, color: look.color, bold: true }];
  return [title, [], ...(m.kind === 'writer' ? writerLines(m.event, width) : breakLines(m.brk, width))];
}
