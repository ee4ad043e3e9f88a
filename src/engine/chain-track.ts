/**
 * Owns the hash chain as one engine reads it: shared/chain-checker.ts run over the records of
 * a join target (the entries shown, or a history read hidden), in log order, past every break.
 *
 * Lines read on this thread (the tail, followed appends, a small history) are hashed here as
 * they are read; a scan worker's chunk comes hashed and linked (chunk-scan.ts), and only its
 * ends are linked here. The tail is checked at once on its own (its breaks show before the
 * history is read); its lines are also kept, and once the history is in they are checked
 * again behind it (`replayInto`), so the verdict is the one a read in order gives.
 */
import type { ChainBreakSeen, ChainStatus } from '../shared/entry.js';
import { CHAIN_BREAKS_LISTED } from '../shared/entry.js';
import { ChainChecker, ChainLinker, type FoundBreak, type MalformedReason } from '../shared/chain-checker.js';
import { GENESIS_HASH } from '../shared/format-constants.js';
import { latin1, prevIsHash } from './compact-record.js';
import { EventPacer } from './engine-events.js';
import type { FileSpans } from './file-spans.js';

/** A line's place: its span and line number within it (cited once the span's line base is known). */
export interface ChainPlace {
  seg: number;
  line: number;
}

/** A line the tail saw, kept to check again behind the history. */
type Kept =
  | { kind: 'chained'; at: ChainPlace; seq: number; prev: string; hash: string; key: number; reason: MalformedReason | null; differs: boolean }
  | { kind: 'unchained'; at: ChainPlace; key: number }
  | { kind: 'malformed'; at: ChainPlace; reason: MalformedReason };

/** A chained record held for its turn in seq order (a collected host), with the lines that came right after it. */
interface Held {
  at: ChainPlace;
  seq: number;
  prev: string;
  hash: string;
  key: number;
  reason: MalformedReason | null;
  after: Kept[];
  /** Other records of its seq that came while it was held (a forged copy), in arrival order: checked right after it. */
  copies?: Held[];
}

/** Records a collected host's track holds back at most, waiting for a late batch. */
const SEQ_WINDOW = 4096;
/**
 * Records a collected host's track holds before it starts, from the lowest seq among them (or at
 * settle): not from the first to come, which an attacker can make a record with a high seq. More
 * cost every host of a fleet: holding SEQ_WINDOW of them made `stats` over 100 hosts 15 % slower.
 */
const START_HOLD = 256;
/**
 * Seq ranges passed over (judged missing) a collected host's track remembers, the last of them:
 * a late batch fills only a gap remembered. (64 left the oldest of 80 single late records
 * `deleted` for good: an attacker's review. A gap is a small object, kept only once judged.)
 */
const GAPS_KEPT = 1024;
/** Seqs carried by two different lines a collected host's track remembers, the last of them. */
const CONTESTED_KEPT = 4096;

/** Whether a held record, or a copy held with it, hashes to `hash` (an exact copy: nothing to judge). */
function holdsHash(h: Held, hash: string): boolean {
  return h.hash === hash || h.copies?.some((c) => c.hash === hash) === true;
}

/**
 * Seqs [from, to) passed over in seq order once the window was full: judged missing (a
 * `deleted` break at `after`), unless a late batch fills them in order and links both ends.
 */
interface Gap {
  from: number;
  to: number;
  /** Where the record after the gap is: the break is said there. */
  after: ChainPlace;
  /** That record's prev: the hash the gap's last record must have. */
  afterPrev: string;
  /** The next seq a late record must bring, and the hash its prev must be (the record before it). */
  fill: number;
  fillHash: string | null;
  /** The gap's break once said (null: not yet). */
  found: Found | null;
  /** Its records come before their turn in it (a late batch's halves swapped), by seq: prev and hash. */
  early: Map<number, { prev: string; hash: string }> | null;
}

/** The gap was filled whole, in seq order, its last record the one the record after it names: nothing was missing. */
const repaired = (gap: Gap): boolean => gap.fill === gap.to && gap.fillHash === gap.afterPrev;

