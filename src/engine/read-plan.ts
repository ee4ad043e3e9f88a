/**
 * Owns the order files are read in: the tail of the live file first, then the history behind it.
 *
 * The last few MB of the live file (the tail) are read first and shown at once; the history
 * before them (older files, and the live file up to the tail) is read hidden — by scan
 * workers when it is large and cores are idle — and merged in front; the live file is
 * followed from the tail on. With nothing before the tail: everything in order, shown as read.
 */
import fs from 'node:fs';
import type { EngineNotice, IndexProgress } from '../shared/entry.js';
import type { ChangeBatch } from './change-batch.js';
import type { ChainWatch } from './chain-track.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import type { PooledFile } from './descriptor-pool.js';
import type { EntrySizing } from './entry-sizing.js';
import type { IdTable } from './id-table.js';
import type { EntryStore } from './entry-store.js';
import { GzipSource, rangeSource } from './chunk-sources.js';
import { closeLogSource, type LogSource, openLogSource, sizeOrZero, tryOpenLogSource } from './log-source.js';
import type { FileSpan, FileSpans } from './file-spans.js';
import { describeOpenError, type FleetFollow, type Follower } from './follower.js';
import { type JoinTarget, newJoinTarget } from './join-target.js';
import { LineSplitter } from './line-splitter.js';
import { followLiveFile, type LiveFileReader, readLiveToEnd } from './live-file.js';
import type { ChunkResult } from './chunk-scan.js';
import { missingNativeAddon, nativeAddon } from './native-scanner.js';
import { type LinesChunk, linesWork } from './chunk-work.js';
import { type ChunkSource, type LocalChunks, ScanPool, ScanWorkerError } from './parallel-scan.js';
import { gzipDamageNotice, lineStartBefore, readGzip, readRange } from './read-file.js';
import type { RecordIntake } from './record-intake.js';
import { type ProcessCpuSample, scanWorkerCount } from './scan-worker-count.js';
import { mergeHistory, ReplayLog } from './tail-merge.js';

/** How much of the live file is read before anything else. */
export const DEFAULT_TAIL_BYTES = 2 * 1024 * 1024;

/** How the history is read: options to openEngine, for tests and benchmarks. */
export interface EngineTuning {
  /**
   * History at least this large is scanned by `scanWorkers` worker threads (below it, starting
   * them costs more than they save). Default 32 MiB.
   */
  parallelMinBytes?: number;
  /** 'auto' (the default: see scanWorkerCount), or how many (0: in chunks on this thread). */
  scanWorkers?: number | 'auto';
  /** Awaited after the tail is shown, before the history is read: the viewer's first frame (and a test seam). */
  beforeHistory?: () => Promise<void>;
  /** For the benchmark: false indexes without checking the chain (no line hashed), to measure what the check costs. Default true. */
  checkChain?: boolean;
  /** Test seams: the scan pool's chunk size, and which chunks this thread scans itself beside its workers (parallel-scan.ts). */
  scanChunkBytes?: number;
  localChunks?: LocalChunks;
  /** Test seam: chunks wait for a scan worker still starting, not scanned here meanwhile (parallel-scan.ts; a small history reaches the workers). */
  queueForStartingWorkers?: boolean;
  /**
   * What a scan worker makes of a chunk: its lines' slots, taken by this thread as its own reads
   * are (the default where the native scanner is built), or its records, joined here (without it).
   */
  scanInto?: 'lines' | 'records';
  /** For the benchmark: the scan workers each history pass started. */
  onScanWorkers?: (threads: number) => void;
  /** One of a fleet's followed hosts: how its follower watches and polls (fleet-engine.ts). */
  fleetFollow?: FleetFollow;
  /**
   * Every file in order, oldest first, never the live file's tail first: each entry's key (its
   * slot) is then the same in any later reading of the same files grown by appends (a fleet's
   * small host read again when it wakes from its sleep, fleet-engine.ts).
   */
  inOrder?: boolean;
}


const DEFAULT_PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** A history pass's scan pool, and its chunks read into a target (a span of the files). */
interface HistoryPool {
  readonly pool: { readonly threads: number; close(): Promise<void> };
  run(source: ChunkSource, span: FileSpan, target: JoinTarget, options: { stopped?: () => boolean; onRead?: (bytes: number) => void; chunkBytes?: number }): Promise<number>;
}

