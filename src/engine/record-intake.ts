/**
 * Owns turning lines and worker chunks into entries, and joining each record into its target.
 *
 * A line is scanned (scan-record.ts) or parsed, a chunk's records decoded, and each record
 * joined into the target it was read for (the entries shown, or the history read hidden);
 * malformed lines and writer events are listed. While a history is pending, the shown
 * records are logged for the merge (tail-merge.ts).
 */
import { LINKS_BEFORE } from '../shared/chain-checker.js';
import { classifyChainLine } from '../shared/chain.js';
import { monotonicMs } from '../shared/clock.js';
import { DEFERRED } from '../shared/join.js';
import { overCapReason } from '../shared/line-bytes.js';
import { parseLine, REASON_NUL_PADDING } from '../shared/parse-line.js';
import type { ChangeBatch } from './change-batch.js';
import { type ChunkResult, F_CHAINED, F_FACTS_SHIFT, F_FAILED, F_OBJECT, F_POLICY, F_PRIVILEGED, OUT_MALFORMED, OUT_SEAL } from './chunk-scan.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import type { EntryStore, LocatedCompact } from './entry-store.js';
import type { FileSpan } from './file-spans.js';
import type { JoinTarget } from './join-target.js';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import { MalformedLines, WriterEventList } from './listed-lines.js';
import type { LinesChunk } from './chunk-work.js';
import type { ChunkPlace } from './parallel-scan.js';
import { SLICE_MS, yieldToEventLoop } from './read-file.js';
import { compactFromRecord, DECISIONS, KIND_REQUEST, REJECT_SHIFT, KIND_RESPONSE, KIND_SEAL, KIND_WRITER, latin1, newCompactRecord } from './compact-record.js';
import { hashLine, NATIVE_MIN_BYTES, type ScannedAhead, scannedAhead } from './native-lines.js';
import { scanRecord } from './scan-record.js';
import { ScannerStrings } from './scanner-strings.js';
import { SealList } from './seal-list.js';
import type { ReplayLog } from './tail-merge.js';

/** apply's answer for a record dropped as delivered before: not checked in the chain either. */
const DUPLICATE = -2;

/**
 * The record each line is scanned into, one for every intake: a line is taken in from start to
 * end without a turn between (what is kept of it is copied), and a fleet follows thousands of
 * hosts (~400 bytes each). A worker's chunk, which yields, has its own (`chunkRecord`).
 */
const LINE_RECORD = newCompactRecord() as LocatedCompact;

export class RecordIntake {
  readonly malformed = new MalformedLines();
  readonly writers = new WriterEventList();
  /** Seal records read: chained as any record, never entries; kept for the viewer's check with a key. */
  readonly seals = new SealList();
  /** The live records since the tail began, while a history is pending (null: none is). */
  replay: ReplayLog | null = null;
  /** Made at the first chunk (a scanned history): most of a fleet's thousands of hosts never have one. */
  private chunkRecord: LocatedCompact | null = null;
  /** The native scanner's lines ahead (undefined: no read was big enough yet; null: no addon). */
  private ahead: ScannedAhead | null | undefined = undefined;
  /** Each scanner's string ids → the store's. */
  readonly scannerStrings: ScannerStrings;

  constructor(
    private readonly store: EntryStore,
    private readonly policy: DeliveryPolicy,
    private readonly batch: ChangeBatch,
    /** Where followed lines go: the entries shown (its joiner is replaced when the history is merged). */
    public live: JoinTarget,
    /** False (the benchmark's "index alone"): the chain is not checked, no line hashed. */
    private readonly checkChain = true,
  ) {
    this.scannerStrings = new ScannerStrings([store.hosts, store.sessions, store.reasons, store.commands, store.resolved, store.errors]);
  }

  /** Lines of `span` into `target`. */
  handler(span: FileSpan, target: JoinTarget): LineHandler {
    return {
      line: (buf, start, end, offset, line) => this.line(span, buf, start, end, offset, line, target),
      overCap: (offset, line, length, nulOnly) => this.overCap(span, line, offset, overCapReason(nulOnly, length), target),
      ahead: (buf, from, to) => this.scanAhead(buf, from, to, target),
      aheadDone: () => this.ahead?.end(),
    };
  }

