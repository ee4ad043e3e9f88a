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
 *
 * Thousands of hosts cost what their records cost: their files go through one bounded
 * descriptor pool, their tails are read a few at a time, and as many are followed as open
 * files allow — the rest are read once and named in a `limit` notice, never dropped silently.
 * A host read once goes into the fleet's store (fleet-store.ts) and drops its engine; so does
 * a small followed host while it is quiet (asleep: a watch on its folder is all it keeps), woken
 * by any change to its live file and read again by a new engine that takes over (`wake`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type {
  AuditEngine,
  ChainStatus,
  EngineChange,
  EngineNotice,
  Entry,
  EntryFilter,
  EntryLines,
  EntryStats,
  IndexProgress,
  MalformedLine,
  SealRecords,
  WriterEvent,
} from '../shared/entry.js';
import { monotonicMs } from '../shared/clock.js';
import { finishStats, mergeStatsParts, type StatsParts } from '../shared/query.js';
import { BlockStats, FleetChain, filterKey, HostMatches, KEY_STRIDE } from './fleet-caches.js';
import { collectedHostPolicy } from './collected-host-policy.js';
import { type CollectedHost, CollectorScan, hostFolder, namedApartFrom, RealFolders, UNNAMED_HOST_REASON } from './collector-dir.js';
import { type HistoryTurn, type HostEngine, type OpenEngineOptions, openHostEngine } from './engine.js';
import type { FleetFollow } from './follower.js';
import { DescriptorPool, poolSizeFor } from './descriptor-pool.js';
import { EngineEvents, EventPacer } from './engine-events.js';
import { MALFORMED_LIST_CAP } from './listed-lines.js';
import { MergedOrder, type MergedHost, newMergedHost } from './merged-order.js';
import { openFileLimit } from './open-file-limit.js';
import { DEFAULT_TAIL_BYTES } from './read-plan.js';
import { FleetStore, SettledHost } from './fleet-store.js';
import { SharedStrings } from './string-pool.js';
import { findRotatedSet } from './rotated-set.js';
import { positionsByTime } from './time-order.js';

/** While following, the collector directories are looked at this often for hosts that began shipping. */
export const DISCOVER_MS = 2_000;
/** While hosts are still indexing, the merged order is rebuilt at most this often (less often when rebuilds are slow). */
export const REBUILD_MS = 1_000;
/**
 * Each host's tail is at least this big (the fleet shares the tail budget among its hosts),
 * and always holds the host's last line whole: its newest records, enough for the newest rows.
 * More made the first screen of 10,000 hosts wait for 40 MB, a sixth of all their lines (4 KiB
 * each: ready in 14.4 s; 1 KiB: 6.5 s, the same run).
 */
const MIN_HOST_TAIL_BYTES = 1024;
/** Descriptors kept free of the fleet's: Node's own, stdio, the terminal, workers. */
const RESERVED_FILES = 64;
/** Each followed host polls its live file this often per host in the fleet (the watches say at once; the poll is the safety net). */
const POLL_MS_PER_HOST = 10;
const MIN_POLL_MS = 500;
/** Hosts a fleet holds at most: the merged order keeps a host number in 16 bits. */
export const MAX_HOSTS = 0xffff;
/** Hosts named in a notice (the rest are counted). */
const NAMED_HOSTS = 20;

/** openFleetEngine's options: openEngine's, and (for the tests) a lower host limit than MAX_HOSTS. */
export type FleetOptions = OpenEngineOptions & {
  maxHosts?: number;
  /**
   * Not following, and the caller waits for everything (`print`, `stats`): each host is read
   * whole, a few at a time, and goes into the fleet's store at once — no host's engine waits
   * with its tail for the others' (10,000 hosts: every engine alive at once was the peak).
   * `ready()` is then `indexed()`.
   */
  wholeHosts?: boolean;
  /** Rows the fleet's `ready()` waits for (FIRST_ROWS unless a test asks for fewer). */
  firstRows?: number;
  /** Hosts up to this size are read whole before the first rows (SMALL_HOST_BYTES unless a test asks otherwise). */
  smallHostBytes?: number;
  /** `ready()` at the latest this long after the first host is opened (FIRST_ROWS_WAIT_MS unless a test asks otherwise). */
  firstRowsWaitMs?: number;
  /** Followed hosts up to this size go to sleep once quiet (SLEEP_HOST_BYTES unless a test asks otherwise; 0: none do). */
  sleepHostBytes?: number;
  /** A followed host not quiet when read is looked at again this often (SLEEP_CHECK_MS unless a test asks otherwise). */
  sleepCheckMs?: number;
};

/**
 * A followed host up to this size goes to sleep once read and quiet: its rows move into the
 * fleet's store as a host read once does, its engine (~13–16 KB of heap and ~5.5 KB of typed
 * arrays beyond its records) is dropped, and a watch on its folder is all that is left of
 * following it. Any change to its live file wakes it: its files are read again by a new engine
 * (so at most this many bytes, ~1 ms), which takes over from the store. A bigger host keeps its
 * engine: its records cost more than the engine, and reading it again would not be cheap.
 */
const SLEEP_HOST_BYTES = 256 * 1024;
/** A followed host that was not quiet when read (or since it woke) is looked at again this often. */
const SLEEP_CHECK_MS = 10_000;

/** A followed host asleep: where its live file stood when it went to sleep, and the watch on its folder. */
interface Asleep {
  live: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  watcher: fs.FSWatcher | null;
}

/**
 * A host up to this size is read whole when it may hold the first rows (its history is most of
 * what it holds past a fleet's small share of the tail budget, and its newest rows are only known
 * once the history before its tail is: 10,000 hosts of 47 KB, 1 KiB tails, ~1 ms each).
 */
const SMALL_HOST_BYTES = 256 * 1024;

/**
 * `ready()` once this many of the fleet's newest rows are known (more than a screen): those
 * read hold this many rows newer than any unread host's file may (readQueued).
 */
const FIRST_ROWS = 100;
/**
 * How far a host's clock may run ahead of the collector's: a file's time (the collector's
 * clock, its last arrival) bounds its records' `logged` (the host's clock) only up to this.
 * A host further ahead is not lost: its rows are merged in place as soon as its tail is read,
 * moments after the first screen. (More would make every host that wrote in that long a
 * candidate for the first rows: in a busy fleet, all of them.)
 */
const CLOCK_SKEW_MS = 2_000;
/**
 * `ready()` at the latest this long after the hosts are first read, with the newest rows of the
 * hosts read so far (the most recently written): when file times cannot tell (many hosts written
 * within the same seconds), waiting for every host's newest rows made the first screen of 10,000
 * hosts wait for all of them. What is read after is merged in place, as histories are.
 */
const FIRST_ROWS_WAIT_MS = 1_000;

/** Hosts read at once, each whole, with `wholeHosts`. */
const WHOLE_HOST_SLOTS = 4;

interface FleetHost extends MergedHost {
  origin: string;
  /** Followed, small, and read whole from the start (its keys as a reading when it wakes gives them): it may sleep. */
  maySleep: boolean;
  /** Its progress as last reported (the fleet's sums are kept from these, not recounted per event). */
  bytesDone: number;
  bytesTotal: number;
  done: boolean;
}

/** Hosts whose tails are read at once: each holds a descriptor or two while it reads. */
const TAIL_SLOTS = 16;

/** A host not opened yet: its files, whether it is to be followed, and what they hold (by their times and sizes). */
interface QueuedHost {
  host: CollectedHost;
  follow: boolean;
  /** Its files' newest time (ms; -Infinity when none is there): none of its records was written after it, but for a clock ahead of the collector's. */
  newest: number;
  bytes: number;
}

function queued(host: CollectedHost, follow: boolean): QueuedHost {
  let newest = Number.NEGATIVE_INFINITY;
  let bytes = 0;
  for (const f of host.files) {
    try {
      const st = fs.statSync(f);
      newest = Math.max(newest, st.mtimeMs);
      bytes += st.size;
    } catch {
      // (Not there: nothing of it to read.)
    }
  }
  return { host, follow, newest, bytes };
}

/** The oldest of `times` (-Infinity: none has a time). */
function oldestOf(times: Float64Array): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const t of times) if (t < oldest) oldest = t;
  return oldest === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : oldest;
}

