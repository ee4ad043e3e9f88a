/**
 * `stats` output: an aureport-style text summary for people, and JSON with stable snake_case
 * names for scripts. Pure: given the stats, the malformed lines and the files.
 */
import { type SealScan, sealScanJson, sealScanText } from './seal-scan.js';
import type { Anomaly, EntryState, EntryStats, MalformedLine, Percentiles } from '../../shared/entry.js';
import { ENTRY_STATES } from '../../shared/entry.js';
import { escapeForTerminal } from '../../shared/sanitize.js';
import { SECURITY_MARK } from '../../shared/security.js';
import { hostText } from '../../tui/format/cells.js';
import { displayWidth, fit } from '../../tui/format/text.js';
import { formatDuration } from '../../tui/format/units.js';
import { fullTime } from './entry-text.js';
import { chainVerdictText, type IntegritySummary } from './log-events.js';

export interface StatsInput {
  files: readonly string[];
  /** When reading collector directories: which, how many hosts, and the duplicate lines dropped. */
  collector?: { dirs: readonly string[]; hosts: number; duplicateLines: number } | null;
  stats: EntryStats;
  /** Request times of the first and last matching entries (log order), NaN when unknown. */
  firstMs: number;
  lastMs: number;
  malformedCount: number;
  malformed: readonly MalformedLine[];
  /** The seals, per origin ('' for files read directly); only logs that have any. */
  seals?: ReadonlyArray<{ origin: string; scan: SealScan }>;
  /** The chain and the writer's life; absent: not known (said as nothing found). */
  integrity?: IntegritySummary;
}

const NO_INTEGRITY: IntegritySummary = { chain: null, droppedRecords: 0, gaps: 0, starts: 0, stops: 0, crashes: 0 };

/** Rows listed per table in text; --json lists everything. */
const TEXT_ROWS = 10;

const snake = (a: Anomaly) => a.replace(/-/g, '_');

const percentilesJson = (p: Percentiles | null) => (p === null ? null : { count: p.count, p50: p.p50, p95: p.p95, max: p.max });

const isoOrNull = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

export function statsJson(input: StatsInput): Record<string, unknown> {
  const s = input.stats;
  return {
    files: input.files,
    total: s.total,
    first_time: isoOrNull(input.firstMs),
    last_time: isoOrNull(input.lastMs),
    by_state: Object.fromEntries(ENTRY_STATES.map((state) => [state, s.byState[state]])),
    by_host: s.byHost.map((h) => ({ host: h.host, count: h.count })),
    by_origin: s.byOrigin.map((o) => ({ origin: o.origin, count: o.count })),
    by_session: s.bySession.map((x) => ({ session: x.session, count: x.count })),
    latency_ms: percentilesJson(s.latency),
    duration_ms: percentilesJson(s.duration),
    per_minute: { start: s.perMinute.counts.length > 0 ? isoOrNull(s.perMinute.startMs) : null, counts: s.perMinute.counts },
    top_commands: s.topCommands.map((c) => ({ command: c.command, count: c.count })),
    anomalies: Object.fromEntries(Object.entries(s.anomalies).map(([a, n]) => [snake(a as Anomaly), n])),
    malformed_count: input.malformedCount,
    malformed: input.malformed.map((m) => ({ file: m.file, line: m.line, reason: m.reason })),
    duplicate_lines: input.collector?.duplicateLines ?? 0,
    // Only for sealed logs: an unsealed log's output is as it was.
    ...(input.seals && input.seals.length > 0
      ? { seal: input.collector ? Object.fromEntries(input.seals.map((s) => [s.origin, sealScanJson(s.scan)])) : sealScanJson(input.seals[0].scan) }
      : {}),
    ...integrityJson(input.integrity ?? NO_INTEGRITY, s),
    ...securityJson(input.integrity ?? NO_INTEGRITY, s),
  };
}

/** The security fields of `stats --json` (issue #15): replays and policy changes, and rejected requests per refusal kind. */
function securityJson(i: IntegritySummary, s: EntryStats): Record<string, unknown> {
  return {
    security_events: { replays: s.rejects.replay, policy_changes: i.policyChanges ?? 0 },
    rejects: { ...s.rejects },
  };
}

/** The security events in a line, and the refusals by kind (those counted). */
function securityLines(i: IntegritySummary, s: EntryStats): string[] {
  const replays = s.rejects.replay;
  const changes = i.policyChanges ?? 0;
  const flag = replays + changes > 0 ? `${SECURITY_MARK} ` : '';
  const lines = [`Security events:      ${flag}${plural(replays, 'replayed request')}, ${plural(changes, 'policy change')}`, ''];
  const kinds = Object.entries(s.rejects)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => ({ name, count }));
  lines.push(...countTable('Rejected, by kind', kinds, s.byState.rejected, kinds.length));
  return lines;
}

/** The integrity fields of `stats --json` (issue #13): added beside the others, none renamed. */
function integrityJson(i: IntegritySummary, s: EntryStats): Record<string, unknown> {
  const c = i.chain;
  return {
    chain:
      c === null
        ? null
        : {
            state: c.state,
            checked: c.checked,
            unchained: c.unchained,
            unchecked: c.unchecked,
            unchecked_in: (c.uncheckedIn ?? []).map((h) => ({ origin: h.origin, count: h.count })),
            break_count: c.breakCount,
            breaks: c.breaks.map((b) => ({ kind: b.kind, file: b.file, line: b.line, message: b.message, origin: b.origin })),
          },
    dropped_records: i.droppedRecords,
    gaps: i.gaps,
    writer: { starts: i.starts, stops: i.stops, crashes: i.crashes },
    interrupted: s.anomalies.interrupted,
  };
}

