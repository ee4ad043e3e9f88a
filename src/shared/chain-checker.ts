/**
 * The incremental chain checker: lines pushed one at a time, in log order, across files; every
 * break found as soon as the lines after it decide what it is. `verifyChain` (chain.ts) is this
 * checker stopped at the first break; the engine keeps it running past breaks (it shows them all).
 *
 * It never sees a line's bytes: the caller says, per chained record, how its `prev` compares
 * with the record before it (`LinkFacts`, from a `ChainLinker`). So a scan worker can hash and
 * link the lines of a chunk where the bytes are, and hand only these facts to the main thread.
 * Places are the caller's own (file:line for verify, a span and line for the engine), cited
 * through `where` only when a message is read: the engine learns a tail's line numbers late.
 * Pure: no I/O.
 */
import { GENESIS_HASH } from './format-constants.js';

export type BreakKind =
  | 'modified' // a line's bytes no longer match the hash its successor recorded
  | 'deleted' // records are missing (seq jumps forward and the missing ones never appear)
  | 'inserted' // a line that was not written by the chain's writer
  | 'reordered' // records appear out of seq order
  | 'restarted'; // a new chain (genesis) starts after records of an older one

export type MalformedReason = 'blank line' | 'not valid UTF-8' | 'not JSON' | 'not a JSON object' | (string & {});

/** How a chained record's `prev` compares with the chained record before it: bits. */
export const LINKED = 1; // prev = the hash of the record before
export const SAME_PREV = 2; // prev = the prev of the record before (a copy of it inserted, or it replaced)
export const GENESIS_PREV = 4; // prev = GENESIS_HASH (a chain's first record)
export const LINKS_BEFORE = 8; // prev = the hash of the record before that one (which is then a copy inserted after it)

/**
 * The last chained record's prev and hash, and the hash of the one before it, to compute each
 * next record's LinkFacts. One per stream of lines in log order; a worker runs one over its
 * chunk, and the main thread `jump`s over a chunk whose links the worker checked.
 */
export class ChainLinker {
  private prev: string | null = null;
  private hash: string | null = null;
  /** The hash of the chained record before the last (which of two copies of one record the next continues from). */
  private before: string | null = null;

  get lastPrev(): string | null {
    return this.prev;
  }

  get lastHash(): string | null {
    return this.hash;
  }

  get beforeLastHash(): string | null {
    return this.before;
  }

  /** The facts of a record with this prev and hash after the last one; it becomes the last. */
  link(prev: string, hash: string): number {
    const facts = this.facts(prev);
    this.before = this.hash;
    this.prev = prev;
    this.hash = hash;
    return facts;
  }

  /**
   * `link` for a record whose prev the caller found equal to `lastHash`: LINKED and nothing else
   * (the same prev would need a line hashing to its own prev; genesis, a line hashing to zeros;
   * LINKS_BEFORE, two lines of one hash, which the checker needs only for a record not LINKED).
   * The engine compares a line's prev bytes with `lastHash` and makes no string of them.
   */
  linkNext(hash: string): number {
    this.before = this.hash;
    this.prev = this.hash;
    this.hash = hash;
    return LINKED;
  }

  /** The facts of a record with this prev after the last one, without moving on. */
  facts(prev: string): number {
    return (prev === this.hash ? LINKED : 0) | (prev === this.prev ? SAME_PREV : 0) | (prev === GENESIS_HASH ? GENESIS_PREV : 0) | (prev === this.before ? LINKS_BEFORE : 0);
  }

  /** The last chained record is now one with this prev and hash, after one hashing to `before` (a chunk already linked). */
  jump(prev: string | null, hash: string | null, before: string | null): void {
    this.before = before;
    this.prev = prev;
    this.hash = hash;
  }
}

