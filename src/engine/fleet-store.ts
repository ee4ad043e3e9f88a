/**
 * Owns the fleet's shared store: one set of entry columns, one pool of strings, one list of
 * file spans and one reader for every host that is read and done (not followed).
 *
 * A host's engine is a small engine of its own (a reader, a join, a chain check, a change
 * batch, pools, closures): ~13 KB of heap a host beyond its records, measured on 1,000 hosts ×
 * 100 records (ReadPlan 0.5 KB, intake and join 2 KB, delivery policy and change batch 1.3 KB,
 * chain watch 1.2 KB, listeners 0.6 KB, the store's seven pools and order 2.4 KB, its columns
 * and id text 1.7 KB, spans 1.1 KB), and a dozen typed arrays of its own. Once a host not
 * followed is read, none of it is needed again: its rows are copied here (its strings mapped to
 * the shared pools, its ids and spans taken over) and its engine dropped. What is left of the
 * host is a `SettledHost`: where its rows are, and what it found (chain, malformed lines,
 * writer events, seals), a few hundred bytes.
 *
 * Keys and positions stay the host's own: a row keeps its slot (the host's key) at `base +
 * slot`, and its positions in the host's order are a run of this store's `order`. Queries and
 * stats over all settled hosts run once over the store (`query`, `statsParts`), not once a host.
 *
 * A followed host asleep is settled the same way; when it wakes its engine takes over and the
 * store lets it go (`drop`): its run leaves the order, its files are closed, its rows are no
 * one's until the store copies itself anew without them (`compact`, once they are half).
 */
import type {
  ChainStatus,
  Entry,
  EntryFilter,
  EntryLines,
  EntryStats,
  IndexProgress,
  MalformedLine,
  SealRecords,
  WriterEvent,
} from '../shared/entry.js';
import { compileFilter, finishStats, shownText, type StatsParts } from '../shared/query.js';
import type { DescriptorPool } from './descriptor-pool.js';
import type { HostEngine, HostFindings, HostHandOver } from './engine.js';
import { EntryColumns, LAYOUT } from './entry-columns.js';
import { entryStatsParts, queryEntries } from './entry-query.js';
import { EntryReader } from './entry-read-back.js';
import { FileSpans } from './file-spans.js';
import { LineFingerprints, type PlacedChange, withChangedLines, withChangedSeals } from './line-fingerprints.js';
import type { SharedStrings, StringPool } from './string-pool.js';
import { positionsByTime } from './time-order.js';

const { U8, U32, QS, QN, PS, PN, IX, POOL, HO, SE, RE, CM, OP, RV, EQ, EP, F64, TM, HAS_REQUEST, HAS_RESPONSE, FL } = LAYOUT;

const NO_LINE = (): Uint8Array | null => null;
const NONE: readonly never[] = [];

export class FleetStore {
  /** (The columns, fingerprints, spans and reader are made anew when the store is compacted.) */
  columns: EntryColumns;
  /** The rows' lines' fingerprints (a host's, taken with its rows): a line read back must be the one indexed. */
  fingerprints = new LineFingerprints(1024);
  spans: FileSpans;
  private reader: EntryReader;
  /** Rows in use. */
  private count = 0;
  /** Every settled host's order (rows), one host after another. */
  private order = new Int32Array(1024);
  private length = 0;
  /** Settled hosts, by where their run of `order` starts. */
  private readonly hosts: SettledHost[] = [];
  /** Rows of hosts dropped since (`drop`). */
  private unused = 0;
  /** Told when a settled host's line is found changed after it was read (its chain status changed), with the host's number. */
  onLineChanged: (hostNumber: number) => void = () => {};
  /** Changes whenever a host settles (the fleet's remembered answers about the store key on it). */
  version = 0;

  constructor(
    private readonly pool: DescriptorPool,
    private readonly shared: SharedStrings,
  ) {
    this.columns = new EntryColumns(1024, shared);
    this.spans = new FileSpans(pool);
    this.reader = this.readerOf();
  }

  private readerOf(): EntryReader {
    this.fingerprints.onChanged = (row) => {
      const host = this.hosts.find((h) => row >= h.base && row < h.base + h.slots);
      if (host) this.onLineChanged(host.number);
    };
    return new EntryReader(this.columns, this.spans, '', this.fingerprints);
  }

