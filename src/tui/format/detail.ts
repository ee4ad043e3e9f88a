/**
 * The detail pane's content for one entry, as lines already wrapped to the pane's width.
 * Everything from the record is escaped (escapeForTerminal / formatArgv) and capped — a 1 MB
 * argument shows its first 16 K characters, and the marker after them (`…[+N chars]`) says
 * exactly how many more there were: the one place the pane says it.
 */
import type { Anomaly, Entry, RecordLocation } from '../../shared/entry.js';
import { parseRecordTime } from '../../shared/join.js';
import { escapeForTerminal, formatArgv } from '../../shared/sanitize.js';
import { operatorText, REJECT_MEANING, SECURITY_MARK, securityReason } from '../../shared/security.js';
import { lookOf } from '../theme.js';
import { isLive, promptChar, runningSinceMs } from './cells.js';
import type { Line, Span } from './spans.js';
import { wrapText } from './text.js';
import { formatFullTime } from './time.js';
import { formatByteCount, formatDuration } from './units.js';

export const DETAIL_CAP = 16_384;
const LABEL_WIDTH = 12;
const INDENT = 2;

export const ANOMALY_TEXT: Record<Anomaly, string> = {
  'orphan-response': 'a response whose request is not in the files read (rotated away, or forged)',
  'duplicate-id': 'another request used the same id',
  'second-response': 'more than one response arrived for this request (the first is shown)',
  interrupted: 'still running when its writer stopped or restarted: the outcome was never recorded',
  unchained: 'a record without seq/prev: not covered by the hash chain',
};

function wrap(text: string, width: number): string[] {
  return text === '' ? [''] : wrapText(text, width);
}

/**
 * How far a request's `time` may be from the writer's clock before the pane flags it:
 * sudo-proxy itself refuses a request older than 60 s.
 */
export const DEFAULT_CLOCK_SKEW_MS = 60_000;

export type Field = (label: string, value: string, style?: Omit<Span, 'text'>) => void;

/**
 * The writer's time (`logged`) and the client's, both: the writer's is the one time windows use, the
 * client's is kept as sent — on the same line when the two agree, on a line of its own, flagged,
 * when it is more than `clockSkewMs` away or not a time. A record from before the writer's time
 * has only the client's, and the pane says so.
 */
function timeFields(entry: Entry, field: Field, clockSkewMs: number): void {
  const asSent = escapeForTerminal(entry.time, 200);
  if (entry.logged === null) {
    field('time', Number.isFinite(entry.timeMs) ? `${formatFullTime(entry.timeMs)}  (sent as ${asSent})` : `${asSent}  (not a valid time)`);
    field('', 'time as sent by the client (no writer time)', { dim: true });
    return;
  }
  const written = Number.isFinite(entry.timeMs) ? formatFullTime(entry.timeMs) : `${escapeForTerminal(entry.logged, 200)} (not a valid time)`;
  const sentMs = parseRecordTime(entry.time);
  const skewMs = Math.abs(sentMs - entry.timeMs);
  if (Number.isFinite(skewMs) && skewMs <= clockSkewMs) {
    field('logged', `${written}  (sent as ${asSent})`);
    return;
  }
  field('logged', written);
  if (!Number.isFinite(sentMs)) field('sent as', `${asSent}  (not a valid time)`, { color: 'yellow' });
  else if (Number.isFinite(entry.timeMs)) {
    field('sent as', `${asSent}  (${formatDuration(skewMs)} ${sentMs < entry.timeMs ? 'before' : 'after'} the writer's time)`, { color: 'yellow' });
  } else field('sent as', asSent);
}

/** The pane's building blocks at a width: sections with a bold title, labelled fields wrapped under themselves. */
export function detailBuilder(width: number): { lines: Line[]; section: (title: string) => void; field: Field } {
  const lines: Line[] = [];
  const valueWidth = Math.max(10, width - INDENT - LABEL_WIDTH);
  const section = (title: string) => {
    if (lines.length > 0) lines.push([]);
    lines.push([{ text: title, bold: true }]);
  };
  /** A label and a value wrapped under itself; `style` colours the value. */
  const field: Field = (label, value, style = {}) => {
    wrap(value, valueWidth).forEach((part, i) => {
      lines.push([
        { text: ' '.repeat(INDENT) + (i === 0 ? label.padEnd(LABEL_WIDTH) : ' '.repeat(LABEL_WIDTH)), dim: true },
        { text: part, ...style },
      ]);
    });
  };
  return { lines, section, field };
}

