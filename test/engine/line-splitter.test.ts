import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/engine/line-splitter.js';

interface Seen {
  text?: string;
  offset: number;
  line: number;
  overCap?: number;
}

function collect(cap?: number) {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(
    {
      line: (buf, start, end, offset, line) => seen.push({ text: new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(start, end)), offset, line }),
      overCap: (offset, line, length) => seen.push({ offset, line, overCap: length }),
    },
    0,
    1,
    cap,
  );
  return { seen, splitter };
}

/** Pushes `text` cut at every one of `cuts` (byte positions). */
function feed(splitter: LineSplitter, bytes: Buffer, cuts: number[]): void {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(at, cut));
    at = cut;
  }
}

describe('LineSplitter', () => {
  const text = 'first\nsecond line\n\nfourth\n';
  const bytes = Buffer.from(text);
  const expected = [
    { text: 'first', offset: 0, line: 1 },
    { text: 'second line', offset: 6, line: 2 },
    { text: '', offset: 18, line: 3 },
    { text: 'fourth', offset: 19, line: 4 },
  ];

  it('gives the same lines, offsets and numbers wherever the chunks are cut', () => {
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b++) {
        const { seen, splitter } = collect();
        feed(splitter, bytes, [a, b]);
        expect(seen, `cuts ${a},${b}`).toEqual(expected);
      }
    }
  });

  it('holds a partial line until its newline, one byte at a time', () => {
    const { seen, splitter } = collect();
    feed(splitter, bytes, Array.from({ length: bytes.length }, (_, i) => i));
    expect(seen).toEqual(expected);
  });

  it('decodes a multi-byte character split between chunks whole', () => {
    const line = Buffer.from('{"reason":"naïve 日本語 🚀"}\n');
    for (let cut = 1; cut < line.length; cut++) {
      const { seen, splitter } = collect();
      feed(splitter, line, [cut]);
      expect(seen, `cut ${cut}`).toEqual([{ text: '{"reason":"naïve 日本語 🚀"}', offset: 0, line: 1 }]);
    }
  });

  it('reports an incomplete last line on flush, and nothing before', () => {
    const { seen, splitter } = collect();
    splitter.push(Buffer.from('a\nbc'));
    expect(seen).toHaveLength(1);
    expect(splitter.pendingBytes).toBe(2);
    splitter.flush();
    expect(seen[1]).toEqual({ text: 'bc', offset: 2, line: 2 });
  });

  it('skips a line over the cap without keeping it, and continues after it', () => {
    const { seen, splitter } = collect(10);
    feed(splitter, Buffer.from('short\n0123456789ABCDEF\nok\n0123456789abc'), [8, 12, 20]);
    splitter.flush();
    expect(seen).toEqual([
      { text: 'short', offset: 0, line: 1 },
      { offset: 6, line: 2, overCap: 16 },
      { text: 'ok', offset: 23, line: 3 },
      { offset: 26, line: 4, overCap: 13 },
    ]);
  });

  it('starts over after a reset', () => {
    const { seen, splitter } = collect();
    splitter.push(Buffer.from('a\npart'));
    splitter.reset(0, 1);
    splitter.push(Buffer.from('new\n'));
    expect(seen.map((s) => [s.text, s.offset, s.line])).toEqual([
      ['a', 0, 1],
      ['new', 0, 1],
    ]);
  });
});
