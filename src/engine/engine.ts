/**
 * Owns `openEngine`: one set of audit-log files as an `AuditEngine`, put together from its parts.
 *
 * The contract is src/shared/entry.ts. The parts: read-plan.ts reads the tail first and the
 * history behind it (live-file.ts follows the last file), record-intake.ts turns lines and
 * worker chunks into entries, tail-merge.ts puts the history in front, change-batch.ts
 * coalesces `change` events; entries live in compact columns (entry-store.ts) and are read
 * back from their lines (file-spans.ts) when asked for. A delivery policy
 * (delivery-policy.ts) says how the lines were delivered: the daemon's own files here, one
 * collected host's for a fleet (fleet-engine.ts).
 */
import type { AuditEngine, ChainStatus, EngineOptions, Entry, EntryFilter, EntryLineSources, EntryLines, EntryStats, IndexProgress, MalformedLine, SealRecords, WriterEvent } from '../shared/entry.js';
import { compileFilter, filtersNothing, type StatsParts } from '../shared/query.js';
import { ChangeBatch } from './change-batch.js';
import { ChainWatch } from './chain-track.js';
import { type DeliveryPolicy, type DeliveryPolicyFactory, directDelivery, type PolicyHost } from './delivery-policy.js';
import type { DescriptorPool } from './descriptor-pool.js';
import { EngineEvents } from './engine-events.js';
import type { EntryColumns } from './entry-columns.js';
import { EntryStore } from './entry-store.js';
import { positionsByTime } from './time-order.js';
import { FileSpans } from './file-spans.js';
import { type LineFingerprints, type PlacedChange, withChangedLines, withChangedSeals } from './line-fingerprints.js';
import { sizeOrZero } from './log-source.js';
import { newJoinTarget } from './join-target.js';
import { EntrySizing } from './entry-sizing.js';
import { DEFAULT_TAIL_BYTES, type EngineTuning, type HistoryTurn, ReadPlan, ReadProgress } from './read-plan.js';
import { RecordIntake } from './record-intake.js';
import type { SealList } from './seal-list.js';
import { sampleProcessCpu } from './scan-worker-count.js';
import type { SharedStrings } from './string-pool.js';

export type { EngineTuning, HistoryTurn } from './read-plan.js';

/** openEngine's options: the contract's, and how the history is read (tests and benchmarks). */
export type OpenEngineOptions = EngineOptions & EngineTuning;

/** How an engine over one collected host is opened (by a fleet). */
export interface HostSetup {
  /** Entry.origin of its entries. */
  origin: string;
  /** How the host's lines were delivered (collected-host-policy.ts). */
  delivery: DeliveryPolicyFactory;
  /** Waits for this host's turn to read its history. */
  historyTurn: HistoryTurn | null;
  /** Waits for a slot to read its tail (a fleet opens a bounded number of files at once). */
  tailTurn?: HistoryTurn | null;
  /** The fleet's descriptors: files done reading are reopened from here when a line is read back. */
  pool?: DescriptorPool | null;
  /** The fleet's strings: the same text kept once for all hosts (string-pool.ts). */
  shared?: SharedStrings | null;
}

/** How a break carried over from an earlier reading of the host says what is shown. */
const CARRIED = '(read while the host was asleep; the entry shows what is there now)';

/** Files read directly: no origin, every line once and in order, no turn to wait for. */
const OWN_FILES: HostSetup = { origin: '', delivery: directDelivery, historyTurn: null };

class Engine extends EngineEvents implements HostEngine {
  readonly files: readonly string[];
  private readonly spans: FileSpans;
  private readonly store: EntryStore;
  private readonly batch: ChangeBatch;
  private readonly policy: DeliveryPolicy;
  private readonly intake: RecordIntake;
  private readonly readProgress: ReadProgress;
  private readonly plan: ReadPlan;
  private readonly chain: ChainWatch;
  private readonly origin: string;
  private readonly follow: boolean;
  private closed = false;
  private readonly readyPromise: Promise<void>;
  private readonly indexedPromise: Promise<void>;
  private resolveReady!: () => void;
  private resolveIndexed!: () => void;