export function detailLines(entry: Entry, width: number, nowMs: number, clockSkewMs = DEFAULT_CLOCK_SKEW_MS): Line[] {
  const { lines, section, field } = detailBuilder(width);

  const look = lookOf(entry);
  lines.push([
    { text: `${look.symbol} ${look.word}`, color: look.color, bold: true },
    { text: `  ${promptChar(entry)} `, bold: entry.privileged },
    { text: escapeForTerminal(entry.id, 200), dim: true },
  ]);

  section('Request');
  field('id', escapeForTerminal(entry.id, DETAIL_CAP));
  timeFields(entry, field, clockSkewMs);
  // Where the record was collected from, beside the label its client gave (which may differ).
  if (entry.origin !== '') field('origin', escapeForTerminal(entry.origin, DETAIL_CAP));
  field('host', entry.host === '' ? '(local)' : escapeForTerminal(entry.host, DETAIL_CAP));
  field('session', escapeForTerminal(entry.session, DETAIL_CAP));
  field('reason', escapeForTerminal(entry.reason, DETAIL_CAP) || '(none given)');
  field('privileged', entry.decision === null ? 'unknown' : entry.privileged ? 'yes (#)' : 'no ($)', entry.privileged ? { bold: true } : {});
  field('decision', decisionText(entry), entry.decision === 'approved' ? {} : { color: look.color });
  if (entry.reject !== null) field('reject', `${entry.reject}: ${REJECT_MEANING[entry.reject]}`, { color: look.color });
  if (entry.always) field('always', 'approved with "always" (a): unprivileged requests after it run without a prompt', { color: 'magenta', bold: true });
  field('who decided', entry.operator ? operatorText(entry.operator, DETAIL_CAP) : '(not recorded)', entry.operator ? {} : { dim: true });
  if (entry.escalation !== null) field('escalation', ESCALATION_TEXT[entry.escalation]);
  if (entry.forwardAgent !== null) field('ssh agent', entry.forwardAgent ? 'forwarded to the command' : 'not forwarded');
  if (entry.clientVersion !== null) field('client', `version ${escapeForTerminal(entry.clientVersion, DETAIL_CAP)}`);
  field('env keys', entry.envKeys.length > 0 ? entry.envKeys.map((k) => escapeForTerminal(k, 200)).join(' ') : '(none)');

  section(`Pipeline (${entry.pipeline.length} stage${entry.pipeline.length === 1 ? '' : 's'})`);
  if (entry.pipeline.length === 0) field('', '(the request is not in the files read)', { dim: true });
  entry.pipeline.forEach((argv, i) => {
    field(`[${i + 1}]`, formatArgv(argv, DETAIL_CAP), { bold: true });
    const resolved = entry.resolved[i];
    field('', `resolved ${resolved == null ? '(not resolved)' : escapeForTerminal(resolved, DETAIL_CAP)}`, { dim: resolved == null });
    const stage = entry.stages[i];
    if (stage) {
      const stderr = `stderr ${formatByteCount(stage.stderrLen)}${stage.stderrTruncated ? ' (truncated)' : ''}`;
      field('', `exit ${stage.exitCode} · ${stderr}`, stage.exitCode === 0 ? {} : { color: 'red' });
    }
  });

  section('Outcome');
  if (entry.state === 'running' && !isLive(entry)) {
    field('halted', 'its writer stopped or crashed while it ran: the outcome was never recorded', { color: 'yellow' });
  } else if (entry.state === 'running') {
    field('running', Number.isFinite(entry.timeMs) ? `for ${formatDuration(nowMs - runningSinceMs(entry))}…` : 'yes', { color: 'cyan' });
  } else if (entry.completedTime !== null) {
    const when = Number.isFinite(entry.completedMs) ? formatFullTime(entry.completedMs) : escapeForTerminal(entry.completedTime, 200);
    field('completed', when);
  } else {
    field('completed', entry.decision === 'approved' ? '(no response recorded)' : '(not run)', { dim: true });
  }
  if (entry.status !== null) {
    const status = entry.status === 'ok' ? 'ok' : `error: ${escapeForTerminal(entry.error ?? '(no message)', DETAIL_CAP)}`;
    field('status', status, entry.status === 'ok' ? {} : { color: 'red' });
  }
  if (entry.stages.length > 0) field('exit codes', entry.stages.map((s) => s.exitCode).join(' | '));
  if (entry.durationMs !== null) field('duration', formatDuration(entry.durationMs));
  if (entry.stdoutLen !== null) {
    field('stdout', `${formatByteCount(entry.stdoutLen)}${entry.stdoutTruncated ? ' (truncated: more was produced)' : ''}`, entry.stdoutTruncated ? { color: 'yellow' } : {});
  }

  const security = securityReason(entry);
  if (security !== null) {
    section(`${SECURITY_MARK} Security event`);
    field('replay', security, { color: 'magenta', bold: true });
  }

  section('Records');
  field('request', locationText(entry.request));
  field('response', locationText(entry.response));

  if (entry.anomalies.length > 0) {
    section('Anomalies');
    for (const a of entry.anomalies) field(a, ANOMALY_TEXT[a], { color: 'yellow' });
  }
  return lines;
}

const ESCALATION_TEXT: Record<NonNullable<Entry['escalation']>, string> = {
  sudo: 'sudo',
  pkexec: "pkexec (decided in pkexec's own dialog)",
  none: 'none: unprivileged, run directly',
};

function decisionText(entry: Entry): string {
  const latency = entry.latencyMs === null ? '' : ` after ${formatDuration(entry.latencyMs)}`;
  switch (entry.decision) {
    case null:
      return 'unknown (no request record)';
    case 'approved':
      if (entry.via === 'pkexec') return `approved in pkexec's dialog${latency}`;
      return entry.via === 'policy' ? 'approved by policy (no prompt)' : `approved by the operator${latency}`;
    case 'denied':
      return `denied by ${entry.via === 'policy' ? 'policy' : entry.via === 'pkexec' ? "pkexec's dialog" : 'the operator'}${latency}`;
    case 'timeout':
      return `nobody answered the prompt${latency ? ` (gave up${latency})` : ''}`;
    case 'rejected':
      return `rejected before any prompt: ${escapeForTerminal(entry.requestError ?? '(no reason)', DETAIL_CAP)}`;
  }
}

export function locationText(loc: RecordLocation | null): string {
  if (loc === null) return '(none)';
  const seq = loc.seq === null ? 'unchained' : `seq ${loc.seq}`;
  return `${escapeForTerminal(loc.file, 1_000)}:${loc.line}  (${seq}, byte ${loc.offset})`;
}