  /** Rows held (the store's own share of a fleet's memory: for the tests and the benchmark). */
  get rows(): number {
    return this.count;
  }

  /** Rows no host uses any more (hosts woken from their sleep: their engine holds them now). */
  get unusedRows(): number {
    return this.unused;
  }

  /** Takes a finished host's entries and findings: the host is this from now on. */
  take(origin: string, files: readonly string[], from: HostHandOver): SettledHost {
    const base = this.count;
    const firstSpan = this.spans.list.length;
    this.copyRows(from);
    const start = this.length;
    this.reserveOrder(start + from.order.length);
    for (let p = 0; p < from.order.length; p++) this.order[start + p] = base + from.order[p];
    this.length += from.order.length;
    const host = new SettledHost(this, origin, files, base, from.count, start, from.order.length, from);
    host.spans = [firstSpan, this.spans.list.length];
    this.hosts.push(host);
    this.version++;
    return host;
  }

  /**
   * Lets a settled host go (it has an engine of its own again: a followed host woken from its
   * sleep): its run leaves the order, its files are closed, and its rows are no one's.
   */
  drop(host: SettledHost): void {
    const at = this.hosts.indexOf(host);
    if (at < 0) return;
    this.hosts.splice(at, 1);
    const n = host.size();
    this.order.copyWithin(host.start, host.start + n, this.length);
    this.length -= n;
    for (let h = at; h < this.hosts.length; h++) this.hosts[h].start -= n;
    this.unused += host.slots;
    this.spans.release(host.spans[0], host.spans[1]);
    this.version++;
    // (So the store holds at most twice the rows its hosts use, however often hosts wake.)
    if (this.unused > this.count - this.unused) this.compact();
  }

  /**
   * Copies every host's rows, spans and changed lines anew, leaving out those no host uses:
   * each host's rows one after another from row 0, its keys and positions unchanged (a key is
   * a row less its host's base). O(rows in use), once as many rows are unused as used.
   */
  private compact(): void {
    const old = { columns: this.columns, fingerprints: this.fingerprints, spans: this.spans, order: this.order };
    const inUse = this.count - this.unused;
    this.columns = new EntryColumns(Math.max(16, inUse), this.shared);
    this.fingerprints = new LineFingerprints(Math.max(16, inUse));
    this.spans = new FileSpans(this.pool);
    this.order = new Int32Array(Math.max(16, this.length));
    this.count = 0;
    this.length = 0;
    this.unused = 0;
    const byField = this.poolMaps(old.columns);
    for (const host of this.hosts) {
      const [first, end] = host.spans;
      const firstSpan = this.spans.list.length;
      const segs = this.spans.takeRange(old.spans, first, end);
      const base = this.count;
      this.copyRange(old.columns, old.fingerprints, host.base, host.slots, (seg) => segs[seg - first], byField);
      const start = this.length;
      const run = old.order.subarray(host.start, host.start + host.size());
      for (let p = 0; p < run.length; p++) this.order[start + p] = base + run[p] - host.base;
      this.length += run.length;
      for (const c of old.fingerprints.changed) {
        if (c.key >= host.base && c.key < host.base + host.slots) this.fingerprints.foundChanged(segs[c.seg - first], c.line, base + c.key - host.base, false);
      }
      host.base = base;
      host.start = start;
      host.spans = [firstSpan, this.spans.list.length];
    }
    this.reader = this.readerOf();
  }

  /**
   * The lines `host` indexed whose fingerprint is not among `prints` (what a new reading of its
   * files found). `changed`: each still within its file, which now holds other bytes there
   * (rewritten in place: a break), at its file and line; `gone`: how many are in no file any
   * more (a truncation with no copy beside it, or a rotated file deleted): a loss, not a break.
   */
  linesNotIn(host: SettledHost, prints: Uint32Array): { changed: PlacedChange[]; gone: number } {
    const found = new Set<number>();
    for (const p of prints) if (p !== 0) found.add(p);
    const { columns } = this;
    const changed: PlacedChange[] = [];
    let gone = 0;
    /** Each span's file's size now (-1: it is nowhere), looked at once. */
    const sizes = new Map<number, number>();
    for (const row of this.runOf(host)) {
      const kept = this.fingerprints.printsOf(row, row + 1);
      for (let which = 0; which < 2; which++) {
        if (kept[which] === 0 || found.has(kept[which])) continue;
        const [seg, offset, length] = which === 0 ? columns.requestLine(row) : columns.responseLine(row);
        if (!sizes.has(seg)) sizes.set(seg, this.spans.sizeNow(seg));
        if (offset + length > (sizes.get(seg) as number)) {
          gone++;
          continue;
        }
        changed.push({ file: this.spans.get(seg).file, line: this.spans.lineNumber(seg, columns.u32[row * U32 + (which === 0 ? QN : PN)]), entryKey: row - host.base });
      }
    }
    return { changed, gone };
  }