/** Waits for this engine's turn to read its history; returns the release. (A fleet shares the CPU among hosts.) */
export type HistoryTurn = () => Promise<() => void>;

/** Bytes read of the bytes there are: a `progress` report per read until done. */
export class ReadProgress {
  private readonly state: IndexProgress;

  constructor(bytesTotal: number, private readonly report: (progress: IndexProgress) => void) {
    this.state = { bytesDone: 0, bytesTotal, done: false };
  }

  now(): IndexProgress {
    return { ...this.state };
  }

  advance(bytes: number): void {
    const p = this.state;
    p.bytesDone += bytes;
    if (p.bytesDone > p.bytesTotal) p.bytesTotal = p.bytesDone;
    if (!p.done) this.report(this.now());
  }

  /** Back to `bytesDone` (a history pass started over). */
  rewind(bytesDone: number): void {
    this.state.bytesDone = bytesDone;
  }

  /** Everything is read: reports it, unless it already was (returns false then). */
  finish(): boolean {
    const p = this.state;
    if (p.done) return false;
    p.done = true;
    p.bytesDone = Math.max(p.bytesDone, p.bytesTotal);
    this.report(this.now());
    return true;
  }
}

/** What the plan reads into, and what it tells the engine. */
export interface PlanParts {
  readonly spans: FileSpans;
  readonly store: EntryStore;
  readonly intake: RecordIntake;
  readonly batch: ChangeBatch;
  readonly policy: DeliveryPolicy;
  readonly progress: ReadProgress;
  readonly sizing: EntrySizing;
  readonly chain: ChainWatch;
  /** How busy the machine was from the open on decides how many scan workers to start (null: none are). */
  readonly cpuAtOpen: ProcessCpuSample | null;
  readonly historyTurn: HistoryTurn | null;
  /** Waits for a slot to open and read the tail (a fleet reads a bounded number of hosts at once). */
  readonly tailTurn: HistoryTurn | null;
  notice(n: EngineNotice): void;
  closed(): boolean;
  /** The newest entries are in. */
  ready(): void;
  /** Every file is read to its end. */
  indexed(): void;
}

export class ReadPlan implements LiveFileReader {
  readonly spans: FileSpans;
  readonly store: EntryStore;
  readonly intake: RecordIntake;
  private readonly follow: boolean;
  private readonly tailBytes: number;
  private follower: Follower | null = null;
  /** The live file was truncated under the tail split: the lines before the tail are not its lines now. */
  private liveTruncated = false;
  /** The live file, read to its end and not followed, through the fleet's descriptor pool (null: its descriptor is kept). */
  private livePooled: PooledFile | null = null;

  constructor(
    private readonly files: readonly string[],
    options: { follow?: boolean; tailBytes?: number },
    private readonly tuning: EngineTuning,
    private readonly parts: PlanParts,
  ) {
    this.follow = options.follow !== false;
    this.tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
    ({ spans: this.spans, store: this.store, intake: this.intake } = parts);
  }

  async run(): Promise<void> {
    const { parts, files, follow } = this;
    const lastPath = files[files.length - 1];
    const history = files.slice(0, -1);
    await Promise.resolve(); // the open reports at once: not before the caller has subscribed to notices
    const releaseTail = await parts.tailTurn?.();
    let tailDone = false;
    const tailRead = () => {
      if (tailDone) return;
      tailDone = true;
      releaseTail?.();
      // Done with the tail: the descriptor may go back to the pool until the history needs it.
      if (this.livePooled) this.spans.pool?.release(this.livePooled);
    };
    try {
      await this.readAll(lastPath, history, follow, tailRead);
    } finally {
      tailRead();
      // Closed while reading: the live file may be in the pool and in no span yet (closeAll forgets only those in one).
      if (parts.closed() && this.livePooled) this.spans.pool?.forget(this.livePooled);
    }
    if (!parts.closed()) parts.policy.settle(follow);
    parts.indexed();
  }

