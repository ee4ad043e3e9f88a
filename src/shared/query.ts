/**
 * Queries and stats over joined entries: filters shared by the TUI's keys and the CLI's flags,
 * an aureport-style summary, and the time specs both accept (`2h`, `2026-11-01T08:00`).
 * Pure: no I/O. The engine runs the same compiled filter over its compact columns.
 */
import type { Anomaly, Entry, EntryFilter, EntryState, EntryStats, Operator, Percentiles } from './entry.js';
import { ENTRY_STATES, isSecurityEntry, operatorMatches } from './entry.js';
import { REJECT_KINDS, type RejectKind } from './format-constants.js';
import { ANOMALIES } from './join.js';
import { escapeForTerminal, formatPipeline } from './sanitize.js';

/** What filters and stats read of an entry; the engine supplies these without building an Entry. */
export interface EntryFacts {
  state: EntryState;
  host: string;
  /** Entry.origin: the collected host ('' when files were read directly). */
  origin: string;
  session: string;
  privileged: boolean;
  timeMs: number;
  latencyMs: number | null;
  durationMs: number | null;
  /** The pipeline as displayed (`formatPipeline`, uncapped). */
  command: string;
  reason: string;
  anomalies: readonly Anomaly[];
  reject: RejectKind | null;
  operator: Operator | null;
}

/** The pipeline as an operator sees it; what text search and top commands use. */
export function commandOf(pipeline: Entry['pipeline']): string {
  return formatPipeline(pipeline, Number.POSITIVE_INFINITY);
}

// ---- filters ----

/** A filter prepared once, applied to many entries. Each part is null when it does not narrow. */
export interface CompiledFilter {
  compiled: true;
  states: ReadonlySet<EntryState> | null;
  hosts: ReadonlySet<string> | null;
  origins: ReadonlySet<string> | null;
  sessions: ReadonlySet<string> | null;
  privileged: boolean | null;
  sinceMs: number | null;
  untilMs: number | null;
  /** Text search: an entry matches when its command (as displayed) or its reason (raw; escaped here) does. */
  text: { command(command: string): boolean; reason(reason: string): boolean } | null;
  /** Only security events. */
  security: boolean;
  /** Operators named (user or uid): decided by one of them. */
  operators: ReadonlySet<string> | null;
}

export function compileFilter(filter: EntryFilter = {}): CompiledFilter {
  let states: Set<EntryState> | null = filter.states && filter.states.length > 0 ? new Set(filter.states) : null;
  if (filter.failedOnly) states = states ? new Set([...states].filter((s) => s === 'failed')) : new Set<EntryState>(['failed']);
  let text: CompiledFilter['text'] = null;
  const shown = (reason: string) => escapeForTerminal(reason, Number.POSITIVE_INFINITY);
  if (filter.regex) {
    // A global or sticky regex keeps state between tests; a copy without those flags does not.
    const re = new RegExp(filter.regex.source, filter.regex.flags.replace(/[gy]/g, ''));
    text = { command: (c) => re.test(c), reason: (r) => re.test(shown(r)) };
  } else if (filter.text) {
    const needle = filter.text.toLowerCase();
    text = { command: (c) => c.toLowerCase().includes(needle), reason: (r) => shown(r).toLowerCase().includes(needle) };
  }
  return {
    compiled: true,
    states,
    hosts: filter.hosts && filter.hosts.length > 0 ? new Set(filter.hosts) : null,
    origins: filter.origins && filter.origins.length > 0 ? new Set(filter.origins) : null,
    sessions: filter.sessions && filter.sessions.length > 0 ? new Set(filter.sessions) : null,
    privileged: filter.privileged ?? null,
    sinceMs: filter.sinceMs ?? null,
    untilMs: filter.untilMs ?? null,
    text,
    security: filter.security === true,
    operators: filter.operators && filter.operators.length > 0 ? new Set(filter.operators) : null,
  };
}

/** Everything but the text search (the cheap parts, checked first). */
export function matchesFacts(f: CompiledFilter, e: Omit<EntryFacts, 'command' | 'reason'>): boolean {
  if (f.states && !f.states.has(e.state)) return false;
  if (f.hosts && !f.hosts.has(e.host)) return false;
  if (f.origins && !f.origins.has(e.origin)) return false;
  if (f.sessions && !f.sessions.has(e.session)) return false;
  if (f.privileged !== null && e.privileged !== f.privileged) return false;
  // An entry without a readable time is outside every time range.
  if (f.sinceMs !== null && !(e.timeMs >= f.sinceMs)) return false;
  if (f.untilMs !== null && !(e.timeMs < f.untilMs)) return false;
  if (f.security && !isSecurityEntry(e)) return false;
  if (f.operators && !operatorMatches(e.operator, f.operators)) return false;
  return true;
}

