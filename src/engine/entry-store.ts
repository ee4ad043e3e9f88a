/**
 * The engine's entries (the join's `EntrySink`): their slots, the order they are shown in, what changed.
 *
 * Entries are compact columns (entry-columns.ts), so a million fit in tens of MB. What is not
 * kept is read back from the entry's lines by offset when an `Entry` is asked for
 * (entry-read-back.ts); filters and stats run over the columns directly (entry-query.ts).
 * The join's rules are those of the plain-object join the tests hold it to.
 */
import type { Entry, EntryFilter, EntryLineSources, EntryLines, EntryState, EntryStats } from '../shared/entry.js';
import { ANOMALY_BITS, type EntrySink, parseRecordTime, responseFailed, stateOfDecision } from '../shared/join.js';
import { finishStats, type StatsParts } from '../shared/query.js';
import { EntryColumns, LAYOUT, type LocatedCompact } from './entry-columns.js';
import { entryStatsParts, queryEntries } from './entry-query.js';
import { ROW_SIZE } from './entry-line-rows.js';
import { EntryReader } from './entry-read-back.js';
import type { FileSpans } from './file-spans.js';
import { IdTable } from './id-table.js';
import { LineFingerprints } from './line-fingerprints.js';
import type { SharedStrings, StringPool } from './string-pool.js';

export type { LocatedCompact } from './entry-columns.js';

/** True when a line (span, offset, length) is still in a file. */
export type LineHeld = (seg: number, offset: number, length: number) => boolean;

/** What taking lines that left the files out of the entries did. */
export interface Withdrawal {
  /** Records (lines) taken out. */
  records: number;
  /** Slots running again (their response went). */
  reopened: number[];
  /** Slots with nothing left, taken out of the order. */
  dropped: number[];
  /** Their positions before (ascending), and how many entries were shown then. */
  droppedPositions: number[];
  visibleBefore: number;
}

const { F64, TM } = LAYOUT;

export class EntryStore implements EntrySink<LocatedCompact, LocatedCompact> {
  /** (Read by a fleet's shared store when the host hands its entries over: fleet-store.ts.) */
  readonly columns: EntryColumns;
  /** Each entry's lines' fingerprints, to know a line read back is the one indexed. */
  readonly fingerprints: LineFingerprints;
  private readonly reader: EntryReader;
  /** Slots in use; a slot is an entry's key. */
  count = 0;
  /** Position → slot for the entries shown (history indexed after the tail is not, until merged). */
  private order: Int32Array;
  visible = 0;
  readonly hosts: StringPool;
  readonly sessions: StringPool;
  readonly reasons: StringPool;
  /** Pipelines as JSON text; id 0 is the empty pipeline of an orphan. */
  readonly commands: StringPool;
  /** Resolved paths (as JSON text) and errors, for search. */
  readonly resolved: StringPool;
  readonly errors: StringPool;
  /** Slots changed since the last `takeTouched`, when tracking (live entries); null: not tracking. */
  touched: Set<number> | null = new Set();

  constructor(
    segments: FileSpans,
    expectedEntries = 1024,
    /** Entry.origin of every entry here (one engine reads one collected host, or plain files: ''). */
    readonly origin = '',
    /** Strings shared with other stores (a fleet's hosts); null: its own. */
    shared: SharedStrings | null = null,
  ) {
    this.columns = new EntryColumns(Math.max(16, expectedEntries), shared);
    this.order = new Int32Array(this.columns.capacity);
    this.fingerprints = new LineFingerprints(this.columns.capacity);
    this.reader = new EntryReader(this.columns, segments, origin, this.fingerprints);
    ({ hosts: this.hosts, sessions: this.sessions, reasons: this.reasons, commands: this.commands, resolved: this.resolved, errors: this.errors } = this.columns);
  }

  // ---- EntrySink ----

