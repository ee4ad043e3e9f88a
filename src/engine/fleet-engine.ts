/**
 * `openFleetEngine`: a collector directory's hosts as one `AuditEngine`. Each host's rotated
 * set is read by its own engine (its chain, its duplicates, its joins: ids are only unique
 * within a host); the fleet merges them by request time, keeping each host's own (chain)
 * order, and maps positions, queries and stats onto the hosts' engines.
 *
 * The merged order is rebuilt when a host's older history lands in front of what was shown
 * (at most every REBUILD_MS while indexing, and once at the end), or when a followed host puts
 * a late batch in chain order among what it had; new entries that a followed host appends go
 * on the end, merged by time among themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
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
import { finishStats, mergeStatsParts } from '../shared/query.js';
import { type CollectedHost, findCollectedHosts } from './collector-dir.js';
import { EngineEvents } from './engine-events.js';
import { DEFAULT_TAIL_BYTES, type HistoryTurn, type HostEngine, MALFORMED_LIST_CAP, openHostEngine } from './engine.js';

/** While following, the collector directories are looked at this often for hosts that began shipping. */
export const DISCOVER_MS = 2_000;
/** While hosts are still indexing, the merged order is rebuilt at most this often (less often when rebuilds are slow). */
export const REBUILD_MS = 1_000;
/** Each host's tail is at least this big (the fleet shares the tail budget among its hosts). */
const MIN_HOST_TAIL_BYTES = 16 * 1024;
/** Entry keys: host number × this + the host engine's key (unique within the host). */
const KEY_STRIDE = 2 ** 32;

interface FleetHost {
  origin: string;
  engine: HostEngine;
  /** Host position → fleet position, for the host's entries merged so far. */
  fleetPos: Int32Array;
  /** How many of the host's entries are merged. */
  merged: number;
  /** By slot: the entry was in the fleet's order at a change already (what a re-merge adds is the rest). */
  reported: Uint8Array;
  /** Host positions from here on may hold entries not yet reported (0 after a re-merge). */
  unreportedFrom: number;
}

/**
 * Merges runs (each in its own order) by time: repeatedly takes the run whose next entry is
 * earliest; ties go to the lower run number. An entry without a time counts as the one before
 * it in its run, so it stays with its neighbours.
 */