/** Records of gaps kept for their turn in them at most (a host's): past it, counted unchecked. */
const EARLY_KEPT = 4096;

interface Found {
  found: FoundBreak<ChainPlace>;
  /** The entry to jump to: the break's own record's, else the next entry placed after it (-1 until one is). */
  key: number;
}

export class ChainTrack {
  readonly linker = new ChainLinker();
  readonly checker: ChainChecker<ChainPlace>;
  /** The first CHAIN_BREAKS_LISTED breaks. */
  readonly breaks: Found[] = [];
  /** Breaks waiting for the next entry to be placed, to jump to. */
  private keyless: Found[] = [];
  /** The tail's lines, kept while a history is read behind it (null: not kept). */
  private kept: Kept[] | null = null;
  /**
   * A collected host's lines come as the shipper delivered them: a batch resent late lands
   * after later ones. Its chained records are checked in seq order, as verify's collector
   * order does (shared/chain-order.ts): each waits (up to SEQ_WINDOW of them) for the one
   * before it; the lines after a record travel with it. Null: checked as read.
   */
  private readonly held: Map<number, Held> | null;
  private nextSeq = -1;
  /** The seq the track started from (a collected host's): a record below it came before any checked, and was not. */
  private startSeq = -1;
  /**
   * Chained records of a collected host that came after their turn and were not checked (see
   * `chained`): below the seq the check started from, in a gap already judged, or a copy the
   * duplicate check could not compare. The chain status counts them (verify DIR checks them).
   */
  unchecked = 0;
  /** Exact copies (the same hash) of the record checked last or of one held: nothing to check. */
  copies = 0;
  /** Seq ranges passed over in seq order (a deletion was judged), the last GAPS_KEPT. */
  private readonly gaps: Gap[] = [];
  /** Records of a late batch that filled a gap in order, each linked to the one before (checked, so). */
  filled = 0;
  /** Records of gaps waiting for their turn in them (`Gap.early`): not checked, so counted unchecked until it comes. */
  early = 0;
  /**
   * Seqs of records known to differ from an earlier line of their seq, the last CONTESTED_KEPT:
   * the duplicate check compares in read order, and a tail is read before its history, so of a
   * copy in the tail and its original in the history it is the original that is known to differ,
   * and the copy, replayed after its turn, that must be named (an attacker's review).
   */
  private contested: Set<number> | null = null;
  /**
   * Hashes of copies checked in their turn because their first was read in another track (the
   * tail's, see `copied`), the last CONTESTED_KEPT: that first, replayed later, is one of them.
   */
  private checkedCopies: Set<string> | null = null;
  /** The chained record held last: lines that come after it travel with it. */
  private lastHeld: Held | null = null;

  constructor(
    private readonly watch: ChainWatch,
    inSeqOrder = false,
  ) {
    this.held = inSeqOrder ? new Map() : null;
    this.checker = new ChainChecker<ChainPlace>({
      onBreak: (found) => {
        const f = { found, key: found.key };
        // (A jump judged missing, or modified where a malformed line sits in its place: a late batch may still fill it.)
        const gap = found.after === undefined ? null : this.gapAfter(found.after);
        if (gap !== null && repaired(gap)) {
          // Filled before the deletion was said (the lookahead still open): nothing was missing.
          this.checker.breakCount--;
          return;
        }
        if (gap) gap.found = f;
        if (this.breaks.length < CHAIN_BREAKS_LISTED) {
          this.breaks.push(f);
          if (f.key < 0) this.keyless.push(f);
        }
        watch.changed(true);
      },
    });
  }

  /** Keeps the lines from now on, to check again behind a history (`replayInto`). */
  keep(): void {
    this.kept = [];
  }

