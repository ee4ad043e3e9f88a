/**
 * Owns one collected host's line bookkeeping: resends found, early responses held, chain order.
 *
 * A shipper (rsyslog over RELP) delivers every line, but after a retry whole batches arrive
 * late, and after a reconnect a batch may arrive twice. So:
 * - a line identical, byte for byte, to an earlier line with the same `seq` (or, for a record
 *   without chain fields, the same id and type) is a resend: dropped and counted (a different
 *   line with the same seq — a forgery, or a chain that restarted from genesis — is kept, for
 *   `verify` to judge);
 * - a response that arrives before its request is held until the request comes (or, at the
 *   end of what is there, becomes an orphan as it would in a plain file);
 * - entries are put in chain order (`seq`) once the files are read, and while following, a
 *   late batch goes where its seqs put it, not on the end.
 * What the engine does with it: collected-host-policy.ts.
 */
import type { LocatedCompact } from './entry-store.js';
import { monotonicMs } from '../shared/clock.js';
import { detached, KIND_REQUEST, KIND_RESPONSE } from './compact-record.js';

/** Reads back a line's bytes (without the newline); null when it is gone. */
export type ReadLine = (seg: number, offset: number, length: number) => Buffer | null;

/**
 * Seqs the index first makes room for, and its least slack when it grows. (1,024 were ~12 KB a
 * host: 120 MB for a followed fleet of 10,000 hosts of a hundred records.)
 */
const HEAD_ROOM = 64;
/**
 * Room kept for a followed host's next lines once its files are read (it grows by half as
 * appends come): most of a fleet's hosts append a record now and then.
 */
const FOLLOW_ROOM = 16;
/**
 * How far the seqs may spread beyond 4 slots a line held: a host's seqs are its own choice,
 * and seq 1 beside seq 2^40 asked for a table of 2^40 (the fleet failed; 2^31 took gigabytes).
 * A seq farther out keeps no duplicate check: a resent copy of it is shown twice, nothing worse.
 */
const FAR_SEQ_ROOM = 1 << 16;

/** Chained lines by seq, in typed arrays (a collector holds millions): the first per seq, then a list. */
class LinesBySeq {
  /** seq of head[0]; head[seq - base] is 1 + the first line's index, 0 for none. */
  private base = 0;
  private head = new Int32Array(0);
  // (Small at first: a fleet has thousands of hosts, many with a few records.)
  private seg = new Int32Array(64);
  private offset = new Float64Array(64);
  private length = new Int32Array(64);
  private next = new Int32Array(64);
  private count = 0;

  /** The index of the latest line with this seq, -1 for none; `before(i)` gives the one before it. */
  latest(seq: number): number {
    const at = seq - this.base;
    return at < 0 || at >= this.head.length ? -1 : this.head[at] - 1;
  }

  before(i: number): number {
    return this.next[i] - 1;
  }

  lineOf(i: number): { seg: number; offset: number; length: number } {
    return { seg: this.seg[i], offset: this.offset[i], length: this.length[i] };
  }

  add(seq: number, seg: number, offset: number, length: number): void {
    if (!this.cover(seq)) return;
    if (this.count === this.seg.length) this.growLines();
    const i = this.count++;
    this.seg[i] = seg;
    this.offset[i] = offset;
    this.length[i] = length;
    this.next[i] = this.head[seq - this.base];
    this.head[seq - this.base] = i + 1;
  }

  /** Makes head[] reach `seq` (a late batch may be older than everything so far); false when it is too far (FAR_SEQ_ROOM). */
  private cover(seq: number): boolean {
    if (this.head.length === 0) {
      this.base = seq;
      this.head = new Int32Array(HEAD_ROOM);
      return true;
    }
    const low = Math.min(this.base, seq);
    const high = Math.max(this.base + this.head.length, seq + 1);
    if (low === this.base && high <= this.base + this.head.length) return true;
    const span = high - low;
    if (span > 4 * this.count + FAR_SEQ_ROOM) return false;
    // Room to grow both ways, so a run of late batches does not copy every time.
    const slack = Math.max(HEAD_ROOM, span >> 1);
    const newBase = low < this.base ? low - slack : this.base;
    const bigger = new Int32Array(span + slack + (this.base - newBase));
    bigger.set(this.head, this.base - newBase);
    this.base = newBase;
    this.head = bigger;
    return true;
  }