  /** Lines of a followed `span` into whatever is live when each arrives. */
  liveHandler(span: FileSpan): LineHandler {
    return {
      line: (buf, start, end, offset, line) => this.line(span, buf, start, end, offset, line, this.live),
      overCap: (offset, line, length, nulOnly) => this.overCap(span, line, offset, overCapReason(nulOnly, length), this.live),
      ahead: (buf, from, to) => this.scanAhead(buf, from, to, this.live),
      aheadDone: () => this.ahead?.end(),
    };
  }

  /** A read's whole lines, scanned ahead by the native scanner when the read is big enough to gain from it. */
  private scanAhead(buf: Buffer, from: number, to: number, target: JoinTarget): void {
    if (this.ahead === undefined) {
      if (to - from < NATIVE_MIN_BYTES) return;
      this.ahead = scannedAhead(this.checkChain);
    }
    this.ahead?.begin(buf, from, to, false, target.ids);
  }

  // ---- one line ----

  private line(span: FileSpan, buf: Buffer, start: number, end: number, offset: number, line: number, target: JoinTarget): void {
    const r = LINE_RECORD;
    const native = this.ahead != null && this.ahead.take(buf, start, end, r);
    // (Taken, the strings' ids are the scan worker's where it interned them: native-lines.ts.)
    if (!native) r.hostId = r.sessionId = r.reasonId = r.commandId = r.resolvedId = r.errorId = -1;
    if (!native && !scanRecord(buf, start, end, r)) {
      const parsed = parseLine(buf.subarray(start, end));
      if (!parsed.ok) {
        this.addMalformed(span, line, offset, parsed.reason);
        if (!this.checkChain) return;
        // Not a record to the index; to the chain, what verify would call it.
        const c = classifyChainLine(buf.subarray(start, end));
        const at = { seg: span.id, line };
        if (c.kind === 'chained') target.chain.chained(at, c.seq, c.prev, c.hash, -1, c.reason);
        else if (c.kind === 'unchained') target.chain.unchained(at, -1);
        else target.chain.malformed(at, c.reason);
        return;
      }
      compactFromRecord(parsed.record, r);
    }
    r.idShown = null;
    r.seg = span.id;
    r.offset = offset;
    r.length = end - start;
    r.line = line;
    // (Hashed before apply: the fingerprint the entry keeps is made from the chain's hash.)
    const taken = native ? (this.ahead as ScannedAhead) : null;
    const hash = hashLine(r, buf, start, end, r.chained && this.checkChain, taken);
    // (Taken before apply, as the hash: the scanner ahead is this thread's, and it is valid for this line only.)
    const prevText = taken?.prevHash() ?? null;
    // (Read before apply: its prev may point into the line's bytes.)
    const prevStart = r.chained ? r.prevStart : -1;
    const prev = r.chained && prevStart < 0 ? r.prev : '';
    const key = this.apply(r, target);
    if (key === DUPLICATE && r.chained && this.checkChain) {
      // An exact copy of a line read before it: its seq's turn may still be to come here (chain-track.ts `copied`).
      target.chain.copied({ seg: span.id, line }, r.seq, prevStart >= 0 ? latin1(buf, prevStart, prevStart + 64) : prev, hash);
    } else if (key !== DUPLICATE && this.checkChain) {
      const at = { seg: span.id, line };
      const differs = r.chained && this.policy.differsFromSeen?.() === true;
      if (prevStart >= 0) target.chain.chainedAt(at, r.seq, buf, prevStart, hash, key, prevText, differs);
      else if (r.chained) target.chain.chained(at, r.seq, prev, hash, key, null, differs);
      else target.chain.unchained(at, key);
    }
    // Not kept past the line: it would pin the 1 MiB read buffer (per engine: a fleet has hundreds).
    r.bytes = null;
  }

