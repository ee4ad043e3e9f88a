/**
 * What the log says beside its entries, for `print` and `stats` (issue #13): the writer's life
 * (start, stop, a restart after a crash, records it dropped) and the breaks of the hash chain,
 * each placed among the entries where it happened. As text lines, as JSON objects (`print
 * --events`: each has an `event` field, which entries never have), and summed up for `stats`.
 * Pure: given what the engine answered.
 */
import type { AuditEngine, ChainBreakSeen, ChainStatus, EntryFilter, WriterEvent } from '../../shared/entry.js';
import { escapeForTerminal, formatHostCounts } from '../../shared/sanitize.js';
import { isPolicyEvent, operatorText, policyChangeText, policyShown, SECURITY_MARK } from '../../shared/security.js';
import { fullTime } from './entry-text.js';

/** One event row: it goes just before the entry at `position` (= the number of entries when last). */
export type LogEvent = { position: number; writer: WriterEvent; chainBreak?: undefined } | { position: number; chainBreak: ChainBreakSeen; writer?: undefined };

/** The chain status, also from an engine that has none (treated as unchecked: nothing said). */
export function chainStatusOf(engine: AuditEngine): ChainStatus | null {
  return engine.chainStatus?.() ?? null;
}

/**
 * Whether a writer event is shown under the filter: `--security` keeps only policy changes
 * (security events); a policy change obeys the time window, `--operator` and the origin
 * (`policyShown`); the writer's life is shown unless `--security` asks for security events alone.
 */
export function eventShown(w: WriterEvent, filter: EntryFilter = {}): boolean {
  if (w.event !== 'policy') return filter.security !== true;
  return policyShown(w, filter);
}

/** Writer events, policy changes and chain breaks in log order, each with the position of the entry it precedes. */
export function logEvents(engine: AuditEngine, chain: ChainStatus | null, filter: EntryFilter = {}): LogEvent[] {
  const size = engine.size();
  const events: LogEvent[] = engine
    .writerEvents()
    .filter((w) => eventShown(w, filter))
    .map((writer) => ({ position: writer.position ?? size, writer }));
  for (const chainBreak of chain?.breaks ?? []) {
    const at = chainBreak.entryKey >= 0 ? engine.positionOf(chainBreak.entryKey) : -1;
    events.push({ position: at >= 0 ? at : size, chainBreak });
  }
  // Stable: writer events keep their order; a break goes after the writer events at its position.
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.position - b.e.position || a.i - b.i).map(({ e }) => e);
}

const timeOf = (iso: string, utc: boolean) => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? fullTime(ms, utc) : escapeForTerminal(iso, 64);
};

const hostPart = (origin: string | undefined) => (origin ? ` on ${escapeForTerminal(origin)}` : '');

/** Starts every event line of `print`: apart from the entries at a glance, and for `grep -v '^──'`. */
export const EVENT_MARK = '──';

/** A text line for an event row of `print`. */
export function eventLine(e: LogEvent, utc: boolean): string {
  if (e.chainBreak) {
    const b = e.chainBreak;
    return `${EVENT_MARK} CHAIN BROKEN (${b.kind})${hostPart(b.origin)} at ${escapeForTerminal(b.file)}:${b.line}: ${escapeForTerminal(b.message)}`;
  }
  const w = e.writer;
  const at = `${EVENT_MARK} ${timeOf(w.time, utc)}`;
  // As an unchained entry's line says: no chain vouches for it (anyone with write access may have
  // added it: a forged "writer stopped" or gap as well as a policy change).
  const unchained = w.location.seq === null ? ' [unchained]' : '';
  if (isPolicyEvent(w)) {
    const p = w.policy;
    const by = w.operator ? ` by ${operatorText(w.operator)}` : '';
    const cause = p.by === 'keypress' ? `a key at the prompt${p.requestId === null ? '' : ` of request ${escapeForTerminal(p.requestId, 200)}`}` : 'configuration';
    return `${at} ${SECURITY_MARK} POLICY CHANGED${hostPart(w.origin)}: ${policyChangeText(p)}${by} (${cause})${unchained}`;
  }
  const who = `pid ${w.pid}${hostPart(w.origin)}`;
  if (w.event === 'start') {
    const by = w.operator ? ` by ${operatorText(w.operator)}` : '';
    return `${at} writer started (${who})${by}${w.afterCrash ? ' after a crash: the writer before it never stopped' : ''}${unchained}`;
  }
  if (w.event === 'stop') return `${at} writer stopped (${who})${unchained}`;
  const error = w.error ? `: ${escapeForTerminal(w.error)}` : '';
  if (w.dropped === 0) return `${at} writer notice (${who})${error}${unchained}`;
  return `${at} GAP: ${w.dropped} record${w.dropped === 1 ? '' : 's'} dropped by the writer (${who})${error}${unchained}`;
}

