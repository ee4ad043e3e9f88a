/**
 * Owns a fleet's merged order: which host and host position each fleet position holds.
 *
 * Built by merging the hosts' entries by request time (each host keeping its own order),
 * extended as hosts append; it also keeps which entries no change has reported yet.
 */
import type { HostEngine } from './engine.js';

/** One host's side of the merged order. */
export interface MergedHost {
  engine: HostEngine;
  /** Its name: entries of the same time from two hosts go in the order of their names (hosts are numbered as they are opened). */
  origin?: string;
  /** Host position → fleet position, for the host's entries merged so far. */
  fleetPos: Int32Array;
  /** How many of the host's entries are merged. */
  merged: number;
  /** By slot: the entry was in the fleet's order at a change already (what a re-merge adds is the rest). */
  reported: Uint8Array;
  /** Host positions from here on may hold entries not yet reported (0 after a re-merge). */
  unreportedFrom: number;
}

export function newMergedHost(engine: HostEngine): MergedHost {
  return { engine, fleetPos: new Int32Array(0), merged: 0, reported: new Uint8Array(0), unreportedFrom: 0 };
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

export class MergedOrder {
  /** Fleet position → host number and host position. */
  private hostAt = new Uint16Array(1024);
  private posAt = new Int32Array(1024);
  /** Positions merged. */
  count = 0;
  /** Host numbers in the order of their names (kept until a host joins). */
  private byName: number[] = [];

  /** `hosts`: the fleet's, by host number (it grows as hosts join). */
  constructor(private readonly hosts: readonly MergedHost[]) {}

  /** The host number at a fleet position. */
  hostAtPosition(position: number): number {
    return this.hostAt[position];
  }

  /** The host's own position at a fleet position. */
  hostPositionAt(position: number): number {
    return this.posAt[position];
  }

  /** Every host's entries, merged anew. */
  rebuild(): void {
    const total = this.hosts.reduce((n, h) => n + h.engine.size(), 0);
    this.reserve(total);
    for (const host of this.hosts) {
      host.merged = host.engine.size();
      // Positions within the host may have moved too (history in front, chain order).
      host.unreportedFrom = 0;
      if (host.fleetPos.length < host.merged) host.fleetPos = new Int32Array(Math.ceil(host.merged * 1.25));
    }
    this.count = 0;
    const numbers = this.inNameOrder(null);
    this.mergeRuns(
      numbers.map((h) => ({ from: 0, times: this.hosts[h].engine.timesAt(0, this.hosts[h].merged) })),
      numbers,
    );
  }

  /**
   * Entries the hosts numbered in `changed` appended since the last update, after all others
   * (only those hosts are looked at: a fleet has thousands, a turn changes a few). Returns how many.
   */
  appendNew(changedHosts: readonly number[]): number {
    const before = this.count;
    const changed = this.inNameOrder(changedHosts);
    const hosts = changed.map((h) => this.hosts[h]);
    const total = hosts.reduce((n, h) => n + h.engine.size() - h.merged, 0);
    this.reserve(this.count + total);
    const runs = hosts.map((h) => ({ from: h.merged, times: h.engine.timesAt(h.merged, h.engine.size()) }));
    for (const host of hosts) {
      const size = host.engine.size();
      if (host.fleetPos.length < size) {
        // (Small steps: a fleet has thousands of hosts, most of them appending a record now and then.)
        const bigger = new Int32Array(Math.ceil(size * 1.5) + 16);
        bigger.set(host.fleetPos.subarray(0, host.merged));
        host.fleetPos = bigger;
      }
      host.merged = size;
    }
    this.mergeRuns(runs, changed);
    return this.count - before;
  }

  /**
   * Marks the merged entries that no change has reported yet, and (`listThem`) returns their
   * positions, ascending: after a re-merge every host position is looked at, after appends
   * only the new ones of the hosts numbered in `changed` (null: of every host).
   */
  markReported(listThem: boolean, changed: readonly number[] | null = null): Int32Array {
    const added: number[] = [];
    for (const host of changed === null ? this.hosts : changed.map((h) => this.hosts[h])) {
      const slots = host.engine.slotsInOrder();
      for (let p = host.unreportedFrom; p < host.merged; p++) {
        const slot = slots[p];
        if (slot >= host.reported.length) {
          const bigger = new Uint8Array(Math.max(slot + 1, Math.ceil(host.reported.length * 1.5) + 16));
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

  /** Host numbers (`numbers`, or every host's) in the order of the hosts' names; then by number. */
  private inNameOrder(numbers: readonly number[] | null): readonly number[] {
    const name = (h: number) => this.hosts[h].origin ?? '';
    const byName = (a: number, b: number) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : a - b);
    if (numbers !== null) return [...numbers].sort(byName);
    if (this.byName.length !== this.hosts.length) this.byName = this.hosts.map((_, h) => h).sort(byName);
    return this.byName;
  }

  /** `numbers`: the host number of each run (default: run r is host r). */
  private mergeRuns(runs: Array<{ from: number; times: Float64Array }>, numbers: readonly number[] | null = null): void {
    mergeByTime(runs, (r, p) => {
      const h = numbers === null ? r : numbers[r];
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