/** The `count` newest times added (entries without a time are not counted). */
class NewestTimes {
  /** Ascending; at most `count`. */
  private readonly kept: number[] = [];
  constructor(private readonly count: number) {}

  add(times: Float64Array): void {
    const kept = this.kept;
    for (const t of times) {
      if (!(t === t) || (kept.length === this.count && t <= kept[0])) continue;
      let at = kept.length;
      while (at > 0 && kept[at - 1] > t) at--;
      kept.splice(at, 0, t);
      if (kept.length > this.count) kept.shift();
    }
  }

  /** `count` times are kept, none before `bound`. */
  allAtOrAfter(bound: number): boolean {
    return this.kept.length === this.count && this.kept[0] >= bound;
  }
}

/** `size` holders at a time, first come first served: `take` resolves with the release. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  take(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.waiting.shift();
          if (next) next();
          else this.free++;
        });
      };
      if (this.free > 0) {
        this.free--;
        grant();
      } else this.waiting.push(grant);
    });
  }
}

class FleetEngine extends EngineEvents implements AuditEngine {
  files: readonly string[];
  private readonly hosts: FleetHost[];
  private discoverTimer: NodeJS.Timeout | null = null;
  /** What every host's engine is opened with (a host that joins later too). */
  private readonly hostOptions: OpenEngineOptions;
  private readonly historyTurn: HistoryTurn;
  private readonly tailTurn: HistoryTurn;
  /** The origins not opened yet (they are known: a look for new hosts must not take them for new ones). */
  private readonly queued: Map<string, number>;
  /** Their bytes (by origin, above), counted in progress before they are opened. */
  private bytesQueued = 0;
  /** Every host's files but the followed live ones: opened when read, a bounded number at once. */
  private readonly pool = new DescriptorPool(poolSizeFor(openFileLimit()));
  /** Every host's interned strings: hosts, commands and reasons repeat from host to host. */
  private readonly shared = new SharedStrings();
  /** Every host read and done (not followed): its rows, strings and spans, in one store for all (fleet-store.ts). */
  private readonly store = new FleetStore(this.pool, this.shared);
  /** The store's matches as last asked (host numbers and host positions), until a host settles or another filter is asked. */
  private storeMatches: { key: string; version: number; hosts: Int32Array; positions: Int32Array } | null = null;
  /** Hosts with an engine of their own now (not in the store), and the most there were at once. */
  private engines = 0;
  private mostEngines = 0;
  /** The store's stats parts as last asked, likewise. */
  private storeStats: { key: string; version: number; parts: StatsParts } | null = null;
  /** How many more hosts may be followed (each keeps its live file open); the rest are read once and named. */
  private followBudget = 0;
  /** Host folders whose watch failed, not said yet. */
  private unwatched: string[] = [];
  private readonly fleetFollow: FleetFollow;
  private readonly order: MergedOrder;
  private rebuildWanted = false;
  /** Host numbers that appended entries since the last update. */
  private readonly appendedBy = new Set<number>();
  private updated = 0;
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private lastRebuild = 0;
  private rebuildCost = 0;
  private allIndexed = false;
  private closed = false;
  /** Sums of the hosts' progress, kept as each reports (a fleet of 10,000 hosts reports often). */
  private bytesDone = 0;
  private bytesTotal = 0;
  private hostsReading = 0;
  private readonly readyPromise: Promise<void>;
  private readonly indexedPromise: Promise<void>;
  /** The hosts' answers as last asked, each dropped when its host changes (fleet-caches.ts). */
  private readonly matches = new HostMatches();
  private readonly blockStats: BlockStats;
  private readonly chain: FleetChain;
  /**
   * Hosts' `progress` events, said for the fleet a few times a second (at once when all is read):
   * 10,000 hosts reporting each made a viewer recount the fleet thousands of times a second.
   */
  private readonly progressEvents = new EventPacer(() => this.emit('progress', this.progress()));
  /** The hosts' counts and malformed lines as last summed (null: a host changed since). */
  private counts: { malformed: number; duplicates: number } | null = null;
  private malformedList: readonly MalformedLine[] | null = null;
  /** `writerEvents()` as last placed (null: a host changed or the merged order moved since). */
  private placedEvents: readonly WriterEvent[] | null = null;
  /** Each host event's fleet copy, used again while its place is the same (a host hands out the same events until it changes). */
  private readonly placedCopies = new WeakMap<WriterEvent, PlacedEvent>();
  /** Hosts past the limit when opened (`withinHostLimit`): said once (never picked up as new: see `discover`). */
  private notRead: readonly string[] = [];
  /** `origins()` as last sorted (hosts only join: dropped when one does). */
  private sortedOrigins: readonly string[] | null = null;
  /** Hosts' `chain` events, said once for the fleet (a break at once, else a few times a second). */
  private readonly chainEvents = new EventPacer(() => this.emit('chain', this.chainStatus()));

  /** Hosts this fleet holds at most (MAX_HOSTS unless a test asks for fewer). */
  private readonly maxHosts: number;
  /** Followed hosts asleep (their rows in the store), by host number. */
  private readonly asleep = new Map<number, Asleep>();
  /** Hosts woken, by number: the engine reading their files again (the store still answers for them until it is done). */
  private readonly waking = new Map<number, HostEngine>();
  /** Followed hosts with an engine that may go to sleep once quiet, with whether they changed since last looked at. */
  private readonly awake = new Map<number, boolean>();
  private readonly sleepHostBytes: number;
  private readonly sleepCheckMs: number;
  private sleepTimer: NodeJS.Timeout | null = null;
  /** The safety poll of the hosts asleep (their watches say at once), and where it is in them. */
  private asleepPoll: NodeJS.Timeout | null = null;
  private asleepCursor: Iterator<number> | null = null;
  private wakeUps = 0;

  constructor(
    offered: readonly CollectedHost[],
    options: FleetOptions,
    collectors: readonly string[],
    /** Host folders the caller left out (unreadable, and said): never picked up as new. */
    leftOut: readonly string[] = [],
  ) {
    super();
    // A settled host's line found rewritten in place when read back: its chain is broken, said at once.
    this.store.onLineChanged = (number) => {
      this.forget(number);
      this.chainEvents.changed(true);
    };
    this.maxHosts = Math.min(MAX_HOSTS, options.maxHosts ?? MAX_HOSTS);
    this.sleepHostBytes = options.sleepHostBytes ?? SLEEP_HOST_BYTES;
    this.sleepCheckMs = options.sleepCheckMs ?? SLEEP_CHECK_MS;
    const collected = this.withinHostLimit(offered);
    const follow = options.follow !== false;
    this.followBudget = follow ? Math.max(0, openFileLimit() - RESERVED_FILES - this.pool.capacity - 2 * TAIL_SLOTS) : 0;
    this.fleetFollow = {
      pollMs: Math.max(MIN_POLL_MS, collected.length * POLL_MS_PER_HOST),
      watchFailed: (file, e) => this.watchFailed(file, e),
      read: () => {
        this.counts = null;
        this.malformedList = null;
      },
    };
    const tailBytes = Math.max(MIN_HOST_TAIL_BYTES, Math.floor((options.tailBytes ?? DEFAULT_TAIL_BYTES) / Math.max(1, collected.length)));
    // Not following, a host's live file may be missing (rotated away with `nocreate`): read what is there.
    const hostFiles = collected.map((h) => (follow ? h.files : h.files.filter((f, i) => i < h.files.length - 1 || fs.existsSync(f))));
    this.files = hostFiles.flat();
    // The newest rows first (the tails of the most recently written hosts), then the rest:
    // interleaving a hundred reads only makes the last tail late and buffers pile up.
    let firstRowsIn: Promise<unknown> | null = null;
    const turns = new Slots(1);
    this.hostOptions = { ...options, tailBytes };
    this.historyTurn = async () => {
      await firstRowsIn;
      return turns.take();
    };
    const tailSlots = new Slots(TAIL_SLOTS);
    this.tailTurn = () => tailSlots.take();
    this.hosts = [];
    this.blockStats = new BlockStats(this.hosts, (h) => !(h.engine instanceof SettledHost));
    this.chain = new FleetChain(this.hosts);
    const followed = follow ? this.mostRecentlyWritten(collected) : new Set<string>();
    const readOnce: string[] = [];
    const whole = !follow && options.wholeHosts === true;
    const queue: QueuedHost[] = [];
    collected.forEach((h, i) => {
      if (hostFiles[i].length === 0) return;
      if (!follow || followed.has(h.origin)) queue.push(queued({ origin: h.origin, files: hostFiles[i] }, follow));
      else {
        readOnce.push(h.origin);
        queue.push(queued({ origin: h.origin, files: existing(hostFiles[i]) }, false));
      }
    });
    // Newest first: the first rows wait only for the hosts that may hold them. (Read whole too:
    // hosts are numbered as they are opened, and a fleet's keys are the same either way.)
    queue.sort((a, b) => b.newest - a.newest);
    this.queued = new Map(queue.map((q) => [q.host.origin, q.bytes]));
    for (const q of queue) this.bytesQueued += q.bytes;
    if (readOnce.length > 0) {
      const folder = path.dirname(collected[0].files[collected[0].files.length - 1]);
      const message = `${openFileLimit()} open files allowed (ulimit -n): the ${followed.size} most recently written of ${collected.length} hosts are followed; not followed (read once, shown in full): ${namedHosts(readOnce)}`;
      // (After the caller subscribed: the constructor's caller has the engine only once it returns.)
      setImmediate(() => this.notice({ kind: 'limit', file: path.dirname(folder), message }));
    }
    this.order = new MergedOrder(this.hosts);
    if (follow && collectors.length > 0) {
      const scans = collectors.map((dir) => new CollectorScan(dir));
      // What the collectors held at the start — read, queued, past the host limit, or left out
      // by the caller — is not new; the origins taken are told apart from a new host's name.
      const real = new RealFolders();
      const seen = { folders: new Set([...offered.map(hostFolder), ...offered.map((h) => real.of(h)), ...leftOut.map((f) => path.resolve(f))]), origins: new Set(offered.map((h) => h.origin)), real };
      this.discoverTimer = setInterval(() => this.discover(scans, seen), DISCOVER_MS);
      this.discoverTimer.unref();
    }
    let shown!: () => void;
    const firstRows = new Promise<void>((resolve) => (shown = resolve));
    firstRowsIn = firstRows;
    const allRead = this.readQueued(
      queue,
      { firstRows: whole ? 0 : (options.firstRows ?? FIRST_ROWS), smallHostBytes: options.smallHostBytes ?? SMALL_HOST_BYTES, firstRowsWaitMs: options.firstRowsWaitMs ?? FIRST_ROWS_WAIT_MS },
      shown,
    );
    this.indexedPromise = allRead.then(() => {
      this.allIndexed = true;
      this.store.trim();
      this.update();
      this.emit('progress', this.progress());
    });
    this.readyPromise = whole
      ? this.indexedPromise
      : firstRows.then(() => {
          // (Every host's rows so far merged by time: a host's tail is not appended after the others'.)
          this.rebuildWanted = true;
          this.update();
        });
  }

  /**
   * Reads the queued hosts (newest first) and calls `shown` once the newest `firstRows` rows are
   * known: the hosts read so far hold that many rows newer than any unread host's files may (their
   * time, CLOCK_SKEW_MS later) and than any history not read yet (older than its tail) — or every
   * host is opened, or `firstRowsWaitMs` passed (then they are the newest of the most recently
   * written hosts, and the rest is merged in place as it is read). Until then hosts are opened a few at a time: a small one (up to
   * `smallHostBytes`) read whole and into the store at once, a bigger one its tail only (its
   * history waits). After, the rest are read whole, a few at a time, each into the store as soon
   * as it is read (not followed): no host's engine waits with its tail for the others' (10,000
   * hosts' engines alive at once was the peak). `firstRows` 0: every host whole (`wholeHosts`).
   */
  private async readQueued(queue: readonly QueuedHost[], options: { firstRows: number; smallHostBytes: number; firstRowsWaitMs: number }, shown: () => void): Promise<void> {
    const { firstRows, smallHostBytes } = options;
    let next = 0;
    if (firstRows > 0) {
      const newest = new NewestTimes(firstRows);
      const known = new Uint8Array(queue.length);
      let firstUnknown = 0;
      /** The newest a history not read yet may hold: its tail's oldest time. */
      let historyBound = Number.NEGATIVE_INFINITY;
      let said = false;
      // (Raced by each read below: a host's tail may take as long as its sender makes it, e.g. a
      // file of no line end whose line start is looked for back through all of it.)
      let waitOver!: () => void;
      const over = new Promise<void>((resolve) => (waitOver = resolve));
      const waited = setTimeout(() => {
        said = true;
        waitOver();
      }, options.firstRowsWaitMs);
      /** Settled (and made anew) each time the first host not known yet moves on. */
      let movedOn!: () => void;
      let firstUnknownMoved = new Promise<void>((resolve) => (movedOn = resolve));
      const firstReader = async () => {
        while (!said && next < queue.length && !this.closed) {
          // Not more than a reader's share past the first host not known yet: those after it are
          // older (by their files' times) and cannot tell the first rows sooner, and each would
          // keep an engine until its history is read. (A slow newest host let the readers open
          // 31–35 before it was known, where 16 are read at once.)
          if (next >= firstUnknown + TAIL_SLOTS) {
            await Promise.race([firstUnknownMoved, over]);
            continue;
          }
          const at = next++;
          const q = queue[at];
          const small = q.bytes <= smallHostBytes;
          const host = this.openHost(q.host, q.follow, small ? 'whole' : 'tail');
          this.hosts.push(host);
          await Promise.race([small ? host.engine.indexed() : host.engine.ready(), over]);
          if (said) break;
          const times = host.engine.timesAt(0, host.engine.size());
          newest.add(times);
          if (!host.engine.progress().done) historyBound = Math.max(historyBound, oldestOf(times));
          known[at] = 1;
          const before = firstUnknown;
          while (firstUnknown < next && known[firstUnknown] === 1) firstUnknown++;
          if (firstUnknown > before) {
            movedOn();
            firstUnknownMoved = new Promise<void>((resolve) => (movedOn = resolve));
          }
          // (Opened in order, newest first: the first host not yet known may hold the newest unread row.)
          const unread = firstUnknown < queue.length ? queue[firstUnknown].newest + CLOCK_SKEW_MS : Number.NEGATIVE_INFINITY;
          if (newest.allAtOrAfter(Math.max(unread, historyBound))) said = true;
        }
      };
      await Promise.all(Array.from({ length: TAIL_SLOTS }, firstReader));
      clearTimeout(waited);
    }
    shown();
    // (The rest after the first rows are taken: a turn for those waiting on `ready()`.)
    await new Promise((resolve) => setImmediate(resolve));
    const wholeReader = async () => {
      while (next < queue.length && !this.closed) {
        const q = queue[next++];
        const host = this.openHost(q.host, q.follow, 'whole');
        this.hosts.push(host);
        // (Its move into the store was queued first, in openHost.)
        await host.engine.indexed();
      }
    };
    await Promise.all(Array.from({ length: WHOLE_HOST_SLOTS }, wholeReader));
    // The hosts whose tails were read first: their histories, one at a time.
    await Promise.all(this.hosts.map((h) => h.engine.indexed()));
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

  entryLines(position: number): EntryLines | null {
    const count = this.order.count;
    if (!(position >= 0 && position < count)) throw new RangeError(`no entry at position ${position} (size ${count})`);
    return this.hosts[this.order.hostAtPosition(position)].engine.entryLines?.(this.order.hostPositionAt(position)) ?? null;
  }

  keysOf(positions: Int32Array): Float64Array {
    const out = new Float64Array(positions.length);
    // (A settled host's slots are a new array each time: taken once per host.)
    const slotsOf = new Map<number, Int32Array>();
    positions.forEach((p, i) => {
      const h = this.order.hostAtPosition(p);
      let slots = slotsOf.get(h);
      if (!slots) slotsOf.set(h, (slots = this.hosts[h].engine.slotsInOrder()));
      out[i] = h * KEY_STRIDE + slots[this.order.hostPositionAt(p)];
    });
    return out;
  }

  positionOf(key: number): number {
    const h = Math.floor(key / KEY_STRIDE);
    const host = this.hosts[h];
    if (!host) return -1;
    const p = host.engine.positionOf(key - h * KEY_STRIDE);
    return p >= 0 && p < host.merged ? host.fleetPos[p] : -1;
  }

  query(filter: EntryFilter): Int32Array {
    const key = filterKey(filter);
    const matched = new Uint8Array(this.order.count);
    this.hosts.forEach((host, number) => {
      if (host.engine instanceof SettledHost) return;
      if (filter.origins && filter.origins.length > 0 && !filter.origins.includes(host.origin)) return;
      for (const p of this.matches.matches(number, host, key, filter)) {
        if (p < host.merged) matched[host.fleetPos[p]] = 1;
      }
    });
    const settled = this.storeMatchesOf(key, filter);
    for (let i = 0; i < settled.hosts.length; i++) {
      const host = this.hosts[settled.hosts[i]];
      const p = settled.positions[i];
      if (p < host.merged) matched[host.fleetPos[p]] = 1;
    }
    return matchedPositions(matched);
  }

  /** The merged order is by time between hosts but each host's own within one: sorted anew, from the hosts' time columns. */
  timeOrder(positions?: Int32Array): Int32Array {
    const times = new Float64Array(this.order.count).fill(Number.NaN);
    for (const host of this.hosts) {
      const own = host.engine.timesAt(0, host.merged);
      for (let p = 0; p < own.length; p++) times[host.fleetPos[p]] = own[p];
    }
    return positionsByTime(times, positions ?? null);
  }

  stats(filter?: EntryFilter): EntryStats {
    return finishStats(mergeStatsParts([...this.blockStats.parts(filter), this.storeStatsOf(filter)]));
  }

  /** The settled hosts' matches (fleet-store.ts: one pass over the store), kept until one more settles. */
  private storeMatchesOf(key: string, filter: EntryFilter): { hosts: Int32Array; positions: Int32Array } {
    const kept = this.storeMatches;
    if (kept && kept.key === key && kept.version === this.store.version) return kept;
    const hosts: number[] = [];
    const positions: number[] = [];
    this.store.query(filter, (host, p) => {
      hosts.push(host.number);
      positions.push(p);
    });
    this.storeMatches = { key, version: this.store.version, hosts: Int32Array.from(hosts), positions: Int32Array.from(positions) };
    return this.storeMatches;
  }

  private storeStatsOf(filter: EntryFilter | undefined): StatsParts {
    const key = filterKey(filter);
    const kept = this.storeStats;
    if (kept && kept.key === key && kept.version === this.store.version) return kept.parts;
    const parts = this.store.statsParts(filter);
    this.storeStats = { key, version: this.store.version, parts };
    return parts;
  }

  malformedCount(): number {
    return this.counted().malformed;
  }

  malformed(): readonly MalformedLine[] {
    // (Kept until a host changes, as the counts are.)
    this.malformedList ??= this.hosts.flatMap((h) => h.engine.malformed()).slice(-MALFORMED_LIST_CAP);
    return this.malformedList;
  }

  /** The hosts' malformed and duplicate line counts summed, kept until a host changes: a viewer asks every second, and summing 10,000 hosts each time was most of an idle viewer's CPU. */
  private counted(): { malformed: number; duplicates: number } {
    if (this.counts === null) {
      let malformed = 0;
      let duplicates = 0;
      for (const h of this.hosts) {
        malformed += h.engine.malformedCount();
        duplicates += h.engine.duplicateLines();
      }
      this.counts = { malformed, duplicates };
    }
    return this.counts;
  }

  /** Each host's events, placed among the fleet's entries (before the same entry as in its host), in that order. */
  writerEvents(): readonly WriterEvent[] {
    // (Kept until a host changes or the order moves: a viewer asks on every clock tick.)
    this.placedEvents ??= placedWriterEvents(this.hosts, this.placedCopies);
    return this.placedEvents;
  }

  /** Every host checks its own chain: broken if one is, checking while one is, its breaks keyed as the fleet keys entries. */
  chainStatus(): ChainStatus {
    return this.chain.status();
  }

  /** The same answers asked of every host anew (what the caches must equal; for the tests). */
  recomputed(): FleetAnswers {
    const hosts = this.hosts;
    const size = this.order.count;
    return {
      query(filter) {
        const matched = new Uint8Array(size);
        hosts.forEach((host) => {
          if (filter.origins && filter.origins.length > 0 && !filter.origins.includes(host.origin)) return;
          for (const p of host.engine.query(filter)) if (p < host.merged) matched[host.fleetPos[p]] = 1;
        });
        return matchedPositions(matched);
      },
      stats: (filter) => finishStats(mergeStatsParts(hosts.map((h) => h.engine.statsParts(filter)))),
      chainStatus: () => new FleetChain(hosts).status(),
      origins: () => hosts.map((h) => h.origin).sort(),
      writerEvents: () => placedWriterEvents(hosts),
      malformedCount: () => hosts.reduce((n, h) => n + h.engine.malformedCount(), 0),
      malformed: () => hosts.flatMap((h) => h.engine.malformed()).slice(-MALFORMED_LIST_CAP),
      duplicateLines: () => hosts.reduce((n, h) => n + h.engine.duplicateLines(), 0),
    };
  }

  /** Each host's seals, in chain order: a shipper may deliver lines out of it (as verify reads them: seq order). */
  seals(): readonly SealRecords[] {
    return this.hosts.flatMap((h) => h.engine.seals().map(inSeqOrder));
  }

  origins(): readonly string[] {
    // (Sorted: a host that joined while followed comes last in `hosts`. The same list until one
    // joins: a viewer compares it on every progress event.)
    this.sortedOrigins ??= this.hosts.map((h) => h.origin).sort();
    return this.sortedOrigins;
  }

  duplicateLines(): number {
    return this.counted().duplicates;
  }

  progress(): IndexProgress {
    // (A host that joined while following reads its history too.)
    return { bytesDone: this.bytesDone, bytesTotal: this.bytesTotal + this.bytesQueued, done: this.allIndexed && this.hostsReading === 0 };
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
    if (this.sleepTimer) clearInterval(this.sleepTimer);
    if (this.asleepPoll) clearInterval(this.asleepPoll);
    for (const a of this.asleep.values()) a.watcher?.close();
    this.asleep.clear();
    await Promise.all([...this.waking.values()].map((e) => e.close()));
    this.waking.clear();
    this.chainEvents.close();
    this.progressEvents.close();
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    await Promise.all(this.hosts.map((h) => h.engine.close()));
    this.store.spans.closeAll();
  }

  /** What the fleet keeps besides its hosts' records (for the tests and the benchmark). */
  footprint(): { sharedStrings: number; settledHosts: number; storeRows: number; mostEngines: number; engines: number; asleep: number; wakeUps: number; unusedStoreRows: number } {
    return {
      sharedStrings: this.shared.size,
      settledHosts: this.hosts.filter((h) => h.engine instanceof SettledHost).length,
      storeRows: this.store.rows,
      mostEngines: this.mostEngines,
      engines: this.engines + this.waking.size,
      asleep: this.asleep.size,
      wakeUps: this.wakeUps,
      unusedStoreRows: this.store.unusedRows,
    };
  }

  // ---- hosts ----

  /**
   * The hosts to follow when there are more than descriptors to follow them with: those whose
   * live file was written last (not the first names: a sender claiming many names that sort
   * first would push the real hosts out). Takes them from the budget.
   */
  /**
   * At most maxHosts of `offered`: a collector files lines under the host name each sender
   * claims, so one sender can make any number of folders — refusing the whole fleet then hid
   * every host. The folders the collector made first are kept (a flood comes after the hosts
   * it hides among; a folder's birth time, unlike a file's mtime, is not the sender's to move);
   * the rest are named in a `limit` notice and not looked at again.
   */
  private withinHostLimit(offered: readonly CollectedHost[]): readonly CollectedHost[] {
    if (offered.length <= this.maxHosts) return offered;
    const born = (h: CollectedHost) => {
      try {
        return fs.statSync(path.dirname(h.files[h.files.length - 1])).birthtimeMs;
      } catch {
        return Number.POSITIVE_INFINITY;
      }
    };
    const kept = new Set(
      offered
        .map((h) => ({ h, at: born(h) }))
        .sort((a, b) => a.at - b.at)
        .slice(0, this.maxHosts)
        .map(({ h }) => h),
    );
    const notRead = offered.filter((h) => !kept.has(h)).map((h) => h.origin);
    this.notRead = notRead;
    const message = `${notRead.length} host${notRead.length === 1 ? '' : 's'} in the collector not read: a fleet holds at most ${this.maxHosts.toLocaleString('en')} hosts (those the collector had first are read): ${namedHosts(notRead)}`;
    const dir = path.dirname(path.dirname(offered[0].files[0]));
    setImmediate(() => this.notice({ kind: 'limit', file: dir, message }));
    return offered.filter((h) => kept.has(h));
  }

  private mostRecentlyWritten(collected: readonly CollectedHost[]): Set<string> {
    if (collected.length <= this.followBudget) {
      this.followBudget -= collected.length;
      return new Set(collected.map((h) => h.origin));
    }
    const written = collected.map((h) => ({ origin: h.origin, at: mtimeOrNever(h.files[h.files.length - 1]) }));
    written.sort((a, b) => b.at - a.at);
    const chosen = new Set(written.slice(0, this.followBudget).map((w) => w.origin));
    this.followBudget = 0;
    return chosen;
  }

  /** A host's directory cannot be watched: said once per turn for all such hosts. */
  private watchFailed(file: string, e: unknown): void {
    this.unwatched.push(path.basename(path.dirname(file)));
    if (this.unwatched.length > 1) return;
    setImmediate(() => {
      const hosts = this.unwatched;
      this.unwatched = [];
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      const why = code === 'ENOSPC' ? 'no inotify watches left (fs.inotify.max_user_watches)' : `a watch failed (${code})`;
      this.notice({
        kind: 'limit',
        file: path.dirname(path.dirname(file)),
        message: `${why}: ${hosts.length} host${hosts.length === 1 ? '' : 's'} followed by a poll every ${Math.round(this.fleetFollow.pollMs / 1000)} s instead: ${namedHosts(hosts)}`,
      });
    });
  }

  /**
   * One host's engine (followed or read once), its events passed on. `read`: 'whole' reads its
   * history right after its tail, waiting for no other host's; 'tail' (the reader keeps a few at
   * once) and 'found' (a host that began shipping: a tail slot of its own) read the history once
   * the first rows are in, one host at a time.
   */
  private openHost(h: CollectedHost, follow: boolean, read: 'whole' | 'tail' | 'found'): FleetHost {
    // (A host found while following was not queued: its files looked at now.)
    const bytes = this.queued.get(h.origin) ?? queued(h, follow).bytes;
    const turns = read === 'whole' ? { historyTurn: null, tailTurn: null } : { historyTurn: this.historyTurn, tailTurn: read === 'found' ? this.tailTurn : null };
    this.bytesQueued -= bytes ?? 0;
    this.queued.delete(h.origin);
    // (A host that may sleep is read in order from the start, as it is when it wakes: its entries keep their keys.)
    const maySleep = follow && bytes <= this.sleepHostBytes;
    const engine = this.hostEngine(h.origin, h.files, follow, turns, maySleep);
    const host: FleetHost = { origin: h.origin, maySleep, ...newMergedHost(engine), bytesDone: 0, bytesTotal: 0, done: true };
    const number = this.hosts.length;
    this.attach(host, number, engine);
    // A host's entries go into chain order once it is read: its positions may have moved.
    void engine.indexed().then(() => {
      this.forget(number);
      // Read once and done: its entries go to the fleet's store and its engine is dropped.
      if (!follow && !this.closed) this.settle(host, number);
      // Followed and small: asleep in the store as soon as it is quiet.
      else if (host.maySleep && !this.closed) this.sleepOrWait(number);
      this.wantRebuild();
    });
    // (A host that joins lands in a stats block that may be remembered without it.)
    this.forget(number);
    this.sortedOrigins = null;
    return host;
  }

  private hostEngine(origin: string, files: readonly string[], follow: boolean, turns: { historyTurn: HistoryTurn | null; tailTurn: HistoryTurn | null }, whole: boolean): HostEngine {
    const options: OpenEngineOptions = follow ? { ...this.hostOptions, fleetFollow: this.fleetFollow } : { ...this.hostOptions, follow: false };
    if (whole) options.inOrder = true;
    return openHostEngine([...files], { origin, delivery: collectedHostPolicy, ...turns, pool: this.pool, shared: this.shared }, options);
  }

  /** The host's engine is `engine` from now on: its events are the fleet's. */
  private attach(host: FleetHost, number: number, engine: HostEngine): void {
    this.mostEngines = Math.max(this.mostEngines, ++this.engines);
    this.hostProgressed(host, engine.progress());
    engine.on('change', (c: EngineChange) => {
      if (host.engine !== engine) return;
      this.forget(number);
      if (this.awake.has(number)) this.awake.set(number, true);
      this.hostChanged(number, c);
    });
    engine.on('progress', (p: IndexProgress) => {
      if (host.engine !== engine) return;
      this.forget(number);
      this.hostProgressed(host, p);
      this.progressEvents.changed(this.progress().done);
    });
    engine.on('notice', (n: EngineNotice) => this.notice(n));
    engine.on('chain', (s: ChainStatus) => {
      if (host.engine !== engine) return;
      this.forget(number);
      this.chainEvents.changed(s.breakCount > 0 && s.state === 'broken');
    });
  }

  // ---- followed hosts asleep ----

  /**
   * A followed host just read goes to sleep if it is quiet now (`now`), else once it is: looked
   * at every sleepCheckMs, it sleeps once it did not change for one whole period. A host just
   * woken waits that long too: one written every few seconds is not read again at each record.
   */
  private sleepOrWait(number: number, now = true): void {
    if (now && this.sleep(number)) return;
    const engine = this.hosts[number].engine;
    if (engine instanceof SettledHost || !engine.quietAt || engine.progress().bytesTotal > this.sleepHostBytes) return;
    // (Just woken: counted as changed, so it sleeps again only after a whole sleepCheckMs without a change.)
    this.awake.set(number, !now);
    this.sleepTimer ??= setInterval(() => this.sleepQuiet(), this.sleepCheckMs);
    this.sleepTimer.unref();
  }

  /** The hosts that waited to sleep and did not change since they were last looked at. */
  private sleepQuiet(): void {
    for (const [number, changed] of this.awake) {
      if (changed) this.awake.set(number, false);
      else if (this.sleep(number) || this.hosts[number].engine.progress().bytesTotal > this.sleepHostBytes) this.awake.delete(number);
    }
    if (this.awake.size === 0 && this.sleepTimer) {
      clearInterval(this.sleepTimer);
      this.sleepTimer = null;
    }
  }

  /**
   * Puts a followed host to sleep if it is small and quiet (Engine.quietAt: read to the end of
   * its live file, nothing held, nothing in flight): its rows go to the store, its engine is
   * dropped, its folder is watched (the watch first, then the file looked at: an append in
   * between is seen by one or the other), and any change wakes it. True when it sleeps.
   */
  private sleep(number: number): boolean {
    const host = this.hosts[number];
    const engine = host.engine;
    if (this.closed || !host.maySleep || engine instanceof SettledHost || !engine.quietAt || !engine.handOver) return false;
    if (engine.progress().bytesTotal > this.sleepHostBytes) return false;
    const at = engine.quietAt();
    if (at === null) return false;
    const live = engine.files[engine.files.length - 1];
    const watcher = this.watchAsleep(number, live);
    let st: fs.Stats;
    try {
      st = fs.statSync(live);
    } catch {
      watcher?.close();
      return false;
    }
    if (st.dev !== at.dev || st.ino !== at.ino || st.size !== at.offset) {
      watcher?.close();
      return false;
    }
    this.settle(host, number);
    this.awake.delete(number);
    this.asleep.set(number, { live, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, watcher });
    if (this.asleepPoll === null) {
      this.asleepPoll = setInterval(() => this.pollAsleep(), Math.min(MIN_POLL_MS, this.fleetFollow.pollMs));
      this.asleepPoll.unref();
    }
    return true;
  }

  /**
   * The safety poll of the hosts asleep, a slice each tick: each host is looked at once per
   * pollMs, as a follower's poll would, not all 10,000 in one burst (a stat each: ~100 ms on
   * this thread at once).
   */
  private pollAsleep(): void {
    const slice = Math.ceil((this.asleep.size * Math.min(MIN_POLL_MS, this.fleetFollow.pollMs)) / this.fleetFollow.pollMs);
    for (let i = 0; i < slice; i++) {
      let next = this.asleepCursor?.next();
      if (!next || next.done) {
        // (A Map's iterator sees hosts put to sleep after it began; it ends once, then starts over.)
        this.asleepCursor = this.asleep.keys();
        next = this.asleepCursor.next();
        if (next.done) return;
      }
      this.wakeIfChanged(next.value);
    }
  }

  /** One `fs.watch` on the host's folder (libuv shares one inotify descriptor); null when none can be had (the poll alone then). */
  private watchAsleep(number: number, live: string): fs.FSWatcher | null {
    const name = path.basename(live);
    try {
      // (Persistent, as a follower's watch is: a process following only hosts asleep keeps running.)
      const watcher = fs.watch(path.dirname(live), { persistent: true }, (_event, changed) => {
        if (changed === null || changed === name) this.wakeIfChanged(number);
      });
      watcher.on('error', (e) => {
        watcher.close();
        const a = this.asleep.get(number);
        if (a?.watcher === watcher) a.watcher = null;
        if (!this.closed) this.fleetFollow.watchFailed(live, e);
      });
      return watcher;
    } catch (e) {
      this.fleetFollow.watchFailed(live, e);
      return null;
    }
  }

  /** Wakes a sleeping host whose live file is not as it left it (appended, truncated, rewritten, replaced or gone). */
  private wakeIfChanged(number: number): void {
    const a = this.asleep.get(number);
    if (!a || this.closed) return;
    let changed = true;
    try {
      const st = fs.statSync(a.live);
      changed = st.dev !== a.dev || st.ino !== a.ino || st.size !== a.size || st.mtimeMs !== a.mtimeMs;
    } catch {
      // (Gone: rotated away, or deleted.)
    }
    if (changed) this.wake(number, a);
  }

  /**
   * A host asleep changed: its files (its rotated set found anew: a rotation may have made one)
   * are read again by a new engine, followed, while the store still answers for it; once read,
   * the new engine takes over (`woken`).
   */
  private wake(number: number, a: Asleep): void {
    this.asleep.delete(number);
    a.watcher?.close();
    const host = this.hosts[number];
    // (A tail slot each: hosts woken all at once — every host written to — are read a few at a time.)
    const engine = this.hostEngine(host.origin, findRotatedSet(a.live), true, { historyTurn: null, tailTurn: this.tailTurn }, true);
    this.waking.set(number, engine);
    this.wakeUps++;
    engine.on('notice', (n: EngineNotice) => this.notice(n));
    void engine.indexed().then(() => this.woken(number, engine, a));
  }

  /**
   * The woken host's new engine has read its files: every line the host held asleep must be
   * among them as it was read (by fingerprint); one that is not (rewritten, or gone with a
   * truncation whose copy is not beside it) is a break of its chain and a loss, said. Then
   * the engine takes over from the store (an append when its entries are where they were, else
   * a reordered change) and the host may sleep again once quiet.
   */
  private woken(number: number, engine: HostEngine, a: Asleep): void {
    if (this.closed || this.waking.get(number) !== engine) return;
    this.waking.delete(number);
    const host = this.hosts[number];
    const settled = host.engine as SettledHost;
    const { changed, gone } = engine.linePrints ? this.store.linesNotIn(settled, engine.linePrints()) : { changed: [], gone: 0 };
    if (changed.length > 0) engine.carryChanged?.(changed);
    if (changed.length + gone > 0) {
      const why = [changed.length > 0 ? `${changed.length} rewritten in place (its chain names them)` : '', gone > 0 ? `${gone} in no file any more (truncated with no copy beside it, or a rotated file deleted)` : ''];
      this.notice({
        kind: 'lost',
        file: a.live,
        records: changed.length + gone,
        message: `${host.origin}: lines read before it went quiet are not in its files as they were: ${why.filter(Boolean).join(', ')}`,
      });
    }
    // Only appended to (the usual wake): its entries are where they were, in the same slots, and
    // the new ones follow — an append, not a merge of the whole fleet anew. Else (a late batch
    // among them, a rotation that moved slots) the fleet is merged anew.
    const was = settled.slotsInOrder();
    const now = engine.slotsInOrder();
    let appendedOnly = host.merged === was.length && now.length >= was.length;
    for (let p = 0; appendedOnly && p < was.length; p++) appendedOnly = now[p] === was[p];
    this.store.drop(settled);
    host.engine = engine;
    this.attach(host, number, engine);
    this.forget(number);
    if (changed.length > 0) this.chainEvents.changed(true);
    if (appendedOnly) this.hostChanged(number, { prepended: 0, appended: now.length - was.length, updated: was.length });
    else this.hostChanged(number, { prepended: 0, appended: 0, updated: 0, reordered: true });
    // Awake for a while: a host written every few seconds is not read again at each record.
    this.sleepOrWait(number, false);
  }

  /** Moves a host read and done into the fleet's store (fleet-store.ts): it keeps its positions and keys. */
  private settle(host: FleetHost, number: number): void {
    const engine = host.engine;
    if (!engine.handOver || engine instanceof SettledHost) return;
    const settled = this.store.take(host.origin, engine.files, engine.handOver());
    settled.number = number;
    host.engine = settled;
    this.engines--;
  }

  /** The host's remembered answers are stale: asked anew next time, the other hosts' kept. */
  private forget(number: number): void {
    this.placedEvents = null;
    this.counts = null;
    this.malformedList = null;
    this.matches.hostChanged(number);
    this.blockStats.hostChanged(number);
    this.chain.hostChanged(number);
  }

  private hostProgressed(host: FleetHost, p: IndexProgress): void {
    this.bytesDone += p.bytesDone - host.bytesDone;
    this.bytesTotal += p.bytesTotal - host.bytesTotal;
    this.hostsReading += (p.done ? 0 : 1) - (host.done ? 0 : 1);
    host.bytesDone = p.bytesDone;
    host.bytesTotal = p.bytesTotal;
    host.done = p.done;
  }

  /**
   * Opens the hosts a collector gained since (a folder with an audit log not yet seen). One
   * named like a host of another collector is named by its folder (`DIR/name`, DIR as given):
   * told apart, not ignored.
   */
  private discover(scans: readonly CollectorScan[], seen: { folders: Set<string>; origins: Set<string>; real: RealFolders }): void {
    if (this.closed) return;
    for (const scan of scans) {
      let found: CollectedHost[];
      try {
        found = scan.newHosts(seen.folders);
      } catch {
        continue; // gone or unreadable for now: looked at again next time
      }
      // (A host that came, as the others: any sender may cause it, and it must not take a loss's place on screen.)
      for (const folder of scan.takeUnnamed()) this.notice({ kind: 'host', file: scan.dir, message: `${folder}: ${UNNAMED_HOST_REASON}` });
      const refused: string[] = [];
      // The new hosts' files, added to `files` once: a copy per host was quadratic (a sender
      // claiming 65,535 new names at once: 35 s of CPU copying the list on this thread).
      const added: string[] = [];
      const said: EngineNotice[] = [];
      for (const named of found) {
        const folder = hostFolder(named);
        // (And by real path: a link made to a host folder already read is that host.)
        const real = seen.real.of(named);
        if (seen.folders.has(folder) || seen.folders.has(real)) continue;
        seen.folders.add(folder).add(real);
        const h = namedApartFrom(named, seen.origins);
        if (this.hosts.length >= this.maxHosts) {
          refused.push(h.origin);
          continue;
        }
        const followed = this.followBudget > 0;
        if (followed) this.followBudget--;
        this.hosts.push(this.openHost(followed ? h : { origin: h.origin, files: existing(h.files) }, followed, 'found'));
        for (const f of h.files) added.push(f);
        const how = followed ? 'followed from now on' : `read once, not followed: ${openFileLimit()} open files allowed (ulimit -n) are taken`;
        said.push({ kind: followed ? 'host' : 'limit', file: path.dirname(h.files[h.files.length - 1]), message: `${h.origin}: a new host in the collector, ${how}` });
      }
      if (added.length > 0) {
        // (Said once `files` holds them: a listener may read it.)
        this.files = [...this.files, ...added];
        for (const n of said) this.notice(n);
        this.emit('progress', this.progress());
      }
      // (Each said once: a refused host is known from now on.)
      if (refused.length > 0) {
        const message = `${refused.length} new host${refused.length === 1 ? '' : 's'} in the collector not read: a fleet holds at most ${this.maxHosts.toLocaleString('en')} hosts: ${namedHosts(refused)}`;
        this.notice({ kind: 'limit', file: scan.dir, message });
      }
    }
  }

  // ---- merging ----

  /** Positions within some host moved (history in front, or chain order): merge anew. */
  private wantRebuild(): void {
    this.rebuildWanted = true;
    this.schedule();
  }

  private hostChanged(number: number, c: EngineChange): void {
    const moved = c.prepended > 0 || (c.inserted ?? 0) > 0;
    if (moved) this.rebuildWanted = true;
    // Entries left the host's order (withdrawn after a truncation): merged anew at once, since
    // fleet positions past its new end would name no entry. And once all is read, entries put
    // among the host's (a late batch in chain order, history in front): at once too, since until
    // then each fleet position past them names the host's entry before or after its own, and a
    // reader between the two (print -f's first dump) printed those twice and others never.
    // (While indexing, merges are paced: the positions are settled when indexing ends.)
    if (c.reordered || (moved && this.allIndexed)) {
      this.rebuildWanted = true;
      this.updated += c.updated;
      this.update();
      return;
    }
    // (Until every host is read, a host's new rows may be older than the others': merged by time.)
    if (c.appended > 0) {
      if (this.allIndexed) this.appendedBy.add(number);
      else this.rebuildWanted = true;
    }
    this.updated += c.updated;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    // A rebuild costs more as the fleet grows: while indexing, spend at most a fifth of the time on them.
    const pause = Math.max(REBUILD_MS, 4 * this.rebuildCost);
    const wait = this.rebuildWanted && !this.allIndexed ? Math.max(0, this.lastRebuild + pause - monotonicMs()) : 0;
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
    /** Hosts whose new entries are all there is to report (null after a rebuild: every host's). */
    let changed: number[] | null = [];
    if (this.rebuildWanted || before === 0) {
      reordered = before > 0;
      changed = null;
      this.rebuildWanted = false;
      this.appendedBy.clear();
      const t0 = monotonicMs();
      order.rebuild();
      this.placedEvents = null;
      this.lastRebuild = monotonicMs();
      this.rebuildCost = this.lastRebuild - t0;
    } else if (this.appendedBy.size > 0) {
      changed = [...this.appendedBy];
      this.appendedBy.clear();
      appended = order.appendNew(changed);
      this.placedEvents = null;
    }
    const grown = Math.max(0, order.count - before - appended);
    const updated = this.updated;
    this.updated = 0;
    const added = order.markReported(reordered, changed);
    if (grown === 0 && appended === 0 && updated === 0 && !reordered) return;
    const change: EngineChange = { prepended: grown, appended, updated };
    if (reordered) {
      change.reordered = true;
      change.added = added;
    }
    this.emit('change', change);
  }
}