  /**
   * A chunk whose lines a scan worker scanned natively (chunk-work.ts `linesWork`): read as a
   * read of this thread's, each line taken from the worker's slots, not scanned here again.
   */
  scannedChunk(res: LinesChunk, place: ChunkPlace, span: FileSpan, target: JoinTarget): void {
    const handler = this.handler(span, target);
    if (res.overCap !== null) {
      handler.overCap(place.base, place.lineBase + 1, res.overCap.length, res.overCap.nulOnly);
      return;
    }
    const splitter = new LineSplitter(handler, place.base, place.lineBase + 1);
    const storeIds = res.strings === null ? null : this.scannerStrings.storeIds(place.scanner, res.strings.fresh, res.strings.first);
    if (res.count > 0) (this.ahead ??= scannedAhead(this.checkChain))?.preset(res, storeIds);
    splitter.push(res.bytes);
    if (res.final) splitter.flush();
  }

  /** A chunk scanned by a worker (or the in-thread scanner): its records, in order, yielding now and then. */
  async chunk(res: ChunkResult, place: ChunkPlace, span: FileSpan, target: JoinTarget): Promise<void> {
    const [hosts, sessions, reasons, commands, resolved, errors] = this.scannerStrings.storeIds(place.scanner, res.newStrings) as number[][];
    // Its own record object: lines followed live are ingested while this one yields.
    const r = (this.chunkRecord ??= newCompactRecord() as LocatedCompact);
    r.bytes = null;
    let malformed = 0;
    let writer = 0;
    let operatorAt = 0;
    r.operator = '';
    const chain = target.chain;
    // The chunk's first chained line is linked here to the one before it; the rest were linked by
    // the scanner, but for whether the second continues from the line before the chunk.
    let chainedSoFar = 0;
    const hashBefore = chain.linker.lastHash;
    let since = monotonicMs();
    for (let i = 0; i < res.count; i++) {
      if ((i & 1023) === 1023 && monotonicMs() - since > SLICE_MS) {
        await yieldToEventLoop();
        since = monotonicMs();
      }
      const kind = res.kind[i];
      const line = place.lineBase + res.line[i];
      const offset = place.base + res.offset[i];
      const flags = res.flags[i];
      let facts = 0;
      if ((flags & F_CHAINED) !== 0) {
        if (chainedSoFar === 0) facts = chain.linker.facts(res.firstPrev as string);
        else {
          facts = flags >> F_FACTS_SHIFT;
          if (chainedSoFar === 1 && hashBefore !== null && res.secondPrev === hashBefore) facts |= LINKS_BEFORE;
        }
        chainedSoFar++;
      }
      if (kind === OUT_MALFORMED) {
        const reason = res.malformed[malformed++].reason;
        this.addMalformed(span, line, offset, reason);
        if (!this.checkChain) continue;
        const at = { seg: span.id, line };
        if ((flags & F_CHAINED) !== 0) chain.chainedFacts(at, res.seq[i], facts, -1, 'not valid UTF-8');
        else if ((flags & F_OBJECT) !== 0) chain.unchained(at, -1);
        else chain.malformed(at, reason);
        continue;
      }
      if (kind === OUT_SEAL) {
        // Never an entry, but a link of the chain like any record.
        const chained = (flags & F_CHAINED) !== 0;
        this.seals.add(span.id, line, offset, res.length[i], chained ? res.seq[i] : null, res.print[i], target.visible);
        if (!this.checkChain) continue;
        if (chained) chain.chainedFacts({ seg: span.id, line }, res.seq[i], facts, -1);
        else chain.unchained({ seg: span.id, line }, -1);
        continue;
      }
      r.kind = kind;
      r.chained = (flags & F_CHAINED) !== 0;
      r.idHash = res.idHash[i];
      r.fingerprint = res.print[i];
      r.timeMs = res.timeMs[i];
      r.writer = null;
      r.hostId = -1;
      r.idShown = res.ids;
      r.idShownStart = i === 0 ? 0 : res.idEnd[i - 1];
      r.idShownEnd = res.idEnd[i];
      if (kind === KIND_REQUEST) {
        r.privileged = (flags & F_PRIVILEGED) !== 0;
        r.policy = (flags & F_POLICY) !== 0;
        const decision = res.decision[i];
        r.decision = DECISIONS[decision & ((1 << REJECT_SHIFT) - 1)];
        r.reject = decision >> REJECT_SHIFT;
        const operators = res.operators;
        if (operatorAt < operators.length && operators[operatorAt].index === i) r.operator = operators[operatorAt++].key;
        r.latencyMs = res.value[i];
        r.hostId = hosts[res.host[i]];
        r.sessionId = sessions[res.session[i]];
        r.reasonId = reasons[res.reason[i]];
        r.commandId = commands[res.command[i]];
        r.resolvedId = resolved[res.resolved[i]];
        r.errorId = errors[res.error[i]];
      } else if (kind === KIND_RESPONSE) {
        r.failed = (flags & F_FAILED) !== 0;
        r.errorId = errors[res.error[i]];
        r.durationMs = res.value[i];
      } else {
        r.kind = KIND_WRITER;
        r.writer = res.writers[writer++].record;
      }
      r.seg = span.id;
      r.offset = offset;
      r.length = res.length[i];
      r.line = line;
      const key = this.apply(r, target);
      if (key === DUPLICATE || !this.checkChain) continue;
      if (r.chained) chain.chainedFacts({ seg: span.id, line }, res.seq[i], facts, key);
      else chain.unchained({ seg: span.id, line }, key);
    }
    if (res.lastHash !== null) chain.linker.jump(res.lastPrev, res.lastHash, res.beforeLastHash ?? hashBefore);
    chain.changed();
  }

