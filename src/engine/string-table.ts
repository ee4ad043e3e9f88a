/**
 * How a string pool past its first few strings (string-pool.ts, SMALL_POOL) finds them, and
 * where a log's own pool keeps the text of those that came as a line's bytes.
 *
 * Found by their whole hash (id-table.ts, seeded per process: the strings are the log writer's
 * choice) in an open-addressing table of typed arrays — no Map, nothing on the heap a string.
 * #17: on a log of an agent's own words (500,000 distinct reasons and commands) the Maps that
 * were here cost 1.2 s of `stats`' 5.9 in `Map.get` of each new string. Before a line's bytes
 * are hashed whole, a cache by byte sample (the string last found under it) answers the common
 * case — hosts, sessions and commands repeat — in a few loads.
 *
 * Kept as bytes: a value new to a log's own pool, read from a line's ASCII bytes, is copied into
 * blocks that never move (as id-text.ts keeps the ids), and a string is made only when it is
 * asked for (`text`): a string each was ~16 bytes more than its text, and a million of them
 * new were a million objects for the collector to copy and mark.
 */
import { latin1 } from './compact-record.js';
import { hashBytes, hashString } from './id-table.js';

/** The most the cache by byte sample holds (16 KB); smaller while the table is. */
const RECENT_MAX = 4096;
/** The first table: room for 64 strings at most half full. */
const FIRST_BUCKETS = 128;
/** The longest text kept as bytes; a longer one is kept as its string. */
const HELD_MAX = 4096;
const FIRST_BLOCK = 4096;
const BLOCK = 1 << 20;
/** Blocks before they are BLOCK bytes: FIRST_BLOCK doubled this many times. */
const BLOCK_DOUBLINGS = Math.log2(BLOCK / FIRST_BLOCK);
/** The last block a 16-bit `blockOf` can name. */
const MAX_BLOCK = 0xffff;

export class StringTable {
  /** Each string's hash (its low 32 bits), by id: a table that grows reads them back. */
  private hashes: Int32Array;
  /** Where each id's bytes start in its block; -1: the pool holds its string instead. */
  private at: Int32Array;
  /** Each id's block and length, where its bytes are kept. */
  private blockOf: Uint16Array;
  private lengths: Uint16Array;
  /** Linear probing by a hash's low bits, at most half full: id + 1 (0: empty). */
  private buckets: Int32Array;
  /** By a byte sample's low bits: id + 1 of the string last found under it (0: none). */
  private recent: Int32Array;
  private count = 0;
  private readonly blocks: Buffer[] = [];
  /** Bytes used of the last block. */
  private used = 0;

  constructor(
    /** The pool's strings so far (all held as strings). */
    strings: readonly (string | undefined)[],
    /** Whether text that comes as bytes is kept as bytes (a log's own pool; a fleet host's shares its strings). */
    readonly keepsBytes: boolean,
  ) {
    let size = FIRST_BUCKETS;
    while (size < 2 * strings.length) size *= 2;
    this.buckets = new Int32Array(size);
    this.hashes = new Int32Array(size >> 1);
    this.at = new Int32Array(size >> 1);
    this.blockOf = new Uint16Array(keepsBytes ? size >> 1 : 0);
    this.lengths = new Uint16Array(keepsBytes ? size >> 1 : 0);
    this.recent = new Int32Array(Math.min(size, RECENT_MAX));
    for (const s of strings) this.addString(hashString(s!) | 0);
  }

  /** Adds the next id, a string the pool holds, whose hash is `hash`. */
  addString(hash: number): void {
    const id = this.next(hash);
    this.at[id] = -1;
  }

  /**
   * Adds the next id as the ASCII text `b[start, end)` (its hash: `hash`), kept here as bytes;
   * false, nothing added, when it is not kept so (the pool then holds its string: `addString`).
   */
  addBytes(hash: number, b: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (!this.keepsBytes || n > HELD_MAX) return false;
    let block = this.blocks.length - 1;
    if (block < 0 || this.used + n > this.blocks[block].length) {
      // (Numbered in 16 bits: past 64 GiB of text, the rest is kept as strings.)
      if (block + 1 > MAX_BLOCK) return false;
      block++;
      // (Doubling to BLOCK, then BLOCK each: a shift past 31 bits would have sized each block to one value.)
      this.blocks.push(Buffer.allocUnsafeSlow(Math.max(n, block >= BLOCK_DOUBLINGS ? BLOCK : FIRST_BLOCK << block)));
      this.used = 0;
    }
    const to = this.blocks[block];
    const from = this.used;
    // (A loop for the short ones: a view a value costs more than it saves under ~32 bytes.)
    if (n > 32) to.set(b.subarray(start, end), from);
    else for (let i = 0; i < n; i++) to[from + i] = b[start + i];
    this.used += n;
    const id = this.next(hash);
    this.at[id] = from;
    this.blockOf[id] = block;
    this.lengths[id] = n;
    return true;
  }

