import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import { displayWidth, fit, truncate, wrapText } from '../../../src/tui/format/text.js';

describe('truncate', () => {
  it('leaves text that fits alone', () => {
    expect(truncate('uptime', 6)).toBe('uptime');
    expect(truncate('日本', 4)).toBe('日本');
  });

  it('marks a cut with an ellipsis at the end, start or middle', () => {
    expect(truncate('systemctl restart nginx', 10)).toBe('systemctl…');
    expect(truncate('systemctl restart nginx', 10, 'start')).toBe('…art nginx');
    expect(truncate('systemctl restart nginx', 10, 'middle')).toBe('syste…ginx');
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
  });

  it('never returns more columns than asked, even when a wide character straddles the cut', () => {
    const text = '$ echo 日本語のテキスト 😀😀😀';
    for (let width = 1; width <= 30; width++) {
      for (const position of ['end', 'start', 'middle'] as const) {
        expect(stringWidth(truncate(text, width, position)), `${position} ${width}`).toBeLessThanOrEqual(width);
      }
    }
    expect(truncate(text, 23)).toBe('$ echo 日本語のテキス…');
  });

  it('reads only what it can show of a huge string', () => {
    const huge = '日'.repeat(1_000_000);
    expect(truncate(huge, 10)).toBe('日日日日…');
    expect(truncate(huge, 10, 'start')).toBe('…日日日日');
  });
});

describe('fit', () => {
  it('pads to exactly the width, left or right aligned', () => {
    expect(fit('ok', 5)).toBe('ok   ');
    expect(fit('900ms', 7, 'right')).toBe('  900ms');
    expect(fit('hostname-too-long', 8)).toBe('hostnam…');
  });

  it('pads a cut that lost a column to a wide character', () => {
    expect(fit('a日本', 3)).toBe('a… ');
    expect(stringWidth(fit('主机-東京', 8))).toBe(8);
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice and ASCII once', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('🚀x')).toBe(3);
  });
});

describe('wrapText', () => {
  it('breaks after spaces and cuts words longer than a line', () => {
    expect(wrapText('apt-get install -y nginx', 12)).toEqual(['apt-get', 'install -y', 'nginx']);
    expect(wrapText('x'.repeat(25), 10)).toEqual(['xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
  });

  it('keeps every line within the width with wide characters', () => {
    const lines = wrapText('日本語'.repeat(10), 7);
    expect(lines.every((l) => stringWidth(l) <= 7)).toBe(true);
    expect(lines.join('')).toBe('日本語'.repeat(10));
  });
});

describe('truncate of narrow text (ASCII and NARROW_CHARS only)', () => {
  it('cuts by characters without loading ICU’s grapheme rules (the first frame’s `✓ ok` cells)', async () => {
    vi.resetModules();
    const Real = Intl.Segmenter;
    let made = 0;
    const intl = Intl as { Segmenter: typeof Intl.Segmenter };
    intl.Segmenter = class extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args);
        made++;
      }
    };
    try {
      const text = await import('../../../src/tui/format/text.js');
      expect(text.truncate('✓ ok · ⊘ denied', 6)).toBe('✓ ok …');
      expect(text.truncate('✓ ok', 6)).toBe('✓ ok');
      expect(text.truncate('←→ Σ ▶ ◷', 4, 'start')).toBe('…▶ ◷');
      expect(text.truncate('←→ Σ ▶ ◷', 5, 'middle')).toBe('←→… ◷');
      expect(text.fit('✓ ok', 8, 'right')).toBe('    ✓ ok');
      expect(made).toBe(0);
      // Wide text still goes by graphemes.
      expect(text.truncate('日本語のテキスト', 5)).toBe('日本…');
      expect(made).toBe(1);
    } finally {
      intl.Segmenter = Real;
    }
  });
});