/** A break found, cited lazily: `message(where)` with the caller's way to name a place. */
export interface FoundBreak<P> {
  kind: BreakKind;
  at: P;
  /** Key of the caller's choice carried by the record at the break (the engine: its entry), or -1. */
  key: number;
  /** A seq jump judged missing or modified: the record after the missing ones (a late batch may still fill them: engine/chain-track.ts). */
  after?: P;
  message(where: (at: P) => string): string;
}

interface Rec<P> {
  at: P;
  seq: number;
  key: number;
}

type Item<P> =
  | { kind: 'chained'; rec: Rec<P>; facts: number; reason: MalformedReason | null }
  | { kind: 'unchained'; at: P; key: number }
  | { kind: 'malformed'; at: P; reason: MalformedReason };

/** How far ahead the checker looks to tell a reordering from a deletion. */
export const LOOKAHEAD = 1024;

/** A seq jump waiting for the lines after it: the missing records may still come (reordered). */
interface Pending<P> {
  rec: Rec<P>;
  last: Rec<P>;
  /** The last LOOKAHEAD malformed lines since the record before the jump. */
  skipped: P[];
  /** Missing seqs [from, to). */
  from: number;
  to: number;
  ahead: Item<P>[];
}

export interface CheckerOptions<P> {
  /** Called with each break as it is found. */
  onBreak?: (b: FoundBreak<P>) => void;
  /** Malformed lines listed (all are counted). Default 0. */
  listMalformed?: number;
}

export class ChainChecker<P> {
  /** Chained records taken in (checked, or waiting on a lookahead). */
  total = 0;
  /** Chained records whose place in the chain is decided. */
  records = 0;
  /** Records without chain fields before any chain started. */
  unchained = 0;
  malformedCount = 0;
  readonly malformed: Array<{ at: P; reason: MalformedReason }> = [];
  firstSeq: number | null = null;
  breakCount = 0;
  /**
   * The last chained record checked, as fields: the common record (the next seq, linked) moves
   * them on without allocating (#17: per-line objects were a fifth of the chain check's cost).
   * `last` makes an object of them for the rarer paths, whose messages keep it.
   */
  private lastAt: P | null = null;
  private lastSeq = 0;
  // Stryker disable next-line UnaryOperator: equivalent, read only once lastAt is set (which sets it)
  private lastKey = -1;
  /**
   * Malformed lines since the last chained record, the last LOOKAHEAD of them: null until a
   * chain starts, since no line before it can be one of its records edited.
   */
  private garbled: P[] | null = null;
  private pending: Pending<P> | null = null;
  /**
   * Two records of one seq and one prev, the second just checked (their break said): the next
   * record says which of them the chain goes on from.
   */
  private twin: { first: Rec<P>; second: Rec<P> } | null = null;
  private readonly onBreak: (b: FoundBreak<P>) => void;
  private readonly listCap: number;

  constructor(options: CheckerOptions<P> = {}) {
    this.onBreak = options.onBreak ?? (() => {});
    this.listCap = options.listMalformed ?? 0;
  }

  /** The last chained record checked (a new object each time: a message may keep it). */
  get last(): Rec<P> | null {
    return this.lastAt === null ? null : { at: this.lastAt, seq: this.lastSeq, key: this.lastKey };
  }

  private setLast(rec: Rec<P>): void {
    this.lastAt = rec.at;
    this.lastSeq = rec.seq;
    this.lastKey = rec.key;
  }

  /** A record with valid seq and prev; `facts` from a ChainLinker. `reason`: it is also malformed (its bytes are not UTF-8). */
  chained(at: P, seq: number, facts: number, key = -1, reason: MalformedReason | null = null): void {
    this.total++;
    // A fast path only: with it off, `take` reaches the same state the general way; and lastAt is
    // null only before the first chained record, when no prev can be LINKED (the linker has no hash
    // yet). So these mutants are equivalent.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: equivalent (above)
    if (this.pending === null && this.twin === null && reason === null && this.lastAt !== null && seq === this.lastSeq + 1 && (facts & LINKED) !== 0) {
      // Nearly every record: the next one, linked, nothing waiting. What `process` does for it, in place.
      this.records++;
      const garbled = this.garbled as P[];
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, an empty list replaced by an empty list
      if (garbled.length > 0) this.garbled = [];
      this.lastAt = at;
      this.lastSeq = seq;
      this.lastKey = key;
      return;
    }
    this.take({ kind: 'chained', rec: { at, seq, key }, facts, reason });
  }

