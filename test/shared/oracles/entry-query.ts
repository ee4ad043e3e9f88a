/**
 * The test oracle of queries and stats: filters and stats worked out over plain `Entry` objects
 * one by one, with the rules of src/shared/query.ts. The engine counts over its compact
 * columns instead; tests compare the two, and fakes of the engine answer with these.
 */
import type { Entry, EntryFilter, EntryStats } from '../../../src/shared/entry.js';
import { durationList } from '../../../src/shared/duration-keys.js';
import { commandOf, compileFilter, emptyCounts, type EntryFacts, finishStats, matchesFilter, minuteCounts } from '../../../src/shared/query.js';

/** What filters and stats read of an entry, as the engine supplies it from its columns. */
export function factsOf(entry: Entry): EntryFacts {
  return {
    state: entry.state,
    host: entry.host,
    origin: entry.origin,
    session: entry.session,
    privileged: entry.privileged,
    timeMs: entry.timeMs,
    latencyMs: entry.latencyMs,
    durationMs: entry.durationMs,
    command: commandOf(entry.pipeline),
    reason: entry.reason,
    anomalies: entry.anomalies,
    reject: entry.reject,
    operator: entry.operator,
  };
}

/** Positions (ascending) of the entries that match. */
export function filterEntries(entries: readonly Entry[], filter: EntryFilter): Int32Array {
  const f = compileFilter(filter);
  const out: number[] = [];
  for (let i = 0; i < entries.length; i++) if (matchesFilter(entries[i], f)) out.push(i);
  return Int32Array.from(out);
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Grows a Float64Array-backed list without boxing each number. */
class NumberList {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export function computeStats(entries: Iterable<EntryFacts>, options: { topCommands?: number } = {}): EntryStats {
  const { byState, anomalies, rejects } = emptyCounts();
  const hosts = new Map<string, number>();
  const origins = new Map<string, number>();
  const sessions = new Map<string, number>();
  const commands = new Map<string, number>();
  const latency = new NumberList();
  const duration = new NumberList();
  const times = new NumberList();
  let total = 0;
  for (const e of entries) {
    total++;
    byState[e.state]++;
    bump(hosts, e.host);
    if (e.origin !== '') bump(origins, e.origin);
    bump(sessions, e.session);
    if (e.command !== '') bump(commands, e.command);
    if (e.latencyMs !== null) latency.push(e.latencyMs);
    if (e.durationMs !== null) duration.push(e.durationMs);
    if (Number.isFinite(e.timeMs)) times.push(e.timeMs);
    for (const a of e.anomalies) anomalies[a]++;
    if (e.reject !== null) rejects[e.reject]++;
  }
  return finishStats(
    { total, byState, anomalies, rejects, hosts, origins, sessions, commands, latency: durationList(latency.values()), duration: durationList(duration.values()), minutes: minuteCounts(times.values()) },
    options,
  );
}
