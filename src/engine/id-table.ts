/**
 * Owns id → slot for a million entries without a million strings.
 *
 * Ids are kept as 53-bit hashes (cyrb53) in an open-addressing table of typed arrays. Two
 * different ids sharing a hash is a ~1-in-10^4 event at 10^6 distinct ids per engine, and
 * would show as a duplicate-id.
 *
 * The hash is seeded at random per process (64 bits, one per half): ids are chosen by whoever
 * writes the log (a hostile client, anyone with write access), and under cyrb53's published
 * constants 200,000 ids crafted to share their low bits in seconds made the linear probing
 * quadratic (`stats` of 122 MB: 115 s of CPU instead of 1), and a crafted pair with one hash
 * joins one request's response to the other. A scan worker is handed this thread's seed
 * (`useHashSeed`): both must hash an id alike. Hashes never leave the process.
 */
import type { IdIndex } from '../shared/join.js';
import { populate } from './native-scanner.js';

let seed: [number, number] = [0, 0];
let start1 = 0;
let start2 = 0;
// (node:crypto, which the chain's hashing loads anyway: the global WebCrypto costs ~1 ms more of every start.)
useHashSeed(process.getBuiltinModule('node:crypto').randomFillSync(new Uint32Array(2)));

/** This process's seed, to hand to a scan worker. */
export function hashSeed(): [number, number] {
  return seed;
}

/** Hash as another thread does (a scan worker, with its parent's `hashSeed()`). */
export function useHashSeed(given: ArrayLike<number>): void {
  seed = [given[0] >>> 0, given[1] >>> 0];
  start1 = (0xdeadbeef ^ seed[0]) >>> 0;
  start2 = (0x41c6ce57 ^ seed[1]) >>> 0;
}

/** cyrb53 over bytes [start, end), seeded: a 53-bit hash, exact in a double, never 0. */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h1 = start1;
  let h2 = start2;
  for (let i = start; i < end; i++) {
    const c = b[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return finish(h1, h2);
}

/**
 * The same hash for an id given as a string (its UTF-8 bytes; an ASCII id without encoding it).
 * A lone surrogate (JSON spells one "\\ud800") is its own three bytes (WTF-8), not U+FFFD's as
 * TextEncoder makes every one of them: else "r\\ud800" and "r\\ud801" were one id, and a
 * response joined a request that was not its own.
 */
export function hashString(s: string): number {
  let h1 = start1;
  let h2 = start2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) {
      const b = wtf8(s);
      return hashBytes(b, 0, b.length);
    }
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return finish(h1, h2);
}