  /**
   * A chained record read on this thread: `hash` of its bytes. `key`: its entry's (-1: none yet).
   * `differs`: a collected host's record whose seq an earlier line carries, which it differs from
   * byte for byte (collected-lines.ts; an exact copy is dropped before it comes here).
   */
  chained(at: ChainPlace, seq: number, prev: string, hash: string, key: number, reason: MalformedReason | null = null, differs = false): void {
    this.kept?.push({ kind: 'chained', at, seq, prev, hash, key, reason, differs });
    const held = this.held;
    if (differs && held !== null) this.contest(seq);
    // A new chain: a genesis record that differs from the seq 1 the duplicate check compared it
    // with (an exact copy whose first could not be read again, say its file compressed and the
    // descriptor closed, is no restart: an attacker's review), after records of an older one.
    // What is held of the old chain goes on first, then the restart, as verify's epochs order them.
    // (Known to differ: by the duplicate check, by its seq contested, or from a seq 1 still held:
    // a tail read before its history flips which of two lines the check finds to differ.)
    if (held !== null && seq === 1 && prev === GENESIS_HASH && this.newChain(hash, differs)) {
      while (held.size > 0) this.releaseLowest();
      this.nextSeq = 1;
    } else if (held !== null && seq < this.nextSeq - 1 && !held.has(seq)) {
      // Its turn has passed (one of the seq checked last is checked now, beside it, below).
      const gap = this.gapOf(seq);
      // A second, different record of its seq has been seen (either way round).
      const twin = differs || this.contested?.has(seq) === true;
      if (gap !== null && (this.fillGap(gap, seq, prev, hash) || (!twin && this.keepEarly(gap, seq, prev, hash)))) {
        // It fills the gap, and an earlier line of its seq (counted unchecked) is not it: one of the two is not from the chain.
        if (twin) this.checker.seqTaken(at, seq, key);
        return;
      }
      if (this.checkedCopies?.has(hash) === true) {
        // The very bytes of a record checked in its turn (a resend read first, in the tail).
        this.copies++;
        return;
      }
      if (twin && seq >= this.startSeq && (gap === null || seq < gap.fill)) {
        // A record of that seq was checked (in its turn, or filling a gap), and this one is not
        // it: a second one, a copy not from the chain. (Once let through unchecked: "intact".)
        this.checker.seqTaken(at, seq, key);
        this.watch.changed(false);
        return;
      }
      // Before the record the track started from (a resent file read after the check had moved
      // on), a batch later than the window (its records judged missing already), or a copy the
      // duplicate check could not compare. Not linked (a known limit: verify over the collector
      // orders them first), and counted, so that the status does not vouch for them in silence.
      this.unchecked++;
      this.watch.changed(false);
      return;
    }
    // An exact copy of the record checked last (one the duplicate check could not compare): nothing to check.
    if (held !== null && seq === this.nextSeq - 1 && hash === this.linker.lastHash) {
      this.copies++;
      return;
    }
    // Its turn (or beside the record checked last). The first records are held too: the track
    // starts from the lowest seq of them (settle, or the window full), not from the first to come
    // (one record with a high seq put first once left every other unchecked: an attacker's review).
    if (held === null || seq === this.nextSeq || seq === this.nextSeq - 1) {
      this.check(at, seq, prev, hash, key, reason);
      this.lastHeld = null;
      this.drain();
    } else {
      const h: Held = { at, seq, prev, hash, key, reason, after: [] };
      const first = held.get(seq);
      // A second record of a seq held: it waits with the first, and the checker judges the two
      // in arrival order when their turn comes, as verify's collector order puts them. (An
      // exact copy the duplicate check could not compare is nothing to judge.)
      if (first !== undefined && holdsHash(first, hash)) {
        this.copies++;
        return;
      }
      if (first !== undefined) (first.copies ??= []).push(h);
      else held.set(seq, h);
      this.lastHeld = h;
      if (held.size > (this.nextSeq === -1 ? START_HOLD : SEQ_WINDOW)) this.releaseLowest();
    }
    this.watch.changed(false);
  }

