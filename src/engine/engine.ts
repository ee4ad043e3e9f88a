/**
 * `openEngine`: reads a set of audit-log files oldest first, joins their records into entries,
 * and follows the last one. Implements `AuditEngine` (src/shared/entry.ts).
 *
 * Newest first: the last few MB of the live file (the tail) are read and shown at once; the
 * history before them (older files, and the live file up to the tail) is indexed in the
 * background with progress events, then merged in front in one `change` ({ prepended }).
 * Until then a response in the tail whose request is not in the tail is held back (its request
 * may be in the history); the merge replays the tail's records on top of the history so the
 * result is exactly what reading everything in order would give.
 *
 * Lines take the byte scanner (scan-record.ts) when they can, else parseLine; entries live in
 * compact columns (entry-store.ts) and are read back from their lines when asked for. A large
 * history can be scanned by worker threads (parallel-scan.ts) when the machine has idle cores.
 */
import fs from 'node:fs';
import os from 'node:os';
import type {
  AuditEngine,
  EngineChange,
  EngineNotice,
  EngineOptions,
  Entry,
  EntryFilter,
  EntryStats,
  IndexProgress,
  MalformedLine,
  WriterEvent,
} from '../shared/entry.js';
import { DEFERRED, Joiner } from '../shared/join.js';
import { parseLine, REASON_OVER_CAP } from '../shared/parse-line.js';
import type { StatsParts } from '../shared/query.js';
import { CollectedLines } from './collected.js';
import { EngineEvents } from './engine-events.js';
import { GzipSource, rangeSource } from './chunk-sources.js';
import { type ChunkResult, F_CHAINED, F_FAILED, F_POLICY, F_PRIVILEGED, OUT_MALFORMED } from './chunk-scan.js';
import { EntryStore, type LocatedCompact } from './entry-store.js';
import { closeLogSource, type LogSource, openLogSource, sizeOrZero, tryOpenLogSource } from './log-source.js';
import { describeOpenError, Follower } from './follower.js';
import { IdTable } from './id-table.js';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import { type ChunkPlace, ScanPool, ScanWorkerError } from './parallel-scan.js';
import { lineStartBefore, readGzip, readRange, SLICE_MS, yieldToEventLoop } from './read-file.js';
import { findRotatedSet } from './rotated-set.js';
import { compactFromRecord, DECISIONS, KIND_REQUEST, KIND_RESPONSE, KIND_WRITER, newCompactRecord } from './compact-record.js';
import { scanRecord } from './scan-record.js';
import { type Segment, Segments } from './segments.js';

/** How long a collected response waits, while following, for a late batch to bring its request. */
export const RESPONSE_HOLD_MS = 10_000;
/** How much of the live file is read before anything else. */
export const DEFAULT_TAIL_BYTES = 2 * 1024 * 1024;
/** How many malformed lines (and writer events) are listed; all are counted. */
export const MALFORMED_LIST_CAP = 1000;
/**
 * Tuning, exported for tests: history at least `parallelMinBytes` large is scanned by
 * `scanWorkers` worker threads (below it, starting them costs more than they save; 0 workers
 * scans in chunks on this thread).
 */
export const tuning: {
  parallelMinBytes: number;
  scanWorkers: number | 'auto';
  /** Test seam: awaited after the tail is shown, before the history is read. */
  beforeHistory: (() => Promise<void>) | null;
  /** Out, for the benchmark: scan workers the last history pass started. */
  lastScanWorkers: number;
} = {
  parallelMinBytes: 32 * 1024 * 1024,
  scanWorkers: 'auto',
  beforeHistory: null,
  lastScanWorkers: 0,
};

/** Idle and total CPU time over all cores so far (os.cpus), to see how busy the machine is. */
export interface CpuSample {
  idle: number;
  total: number;
}

