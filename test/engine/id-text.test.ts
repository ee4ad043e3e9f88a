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
