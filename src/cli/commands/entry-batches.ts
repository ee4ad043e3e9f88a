/**
 * Batches of `print --json` lines written from entries' lines (EntryJsonBytes.append) one after
 * another into one buffer, each entry's end noted, for json-dump.ts: on either thread, the same.
 * The buffers come back when printed, for the next batches (fresh ones each batch, each
 * grown and then faulted in by the kernel page by page, cost the dump more than its copies).
 */
import type { EntryLines } from '../../shared/entry.js';
import { EntryJsonBytes } from './entry-json-bytes.js';

/** A batch written: `bytes[0, length)` its entries' lines in order; `ends[i]`: where entry i's ends, or the code it was declined with (< 0). */
export interface EntryBatch {
  bytes: Buffer;
  length: number;
  ends: Int32Array;
}

/** What the print worker marks an entry it did not write with (json-dump.ts: this thread tries it). */
export const DECLINED_THERE = -1;

/** Buffers kept for the next batches: as many as are out at once in the usual run of a dump. */
const SPARE_BUFFERS = 4;
/** The largest buffer kept for the next batches (json-dump.ts makes batches of ≈ 512 KB). */
const KEPT_BYTES_MAX = 2 * 1024 * 1024;
/** A batch buffer's first size: ≈ 1,024 entries of ≈ 450 bytes. */
const FIRST_BYTES = 512 * 1024;

export class EntryBatches {
  private readonly writer = new EntryJsonBytes();
  private readonly spare: Buffer[] = [];

  constructor() {
    // (Not Buffer.allocUnsafe's shared pool: a batch's buffer is handed to the other thread whole.)
    this.writer.take(Buffer.allocUnsafeSlow(FIRST_BYTES));
  }

  /**
   * Entries 0 … count-1 (`linesOf(i)`: entry i as its lines, null: not readable so), an entry
   * not proved plain marked `declined`; fewer when `maxBytes` are written first (`ends` says how
   * many: a run of long entries must not make a batch of megabytes).
   */
  write(count: number, linesOf: (i: number) => EntryLines | null, declined: number, maxBytes: number): EntryBatch {
    const { writer } = this;
    const ends = new Int32Array(count);
    let i = 0;
    while (i < count && writer.length < maxBytes) {
      const lines = linesOf(i);
      ends[i++] = lines !== null && writer.append(lines) ? writer.length : declined;
    }
    const length = writer.length;
    return { bytes: writer.take(this.spare.pop()), length, ends: i === count ? ends : ends.slice(0, i) };
  }

  /** A batch's buffer, printed: written into again (not one grown for entries far longer than most: that memory goes). */
  giveBack(bytes: Buffer): void {
    if (this.spare.length < SPARE_BUFFERS && bytes.length <= KEPT_BYTES_MAX) this.spare.push(bytes);
  }
}