  /**
   * A record of a seq already checked, come after its turn (a collected host's lines, checked in
   * seq order as they come: engine/chain-track.ts): one of the two is not from the chain, and
   * which, only an order of all its lines tells (verify's over a collector).
   */
  seqTaken(at: P, seq: number, key = -1): void {
    this.fail('inserted', at, key, (w) => `${w(at)} carries seq ${seq}, whose record was already checked: one of the two is not from the chain`);
  }

  /** A record without valid chain fields. */
  unchainedRecord(at: P, key = -1): void {
    this.take({ kind: 'unchained', at, key });
  }

  /** A line that is not a record. */
  malformedLine(at: P, reason: MalformedReason): void {
    this.take({ kind: 'malformed', at, reason });
  }

  /** Nothing more for now: a seq jump still waiting for lines after it is judged on what came. */
  settle(): void {
    while (this.pending) this.resolve(null);
  }

  /** True while a break may still be found in lines already pushed (settle decides). */
  get waiting(): boolean {
    return this.pending !== null;
  }

  private take(item: Item<P>): void {
    const p = this.pending;
    if (p === null) return this.process(item);
    if (item.kind === 'chained' && item.rec.seq >= p.from && item.rec.seq < p.to) return this.resolve(item.rec, item);
    p.ahead.push(item);
    if (p.ahead.length >= LOOKAHEAD) this.resolve(null);
  }

  /** The pending jump is judged: reordered (`later` came), else deleted or modified; the lines held go on. */
  private resolve(later: Rec<P> | null, laterItem?: Item<P>): void {
    const p = this.pending as Pending<P>;
    this.pending = null;
    const { rec, last } = p;
    if (later) {
      this.fail('reordered', rec.at, rec.key, (w) => `${w(rec.at)} (seq ${rec.seq}) comes before ${w(later.at)} (seq ${later.seq}): records are out of order`);
    } else {
      const expectedSeq = last.seq + 1;
      const n = rec.seq - expectedSeq;
      // A torn append never advances the chain, so malformed lines where the missing records
      // should be are those records, edited into something that is no longer a record.
      // (Past the last LOOKAHEAD of them, where the edit was is no longer known: a deletion.)
      if (p.skipped.length >= n) {
        const edited = p.skipped[p.skipped.length - n];
        this.fail('modified', edited, rec.key, (w) => `${w(edited)} (seq ${expectedSeq}) was modified: it is no longer a record, and ${w(rec.at)} continues after it`, rec.at);
      } else {
        this.fail('deleted', rec.at, rec.key, (w) => `${n} record${n === 1 ? '' : 's'} (seq ${expectedSeq}${n > 1 ? `–${rec.seq - 1}` : ''}) missing between ${w(last.at)} and ${w(rec.at)}`, rec.at);
      }
    }
    // The chain goes on from the record that broke it; the lines held behind it are checked now.
    this.setLast(rec);
    const held = laterItem ? [...p.ahead, laterItem] : p.ahead;
    for (const item of held) this.take(item);
  }

  /**
   * Where the chain goes on after a twin, once the chained record after it came (`next`, with
   * `facts` against the second copy; null: none came, or a record without chain fields): from the
   * first when `next` continues from it (seq next, LINKS_BEFORE and not LINKED: its facts become
   * LINKED), else from the second. So the lines after are judged against the record they follow,
   * and a copy after the record it copies costs no second break.
   */
  private resolveTwin(next: Rec<P> | null, facts: number): number {
    const { first, second } = this.twin as { first: Rec<P>; second: Rec<P> };
    this.twin = null;
    if (next !== null && next.seq === second.seq + 1 && (facts & (LINKED | LINKS_BEFORE)) === LINKS_BEFORE) {
      this.setLast(first);
      return LINKED;
    }
    return facts;
  }

