/** The compact structures behind the index: the id table and interned strings. */
import { describe, expect, it } from 'vitest';
import { hashBytes, hashString, IdTable } from '../../src/engine/id-table.js';
import { byteSample, SharedStrings, SMALL_POOL, StringPool } from '../../src/engine/string-pool.js';
import { StringTable } from '../../src/engine/string-table.js';

/** A table over slots whose id hashes are `hashes` (the store's id column), and a `put` that records a slot's hash first, as the store does. */
function tableOver(expected: number): { table: IdTable; put: (hash: number, slot: number) => number } {
  const hashes = new Map<number, number>();
  const table = new IdTable(expected, (slot) => hashes.get(slot) ?? Number.NaN);
  return {
    table,
    put: (hash, slot) => {
      hashes.set(slot, hash);
      return table.put(hash, slot);
    },
  };
}

describe('IdTable', () => {
  it('maps ids to the latest slot and reports the one replaced, through growth', () => {
    const { table, put } = tableOver(4);
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(put(hashString(`id-${i}`), i)).toBe(-1);
    expect(table.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(table.get(hashString(`id-${i}`))).toBe(i);
    expect(table.get(hashString('never'))).toBe(-1);
    expect(put(hashString('id-7'), n + 123)).toBe(7);
    expect(table.get(hashString('id-7'))).toBe(n + 123);
    expect(table.size).toBe(n);
  });

  it('tells apart ids whose hashes share their low 32 bits (the table keeps only those; the column the rest)', () => {
    const { table, put } = tableOver(16);
    const low = 0x9e3779b9;
    const [a, b, c] = [1, 2, 3].map((high) => high * 2 ** 32 + low);
    expect(put(a, 10)).toBe(-1);
    expect(put(b, 11)).toBe(-1);
    expect(table.get(c)).toBe(-1);
    expect(table.get(a)).toBe(10);
    expect(table.get(b)).toBe(11);
    expect(put(b, 12)).toBe(11);
    expect(table.get(a)).toBe(10);
    expect(table.size).toBe(2);
  });

  it('answers the same after a prefetch of any hashes, and reads no id column for it', () => {
    const hashes = new Map<number, number>();
    let reads = 0;
    const table = new IdTable(1000, (slot) => {
      reads++;
      return hashes.get(slot) ?? Number.NaN;
    });
    for (let i = 0; i < 500; i++) {
      hashes.set(i, hashString(`id-${i}`));
      table.put(hashString(`id-${i}`), i);
    }
    // Ids there and not, with a stride (a scanner's slots), and what a declined line leaves (0, NaN).
    const ahead = new Float64Array(3 * 600);
    for (let k = 0; k < 600; k++) ahead[3 * k + 1] = k % 7 === 0 ? Number.NaN : hashString(`id-${k}`);
    reads = 0;
    table.prefetch(ahead, 1, 3, 600);
    table.prefetch(ahead, 0, 3, 600);
    expect(reads).toBe(0);
    expect(table.size).toBe(500);
    for (let i = 0; i < 600; i++) expect(table.get(hashString(`id-${i}`))).toBe(i < 500 ? i : -1);
  });

  it('keeps every id through a trim to the room they need, and grows again after', () => {
    const { table, put } = tableOver(100_000);
    for (let i = 0; i < 3000; i++) put(hashString(`id-${i}`), i);
    table.trim();
    for (let i = 0; i < 3000; i++) expect(table.get(hashString(`id-${i}`))).toBe(i);
    for (let i = 3000; i < 20_000; i++) put(hashString(`id-${i}`), i);
    for (let i = 0; i < 20_000; i += 7) expect(table.get(hashString(`id-${i}`))).toBe(i);
    expect(table.get(hashString('never'))).toBe(-1);
  });

  it('holds a bucket in 4 bytes and reads the id column on 1 probe in ~256 that is not the id (#17)', () => {
    const hashes = new Map<number, number>();
    let reads = 0;
    const table = new IdTable(50_000, (slot) => {
      reads++;
      return hashes.get(slot) ?? Number.NaN;
    });
    const buckets = 131_072; // the power of two that holds 50,000 below the load limit
    expect(table.byteLength).toBe(4 * buckets);
    for (let i = 0; i < 50_000; i++) {
      hashes.set(i, hashString(`id-${i}`));
      table.put(hashString(`id-${i}`), i);
    }
    reads = 0;
    for (let i = 0; i < 20_000; i++) expect(table.get(hashString(`absent-${i}`))).toBe(-1);
    // ~0.9 full buckets probed per miss at this load: ~70 reads by chance; every one of ~18,000 without a tag.
    expect(reads).toBeLessThan(500);
  });

  it('keeps telling ids apart past 2^24 slots (fewer bits of the hash beside each slot)', () => {
    const { table, put } = tableOver(16);
    const low = 0x12345;
    const [a, b, c] = [1, 2, 2 + 2 ** 20].map((high) => high * 2 ** 32 + low);
    expect(put(a, 5)).toBe(-1);
    expect(put(b, 2 ** 24 + 7)).toBe(-1);
    expect(put(c, 2 ** 30 + 1)).toBe(-1);
    for (let i = 0; i < 1000; i++) put(hashString(`id-${i}`), 2 ** 29 + i);
    expect([table.get(a), table.get(b), table.get(c)]).toEqual([5, 2 ** 24 + 7, 2 ** 30 + 1]);
    expect(table.get(3 * 2 ** 32 + low)).toBe(-1);
    for (let i = 0; i < 1000; i += 37) expect(table.get(hashString(`id-${i}`))).toBe(2 ** 29 + i);
    expect(table.size).toBe(1003);
  });

  it('hashes the same id the same from bytes and from a string (UTF-8)', () => {
    for (const id of ['a', '08ff49b6-f772-4632-916c-43069c43a8c3', 'naïve-日本', '']) {
      const bytes = Buffer.from(`xx"${id}"yy`);
      expect(hashBytes(bytes, 3, 3 + Buffer.byteLength(id))).toBe(hashString(id));
    }
    expect(hashString('a')).not.toBe(hashString('b'));
    expect(Number.isSafeInteger(hashString('x'))).toBe(true);
  });
});

describe('StringPool', () => {
  it('interns from bytes without confusing strings that share a length and a byte sample', () => {
    const pool = new StringPool();
    const buf = Buffer.from('web-01|web-02|wab-01|web-01|db|web-01');
    const ids = [0, 7, 14, 21, 28, 31].map((start, i, all) => pool.internBytes(buf, start, i + 1 < all.length ? all[i + 1] - 1 : buf.length));
    expect(ids.map((id) => pool.get(id))).toEqual(['web-01', 'web-02', 'wab-01', 'web-01', 'db', 'web-01']);
    expect(ids[0]).toBe(ids[3]);
    expect(ids[0]).toBe(ids[5]);
    expect(new Set(ids).size).toBe(4);
    expect(pool.intern('web-02')).toBe(ids[1]);
    expect(pool.find('nope')).toBe(-1);
    expect(pool.internBytes(buf, 0, 0)).toBe(pool.intern(''));
  });

  it('finds the strings of a small pool from bytes however they were interned: long, not ASCII, many', () => {
    const pool = new StringPool();
    const long = 'x'.repeat(300) + 'y';
    const latin1 = 'na\u00efve';
    const wide = '\u03a9-host';
    const many = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(3, '0')}-${'m'.repeat(90)}`);
    const ids = [long, latin1, wide, ...many].map((s) => pool.intern(s));
    const bytesOf = (s: string) => Buffer.from(`|${s}|`, 'latin1');
    const again = (s: string) => pool.internBytes(bytesOf(s), 1, s.length + 1);
    expect(again(long)).toBe(ids[0]);
    expect(again(latin1)).toBe(ids[1]);
    many.forEach((s, i) => expect(again(s)).toBe(ids[3 + i]));
    // The wide string's latin1 bytes are another text ('\u03a9' is not one byte): a string of its own.
    const size = pool.size;
    expect(again(wide)).toBe(size);
    expect(pool.get(size)).toBe(Buffer.from(wide, 'latin1').toString('latin1'));
    // Same length and sample (none of its sampled bytes differ), one byte apart: not the same string.
    const near = `${long.slice(0, 100)}z${long.slice(101)}`;
    expect(byteSample(bytesOf(near), 1, near.length + 1)).toBe(byteSample(bytesOf(long), 1, long.length + 1));
    expect(again(near)).toBe(size + 1);
    const nearKept = `${many[5].slice(0, 10)}z${many[5].slice(11)}`;
    expect(byteSample(bytesOf(nearKept), 1, nearKept.length + 1)).toBe(byteSample(bytesOf(many[5]), 1, many[5].length + 1));
    expect(again(nearKept)).toBe(size + 2);
    expect(pool.size).toBe(size + 3);
  });

  it('keeps one id per string past the size where a small pool starts indexing (strings and bytes mixed)', () => {
    const pool = new StringPool(['first']);
    const names = Array.from({ length: 5 * SMALL_POOL }, (_, i) => `host-${i % 7}-${i}`);
    const ids = names.map((name, i) => (i % 2 === 0 ? pool.intern(name) : pool.internBytes(Buffer.from(`|${name}|`), 1, name.length + 1)));
    expect(new Set(ids).size).toBe(names.length);
    expect(pool.size).toBe(names.length + 1);
    // Asked again each way, before and after the switch: the same id, never a second string.
    names.forEach((name, i) => {
      expect(pool.intern(name)).toBe(ids[i]);
      expect(pool.internBytes(Buffer.from(name), 0, name.length)).toBe(ids[i]);
      expect(pool.find(name)).toBe(ids[i]);
      expect(pool.get(ids[i])).toBe(name);
    });
    expect(pool.find('first')).toBe(0);
    expect(pool.find('host-0')).toBe(-1);
    expect(pool.size).toBe(names.length + 1);
  });

  it('a large pool finds every string it holds, through each growth of its table, however asked', () => {
    const pool = new StringPool();
    const reference = new Map<string, number>();
    // Same length and the same sampled bytes (first, quarter, half, last): only the digits in between differ.
    const sampleTwin = (i: number) => `a${String(i).padStart(6, '0')}bbbbbbbbbbbbbbbbbbbbbbbbz`;
    const strings = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? sampleTwin(i) : i % 3 === 1 ? `reason ${i} for ${i % 17}` : `caf\u00e9 \u03a9 ${i}`));
    const bytesOf = (s: string) => Buffer.from(`"${s}"`, 'latin1');
    strings.forEach((s, i) => {
      const ascii = /^[\x20-\x7e]*$/.test(s);
      const id = ascii && i % 2 === 1 ? pool.internBytes(bytesOf(s), 1, s.length + 1) : pool.intern(s);
      expect(id).toBe(reference.size);
      reference.set(s, id);
      // A string asked again at once, and one asked long after (the sample's last string is another).
      expect(pool.intern(s)).toBe(id);
      if (i >= 300) expect(pool.intern(strings[i - 300])).toBe(reference.get(strings[i - 300]));
    });
    expect(pool.size).toBe(strings.length);
    for (const [s, id] of reference) {
      expect(pool.find(s)).toBe(id);
      expect(pool.get(id)).toBe(s);
      if (!/^[\x20-\x7e]*$/.test(s)) continue;
      // Found from bytes without a string made, even after its sample's slot went to a twin.
      expect(pool.findBytes(bytesOf(s), 1, s.length + 1)).toBe(id);
      expect(pool.internBytes(bytesOf(s), 1, s.length + 1)).toBe(id);
    }
    expect(pool.findBytes(bytesOf(sampleTwin(1)), 1, sampleTwin(1).length + 1)).toBe(-1);
    expect(pool.find(sampleTwin(1))).toBe(-1);
    expect(pool.size).toBe(strings.length);
  });

  it('keeps text as bytes in blocks that double to 1 MiB and stay that size, however many', () => {
    const table = new StringTable([], true);
    const value = (i: number) => Buffer.from(`${String(i).padStart(8, '0')}${'v'.repeat(992)}`);
    for (let i = 0; i < 14_000; i++) {
      const b = value(i);
      expect(table.addBytes(hashBytes(b, 0, b.length) | 0, b, 0, b.length)).toBe(true);
    }
    // 14 MB: blocks of 4 KB doubling to 1 MiB (9 of them), then 13 of 1 MiB. (A shift past 31 bits once made a block a value from the 20th on.)
    expect(table.blockCount).toBeLessThanOrEqual(9 + 14);
    for (const i of [0, 1, 5000, 13_999]) expect(table.text(i)).toBe(value(i).toString('latin1'));
  });

  it("keeps a log's own large pool's text that came as bytes as bytes, a string made only when asked; a fleet host's pool keeps strings", () => {
    const own = new StringPool();
    const fleetHost = new StringPool([], new SharedStrings());
    const long = `${'r'.repeat(5000)}!`;
    const values = [...Array.from({ length: 200 }, (_, i) => (i % 2 ? `session-${i}` : `a session name past 32 bytes, copied by view: ${i}`)), long];
    const line = Buffer.from(`{"s":"${values.join('","')}"}`);
    let at = 6; // after {"s":"
    const ids = values.map((v) => {
      const id = own.internBytes(line, at, at + v.length);
      expect(fleetHost.internBytes(line, at, at + v.length)).toBe(id);
      at += v.length + 3;
      return id;
    });
    // Up to the one that made the pool start its table (SMALL_POOL + 1), strings; past them, bytes; past 4,096 bytes, a string again.
    const heldAsBytes = ids.filter((id) => own.strings[id] === undefined);
    expect(heldAsBytes).toEqual(ids.slice(SMALL_POOL + 1, -1));
    expect(own.strings[ids[ids.length - 1]]).toBe(long);
    expect(fleetHost.strings.every((s) => typeof s === 'string')).toBe(true);
    values.forEach((v, i) => {
      expect(own.get(ids[i])).toBe(v);
      expect(own.find(v)).toBe(ids[i]);
      expect(own.intern(v)).toBe(ids[i]);
    });
    expect(own.stringsFrom(SMALL_POOL)).toEqual(values.slice(SMALL_POOL));
    expect(own.size).toBe(values.length);
  });
});
