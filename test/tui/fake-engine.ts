/**
 * An in-memory AuditEngine over an array of entries, for the viewer's tests: the same contract
 * as the real engine (src/shared/entry.ts), with methods to append, prepend, complete entries
 * and report progress as the real one would emit them. Filters and stats are the tests' oracle
 * (test/shared/oracles/entry-query.ts, on the rules of src/shared/query.ts), so the viewer is
 * tested against the real semantics.
 */
import { EventEmitter } from 'node:events';
import type {
  AuditEngine,
  ChainStatus,
  EngineChange,
  EngineNotice,
  Entry,
  EntryFilter,
  EntryStats,
  IndexProgress,
  MalformedLine,
  SealRecords,
  WriterEvent,
} from '../../src/shared/entry.js';
import { computeStats, factsOf, filterEntries } from '../shared/oracles/entry-query.js';

export class FakeEngine implements AuditEngine {
  readonly files: readonly string[];
  entries: Entry[];
  private malformedList: MalformedLine[] = [];
  private progressNow: IndexProgress;
  private readonly events = new EventEmitter();
  /** How often query() and stats() ran (the store must not run them on every key). */
  queries = 0;
  statsRuns = 0;
  /** The filters query() and stats() last ran with (what the viewer asked the engine for). */
  lastQuery: EntryFilter | null = null;
  lastStatsFilter: EntryFilter | undefined = undefined;

  /** Hosts of a fake collector directory (`options.origins`); none for files. */
  private readonly originList: string[];
  private duplicates: number;
  private readonly noticeList: EngineNotice[] = [];
  /** Writer events in log order, each with its `position` (tests keep it right). */
  writers: WriterEvent[] = [];
  private chainNow: ChainStatus | null;
  /** Present only when built with `options.chain`: an engine that checks the chain (issue #13). */
  chainStatus?: () => ChainStatus;
  /** Present only when built with `options.seals` (issue #14). */
  seals?: () => readonly SealRecords[];
  /** Absent when built with `options.noTimeOrder` (an engine from before issue #16). */
  timeOrder?: (positions?: Int32Array) => Int32Array;
  /** How often timeOrder() ran. */
  sorts = 0;

  constructor(
    entries: Entry[] = [],
    options: {
      files?: string[];
      progress?: IndexProgress;
      origins?: string[];
      duplicateLines?: number;
      chain?: ChainStatus;
      writers?: WriterEvent[];
      seals?: SealRecords[];
      noTimeOrder?: boolean;
    } = {},
  ) {
    if (!options.noTimeOrder) this.timeOrder = (positions) => this.byTime(positions);
    if (options.seals) this.seals = () => options.seals as SealRecords[];
    this.chainNow = options.chain ?? null;
    if (options.chain) this.chainStatus = () => this.chainNow as ChainStatus;
    this.writers = [...(options.writers ?? [])];
    this.entries = [...entries];
    this.files = options.files ?? ['/var/log/sudo-proxy/audit.log'];
    this.progressNow = options.progress ?? { bytesDone: 1_000, bytesTotal: 1_000, done: true };
    this.originList = [...(options.origins ?? [])].sort();
    this.duplicates = options.duplicateLines ?? 0;
  }

  /** A fresh array per call, as an engine may hand out. */
  origins(): readonly string[] {
    return [...this.originList];
  }

  duplicateLines(): number {
    return this.duplicates;
  }

  notices(): readonly EngineNotice[] {
    return this.noticeList;
  }

  /** Fresh objects per call, as the real engine's. */
  writerEvents(): readonly WriterEvent[] {
    return this.writers.map((w) => ({ ...w }));
  }

  size(): number {
    return this.entries.length;
  }

  entry(position: number): Entry {
    const e = this.entries[position];
    if (!e) throw new RangeError(`no entry at ${position} (size ${this.entries.length})`);
    return e;
  }

  query(filter: EntryFilter): Int32Array {
    this.queries++;
    this.lastQuery = filter;
    return filterEntries(this.entries, filter);
  }

