/**
 * Owns how many entries and ids an engine makes room for, from the bytes of its files.
 *
 * Columns and id tables are sized once, up front (growing them means copying while the UI
 * waits): for the tail alone at first, then for everything before the history is read.
 */

/**
 * Bytes per entry (a request line and its response are ~750): on the low side for the columns
 * (untouched capacity costs address space, not memory), closer for the id table (all of it is touched).
 */
const BYTES_PER_ENTRY = 500;
const BYTES_PER_ID = 700;

export class EntrySizing {
  entries: number;
  ids: number;

  /**
   * `totalBytes`: in the files when opened. `slack`: room beyond the estimate — ample for an
   * engine of its own, little for one of a fleet's hosts (thousands of them: memory grows with
   * records, not with hosts).
   */
  constructor(
    private readonly totalBytes: number,
    private readonly slack = 1024,
  ) {
    this.entries = Math.ceil(totalBytes / BYTES_PER_ENTRY) + slack;
    this.ids = Math.ceil(totalBytes / BYTES_PER_ID) + slack;
  }

  /** Columns for a tail of `tailBytes` (allocating for a million entries takes a while). */
  forTail(tailBytes: number): number {
    return Math.min(this.entries, Math.ceil(tailBytes / BYTES_PER_ENTRY) * 4 + this.slack);
  }

  /**
   * From the tail's own density (`entries` in `tailBytes`) rather than a generous constant: for
   * one of a fleet's hundreds of stores, where room reserved then given back fragments the heap.
   */
  fromTail(tailBytes: number, entries: number): void {
    if (entries < 64 || tailBytes <= 0) return;
    const perEntry = tailBytes / entries;
    this.entries = Math.ceil((this.totalBytes / perEntry) * 1.1) + Math.min(256, this.slack);
    this.ids = this.entries;
  }
}
