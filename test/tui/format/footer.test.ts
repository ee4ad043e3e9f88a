import { describe, expect, it } from 'vitest';
import { type FooterInput, footerLine } from '../../../src/tui/format/footer.js';
import { lineText } from '../../../src/tui/format/spans.js';
import { displayWidth } from '../../../src/tui/format/text.js';

const input = (over: Partial<FooterInput> = {}): FooterInput => ({
  prompt: null,
  message: null,
  notice: null,
  overlay: 'none',
  follow: true,
  unseen: 0,
  index: 42,
  length: 100,
  total: 100,
  filtered: false,
  width: 80,
  ...over,
});

const text = (over: Partial<FooterInput> = {}) => lineText(footerLine(input(over)));

describe('footer', () => {
  it('reminds of the main keys and shows the position, of how many when filtered', () => {
    expect(text()).toMatch(/^\? help .* q quit +42\/100$/);
    expect(text({ filtered: true, length: 7, index: 3, total: 100 })).toMatch(/3\/7 of 100$/);
    expect(displayWidth(text())).toBe(80);
  });

  it('shows "N new" while paused, a message, or the engine notice', () => {
    expect(text({ follow: false, unseen: 5 })).toMatch(/^↓ 5 new · F or End to follow/);
    expect(text({ message: { text: 'not found: nginx', tone: 'error' } })).toMatch(/^not found: nginx/);
    expect(text({ notice: { kind: 'waiting', file: '/x', message: 'waiting for /x to appear' } })).toMatch(/^waiting for \/x/);
  });

  it('shows the prompt being typed with a cursor, escaping a prefilled value', () => {
    expect(text({ prompt: { kind: 'search', value: 'ngi', completion: -1, typed: 'ngi', hint: '' } })).toMatch(/^\/ngi█ +Enter search · Esc cancel$/);
    expect(text({ prompt: { kind: 'host', value: 'web\u001b[2J', completion: -1, typed: '', hint: '' } })).toMatch(/^host: web\\e\[2J█/);
  });

  it('shows an empty prompt\'s hint dim where the value goes, escaped, and says what Enter and Backspace do', () => {
    const line = footerLine(input({ prompt: { kind: 'host', value: '', completion: -1, typed: '', hint: 'web\u001b[2J' } }));
    expect(lineText(line)).toMatch(/^host: █web\\e\[2J +Enter takes it · BS clears it/);
    expect(line.find((s) => s.text === 'web\\e[2J')).toMatchObject({ dim: true });
    // Typing replaces the hint.
    expect(text({ prompt: { kind: 'host', value: 'we', completion: -1, typed: 'we', hint: 'web-01' } })).toMatch(/^host: we█ +Tab complete/);
    expect(text({ prompt: { kind: 'host', value: '', completion: -1, typed: '', hint: '' } })).toMatch(/^host: █ +Tab complete · \(local\) · empty = any/);
  });

  it('keeps the end of a long prompt value visible', () => {
    const line = text({ width: 40, prompt: { kind: 'search', value: 'x'.repeat(100) + 'END', completion: -1, typed: '', hint: '' } });
    expect(line).toMatch(/END█/);
    expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });
});
