/**
 * Queries and stats over joined entries: filters shared by the TUI's keys and the CLI's flags,
 * and an aureport-style summary (the times both accept: time-spec.ts).
 * Pure: no I/O. The engine runs the same compiled filter over its compact columns.
 */
import type { Anomaly, Entry, EntryFilter, EntryState, EntryStats, Operator, Percentiles } from './entry.js';
import { ENTRY_STATES, isSecurityEntry, operatorMatches } from './entry.js';
import { REJECT_KINDS, type RejectKind } from './format-constants.js';
import { type DurationList, durationValues, msOfKey } from './duration-keys.js';
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

/** A text search (`--grep`, `--regex`, the viewer's `/`), tested against each field as the screen shows it. */
export type TextTest = (shown: string) => boolean;

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
  /** An entry matches when its command (as displayed) or any field of `searchedFields` does, as shown. */
  text: TextTest | null;
  /**
   * A plain text search, trimmed and lower-cased, for the ids (as shown) that hold it: the
   * whole id or a part. Null with a regex: the index keeps ids as text for a substring search.
   */
  idText: string | null;
  idPrefix: string | null;
  /** Only security events. */
  security: boolean;
  /** Operators named (user or uid): decided by one of them. */
  operators: ReadonlySet<string> | null;
}

/** A raw string from the log as the screen shows it (escaped, uncapped): what search sees. */
export const shownText = (raw: string): string => escapeForTerminal(raw, Number.POSITIVE_INFINITY);

export function compileFilter(filter: EntryFilter = {}): CompiledFilter {
  let states: Set<EntryState> | null = filter.states && filter.states.length > 0 ? new Set(filter.states) : null;
  if (filter.failedOnly) states = states ? new Set([...states].filter((s) => s === 'failed')) : new Set<EntryState>(['failed']);
  let text: TextTest | null = null;
  if (filter.regex) {
    // A global or sticky regex keeps state between tests; a copy without those flags does not.
    const re = new RegExp(filter.regex.source, filter.regex.flags.replace(/[gy]/g, ''));
    text = (s) => re.test(s);
  } else if (filter.text) {
    const needle = filter.text.toLowerCase();
    text = (s) => s.toLowerCase().includes(needle);
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
    idText: !filter.regex && filter.text && filter.text.trim() !== '' ? filter.text.trim().toLowerCase() : null,
    idPrefix: filter.idPrefix || null,
    security: filter.security === true,
    operators: filter.operators && filter.operators.length > 0 ? new Set(filter.operators) : null,
  };
}

/** True when `f` lets every entry through: callers skip the query (and its array of every position). */
export function filtersNothing(f: CompiledFilter): boolean {
  return (
    f.states === null &&
    f.hosts === null &&
    f.origins === null &&
    f.sessions === null &&
    f.privileged === null &&
    f.sinceMs === null &&
    f.untilMs === null &&
    f.text === null &&
    f.idText === null &&
    f.idPrefix === null &&
    !f.security &&
    f.operators === null
  );
}

/** Everything but the text search and the id (the cheap parts, checked first). */
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

/**
 * What a search looks through beside the command (as displayed), raw: what the index keeps as
 * text (interned per column; ids in one buffer), so a search over a million entries takes
 * milliseconds. A regex does not look at the id (`idSearched`).
 */
export function searchedFields(e: Pick<Entry, 'host' | 'session' | 'origin' | 'reason' | 'resolved' | 'requestError' | 'error'>): string[] {
  const out = [e.host, e.session, e.origin, e.reason];
  for (const p of e.resolved) if (p !== null) out.push(p);
  if (e.requestError !== null) out.push(e.requestError);
  if (e.error !== null) out.push(e.error);
  return out;
}

export function matchesFilter(entry: Entry, filter: EntryFilter | CompiledFilter): boolean {
  const f = 'compiled' in filter ? filter : compileFilter(filter);
  if (!matchesFacts(f, entry)) return false;
  if (f.idPrefix !== null && !entry.id.startsWith(f.idPrefix)) return false;
  const text = f.text;
  return (
    text === null ||
    (f.idText !== null && shownText(entry.id).toLowerCase().includes(f.idText)) ||
    text(commandOf(entry.pipeline)) ||
    searchedFields(entry).some((s) => text(shownText(s)))
  );
}

