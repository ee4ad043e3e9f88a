/**
 * Owns `openFleetEngine`: a collector directory's hosts as one merged `AuditEngine`.
 *
 * Each host's rotated set is read by its own engine with the collected-host policy plugged
 * in (its chain, its duplicates, its joins: ids are only unique within a host); the fleet
 * merges them by request time, keeping each host's own (chain) order (merged-order.ts), and
 * maps positions, queries and stats onto the hosts' engines.
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
  ChainBreakSeen,
  ChainStatus,
  EngineChange,
  EngineNotice,
  Entry,
  EntryFilter,
  EntryStats,
  IndexProgress,
  MalformedLine,
  SealRecords,
  WriterEvent,
} from '../shared/entry.js';
import { CHAIN_BREAKS_LISTED } from '../shared/entry.js';
import { finishStats, mergeStatsParts } from '../shared/query.js';
import { collectedHostPolicy } from './collected-host-policy.js';
import { type CollectedHost, findCollectedHosts } from './collector-dir.js';
import { type HistoryTurn, type OpenEngineOptions, openHostEngine } from './engine.js';
import { EngineEvents, EventPacer } from './engine-events.js';
import { MALFORMED_LIST_CAP } from './listed-lines.js';
import { MergedOrder, type MergedHost, newMergedHost } from './merged-order.js';
import { DEFAULT_TAIL_BYTES } from './read-plan.js';

/** While following, the collector directories are looked at this often for hosts that began shipping. */
export const DISCOVER_MS = 2_000;
/** While hosts are still indexing, the merged order is rebuilt at most this often (less often when rebuilds are slow). */
export const REBUILD_MS = 1_000;
/** Each host's tail is at least this big (the fleet shares the tail budget among its hosts). */
const MIN_HOST_TAIL_BYTES = 16 * 1024;
/** Entry keys: host number × this + the host engine's key (unique within the host). */
const KEY_STRIDE = 2 ** 32;

interface FleetHost extends MergedHost {
  origin: string;
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
  private readonly hostOptions: OpenEngineOptions;
  private readonly historyTurn: HistoryTurn;
  private readonly order: MergedOrder;
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
  /** Hosts' `chain` events, said once for the fleet (a break at once, else a few times a second). */
  private readonly chainEvents = new EventPacer(() => this.emit('chain', this.chainStatus()));

  constructor(
    collected: readonly CollectedHost[],
    options: OpenEngineOptions,
    collectors: readonly string[],
    private readonly leftOut: readonly string[] = [],
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
    this.order = new MergedOrder(this.hosts);
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
    return this.order.count;
  }

