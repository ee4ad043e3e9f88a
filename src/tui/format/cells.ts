/**
 * One table row as cells of display text: every string from the record escaped
 * (escapeForTerminal / formatPipeline) and capped before it is measured, then fitted to its
 * column. Pure given the clock, so a row renders the same in a test and in a terminal.
 */
import type { Entry } from '../../shared/entry.js';
import { isSecurityEntry } from '../../shared/entry.js';
import { SECURITY_MARK } from '../../shared/security.js';
import { escapeForTerminal, formatPipeline } from '../../shared/sanitize.js';
import { type Color, lookOf } from '../theme.js';
import type { ColumnId, TableLayout } from './columns.js';
import { fit } from './text.js';
import { formatTime, type TimeStyle } from './time.js';
import { formatBytes, formatDuration } from './units.js';

/** No column is wider than this; longer strings are cut before any further work. */
export const CELL_CAP = 512;

export interface Cell {
  id: ColumnId;
  /** Exactly the column's width. */
  text: string;
  color?: Color;
  dim?: boolean;
  bold?: boolean;
}

export interface RowContext {
  nowMs: number;
  timeStyle: TimeStyle;
}

/** `#` privileged, `$` not: the shell's own prompt convention. `?` when the request is unknown. */
export function promptChar(entry: Entry): string {
  if (entry.decision === null) return '?';
  return entry.privileged ? '#' : '$';
}

/** The command as shown in the table: prompt char, then the stages joined with ` | `. */
export function commandText(entry: Entry, cap = CELL_CAP): string {
  if (entry.pipeline.length === 0) return `${promptChar(entry)} (request not in the files read)`;
  return `${promptChar(entry)} ${formatPipeline(entry.pipeline, cap)}`;
}

export function hostText(host: string): string {
  return host === '' ? '(local)' : escapeForTerminal(host, CELL_CAP);
}

/** When execution started: request time plus the decision latency (the decision is when it ran). */
export function runningSinceMs(entry: Entry): number {
  return entry.timeMs + (entry.latencyMs ?? 0);
}

/** Running, and still able to finish: not interrupted by its writer stopping or crashing. */
export function isLive(entry: Entry): boolean {
  return entry.state === 'running' && !entry.anomalies.includes('interrupted');
}

export function durationText(entry: Entry, nowMs: number): string {
  if (entry.state === 'running' && !isLive(entry)) return '-';
  if (entry.state === 'running') {
    return Number.isFinite(entry.timeMs) ? `${formatDuration(nowMs - runningSinceMs(entry))}…` : '…';
  }
  return formatDuration(entry.durationMs);
}

export function exitText(entry: Entry): string {
  if (entry.stages.length > 0) return entry.stages.map((s) => String(s.exitCode)).join('|');
  if (entry.status === 'error') return 'err';
  return '-';
}

export function timeText(entry: Entry, style: TimeStyle, nowMs: number): string {
  return Number.isFinite(entry.timeMs) ? formatTime(entry.timeMs, style, nowMs) : escapeForTerminal(entry.time, 64);
}

export function entryCells(entry: Entry, layout: TableLayout, ctx: RowContext): Cell[] {
  return layout.columns.map((column): Cell => {
    const cell = (text: string, extra: Omit<Cell, 'id' | 'text'> = {}): Cell => ({
      id: column.id,
      text: fit(text, column.width, column.align),
      ...extra,
    });
    switch (column.id) {
      case 'time':
        return cell(timeText(entry, ctx.timeStyle, ctx.nowMs), { dim: true });
      case 'origin':
        return cell(escapeForTerminal(entry.origin, CELL_CAP));
      case 'host':
        return cell(hostText(entry.host), { dim: entry.host === '' });
      case 'session':
        return cell(escapeForTerminal(entry.session, CELL_CAP));
      case 'state': {
        const look = lookOf(entry);
        return cell(`${look.symbol} ${look.word}`, { color: look.color, bold: entry.state !== 'ok' });
      }
      case 'latency':
        return cell(entry.via === 'policy' ? 'auto' : formatDuration(entry.latencyMs), { dim: entry.via === 'policy' });
      case 'command':
        // A security event says so before its command (in words too: NO_COLOR).
        if (isSecurityEntry(entry)) return cell(`${SECURITY_MARK} replay: ${commandText(entry)}`, { color: 'magenta', bold: true });
        return cell(commandText(entry), { bold: entry.privileged, dim: entry.pipeline.length === 0 });
      case 'exit': {
        const failed = entry.stages.some((s) => s.exitCode !== 0) || entry.status === 'error';
        return cell(exitText(entry), failed ? { color: 'red' } : { dim: true });
      }
      case 'duration':
        return cell(durationText(entry, ctx.nowMs), isLive(entry) ? { color: 'cyan' } : {});
      case 'out':
        return cell(entry.stdoutLen === null ? '-' : formatBytes(entry.stdoutLen, entry.stdoutTruncated), {
          color: entry.stdoutTruncated ? 'yellow' : undefined,
          dim: !entry.stdoutTruncated,
        });
    }
  });
}

export function headerCells(layout: TableLayout): Cell[] {
  return layout.columns.map((c) => ({ id: c.id, text: fit(c.title, c.width, c.align), bold: true }));
}