/** An event row of `print --json --events`: `event` says which kind of object it is. */
export function eventJson(e: LogEvent): Record<string, unknown> {
  if (e.chainBreak) {
    const b = e.chainBreak;
    return { event: 'chain_break', kind: b.kind, file: b.file, line: b.line, message: b.message, origin: b.origin };
  }
  const w = e.writer;
  if (isPolicyEvent(w)) {
    const p = w.policy;
    return {
      event: 'policy',
      time: w.time,
      setting: p.setting,
      old: p.old,
      new: p.new,
      request_id: p.requestId,
      by: p.by,
      operator: w.operator ?? null,
      origin: w.origin ?? '',
      file: w.location.file,
      line: w.location.line,
      seq: w.location.seq,
    };
  }
  return {
    event: 'writer',
    kind: w.event,
    time: w.time,
    pid: w.pid,
    dropped: w.dropped,
    error: w.error,
    after_crash: w.event === 'start' ? w.afterCrash === true : null,
    first_time: w.firstTime ?? null,
    last_time: w.lastTime ?? null,
    operator: w.operator ?? null,
    origin: w.origin ?? '',
    file: w.location.file,
    line: w.location.line,
    seq: w.location.seq,
  };
}

/** What `stats` says of the log's integrity. */
export interface IntegritySummary {
  chain: ChainStatus | null;
  /** Records the writers could not write, in total, and in how many gaps. */
  droppedRecords: number;
  gaps: number;
  starts: number;
  stops: number;
  /** Starts after a crash (no stop before them). */
  crashes: number;
  /** Changes of the daemon's policy (security events) the filter keeps: its time window, operators, origins. */
  policyChanges?: number;
}

export function integritySummary(engine: AuditEngine, chain: ChainStatus | null, filter: EntryFilter = {}): IntegritySummary {
  const s: IntegritySummary = { chain, droppedRecords: 0, gaps: 0, starts: 0, stops: 0, crashes: 0, policyChanges: 0 };
  for (const w of engine.writerEvents()) {
    if (w.event === 'policy') {
      if (eventShown(w, filter)) s.policyChanges = (s.policyChanges ?? 0) + 1;
    } else if (w.event === 'start') {
      s.starts++;
      if (w.afterCrash) s.crashes++;
    } else if (w.event === 'stop') s.stops++;
    else if (w.dropped > 0) {
      s.droppedRecords += w.dropped;
      s.gaps++;
    }
  }
  return s;
}

/** The chain's verdict in a few words: `intact (1200 records checked)`, `BROKEN: …`. */
export function chainVerdictText(chain: ChainStatus | null): string {
  if (chain === null) return 'not checked';
  const unchained = chain.unchained > 0 ? `, ${chain.unchained} unchained record${chain.unchained === 1 ? '' : 's'}` : '';
  if (chain.state !== 'broken') return `${chain.state} (${chain.checked} record${chain.checked === 1 ? '' : 's'} checked${unchained}${uncheckedText(chain)})`;
  const first = chain.breaks[0];
  const where = first ? `; first: ${first.kind} at ${escapeForTerminal(first.file)}:${first.line}` : '';
  return `BROKEN: ${chain.breakCount} break${chain.breakCount === 1 ? '' : 's'}${where}`;
}

/** `, N records not checked here (…)`: a collected host's records the engine could not link (ChainStatus.unchecked); '' for none. */
function uncheckedText(chain: ChainStatus): string {
  const n = chain.unchecked;
  if (n === 0) return '';
  const hosts = formatHostCounts(chain.uncheckedIn ?? [], n);
  const where = hosts === '' ? '' : `${hosts}; `;
  return n === 1
    ? `, 1 record not checked here (${where}it arrived after its turn: \`verify DIR\` checks it)`
    : `, ${n} records not checked here (${where}they arrived after their turn: \`verify DIR\` checks them)`;
}

/**
 * The closing stderr line of `print` when the chain is broken (null when it is not); unescaped:
 * for stderrLine. `firstSaid`: the first break was said on a line of its own just before.
 */
export function brokenChainWarning(chain: ChainStatus | null, firstSaid = false): string | null {
  if (chain?.state !== 'broken') return null;
  const first = chain.breaks[0];
  const detail = first && !firstSaid ? `: ${first.message}` : '';
  return `sudo-proxy-audit: warning: the hash chain is broken (${chain.breakCount} break${chain.breakCount === 1 ? '' : 's'})${detail}; what a break touches cannot be trusted (see \`verify\`)`;
}

/**
 * `print`'s stderr line when a collected host's records could not be linked (ChainStatus.unchecked;
 * null when none): the chain's verdict does not cover them, and a script reading only the
 * entries would not know. Unescaped: for stderrLine.
 */
export function uncheckedWarning(chain: ChainStatus | null): string | null {
  const n = chain?.unchecked ?? 0;
  if (n === 0) return null;
  const which = n === 1 ? '1 record of a collected host arrived after its turn and was' : `${n} records of collected hosts arrived after their turn and were`;
  const hosts = formatHostCounts(chain?.uncheckedIn ?? [], n) || 'hosts not listed';
  return `sudo-proxy-audit: warning: ${which} not checked against the hash chain here (${hosts}); \`verify DIR\` checks ${n === 1 ? 'it' : 'them'}`;
}

/** `--strict`: a break or dropped records make the verdict fail, as malformed lines do. */
export function integrityFails(summary: IntegritySummary): boolean {
  return summary.chain?.state === 'broken' || summary.droppedRecords > 0;
}