export function matchesFilter(entry: Entry, filter: EntryFilter | CompiledFilter): boolean {
  const f = 'compiled' in filter ? filter : compileFilter(filter);
  if (!matchesFacts(f, entry)) return false;
  return f.text === null || f.text.command(commandOf(entry.pipeline)) || f.text.reason(entry.reason);
}

// ---- stats ----

/** The per-minute series covers at most this many minutes (the newest): a sparkline, not history. */
export const MAX_RATE_MINUTES = 7 * 24 * 60;
export const DEFAULT_TOP_COMMANDS = 10;

/**
 * Nearest-rank percentiles of a set of values (reordered in place). Selection, not a sort:
 * linear time, which matters for half a million durations.
 */
export function percentiles(values: Float64Array): Percentiles | null {
  const n = values.length;
  if (n === 0) return null;
  const rank = (p: number) => Math.max(0, Math.ceil((p / 100) * n) - 1);
  const k50 = rank(50);
  const k95 = rank(95);
  select(values, k50, 0, n - 1);
  select(values, k95, k50, n - 1);
  let max = values[0];
  for (let i = 1; i < n; i++) if (values[i] > max) max = values[i];
  return { count: n, p50: values[k50], p95: values[k95], max };
}

/** Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it, larger after (Hoare's quickselect). */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    // Median of three as the pivot: sorted or reversed input stays linear.
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function countsDescending<K extends string>(counts: Map<string, number>, key: K): Array<Record<K, string> & { count: number }> {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, count]) => ({ [key]: name, count }) as Record<K, string> & { count: number });
}

/** What stats are made of, however it was counted (columns in the engine, plain entries in the tests' oracle). */
export interface StatsParts {
  total: number;
  byState: Record<EntryState, number>;
  anomalies: Record<Anomaly, number>;
  hosts: Map<string, number>;
  /** Per collected host; absent or empty unless reading a collector directory. */
  origins?: Map<string, number>;
  sessions: Map<string, number>;
  /** Commands as displayed; the empty one (an orphan's) is not counted. */
  commands: Map<string, number>;
  latency: Float64Array;
  duration: Float64Array;
  /** Request times that are known. */
  times: Float64Array;
  /** Rejected requests per refusal kind (absent: none counted). */
  rejects?: Record<RejectKind, number>;
}

export function emptyCounts(): Pick<StatsParts, 'byState' | 'anomalies'> & { rejects: Record<RejectKind, number> } {
  return {
    byState: Object.fromEntries(ENTRY_STATES.map((s) => [s, 0])) as Record<EntryState, number>,
    anomalies: Object.fromEntries(ANOMALIES.map((a) => [a, 0])) as Record<Anomaly, number>,
    rejects: Object.fromEntries(REJECT_KINDS.map((k) => [k, 0])) as Record<RejectKind, number>,
  };
}

/** Several sources' parts as one (a fleet's hosts), to finish together. */
export function mergeStatsParts(all: readonly StatsParts[]): StatsParts {
  const { byState, anomalies, rejects } = emptyCounts();
  const hosts = new Map<string, number>();
  const origins = new Map<string, number>();
  const sessions = new Map<string, number>();
  const commands = new Map<string, number>();
  const add = (into: Map<string, number>, from: Map<string, number> | undefined) => from?.forEach((n, k) => into.set(k, (into.get(k) ?? 0) + n));
  const concat = (pick: (p: StatsParts) => Float64Array) => {
    const out = new Float64Array(all.reduce((n, p) => n + pick(p).length, 0));
    let at = 0;
    for (const p of all) {
      out.set(pick(p), at);
      at += pick(p).length;
    }
    return out;
  };
  let total = 0;
  for (const p of all) {
    total += p.total;
    for (const s of ENTRY_STATES) byState[s] += p.byState[s];
    for (const a of ANOMALIES) anomalies[a] += p.anomalies[a];
    if (p.rejects) for (const k of REJECT_KINDS) rejects[k] += p.rejects[k];
    add(hosts, p.hosts);
    add(origins, p.origins);
    add(sessions, p.sessions);
    add(commands, p.commands);
  }
  return { total, byState, anomalies, rejects, hosts, origins, sessions, commands, latency: concat((p) => p.latency), duration: concat((p) => p.duration), times: concat((p) => p.times) };
}