/**
 * What the viewer's `/` typed means: `/re/` a regular expression, anything else
 * a case-insensitive substring. An invalid expression is an error to show.
 */
export function searchFilter(typed: string): Pick<EntryFilter, 'text' | 'regex'> | { error: string } {
  // No `/re/flags`: `/usr/bin/rm` would read as `usr/bin` with flags `rm`. A path typed whole is
  // text; the case rule (an upper-case letter) stands in for the `i` flag.
  const re = /^\/(.+)\/$/s.exec(typed);
  if (!re) return { text: typed };
  return regexFilter(re[1]);
}

/**
 * A regular expression to search with (`print --regex`, the viewer's `/re/`): case-insensitive
 * unless it has an upper-case letter (journalctl's rule), or as `flags` say when given.
 */
export function regexFilter(source: string, flags?: string): { regex: RegExp } | { error: string } {
  const f = flags || (/\p{Lu}/u.test(source.replace(/\\./g, '')) ? '' : 'i');
  try {
    return { regex: new RegExp(source, f.includes('u') ? f : `${f}u`) };
  } catch (e) {
    return { error: `not a regular expression: ${(e as Error).message}` };
  }
}

// ---- stats ----

/** The per-minute series covers at most this many minutes (the newest): a sparkline, not history. */
export const MAX_RATE_MINUTES = 7 * 24 * 60;
export const DEFAULT_TOP_COMMANDS = 10;

/**
 * Nearest-rank percentiles of a set of values (reordered in place), given as they are or as
 * keys that order as they do (`valueOf` gives a key's value). Selection, not a sort: linear
 * time, which matters for half a million durations.
 */
export function percentiles(values: Float64Array | Uint32Array, valueOf: (key: number) => number = (v) => v): Percentiles | null {
  const n = values.length;
  if (n === 0) return null;
  const rank = (p: number) => Math.max(0, Math.ceil((p / 100) * n) - 1);
  const k50 = rank(50);
  const k95 = rank(95);
  select(values, k50, 0, n - 1);
  select(values, k95, k50, n - 1);
  let max = values[0];
  for (let i = 1; i < n; i++) if (values[i] > max) max = values[i];
  return { count: n, p50: valueOf(values[k50]), p95: valueOf(values[k95]), max: valueOf(max) };
}

/** Percentiles of a stats part's durations: over their keys, or over them all as numbers when some are kept aside (rare). */
export function durationPercentiles(list: DurationList): Percentiles | null {
  return list.others.length === 0 ? percentiles(list.keys, msOfKey) : percentiles(durationValues(list));
}