/** `s` as UTF-8, but for a lone surrogate: its code unit's three bytes, which no UTF-8 text holds. */
function wtf8(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** cyrb53's last mixing, into 53 bits, never 0. */
function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

/** The hash's high half (21 bits of a 53-bit hash). */
const TWO_32 = 4294967296;

/**
 * Open addressing, linear probing, 4 bytes a bucket: slot + 1 in its low `slotBits` bits (0:
 * empty) and, above them, a tag: as many bits of the hash's high half as are left (8 while
 * slots fit 24 bits; fewer, down to 1, past 16,777,215 of them). A bucket is picked by the
 * hash's low bits; the whole hash is in the entry's own column (`hashOf`), read when the tag
 * matches — on a hit, the entry the caller is about to touch anyway; else on 1 probe in 256.
 * Half the bytes of [the hash's low 32 bits, slot] (4.2 MB less at 556,000 entries: #17); a
 * table that grows reads each hash back from the column.
 */
export class IdTable implements IdIndex<number> {
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  private slotBits = 24;
  private slotMask = 2 ** 24 - 1;
  /** 2^slotBits (a tag's place) and the tag's bits. */
  private tagScale = 2 ** 24;
  private tagMask = 0xff;

  /** Grows past this share of buckets in use (linear probing stays short below it). */
  private static readonly LOAD = 0.7;

  /**
   * `hashOf(slot)`: the hash of the id of every slot put here (the store's id column), from the
   * moment it is put.
   */
  constructor(
    expected: number,
    private readonly hashOf: (slot: number) => number,
  ) {
    // (From a few buckets: one of a fleet's thousands of hosts may hold a handful of ids.)
    let buckets = 16;
    while (buckets * IdTable.LOAD < expected) buckets *= 2;
    this.table = new Uint32Array(buckets);
    populate(this.table);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held (the memory figures). */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /** What `prefetch` read, kept so that its reads are not dropped as unused. */
  private prefetched = 0;

  /**
   * Reads the buckets of `count` hashes, `hashes[from]`, `hashes[from + stride]`, … (ids about to
   * be put or got: a native scanner's lines ahead), one after another, so that their cache lines
   * are fetched side by side rather than each when its record comes: with a million ids a put's
   * bucket is a cache miss (#17: ~0.3 µs a request under the index's other writes; ~0.05 µs
   * with 64 read ahead, in isolation). Changes nothing the table answers.
   */
  prefetch(hashes: Float64Array, from: number, stride: number, count: number): void {
    const t = this.table;
    const mask = this.mask;
    let x = 0;
    for (let k = 0; k < count; k++) x ^= t[(hashes[from + k * stride] >>> 0) & mask];
    this.prefetched ^= x;
  }

  get(hash: number): number {
    const t = this.table;
    const { slotBits, slotMask } = this;
    const tag = this.tagOf(hash);
    for (let i = (hash >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const held = t[i];
      if (held === 0) return -1;
      if (held >>> slotBits === tag && this.hashOf((held & slotMask) - 1) === hash) return (held & slotMask) - 1;
    }
  }

  put(hash: number, slot: number): number {
    if (slot + 1 > this.slotMask) this.widen(slot + 1);
    const t = this.table;
    const { slotBits, slotMask } = this;
    const tag = this.tagOf(hash);
    const bucket = tag * this.tagScale + slot + 1;
    for (let i = (hash >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const held = t[i];
      if (held === 0) {
        t[i] = bucket;
        if (++this.count > (this.mask + 1) * IdTable.LOAD) this.grow();
        return -1;
      }
      if (held >>> slotBits === tag && this.hashOf((held & slotMask) - 1) === hash) {
        t[i] = bucket;
        return (held & slotMask) - 1;
      }
    }
  }

  /** Gives back buckets beyond what the ids there are need (a fleet holds hundreds of tables). */
  trim(): void {
    // (From a few buckets: one of a fleet's thousands of hosts may hold a handful of ids.)
    let buckets = 16;
    while (buckets * IdTable.LOAD < this.count + 1) buckets *= 2;
    if (buckets < this.mask + 1) this.rehash(buckets);
  }

  /** The bits of `hash` kept beside a slot. */
  private tagOf(hash: number): number {
    return ((hash / TWO_32) >>> 0) & this.tagMask;
  }

  /** Room for slot numbers up to `highest` (+ 1): fewer bits of each tag, taken again from the column. */
  private widen(highest: number): void {
    const old = this.slotMask;
    while (highest > this.slotMask) {
      if (this.slotBits === 31) throw new RangeError(`IdTable: slot ${highest - 1} is past 2^31`);
      this.slotBits++;
      this.slotMask = 2 ** this.slotBits - 1;
      this.tagScale = 2 ** this.slotBits;
      this.tagMask = 2 ** (32 - this.slotBits) - 1;
    }
    const t = this.table;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === 0) continue;
      const slot1 = t[i] & old;
      t[i] = this.tagOf(this.hashOf(slot1 - 1)) * this.tagScale + slot1;
    }
  }

  private grow(): void {
    this.rehash((this.mask + 1) * 2);
  }

  private rehash(buckets: number): void {
    const old = this.table;
    this.table = new Uint32Array(buckets);
    // (Filled all over at random: its pages faulted in at once, where the native scanner is loaded.)
    populate(this.table);
    this.mask = buckets - 1;
    const t = this.table;
    for (let j = 0; j < old.length; j++) {
      const held = old[j];
      if (held === 0) continue;
      let i = (this.hashOf((held & this.slotMask) - 1) >>> 0) & this.mask;
      while (t[i] !== 0) i = (i + 1) & this.mask;
      t[i] = held;
    }
  }
}