  private async readAll(lastPath: string, history: string[], follow: boolean, tailRead: () => void): Promise<void> {
    const { parts } = this;
    const opened = tryOpenLogSource(lastPath);
    const last = 'error' in opened || !opened.gzip ? opened : null; // gzip: read whole, never followed
    if (last && 'error' in last) {
      const code = (last.error as NodeJS.ErrnoException).code;
      if (!(follow && code === 'ENOENT')) parts.notice({ kind: 'error', file: lastPath, message: describeOpenError(lastPath, last.error) });
    }
    const open = last && !('error' in last) ? last : null;
    const pool = this.spans.pool;
    if (open && pool && !follow) this.livePooled = pool.track(open);
    const tailStart = open && this.tuning.inOrder !== true && open.size > this.tailBytes ? await lineStartBefore(open.fd, open.size - this.tailBytes) : 0;
    const historyBytes = history.reduce((sum, p) => sum + sizeOrZero(p), 0) + tailStart;

    if (open && (tailStart > 0 || (history.length > 0 && this.tuning.inOrder !== true))) {
      // Tail first, then the history behind it. (The live joiner only knows the tail's ids
      // until the merge hands it the history's table, sized for everything.)
      this.intake.live.joiner.deferOrphans = true;
      this.intake.replay = new ReplayLog();
      // Checked at once on its own, and again behind the history once it is read.
      this.intake.live.chain.keep();
      await this.readLive(lastPath, open, tailStart);
      tailRead();
      parts.ready();
      parts.batch.schedule();
      await this.tuning.beforeHistory?.();
      if (parts.policy.oneOfMany) parts.sizing.fromTail(open.size - tailStart, this.store.count);
      // A fleet reads one host's history at a time, once every host's tail is shown.
      const release = await parts.historyTurn?.();
      try {
        await this.indexHistory(history, lastPath, open, tailStart, historyBytes);
      } finally {
        release?.();
      }
    } else {
      // Nothing before the tail (or no live file to split): everything in order, shown as read.
      this.intake.live = this.target(this.store.idTable(parts.sizing.ids), true);
      parts.chain.live = this.intake.live.chain;
      this.store.reserve(parts.sizing.entries);
      for (const file of history) await this.readWhole(file, this.intake.live);
      if (last === null) await this.readWhole(lastPath, this.intake.live, null, opened as LogSource);
      else if (open || follow) await this.readLive(lastPath, open, 0);
    }
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  /** The followed live file when nothing is in flight (Follower.quietAt); null when not following or not quiet. */
  quietAt(): { dev: number; ino: number; offset: number } | null {
    return this.follower?.quietAt() ?? null;
  }

  // ---- LiveFileReader ----

  get batch(): ChangeBatch {
    return this.parts.batch;
  }

  get oneOfMany(): boolean {
    return this.parts.policy.oneOfMany;
  }

  notice(n: EngineNotice): void {
    this.parts.notice(n);
  }

  advance(bytes: number): void {
    this.parts.progress.advance(bytes);
    this.tuning.fleetFollow?.read?.();
  }

  idle(): void {
    this.parts.chain.settle();
    // With a history pending, ready() is resolved by run() once the tail is in.
    if (this.intake.replay === null) this.parts.ready();
    this.parts.batch.schedule();
  }

  truncated(): void {
    this.liveTruncated = true;
  }

  closed(): boolean {
    return this.parts.closed();
  }

  // ---- the steps ----

  /**
   * Where records go: the entries shown (`visible`), or a history read hidden until merged. A
   * history's list of slots is made for all the entries expected, as the columns are (room not
   * written to is address space, not memory): grown by doubling from 65,536, it copied 4 MB over
   * a million entries, each copy into fresh pages.
   */
  private target(ids: IdTable, visible: boolean): JoinTarget {
    return newJoinTarget(this.store, ids, visible, this.parts.policy.responsesMayComeFirst, this.parts.sizing.entries, this.parts.chain.track());
  }

  /** Reads the live file from `start` (line-aligned): followed, or to its end. */
  private async readLive(file: string, open: LogSource | null, start: number): Promise<void> {
    if (this.follow) {
      this.follower = followLiveFile(this, file, open, start, this.tuning.fleetFollow);
      await this.follower.start();
    } else if (open) {
      await readLiveToEnd(this, file, open, start, this.livePooled);
      this.parts.batch.schedule();
    }
  }

  /** The history behind a tail already shown: read hidden, then merged in front of it. */
  private async indexHistory(history: string[], lastPath: string, open: LogSource, tailStart: number, historyBytes: number): Promise<void> {
    const pooled = this.livePooled;
    const pool = this.spans.pool;
    if (!pooled || !pool) return this.indexHistoryFrom(history, lastPath, open.fd, tailStart, historyBytes);
    const fd = pool.acquire(pooled);
    if (fd < 0) {
      this.notice({ kind: 'error', file: lastPath, message: `${lastPath} is gone since its newest lines were read: the lines before them are not read` });
      return this.indexHistoryFrom(history, lastPath, -1, 0, historyBytes);
    }
    try {
      await this.indexHistoryFrom(history, lastPath, fd, tailStart, historyBytes);
    } finally {
      pool.release(pooled);
    }
  }

  private async indexHistoryFrom(history: string[], lastPath: string, liveFd: number, tailStart: number, historyBytes: number): Promise<void> {
    const { parts, tuning } = this;
    this.store.reserve(parts.sizing.entries);
    // Started after the tail is shown: booting workers competes for the CPU with reading it.
    const big = historyBytes >= (tuning.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES) && parts.policy.scanWorkers;
    if (big && tuning.scanInto !== 'records') this.sayWithoutNativeScanner(lastPath);
    const setting = tuning.scanWorkers ?? 'auto';
    const workers = big ? scanWorkerCount(setting, parts.cpuAtOpen ?? undefined) : 0;
    // (0 workers asked for explicitly, as tests do: the chunked path, on this thread.)
    const pool = big && (workers > 0 || setting === 0) ? this.historyPool(workers) : null;
    tuning.onScanWorkers?.(pool?.pool.threads ?? 0);
    const before = { bytes: parts.progress.now().bytesDone, malformed: this.intake.malformed.mark() };
    let result: { hist: JoinTarget; linesBeforeTail: number };
    const first = this.historyTarget();
    try {
      result = await this.readHistory(history, lastPath, liveFd, tailStart, pool, first);
    } catch (e) {
      if (!(e instanceof ScanWorkerError)) throw e;
      // Start the history over on this thread; the entries the failed pass made stay hidden.
      // (Lines seen while it ran — the followed tail — are kept; the history's are counted again.)
      // Their lines' fingerprints go: a woken fleet host's lines are checked against the ones
      // read again (linePrints), and one rewritten since the failed pass read it must not pass.
      for (const slot of (first.slots as NonNullable<JoinTarget['slots']>).view()) this.store.fingerprints.forget(slot);
      parts.progress.rewind(before.bytes);
      this.intake.malformed.rewind(before.malformed);
      this.intake.writers.dropHistory();
      this.intake.seals.dropHistory();
      result = await this.readHistory(history, lastPath, liveFd, tailStart, null, this.historyTarget());
    } finally {
      await pool?.pool.close();
    }
    if (!parts.closed()) this.merge(result.hist, result.linesBeforeTail);
  }

  /**
   * A big read about to go without the native scanner (not built: no cargo at install; or not
   * loadable) says so, once a process: else it is just twice as slow, and nobody knows why.
   */
  private sayWithoutNativeScanner(file: string): void {
    const why = missingNativeAddon();
    if (why === null) return;
    this.notice({ kind: 'limit', file, message: `${file}: read without the native scanner, ${why}; the index takes about twice as long (README, "The native scanner")` });
  }

  /** The scan pool of a history pass, with how its chunks go into the intake. */
  private historyPool(workers: number): HistoryPool {
    const { tuning, intake } = this;
    intake.scannerStrings.forget();
    const hashLines = tuning.checkChain !== false;
    const addon = tuning.scanInto === 'records' ? null : nativeAddon();
    if (addon !== null) {
      const pool = new ScanPool<LinesChunk>(workers, hashLines, tuning.localChunks, linesWork(addon, hashLines), tuning.queueForStartingWorkers);
      return { pool, run: (source, span, target, options) => pool.run(source, (res, place) => intake.scannedChunk(res, place, span, target), options) };
    }
    const pool = new ScanPool<ChunkResult>(workers, hashLines, tuning.localChunks, undefined, tuning.queueForStartingWorkers);
    return { pool, run: (source, span, target, options) => pool.run(source, (res, place) => intake.chunk(res, place, span, target), options) };
  }

  /** Where a history pass's records go: hidden until merged. */
  private historyTarget(): JoinTarget {
    return this.target(this.store.idTable(this.parts.sizing.ids), false);
  }

  /** The history: older files, then the live file up to the tail, into `hist`. Hidden until merged. */
  private async readHistory(history: string[], lastPath: string, fd: number, tailStart: number, pool: HistoryPool | null, hist: JoinTarget): Promise<{ hist: JoinTarget; linesBeforeTail: number }> {
    this.parts.chain.history = hist.chain;
    for (const file of history) await this.readWhole(file, hist, pool);
    let linesBeforeTail = Number.NaN;
    if (tailStart > 0 && !this.closed()) {
      const span = this.livePooled ? this.spans.addPooled(this.livePooled, 0) : this.spans.add(lastPath, fd, 0, false);
      const stopped = () => this.closed() || this.liveTruncated;
      const onRead = (n: number) => this.advance(n);
      let lines: number;
      if (pool) lines = await pool.run(rangeSource(fd, 0, tailStart), span, hist, { stopped, onRead, chunkBytes: this.tuning.scanChunkBytes });
      else {
        const splitter = new LineSplitter(this.intake.handler(span, hist), 0, 1);
        await readRange(fd, tailStart, splitter, { onRead, stopped });
        lines = splitter.line - 1;
      }
      if (!this.liveTruncated) linesBeforeTail = lines;
    }
    return { hist, linesBeforeTail };
  }

  /** The history is in: in front of the tail, which becomes the live join state's. */
  private merge(hist: JoinTarget, linesBeforeTail: number): void {
    const { intake, parts } = this;
    // The tail's lines, checked again behind the history's: one chain, in log order.
    intake.live.chain.replayInto(hist.chain);
    parts.chain.live = hist.chain;
    parts.chain.history = null;
    const merged = mergeHistory(this.store, this.spans, parts.policy, intake.replay, hist, linesBeforeTail);
    intake.live = merged.live;
    intake.replay = null;
    intake.writers.revealHistory(this.store.orderView()[merged.prepended] ?? -1);
    intake.seals.revealHistory();
    const pending = parts.batch.pending;
    pending.prepended += merged.prepended;
    pending.inserted += merged.inserted;
    pending.updated += merged.updated;
    parts.batch.flush();
  }

  /** A whole file that is not followed: plain or gzip; through the scan pool when there is one. */
  private async readWhole(file: string, target: JoinTarget, pool: HistoryPool | null = null, opened?: LogSource): Promise<void> {
    if (this.closed()) {
      if (opened) closeLogSource(opened);
      return;
    }
    const onRead = (n: number) => this.advance(n);
    const stopped = () => this.closed();
    try {
      const open = opened ?? openLogSource(file);
      if (open.gzip) {
        const spill = this.spans.createSpill();
        const span = this.spans.add(file, spill, 0, false);
        // Gzip data that ends early (or goes bad) costs the file's rest, said in a notice; the read goes on.
        if (pool) {
          const source = new GzipSource(open, spill, onRead);
          try {
            const lines = await pool.run(source, span, target, { stopped, chunkBytes: this.tuning.scanChunkBytes });
            if (source.damage) this.notice(gzipDamageNotice(file, source.damage, lines));
          } finally {
            source.close();
          }
        } else {
          const splitter = new LineSplitter(this.intake.handler(span, target));
          let at = 0;
          const damage = await readGzip(open, splitter, { onRead, stopped, copyTo: (chunk) => (at += fs.writeSync(spill, chunk, 0, chunk.length, at)) });
          splitter.flush();
          if (damage) this.notice(gzipDamageNotice(file, damage, splitter.line - 1));
        }
      } else {
        // One of a fleet's hosts: the descriptor goes to the pool once the file is read.
        const pooled = this.spans.pool?.track(open) ?? null;
        const span = pooled ? this.spans.addPooled(pooled, 0) : this.spans.add(file, open.fd, 0);
        try {
          if (pool) await pool.run(rangeSource(open.fd, 0, open.size), span, target, { stopped, onRead, chunkBytes: this.tuning.scanChunkBytes });
          else {
            const splitter = new LineSplitter(this.intake.handler(span, target));
            await readRange(open.fd, open.size, splitter, { onRead, stopped });
            splitter.flush();
          }
        } finally {
          if (pooled) this.spans.pool?.release(pooled);
        }
      }
    } catch (e) {
      if (e instanceof ScanWorkerError) throw e;
      this.notice({ kind: 'error', file, message: describeOpenError(file, e) });
    }
    this.parts.batch.schedule();
  }
}
