/**
 * One entry as one aligned line of text for `print`: the TUI's cells (same escaping, same
 * units, same `#`/`$` privileged mark), laid out for a pipe rather than a terminal width.
 * The command comes last so that long pipelines never push other columns out of line. Pure.
 */
import type { Entry } from '../../shared/entry.js';
import { isSecurityEntry } from '../../shared/entry.js';
import { DEFAULT_MAX_CHARS, escapeForTerminal } from '../../shared/sanitize.js';
import { SECURITY_MARK } from '../../shared/security.js';
import { CELL_CAP, commandText, exitText, hostText } from '../../tui/format/cells.js';
import { displayWidth, fit } from '../../tui/format/text.js';
import { formatBytes, formatDuration } from '../../tui/format/units.js';

export interface TextLayout {
  /** The ORIGIN column (the collected host), only when reading a collector directory. */
  originWidth: number | null;
  hostWidth: number;
  sessionWidth: number;
  utc: boolean;
}


const MAX_HOST = 20;
const MAX_ORIGIN = 24;
const MAX_SESSION = 20;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `2026-11-01 03:00:02-05:00` in local time with its offset (which may change within a log,
 * at DST), or `2026-11-01 08:00:02Z` with `utc`: every time printed says its zone.
 */
export function fullTime(ms: number, utc: boolean, seconds = true): string {
  const d = new Date(ms);
  const s = seconds ? 3 : 0;
  if (utc) return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16 + s)}Z`;
  const offset = -d.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}${zone}`;
}

/** The TIME column: as wide as fullTime's text. */
const timeWidth = (utc: boolean) => (utc ? 20 : 25);

/** Room kept for hosts and sessions not seen yet (following a log that has just started). */
export const FOLLOW_MIN_WIDTHS = { host: 12, session: 14 };

/**
 * Column widths fitted to the entries at hand (a sample of them is enough), within caps.
 * `origins`, the collected hosts when reading a collector directory, adds an ORIGIN column as
 * wide as the widest of them (all are known up front, so a follow never outgrows it).
 */
export function layoutFor(entries: Iterable<Entry>, utc: boolean, min = { host: 0, session: 0 }, origins?: readonly string[]): TextLayout {
  const originWidth =
    origins === undefined ? null : Math.max('ORIGIN'.length, ...origins.map((o) => Math.min(MAX_ORIGIN, displayWidth(escapeForTerminal(o, CELL_CAP)))));
  let hostWidth = Math.max('HOST'.length, min.host);
  let sessionWidth = Math.max('SESSION'.length, min.session);
  for (const e of entries) {
    hostWidth = Math.max(hostWidth, Math.min(MAX_HOST, displayWidth(hostText(e.host))));
    sessionWidth = Math.max(sessionWidth, Math.min(MAX_SESSION, displayWidth(escapeForTerminal(e.session, CELL_CAP))));
  }
  return { originWidth, hostWidth, sessionWidth, utc };
}

interface Columns {
  time: string;
  origin: string;
  host: string;
  session: string;
  state: string;
  wait: string;
  exit: string;
  took: string;
  out: string;
  command: string;
}

function join(c: Columns, layout: TextLayout): string {
  return [
    fit(c.time, timeWidth(layout.utc)),
    ...(layout.originWidth === null ? [] : [fit(c.origin, layout.originWidth)]),
    fit(c.host, layout.hostWidth),
    fit(c.session, layout.sessionWidth),
    fit(c.state, 8),
    fit(c.wait, 5, 'right'),
    fit(c.exit, 7),
    fit(c.took, 6, 'right'),
    fit(c.out, 6, 'right'),
    c.command,
  ].join(' ');
}

export function headerLine(layout: TextLayout): string {
  return join({ time: 'TIME', origin: 'ORIGIN', host: 'HOST', session: 'SESSION', state: 'STATE', wait: 'WAIT', exit: 'EXIT', took: 'TOOK', out: 'OUT', command: 'COMMAND' }, layout);
}

/** What a person needs beside the command: a security event, why it was rejected or failed, ApprovedAlways, and anomalies. */
function notes(e: Entry): string {
  const parts: string[] = [];
  if (isSecurityEntry(e)) parts.push(`${SECURITY_MARK} security: replay`);
  if (e.requestError !== null) parts.push(`rejected${e.reject ? ` (${e.reject})` : ''}: ${escapeForTerminal(e.requestError, CELL_CAP)}`);
  if (e.always) parts.push('approved always (a)');
  if (e.via === 'pkexec') parts.push('via pkexec');
  if (e.error !== null) parts.push(`error: ${escapeForTerminal(e.error, CELL_CAP)}`);
  parts.push(...e.anomalies);
  return parts.length > 0 ? `  [${parts.join('; ')}]` : '';
}

export function entryLine(e: Entry, layout: TextLayout): string {
  return join(
    {
      time: Number.isFinite(e.timeMs) ? fullTime(e.timeMs, layout.utc) : escapeForTerminal(e.time, 64),
      origin: escapeForTerminal(e.origin, CELL_CAP),
      host: hostText(e.host),
      session: escapeForTerminal(e.session, CELL_CAP),
      state: e.state,
      wait: e.via === 'policy' ? 'auto' : formatDuration(e.latencyMs),
      exit: e.state === 'running' ? '…' : exitText(e),
      took: formatDuration(e.durationMs),
      out: e.stdoutLen === null ? '-' : formatBytes(e.stdoutLen, e.stdoutTruncated),
      command: commandText(e, DEFAULT_MAX_CHARS) + notes(e),
    },
    layout,
  );
}
