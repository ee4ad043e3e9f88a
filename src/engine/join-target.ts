/**
 * Owns where records are joined into: the entries shown, or a history read hidden.
 *
 * A hidden history has its own joiner and id table, and lists the slots it made, in order,
 * until it is merged in front of the entries shown (tail-merge.ts).
 */
import { Joiner } from '../shared/join.js';
import type { ChainTrack } from './chain-track.js';
import type { EntryStore, LocatedCompact } from './entry-store.js';
import type { IdTable } from './id-table.js';

/** Joins records into the store's slots by id hash. */
export type SlotJoiner = Joiner<number, LocatedCompact, LocatedCompact>;

/** What reading into the visible entries or into the hidden history differs in. */
export interface JoinTarget {
  joiner: SlotJoiner;
  /** The joiner's id index. */
  ids: IdTable;
  visible: boolean;
  /** Slots created here, in order (history only). */
  slots: IntList | null;
  /** The hash chain over the records joined here, in their order. */
  chain: ChainTrack;
}

/**
 * A target over `ids`. `responsesMayComeFirst`: a response whose request is unknown is held back
 * (DEFERRED) rather than made an orphan. A hidden one lists its slots (`slotCapacity` at first).
 */
export function newJoinTarget(store: EntryStore, ids: IdTable, visible: boolean, responsesMayComeFirst: boolean, slotCapacity: number, chain: ChainTrack): JoinTarget {
  return { joiner: new Joiner(store, ids, responsesMayComeFirst), ids, visible, slots: visible ? null : new IntList(slotCapacity), chain };
}

/** A growing list of slot numbers without boxing. */
export class IntList {
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

  /**
   * Its array when it has room for `capacity` numbers, else a copy in one of `grown`, for another
   * to keep: the list is not to be used after. (A history's slots become the merged order as
   * they are: a copy was 2.2 MB of fresh pages over a million records.)
   */
  release(capacity: number, grown = capacity): Int32Array {
    const data = this.data.length >= capacity ? this.data : new Int32Array(Math.max(capacity, grown));
    if (data !== this.data) data.set(this.view());
    this.data = new Int32Array(0);
    this.length = 0;
    return data;
  }
}