  /** One record into the entries of `target`. Returns its entry's key (slot), -1 for none, DUPLICATE when dropped. */
  private apply(r: LocatedCompact, target: JoinTarget): number {
    const { store, policy } = this;
    if (policy.isDuplicate(r)) return DUPLICATE;
    let key = -1;
    // The shown records, logged while a history is pending: the merge replays them onto it.
    const replay = target === this.live ? this.replay : null;
    // Changes to hidden (history) entries are not reported: they arrive with the merge.
    const tracking = store.touched;
    if (!target.visible) store.touched = null;
    if (r.kind === KIND_REQUEST) {
      const slot = target.joiner.request(r.idHash, r);
      this.place(slot, target);
      replay?.request(slot, r);
      policy.requestPlaced(slot, r, target.joiner);
      key = slot;
    } else if (r.kind === KIND_RESPONSE) {
      const before = store.count;
      const slot = target.joiner.response(r.idHash, r);
      if (slot === DEFERRED) {
        if (replay) replay.response(r);
        else policy.responseDeferred(r);
      } else {
        if (slot >= before) this.place(slot, target); // an orphan: a new entry
        key = slot;
      }
    } else if (r.kind === KIND_SEAL) {
      this.seals.add(r.seg, r.line, r.offset, r.length, r.chained ? r.seq : null, r.fingerprint, target.visible);
    } else if (r.writer) {
      this.writers.add(r, target.visible);
      // A writer that starts or stops leaves nothing running: what was is interrupted at once.
      if (r.writer.type === 'writer' && (r.writer.event === 'start' || r.writer.event === 'stop')) {
        target.joiner.writerStart();
        replay?.writerStart();
      }
    }
    store.touched = tracking;
    if (target.visible) this.batch.schedule();
    return key;
  }

  /** A new entry: shown at the end, or listed in the history's order. */
  place(slot: number, target: JoinTarget): void {
    this.writers.entryPlaced(slot, target.visible);
    target.chain.entryPlaced(slot);
    if (target.visible) {
      this.store.appendVisible(slot);
      this.batch.pending.appended++;
    } else target.slots?.push(slot);
  }

  private overCap(span: FileSpan, line: number, offset: number, reason: string, target: JoinTarget): void {
    this.addMalformed(span, line, offset, reason);
    if (this.checkChain) target.chain.malformed({ seg: span.id, line }, reason);
  }

  addMalformed(span: FileSpan, line: number, offset: number, reason: string): void {
    // A crash's NUL padding is one finding that says where it starts (the line number alone
    // does not: its bytes hold no newline), whatever its length.
    const located = reason.startsWith(REASON_NUL_PADDING) ? `${reason} from byte ${offset}` : reason;
    this.malformed.add(span.id, line, offset, located);
    this.batch.schedule();
  }
}