  addRequest(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    this.columns.writeRequest(s, r, state, anomalies);
    this.fingerprints.set(s, 'request', r.fingerprint);
    return s;
  }

  addOrphan(r: LocatedCompact, state: EntryState, anomalies: number): number {
    const s = this.newSlot();
    this.columns.writeOrphan(s, r, state, anomalies);
    this.fingerprints.set(s, 'response', r.fingerprint);
    return s;
  }

  setResponse(slot: number, r: LocatedCompact, state: EntryState): void {
    this.columns.setState(slot, state);
    this.columns.writeResponse(slot, r);
    this.fingerprints.set(slot, 'response', r.fingerprint);
    this.touch(slot);
  }

  flag(slot: number, anomalies: number): void {
    if (this.columns.isLost(slot)) return;
    const before = this.columns.anomalies(slot);
    if ((before | anomalies) === before) return;
    this.columns.setAnomalies(slot, before | anomalies);
    this.touch(slot);
  }

  unflag(slot: number, anomalies: number): void {
    if (this.columns.isLost(slot)) return;
    const before = this.columns.anomalies(slot);
    if ((before & ~anomalies) === before) return;
    this.columns.setAnomalies(slot, before & ~anomalies);
    this.touch(slot);
  }

  state(slot: number): EntryState {
    return this.columns.state(slot);
  }

  hasResponse(slot: number): boolean {
    return this.columns.hasResponse(slot);
  }

  /** Withdrawn (none of its lines is in a file any more): in no order. */
  isLost(slot: number): boolean {
    return this.columns.isLost(slot);
  }

  idHash(slot: number): number {
    return this.columns.idHash(slot);
  }

  /** An id table over this store's slots (it reads the rest of each hash from the id column). */
  idTable(expected = 1024): IdTable {
    return new IdTable(expected, (slot) => this.columns.idHash(slot));
  }

  /**
   * Takes every record of the entries shown whose line is in one of the spans `segs` and no
   * longer `held` out of its entry, leaving each entry as a fresh read of the files would make
   * it: without its response it is its request's alone again (an approved one running); without
   * its request, an orphan response; with neither, it leaves the order.
   */
  withdraw(segs: ReadonlySet<number>, held: LineHeld): Withdrawal {
    const c = this.columns;
    const out: Withdrawal = { records: 0, reopened: [], dropped: [], droppedPositions: [], visibleBefore: this.visible };
    const gone = ([seg, offset, length]: [number, number, number]) => segs.has(seg) && !held(seg, offset, length);
    let kept = 0;
    for (let p = 0; p < this.visible; p++) {
      const s = this.order[p];
      const hadRequest = c.hasRequest(s);
      const hadResponse = c.hasResponse(s);
      const requestGone = hadRequest && gone(c.requestLine(s));
      const responseGone = hadResponse && gone(c.responseLine(s));
      out.records += Number(requestGone) + Number(responseGone);
      const response = requestGone && hadResponse && !responseGone ? this.reader.response(s) : null;
      if ((requestGone || !hadRequest) && (responseGone || !hadResponse || !response) && (requestGone || responseGone)) {
        c.markLost(s);
        this.reader.forget(s);
        this.touched?.delete(s);
        out.dropped.push(s);
        out.droppedPositions.push(p);
        continue;
      }
      this.order[kept++] = s;
      if (response) {
        const anomalies = (c.anomalies(s) & ~(ANOMALY_BITS['duplicate-id'] | ANOMALY_BITS.interrupted)) | ANOMALY_BITS['orphan-response'];
        c.forgetRequest(s, responseFailed(response) ? 'failed' : 'ok', anomalies, parseRecordTime(response.time));
        this.touch(s);
      } else if (responseGone) {
        const state = stateOfDecision(c.decision(s) ?? 'approved');
        c.forgetResponse(s, state);
        this.touch(s);
        if (state === 'running') out.reopened.push(s);
      }
    }
    this.visible = kept;
    return out;
  }