export function mergeByTime(runs: ReadonlyArray<{ from: number; times: Float64Array }>, emit: (run: number, position: number) => void): void {
  // next[r]: index into runs[r].times; the position emitted is from + that index.
  const next = runs.map(() => 0);
  const last = runs.map(() => Number.NEGATIVE_INFINITY);
  const key = (r: number) => {
    const t = runs[r].times[next[r]];
    return t === t ? t : last[r];
  };
  // A binary heap of run numbers by (key, run).
  const heap: number[] = [];
  const keys: number[] = [];
  const less = (a: number, b: number) => keys[heap[a]] < keys[heap[b]] || (keys[heap[a]] === keys[heap[b]] && heap[a] < heap[b]);
  const swap = (a: number, b: number) => {
    const t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  runs.forEach((run, r) => {
    if (run.times.length > 0) {
      keys[r] = key(r);
      heap.push(r);
      up(heap.length - 1);
    }
  });
  while (heap.length > 0) {
    const r = heap[0];
    last[r] = keys[r];
    emit(r, runs[r].from + next[r]++);
    if (next[r] < runs[r].times.length) keys[r] = key(r);
    else {
      const end = heap.pop() as number;
      if (heap.length === 0) break;
      heap[0] = end;
    }
    down(0);
  }
}

/** One at a time: `take` resolves with the release once the previous holder released. */
class Turns {
  private last: Promise<void> = Promise.resolve();
  take(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.last;
    this.last = mine;
    return before.then(() => release);
  }
}

class FleetEngine extends EngineEvents implements AuditEngine {
  files: readonly string[];
  private readonly hosts: FleetHost[];
  private discoverTimer: NodeJS.Timeout | null = null;
  /** What every host's engine is opened with (a host that joins later too). */
  private readonly hostOptions: EngineOptions;
  private readonly historyTurn: HistoryTurn;
  /** Fleet position → host number and host position. */
  private hostAt = new Uint16Array(1024);
  private posAt = new Int32Array(1024);
  private count = 0;
  private rebuildWanted = false;
  private appendWanted = false;
  private updated = 0;
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private lastRebuild = 0;
  private rebuildCost = 0;
  private allIndexed = false;
  private closed = false;
  private readonly readyPromise: Promise<void>;
  private readonly indexedPromise: Promise<void>;

  constructor(
    collected: readonly CollectedHost[],
    options: EngineOptions,
    collectors: readonly string[],
  ) {
    super();
    if (collected.length > 0xffff) throw new Error(`a fleet of ${collected.length} hosts is more than ${0xffff}`);
    const follow = options.follow !== false;
    const tailBytes = Math.max(MIN_HOST_TAIL_BYTES, Math.floor((options.tailBytes ?? DEFAULT_TAIL_BYTES) / Math.max(1, collected.length)));
    // Not following, a host's live file may be missing (rotated away with `nocreate`): read what is there.
    const hostFiles = collected.map((h) => (follow ? h.files : h.files.filter((f, i) => i < h.files.length - 1 || fs.existsSync(f))));
    this.files = hostFiles.flat();
    // Every host's tail first (the newest rows of the fleet), then the histories one host at a
    // time: interleaving a hundred reads only makes the last tail late and buffers pile up.
    let tailsIn: Promise<unknown> | null = null;
    const turns = new Turns();
    this.hostOptions = { ...options, tailBytes };
    this.historyTurn = async () => {
      await tailsIn;
      return turns.take();
    };
    this.hosts = collected.flatMap((h, i) => (hostFiles[i].length === 0 ? [] : [this.openHost({ origin: h.origin, files: hostFiles[i] })]));
    if (follow && collectors.length > 0) {
      this.discoverTimer = setInterval(() => this.discover(collectors), DISCOVER_MS);
      this.discoverTimer.unref();
    }
    tailsIn = Promise.all(this.hosts.map((h) => h.engine.ready()));
    this.readyPromise = tailsIn.then(() => this.update());
    this.indexedPromise = Promise.all(this.hosts.map((h) => h.engine.indexed())).then(() => {
      this.allIndexed = true;
      this.update();
      this.emit('progress', this.progress());
    });
  }

  // ---- AuditEngine (on, off and notices: EngineEvents) ----

  size(): number {
    return this.count;
  }

  entry(position: number): Entry {
    if (!(position >= 0 && position < this.count)) throw new RangeError(`no entry at position ${position} (size ${this.count})`);
    const h = this.hostAt[position];
    const e = this.hosts[h].engine.entry(this.posAt[position]);
    return { ...e, key: h * KEY_STRIDE + e.key };
  }

  positionOf(key: number): number {
    const h = Math.floor(key / KEY_STRIDE);
    const host = this.hosts[h];
    if (!host) return -1;
    const p = host.engine.positionOf(key - h * KEY_STRIDE);
    return p >= 0 && p < host.merged ? host.fleetPos[p] : -1;
  }

  query(filter: EntryFilter): Int32Array {
    const matched = new Uint8Array(this.count);
    this.hosts.forEach((host) => {
      if (filter.origins && filter.origins.length > 0 && !filter.origins.includes(host.origin)) return;
      for (const p of host.engine.query(filter)) {
        if (p < host.merged) matched[host.fleetPos[p]] = 1;
      }
    });
    let n = 0;
    for (let i = 0; i < matched.length; i++) n += matched[i];
    const out = new Int32Array(n);
    for (let i = 0, k = 0; i < matched.length; i++) if (matched[i] === 1) out[k++] = i;
    return out;
  }

  stats(filter?: EntryFilter): EntryStats {
    return finishStats(mergeStatsParts(this.hosts.map((h) => h.engine.statsParts(filter))));
  }

  malformedCount(): number {
    return this.hosts.reduce((n, h) => n + h.engine.malformedCount(), 0);
  }

  malformed(): readonly MalformedLine[] {
    return this.hosts.flatMap((h) => h.engine.malformed()).slice(-MALFORMED_LIST_CAP);
  }

  writerEvents(): readonly WriterEvent[] {
    return this.hosts.flatMap((h) => h.engine.writerEvents());
  }

  origins(): readonly string[] {
    // (Sorted: a host that joined while followed comes last in `hosts`.)
    return this.hosts.map((h) => h.origin).sort();
  }

  duplicateLines(): number {
    return this.hosts.reduce((n, h) => n + h.engine.duplicateLines(), 0);
  }

  progress(): IndexProgress {
    const p: IndexProgress = { bytesDone: 0, bytesTotal: 0, done: this.allIndexed };
    for (const h of this.hosts) {
      const q = h.engine.progress();
      p.bytesDone += q.bytesDone;
      p.bytesTotal += q.bytesTotal;
      // (A host that joined while following reads its history too.)
      if (!q.done) p.done = false;
    }
    return p;
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
    if (this.discoverTimer) clearInterval(this.discoverTimer);
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    await Promise.all(this.hosts.map((h) => h.engine.close()));
  }

  // ---- hosts ----

  /** One host's engine, its events passed on. */
  private openHost(h: CollectedHost): FleetHost {
    const engine = openHostEngine(h.files, h.origin, this.hostOptions, this.historyTurn);
    const host: FleetHost = { origin: h.origin, engine, fleetPos: new Int32Array(0), merged: 0, reported: new Uint8Array(0), unreportedFrom: 0 };
    engine.on('change', (c: EngineChange) => this.hostChanged(c));
    engine.on('progress', () => this.emit('progress', this.progress()));
    engine.on('notice', (n: EngineNotice) => this.notice(n));
    // A host's entries go into chain order once it is read: its positions may have moved.
    void engine.indexed().then(() => this.wantRebuild());
    return host;
  }

  /** Opens the hosts a collector gained since (a folder with an audit log, an origin not yet seen). */
  private discover(collectors: readonly string[]): void {
    if (this.closed) return;
    const known = new Set(this.hosts.map((h) => h.origin));
    for (const dir of collectors) {
      let found: CollectedHost[];
      try {
        found = findCollectedHosts(dir);
      } catch {
        continue; // gone or unreadable for now: looked at again next time
      }
      for (const h of found) {
        if (known.has(h.origin) || this.hosts.length >= 0xffff) continue;
        known.add(h.origin);
        this.hosts.push(this.openHost(h));
        this.files = [...this.files, ...h.files];
        this.notice({ kind: 'host', file: path.dirname(h.files[h.files.length - 1]), message: `${h.origin}: a new host in the collector, followed from now on` });
        this.emit('progress', this.progress());
      }
    }
  }

  // ---- merging ----

  /** Positions within some host moved (history in front, or chain order): merge anew. */
  private wantRebuild(): void {
    this.rebuildWanted = true;
    this.schedule();
  }

  private hostChanged(c: EngineChange): void {
    if (c.prepended > 0 || (c.inserted ?? 0) > 0) this.rebuildWanted = true;
    if (c.appended > 0) this.appendWanted = true;
    this.updated += c.updated;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    // A rebuild costs more as the fleet grows: while indexing, spend at most a fifth of the time on them.
    const pause = Math.max(REBUILD_MS, 4 * this.rebuildCost);
    const wait = this.rebuildWanted && !this.allIndexed ? Math.max(0, this.lastRebuild + pause - performance.now()) : 0;
    const run = () => {
      this.scheduled = null;
      this.update();
    };
    this.scheduled = wait > 0 ? setTimeout(run, wait) : setImmediate(run);
  }

  /** Brings the merged order up to date with the hosts and says what changed. */
  private update(): void {
    if (this.closed) return;
    const before = this.count;
    let appended = 0;
    let reordered = false;
    if (this.rebuildWanted || before === 0) {
      reordered = before > 0;
      this.rebuildWanted = false;
      this.appendWanted = false;
      const t0 = performance.now();
      this.rebuild();
      this.lastRebuild = performance.now();
      this.rebuildCost = this.lastRebuild - t0;
    } else if (this.appendWanted) {
      this.appendWanted = false;
      appended = this.appendNew();
    }
    const grown = this.count - before - appended;
    const updated = this.updated;
    this.updated = 0;
    const added = this.markReported(reordered);
    if (grown === 0 && appended === 0 && updated === 0 && !reordered) return;
    const change: EngineChange = { prepended: grown, appended, updated };
    if (reordered) {
      change.reordered = true;
      change.added = added;
    }
    this.emit('change', change);
  }

  /**
   * Marks the merged entries that no change has reported yet, and (`listThem`) returns their
   * positions, ascending: after a re-merge every host position is looked at, after appends
   * only the new ones.
   */
  private markReported(listThem: boolean): Int32Array {
    const added: number[] = [];
    for (const host of this.hosts) {
      const slots = host.engine.slotsInOrder();
      for (let p = host.unreportedFrom; p < host.merged; p++) {
        const slot = slots[p];
        if (slot >= host.reported.length) {
          const bigger = new Uint8Array(Math.max(slot + 1, Math.ceil(host.reported.length * 1.5) + 1024));
          bigger.set(host.reported);
          host.reported = bigger;
        }
        if (host.reported[slot] === 0) {
          host.reported[slot] = 1;
          if (listThem) added.push(host.fleetPos[p]);
        }
      }
      host.unreportedFrom = host.merged;
    }
    return Int32Array.from(added).sort();
  }

  /** Every host's entries, merged anew. */
  private rebuild(): void {
    const total = this.hosts.reduce((n, h) => n + h.engine.size(), 0);
    this.reserve(total);
    for (const host of this.hosts) {
      host.merged = host.engine.size();
      // Positions within the host may have moved too (history in front, chain order).
      host.unreportedFrom = 0;
      if (host.fleetPos.length < host.merged) host.fleetPos = new Int32Array(Math.ceil(host.merged * 1.25));
    }
    this.count = 0;
    this.mergeRuns(this.hosts.map((h) => ({ from: 0, times: h.engine.timesAt(0, h.merged) })));
  }

  /** Entries the hosts appended since the last update, after all others. Returns how many. */
  private appendNew(): number {
    const before = this.count;
    const total = this.hosts.reduce((n, h) => n + h.engine.size() - h.merged, 0);
    this.reserve(this.count + total);
    const runs = this.hosts.map((h) => ({ from: h.merged, times: h.engine.timesAt(h.merged, h.engine.size()) }));
    for (const host of this.hosts) {
      const size = host.engine.size();
      if (host.fleetPos.length < size) {
        const bigger = new Int32Array(Math.ceil(size * 1.5) + 1024);
        bigger.set(host.fleetPos.subarray(0, host.merged));
        host.fleetPos = bigger;
      }
      host.merged = size;
    }
    this.mergeRuns(runs);
    return this.count - before;
  }

  private mergeRuns(runs: Array<{ from: number; times: Float64Array }>): void {
    mergeByTime(runs, (h, p) => {
      const at = this.count++;
      this.hostAt[at] = h;
      this.posAt[at] = p;
      this.hosts[h].fleetPos[p] = at;
    });
  }

  private reserve(capacity: number): void {
    if (capacity <= this.hostAt.length) return;
    const size = Math.ceil(capacity * 1.25) + 1024;
    const hostAt = new Uint16Array(size);
    hostAt.set(this.hostAt.subarray(0, this.count));
    const posAt = new Int32Array(size);
    posAt.set(this.posAt.subarray(0, this.count));
    this.hostAt = hostAt;
    this.posAt = posAt;
  }

}

/**
 * Opens one engine per collected host (`findCollectedHosts`) and merges them. Options as for
 * `openEngine`; `tailBytes` is shared among the hosts, so the first screen costs the same.
 * While following, `collectors` (the directories the hosts came from) are looked at every
 * DISCOVER_MS for hosts that began shipping since, which are then read and followed too.
 */
export function openFleetEngine(hosts: readonly CollectedHost[], options: EngineOptions = {}, collectors: readonly string[] = []): AuditEngine {
  return new FleetEngine(hosts, options, collectors);
}