  /** Gives back the room beyond the lines there are and the seqs they have (and `spare` more of each). */
  trim(spare: number): void {
    this.resizeLines(this.count + spare);
    let low = 0;
    while (low < this.head.length && this.head[low] === 0) low++;
    let high = this.head.length;
    while (high > low && this.head[high - 1] === 0) high--;
    if (low === high) return;
    const kept = new Int32Array(high - low + spare);
    kept.set(this.head.subarray(low, high));
    this.base += low;
    this.head = kept;
  }

  private growLines(): void {
    this.resizeLines(Math.ceil(this.seg.length * 1.5));
  }

  private resizeLines(n: number): void {
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a.subarray(0, Math.min(n, this.count)));
      return b;
    };
    this.seg = grow(this.seg, (k) => new Int32Array(k));
    this.offset = grow(this.offset, (k) => new Float64Array(k));
    this.length = grow(this.length, (k) => new Int32Array(k));
    this.next = grow(this.next, (k) => new Int32Array(k));
  }
}

type LinePlace = { seg: number; offset: number; length: number };

/** A record's line, read once and only if there is an earlier line of its length to compare with. */
class LineBytes {
  private bytes: Buffer | null | undefined;
  constructor(
    private readonly place: LinePlace,
    private readonly readLine: ReadLine,
  ) {}

  /** A line compared with could not be read (its file gone): "not equal" then says nothing. */
  unread = false;

  equals(earlier: LinePlace): boolean {
    if (earlier.length !== this.place.length) return false;
    // A copy: readLine may hand back the same scratch buffer for the next line.
    if (this.bytes === undefined) {
      const bytes = this.readLine(this.place.seg, this.place.offset, this.place.length);
      this.bytes = bytes && Buffer.from(bytes);
    }
    const theirs = this.readLine(earlier.seg, earlier.offset, earlier.length);
    if (this.bytes === null || theirs === null) this.unread = true;
    return this.bytes !== null && theirs !== null && this.bytes.equals(theirs);
  }
}

interface Held {
  record: LocatedCompact;
  heldAt: number;
}

export class CollectedLines {
  /** Exact duplicate lines dropped. */
  duplicates = 0;
  /** Some seq is carried by two different lines: chain order is ambiguous, entries keep arrival order. */
  seqReused = false;
  /** The record `isDuplicate` kept last carries a seq an earlier line carries, and differs from each, byte for byte. */
  differsFromSeen = false;
  /** Null once nothing more will be read (not following): then there is nothing to compare with. */
  private bySeq: LinesBySeq | null = new LinesBySeq();
  /** Unchained requests and responses by id hash and kind (rare: a daemon that does not chain). */
  /** (Made at first use: a fleet follows thousands of hosts, and an empty Map or Set holds a table of ~140 bytes.) */
  private unchained: Map<number, LinePlace[]> | null = null;
  private held: Map<number, Held[]> | null = null;
  private heldCount = 0;
  /** Slot → the seq of its first record (NaN: unchained). */
  private slotSeq = new Float64Array(64);

  constructor(
    private readonly readLine: ReadLine,
    private readonly now: () => number = monotonicMs,
  ) {}

  /** True when `r`'s line is an exact copy of an earlier one: drop it. Otherwise remembers it. */
  isDuplicate(r: LocatedCompact): boolean {
    this.differsFromSeen = false;
    if (!this.bySeq) return false;
    if (r.seq >= 0) return this.chainedDuplicate(r, this.bySeq);
    return r.kind === KIND_REQUEST || r.kind === KIND_RESPONSE ? this.unchainedDuplicate(r) : false;
  }

  private chainedDuplicate(r: LocatedCompact, bySeq: LinesBySeq): boolean {
    // (A loop, not a generator, and nothing allocated for a first seq: this runs once per record of a fleet.)
    let mine: LineBytes | null = null;
    for (let i = bySeq.latest(r.seq); i >= 0; i = bySeq.before(i)) {
      mine ??= new LineBytes(r, this.readLine);
      if (mine.equals(bySeq.lineOf(i))) {
        this.duplicates++;
        return true;
      }
    }
    if (mine) {
      this.seqReused = true;
      this.differsFromSeen = !mine.unread;
    }
    bySeq.add(r.seq, r.seg, r.offset, r.length);
    return false;
  }

  /**
   * A record without chain fields (a daemon that does not chain) has no seq to find its copy
   * by: its id does (a resent request or response has the same one).
   */
  private unchainedDuplicate(r: LocatedCompact): boolean {
    const key = r.idHash * 2 + r.kind;
    const earlier = this.unchained?.get(key);
    const mine = new LineBytes(r, this.readLine);
    if (earlier?.some((line) => mine.equals(line))) {
      this.duplicates++;
      return true;
    }
    const line = { seg: r.seg, offset: r.offset, length: r.length };
    if (earlier) earlier.push(line);
    else (this.unchained ??= new Map()).set(key, [line]);
    return false;
  }