  private listMalformed(at: P, reason: MalformedReason): void {
    if (this.malformedCount++ < this.listCap) this.malformed.push({ at, reason });
  }

  private fail(kind: BreakKind, at: P, key: number, message: (w: (at: P) => string) => string, after?: P): void {
    this.breakCount++;
    this.onBreak(after === undefined ? { kind, at, key, message } : { kind, at, key, after, message });
  }

  private process(c: Item<P>): void {
    if (c.kind === 'malformed') {
      // A torn line (crash mid-append) is followed by a record whose prev skips it: tolerated
      // and listed. If a chained line was edited into garbage, the next record says so.
      this.listMalformed(c.at, c.reason);
      const garbled = this.garbled;
      if (garbled !== null) {
        if (garbled.length === LOOKAHEAD) garbled.shift();
        garbled.push(c.at);
      }
      return;
    }
    if (c.kind === 'unchained') {
      if (this.twin) this.resolveTwin(null, 0);
      // Records without chain fields are accepted before a chain starts (another writer);
      // once a chain runs, a line without valid seq/prev inside it was not written by its writer.
      const last = this.last;
      if (last !== null) this.fail('inserted', c.at, c.key, (w) => `${w(c.at)} carries no valid chain fields (seq, prev) inside the chain that runs through ${w(last.at)}`);
      else this.unchained++;
      return;
    }
    const { rec } = c;
    const facts = this.twin ? this.resolveTwin(rec, c.facts) : c.facts;
    if (c.reason !== null) this.listMalformed(rec.at, c.reason);
    const skipped = this.garbled as P[]; // (null only before the first record, which does not use it)
    this.garbled = [];
    this.records++;
    const last = this.last;
    if (last === null) {
      this.firstSeq = rec.seq;
      this.setLast(rec);
      return;
    }
    const expectedSeq = last.seq + 1;
    if (rec.seq > expectedSeq) {
      // Records missing here, or coming later (reordered): the lines after it say which.
      this.pending = { rec, last, skipped, from: expectedSeq, to: Math.min(rec.seq, expectedSeq + LOOKAHEAD), ahead: [] };
      return;
    }
    this.setLast(rec);
    if (rec.seq === expectedSeq && (facts & LINKED) !== 0) return;
    if ((facts & GENESIS_PREV) !== 0 && rec.seq === 1) {
      return this.fail('restarted', rec.at, rec.key, (w) => `a new chain starts at ${w(rec.at)} after seq ${last.seq} at ${w(last.at)}`);
    }
    if (rec.seq === last.seq && (facts & SAME_PREV) !== 0) {
      // Named at the first of the two, in words that claim neither: the chain cannot prove which
      // is the copy, since whoever can put a copy in the log can also rewrite the record after it
      // to continue from the copy. (An attacker's review: naming the one the next record did not
      // continue from vouched for a forged record so placed; naming the first as the copy, as it
      // was, blamed the genuine record when the copy came after it.) Where the chain goes on
      // from, the record after them says (resolveTwin).
      this.twin = { first: last, second: rec };
      return this.fail('inserted', last.at, last.key, (w) => `${w(last.at)} and ${w(rec.at)} carry the same seq ${rec.seq} and the same prev: one of them is not from the chain`);
    }
    if (rec.seq === expectedSeq) {
      return this.fail('modified', last.at, last.key, (w) => `${w(last.at)} (seq ${last.seq}) was modified: its hash no longer matches the prev recorded by ${w(rec.at)}`);
    }
    this.fail('reordered', rec.at, rec.key, (w) => `${w(rec.at)} (seq ${rec.seq}) comes after seq ${last.seq} at ${w(last.at)}: records are out of order`);
  }
}