/** Ranks and buckets the parts (reorders `latency` and `duration` in place). */
export function finishStats(parts: StatsParts, options: { topCommands?: number } = {}): EntryStats {
  return {
    total: parts.total,
    byState: parts.byState,
    byHost: countsDescending(parts.hosts, 'host'),
    byOrigin: countsDescending(parts.origins ?? new Map(), 'origin'),
    bySession: countsDescending(parts.sessions, 'session'),
    latency: percentiles(parts.latency),
    duration: percentiles(parts.duration),
    perMinute: perMinute(parts.times),
    topCommands: countsDescending(parts.commands, 'command').slice(0, options.topCommands ?? DEFAULT_TOP_COMMANDS),
    anomalies: parts.anomalies,
    rejects: parts.rejects ?? emptyCounts().rejects,
  };
}

/** Requests per minute, oldest first, over the newest MAX_RATE_MINUTES at most. */
export function perMinute(timesMs: Float64Array): EntryStats['perMinute'] {
  if (timesMs.length === 0) return { startMs: 0, counts: [] };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of timesMs) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const last = Math.floor(max / 60_000);
  const first = Math.max(Math.floor(min / 60_000), last - MAX_RATE_MINUTES + 1);
  const counts = new Array<number>(last - first + 1).fill(0);
  for (const t of timesMs) {
    const i = Math.floor(t / 60_000) - first;
    if (i >= 0) counts[i]++;
  }
  return { startMs: first * 60_000, counts };
}

// ---- time specs ----

export class TimeSpecError extends Error {
  constructor(spec: string) {
    super(`'${spec}' is not a time: use a duration ago (30s, 15m, 2h, 7d, 1w, 1h30m), now, today, yesterday, or ISO 8601 (2026-11-01, 2026-11-01T08:00, 2026-11-01T08:00:00Z)`);
    this.name = 'TimeSpecError';
  }
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:\.\d+)?[smhdw])+$/;

/** A duration such as `30s`, `15m`, `1h30m`, `7d` (and `250ms`), in ms; null when it is not one. */
export function parseDurationMs(spec: string): number | null {
  const s = spec.trim();
  const ms = /^(\d+)ms$/.exec(s);
  if (ms) return Number(ms[1]);
  if (!DURATION.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}
const LOCAL_OR_ZONED = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time given on a command line or typed in the viewer, in ms since the epoch:
 * a duration ago (`2h`, `30m`, `7d`, `1h30m`, optionally followed by ` ago`), `now`, `today`,
 * `yesterday` (local midnight), or ISO 8601. Without a zone, a date or time is local time.
 * Throws TimeSpecError with a hint on anything else.
 */
export function parseTimeSpec(spec: string, nowMs: number): number {
  const s = spec.trim().toLowerCase().replace(/\s+ago$/, '');
  if (s === 'now') return nowMs;
  if (s === 'today' || s === 'yesterday') {
    const d = new Date(nowMs);
    d.setHours(0, 0, 0, 0);
    if (s === 'yesterday') d.setDate(d.getDate() - 1);
    return d.getTime();
  }
  const ago = parseDurationMs(s);
  if (ago !== null) return nowMs - ago;
  const m = LOCAL_OR_ZONED.exec(spec.trim());
  if (!m) throw new TimeSpecError(spec);
  const [year, month, day] = [+m[1], +m[2], +m[3]];
  const [hour, minute, second] = [+(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)];
  const ms = m[7] === undefined ? 0 : Math.round(+`0.${m[7]}` * 1000);
  const zone = m[8];
  let t: number;
  if (zone === undefined) {
    const d = new Date(year, month - 1, day, hour, minute, second, ms);
    // Rolled over (Feb 31, 25:00): not a real date.
    if (d.getFullYear() !== year || d.getMonth() !== month - 1 || d.getDate() !== day || d.getHours() !== hour || d.getMinutes() !== minute) {
      throw new TimeSpecError(spec);
    }
    t = d.getTime();
  } else {
    t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
    const check = new Date(t);
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute) {
      throw new TimeSpecError(spec);
    }
    if (zone.toUpperCase() !== 'Z') {
      const sign = zone[0] === '+' ? 1 : -1;
      const digits = zone.slice(1).replace(':', '');
      t -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
    }
  }
  if (second > 59) throw new TimeSpecError(spec);
  return t;
}
