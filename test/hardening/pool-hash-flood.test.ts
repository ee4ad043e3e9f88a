/**
 * A pool past its first few strings finds them by their hash in a table of typed arrays
 * (string-pool.ts `LargeIndex`, linear probing). The strings — reasons, commands, sessions — are
 * the log writer's choice: under cyrb53's published constants, strings crafted offline to share
 * the low bits a bucket is picked by made every lookup walk them all. The hash is seeded per
 * process (id-table.ts), as the id table's is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashSeed, useHashSeed } from '../../src/engine/id-table.js';
import { StringPool } from '../../src/engine/string-pool.js';
import { publishedLow32 } from './published-hash.js';

const COUNT = 600;
/** 600 strings: a table of 2,048 buckets; bits 4..10 zero start them all in its first 16. */
const CLUSTER = 0x7f0;

function crafted(): string[] {
  const out: string[] = [];
  for (let n = 0; out.length < COUNT; n++) {
    const reason = `rotate the keys after alert ${n}`;
    if ((publishedLow32(reason) & CLUSTER) === 0) out.push(reason);
  }
  return out;
}

/** Buckets read to look each string up again, in all, once all are interned (half from bytes). */
function probesOf(strings: readonly string[]): number {
  const pool = new StringPool();
  strings.forEach((s, i) => {
    const b = Buffer.from(`"${s}"`);
    const id = i % 2 === 0 ? pool.intern(s) : pool.internBytes(b, 1, b.length - 1);
    expect(pool.get(id)).toBe(s);
  });
  let read = 0;
  for (const s of strings) read += pool.probes(s);
  return read;
}

const processSeed = hashSeed();
afterEach(() => useHashSeed(processSeed));

describe('strings crafted to share a pool table\'s buckets', () => {
  it('made every lookup walk the crafted cluster under the published hash', () => {
    useHashSeed([0, 0]);
    // ~COUNT / 2 buckets a lookup: the attack as it would land without the seed.
    expect(probesOf(crafted())).toBeGreaterThan(50 * COUNT);
  });

  it('are spread like any strings under the seeded hash', () => {
    const strings = crafted();
    // Linear probing at most half full: ~1.5 buckets a hit; 4 leaves room for chance.
    expect(probesOf(strings)).toBeLessThan(4 * COUNT);
    const pool = new StringPool(strings);
    strings.forEach((s, i) => expect(pool.find(s)).toBe(i));
  });

  it('two strings of one hash stay two strings, each found as itself from bytes or as a string', () => {
    useHashSeed([0, 0]);
    // Found by a birthday search: each pair shares cyrb53's published low 32 bits (the first, one length; the second, two).
    const pairs = [
      ['why: restart the collector after the disk filled up, ticket 51509', 'why: restart the collector after the disk filled up, ticket 80109'],
      ['why: restart the collector after the disk filled up, ticket ##52520', 'why: restart the collector after the disk filled up, ticket 65667'],
    ];
    for (const [a, b] of pairs) {
      expect(publishedLow32(a)).toBe(publishedLow32(b));
      const pool = new StringPool(Array.from({ length: 40 }, (_, i) => `filler ${i}`));
      const line = Buffer.from(`${a}|${b}`);
      const idA = pool.internBytes(line, 0, a.length);
      const idB = pool.internBytes(line, a.length + 1, line.length);
      expect(idB).not.toBe(idA);
      expect([pool.get(idA), pool.get(idB)]).toEqual([a, b]);
      expect([pool.find(a), pool.find(b), pool.intern(b), pool.intern(a)]).toEqual([idA, idB, idB, idA]);
      expect(pool.findBytes(line, a.length + 1, line.length)).toBe(idB);
      // Held as a string the other way round: the first asked as a string, the second from bytes.
      const other = new StringPool(Array.from({ length: 40 }, (_, i) => `filler ${i}`));
      const sB = other.intern(b);
      expect(other.internBytes(line, 0, a.length)).not.toBe(sB);
      expect(other.internBytes(line, a.length + 1, line.length)).toBe(sB);
    }
  });
});