  /**
   * A collected host's record dropped as an exact copy of a line read before it
   * (collected-lines.ts). Its first is nearly always checked here already, or held: nothing to
   * check. But a tail is read before its history, so a resend in the live file is read first and
   * the original, in a rotated file, is dropped as its copy: the history's track, which never
   * saw the first, needs it in its turn. (Without it, the track waited for a seq that had come,
   * and once 4,096 records were held judged it deleted: a false break over an untampered chain,
   * an attacker's review.) The first, replayed behind the history, is then the copy.
   */
  copied(at: ChainPlace, seq: number, prev: string, hash: string): void {
    const held = this.held;
    if (held !== null && seq >= this.nextSeq && !held.has(seq)) {
      const checked = (this.checkedCopies ??= new Set());
      if (checked.size === CONTESTED_KEPT) checked.delete(checked.values().next().value as string);
      checked.add(hash);
      this.chained(at, seq, prev, hash, -1);
    } else this.copies++;
  }

  /**
   * `chained` for a line read here whose prev is the 64 hex digits at `b[prevStart]`: when they
   * are the last line's hash (nearly always), checked without making a string of them (#17).
   */
  chainedAt(at: ChainPlace, seq: number, b: Uint8Array, prevStart: number, hash: string, key: number, prevText: string | null = null, differs = false): void {
    const last = this.linker.lastHash;
    if (this.kept === null && this.held === null && last !== null && prevIsHash(b, prevStart, last, prevText)) {
      this.checker.chained(at, seq, this.linker.linkNext(hash), key);
      this.nextSeq = seq + 1;
      this.watch.changed(false);
    } else this.chained(at, seq, latin1(b, prevStart, prevStart + 64), hash, key, null, differs);
  }

  /** Records held back for their turn in seq order (not checked yet). */
  get heldCount(): number {
    return this.held?.size ?? 0;
  }

  private check(at: ChainPlace, seq: number, prev: string, hash: string, key: number, reason: MalformedReason | null): void {
    if (this.startSeq === -1) this.startSeq = seq;
    this.checker.chained(at, seq, this.linker.link(prev, hash), key, reason);
    this.nextSeq = seq + 1;
  }

  /** The held records whose turn has come, in seq order. */
  private drain(): void {
    const held = this.held;
    if (held === null) return;
    for (let h = held.get(this.nextSeq); h !== undefined; h = held.get(this.nextSeq)) this.release(h);
  }

  private release(h: Held): void {
    (this.held as Map<number, Held>).delete(h.seq);
    if (this.lastHeld !== null && (this.lastHeld === h || h.copies?.includes(this.lastHeld))) this.lastHeld = null;
    if (this.nextSeq > 0 && h.seq > this.nextSeq) {
      if (this.gaps.length === GAPS_KEPT) this.gaps.shift();
      const before = this.linker.lastHash;
      this.gaps.push({ from: this.nextSeq, to: h.seq, after: h.at, afterPrev: h.prev, fill: this.nextSeq, fillHash: before, found: null, early: null });
    }
    for (const record of [h, ...(h.copies ?? [])]) {
      this.check(record.at, record.seq, record.prev, record.hash, record.key, record.reason);
      for (const k of record.after) {
        if (k.kind === 'unchained') this.checker.unchainedRecord(k.at, k.key);
        else if (k.kind === 'malformed') this.checker.malformedLine(k.at, k.reason);
      }
    }
  }

  /** Whether a genesis record with this hash starts a new chain after records of an older one. */
  private newChain(hash: string, differs: boolean): boolean {
    const held = this.held as Map<number, Held>;
    const heldGenesis = held.get(1);
    if (heldGenesis !== undefined) return !holdsHash(heldGenesis, hash);
    return (differs || this.contested?.has(1) === true) && (held.size > 0 || this.nextSeq > 1);
  }

  private contest(seq: number): void {
    const contested = (this.contested ??= new Set());
    if (contested.size === CONTESTED_KEPT) contested.delete(contested.values().next().value as number);
    contested.add(seq);
  }

  /** The gap kept that `seq` was passed over in (judged missing), if any. */
  private gapOf(seq: number): Gap | null {
    for (const g of this.gaps) if (seq >= g.from && seq < g.to) return g;
    return null;
  }

  /** The gap whose record after it is at `at`. */
  private gapAfter(at: ChainPlace): Gap | null {
    for (const g of this.gaps) if (g.after.seg === at.seg && g.after.line === at.line) return g;
    return null;
  }