  entry(position: number): Entry {
    const count = this.order.count;
    if (!(position >= 0 && position < count)) throw new RangeError(`no entry at position ${position} (size ${count})`);
    const h = this.order.hostAtPosition(position);
    const e = this.hosts[h].engine.entry(this.order.hostPositionAt(position));
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
    const matched = new Uint8Array(this.order.count);
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

  /** Each host's events, placed among the fleet's entries (before the same entry as in its host), in that order. */
  writerEvents(): readonly WriterEvent[] {
    const placed = this.hosts.flatMap((h) =>
      h.engine.writerEvents().map((e) => {
        const p = e.position ?? 0;
        const position = p < h.merged ? h.fleetPos[p] : h.merged > 0 ? h.fleetPos[h.merged - 1] + 1 : 0;
        return { ...e, position };
      }),
    );
    return placed.sort((a, b) => a.position - b.position);
  }

  /** Every host checks its own chain: broken if one is, checking while one is, its breaks keyed as the fleet keys entries. */
  chainStatus(): ChainStatus {
    const out: ChainStatus = { state: 'intact', checked: 0, total: 0, unchained: 0, breaks: [], breakCount: 0 };
    const breaks: ChainBreakSeen[] = [];
    let checking = false;
    this.hosts.forEach((h, i) => {
      const s = h.engine.chainStatus();
      out.checked += s.checked;
      out.total += s.total;
      out.unchained += s.unchained;
      out.breakCount += s.breakCount;
      if (s.state === 'checking') checking = true;
      for (const b of s.breaks) if (breaks.length < CHAIN_BREAKS_LISTED) breaks.push({ ...b, entryKey: b.entryKey < 0 ? -1 : i * KEY_STRIDE + b.entryKey });
    });
    out.breaks = breaks;
    out.state = out.breakCount > 0 ? 'broken' : checking ? 'checking' : 'intact';
    return out;
  }

  /** Each host's seals, in chain order: a shipper may deliver lines out of it (as verify reads them: seq order). */
  seals(): readonly SealRecords[] {
    return this.hosts.flatMap((h) => h.engine.seals().map(inSeqOrder));
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
    this.chainEvents.close();
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    await Promise.all(this.hosts.map((h) => h.engine.close()));
  }

  // ---- hosts ----

  /** One host's engine, its events passed on. */
  private openHost(h: CollectedHost): FleetHost {
    const engine = openHostEngine(h.files, { origin: h.origin, delivery: collectedHostPolicy, historyTurn: this.historyTurn }, this.hostOptions);
    const host: FleetHost = { origin: h.origin, ...newMergedHost(engine) };
    engine.on('change', (c: EngineChange) => this.hostChanged(c));
    engine.on('progress', () => this.emit('progress', this.progress()));
    engine.on('notice', (n: EngineNotice) => this.notice(n));
    engine.on('chain', (s: ChainStatus) => this.chainEvents.changed(s.breakCount > 0 && s.state === 'broken'));
    // A host's entries go into chain order once it is read: its positions may have moved.
    void engine.indexed().then(() => this.wantRebuild());
    return host;
  }

  /** Opens the hosts a collector gained since (a folder with an audit log, an origin not yet seen). */
  private discover(collectors: readonly string[]): void {
    if (this.closed) return;
    const known = new Set([...this.hosts.map((h) => h.origin), ...this.leftOut]);
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
    if (c.reordered) {
      // Entries left the host's order (withdrawn after a truncation): merged anew at once, since
      // fleet positions past its new end would name no entry.
      this.rebuildWanted = true;
      this.updated += c.updated;
      this.update();
      return;
    }
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
    const order = this.order;
    const before = order.count;
    let appended = 0;
    let reordered = false;
    if (this.rebuildWanted || before === 0) {
      reordered = before > 0;
      this.rebuildWanted = false;
      this.appendWanted = false;
      const t0 = performance.now();
      order.rebuild();
      this.lastRebuild = performance.now();
      this.rebuildCost = this.lastRebuild - t0;
    } else if (this.appendWanted) {
      this.appendWanted = false;
      appended = order.appendNew();
    }
    const grown = Math.max(0, order.count - before - appended);
    const updated = this.updated;
    this.updated = 0;
    const added = order.markReported(reordered);
    if (grown === 0 && appended === 0 && updated === 0 && !reordered) return;
    const change: EngineChange = { prepended: grown, appended, updated };
    if (reordered) {
      change.reordered = true;
      change.added = added;
    }
    this.emit('change', change);
  }
}

/**
 * Opens one engine per collected host (`findCollectedHosts`) and merges them. Options as for
 * `openEngine`; `tailBytes` is shared among the hosts, so the first screen costs the same.
 * While following, `collectors` (the directories the hosts came from) are looked at every
 * DISCOVER_MS for hosts that began shipping since, which are then read and followed too —
 * except the origins in `leftOut` (hosts the caller found unreadable and said so).
 */
export function openFleetEngine(
  hosts: readonly CollectedHost[],
  options: OpenEngineOptions = {},
  collectors: readonly string[] = [],
  leftOut: readonly string[] = [],
): AuditEngine {
  return new FleetEngine(hosts, options, collectors, leftOut);
}

/** A host's seals sorted by seq (stable), each line still read from where it is. */
function inSeqOrder(r: SealRecords): SealRecords {
  const seq = (i: number) => r.locations[i].seq ?? -1;
  const order = r.locations.map((_, i) => i).sort((a, b) => seq(a) - seq(b) || a - b);
  return { ...r, locations: order.map((i) => r.locations[i]), line: (i) => r.line(order[i]) };
}