  /** The oracle: a stable sort by timeMs (an entry without one first), as the contract says. */
  private byTime(positions?: Int32Array): Int32Array {
    this.sorts++;
    const all = positions ? Array.from(positions) : this.entries.map((_, i) => i);
    const t = (p: number) => (Number.isNaN(this.entries[p].timeMs) ? Number.NEGATIVE_INFINITY : this.entries[p].timeMs);
    return Int32Array.from(all.sort((a, b) => (t(a) === t(b) ? 0 : t(a) < t(b) ? -1 : 1)));
  }

  stats(filter?: EntryFilter): EntryStats {
    this.statsRuns++;
    this.lastStatsFilter = filter;
    const entries = filter ? Array.from(filterEntries(this.entries, filter), (i) => this.entries[i]) : this.entries;
    return computeStats(entries.map(factsOf));
  }

  malformedCount(): number {
    return this.malformedList.length;
  }

  malformed(): readonly MalformedLine[] {
    return this.malformedList;
  }

  progress(): IndexProgress {
    return this.progressNow;
  }

  on(event: 'change', listener: (change: EngineChange) => void): this;
  on(event: 'progress', listener: (progress: IndexProgress) => void): this;
  on(event: 'notice', listener: (notice: EngineNotice) => void): this;
  on(event: 'chain', listener: (status: ChainStatus) => void): this;
  on(event: string, listener: (...args: never[]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off(event: 'change' | 'progress' | 'notice' | 'chain', listener: (...args: never[]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount(event: string): number {
    return this.events.listenerCount(event);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  indexed(): Promise<void> {
    return Promise.resolve();
  }

  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // ---- driving it from a test ----

  append(...entries: Entry[]): void {
    this.entries.push(...entries);
    this.emitChange({ prepended: 0, appended: entries.length, updated: 0 });
  }

  /**
   * As the real engine appends: the entries are there (size() counts them) at once, and the
   * change saying so comes on a later turn (src/engine/change-batch.ts): call the function returned.
   */
  appendReportedLater(...entries: Entry[]): () => void {
    this.entries.push(...entries);
    return () => this.emitChange({ prepended: 0, appended: entries.length, updated: 0 });
  }

  /** Older history indexed after the tail. */
  prepend(...entries: Entry[]): void {
    this.entries.unshift(...entries);
    this.emitChange({ prepended: entries.length, appended: 0, updated: 0 });
  }

  /**
   * A fleet's merge anew: `entries` land among the others by time (a host's history or late
   * batch), so entries already shown move.
   */
  mergeByTime(...entries: Entry[]): void {
    this.entries = [...this.entries, ...entries].sort((a, b) => a.timeMs - b.timeMs);
    this.emitChange({ prepended: entries.length, appended: 0, updated: 0, reordered: true });
  }

  positionOf(key: number): number {
    return this.entries.findIndex((e) => e.key === key);
  }

  /** A response arrived for the entry at `position`. */
  update(position: number, patch: Partial<Entry>): void {
    Object.assign(this.entries[position], patch);
    this.emitChange({ prepended: 0, appended: 0, updated: 1 });
  }

  /** `quiet`: without the event (an engine that forgot to send it). */
  setProgress(progress: IndexProgress, options: { quiet?: boolean } = {}): void {
    this.progressNow = progress;
    if (!options.quiet) this.events.emit('progress', progress);
  }

  addMalformed(...lines: MalformedLine[]): void {
    this.malformedList.push(...lines);
    this.setProgress(this.progressNow);
  }

  /** A fleet engine found more exact duplicate lines (a resent batch) while indexing. */
  dropDuplicates(n: number): void {
    this.duplicates += n;
    this.setProgress(this.progressNow);
  }

  /** The chain check moved on or found a break: the `chain` event, as the real engine sends it. */
  setChain(chain: ChainStatus): void {
    this.chainNow = chain;
    this.events.emit('chain');
  }

  /** A writer record read after the entries now known (a stop, a start, a gap) with the change it comes in. */
  appendWriter(event: WriterEvent): void {
    this.writers.push({ ...event, position: this.entries.length });
    this.emitChange({ prepended: 0, appended: 0, updated: 0 });
  }

  notice(notice: EngineNotice): void {
    this.noticeList.push(notice);
    this.events.emit('notice', notice);
  }

  private emitChange(change: EngineChange): void {
    this.events.emit('change', change);
  }
}