  /**
   * A late record of a gap: taken when it is the next one the gap lacks and links to the record
   * before it. A batch later than the window (its seqs judged missing) that fills the gap so, its
   * last record the one the record after the gap names, was no deletion: its break is taken back,
   * as verify over the collector, ordering all the host's lines first, finds nothing. (Until
   * session 21 it stayed `deleted`; bench:fleet's own late batch, ≈ 4,900 records late, made all
   * 100 hosts `broken`.) Out of order, or not linking, the record is not taken, and the break stands.
   */
  private fillGap(gap: Gap, seq: number, prev: string, hash: string): boolean {
    // (A gap filled whole takes nothing more: its `fill` is past every seq of it.)
    if (seq !== gap.fill || prev !== gap.fillHash) return false;
    gap.fill++;
    gap.fillHash = hash;
    this.filled++;
    // Then the records of the gap that came before their turn, while each links on.
    for (let e = gap.early?.get(gap.fill); e !== undefined && e.prev === gap.fillHash; e = gap.early?.get(gap.fill)) {
      (gap.early as Map<number, unknown>).delete(gap.fill);
      this.early--;
      gap.fill++;
      gap.fillHash = e.hash;
      this.filled++;
    }
    if (repaired(gap)) {
      const f = gap.found;
      if (f !== null) {
        this.checker.breakCount--;
        const listed = this.breaks.indexOf(f);
        if (listed >= 0) this.breaks.splice(listed, 1);
        const keyless = this.keyless.indexOf(f);
        if (keyless >= 0) this.keyless.splice(keyless, 1);
      }
      this.watch.changed(true);
    } else this.watch.changed(false);
    return true;
  }

  /** A record of a gap before its turn in it (a late batch's second half first): kept for it, up to EARLY_KEPT of them. */
  private keepEarly(gap: Gap, seq: number, prev: string, hash: string): boolean {
    if (seq <= gap.fill || this.early >= EARLY_KEPT || gap.early?.has(seq) === true) return false;
    (gap.early ??= new Map()).set(seq, { prev, hash });
    this.early++;
    this.watch.changed(false);
    return true;
  }

  /** The window is full, or nothing more is coming for now: the lowest held record goes on (the checker judges the gap). */
  private releaseLowest(): void {
    const held = this.held as Map<number, Held>;
    let lowest: Held | null = null;
    for (const h of held.values()) if (lowest === null || h.seq < lowest.seq) lowest = h;
    if (lowest) this.release(lowest);
    this.drain();
  }

  /**
   * Nothing more for now: a pending jump is judged. `final` (everything there is was read): the
   * held records go on too, in seq order. (Not while following: a late batch may still come.)
   */
  settle(final: boolean): void {
    if (final) while (this.held !== null && this.held.size > 0) this.releaseLowest();
    // (Following: the check starts from the lowest seq read so far, and goes on as far as it runs.)
    else if (this.held !== null && this.held.size > 0 && this.nextSeq === -1) this.releaseLowest();
    this.checker.settle();
  }

  /** A chained record of a worker's chunk, its facts known (the chunk's first: `this.linker.facts(firstPrev)`). */
  chainedFacts(at: ChainPlace, seq: number, facts: number, key: number, reason: MalformedReason | null = null): void {
    this.checker.chained(at, seq, facts, key, reason);
  }

  /** Lines were checked (a chunk): said with the next progress report. */
  changed(): void {
    this.watch.changed(false);
  }

  unchained(at: ChainPlace, key: number): void {
    this.kept?.push({ kind: 'unchained', at, key });
    if (this.lastHeld) this.lastHeld.after.push({ kind: 'unchained', at, key });
    else this.checker.unchainedRecord(at, key);
  }

  malformed(at: ChainPlace, reason: MalformedReason): void {
    this.kept?.push({ kind: 'malformed', at, reason });
    if (this.lastHeld) this.lastHeld.after.push({ kind: 'malformed', at, reason });
    else this.checker.malformedLine(at, reason);
  }

