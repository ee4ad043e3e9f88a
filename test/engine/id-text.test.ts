import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holds, IdText } from '../../src/engine/id-text.js';

describe('IdText', () => {
  it('finds the ids holding a part, across blocks, never a match that spans two ids', () => {
    const t = new IdText();
    const ids = Array.from({ length: 40_000 }, (_, i) => `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${i}`);
    const starts = ids.map((id, i) => (i % 2 === 0 ? t.add(id) : t.addBytes(Buffer.from(id), 0, id.length)));
    const want = (part: string) => ids.flatMap((id, i) => (id.toLowerCase().includes(part) ? [starts[i]] : []));
    for (const part of ['-3999', '0000', ids[12_345].slice(3, 9), '9-1']) expect(Array.from(t.startsContaining(part)), part).toEqual(want(part));
    // The end of one id and the start of the next are not one id.
    expect(t.startsContaining(`${ids[0].slice(-2)}${ids[1].slice(0, 3)}`).length).toBe(want(`${ids[0].slice(-2)}${ids[1].slice(0, 3)}`).length);
    expect(holds(t.startsContaining('-12345'), starts[12_345])).toBe(true);
    expect(t.startsContaining('\u0000')).toHaveLength(0);
  });

  it('keeps an id as search shows it (escaped, lower-cased), and one longer than a block', () => {
    const t = new IdText();
    const odd = t.add('ESC\u001b-ID');
    const long = t.add(`${'x'.repeat(1_100_000)}TAIL`);
    expect(Array.from(t.startsContaining('c\\e-id'))).toEqual([odd]);
    expect(Array.from(t.startsContaining('xtail'))).toEqual([long]);
    expect(Array.from(t.startsContaining('\u001b'))).toEqual([]);
  });
});

describe('IdText with UUIDs (what sudo-proxy sends)', () => {
  /** A deterministic v4-looking UUID, in upper case every third one (search sees lower case). */
  const uuid = (i: number) => {
    const hex = Array.from({ length: 4 }, (_, k) => (((i + 1) * 2654435761 * (k + 7)) >>> 0).toString(16).padStart(8, '0')).join('');
    const u = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    return i % 3 === 0 ? u.toUpperCase() : u;
  };
  /** UUIDs, and ids that only look like one (a letter past f, a dash out of place, one too long), mixed. */
  const ids = Array.from({ length: 30_000 }, (_, i) => {
    if (i % 7 === 3) return `${uuid(i).slice(0, 35)}g`;
    if (i % 7 === 5) return `${uuid(i).slice(0, 7)}-${uuid(i).slice(7, 8)}${uuid(i).slice(9)}`;
    if (i % 11 === 4) return `${uuid(i)}0`;
    return uuid(i);
  });

  it('finds every part of an id, whichever way it was added, and none across two ids', () => {
    const t = new IdText();
    const starts = ids.map((id, i) => (i % 3 === 1 ? t.add(id) : i % 3 === 2 ? t.addSearchBytes(Buffer.from(`xx${id.toLowerCase()}yy`), 2, 2 + id.length) : t.addBytes(Buffer.from(id), 0, id.length)));
    const want = (part: string) => ids.flatMap((id, i) => (id.toLowerCase().includes(part) ? [starts[i]] : []));
    const parts = ['-', '4', 'a', 'g', ids[12_345].toLowerCase().slice(5, 15), ids[9].toLowerCase().slice(7, 20), ids[21].toLowerCase(), ids[22].toLowerCase().slice(30), '-4', `${ids[0].toLowerCase().slice(-3)}${ids[1].toLowerCase().slice(0, 3)}`];
    for (const part of parts) expect(Array.from(t.startsContaining(part)), part).toEqual(want(part));
    expect(holds(t.startsContaining(ids[29_999].toLowerCase()), starts[29_999])).toBe(true);
  });

  it('keeps a UUID in 17 bytes (the text takes 37), anything else as its text', () => {
    const t = new IdText();
    for (let i = 0; i < 1000; i++) t.add(uuid(i));
    expect(t.bytesUsed).toBe(1000 * 17);
    t.add(`${uuid(1).slice(0, 35)}g`);
    expect(t.bytesUsed).toBe(1000 * 17 + 37);
  });

  it('finds the same ids once its blocks are trimmed into one', () => {
    const t = new IdText();
    const starts = ids.slice(0, 800).map((id) => t.add(id));
    const before = Array.from(t.startsContaining('-4'));
    expect(t.blockCount).toBeGreaterThan(1);
    t.trim();
    expect(t.blockCount).toBe(1);
    expect(Array.from(t.startsContaining('-4'))).toEqual(before);
    expect(Array.from(t.startsContaining(ids[777].toLowerCase()))).toEqual([starts[777]]);
  });
});

describe('IdText of UUIDs alone (a part found by its packed bytes)', () => {
  const uuids = Array.from({ length: 20_000 }, () => crypto.randomUUID());

  it('finds what the text finds, for parts of every length and place, dashes or not', () => {
    const t = new IdText();
    const starts = uuids.map((id) => t.add(id));
    const want = (part: string) => uuids.flatMap((id, i) => (id.includes(part) ? [starts[i]] : []));
    const parts: string[] = [];
    for (let len = 1; len <= 36; len++) for (const from of [0, 1, 5, 8, 9, 14, 19, 24, 31]) if (from + len <= 36) parts.push(uuids[(len * 37 + from) % uuids.length].slice(from, from + len));
    parts.push('0000', '00000', 'abcde', '-4', 'ffffffff');
    for (const part of parts) expect(Array.from(t.startsContaining(part)), part).toEqual(want(part));
  });

  it('finds them once blocks of UUIDs are trimmed into one (the gaps between them kept)', () => {
    const t = new IdText();
    const few = uuids.slice(0, 300);
    const starts = few.map((id) => t.add(id));
    expect(t.blockCount).toBeGreaterThan(1);
    t.trim();
    expect(t.blockCount).toBe(1);
    for (const i of [0, 14, 15, 16, 150, 299]) expect(Array.from(t.startsContaining(few[i].slice(3, 20))), String(i)).toEqual([starts[i]]);
  });
});

describe('IdText.searchBytesAt', () => {
  it('gives each id back in its searched form, a packed UUID written out', () => {
    const t = new IdText();
    const ids = ['A4F99910-CC67-47AB-A55D-03C834033FD7', 'not-a-uuid', crypto.randomUUID(), '', 'Ünï'];
    const starts = ids.map((id) => t.add(id));
    expect(starts.map((at) => Buffer.from(t.searchBytesAt(at)).toString())).toEqual(ids.map((id) => id.toLowerCase()));
  });
});
