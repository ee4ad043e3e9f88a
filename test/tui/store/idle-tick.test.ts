/**
 * An idle following viewer costs nothing between ticks (issue #12: idle CPU ~0): the once-a-second
 * tick neither rebuilds the marks from writer events that did not change nor redraws a screen
 * that would come out the same — a running entry's duration counts only while it is on screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WriterEvent } from '../../../src/shared/entry.js';
import { NO_KEY } from '../../../src/tui/store/keymap.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { BASE_MS, entryInState } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';
import { renderViewer, type Viewer } from '../render.js';

const writerAt = (position: number, pid: number): WriterEvent => ({
  event: 'start',
  time: new Date(BASE_MS).toISOString(),
  pid,
  dropped: 0,
  error: null,
  location: { file: 'a', line: position + 1, offset: position * 100, length: 10, seq: 1 },
  position,
});

/**
 * An engine that hands out the same writer events while they do not change (as the real
 * engines do) and counts how often they are read through.
 */
class SteadyEngine extends FakeEngine {
  readings = 0;
  private steady: WriterEvent[] = [];

  override writerEvents(): readonly WriterEvent[] {
    if (this.steady.length !== this.writers.length) this.steady = this.counted([...this.writers]);
    return this.steady;
  }

  private counted(events: WriterEvent[]): WriterEvent[] {
    const values = events[Symbol.iterator].bind(events);
    const engine = this;
    Object.defineProperty(events, Symbol.iterator, {
      value() {
        engine.readings++;
        return values();
      },
    });
    for (const name of ['map', 'forEach', 'filter', 'every', 'some'] as const) {
      const own = events[name].bind(events) as (...args: unknown[]) => unknown;
      Object.defineProperty(events, name, {
        value(...args: unknown[]) {
          engine.readings++;
          return own(...args);
        },
      });
    }
    return events;
  }
}

const okEntries = (n: number) => Array.from({ length: n }, () => entryInState('ok'));

function storeOver(engine: FakeEngine) {
  let now = BASE_MS;
  const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, now: () => now, timers: { setTimeout: () => 0, clearTimeout: () => {} } });
  store.connect();
  store.refreshStatsNow();
  let notified = 0;
  store.subscribe(() => notified++);
  return { store, notified: () => notified, setNow: (ms: number) => (now = ms) };
}

describe('the idle tick', () => {
  it('does not rebuild the marks from writer events the engine hands out unchanged', () => {
    const engine = new SteadyEngine(okEntries(30), { writers: [writerAt(0, 1), writerAt(10, 2)] });
    const { store, setNow } = storeOver(engine);
    expect(store.getState().allMarks).toHaveLength(2);
    const read = engine.readings;
    for (let s = 1; s <= 5; s++) {
      setNow(BASE_MS + s * 1_000);
      store.tick();
    }
    expect(engine.readings).toBe(read);
    // A new event (a fresh list from the engine): its row at the next tick.
    engine.writers.push(writerAt(30, 3));
    store.tick();
    expect(store.getState().allMarks.map((m) => m.at)).toEqual([0, 10, 30]);
  });

  it('places the marks again after the entries changed, though the events are the same list', () => {
    const engine = new SteadyEngine(okEntries(30), { writers: [writerAt(0, 1)] });
    const { store } = storeOver(engine);
    store.tick();
    const read = engine.readings;
    engine.append(entryInState('ok'));
    store.tick();
    expect(engine.readings).toBeGreaterThan(read);
  });

  it('does not redraw for a running entry that is not on screen; does once it is', () => {
    // The running entry is the oldest of 60: following, the screen shows the newest ~19.
    const engine = new FakeEngine([entryInState('running'), ...okEntries(59)]);
    const { store, notified, setNow } = storeOver(engine);
    expect(store.getState().stats?.byState.running).toBe(1);
    const before = notified();
    setNow(BASE_MS + 1_000);
    store.tick();
    setNow(BASE_MS + 2_000);
    store.tick();
    expect(notified()).toBe(before);
    expect(store.getState().now).toBe(BASE_MS + 2_000);
    // At the top: its duration is on screen and advances with each tick.
    store.press('g', NO_KEY);
    const atTop = notified();
    setNow(BASE_MS + 3_000);
    store.tick();
    setNow(BASE_MS + 4_000);
    store.tick();
    expect(notified()).toBe(atTop + 2);
  });
});

describe('the idle viewer (Ink)', () => {
  let viewer: Viewer | null = null;
  afterEach(() => {
    viewer?.unmount();
    viewer = null;
  });

  it('writes no frame on ticks while nothing on screen changes, over a log with a running entry and writer rows', async () => {
    const engine = new SteadyEngine([entryInState('running'), ...okEntries(59)], { writers: [writerAt(0, 1), writerAt(40, 2)] });
    viewer = renderViewer(engine);
    await viewer.ready();
    const v = viewer;
    const frames = v.stdout.frames.length;
    const start = BASE_MS + 4 * 3_600_000;
    for (let s = 1; s <= 10; s++) {
      await v.act(() => {
        v.setNow(start + s * 1_000);
        v.store.tick();
      });
    }
    expect(v.stdout.frames.length).toBe(frames);
    // The same viewer at the top, the running entry on screen: a frame a tick.
    await v.press('g');
    const shown = v.stdout.frames.length;
    await v.act(() => {
      v.setNow(start + 11_000);
      v.store.tick();
    });
    expect(v.stdout.frames.length).toBe(shown + 1);
    expect(v.frame()).toMatch(/…/);
  });
});
