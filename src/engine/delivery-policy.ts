/**
 * Owns the seam for how lines were delivered: the daemon's own files, or a collected host's copy.
 *
 * The daemon's own files have each line once, in the order written (`directDelivery`); a
 * host's lines a shipper delivered to a collector come with resends and late batches
 * (collected-host-policy.ts, which the fleet plugs in). The engine asks the policy at each
 * point where the two differ, and has no other branch on it.
 */
import type { PendingChange } from './change-batch.js';
import type { EntryStore, LocatedCompact } from './entry-store.js';
import type { FileSpans } from './file-spans.js';
import type { JoinTarget, SlotJoiner } from './join-target.js';

export interface DeliveryPolicy {
  /** A response may come before its request: joiners hold it back (DEFERRED) rather than make an orphan of it. */
  readonly responsesMayComeFirst: boolean;
  /** The history may be scanned by worker threads (their chunk results carry no seq). */
  readonly scanWorkers: boolean;
  /**
   * One of a fleet's hundreds of engines: the columns are sized from the tail's density, and
   * little room to grow is kept after the merge (room reserved then given back fragments the heap).
   */
  readonly oneOfMany: boolean;
  /** True when `r`'s line was delivered before: it is dropped. */
  isDuplicate(r: LocatedCompact): boolean;
  /** The record `isDuplicate` kept last carries a seq an earlier line carries, and differs from each (a forged copy, or the record a copy came before). */
  differsFromSeen?(): boolean;
  /** A request made the entry at `slot`. */
  requestPlaced(slot: number, r: LocatedCompact, joiner: SlotJoiner): void;
  /** The merge replayed a tail request onto the history's joiner. */
  requestRejoined(idHash: number, joiner: SlotJoiner): void;
  /** A response the joiner held back outside the tail replay: its request is not in (yet). */
  responseDeferred(r: LocatedCompact): void;
  /** Everything there is has been read (and `follow`: more will come). */
  settle(follow: boolean): void;
  /** Before a change with appended entries is reported. */
  beforeReport(pending: PendingChange): void;
  duplicateLines(): number;
  /** Lines held back, waiting for others (a response for its late request): a followed host with some is not quiet. */
  holding?(): number;
  close(): void;
}

/** What a policy sees of the engine it is plugged into. */
export interface PolicyHost {
  readonly store: EntryStore;
  readonly spans: FileSpans;
  /** Where followed records go now (its joiner is replaced when the history is merged). */
  live(): JoinTarget;
  /** Shows the entry at `slot` after the others. */
  show(slot: number): void;
  /** Reports what changed, soon. */
  scheduleChange(): void;
}

export type DeliveryPolicyFactory = (host: PolicyHost) => DeliveryPolicy;

const DIRECT: DeliveryPolicy = {
  responsesMayComeFirst: false,
  scanWorkers: true,
  oneOfMany: false,
  isDuplicate: () => false,
  requestPlaced: () => {},
  requestRejoined: () => {},
  responseDeferred: () => {},
  settle: () => {},
  beforeReport: () => {},
  duplicateLines: () => 0,
  close: () => {},
};

/** The daemon's own files: every line once, in the order written. Nothing to repair. */
export const directDelivery: DeliveryPolicyFactory = () => DIRECT;
