/**
 * Owns the collected-host policy: how an engine reads one host's lines as a shipper delivered them.
 *
 * The fleet plugs it in (a DeliveryPolicy): resent lines are dropped, a response that came
 * before its request waits for it (while following, RESPONSE_HOLD_MS), entries go in chain
 * order once read, and while following a late batch goes where its seqs put it. The
 * bookkeeping is collected-lines.ts.
 */
import type { PendingChange } from './change-batch.js';
import { CollectedLines } from './collected-lines.js';
import type { DeliveryPolicy, DeliveryPolicyFactory, PolicyHost } from './delivery-policy.js';
import type { LocatedCompact } from './entry-store.js';
import type { SlotJoiner } from './join-target.js';

/** How long a collected response waits, while following, for a late batch to bring its request. */
export const RESPONSE_HOLD_MS = 10_000;

export class CollectedHostPolicy implements DeliveryPolicy {
  readonly responsesMayComeFirst = true;
  // Finding duplicates needs each record's seq, which chunk results lack.
  readonly scanWorkers = false;
  readonly oneOfMany = true;
  private readonly lines: CollectedLines;
  private releaseTimer: NodeJS.Timeout | null = null;
  /** Read to its end and followed: what arrives next is put in chain order as it comes. */
  private orderingLive = false;

  constructor(private readonly host: PolicyHost) {
    this.lines = new CollectedLines((seg, offset, length) => host.spans.readLine(seg, offset, length));
  }

  isDuplicate(r: LocatedCompact): boolean {
    return this.lines.isDuplicate(r);
  }

  differsFromSeen(): boolean {
    return this.lines.differsFromSeen;
  }

  requestPlaced(slot: number, r: LocatedCompact, joiner: SlotJoiner): void {
    this.lines.placed(slot, r.seq);
    // Its response came first (a batch delivered late).
    this.requestRejoined(r.idHash, joiner);
  }

  requestRejoined(idHash: number, joiner: SlotJoiner): void {
    for (const held of this.lines.takeHeld(idHash)) joiner.response(held.idHash, held);
  }

  responseDeferred(r: LocatedCompact): void {
    this.lines.hold(r);
    if (this.orderingLive) this.watchHeld();
  }

  /**
   * Everything there is has been read: entries go in chain order, and responses still waiting
   * for their request become orphans — while following, only once they have waited
   * RESPONSE_HOLD_MS (a late batch may still bring the request).
   */
  settle(follow: boolean): void {
    const { store } = this.host;
    this.releaseHeld(follow ? RESPONSE_HOLD_MS : 0);
    this.lines.sortBySeq(store.orderView()); // (cached entries are by slot: still right)
    // Room for what following appends; the rest was sized for the files' bytes, generously.
    store.trim(16);
    this.host.live().ids.trim();
    this.lines.finish(store.count, follow);
    if (follow) {
      this.orderingLive = true;
      this.watchHeld();
    }
  }

  /**
   * Looks at held responses every RESPONSE_HOLD_MS / 2 while there are any: a fleet follows
   * thousands of hosts, and a timer each that mostly finds nothing is CPU spent while idle.
   */
  private watchHeld(): void {
    if (this.releaseTimer || this.lines.holding === 0) return;
    this.releaseTimer = setInterval(() => {
      this.releaseHeld(RESPONSE_HOLD_MS);
      if (this.lines.holding === 0 && this.releaseTimer) {
        clearInterval(this.releaseTimer);
        this.releaseTimer = null;
      }
    }, RESPONSE_HOLD_MS / 2);
    this.releaseTimer.unref();
  }

  private releaseHeld(olderThanMs: number): void {
    if (this.lines.holding === 0) return;
    const { store } = this.host;
    const joiner = this.host.live().joiner;
    joiner.deferOrphans = false;
    for (const r of this.lines.takeHeldOlderThan(olderThanMs)) {
      const before = store.count;
      const slot = joiner.response(r.idHash, r);
      if (slot >= before) {
        this.host.show(slot);
        this.lines.placed(slot, r.seq);
      }
    }
    joiner.deferOrphans = true;
    this.host.scheduleChange();
  }

  /**
   * A followed collector's late batch (the shipper retried) goes where its seqs put it among
   * what is shown, as a first read of the files would have put it, and is reported as inserted:
   * a fleet merges its hosts anew. (Entries are cached by slot: the cache stays right.)
   */
  beforeReport(pending: PendingChange): void {
    if (!this.orderingLive) return;
    const order = this.host.store.orderView();
    const from = order.length - pending.appended;
    const first = this.lines.sortBySeq(order, from);
    // (Reordered among themselves only, they are still all after what was shown.)
    if (first < 0 || first >= from) return;
    pending.inserted += pending.appended;
    pending.appended = 0;
  }

  duplicateLines(): number {
    return this.lines.duplicates;
  }

  holding(): number {
    return this.lines.holding;
  }

  close(): void {
    if (this.releaseTimer) clearInterval(this.releaseTimer);
  }
}

/** Plugged into a host's engine by the fleet. */
export const collectedHostPolicy: DeliveryPolicyFactory = (host) => new CollectedHostPolicy(host);
