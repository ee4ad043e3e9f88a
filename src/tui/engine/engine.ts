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
 * compact columns (entry-store.ts) and are read back from their lines when asked for.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
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
} from '../../shared/entry.js';
import { DEFERRED, Joiner } from '../../shared/join.js';
import { parseLine, REASON_OVER_CAP } from '../../shared/parse-line.js';
import { EntryStore, type LocatedCompact } from './entry-store.js';
import { describeOpenError, Follower } from './follower.js';
import { IdTable } from './id-table.js';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import { readGzip, readRange } from './read-file.js';
import { findRotatedSet } from './rotated-set.js';
import { compactFromRecord, KIND_REQUEST, KIND_RESPONSE, newCompactRecord, scanRecord } from './scan-record.js';
import { type Segment, Segments } from './segments.js';

/** How much of the live file is read before anything else. */
export const DEFAULT_TAIL_BYTES = 4 * 1024 * 1024;
/** How many malformed lines (and writer events) are listed; all are counted. */
export const MALFORMED_LIST_CAP = 1000;
const NOTICE_LIST_CAP = 200;
/** Bytes per entry, on the low side (a request line and its response are ~750), to size the columns once. */
const BYTES_PER_ENTRY = 500;

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
  visible: boolean;
  /** Slots created here, in order (history only). */
  slots: number[] | null;
}

class Engine extends EventEmitter implements AuditEngine {
  readonly files: readonly string[];
  private readonly segments = new Segments();
  private readonly store: EntryStore;
  /** Sizes the columns and id tables once (growing them means copying while the UI waits). */
  private readonly expectedEntries: number;
  private live: Target;
  /** The live records since the tail began, while a history is pending. */
  private replay: ReplayItem[] | null = null;
  private readonly record = newCompactRecord() as LocatedCompact;
  private readonly malformedList: Malformed[] = [];
  private malformedTotal = 0;
  private readonly noticeList: EngineNotice[] = [];
  private readonly writerList: KeptWriterEvent[] = [];
  /** Writer events of the history, shown once it is merged. */
  private readonly historyWriter: KeptWriterEvent[] = [];
  private readonly progressState: IndexProgress = { bytesDone: 0, bytesTotal: 0, done: false };
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
  private readonly readyPromise: Promise<void>;
  private readonly indexedPromise: Promise<void>;
  private resolveReady!: () => void;
  private resolveIndexed!: () => void;

  constructor(
    paths: readonly string[],
    private readonly options: EngineOptions,
  ) {
    super();
    this.files = [...paths];
    const total = this.files.reduce((sum, p) => sum + sizeOrZero(p), 0);
    this.progressState.bytesTotal = total;
    this.expectedEntries = Math.ceil(total / BYTES_PER_ENTRY) + 1024;
    this.store = new EntryStore(this.segments, this.expectedEntries);
    this.live = { joiner: new Joiner(this.store, new IdTable(this.expectedEntries)), visible: true, slots: null };
    this.readyPromise = new Promise((r) => (this.resolveReady = r));
    this.indexedPromise = new Promise((r) => (this.resolveIndexed = r));
    void this.run().catch((e: unknown) => {
      this.notice({ kind: 'error', file: this.files[this.files.length - 1] ?? '', message: `engine failed: ${(e as Error).message}` });
      this.finishIndex();
    });
  }

  // ---- AuditEngine ----

