/**
 * text.ts measures NARROW_CHARS itself (so plain text never loads string-width): each must be
 * exactly what string-width says, one column, and a grapheme of its own next to any other.
 */
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { displayWidth, fit, NARROW_CHARS, truncate } from '../../../src/tui/format/text.js';

function narrowChars(): string[] {
  const out: string[] = [];
  for (const m of NARROW_CHARS.matchAll(/(.)(?:-(.))?/gsu)) {
    const from = m[1].codePointAt(0) as number;
    const to = m[2] === undefined ? from : (m[2].codePointAt(0) as number);
    for (let cp = from; cp <= to; cp++) out.push(String.fromCodePoint(cp));
  }
  return out;
}

describe('the narrow characters text.ts measures without string-width', () => {
  const chars = narrowChars();

  it('are the ranges written (ASCII first, the soft hyphen left out)', () => {
    expect(chars[0]).toBe(' ');
    expect(chars).toContain('…');
    expect(chars).toContain('–');
    expect(chars).not.toContain('\u00ad');
    expect(chars.length).toBeGreaterThan(700);
  });

  it('are each one column by string-width, and one grapheme even beside each other', () => {
    const wrong = chars.filter((c) => stringWidth(c) !== 1);
    expect(wrong).toEqual([]);
    const all = chars.join('');
    expect(stringWidth(all)).toBe(all.length);
    expect([...new Intl.Segmenter().segment(all)].length).toBe(all.length);
  });

  // #17: the viewer's first screen draws these (states, badges, the sparkline, rules): each
  // one outside NARROW_CHARS loaded string-width's emoji regex before the first frame.
  it('hold every glyph the viewer draws itself', () => {
    const glyphs = 'µ·×Σ–—‖…›←↑→↓↔↯≤≥⊗⊘⏎⏵⏹━┄▁▂▃▄▅▆▇█░■□▶▷●◷⚑⚠✓✗';
    expect([...glyphs].filter((c) => !chars.includes(c))).toEqual([]);
  });

  it('measure, cut and pad like string-width does', () => {
    const text = 'Time range:  2026-11-01 08:01 – 08:00 … café ✓ → │';
    expect(displayWidth(text)).toBe(stringWidth(text));
    expect(displayWidth(truncate(text, 20))).toBe(20);
    expect(fit('naïve–', 8)).toBe('naïve–  ');
    // One wide character among them goes through string-width as before.
    expect(displayWidth('– 日本')).toBe(6);
  });
});
