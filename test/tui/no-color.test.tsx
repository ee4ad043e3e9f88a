/**
 * Colour on and off. Vitest runs with FORCE_COLOR=0, so chalk (which Ink styles with) is
 * switched to full colour here to see what the viewer asks for; NO_COLOR must then still give
 * a screen without a single colour code, readable by its symbols and words.
 */
import './tz.js';
import { describe, expect, it } from 'vitest';
import { colorFromEnv, createTheme } from '../../src/tui/theme.js';
import { entryInState, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { fullColourPerFile, KEY, renderViewer } from './render.js';

/** SGR foreground/background colour parameters: 30–37, 39, 40–47, 49, 90–97, 100–107, 38;…, 48;…. */
const COLOUR_SGR = /\u001b\[(?:\d+;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;\d+)*m/;

fullColourPerFile();

const entries = () => (['ok', 'failed', 'denied', 'running', 'timeout', 'rejected'] as const).map((s) => entryInState(s));

describe('colour', () => {
  it('reads NO_COLOR like no-color.org: set and not empty', () => {
    expect(colorFromEnv({})).toBe(true);
    expect(colorFromEnv({ NO_COLOR: '' })).toBe(true);
    expect(colorFromEnv({ NO_COLOR: '1' })).toBe(false);
  });

  it('colours the states when colour is on', async () => {
    const v = renderViewer(new FakeEngine(entries()), { theme: createTheme(true) });
    await v.ready();
    expect(v.rawFrame()).toMatch(COLOUR_SGR);
    expect(v.rawFrame()).toContain('\u001b[31m');
    v.unmount();
  });

  it('has no colour code at all under NO_COLOR, and keeps every symbol and word', async () => {
    const v = renderViewer(new FakeEngine(entries()), { theme: createTheme(colorFromEnv({ NO_COLOR: '1' })), columns: 160 });
    await v.ready();
    for (const screen of [[], ['/', 'n', 'g', 'i', 'n', 'x', KEY.enter], [KEY.enter], ['?']]) {
      await v.press(...screen);
      expect(v.rawFrame()).not.toMatch(COLOUR_SGR);
    }
    await v.press(KEY.escape, KEY.escape);
    for (const word of ['✓ ok', '✗ failed', '⊘ denied', '▶ running', '◷ timeout', '⊗ rejected']) expect(v.frame()).toContain(word);
    v.unmount();
  });

  it('marks the selected row with inverse video and search matches underlined, neither of which is colour', async () => {
    const v = renderViewer(new FakeEngine([makeEntry({ pipeline: [['zcat', 'big.gz']] }), makeEntry()]), { theme: createTheme(false) });
    await v.ready();
    await v.press('/', 'c', 'a', 't', KEY.enter);
    const row = v.rawFrame().split('\n').find((l) => l.includes('big.gz')) ?? '';
    expect(row).toContain('\u001b[7m');
    expect(row).toMatch(/z(?:\u001b\[[0-9;]*m)*\u001b\[4m(?:\u001b\[[0-9;]*m)*cat/);
    v.unmount();
  });
});
