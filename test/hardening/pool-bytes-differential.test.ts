/**
 * A log's own pool past SMALL_POOL keeps text that came as a line's bytes as bytes (string-table.ts),
 * found by its seeded hash behind a cache by byte sample; the same text may also come as a string
 * (a scan worker's fresh strings, the records path). Whatever the order, one text is one id and
 * `get` gives it back exactly: checked against a Map over random mixes of intern / internBytes /
 * find / findBytes of texts that share length and the sampled bytes, latin1 and wider characters,
 * the empty string and lengths around HELD_MAX, through many table sizes (session 18's attacker).
 */
import { describe, expect, it } from 'vitest';
import { SharedStrings, StringPool } from '../../src/engine/string-pool.js';

/** xorshift32: the same mix every run. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** ASCII texts of a few lengths that agree in every byte byteSample reads (0, n/4, n/2, n-1-n/4, n-1), differing elsewhere. */
function twins(count: number): string[] {
  const out: string[] = [''];
  for (const n of [1, 2, 3, 5, 8, 13, 40, 4095, 4096, 4097, 5000]) {
    const sampled = new Set([0, n >> 2, n >> 1, n - 1 - (n >> 2), n - 1]);
    for (let k = 0; k < count; k++) {
      const chars: string[] = [];
      for (let i = 0; i < n; i++) chars.push(sampled.has(i) ? 'S' : String.fromCharCode(0x21 + ((k * 31 + i * 7 + ((k >> 3) * i)) % 90)));
      out.push(chars.join(''));
    }
  }
  return out;
}

function check(pool: StringPool, ref: Map<string, number>): void {
  expect(pool.size).toBe(ref.size);
  for (const [s, id] of ref) expect(pool.get(id)).toBe(s);
}

function differential(seed: number, shared: SharedStrings | null, ops: number): void {
  const next = rng(seed);
  const ascii = [...new Set(twins(60))];
  // Strings only (never a line's bytes): latin1 twins of ASCII texts, wider characters, long ones.
  const wide = ['é', 'caf\u00e9', 'caf\u00c3\u00a9', '\u00ff'.repeat(4096), 'ﬀ', 'x\u0100', '\ud800', 'SSSS\u0080', 'S\u00e9S'];
  const pool = new StringPool([], shared);
  const ref = new Map<string, number>();
  // A line's bytes with junk either side: the pool must read only [start, end).
  const asBytes = (s: string) => {
    const pad = Math.floor(next() * 3);
    const b = Buffer.from(`${'"'.repeat(pad)}${s}"x`, 'latin1');
    return { b, start: pad, end: pad + s.length };
  };
  let fresh = 0;
  for (let op = 0; op < ops; op++) {
    const r = next();
    // New texts keep coming, so the table grows through several sizes.
    const s = next() < 0.3 ? `fresh-${fresh++}-${'z'.repeat(fresh % 50)}` : r < 0.9 ? ascii[Math.floor(next() * ascii.length)] : wide[Math.floor(next() * wide.length)];
    const isAscii = !/[^\x00-\x7f]/.test(s);
    const how = next();
    const had = ref.get(s);
    if (how < 0.35 && isAscii) {
      const { b, start, end } = asBytes(s);
      const id = pool.internBytes(b, start, end);
      if (had === undefined) ref.set(s, id);
      expect(id, s.slice(0, 40)).toBe(had ?? ref.size - 1);
    } else if (how < 0.6) {
      const id = pool.intern(s);
      if (had === undefined) ref.set(s, id);
      expect(id, s.slice(0, 40)).toBe(had ?? ref.size - 1);
    } else if (how < 0.8 && isAscii) {
      const { b, start, end } = asBytes(s);
      expect(pool.findBytes(b, start, end), s.slice(0, 40)).toBe(had ?? -1);
    } else {
      expect(pool.find(s), s.slice(0, 40)).toBe(had ?? -1);
    }
    if (op % 997 === 0) pool.trim();
    if (op % 2500 === 0) check(pool, ref);
  }
  check(pool, ref);
  // Every text found again both ways, and its bytes' latin1 twin is not it.
  for (const [s, id] of ref) {
    expect(pool.find(s)).toBe(id);
    if (!/[^\x00-\x7f]/.test(s)) {
      const b = Buffer.from(s, 'latin1');
      expect(pool.findBytes(b, 0, b.length)).toBe(id);
    }
  }
  expect(pool.size).toBeGreaterThan(1000);
}

describe('a pool against a Map of its texts', () => {
  it('a log\'s own pool (text kept as bytes)', () => {
    for (const seed of [1, 0x9e3779b9, 12345]) differential(seed, null, 12_000);
  });

  it('a fleet host\'s pool (shared strings)', () => {
    differential(777, new SharedStrings(), 8_000);
  });
});