  constructor(paths: readonly string[], options: OpenEngineOptions, setup: HostSetup) {
    super();
    this.files = [...paths];
    this.origin = setup.origin;
    this.spans = new FileSpans(setup.pool ?? null);
    this.follow = options.follow !== false;
    const total = this.files.reduce((sum, p) => sum + sizeOrZero(p), 0);
    this.readProgress = new ReadProgress(total, (p) => this.emit('progress', p));
    // One of a fleet's hosts (it shares the fleet's descriptors) makes little room beyond its bytes.
    const fleetHost = setup.pool != null;
    const sizing = new EntrySizing(total, fleetHost ? 16 : undefined);
    // Sized for the tail now; for all before the history.
    this.store = new EntryStore(this.spans, sizing.forTail(options.tailBytes ?? DEFAULT_TAIL_BYTES), setup.origin, setup.shared ?? null);
    this.batch = new ChangeBatch(this.store, (c) => this.emit('change', c), (pending) => this.policy.beforeReport(pending));
    const host: PolicyHost = {
      store: this.store,
      spans: this.spans,
      live: () => this.intake.live,
      show: (slot) => this.intake.place(slot, this.intake.live),
      scheduleChange: () => this.batch.schedule(),
    };
    this.policy = setup.delivery(host);
    // A collected host's lines may come out of order (a late batch): its chain is checked in seq order.
    this.chain = new ChainWatch(() => this.emit('chain', this.chainStatus()), this.policy.responsesMayComeFirst);
    // A line found rewritten in place when read back: a break, said at once.
    this.store.fingerprints.onChanged = () => this.chain.changed(true);
    this.intake = new RecordIntake(this.store, this.policy, this.batch, newJoinTarget(this.store, this.store.idTable(fleetHost ? 16 : undefined), true, this.policy.responsesMayComeFirst, 0, this.chain.live), options.checkChain !== false);
    this.intake.seals.onChanged = () => this.chain.changed(true);
    this.plan = new ReadPlan(this.files, options, options, {
      spans: this.spans,
      store: this.store,
      intake: this.intake,
      batch: this.batch,
      policy: this.policy,
      progress: this.readProgress,
      sizing,
      chain: this.chain,
      // Only for deciding on scan workers (os.cpus() is slow: a fleet opens hundreds of engines).
      cpuAtOpen: this.policy.scanWorkers ? sampleProcessCpu() : null,
      historyTurn: setup.historyTurn,
      tailTurn: setup.tailTurn ?? null,
      notice: (n) => this.notice(n),
      closed: () => this.closed,
      ready: () => this.resolveReady(),
      indexed: () => this.finishIndex(),
    });
    this.readyPromise = new Promise((r) => (this.resolveReady = r));
    this.indexedPromise = new Promise((r) => (this.resolveIndexed = r));
    void this.plan.run().catch((e: unknown) => {
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

  entryLines(position: number): EntryLines {
    return this.store.entryLines(position);
  }

  /**
   * (Not while following: a followed file's spans move to logrotate's copy under a read, and a
   * line may be read from the bytes the follower kept, neither of which another thread sees.)
   */
  entryLineRows(positions: Int32Array, from: number, to: number, rows: Float64Array): EntryLineSources | null {
    return this.follow ? null : this.store.entryLineRows(positions, from, to, rows);
  }

  keysOf(positions: Int32Array): Float64Array {
    const order = this.store.orderView();
    return Float64Array.from(positions, (p) => order[p]);
  }

  /** (A key is a slot; one scan of the order, for the rare reordered change.) */
  positionOf(key: number): number {
    return this.store.orderView().indexOf(key);
  }

  query(filter: EntryFilter): Int32Array {
    return this.store.query(filter);
  }

  timeOrder(positions?: Int32Array): Int32Array {
    return positionsByTime(this.store.timesAt(0, this.store.visible), positions ?? null);
  }

  stats(filter?: EntryFilter): EntryStats {
    return this.store.stats(this.positionsOf(filter));
  }

  /** Positions matching `filter`; null for all (no array of a million positions to say so). */
  private positionsOf(filter: EntryFilter | undefined): Int32Array | null {
    return filter && !filtersNothing(compileFilter(filter)) ? this.store.query(filter) : null;
  }

  malformedCount(): number {
    return this.intake.malformed.count();
  }

  malformed(): readonly MalformedLine[] {
    return this.intake.malformed.cited(this.spans);
  }

  writerEvents(): readonly WriterEvent[] {
    return this.intake.writers.cited(this.spans, this.store.orderView(), this.store.count, this.origin);
  }

  chainStatus(): ChainStatus {
    const status = withChangedSeals(withChangedLines(this.chain.status(this.spans, this.origin), this.store.fingerprints.changed, this.spans, this.origin), this.intake.seals.changed, this.origin);
    return withChangedSeals(status, this.carried, this.origin, CARRIED);
  }

  /** Lines an earlier reading of this host indexed that this one did not find as they were (a fleet's host woken from its sleep): breaks of its chain. */
  private carried: readonly PlacedChange[] = [];

  carryChanged(placed: readonly PlacedChange[]): void {
    this.carried = [...this.carried, ...placed];
    if (placed.length > 0) this.chain.changed(true);
  }

  /**
   * A followed host with nothing in flight: read to the end of its live file, no rotated-away
   * file still read, no line held for another. Its live file and how far it was read (what its
   * sleep watches: fleet-engine.ts), or null.
   */
  quietAt(): { dev: number; ino: number; offset: number } | null {
    if (!this.follow || this.closed || !this.readProgress.now().done || (this.policy.holding?.() ?? 0) > 0) return null;
    return this.plan.quietAt();
  }

  seals(): readonly SealRecords[] {
    return [this.intake.seals.cited(this.spans, this.origin, this.chain.seqs())];
  }

  /** (A set of files, or one collected host's: not a collector directory, so none.) */
  origins(): readonly string[] {
    return [];
  }

  duplicateLines(): number {
    return this.policy.duplicateLines();
  }

  progress(): IndexProgress {
    return this.readProgress.now();
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
    this.chain.close();
    this.policy.close();
    await this.plan.stop();
    this.spans.closeAll();
    this.finishIndex();
  }

  // ---- HostEngine: what a fleet merges hosts by ----

  /** Slots (entry keys) in order, position by position: a view, valid until the next change. */
  slotsInOrder(): Int32Array {
    return this.store.orderView();
  }

  /** Request times (ms, NaN when unknown) of the entries at positions [from, to), without reading their lines. */
  timesAt(from: number, to: number): Float64Array {
    return this.store.timesAt(from, to);
  }

  linePrints(): Uint32Array {
    return this.store.fingerprints.printsOf(0, this.store.count);
  }

  /** What `stats` is made of, to combine with other engines' (a fleet). */
  statsParts(filter?: EntryFilter): StatsParts {
    return this.store.statsParts(this.positionsOf(filter));
  }

  /**
   * A finished host not followed gives its entries and what it found to the fleet's shared
   * store (fleet-store.ts) and stops, keeping its files open for them: what a host's engine
   * costs beyond its records (its reader, join, chain check, pools: ~13 KB) is then freed.
   */
  handOver(): HostHandOver {
    this.closed = true;
    this.chain.close();
    this.policy.close();
    void this.plan.stop();
    // A followed host's live file was its follower's: the fleet's pool reopens it when a line is read back.
    if (this.follow) this.spans.poolOwned();
    return {
      columns: this.store.columns,
      fingerprints: this.store.fingerprints,
      order: this.store.orderView(),
      count: this.store.count,
      spans: this.spans,
      malformedCount: this.malformedCount(),
      malformed: this.malformed(),
      writerEvents: this.writerEvents(),
      chain: this.chainStatus(),
      seals: this.seals(),
      sealList: this.intake.seals,
      duplicates: this.duplicateLines(),
      progress: this.progress(),
    };
  }

  private finishIndex(): void {
    if (!this.readProgress.finish()) return;
    this.batch.flush();
    this.chain.finish(!this.follow);
    this.resolveReady();
    this.resolveIndexed();
  }
}

/**
 * Opens an engine over `paths` (oldest first; a rotated set from `findRotatedSet`). The last
 * path is followed unless `follow: false`. Problems (missing file, permission denied) are
 * `notice` events, never exceptions: `ready()` resolves once the newest entries are in,
 * `indexed()` once everything is.
 */
export function openEngine(paths: string[], options: OpenEngineOptions = {}): AuditEngine {
  if (paths.length === 0) throw new Error('openEngine: no files given');
  return new Engine(paths, options, OWN_FILES);
}

/** What a finished host found besides its entries (kept by the fleet once its engine is dropped). */
export interface HostFindings {
  malformedCount: number;
  malformed: readonly MalformedLine[];
  writerEvents: readonly WriterEvent[];
  chain: ChainStatus;
  seals: readonly SealRecords[];
  duplicates: number;
  progress: IndexProgress;
}

/** What a finished host hands over to its fleet's shared store (`handOver`). */
export interface HostHandOver extends HostFindings {
  columns: EntryColumns;
  fingerprints: LineFingerprints;
  /** Where seal lines found changed after they were read are listed, now and later (`seals` reads them). */
  sealList: Pick<SealList, 'changed' | 'onChanged'>;
  /** Slots in order. */
  order: Int32Array;
  /** Slots in use (withdrawn ones too). */
  count: number;
  spans: FileSpans;
}

/** An engine over one collected host's files, with what a fleet needs to merge it with others. */
export interface HostEngine extends AuditEngine {
  chainStatus(): ChainStatus;
  seals(): readonly SealRecords[];
  timesAt(from: number, to: number): Float64Array;
  slotsInOrder(): Int32Array;
  statsParts(filter?: EntryFilter): StatsParts;
  /** Only a host read once, or a followed one that is quiet, once indexed: see Engine.handOver. */
  handOver?(): HostHandOver;
  /** A followed host with nothing in flight: see Engine.quietAt. */
  quietAt?(): { dev: number; ino: number; offset: number } | null;
  /** Breaks an earlier reading of the host found (see Engine.carryChanged). */
  carryChanged?(placed: readonly PlacedChange[]): void;
  /** The fingerprint of each line it indexed (a woken host is checked against what it read asleep). */
  linePrints?(): Uint32Array;
}

/** `openEngine` for one host of a collector directory. */
export function openHostEngine(paths: string[], setup: HostSetup, options: OpenEngineOptions = {}): HostEngine {
  if (paths.length === 0) throw new Error('openHostEngine: no files given');
  return new Engine(paths, options, setup);
}
