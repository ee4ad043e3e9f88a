/**
 * The first frame written before Ink loads (src/tui/first-frame.ts) is Ink's first frame for
 * the same state: the same text in every cell, in the same style (colour, bold, dim, inverse,
 * underline), so Ink's first render changes nothing on screen. Each case renders the App with
 * Ink over a store and compares its frame with firstFrameLines for that store's state.
 */
import './tz.js';
import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import type { ChainStatus } from '../../src/shared/entry.js';
import { firstFrameLines } from '../../src/tui/first-frame.js';
import { createTheme, type Theme } from '../../src/tui/theme.js';
import { BASE_MS, entryInState, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { HOSTILE, RAW_CONTROL } from './hostile.js';
import { fullColourPerFile, KEY, type RenderOptions, renderViewer, type Viewer } from './render.js';

fullColourPerFile();

/** Each visible cell of each line as `char` + its SGR attributes; invisible differences dropped. */
function styledCells(text: string): string[][] {
  return text.split('\n').map((line) => {
    const attrs = new Map<string, string>();
    const cells: string[] = [];
    const parts = line.split(/(\u001b\[[\d;]*m)/);
    for (const part of parts) {
      const sgr = /^\u001b\[([\d;]*)m$/.exec(part);
      if (sgr) {
        for (const code of (sgr[1] === '' ? '0' : sgr[1]).split(';').map(Number)) {
          if (code === 0) attrs.clear();
          else if (code === 1) attrs.set('bold', 'b');
          else if (code === 2) attrs.set('dim', 'd');
          else if (code === 22) (attrs.delete('bold'), attrs.delete('dim'));
          else if (code === 4) attrs.set('underline', 'u');
          else if (code === 24) attrs.delete('underline');
          else if (code === 7) attrs.set('inverse', 'i');
          else if (code === 27) attrs.delete('inverse');
          else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) attrs.set('fg', String(code));
          else if (code === 39) attrs.delete('fg');
          else throw new Error(`unexpected SGR ${code} in ${JSON.stringify(line)}`);
        }
        continue;
      }
      for (const ch of part) {
        // On a space only inverse and underline show.
        const shown = ch === ' ' ? [...attrs].filter(([k]) => k === 'inverse' || k === 'underline') : [...attrs];
        cells.push(`${ch}${shown.map(([, v]) => v).sort().join('')}`);
      }
    }
    while (cells.length > 0 && cells[cells.length - 1] === ' ') cells.pop();
    return cells;
  });
}

const chain: ChainStatus = { state: 'intact', checked: 40, total: 40, unchained: 0, unchecked: 0, breaks: [], breakCount: 0 };

/** Ink's frame for the store's state now, and the first frame's lines for it. */
function both(v: Viewer, theme: Theme, title?: string): { ink: string; first: string } {
  const lines = firstFrameLines(v.store.getState(), v.store.engine, theme, title ?? 'sudo-proxy-audit');
  if (lines === null) throw new Error('no first frame for this state');
  return { ink: v.rawFrame(), first: lines.join('\n') };
}

/** Opens the viewer and compares Ink's very first frame (before any effect ran) with the first frame. */
function firstOf(engine: FakeEngine, options: RenderOptions & { theme?: Theme } = {}) {
  const theme = options.theme ?? createTheme(true);
  const v = renderViewer(engine, { columns: 120, rows: 30, now: BASE_MS + 4 * 3_600_000, ...options, theme });
  // Ink's first render is synchronous: the frame and the state it drew are both here now.
  const result = both(v, theme, options.title);
  return { v, ...result };
}

function expectSame({ ink, first }: { ink: string; first: string }) {
  expect(stripAnsi(first).split('\n').map((l) => l.trimEnd())).toEqual(stripAnsi(ink).split('\n').map((l) => l.trimEnd()));
  expect(styledCells(first)).toEqual(styledCells(ink));
}

const mixed = () => {
  const states = ['ok', 'failed', 'denied', 'running', 'timeout', 'rejected'] as const;
  return Array.from({ length: 40 }, (_, i) => entryInState(states[i % states.length], { timeMs: BASE_MS + i * 60_000 }));
};

describe('the first frame, before Ink', () => {
  it('is Ink’s first frame at 120×30: header, column titles, the newest rows selected, footer', () => {
    const r = firstOf(new FakeEngine(mixed(), { chain }));
    expect(stripAnsi(r.first)).toMatch(/^› /m);
    expect(stripAnsi(r.first).split('\n')).toHaveLength(29);
    expectSame(r);
    r.v.unmount();
  });

  it('is Ink’s frame once the counts are in, after paging up, and with a search', async () => {
    const theme = createTheme(true);
    const v = renderViewer(new FakeEngine(mixed(), { chain }), { columns: 120, rows: 30, theme });
    await v.ready();
    expectSame(both(v, theme));
    await v.press(KEY.pageUp, KEY.up);
    expectSame(both(v, theme));
    await v.press('/');
    await v.type('restart');
    await v.press(KEY.enter);
    expect(stripAnsi(v.frame())).toContain('restart');
    expectSame(both(v, theme));
    v.unmount();
  });

  it('shows the progress bar while history is indexed, and "reading…" before any entry', () => {
    const indexing = firstOf(new FakeEngine(mixed().slice(30), { progress: { bytesDone: 2_000_000, bytesTotal: 400_000_000, done: false } }));
    expect(stripAnsi(indexing.first)).toContain('indexing history');
    expectSame(indexing);
    indexing.v.unmount();
    const empty = firstOf(new FakeEngine([], { progress: { bytesDone: 0, bytesTotal: 1_000, done: false } }));
    expect(stripAnsi(empty.first)).toContain('reading…');
    expectSame(empty);
    empty.v.unmount();
  });

  it('matches at other sizes, for a fleet, without colour, and in a terminal too small', () => {
    const fleet = mixed().map((e, i) => ({ ...e, origin: `web-0${i % 3}` }));
    const cases: [FakeEngine, RenderOptions][] = [
      [new FakeEngine(mixed()), { columns: 80, rows: 24 }],
      [new FakeEngine(mixed()), { columns: 200, rows: 50 }],
      [new FakeEngine(fleet, { origins: ['web-00', 'web-01', 'web-02'] }), {}],
      [new FakeEngine(mixed()), { theme: createTheme(false), title: 'demo daemon → /tmp/demo/audit.log' }],
      [new FakeEngine(mixed()), { columns: 30, rows: 6 }],
    ];
    for (const [engine, options] of cases) {
      const r = firstOf(engine, options);
      expectSame(r);
      r.v.unmount();
    }
  });

  it('escapes what a hostile record holds, as Ink’s frame does', () => {
    const hostile = Object.values(HOSTILE).map((text, i) =>
      makeEntry({ timeMs: BASE_MS + i * 60_000, session: text, host: text, pipeline: [['echo', text]] }),
    );
    const r = firstOf(new FakeEngine(hostile), { title: `title ${HOSTILE.csi}` });
    expect(stripAnsi(r.first)).not.toMatch(RAW_CONTROL);
    // Only our own SGR sequences: no other escape reaches the terminal.
    expect(r.first.replace(/\u001b\[[\d;]*m/g, '')).not.toMatch(RAW_CONTROL);
    expectSame(r);
    r.v.unmount();
  });
});
