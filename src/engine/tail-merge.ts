/**
 * Owns the merge of a history read behind a tail already shown.
 *
 * The tail's records are logged while the history is read, then replayed onto the
 * history's join state: the history's entries go in front, and the result is exactly what
 * reading everything in order gives.
 */
import { DEFERRED } from '../shared/join.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import { detached } from './compact-record.js';
import type { EntryStore, LocatedCompact } from './entry-store.js';
import type { FileSpans } from './file-spans.js';
import type { JoinTarget } from './join-target.js';

/** A live record kept until the history is merged. */
type ReplayItem =
  | { kind: 'request'; slot: number; idHash: number; chained: boolean; decision: LocatedCompact['decision'] }
  | { kind: 'response'; record: LocatedCompact } // held back: its request was not in the tail
  | { kind: 'start' };

/** The tail's records, in order, as far as the merge needs them. */
export class ReplayLog {
  readonly items: ReplayItem[] = [];

  request(slot: number, r: LocatedCompact): void {
    this.items.push({ kind: 'request', slot, idHash: r.idHash, chained: r.chained, decision: r.decision });
  }

  response(r: LocatedCompact): void {
    this.items.push({ kind: 'response', record: detached(r) });
  }

  writerStart(): void {
    this.items.push({ kind: 'start' });
  }
}

export interface MergedHistory {
  /** The target followed records go to from now on: the history's join state, shown. */
  live: JoinTarget;
  prepended: number;
  /** Held-back responses of the tail that turned out to be orphans, placed where their lines are. */
  inserted: number;
  /** Entries shown before whose state the replay changed. */
  updated: number;
}

/**
 * The history is in: its entries go in front, and the tail's records are replayed on top of
 * the history's join state — held-back responses find their requests (or become orphans,
 * placed where their lines are), duplicates across the boundary are flagged, and a writer
 * restart in the tail interrupts what the history left running. `linesBeforeTail`: the live
 * file's lines before the tail (NaN when unknown), which numbers the tail's lines.
 */
export function mergeHistory(store: EntryStore, spans: FileSpans, policy: DeliveryPolicy, replay: ReplayLog | null, hist: JoinTarget, linesBeforeTail: number): MergedHistory {
  const visibleBefore = new Set(store.orderView());
  store.takeTouched();
  const tail: number[] = [];
  let inserted = 0;
  for (const item of replay?.items ?? []) {
    // What a truncation took since (truncation-loss.ts) is not replayed.
    if (item.kind === 'request' && store.isLost(item.slot)) continue;
    if (item.kind === 'response' && !spans.holds(item.record.seg, item.record.offset, item.record.length)) continue;
    if (item.kind === 'request') {
      hist.joiner.rejoin(item.idHash, item, item.slot);
      tail.push(item.slot);
      policy.requestRejoined(item.idHash, hist.joiner);
    } else if (item.kind === 'response') {
      const before = store.count;
      const slot = hist.joiner.response(item.record.idHash, item.record);
      if (slot === DEFERRED) policy.responseDeferred(item.record);
      else if (slot >= before) {
        tail.push(slot);
        inserted++;
      }
    } else hist.joiner.writerStart();
  }
  const prepended = hist.slots?.length ?? 0;
  const shown = prepended + tail.length;
  // Room to append to; one of many (a collected host) needs little: it is mostly read already.
  // (Thousands of them in a fleet: the order grows by doubling when following appends more.)
  // A plain engine's order is the history's list of slots itself when it has room for the tail
  // (it was made for all the entries expected): whatever room it has left is room to append to.
  // (Made anew, it has as much room again as it holds, as the order always had.)
  const room = policy.oneOfMany ? 16 : shown;
  const fresh = Math.max(policy.oneOfMany ? 16 : 1024, shown + room);
  const order = hist.slots === null ? new Int32Array(fresh) : policy.oneOfMany ? copied(hist.slots.view(), fresh) : hist.slots.release(Math.max(1024, shown), fresh);
  order.set(tail, prepended);
  store.setOrder(order, shown);
  // (A collected host's responses may still arrive before their requests.)
  hist.joiner.deferOrphans = policy.responsesMayComeFirst;
  // The tail's line numbers are known now.
  for (const span of spans.list) if (Number.isNaN(span.lineBase) && !Number.isNaN(linesBeforeTail)) span.lineBase = linesBeforeTail;
  store.forgetCachedEntries();
  let updated = 0;
  for (const slot of store.takeTouched()) if (visibleBefore.has(slot)) updated++;
  return { live: { ...hist, visible: true, slots: null }, prepended, inserted, updated };
}

/** `from` in a new array of `capacity` (at least its length). */
function copied(from: Int32Array, capacity: number): Int32Array {
  const out = new Int32Array(Math.max(capacity, from.length));
  out.set(from);
  return out;
}
