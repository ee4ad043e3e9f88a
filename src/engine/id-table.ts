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

const encoder = new TextEncoder();

/** The same hash for an id given as a string (its UTF-8 bytes; an ASCII id without encoding it). */
export function hashString(s: string): number {
  let h1 = start1;
  let h2 = start2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) {
      const b = encoder.encode(s);
      return hashBytes(b, 0, b.length);
    }
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return finish(h1, h2);
}

/** cyrb53's last mixing, into 53 bits, never 0. */
function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

/**
 * Open addressing, linear probing; each bucket is [the hash's low 32 bits, slot + 1] side by
 * side in one Uint32Array (8 bytes; 0 in the slot half: empty). The rest of a hash is not kept
 * here: the entry's own column holds it (`hashOf`), and is read only when the low bits match —
 * on a hit, the entry the caller is about to touch anyway. Half the bytes of [hash, slot] in
 * doubles (8.4 MB less at 556,000 entries).
 */
export class IdTable implements IdIndex<number> {
  private table: Uint32Array;
  private mask: number;
  private count = 0;

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
    this.table = new Uint32Array(buckets * 2);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.count;
  }

  get(hash: number): number {
    const t = this.table;
    const low = hash >>> 0;
    for (let i = low & this.mask; ; i = (i + 1) & this.mask) {
      const held = t[2 * i + 1];
      if (held === 0) return -1;
      if (t[2 * i] === low && this.hashOf(held - 1) === hash) return held - 1;
    }
  }

  put(hash: number, slot: number): number {
    const t = this.table;
    const low = hash >>> 0;
    for (let i = low & this.mask; ; i = (i + 1) & this.mask) {
      const held = t[2 * i + 1];
      if (held === 0) {
        t[2 * i] = low;
        t[2 * i + 1] = slot + 1;
        if (++this.count > (this.mask + 1) * IdTable.LOAD) this.grow();
        return -1;
      }
      if (t[2 * i] === low && this.hashOf(held - 1) === hash) {
        t[2 * i + 1] = slot + 1;
        return held - 1;
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

  private grow(): void {
    this.rehash((this.mask + 1) * 2);
  }

  private rehash(buckets: number): void {
    const old = this.table;
    this.table = new Uint32Array(buckets * 2);
    this.mask = buckets - 1;
    const t = this.table;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      const low = old[j];
      let i = low & this.mask;
      while (t[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      t[2 * i] = low;
      t[2 * i + 1] = old[j + 1];
    }
  }
}