  /** The text of an id kept as bytes (a new string each time: none is kept). */
  text(id: number): string {
    const from = this.at[id];
    return latin1(this.blocks[this.blockOf[id]], from, from + this.lengths[id]);
  }

  /** Blocks the text kept as bytes is in (they grow to BLOCK bytes). */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** The id of `s` (its hash: `hash`), or -1. */
  findText(strings: readonly (string | undefined)[], s: string, hash: number): number {
    const { buckets, hashes } = this;
    const mask = buckets.length - 1;
    for (let k = hash & mask; ; k = (k + 1) & mask) {
      const held = buckets[k];
      if (held === 0) return -1;
      if (hashes[held - 1] === hash && this.isText(strings, held - 1, s)) return held - 1;
    }
  }

  /** The id of the ASCII text `b[start, start + n)` (its hash: `hash`), or -1. */
  findBytes(strings: readonly (string | undefined)[], b: Uint8Array, start: number, n: number, hash: number): number {
    const { buckets, hashes } = this;
    const mask = buckets.length - 1;
    for (let k = hash & mask; ; k = (k + 1) & mask) {
      const held = buckets[k];
      if (held === 0) return -1;
      if (hashes[held - 1] === hash && this.isBytes(strings, held - 1, b, start, n)) return held - 1;
    }
  }

  /** The id of the string last found under `sample` when it is the text `b[start, start + n)`, else -1. */
  recentId(strings: readonly (string | undefined)[], b: Uint8Array, start: number, n: number, sample: number): number {
    const held = this.recent[sample & (this.recent.length - 1)];
    return held !== 0 && this.isBytes(strings, held - 1, b, start, n) ? held - 1 : -1;
  }

  remember(sample: number, id: number): void {
    this.recent[sample & (this.recent.length - 1)] = id + 1;
  }

  /** How many buckets a lookup of a string whose hash is `hash` reads (test/hardening/pool-hash-flood.test.ts). */
  probes(hash: number): number {
    const { buckets, hashes } = this;
    const mask = buckets.length - 1;
    let read = 1;
    for (let k = hash & mask; buckets[k] !== 0 && hashes[buckets[k] - 1] !== hash; k = (k + 1) & mask) read++;
    return read;
  }

  /** Id `id` is the text `s`. */
  private isText(strings: readonly (string | undefined)[], id: number, s: string): boolean {
    const from = this.at[id];
    return from < 0 ? strings[id] === s : sameText(s, this.blocks[this.blockOf[id]], from, this.lengths[id]);
  }

  /** Id `id` is the ASCII text `b[start, start + n)`. */
  private isBytes(strings: readonly (string | undefined)[], id: number, b: Uint8Array, start: number, n: number): boolean {
    const from = this.at[id];
    return from < 0 ? sameText(strings[id]!, b, start, n) : sameBytes(this.blocks[this.blockOf[id]], from, this.lengths[id], b, start, n);
  }

  /** Takes the next id for `hash` into the table; returns it. */
  private next(hash: number): number {
    if (2 * (this.count + 1) > this.buckets.length) this.grow();
    const id = this.count++;
    this.hashes[id] = hash;
    this.place(id, hash);
    return id;
  }

  private place(id: number, hash: number): void {
    const buckets = this.buckets;
    const mask = buckets.length - 1;
    let k = hash & mask;
    while (buckets[k] !== 0) k = (k + 1) & mask;
    buckets[k] = id + 1;
  }

  private grow(): void {
    const size = 2 * this.buckets.length;
    this.buckets = new Int32Array(size);
    this.hashes = widened(this.hashes, size >> 1);
    this.at = widened(this.at, size >> 1);
    if (this.keepsBytes) {
      this.blockOf = widened(this.blockOf, size >> 1);
      this.lengths = widened(this.lengths, size >> 1);
    }
    for (let id = 0; id < this.count; id++) this.place(id, this.hashes[id]);
    if (this.recent.length < RECENT_MAX) this.recent = new Int32Array(Math.min(size, RECENT_MAX));
  }
}

function widened<T extends Int32Array | Uint16Array>(a: T, length: number): T {
  const out = new (a.constructor as new (n: number) => T)(length);
  out.set(a);
  return out;
}

/** `s` is the `n` bytes of `b` from `start` (ASCII). */
export function sameText(s: string, b: Uint8Array, start: number, n: number): boolean {
  if (s.length !== n) return false;
  let i = 0;
  while (i < n && s.charCodeAt(i) === b[start + i]) i++;
  return i === n;
}

/** `text[from, from + length)` is the `n` bytes of `b` from `start`. */
export function sameBytes(text: Uint8Array, from: number, length: number, b: Uint8Array, start: number, n: number): boolean {
  if (length !== n) return false;
  let i = 0;
  while (i < n && text[from + i] === b[start + i]) i++;
  return i === n;
}