  /** Keeps a response whose request has not arrived (yet). */
  hold(r: LocatedCompact): void {
    const held = (this.held ??= new Map());
    const list = held.get(r.idHash) ?? [];
    list.push({ record: detached(r), heldAt: this.now() });
    held.set(r.idHash, list);
    this.heldCount++;
  }

  /** The responses held for a request that just arrived, in arrival order. */
  takeHeld(idHash: number): LocatedCompact[] {
    const list = this.held?.get(idHash);
    if (!list) return [];
    this.held?.delete(idHash);
    this.heldCount -= list.length;
    return list.map((h) => h.record);
  }

  get holding(): number {
    return this.heldCount;
  }

  /** Held responses waiting longer than `ms` (all of them with 0), in line order: their requests are not coming. */
  takeHeldOlderThan(ms: number): LocatedCompact[] {
    const cutoff = this.now() - ms;
    const out: LocatedCompact[] = [];
    const held = this.held;
    if (held === null) return out;
    for (const [id, list] of held) {
      const keep: Held[] = [];
      for (const h of list) {
        if (h.heldAt > cutoff) keep.push(h);
        else out.push(h.record);
      }
      if (keep.length === 0) held.delete(id);
      else held.set(id, keep);
    }
    this.heldCount -= out.length;
    return out.sort((a, b) => a.seg - b.seg || a.offset - b.offset);
  }

  /** Records where an entry stands in its chain (its first record's seq). */
  placed(slot: number, seq: number): void {
    if (slot >= this.slotSeq.length) {
      const bigger = new Float64Array(Math.max(slot + 1, this.slotSeq.length * 2));
      bigger.set(this.slotSeq);
      this.slotSeq = bigger;
    }
    this.slotSeq[slot] = seq >= 0 ? seq : Number.NaN;
  }

  /**
   * Everything there is has been read and sorted: gives back room kept for growth, and, when
   * nothing more will be read, the seq index and the seqs themselves.
   */
  finish(slots: number, more: boolean): void {
    if (!more) {
      this.bySeq = null;
      this.unchained = null;
      this.slotSeq = new Float64Array(0);
      return;
    }
    this.bySeq?.trim(FOLLOW_ROOM);
    if (this.slotSeq.length > slots + FOLLOW_ROOM) this.slotSeq = this.slotSeq.slice(0, slots + FOLLOW_ROOM);
  }

  /**
   * `order[from..]` (slots in arrival order) sorted into chain order, in place, among what is
   * before it: returns the first position whose entry changed, or -1 when nothing moved.
   * `order[..from]` is already in chain order (0 sorts everything). An unchained entry stays
   * just after the entry that arrived before it. Left alone when a seq was reused.
   */
  sortBySeq(order: Int32Array, from = 0): number {
    if (this.seqReused || order.length - from < 1 || order.length < 2) return -1;
    /** The chain position an entry sorts by: its seq, or (unchained) the one of the entry before it. */
    const keyBefore = (end: number) => {
      for (let i = end - 1; i >= 0; i--) {
        const seq = this.slotSeq[order[i]];
        if (seq === seq) return seq; // not NaN
      }
      return 0;
    };
    let last = keyBefore(from);
    let lowest = Number.POSITIVE_INFINITY;
    let sorted = true;
    for (let i = from; i < order.length; i++) {
      const seq = this.slotSeq[order[i]];
      if (seq === seq) {
        if (seq < last) sorted = false;
        last = seq;
        lowest = Math.min(lowest, seq);
      }
    }
    if (sorted) return -1;
    // Entries already in place with a seq above the lowest newcomer's make room: sort from the first.
    let start = from;
    for (; start > 0; start--) {
      const seq = this.slotSeq[order[start - 1]];
      if (seq === seq && seq <= lowest) break;
    }
    const keys = new Float64Array(order.length - start);
    last = keyBefore(start);
    for (let i = start; i < order.length; i++) {
      const seq = this.slotSeq[order[i]];
      if (seq === seq) last = seq;
      keys[i - start] = last;
    }
    const index = Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
    const slots = index.map((i) => order[start + i]);
    let first = -1;
    for (let i = 0; i < slots.length && first === -1; i++) if (slots[i] !== order[start + i]) first = start + i;
    order.set(slots, start);
    return first;
  }
}