  /** Gives back reserved room beyond `spare` more entries (a fleet holds hundreds of small stores). */
  trim(spare: number): void {
    const capacity = Math.max(16, this.count + spare);
    if (capacity < this.columns.capacity) this.columns.resize(capacity);
    this.fingerprints.trim(capacity);
    if (this.visible + spare < this.order.length) this.order = this.order.slice(0, Math.max(16, this.visible + spare));
    this.columns.trimLists();
  }

  /** Makes room for `capacity` entries at once (one copy now rather than several later). */
  reserve(capacity: number): void {
    if (capacity > this.columns.capacity) this.columns.resize(capacity);
    this.fingerprints.reserve(capacity);
  }

  // ---- order ----

  /** Shows a slot after all others. */
  appendVisible(slot: number): void {
    if (this.visible === this.order.length) this.order = growInt32(this.order, this.order.length * 2);
    this.order[this.visible++] = slot;
  }

  /** Replaces the order (history merged in front of the tail). */
  setOrder(order: Int32Array, length: number): void {
    this.order = order;
    this.visible = length;
  }

  slotAt(position: number): number {
    if (!(position >= 0 && position < this.visible)) throw new RangeError(`no entry at position ${position} (size ${this.visible})`);
    return this.order[position];
  }

  /** Request times of the entries at positions [from, to), in one array (a fleet merges them). */
  timesAt(from: number, to: number): Float64Array {
    const out = new Float64Array(Math.max(0, to - from));
    const f64 = this.columns.f64;
    for (let p = from; p < to; p++) out[p - from] = f64[this.slotAt(p) * F64 + TM];
    return out;
  }

  /** The visible order, for building a merged one. */
  orderView(): Int32Array {
    return this.order.subarray(0, this.visible);
  }

  takeTouched(): Set<number> {
    const t = this.touched ?? new Set<number>();
    if (this.touched) this.touched = new Set();
    return t;
  }

  /** Line numbers of a segment became known: cached entries carry the old ones. */
  forgetCachedEntries(): void {
    this.reader.forgetAll();
  }

  // ---- reading entries ----

  entry(position: number): Entry {
    return this.reader.entry(this.slotAt(position));
  }

  entryLines(position: number): EntryLines {
    return this.reader.lines(this.slotAt(position));
  }

  /** The entries at `positions[from, to)` as rows (entry-line-rows.ts) in `rows`, and where their lines are read from. */
  entryLineRows(positions: Int32Array, from: number, to: number, rows: Float64Array): EntryLineSources {
    for (let i = from; i < to; i++) this.reader.packRow(this.slotAt(positions[i]), rows, (i - from) * ROW_SIZE);
    return { sources: this.reader.lineSources(), origin: this.origin };
  }

  /** Positions (ascending) of visible entries that match. */
  query(filter: EntryFilter): Int32Array {
    return queryEntries(this.columns, this.orderView(), this.origin, filter, (slot) => this.reader.idOf(slot));
  }

  /** Stats over the visible entries at `positions` (all when null). */
  stats(positions: Int32Array | null): EntryStats {
    return finishStats(this.statsParts(positions));
  }

  /** What stats are made of, for the entries at `positions` (all when null): counted by number, named once. */
  statsParts(positions: Int32Array | null): StatsParts {
    return entryStatsParts(this.columns, this.orderView(), this.origin, positions);
  }

  // ---- internals ----

  private newSlot(): number {
    if (this.count === this.columns.capacity) this.columns.resize(Math.ceil(this.columns.capacity * 1.5));
    this.columns.aboutToWrite(this.count);
    return this.count++;
  }

  private touch(slot: number): void {
    if (this.columns.isLost(slot)) return;
    this.reader.forget(slot);
    this.touched?.add(slot);
  }
}

function growInt32(a: Int32Array, capacity: number): Int32Array {
  const next = new Int32Array(capacity);
  next.set(a);
  return next;
}
