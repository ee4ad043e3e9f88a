/**
 * id → slot for a million entries without a million strings: ids are kept as 53-bit hashes
 * (cyrb53) in an open-addressing table of typed arrays. Two different ids sharing a hash is
 * a ~1-in-10^4 event at 10^6 distinct ids per engine, and would show as a duplicate-id.
 */
import type { IdIndex } from '../../shared/join.js';

/** cyrb53 over bytes [start, end): a 53-bit hash, exact in a double, never 0. */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = start; i < end; i++) {
    const c = b[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0) || 1;
}

const encoder = new TextEncoder();

/** The same hash for an id given as a string (its UTF-8 bytes). */
export function hashString(s: string): number {
  const b = encoder.encode(s);
  return hashBytes(b, 0, b.length);
}

export class IdTable implements IdIndex<number> {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  get(hash: number): number {
    const keys = this.keys;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === hash) return this.slots[i];
      if (k === 0) return -1;
    }
  }

  put(hash: number, slot: number): number {
    const keys = this.keys;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === hash) {
        const before = this.slots[i];
        this.slots[i] = slot;
        return before;
      }
      if (k === 0) {
        keys[i] = hash;
        this.slots[i] = slot;
        if (++this.count * 2 > keys.length) this.grow();
        return -1;
      }
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.slots = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === 0) continue;
      let i = k & this.mask;
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.slots[i] = oldSlots[j];
    }
  }
}