  /** An entry was placed in this target: the breaks waiting for one jump to it. */
  entryPlaced(key: number): void {
    if (this.keyless.length === 0) return;
    for (const f of this.keyless) f.key = key;
    this.keyless = [];
  }

  /** The tail's lines, checked again behind `history` (which goes on as the shown entries' track). */
  replayInto(history: ChainTrack): void {
    for (const k of this.kept ?? []) {
      if (k.kind === 'chained') history.chained(k.at, k.seq, k.prev, k.hash, k.key, k.reason, k.differs);
      else if (k.kind === 'unchained') history.unchained(k.at, k.key);
      else history.malformed(k.at, k.reason);
    }
    this.kept = null;
  }
}

/**
 * The engine's view of its chain: the history's track while one is read, and the shown
 * entries' track; says when the status changed (at once for a break, else a few times a second).
 */
export class ChainWatch {
  live: ChainTrack;
  history: ChainTrack | null = null;
  /** Every file has been read to its end. */
  done = false;
  private readonly pacer: EventPacer;

  /** `inSeqOrder`: a collected host's lines (see ChainTrack.held). */
  constructor(
    emit: () => void,
    private readonly inSeqOrder = false,
  ) {
    this.pacer = new EventPacer(emit);
    this.live = new ChainTrack(this, inSeqOrder);
  }

  track(): ChainTrack {
    return new ChainTrack(this, this.inSeqOrder);
  }

  /** Something was checked (`isBreak`: a break found: said within this turn). */
  changed(isBreak: boolean): void {
    this.pacer.changed(isBreak);
  }

  /**
   * Nothing more to read for now: a seq jump still waiting for lines after it is judged. (Not
   * the history's: the lines after it are the tail's, checked behind it once it is merged.)
   */
  settle(final = false): void {
    this.live.settle(final);
  }

  /**
   * Every file is read: settles and says so. `final`: nothing more will come (not following), so
   * records a collected host holds back for a late batch are checked now, gap or not.
   */
  finish(final: boolean): void {
    this.done = true;
    this.settle(final);
    this.pacer.changed(true);
  }

  close(): void {
    this.pacer.close();
  }

  /** The first and last chained record's seq checked so far, over the history and the tail. */
  seqs(): { firstSeq: number | null; lastSeq: number | null } {
    const first = this.history?.checker.firstSeq ?? this.live.checker.firstSeq;
    const last = this.live.checker.last?.seq ?? this.history?.checker.last?.seq ?? null;
    return { firstSeq: first, lastSeq: last };
  }

  status(spans: FileSpans, origin: string): ChainStatus {
    const tracks = this.history ? [this.history, this.live] : [this.live];
    let checked = 0;
    let total = 0;
    let unchained = 0;
    let unchecked = 0;
    let breakCount = 0;
    let held = 0;
    const breaks: ChainBreakSeen[] = [];
    const where = (at: ChainPlace) => `${spans.get(at.seg).file}:${spans.lineNumber(at.seg, at.line)}`;
    for (const t of tracks) {
      const c = t.checker;
      checked += c.records + t.filled;
      total += c.total + t.heldCount + t.filled;
      held += t.heldCount;
      unchained += c.unchained;
      unchecked += t.unchecked + t.early;
      breakCount += c.breakCount;
      for (const { found, key } of t.breaks) {
        if (breaks.length === CHAIN_BREAKS_LISTED) break;
        breaks.push({
          kind: found.kind,
          file: spans.get(found.at.seg).file,
          line: spans.lineNumber(found.at.seg, found.at.line),
          message: found.message(where),
          origin,
          entryKey: key,
        });
      }
    }
    // (Records held back for a late batch are not checked yet: checking, until they are.)
    const state = breakCount > 0 ? 'broken' : this.done && held === 0 ? 'intact' : 'checking';
    const uncheckedIn = unchecked > 0 && origin !== '' ? [{ origin, count: unchecked }] : undefined;
    return { state, checked, total, unchained, unchecked, ...(uncheckedIn && { uncheckedIn }), breaks, breakCount };
  }
}