  // The contract types listeners loosely (never[]) so that any of the three event signatures fits.
  override off(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  size(): number {
    return this.store.visible;
  }

  entry(position: number): Entry {
    return this.store.entry(position);
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

  notices(): readonly EngineNotice[] {
    return this.noticeList;
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
    const last = lastPath.endsWith('.gz') ? null : await openFile(lastPath);
    if (last && 'error' in last) {
      const code = (last.error as NodeJS.ErrnoException).code;
      if (!(follow && code === 'ENOENT')) this.notice({ kind: 'error', file: lastPath, message: describeOpenError(lastPath, last.error) });
    }
    const open = last && !('error' in last) ? last : null;
    const tailBytes = this.options.tailBytes ?? DEFAULT_TAIL_BYTES;
    const tailStart = open && open.size > tailBytes ? await lineStartBefore(open.fd, open.size - tailBytes) : 0;

    if (open && (tailStart > 0 || history.length > 0)) {
      // Tail first, then the history behind it.
      this.live.joiner.deferOrphans = true;
      this.replay = [];
      await this.readLive(lastPath, open, tailStart, follow);
      this.resolveReady();
      this.scheduleFlush();
      const hist: Target = { joiner: new Joiner(this.store, new IdTable(this.expectedEntries)), visible: false, slots: [] };
      for (const file of history) await this.readWhole(file, hist);
      let linesBeforeTail = Number.NaN;
      if (tailStart > 0 && !this.closed) {
        const seg = this.segments.add(lastPath, open.fd, 0, false);
        const splitter = new LineSplitter(this.handler(seg, hist), 0, 1);
        await readRange(open.fd, tailStart, splitter, { onRead: (n) => this.advance(n), stopped: () => this.closed || this.liveTruncated });
        if (!this.liveTruncated) linesBeforeTail = splitter.line - 1;
      }
      if (!this.closed) this.merge(hist, linesBeforeTail);
    } else {
      // Nothing before the tail (or no live file to split): everything in order, shown as read.
      for (const file of history) await this.readWhole(file, this.live);
      if (last === null) await this.readWhole(lastPath, this.live);
      else if (open || follow) await this.readLive(lastPath, open, 0, follow);
    }
    this.finishIndex();
  }

  /** Reads the live file from `start` (line-aligned): followed, or to its end. */
  private async readLive(file: string, open: OpenFile | null, start: number, follow: boolean): Promise<void> {
    const lineBase = start === 0 ? 0 : Number.NaN;
    if (follow) {
      let liveFd = open?.fd ?? -1;
      let seg: Segment | null = null;
      const lines = (): LineHandler => ({
        line: (buf, s, e, offset, line) => seg && this.ingest(seg, buf, s, e, offset, line, this.live),
        overCap: (offset, line) => seg && this.addMalformed(seg, line, offset, REASON_OVER_CAP),
      });
      this.follower = new Follower(file, {
        ...lines(),
        segment: (s) => {
          const first = seg === null && s.fd === liveFd;
          if (s.reason === 'truncated') {
            if (s.fd === open?.fd) this.liveTruncated = true;
            if (s.truncatedAt) {
              const candidates = findRotatedSet(file).filter((f) => f !== file && !f.endsWith('.gz'));
              this.segments.adoptCopy(s.fd, s.truncatedAt.offset, s.truncatedAt.lastBytes, candidates);
              this.store.forgetCachedEntries();
            }
          }
          seg = this.segments.add(file, s.fd, first ? lineBase : 0, s.fd !== liveFd || seg === null);
          liveFd = s.fd;
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

  /** A whole file that is not followed: plain or .gz. */
  private async readWhole(file: string, target: Target): Promise<void> {
    if (this.closed) return;
    const onRead = (n: number) => this.advance(n);
    const stopped = () => this.closed;
    try {
      if (file.endsWith('.gz')) {
        const spill = this.segments.createSpill();
        const seg = this.segments.add(file, spill, 0, false);
        const splitter = new LineSplitter(this.handler(seg, target));
        let at = 0;
        await readGzip(file, splitter, { onRead, stopped, copyTo: (chunk) => (at += fs.writeSync(spill, chunk, 0, chunk.length, at)) });
        splitter.flush();
      } else {
        const open = await openFile(file);
        if ('error' in open) throw open.error;
        const seg = this.segments.add(file, open.fd, 0);
        const splitter = new LineSplitter(this.handler(seg, target));
        await readRange(open.fd, open.size, splitter, { onRead, stopped });
        splitter.flush();
      }
    } catch (e) {
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
    r.seg = seg.id;
    r.offset = offset;
    r.length = end - start;
    r.line = line;
    const store = this.store;
    // Changes to hidden (history) entries are not reported: they arrive with the merge.
    const tracking = store.touched;
    if (!target.visible) store.touched = null;
    try {
      if (r.kind === KIND_REQUEST) {
        const slot = target.joiner.request(r.idHash, r);
        this.placed(slot, target);
        if (target === this.live && this.replay) this.replay.push({ kind: 'request', slot, idHash: r.idHash, chained: r.chained, decision: r.decision });
      } else if (r.kind === KIND_RESPONSE) {
        const before = store.count;
        const slot = target.joiner.response(r.idHash, r);
        if (slot === DEFERRED) this.replay?.push({ kind: 'response', record: { ...r } });
        else if (slot >= before) this.placed(slot, target); // an orphan: a new entry
      } else if (r.writer) {
        const w = r.writer;
        if (target.visible) this.writerList.push({ event: w.event, time: w.time, pid: w.pid, dropped: w.dropped ?? 0, error: w.error ?? null, seg: seg.id, line, offset, length: end - start, seq: w.seq ?? null });
        else this.historyWriter.push({ event: w.event, time: w.time, pid: w.pid, dropped: w.dropped ?? 0, error: w.error ?? null, seg: seg.id, line, offset, length: end - start, seq: w.seq ?? null });
        if (w.event === 'start') {
          target.joiner.writerStart();
          if (target === this.live && this.replay) this.replay.push({ kind: 'start' });
        }
      }
    } finally {
      store.touched = tracking;
    }
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
    const t0 = performance.now();
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
      } else if (item.kind === 'response') {
        const before = store.count;
        const slot = hist.joiner.response(item.record.idHash, item.record);
        if (slot >= before) {
          tail.push(slot);
          inserted++;
        }
      } else hist.joiner.writerStart();
    }
    const historySlots = hist.slots ?? [];
    const order = new Int32Array(Math.max(1024, (historySlots.length + tail.length) * 2));
    order.set(historySlots);
    order.set(tail, historySlots.length);
    store.setOrder(order, historySlots.length + tail.length);
    hist.joiner.deferOrphans = false;
    this.live = { joiner: hist.joiner, visible: true, slots: null };
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
    if (process.env.SPA_DEBUG_MERGE) process.stderr.write(`merge ${(performance.now() - t0).toFixed(1)} ms, ${historySlots.length} history entries, ${replay.length} replayed\n`);
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

  private notice(n: EngineNotice): void {
    this.noticeList.push(n);
    if (this.noticeList.length > NOTICE_LIST_CAP) this.noticeList.shift();
    this.emit('notice', n);
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

interface OpenFile {
  fd: number;
  dev: number;
  ino: number;
  size: number;
}

async function openFile(file: string): Promise<OpenFile | { error: unknown }> {
  try {
    const fd = await new Promise<number>((resolve, reject) => fs.open(file, 'r', (e, f) => (e ? reject(e) : resolve(f))));
    const st = await new Promise<fs.Stats>((resolve, reject) => fs.fstat(fd, (e, s) => (e ? reject(e) : resolve(s))));
    if (st.isDirectory()) {
      fs.close(fd, () => {});
      return { error: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) };
    }
    return { fd, dev: st.dev, ino: st.ino, size: st.size };
  } catch (error) {
    return { error };
  }
}

/** The start of the line containing byte `at`: just after the newline before it (0 if none). */
async function lineStartBefore(fd: number, at: number): Promise<number> {
  const block = Buffer.allocUnsafe(64 * 1024);
  let end = at;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, block, 0, end - start, start, (e, got) => (e ? reject(e) : resolve(got))));
    const nl = block.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
    end = start;
  }
  return 0;
}

function sizeOrZero(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
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