  /** Gives back the room kept for hosts still to come (all are read). */
  trim(): void {
    if (this.columns.capacity > this.count + 16) this.columns.resize(Math.max(16, this.count));
    if (this.order.length > this.length) this.order = this.order.slice(0, this.length);
    this.columns.trimLists();
  }

  // ---- one host's answers ----

  entry(host: SettledHost, position: number): Entry {
    const e = this.reader.entry(this.order[host.start + position]);
    return { ...e, key: e.key - host.base, origin: host.origin };
  }

  entryLines(host: SettledHost, position: number): EntryLines {
    return this.reader.lines(this.order[host.start + position], host.origin);
  }

  runOf(host: SettledHost): Int32Array {
    return this.order.subarray(host.start, host.start + host.size());
  }

  timesAt(host: SettledHost, from: number, to: number): Float64Array {
    const out = new Float64Array(Math.max(0, to - from));
    const f64 = this.columns.f64;
    for (let p = from; p < to; p++) out[p - from] = f64[this.order[host.start + p] * F64 + TM];
    return out;
  }

  hostQuery(host: SettledHost, filter: EntryFilter): Int32Array {
    return queryEntries(this.columns, this.runOf(host), host.origin, filter, (row) => this.reader.idOf(row));
  }

  hostStatsParts(host: SettledHost, filter?: EntryFilter): StatsParts {
    return entryStatsParts(this.columns, this.runOf(host), host.origin, filter ? this.hostQuery(host, filter) : null);
  }

  // ---- every settled host at once ----

  /**
   * The entries of every settled host that match, as (host, host position) pairs in `emit`,
   * host by host: one pass over the store (a text search looks through the ids once, not once
   * a host). `wanted` leaves hosts out (a filter's origins).
   */
  query(filter: EntryFilter, emit: (host: SettledHost, position: number) => void): void {
    const { origins, ...rest } = filter;
    const wanted = origins && origins.length > 0 ? new Set(origins) : null;
    const text = compileFilter(rest).text;
    // (The origin is each host's: a host whose name the text finds matches whole, as one host's engine answers.)
    const wholeFilter = text ? { ...rest, text: undefined, regex: undefined } : null;
    const matched = queryEntries(this.columns, this.order.subarray(0, this.length), '', rest, (row) => this.reader.idOf(row));
    const whole = wholeFilter && this.hosts.some((h) => text!(shownText(h.origin))) ? queryEntries(this.columns, this.order.subarray(0, this.length), '', wholeFilter, (row) => this.reader.idOf(row)) : null;
    let k = 0;
    let w = 0;
    for (const host of this.hosts) {
      const end = host.start + host.size();
      const all = whole !== null && text!(shownText(host.origin));
      const take = wanted === null || wanted.has(host.origin);
      if (all) {
        while (w < whole.length && whole[w] < host.start) w++;
        for (; w < whole.length && whole[w] < end; w++) if (take) emit(host, whole[w] - host.start);
        while (k < matched.length && matched[k] < end) k++;
        continue;
      }
      while (k < matched.length && matched[k] < host.start) k++;
      for (; k < matched.length && matched[k] < end; k++) if (take) emit(host, matched[k] - host.start);
    }
  }

