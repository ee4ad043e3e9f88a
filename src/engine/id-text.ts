/**
 * Every entry's id as search sees it (shown, lower-cased, UTF-8), so that a part of an id finds
 * its entry (`--grep 92bcb9bb`, the viewer's `/`) without reading a line back.
 *
 * The ids sit one after another, each ended by a 0 byte (shown text has none), in blocks that
 * never move (no copy on growth), from 256 bytes doubling up to 1 MiB; an entry keeps where
 * its id starts (a u32 column). A search is one `indexOf` pass per block: a hit is mapped to
 * the start of the id it is in. About the id's length + 5 bytes an entry. Pure: no I/O.
 */
import { shownText } from '../shared/query.js';

const BLOCK = 1 << 20;
const FIRST_BLOCK = 256;
/** Ids of at most this many bytes are put in one block when trimmed. */
const ONE_BLOCK_MAX = 64 * 1024;
const encoder = new TextEncoder();

/** Writes the form `IdText` keeps of the raw id `b[start, end)` into `to` at `at`; returns the end, or -1 when it is not plain printable ASCII. */
export function plainIdInto(b: Uint8Array, start: number, end: number, to: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) {
    let c = b[i];
    if (c < 0x20 || c > 0x7e) return -1;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    to[at++] = c;
  }
  return at;
}

/** The form `IdText` keeps of an id given as a string. */
export function idSearchBytes(id: string): Uint8Array {
  return encoder.encode(shownText(id).toLowerCase());
}

export class IdText {
  private readonly blocks: Uint8Array[] = [];
  /** Global offset of each block's first byte. */
  private readonly bases: number[] = [];
  private block: Uint8Array | null = null;
  private used = 0;
  private base = 0;

  /** Room for `n` bytes and the end mark; returns the global offset they go to. */
  private room(n: number): number {
    if (this.block === null || this.used + n + 1 > this.block.length) {
      if (this.block !== null) this.base += this.block.length;
      // From a small block up (a fleet has an IdText per host, most with a few ids), doubling to BLOCK.
      const size = this.block === null ? FIRST_BLOCK : Math.min(BLOCK, this.block.length * 2);
      this.block = new Uint8Array(Math.max(size, n + 1));
      this.blocks.push(this.block);
      this.bases.push(this.base);
      this.used = 0;
    }
    return this.base + this.used;
  }

  /** Keeps the raw id `b[start, end)` of a line (ASCII without escapes); returns where it starts. */
  addBytes(b: Uint8Array, start: number, end: number): number {
    const at = this.room(end - start);
    const block = this.block as Uint8Array;
    const stop = plainIdInto(b, start, end, block, this.used);
    if (stop === -1) return this.addSearchBytes(idSearchBytes(new TextDecoder().decode(b.subarray(start, end))), 0, -1);
    block[stop] = 0;
    this.used = stop + 1;
    return at;
  }

  /** Keeps an id already in its searched form (`s[start, end)`; `end` -1: all of it). */
  addSearchBytes(s: Uint8Array, start: number, end: number): number {
    const stop = end === -1 ? s.length : end;
    const at = this.room(stop - start);
    const block = this.block as Uint8Array;
    block.set(s.subarray(start, stop), this.used);
    this.used += stop - start;
    block[this.used++] = 0;
    return at;
  }

  add(id: string): number {
    return this.addSearchBytes(idSearchBytes(id), 0, -1);
  }

  /**
   * Gives back the room left in the last block (one of a fleet's hosts, read: most of its
   * block was empty), and when all its ids are a few KB, keeps them in one block (each block
   * is two objects and an allocation of its own). Where each id starts does not change (one
   * block holds what the blocks held, one after another); the next id opens a new block.
   */
  trim(): void {
    const block = this.block;
    if (block === null || this.used === 0) return;
    const total = this.base + this.used;
    if (this.blocks.length > 1 && total <= ONE_BLOCK_MAX) {
      const one = new Uint8Array(total);
      this.blocks.forEach((b, k) => one.set(k === this.blocks.length - 1 ? b.subarray(0, this.used) : b, this.bases[k]));
      this.blocks.splice(0, this.blocks.length, one);
      this.bases.splice(0, this.bases.length, 0);
      this.block = one;
      this.base = 0;
      this.used = total;
      return;
    }
    if (this.used === block.length) return;
    const kept = block.slice(0, this.used);
    this.blocks[this.blocks.length - 1] = kept;
    this.block = kept;
  }

  /** The id kept at `at` (a start `add…` returned), in its searched form: a view, without the end mark. */
  searchBytesAt(at: number): Uint8Array {
    let k = this.bases.length - 1;
    while (k > 0 && this.bases[k] > at) k--;
    const block = this.blocks[k];
    const from = at - this.bases[k];
    return block.subarray(from, block.indexOf(0, from));
  }

  /** Bytes held in blocks (used or not). */
  get allocated(): number {
    return this.blocks.reduce((n, b) => n + b.length, 0);
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /**
   * The starts (ascending) of the ids that contain `needle` (already lower-cased, as search
   * compares). A needle with a 0 byte is in no id.
   */
  startsContaining(needle: string): Float64Array {
    const n = encoder.encode(needle);
    const found: number[] = [];
    if (n.length === 0 || n.includes(0)) return new Float64Array(0);
    for (let k = 0; k < this.blocks.length; k++) {
      const block = this.blocks[k];
      const buf = Buffer.from(block.buffer, block.byteOffset, k === this.blocks.length - 1 ? this.used : block.length);
      let last = -1;
      for (let p = buf.indexOf(n); p !== -1; p = buf.indexOf(n, p + 1)) {
        let s = p;
        while (s > 0 && buf[s - 1] !== 0) s--;
        if (s !== last) found.push(this.bases[k] + s);
        last = s;
      }
    }
    return Float64Array.from(found);
  }
}

/** Whether the sorted `starts` holds `x`. */
export function holds(starts: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = starts[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
