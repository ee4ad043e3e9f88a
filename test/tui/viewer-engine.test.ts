/**
 * The viewer's engine (run-viewer.ts' openViewerEngine) reads the history behind the tail only
 * once the first frame is drawn: the history's start (column space for every entry, scan
 * workers) must not delay the first rows on screen; nor must a tail much larger than a screen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { firstFrameLines } from '../../src/tui/first-frame.js';
import { firstFrameTailBytes, openViewerEngine } from '../../src/tui/run-viewer.js';
import { DEFAULT_TITLE } from '../../src/tui/screen-model.js';
import { ViewerStore } from '../../src/tui/store/store.js';
import { createTheme } from '../../src/tui/theme.js';

let dir = '';
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the viewer’s engine', () => {
  it('shows the tail at once and reads the history behind it only after the first frame', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-viewer-engine-'));
    const file = path.join(dir, 'audit.log');
    generateLog({ path: file, count: 6_000, seed: 3 }); // more than the 2 MiB tail
    let draw!: () => void;
    const drawn = new Promise<void>((resolve) => (draw = resolve));
    const engine = await openViewerEngine({ files: [file], follow: false }, drawn);
    try {
      await engine.ready();
      const tail = engine.progress().bytesDone;
      expect(tail).toBeGreaterThan(0);
      expect(tail).toBeLessThan(fs.statSync(file).size);
      // Turns enough for reads of the history to land, had it started.
      await turns(50);
      expect(engine.progress().bytesDone).toBe(tail);
      draw();
      await engine.indexed();
      expect(engine.progress()).toMatchObject({ done: true, bytesDone: fs.statSync(file).size });
      expect(engine.size()).toBeGreaterThan(3_000);
    } finally {
      await engine.close();
    }
  });

  it('reads a tail sized for the screen before the first frame, not the engine’s 2 MiB: every row a screen shows, and the newest (#17)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-viewer-engine-'));
    const file = path.join(dir, 'audit.log');
    generateLog({ path: file, count: 2_000, seed: 5 }); // ~0.9 MB: under the engine's default tail
    const rows = 30;
    let draw!: () => void;
    const drawn = new Promise<void>((resolve) => (draw = resolve));
    const engine = await openViewerEngine({ files: [file], follow: false }, drawn, rows);
    try {
      await engine.ready();
      const tail = engine.progress().bytesDone;
      // The tail starts at the start of the line firstFrameTailBytes(rows) from the end falls in.
      expect(tail).toBeGreaterThanOrEqual(firstFrameTailBytes(rows));
      expect(tail).toBeLessThan(firstFrameTailBytes(rows) + 4096);
      expect(engine.size()).toBeGreaterThan(rows);
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      const newest = JSON.parse(lines.findLast((l) => l.includes('"type":"request"')) as string) as { id: string };
      expect(engine.entry(engine.size() - 1).id).toBe(newest.id);
      draw();
      await engine.indexed();
      expect(engine.progress()).toMatchObject({ done: true, bytesDone: fs.statSync(file).size });
    } finally {
      await engine.close();
    }
  });

  it('draws the first frame without touching globalThis.performance: its first use loads perf_hooks, ~2 ms of CPU before the frame (#17)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-viewer-engine-'));
    const file = path.join(dir, 'audit.log');
    generateLog({ path: file, count: 200, seed: 9 });
    const real = Object.getOwnPropertyDescriptor(globalThis, 'performance') as PropertyDescriptor;
    const touched: string[] = [];
    Object.defineProperty(globalThis, 'performance', {
      configurable: true,
      get() {
        touched.push(new Error('performance read').stack ?? '');
        return real.get ? real.get.call(globalThis) : real.value;
      },
    });
    let engine: Awaited<ReturnType<typeof openViewerEngine>> | undefined;
    let store: ViewerStore | undefined;
    try {
      for (const follow of [false, true]) {
        engine = await openViewerEngine({ files: [file], follow }, new Promise<void>(() => {}), 30);
        await engine.ready();
        store = new ViewerStore({ engine, live: follow, size: { columns: 120, rows: 30 } });
        store.connect();
        store.refreshStatsNow();
        const frame = firstFrameLines(store.getState(), engine, createTheme(false), DEFAULT_TITLE);
        // The newest row, selected: the frame was drawn from the engine's rows.
        expect(frame?.some((line) => stripVTControlCharacters(line).startsWith('› '))).toBe(true);
        store.dispose();
        store = undefined;
        await engine.close();
        engine = undefined;
      }
    } finally {
      Object.defineProperty(globalThis, 'performance', real);
      store?.dispose();
      await engine?.close();
    }
    expect(touched).toEqual([]);
  });

  it('gives a screen a tail of ~1.5 KiB a row (an entry is ~0.9 KB), 32 KiB at least: each KiB more is CPU before the first frame (#17)', () => {
    expect(firstFrameTailBytes(10)).toBe(32 * 1024);
    expect(firstFrameTailBytes(30)).toBe(45 * 1024);
    expect(firstFrameTailBytes(200)).toBe(300 * 1024);
  });
});