  /** Stats parts of every settled host's matching entries (all with no filter), as one. */
  statsParts(filter?: EntryFilter): StatsParts {
    const all = this.order.subarray(0, this.length);
    let positions: Int32Array | null = null;
    if (filter) {
      const found: number[] = [];
      this.query(filter, (host, p) => found.push(host.start + p));
      positions = Int32Array.from(found);
    }
    const parts = entryStatsParts(this.columns, all, '', positions);
    // Counted by host here: the columns above had no one origin.
    const origins = new Map<string, number>();
    let i = 0;
    for (const host of this.hosts) {
      const end = host.start + host.size();
      let n = 0;
      if (positions === null) n = host.size();
      else for (; i < positions.length && positions[i] < end; i++) n++;
      if (n > 0 && host.origin !== '') origins.set(host.origin, (origins.get(host.origin) ?? 0) + n);
    }
    parts.origins = origins;
    return parts;
  }

  /** A host's chain status, with its lines found changed after they were read (line-fingerprints.ts). */
  chainStatus(host: SettledHost, found: ChainStatus): ChainStatus {
    const mine = this.fingerprints.changed.filter((c) => c.key >= host.base && c.key < host.base + host.slots);
    return withChangedLines(found, mine, this.spans, host.origin, host.base);
  }

  // ---- copying ----

  private copyRows(from: HostHandOver): void {
    const segs = this.spans.takeOver(from.spans);
    this.copyRange(from.columns, from.fingerprints, 0, from.count, (seg) => segs[seg], this.poolMaps(from.columns));
  }

  /** Each of `src`'s strings by its number here, field by field (a host's: a few dozen; hosts, sessions and commands repeat). */
  private poolMaps(src: EntryColumns): Uint32Array[] {
    const dst = this.columns;
    const mapped = (pool: StringPool, into: StringPool) => Uint32Array.from(pool.stringsFrom(0), (s) => into.intern(s));
    const byField: Uint32Array[] = [];
    byField[HO] = mapped(src.hosts, dst.hosts);
    byField[SE] = mapped(src.sessions, dst.sessions);
    byField[RE] = mapped(src.reasons, dst.reasons);
    byField[CM] = mapped(src.commands, dst.commands);
    byField[OP] = mapped(src.operators, dst.operators);
    byField[RV] = mapped(src.resolved, dst.resolved);
    byField[EQ] = byField[EP] = mapped(src.errors, dst.errors);
    if (byField.length !== POOL) throw new Error(`fleet store: ${POOL} pool fields, ${byField.length} mapped`);
    for (const ids of byField) for (const id of ids) if (id > 0xffff && dst.pools instanceof Uint16Array) dst.pools = new Uint32Array(dst.pools);
    return byField;
  }

  /** Copies `src`'s rows [first, first + n) to the end of this store: strings by `byField`, spans by `segOf`, ids and fingerprints with them. */
  private copyRange(src: EntryColumns, prints: LineFingerprints, first: number, n: number, segOf: (seg: number) => number, byField: readonly Uint32Array[]): void {
    const dst = this.columns;
    if (this.count + n > dst.capacity) dst.resize(Math.max(this.count + n, Math.ceil(dst.capacity * 1.5)));
    const base = this.count;
    this.fingerprints.takeRows(prints, base, n, first);
    dst.copyRowsFrom(src, n, base, first);
    const { u8, u32, pools } = dst;
    for (let s = 0; s < n; s++) {
      const d = base + s;
      const from = first + s;
      for (let f = 0; f < POOL; f++) pools[d * POOL + f] = byField[f][src.pools[from * POOL + f]];
      const flags = u8[d * U8 + FL];
      if (flags & HAS_REQUEST) u32[d * U32 + QS] = segOf(u32[d * U32 + QS]);
      if (flags & HAS_RESPONSE) u32[d * U32 + PS] = segOf(u32[d * U32 + PS]);
      u32[d * U32 + IX] = dst.ids.addSearchBytes(src.ids.searchBytesAt(src.u32[from * U32 + IX]), 0, -1);
    }
    this.count += n;
  }

  private reserveOrder(n: number): void {
    if (n <= this.order.length) return;
    const bigger = new Int32Array(Math.max(n, Math.ceil(this.order.length * 1.5)));
    bigger.set(this.order.subarray(0, this.length));
    this.order = bigger;
  }
}

/**
 * A host read and done, its rows in the fleet's store: answers as its engine did (positions and
 * keys its own), from the store and what the engine found.
 */
