/** Owns change coalescing: one `change` event per turn of the event loop, saying what changed. */
import type { EngineChange } from '../shared/entry.js';
import type { EntryStore } from './entry-store.js';

/** Counts since the last `change`; a delivery policy may re-label appends as inserts before they are reported. */
export interface PendingChange {
  appended: number;
  prepended: number;
  updated: number;
  inserted: number;
}

export class ChangeBatch {
  readonly pending: PendingChange = { appended: 0, prepended: 0, updated: 0, inserted: 0 };
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

  /** Reports what changed now (if anything did). */
  flush(): void {
    this.scheduled = false;
    const p = this.pending;
    for (const slot of this.store.takeTouched()) if (slot < this.countAtFlush) p.updated++;
    this.countAtFlush = this.store.count;
    if (p.appended > 0) this.beforeReport(p);
    if (p.appended === 0 && p.prepended === 0 && p.updated === 0 && p.inserted === 0) return;
    const change: EngineChange = { prepended: p.prepended, appended: p.appended, updated: p.updated };
    if (p.inserted > 0) change.inserted = p.inserted;
    p.appended = 0;
    p.prepended = 0;
    p.inserted = 0;
    p.updated = 0;
    this.report(change);
  }
}
