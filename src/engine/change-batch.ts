/** Owns change coalescing: one `change` event per turn of the event loop, saying what changed. */
import type { EngineChange } from '../shared/entry.js';
import type { EntryStore } from './entry-store.js';

/** Counts since the last `change`; a delivery policy may re-label appends as inserts before they are reported. */
export interface PendingChange {
  appended: number;
  prepended: number;
  updated: number;
  inserted: number;
  /** Entries shown before that left the order (withdrawn): positions held from before mean nothing. */
  removed: number;
}

export class ChangeBatch {
  readonly pending: PendingChange = { appended: 0, prepended: 0, updated: 0, inserted: 0, removed: 0 };
  /** Slots at the last `change`: a touched slot below it was shown before, so it is "updated". */
  private countAtFlush = 0;
  private scheduled = false;

  constructor(
    private readonly store: EntryStore,
    private readonly report: (change: EngineChange) => void,
    /** A last look at entries appended since the last change, before it is reported. */
    private readonly beforeReport: (pending: PendingChange) => void,
  ) {}

  /** Reports what changed on the next turn of the event loop, together with whatever else changes until then. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Entries at `positions` (ascending, of `visibleBefore` shown) left the order. One appended
   * since the last change was never reported: it is just not appended.
   */
  removed(positions: readonly number[], visibleBefore: number): void {
    const p = this.pending;
    const firstUnreported = visibleBefore - p.appended;
    for (const position of positions) {
      if (position >= firstUnreported) p.appended--;
      else p.removed++;
    }
    // Reported before any other task runs: a fleet merging this engine's positions must not
    // look them up in between (they shrank).
    if (positions.length > 0) queueMicrotask(() => this.flush());
  }

  /** Reports what changed now (if anything did). */
  flush(): void {
    this.scheduled = false;
    const p = this.pending;
    for (const slot of this.store.takeTouched()) if (slot < this.countAtFlush) p.updated++;
    this.countAtFlush = this.store.count;
    if (p.appended > 0) this.beforeReport(p);
    if (p.appended === 0 && p.prepended === 0 && p.updated === 0 && p.inserted === 0 && p.removed === 0) return;
    const change: EngineChange = { prepended: p.prepended, appended: p.appended, updated: p.updated };
    if (p.inserted > 0) change.inserted = p.inserted;
    if (p.removed > 0) {
      // Positions moved: say which are new (the prepended in front, the appended at the end).
      const size = this.store.visible;
      const added = new Int32Array(p.prepended + p.appended);
      for (let i = 0; i < p.prepended; i++) added[i] = i;
      for (let i = 0; i < p.appended; i++) added[p.prepended + i] = size - p.appended + i;
      change.reordered = true;
      change.added = added;
    }
    p.appended = 0;
    p.prepended = 0;
    p.inserted = 0;
    p.updated = 0;
    p.removed = 0;
    this.report(change);
  }
}