export class SettledHost implements HostEngine {
  /** Its number in the fleet (set by the fleet). */
  number = -1;
  /** Where its run of the store's order starts (moves when a host before it leaves the store). */
  start: number;
  /** Its spans' ids in the store's list: [first, end). */
  spans: [number, number] = [0, 0];
  private readonly found: HostFindings;
  /** Its seal lines found changed after they were read (its seals' lines are read from its engine's list); those past `sealsChangedBefore` are not in `found.chain`. */
  private readonly sealsChanged: readonly PlacedChange[];
  private readonly sealsChangedBefore: number;

  constructor(
    private readonly store: FleetStore,
    readonly origin: string,
    readonly files: readonly string[],
    /** The row of its slot 0 (moves when the store is compacted). */
    public base: number,
    /** Its slots (withdrawn ones too). */
    readonly slots: number,
    start: number,
    private readonly length: number,
    from: HostHandOver,
  ) {
    this.start = start;
    // (Nothing of the engine is kept: a seal list without seals reads no line, so it holds none of its spans.)
    const seals = from.seals.map((s) => (s.locations.length > 0 ? s : { ...s, locations: NONE, line: NO_LINE }));
    const sealed = seals.some((s) => s.locations.length > 0);
    this.sealsChanged = sealed ? from.sealList.changed : NONE;
    this.sealsChangedBefore = this.sealsChanged.length;
    if (sealed) from.sealList.onChanged = () => store.onLineChanged(this.number);
    this.found = {
      malformedCount: from.malformedCount,
      malformed: from.malformed.length > 0 ? from.malformed : NONE,
      writerEvents: from.writerEvents.length > 0 ? from.writerEvents : NONE,
      chain: from.chain.breaks.length > 0 ? from.chain : { ...from.chain, breaks: NONE },
      seals,
      duplicates: from.duplicates,
      progress: from.progress,
    };
  }

  size(): number {
    return this.length;
  }

  entry(position: number): Entry {
    if (!(position >= 0 && position < this.length)) throw new RangeError(`no entry at position ${position} (size ${this.length})`);
    return this.store.entry(this, position);
  }

  entryLines(position: number): EntryLines {
    if (!(position >= 0 && position < this.length)) throw new RangeError(`no entry at position ${position} (size ${this.length})`);
    return this.store.entryLines(this, position);
  }

  positionOf(key: number): number {
    return this.store.runOf(this).indexOf(this.base + key);
  }

  query(filter: EntryFilter): Int32Array {
    return this.store.hostQuery(this, filter);
  }

  stats(filter?: EntryFilter): EntryStats {
    return finishStats(this.statsParts(filter));
  }

  statsParts(filter?: EntryFilter): StatsParts {
    return this.store.hostStatsParts(this, filter);
  }

  timesAt(from: number, to: number): Float64Array {
    return this.store.timesAt(this, from, to);
  }

  timeOrder(positions?: Int32Array): Int32Array {
    return positionsByTime(this.timesAt(0, this.length), positions ?? null);
  }

  /** Its slots in order (a new array: the store keeps rows). */
  slotsInOrder(): Int32Array {
    const run = this.store.runOf(this);
    const out = new Int32Array(run.length);
    for (let p = 0; p < run.length; p++) out[p] = run[p] - this.base;
    return out;
  }

  malformedCount(): number {
    return this.found.malformedCount;
  }

  malformed(): readonly MalformedLine[] {
    return this.found.malformed;
  }

  writerEvents(): readonly WriterEvent[] {
    return this.found.writerEvents;
  }

  chainStatus(): ChainStatus {
    const found = withChangedSeals(this.found.chain, this.sealsChanged.slice(this.sealsChangedBefore), this.origin);
    return this.store.chainStatus(this, found);
  }

  seals(): readonly SealRecords[] {
    return this.found.seals;
  }

  origins(): readonly string[] {
    return NONE;
  }

  duplicateLines(): number {
    return this.found.duplicates;
  }

  progress(): IndexProgress {
    return this.found.progress;
  }

  notices(): readonly never[] {
    return NONE;
  }

  /** (Read and done: it has nothing more to say.) */
  on(_event: string, _listener: (...args: never[]) => void): this {
    return this;
  }

  off(_event: string, _listener: (...args: never[]) => void): this {
    return this;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  indexed(): Promise<void> {
    return Promise.resolve();
  }

  /** (Its files are the store's: closed with the fleet.) */
  async close(): Promise<void> {}
}