const percent = (n: number, total: number) => (total === 0 ? '' : `${((100 * n) / total).toFixed(1).padStart(5)}%`);

/** A titled table of name/count rows, the longest names cut so that counts line up. */
function countTable(title: string, rows: Array<{ name: string; count: number }>, total: number, limit = TEXT_ROWS): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, limit);
  const nameWidth = Math.min(48, Math.max(...shown.map((r) => displayWidth(r.name))));
  const countWidth = Math.max(...shown.map((r) => String(r.count).length));
  const lines = [title, ...shown.map((r) => `  ${fit(r.name, nameWidth)}  ${String(r.count).padStart(countWidth)} ${percent(r.count, total)}`.trimEnd())];
  if (rows.length > limit) lines.push(`  … ${rows.length - limit} more`);
  return [...lines, ''];
}

function percentileLine(label: string, p: Percentiles | null): string {
  if (p === null) return `${label.padEnd(30)} -`;
  return `${label.padEnd(30)} p50 ${formatDuration(p.p50).padEnd(7)} p95 ${formatDuration(p.p95).padEnd(7)} max ${formatDuration(p.max).padEnd(7)} (n=${p.count})`;
}

function rateLine(perMinute: EntryStats['perMinute'], utc: boolean): string | undefined {
  const counts = perMinute.counts;
  if (counts.length === 0) return undefined;
  let peak = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[peak]) peak = i;
  const total = counts.reduce((a, b) => a + b, 0);
  const average = total / counts.length;
  return `Requests per minute:  average ${average < 10 ? average.toFixed(2) : average.toFixed(0)}, peak ${counts[peak]} at ${fullTime(perMinute.startMs + peak * 60_000, utc, false)}`;
}

export function statsText(input: StatsInput, options: { utc: boolean; malformedListed?: number }): string {
  const s = input.stats;
  const when = (ms: number) => (Number.isFinite(ms) ? fullTime(ms, options.utc) : '?');
  const c = input.collector;
  const lines: string[] = [
    'Audit log summary',
    '=================',
    c
      ? `Collector:            ${c.dirs.map((d) => escapeForTerminal(d)).join(', ')} (${c.hosts} host${c.hosts === 1 ? '' : 's'})`
      : `Files:                ${input.files.map((f) => escapeForTerminal(f)).join(', ')}`,
    `Requests:             ${s.total}`,
  ];
  if (s.total > 0) lines.push(`Time range:           ${when(input.firstMs)} – ${when(input.lastMs)}`);
  const rate = rateLine(s.perMinute, options.utc);
  if (rate) lines.push(rate);
  lines.push(`Malformed lines:      ${input.malformedCount}`);
  if (c) lines.push(`Duplicate lines:      ${c.duplicateLines} (exact copies resent by the shipper, dropped)`);
  for (const { origin, scan } of input.seals ?? []) {
    const text = sealScanText(scan);
    if (text !== null) lines.push(`Seals:                ${escapeForTerminal(origin === '' ? text : `${origin}: ${text}`)}`);
  }
  lines.push('');
  lines.push('', ...integrityLines(input.integrity ?? NO_INTEGRITY, s), '');
  lines.push(...securityLines(input.integrity ?? NO_INTEGRITY, s));

  const states = ENTRY_STATES.map((state: EntryState) => ({ name: state, count: s.byState[state] }));
  lines.push(...countTable('States', states, s.total, ENTRY_STATES.length));
  lines.push(percentileLine('Decision latency (prompted)', s.latency), percentileLine('Duration (executions)', s.duration), '');
  lines.push(...countTable('Origins', s.byOrigin.map((o) => ({ name: escapeForTerminal(o.origin), count: o.count })), s.total));
  lines.push(...countTable('Hosts', s.byHost.map((h) => ({ name: hostText(h.host), count: h.count })), s.total));
  lines.push(...countTable('Sessions', s.bySession.map((x) => ({ name: escapeForTerminal(x.session), count: x.count })), s.total));
  lines.push(...countTable('Top commands', s.topCommands.map((c) => ({ name: escapeForTerminal(c.command), count: c.count })), s.total));
  const anomalies = Object.entries(s.anomalies).map(([name, count]) => ({ name, count }));
  if (anomalies.some((a) => a.count > 0)) lines.push(...countTable('Anomalies', anomalies, s.total, anomalies.length));
  else lines.push('Anomalies:            none', '');

  if (input.malformedCount > 0) {
    const listed = input.malformed.slice(-(options.malformedListed ?? TEXT_ROWS));
    lines.push('Malformed lines');
    for (const m of listed) lines.push(`  ${escapeForTerminal(m.file)}:${m.line}: ${escapeForTerminal(m.reason)}`);
    if (input.malformedCount > listed.length) lines.push(`  … ${input.malformedCount - listed.length} more`);
    lines.push('');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The chain's verdict, the writer's gaps and life, and the entries they interrupted. */
function integrityLines(i: IntegritySummary, s: EntryStats): string[] {
  const lines = [`Hash chain:           ${chainVerdictText(i.chain)}`];
  for (const b of i.chain?.breaks.slice(0, TEXT_ROWS) ?? []) lines.push(`  ${escapeForTerminal(b.message)}`);
  if (i.chain && i.chain.breakCount > TEXT_ROWS) lines.push(`  … ${i.chain.breakCount - TEXT_ROWS} more`);
  lines.push(
    `Dropped records:      ${i.droppedRecords}${i.gaps > 0 ? ` (in ${plural(i.gaps, 'gap')}: the writer could not write them)` : ''}`,
    `Writer:               ${plural(i.starts, 'start')}, ${plural(i.stops, 'stop')}, ${plural(i.crashes, 'crash', 'crashes')}`,
    `Interrupted entries:  ${s.anomalies.interrupted}`,
  );
  return lines;
}
