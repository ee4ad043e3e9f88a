/** `S` on the screen (issue #16): the footer names the order, the rows follow it, ↑ only in log order. */
import './tz.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_MS, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { renderViewer, type Viewer } from './render.js';

let viewer: Viewer | null = null;
afterEach(() => {
  viewer?.unmount();
  viewer = null;
});

const footer = (v: Viewer) => v.lines().at(-1) ?? '';
const times = (v: Viewer) => v.lines().map((l) => /^[› ][↑ ]?\s*(\d\d:\d\d:\d\d)/.exec(l)?.[1]).filter((t) => t !== undefined);

describe('S on the screen', () => {
  it('names the order in the footer, sorts the rows, and marks ↑ only in log order', async () => {
    // The middle entry was written last but stamped first: in log order it is stamped before the row above.
    const engine = new FakeEngine([0, 2, 1].map((m) => makeEntry({ timeMs: BASE_MS + m * 60_000 })));
    viewer = renderViewer(engine);
    await viewer.ready();
    expect(footer(viewer)).toMatch(/log order · 3\/3$/);
    expect(times(viewer)).toEqual(['08:00:00', '08:02:00', '08:01:00']);
    expect(viewer.frame()).toContain('↑');
    await viewer.press('S');
    expect(times(viewer)).toEqual(['08:00:00', '08:01:00', '08:02:00']);
    expect(viewer.frame()).not.toContain('↑');
    expect(footer(viewer)).toMatch(/time order · 3\/3$/);
    await viewer.press('S');
    expect(footer(viewer)).toMatch(/log order · 3\/3$/);
    expect(times(viewer)).toEqual(['08:00:00', '08:02:00', '08:01:00']);
  });
});