/** Puts the k-th smallest of a[lo..hi] at a[k], smaller ones before it, larger after (Hoare's quickselect). */
function select(a: Float64Array | Uint32Array, k: number, lo: number, hi: number): void {
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

function swap(a: Float64Array | Uint32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Most counted first, then by name: a total order (names are a map's keys). */
function byCountThenName(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

function countsDescending<K extends string>(counts: Map<string, number>, key: K): Array<Record<K, string> & { count: number }> {
  return [...counts].sort(byCountThenName).map(([name, count]) => ({ [key]: name, count }) as Record<K, string> & { count: number });
}

/**
 * `countsDescending(counts, key).slice(0, n)`, without sorting them all: the best `n` kept as
 * they come (#17: a log whose commands are each their own sorted 500,000 of them for ten).
 */
export function topCounts<K extends string>(counts: Map<string, number>, key: K, n: number): Array<Record<K, string> & { count: number }> {
  const best: Array<[string, number]> = [];
  for (const entry of counts) {
    if (best.length === n && (n === 0 || byCountThenName(entry, best[n - 1]) >= 0)) continue;
    let at = best.length === n ? n - 1 : best.length;
    // (Insertion into the few kept, from the end.)
    while (at > 0 && byCountThenName(entry, best[at - 1]) < 0) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = entry;
  }
  return best.map(([name, count]) => ({ [key]: name, count }) as Record<K, string> & { count: number });
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
  latency: DurationList;
  duration: DurationList;
  /** Requests per minute of the known request times (`minuteCounts`). */
  minutes: MinuteCounts;
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
  const concat = <A extends Float64Array | Uint32Array>(pick: (p: StatsParts) => A, make: (length: number) => A): A => {
    const out = make(all.reduce((n, p) => n + pick(p).length, 0));
    let at = 0;
    for (const p of all) {
      out.set(pick(p), at);
      at += pick(p).length;
    }
    return out;
  };
  const durations = (pick: (p: StatsParts) => DurationList): DurationList => ({
    keys: concat((p) => pick(p).keys, (n) => new Uint32Array(n)),
    others: concat((p) => pick(p).others, (n) => new Float64Array(n)),
  });
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
  const minutes = mergeMinuteCounts(all.map((p) => p.minutes));
  return { total, byState, anomalies, rejects, hosts, origins, sessions, commands, latency: durations((p) => p.latency), duration: durations((p) => p.duration), minutes };
}

/** Ranks and buckets the parts (reorders `latency` and `duration` in place). */
export function finishStats(parts: StatsParts, options: { topCommands?: number } = {}): EntryStats {
  return {
    total: parts.total,
    byState: parts.byState,
    byHost: countsDescending(parts.hosts, 'host'),
    byOrigin: countsDescending(parts.origins ?? new Map(), 'origin'),
    bySession: countsDescending(parts.sessions, 'session'),
    latency: durationPercentiles(parts.latency),
    duration: durationPercentiles(parts.duration),
    perMinute: rateOf(parts.minutes),
    topCommands: topCounts(parts.commands, 'command', options.topCommands ?? DEFAULT_TOP_COMMANDS),
    anomalies: parts.anomalies,
    rejects: parts.rejects ?? emptyCounts().rejects,
  };
}

/**
 * Requests per minute, oldest first, over the newest MAX_RATE_MINUTES at most: `counts[i]` is
 * minute `first + i` (minutes since the epoch). Parts merge exactly (`mergeMinuteCounts`): a
 * minute a part leaves out is older than its own newest week, so older than the merged one's.
 */
export interface MinuteCounts {
  first: number;
  counts: Uint32Array;
}

/** The minutes [first, last] counted for times from `minMs` to `maxMs` (no counts: none known). */
export function minuteWindow(minMs: number, maxMs: number): MinuteCounts {
  if (!(minMs <= maxMs)) return { first: 0, counts: new Uint32Array(0) };
  const last = Math.floor(maxMs / 60_000);
  const first = Math.max(Math.floor(minMs / 60_000), last - MAX_RATE_MINUTES + 1);
  return { first, counts: new Uint32Array(last - first + 1) };
}

/** Counts a known request time into its minute (older than the window: not counted). */
export function countMinute(m: MinuteCounts, timeMs: number): void {
  const i = Math.floor(timeMs / 60_000) - m.first;
  if (i >= 0) m.counts[i]++;
}

/** Per-minute counts of request times (those not finite: not counted). */
export function minuteCounts(timesMs: ArrayLike<number>): MinuteCounts {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < timesMs.length; i++) {
    const t = timesMs[i];
    if (t - t !== 0) continue;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const m = minuteWindow(min, max);
  if (m.counts.length > 0) for (let i = 0; i < timesMs.length; i++) if (timesMs[i] - timesMs[i] === 0) countMinute(m, timesMs[i]);
  return m;
}

/** Several parts' counts as one, over the newest MAX_RATE_MINUTES of them all. */
export function mergeMinuteCounts(all: readonly MinuteCounts[]): MinuteCounts {
  const counted = all.filter((m) => m.counts.length > 0);
  if (counted.length === 0) return { first: 0, counts: new Uint32Array(0) };
  // (A fleet's parts are thousands: no spread into Math.max.)
  const last = counted.reduce((most, m) => Math.max(most, m.first + m.counts.length - 1), Number.NEGATIVE_INFINITY);
  const first = Math.max(
    counted.reduce((least, m) => Math.min(least, m.first), Number.POSITIVE_INFINITY),
    last - MAX_RATE_MINUTES + 1,
  );
  const out = new Uint32Array(last - first + 1);
  for (const m of counted) for (let i = Math.max(0, first - m.first); i < m.counts.length; i++) out[m.first + i - first] += m.counts[i];
  return { first, counts: out };
}

/** Requests per minute, oldest first, over the newest MAX_RATE_MINUTES at most. */
export function perMinute(timesMs: Float64Array): EntryStats['perMinute'] {
  return rateOf(minuteCounts(timesMs));
}

function rateOf(m: MinuteCounts): EntryStats['perMinute'] {
  return { startMs: m.counts.length > 0 ? m.first * 60_000 : 0, counts: Array.from(m.counts) };
}