type PlacedEvent = WriterEvent & { position: number };

/** What the fleet remembers between changes (and `recomputed()` asks every host anew: the tests compare them). */
export interface FleetAnswers {
  query(filter: EntryFilter): Int32Array;
  stats(filter?: EntryFilter): EntryStats;
  chainStatus(): ChainStatus;
  origins(): readonly string[];
  writerEvents(): readonly WriterEvent[];
  malformedCount(): number;
  malformed(): readonly MalformedLine[];
  duplicateLines(): number;
}

/** Each host's writer events at their fleet positions, in that order (`copies`: made before, used again where the place is the same). */
function placedWriterEvents(hosts: readonly MergedHost[], copies?: WeakMap<WriterEvent, PlacedEvent>): WriterEvent[] {
  const placed = hosts.flatMap((h) =>
    h.engine.writerEvents().map((e) => {
      const p = e.position ?? 0;
      const position = p < h.merged ? h.fleetPos[p] : h.merged > 0 ? h.fleetPos[h.merged - 1] + 1 : 0;
      const made = copies?.get(e);
      if (made?.position === position) return made;
      const copy = { ...e, position };
      copies?.set(e, copy);
      return copy;
    }),
  );
  return placed.sort((a, b) => a.position - b.position);
}

/** The positions marked in `matched`, ascending. */
function matchedPositions(matched: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < matched.length; i++) n += matched[i];
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < matched.length; i++) if (matched[i] === 1) out[k++] = i;
  return out;
}

/** The files that are there (a host read once has no missing live file to wait for). */
function existing(files: readonly string[]): string[] {
  const there = files.filter((f, i) => i < files.length - 1 || fs.existsSync(f));
  // (None: the live file went since it was found; its engine says so.)
  return there.length > 0 ? there : [...files];
}

function mtimeOrNever(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}

/** The first NAMED_HOSTS names, and how many more. */
function namedHosts(origins: readonly string[]): string {
  const more = origins.length - NAMED_HOSTS;
  return `${origins.slice(0, NAMED_HOSTS).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Opens one engine per collected host (`findCollectedHosts`) and merges them. Options as for
 * `openEngine`; `tailBytes` is shared among the hosts, so the first screen costs the same.
 * While following, `collectors` (the directories the hosts came from) are looked at every
 * DISCOVER_MS for hosts that began shipping since, which are then read and followed too —
 * except the folders in `leftOut` (hosts the caller found unreadable and said so).
 */
export function openFleetEngine(
  hosts: readonly CollectedHost[],
  options: FleetOptions = {},
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