export function sampleCpu(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/**
 * Scan workers to start. With 'auto': one per idle core (measured from the open until the tail
 * is in, this process's own thread counting as busy), at most 4, and none unless at least two
 * cores are idle. Handing chunks to workers costs CPU of its own (copies, messages, first
 * touches of buffers); on the 2-core VMs this was measured on, one thread that scans as it
 * reads was faster (see the engine benchmark, --workers), so workers are kept for machines
 * with cores to spare.
 */
export function scanWorkerCount(since?: CpuSample): number {
  if (tuning.scanWorkers !== 'auto') return tuning.scanWorkers;
  const cores = os.availableParallelism();
  let idleCores: number;
  const now = sampleCpu();
  if (since && now.total - since.total > 0) idleCores = ((now.idle - since.idle) / (now.total - since.total)) * os.cpus().length;
  else idleCores = cores - 1 - os.loadavg()[0];
  const free = Math.round(idleCores);
  return free >= 2 ? Math.min(4, free) : 0;
}

/**
 * Bytes per entry (a request line and its response are ~750): on the low side for the columns
 * (untouched capacity costs address space, not memory), closer for the id table (all of it is touched).
 */
const BYTES_PER_ENTRY = 500;
const BYTES_PER_ID = 700;

type EntryJoiner = Joiner<number, LocatedCompact, LocatedCompact>;

/** A live record kept until the history is merged. */
type ReplayItem =
  | { kind: 'request'; slot: number; idHash: number; chained: boolean; decision: LocatedCompact['decision'] }
  | { kind: 'response'; record: LocatedCompact } // held back: its request was not in the tail
  | { kind: 'start' };

type KeptWriterEvent = Omit<WriterEvent, 'location'> & { seg: number; line: number; offset: number; length: number; seq: number | null };

interface Malformed {
  seg: number;
  line: number;
  offset: number;
  reason: string;
}

/** What reading into the visible entries or into the hidden history differs in. */
interface Target {
  joiner: EntryJoiner;
  /** The joiner's id index. */
  ids: IdTable;
  visible: boolean;
  /** Slots created here, in order (history only). */
  slots: IntList | null;
}

class Engine extends EngineEvents implements AuditEngine {
  readonly files: readonly string[];
  private readonly segments = new Segments();
  private readonly store: EntryStore;
  /** Sizes the columns and id tables once (growing them means copying while the UI waits). */
  private expectedEntries: number;
  private expectedIds: number;
  /** Bytes in the files when opened (to size the columns from). */
  private readonly totalBytes: number;
  private live: Target;
  /** The live records since the tail began, while a history is pending. */
  private replay: ReplayItem[] | null = null;
  private readonly record = newCompactRecord() as LocatedCompact;
  private readonly chunkRecord = newCompactRecord() as LocatedCompact;
  private readonly malformedList: Malformed[] = [];
  private malformedTotal = 0;
  private readonly writerList: KeptWriterEvent[] = [];
  /** Writer events of the history, shown once it is merged. */
  private readonly historyWriter: KeptWriterEvent[] = [];
  private readonly progressState: IndexProgress = { bytesDone: 0, bytesTotal: 0, done: false };
  /** How busy the machine was from the open on decides how many scan workers to start. */
  private readonly cpuAtOpen: CpuSample | null;
  private follower: Follower | null = null;
  private closed = false;
  private liveTruncated = false;
  private appended = 0;
  private prepended = 0;
  private pendingUpdated = 0;
  /** Slots at the last `change`: a touched slot below it was shown before, so it is "updated". */
  private countAtFlush = 0;
  private inserted = 0;
  private flushScheduled = false;
  /** Set when reading one collected host (options.origin): duplicates, late batches, chain order. */
  private readonly collected: CollectedLines | null;
  private releaseTimer: NodeJS.Timeout | null = null;
  /** A collected host read to its end and followed: what arrives next is put in chain order as it comes. */
  private orderingLive = false;
  private readonly readyPromise: Promise<void>;
  private readonly indexedPromise: Promise<void>;
  private resolveReady!: () => void;
  private resolveIndexed!: () => void;

  constructor(
    paths: readonly string[],
    private readonly options: EngineOptions,
    /** Waits for this engine's turn to read its history; returns the release. (A fleet shares the CPU among hosts.) */
    private readonly historyTurn: HistoryTurn | null = null,
  ) {
    super();
    this.files = [...paths];
    const total = this.files.reduce((sum, p) => sum + sizeOrZero(p), 0);
    this.progressState.bytesTotal = total;
    this.totalBytes = total;
    this.expectedEntries = Math.ceil(total / BYTES_PER_ENTRY) + 1024;
    this.expectedIds = Math.ceil(total / BYTES_PER_ID) + 1024;
    // Sized for the tail now (allocating for a million entries takes a while); for all before the history.
    this.store = new EntryStore(
      this.segments,
      Math.min(this.expectedEntries, Math.ceil((this.options.tailBytes ?? DEFAULT_TAIL_BYTES) / BYTES_PER_ENTRY) * 4 + 1024),
      this.options.origin ?? '',
    );
    this.collected = this.options.origin === undefined ? null : new CollectedLines((seg, offset, length) => this.segments.readLine(seg, offset, length));
    // Only for deciding on scan workers, which a collected host never starts (os.cpus() is slow: a fleet opens hundreds).
    this.cpuAtOpen = this.collected ? null : sampleCpu();
    this.live = this.target(new IdTable(), true);
    this.readyPromise = new Promise((r) => (this.resolveReady = r));
    this.indexedPromise = new Promise((r) => (this.resolveIndexed = r));
    void this.run().catch((e: unknown) => {
      this.notice({ kind: 'error', file: this.files[this.files.length - 1] ?? '', message: `engine failed: ${(e as Error).message}` });
      this.finishIndex();
    });
  }

  // ---- AuditEngine (on, off and notices: EngineEvents) ----

  size(): number {
    return this.store.visible;
  }

  entry(position: number): Entry {
    return this.store.entry(position);
  }

  /** (A key is a slot; one scan of the order, for the rare reordered change.) */
  positionOf(key: number): number {
    return this.store.orderView().indexOf(key);
  }

  query(filter: EntryFilter): Int32Array {
    return this.store.query(filter);
  }

  stats(filter?: EntryFilter): EntryStats {
    return this.store.stats(filter ? this.store.query(filter) : null);
  }

  malformedCount(): number {
    return this.malformedTotal;
  }

  malformed(): readonly MalformedLine[] {
    return this.malformedList.map((m) => ({ file: this.segments.get(m.seg).file, line: this.lineOf(m.seg, m.line), offset: m.offset, reason: m.reason }));
  }

  duplicateLines(): number {
    return this.collected?.duplicates ?? 0;
  }

  /** Request times (ms, NaN when unknown) of the entries at positions [from, to), without reading their lines. */
  /** Slots (entry keys) in order, position by position: a view, valid until the next change. */
  slotsInOrder(): Int32Array {
    return this.store.orderView();
  }

  timesAt(from: number, to: number): Float64Array {
    return this.store.timesAt(from, to);
  }

  /** What `stats` is made of, to combine with other engines' (a fleet). */
  statsParts(filter?: EntryFilter): StatsParts {
    return this.store.statsParts(filter ? this.store.query(filter) : null);
  }

  writerEvents(): readonly WriterEvent[] {
    return this.writerList.map(({ seg, line, offset, length, seq, ...event }) => ({
      ...event,
      location: { file: this.segments.get(seg).file, line: this.lineOf(seg, line), offset, length, seq },
    }));
  }

  progress(): IndexProgress {
    return { ...this.progressState };
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  indexed(): Promise<void> {
    return this.indexedPromise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    await this.follower?.stop();
    this.segments.closeAll();
    this.finishIndex();
  }

  // ---- the plan ----

  private async run(): Promise<void> {
    const paths = this.files;
    const lastPath = paths[paths.length - 1];
    const history = paths.slice(0, -1);
    const follow = this.options.follow !== false;
    await Promise.resolve(); // the open reports at once: not before the caller has subscribed to notices
    const opened = tryOpenLogSource(lastPath);
    const last = 'error' in opened || !opened.gzip ? opened : null; // gzip: read whole, never followed
    if (last && 'error' in last) {
      const code = (last.error as NodeJS.ErrnoException).code;
      if (!(follow && code === 'ENOENT')) this.notice({ kind: 'error', file: lastPath, message: describeOpenError(lastPath, last.error) });
    }
    const open = last && !('error' in last) ? last : null;
    const tailBytes = this.options.tailBytes ?? DEFAULT_TAIL_BYTES;
    const tailStart = open && open.size > tailBytes ? await lineStartBefore(open.fd, open.size - tailBytes) : 0;
    const historyBytes = history.reduce((sum, p) => sum + sizeOrZero(p), 0) + tailStart;

    if (open && (tailStart > 0 || history.length > 0)) {
      // Tail first, then the history behind it. (The live joiner only knows the tail's ids
      // until the merge hands it the history's table, sized for everything.)
      this.live.joiner.deferOrphans = true;
      this.replay = [];
      await this.readLive(lastPath, open, tailStart, follow);
      this.resolveReady();
      this.scheduleFlush();
      await tuning.beforeHistory?.();
      if (this.collected) this.expectFromTail(open.size - tailStart);
      // A fleet reads one host's history at a time, once every host's tail is shown.
      const release = await this.historyTurn?.();
      try {
        await this.indexHistory(history, lastPath, open, tailStart, historyBytes);
      } finally {
        release?.();
      }
    } else {
      // Nothing before the tail (or no live file to split): everything in order, shown as read.
      this.live = this.target(new IdTable(this.expectedIds), true);
      this.store.reserve(this.expectedEntries);
      for (const file of history) await this.readWhole(file, this.live);
      if (last === null) await this.readWhole(lastPath, this.live, null, opened as LogSource);
      else if (open || follow) await this.readLive(lastPath, open, 0, follow);
    }
    if (this.collected && !this.closed) this.settleCollected(follow);
    this.finishIndex();
  }

  /**
   * Everything there is has been read: entries go in chain order, and responses still waiting
   * for their request become orphans — while following, only once they have waited
   * RESPONSE_HOLD_MS (a late batch may still bring the request).
   */
  private settleCollected(follow: boolean): void {
    const collected = this.collected as CollectedLines;
    this.releaseHeld(follow ? RESPONSE_HOLD_MS : 0);
    collected.sortBySeq(this.store.orderView()); // (cached entries are by slot: still right)
    // Room for what following appends; the rest was sized for the files' bytes, generously.
    this.store.trim(256);
    this.live.ids.trim();
    collected.finish(this.store.count, follow);
    if (follow) {
      this.orderingLive = true;
      this.releaseTimer = setInterval(() => this.releaseHeld(RESPONSE_HOLD_MS), RESPONSE_HOLD_MS / 2);
      this.releaseTimer.unref();
    }
  }

  private releaseHeld(olderThanMs: number): void {
    const collected = this.collected;
    if (!collected || collected.holding === 0) return;
    const joiner = this.live.joiner;
    joiner.deferOrphans = false;
    for (const r of collected.takeHeldOlderThan(olderThanMs)) {
      const before = this.store.count;
      const slot = joiner.response(r.idHash, r);
      if (slot >= before) {
        this.placed(slot, this.live);
        collected.placed(slot, r.seq);
      }
    }
    joiner.deferOrphans = true;
    this.scheduleFlush();
  }

  /**
   * Sizes columns and id table from the tail's own density rather than a generous constant: a
   * fleet holds hundreds of stores, and room reserved then given back fragments the heap.
   */
  private expectFromTail(tailBytes: number): void {
    const entries = this.store.count;
    if (entries < 64 || tailBytes <= 0) return;
    const perEntry = tailBytes / entries;
    this.expectedEntries = Math.ceil((this.totalBytes / perEntry) * 1.1) + 256;
    this.expectedIds = this.expectedEntries;
  }

  /** The history behind a tail already shown: read hidden, then merged in front of it. */
  private async indexHistory(history: string[], lastPath: string, open: LogSource, tailStart: number, historyBytes: number): Promise<void> {
    this.store.reserve(this.expectedEntries);
    // Started after the tail is shown: booting workers competes for the CPU with reading it.
    // (Not for a collected host: finding duplicates needs each record's seq, which chunk results lack.)
    const big = historyBytes >= tuning.parallelMinBytes && this.collected === null;
    const workers = big ? scanWorkerCount(this.cpuAtOpen ?? undefined) : 0;
    // (0 workers asked for explicitly, as tests do: the chunked path, on this thread.)
    const pool = big && (workers > 0 || tuning.scanWorkers === 0) ? new ScanPool(workers) : null;
    tuning.lastScanWorkers = pool?.threads ?? 0;
    const before = { bytes: this.progressState.bytesDone, malformed: this.malformedTotal, listed: this.malformedList.length };
    let result: { hist: Target; linesBeforeTail: number };
    try {
      result = await this.readHistory(history, lastPath, open.fd, tailStart, pool);
    } catch (e) {
      if (!(e instanceof ScanWorkerError)) throw e;
      // Start the history over on this thread; the entries the failed pass made stay hidden.
      // (Lines seen while it ran — the followed tail — are kept; the history's are counted again.)
      this.progressState.bytesDone = before.bytes;
      this.malformedTotal = before.malformed;
      this.malformedList.length = Math.min(this.malformedList.length, before.listed);
      this.historyWriter.length = 0;
      result = await this.readHistory(history, lastPath, open.fd, tailStart, null);
    } finally {
      pool?.close();
    }
    if (!this.closed) this.merge(result.hist, result.linesBeforeTail);
  }

  /** Where records go: the entries shown (`visible`), or a history read hidden until merged. */
  private target(ids: IdTable, visible: boolean): Target {
    // A collected host's responses may arrive before their requests.
    return { joiner: new Joiner(this.store, ids, this.collected !== null), ids, visible, slots: visible ? null : new IntList(Math.min(1 << 16, this.expectedEntries)) };
  }

  /** The history: older files, then the live file up to the tail. Hidden until merged. */
  private async readHistory(history: string[], lastPath: string, fd: number, tailStart: number, pool: ScanPool | null): Promise<{ hist: Target; linesBeforeTail: number }> {
    const hist = this.target(new IdTable(this.expectedIds), false);
    for (const file of history) await this.readWhole(file, hist, pool);
    let linesBeforeTail = Number.NaN;
    if (tailStart > 0 && !this.closed) {
      const seg = this.segments.add(lastPath, fd, 0, false);
      const stopped = () => this.closed || this.liveTruncated;
      const onRead = (n: number) => this.advance(n);
      let lines: number;
      if (pool) lines = await pool.run(rangeSource(fd, 0, tailStart), (res, place) => this.consumeChunk(res, place, seg, hist), { stopped, onRead });
      else {
        const splitter = new LineSplitter(this.handler(seg, hist), 0, 1);
        await readRange(fd, tailStart, splitter, { onRead, stopped });
        lines = splitter.line - 1;
      }
      if (!this.liveTruncated) linesBeforeTail = lines;
    }
    return { hist, linesBeforeTail };
  }

  /** Reads the live file from `start` (line-aligned): followed, or to its end. */
  private async readLive(file: string, open: LogSource | null, start: number, follow: boolean): Promise<void> {
    const lineBase = start === 0 ? 0 : Number.NaN;
    if (follow) {
      let liveFd = open?.fd ?? -1;
      let seg: Segment | null = null;
      this.follower = new Follower(file, {
        segment: (s) => {
          const first = seg === null && s.fd === liveFd;
          if (s.previous) {
            // Where the old file went (logrotate: audit.log.1), so that its lines are cited there.
            const { dev, ino, fd } = s.previous;
            const moved = findRotatedSet(file).find((f) => f !== file && sameFile(f, dev, ino));
            if (moved) {
              this.segments.rename(fd, moved);
              this.store.forgetCachedEntries();
            }
          }
          if (s.reason === 'truncated') {
            if (s.fd === open?.fd) this.liveTruncated = true;
            if (s.truncatedAt) {
              const candidates = findRotatedSet(file).filter((f) => f !== file);
              this.segments.adoptCopy(s.fd, s.truncatedAt.offset, s.truncatedAt.lastBytes, candidates, s.truncatedAt.firstBytes);
              this.store.forgetCachedEntries();
            }
          }
          const segment = this.segments.add(file, s.fd, first ? lineBase : 0, s.fd !== liveFd || seg === null);
          seg = segment;
          liveFd = s.fd;
          // Through `this.live` at each line: the joiner changes when the history is merged.
          return {
            line: (buf, start, end, offset, line) => this.ingest(segment, buf, start, end, offset, line, this.live),
            overCap: (offset, line) => this.addMalformed(segment, line, offset, REASON_OVER_CAP),
          };
        },
        notice: (n) => this.notice(n),
        read: (n) => this.advance(n),
        idle: () => {
          this.resolveReadyIfNoHistory();
          this.scheduleFlush();
        },
      }, { start: open ? { fd: open.fd, dev: open.dev, ino: open.ino, offset: start } : undefined });
      await this.follower.start();
      return;
    }
    if (!open) return;
    const seg = this.segments.add(file, open.fd, lineBase);
    const splitter = new LineSplitter(this.handler(seg, this.live), start, 1);
    await readRange(open.fd, open.size, splitter, { onRead: (n) => this.advance(n), stopped: () => this.closed });
    splitter.flush();
    this.scheduleFlush();
  }

  private resolveReadyIfNoHistory(): void {
    // With a history pending, ready() is resolved by run() once the tail is in.
    if (this.replay === null) this.resolveReady();
  }

  /** A whole file that is not followed: plain or gzip; through the scan pool when there is one. */
  private async readWhole(file: string, target: Target, pool: ScanPool | null = null, opened?: LogSource): Promise<void> {
    if (this.closed) {
      if (opened) closeLogSource(opened);
      return;
    }
    const onRead = (n: number) => this.advance(n);
    const stopped = () => this.closed;
    try {
      const open = opened ?? openLogSource(file);
      if (open.gzip) {
        const spill = this.segments.createSpill();
        const seg = this.segments.add(file, spill, 0, false);
        if (pool) {
          const source = new GzipSource(open, spill, onRead);
          try {
            await pool.run(source, (res, place) => this.consumeChunk(res, place, seg, target), { stopped });
          } finally {
            source.close();
          }
        } else {
          const splitter = new LineSplitter(this.handler(seg, target));
          let at = 0;
          await readGzip(open, splitter, { onRead, stopped, copyTo: (chunk) => (at += fs.writeSync(spill, chunk, 0, chunk.length, at)) });
          splitter.flush();
        }
      } else {
        const seg = this.segments.add(file, open.fd, 0);
        if (pool) await pool.run(rangeSource(open.fd, 0, open.size), (res, place) => this.consumeChunk(res, place, seg, target), { stopped, onRead });
        else {
          const splitter = new LineSplitter(this.handler(seg, target));
          await readRange(open.fd, open.size, splitter, { onRead, stopped });
          splitter.flush();
        }
      }
    } catch (e) {
      if (e instanceof ScanWorkerError) throw e;
      this.notice({ kind: 'error', file, message: describeOpenError(file, e) });
    }
    this.scheduleFlush();
  }

  private handler(seg: Segment, target: Target): LineHandler {
    return {
      line: (buf, start, end, offset, line) => this.ingest(seg, buf, start, end, offset, line, target),
      overCap: (offset, line) => this.addMalformed(seg, line, offset, REASON_OVER_CAP),
    };
  }

  // ---- one line ----

  private ingest(seg: Segment, buf: Buffer, start: number, end: number, offset: number, line: number, target: Target): void {
    const r = this.record;
    if (!scanRecord(buf, start, end, r)) {
      const parsed = parseLine(buf.subarray(start, end));
      if (!parsed.ok) {
        this.addMalformed(seg, line, offset, parsed.reason);
        return;
      }
      compactFromRecord(parsed.record, r);
    }
    r.hostId = -1;
    r.seg = seg.id;
    r.offset = offset;
    r.length = end - start;
    r.line = line;
    this.apply(r, seg, target);
    // Not kept past the line: it would pin the 1 MiB read buffer (per engine: a fleet has hundreds).
    r.bytes = null;
  }

  /** A chunk scanned by a worker (or the in-thread scanner): its records, in order, yielding now and then. */
  private async consumeChunk(res: ChunkResult, place: ChunkPlace, seg: Segment, target: Target): Promise<void> {
    let map = this.scannerStrings.get(place.scanner);
    if (!map) {
      map = [[], [], [], []];
      this.scannerStrings.set(place.scanner, map);
    }
    const pools = [this.store.hosts, this.store.sessions, this.store.reasons, this.store.commands];
    for (let p = 0; p < 4; p++) for (const s of res.newStrings[p]) map[p].push(pools[p].intern(s));
    const [hosts, sessions, reasons, commands] = map;
    // Its own record object: lines followed live are ingested while this one yields.
    const r = this.chunkRecord;
    r.bytes = null;
    let malformed = 0;
    let writer = 0;
    let since = performance.now();
    for (let i = 0; i < res.count; i++) {
      if ((i & 1023) === 1023 && performance.now() - since > SLICE_MS) {
        await yieldToEventLoop();
        since = performance.now();
      }
      const kind = res.kind[i];
      const line = place.lineBase + res.line[i];
      const offset = place.base + res.offset[i];
      if (kind === OUT_MALFORMED) {
        this.addMalformed(seg, line, offset, res.malformed[malformed++].reason);
        continue;
      }
      const flags = res.flags[i];
      r.kind = kind;
      r.chained = (flags & F_CHAINED) !== 0;
      r.idHash = res.idHash[i];
      r.timeMs = res.timeMs[i];
      r.writer = null;
      r.hostId = -1;
      if (kind === KIND_REQUEST) {
        r.privileged = (flags & F_PRIVILEGED) !== 0;
        r.policy = (flags & F_POLICY) !== 0;
        r.decision = DECISIONS[res.decision[i]];
        r.latencyMs = res.value[i];
        r.hostId = hosts[res.host[i]];
        r.sessionId = sessions[res.session[i]];
        r.reasonId = reasons[res.reason[i]];
        r.commandId = commands[res.command[i]];
      } else if (kind === KIND_RESPONSE) {
        r.failed = (flags & F_FAILED) !== 0;
        r.durationMs = res.value[i];
      } else {
        r.kind = KIND_WRITER;
        r.writer = res.writers[writer++].record;
      }
      r.seg = seg.id;
      r.offset = offset;
      r.length = res.length[i];
      r.line = line;
      this.apply(r, seg, target);
    }
  }

  /** Scanner number → its string numbers → the store's. */
  private readonly scannerStrings = new Map<number, number[][]>();

  /** One record into the entries of `target`. */
  private apply(r: LocatedCompact, seg: Segment, target: Target): void {
    const { line, offset, length } = r;
    const store = this.store;
    const collected = this.collected;
    if (collected?.isDuplicate(r)) return;
    // Changes to hidden (history) entries are not reported: they arrive with the merge.
    const tracking = store.touched;
    if (!target.visible) store.touched = null;
    {
      if (r.kind === KIND_REQUEST) {
        const slot = target.joiner.request(r.idHash, r);
        this.placed(slot, target);
        if (target === this.live && this.replay) this.replay.push({ kind: 'request', slot, idHash: r.idHash, chained: r.chained, decision: r.decision });
        if (collected) {
          collected.placed(slot, r.seq);
          // Its response came first (a batch delivered late).
          for (const held of collected.takeHeld(r.idHash)) target.joiner.response(held.idHash, held);
        }
      } else if (r.kind === KIND_RESPONSE) {
        const before = store.count;
        const slot = target.joiner.response(r.idHash, r);
        if (slot === DEFERRED) {
          if (target === this.live && this.replay) this.replay.push({ kind: 'response', record: { ...r, bytes: null } });
          else collected?.hold(r);
        } else if (slot >= before) this.placed(slot, target); // an orphan: a new entry
      } else if (r.writer) {
        const w = r.writer;
        const kept = { event: w.event, time: w.time, pid: w.pid, dropped: w.dropped ?? 0, error: w.error ?? null, seg: seg.id, line, offset, length, seq: w.seq ?? null };
        (target.visible ? this.writerList : this.historyWriter).push(kept);
        if (w.event === 'start') {
          target.joiner.writerStart();
          if (target === this.live && this.replay) this.replay.push({ kind: 'start' });
        }
      }
    }
    store.touched = tracking;
    if (target.visible) this.scheduleFlush();
  }

  private placed(slot: number, target: Target): void {
    if (target.visible) {
      this.store.appendVisible(slot);
      this.appended++;
    } else target.slots?.push(slot);
  }

  // ---- the merge ----

  /**
   * The history is in: its entries go in front, and the tail's records are replayed on top of
   * the history's join state — held-back responses find their requests (or become orphans,
   * placed where their lines are), duplicates across the boundary are flagged, and a writer
   * restart in the tail interrupts what the history left running.
   */
  private merge(hist: Target, linesBeforeTail: number): void {
    const store = this.store;
    const replay = this.replay ?? [];
    const visibleBefore = new Set(store.orderView());
    store.takeTouched();
    const tail: number[] = [];
    let inserted = 0;
    for (const item of replay) {
      if (item.kind === 'request') {
        hist.joiner.rejoin(item.idHash, item, item.slot);
        tail.push(item.slot);
        for (const held of this.collected?.takeHeld(item.idHash) ?? []) hist.joiner.response(held.idHash, held);
      } else if (item.kind === 'response') {
        const before = store.count;
        const slot = hist.joiner.response(item.record.idHash, item.record);
        if (slot === DEFERRED) this.collected?.hold(item.record);
        else if (slot >= before) {
          tail.push(slot);
          inserted++;
        }
      } else hist.joiner.writerStart();
    }
    const historySlots = hist.slots?.view() ?? new Int32Array(0);
    // Room to append to; a collected host (one of hundreds) needs little: it is mostly read already.
    const room = this.collected ? 256 : historySlots.length + tail.length;
    const order = new Int32Array(Math.max(1024, historySlots.length + tail.length + room));
    order.set(historySlots);
    order.set(tail, historySlots.length);
    store.setOrder(order, historySlots.length + tail.length);
    // A collected host's responses may still arrive before their requests.
    hist.joiner.deferOrphans = this.collected !== null;
    this.live = { ...hist, visible: true, slots: null };
    this.replay = null;
    // The tail's line numbers are known now.
    for (const seg of this.segments.list) if (Number.isNaN(seg.lineBase) && !Number.isNaN(linesBeforeTail)) seg.lineBase = linesBeforeTail;
    store.forgetCachedEntries();
    this.writerList.unshift(...this.historyWriter);
    this.historyWriter.length = 0;
    let updated = 0;
    for (const slot of store.takeTouched()) if (visibleBefore.has(slot)) updated++;
    this.prepended += historySlots.length;
    this.inserted += inserted;
    this.pendingUpdated += updated;
    this.flush();
  }

  // ---- bookkeeping ----

  private lineOf(seg: number, line: number): number {
    const base = this.segments.get(seg).lineBase;
    return Number.isNaN(base) ? 0 : base + line;
  }

  private addMalformed(seg: Segment, line: number, offset: number, reason: string): void {
    this.malformedTotal++;
    this.malformedList.push({ seg: seg.id, line, offset, reason });
    if (this.malformedList.length > MALFORMED_LIST_CAP) this.malformedList.shift();
    this.scheduleFlush();
  }

  private advance(bytes: number): void {
    const p = this.progressState;
    p.bytesDone += bytes;
    if (p.bytesDone > p.bytesTotal) p.bytesTotal = p.bytesDone;
    if (!p.done) this.emit('progress', this.progress());
  }

  private finishIndex(): void {
    if (this.progressState.done) return;
    this.progressState.done = true;
    this.progressState.bytesDone = Math.max(this.progressState.bytesDone, this.progressState.bytesTotal);
    this.emit('progress', this.progress());
    this.flush();
    this.resolveReady();
    this.resolveIndexed();
  }

  /**
   * A followed collector's late batch (the shipper retried) goes where its seqs put it among
   * what is shown, as a first read of the files would have put it, and is reported as inserted:
   * a fleet merges its hosts anew. (Entries are cached by slot: the cache stays right.)
   */
  private placeLateArrivals(): void {
    const order = this.store.orderView();
    const from = order.length - this.appended;
    const first = (this.collected as CollectedLines).sortBySeq(order, from);
    // (Reordered among themselves only, they are still all after what was shown.)
    if (first < 0 || first >= from) return;
    this.inserted += this.appended;
    this.appended = 0;
  }

  /** Coalesces what changed into one `change` event per turn of the event loop. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const slot of this.store.takeTouched()) if (slot < this.countAtFlush) this.pendingUpdated++;
    this.countAtFlush = this.store.count;
    if (this.orderingLive && this.appended > 0) this.placeLateArrivals();
    if (this.appended === 0 && this.prepended === 0 && this.pendingUpdated === 0 && this.inserted === 0) return;
    const change: EngineChange = { prepended: this.prepended, appended: this.appended, updated: this.pendingUpdated };
    if (this.inserted > 0) change.inserted = this.inserted;
    this.appended = 0;
    this.prepended = 0;
    this.inserted = 0;
    this.pendingUpdated = 0;
    this.emit('change', change);
  }
}

/** A growing list of slot numbers without boxing. */
class IntList {
  private data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

function sameFile(file: string, dev: number, ino: number): boolean {
  try {
    const st = fs.statSync(file);
    return st.dev === dev && st.ino === ino;
  } catch {
    return false;
  }
}

/**
 * Opens an engine over `paths` (oldest first; a rotated set from `findRotatedSet`). The last
 * path is followed unless `follow: false`. Problems (missing file, permission denied) are
 * `notice` events, never exceptions: `ready()` resolves once the newest entries are in,
 * `indexed()` once everything is.
 */
export function openEngine(paths: string[], options: EngineOptions = {}): AuditEngine {
  if (paths.length === 0) throw new Error('openEngine: no files given');
  return new Engine(paths, options);
}

export type HistoryTurn = () => Promise<() => void>;

/** An engine over one collected host's files, with what a fleet needs to merge it with others. */
export interface HostEngine extends AuditEngine {
  timesAt(from: number, to: number): Float64Array;
  slotsInOrder(): Int32Array;
  statsParts(filter?: EntryFilter): StatsParts;
  duplicateLines(): number;
  positionOf(key: number): number;
}

/** `openEngine` for one host of a collector directory (EngineOptions.origin). */
export function openHostEngine(paths: string[], origin: string, options: EngineOptions = {}, historyTurn: HistoryTurn | null = null): HostEngine {
  if (paths.length === 0) throw new Error('openHostEngine: no files given');
  return new Engine(paths, { ...options, origin }, historyTurn);
}
