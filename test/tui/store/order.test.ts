/** `S`: log order ↔ time order (issue #16), through the store and a fake engine whose timeOrder is the oracle. */
import { describe, expect, it } from 'vitest';
import type { Entry, WriterEvent } from '../../../src/shared/entry.js';
import { positionAt, selectedPosition, viewLength, type ViewerState } from '../../../src/tui/store/state.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { NO_KEY } from '../../../src/tui/store/keymap.js';
import { BASE_MS, makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';

const min = 60_000;
/** Log order with request times out of it: minute offsets of each entry, as written. */
const OFFSETS = [0, 5, 1, 2, 9, 3, 3, 7, 4, 8];

function entries(): Entry[] {
  return OFFSETS.map((m, i) => makeEntry({ timeMs: BASE_MS + m * min, reason: i % 2 === 0 ? 'even' : 'odd', state: i % 2 === 0 ? 'ok' : 'denied' }));
}

function setup(list = entries(), options: ConstructorParameters<typeof FakeEngine>[1] = {}) {
  const engine = new FakeEngine(list, options);
  const timers = { setTimeout: (fn: () => void) => (queueMicrotask(fn), 0), clearTimeout: () => {} };
  const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers, now: () => BASE_MS });
  store.connect();
  const press = (...keys: string[]) => {
    for (const k of keys) store.press(k, NO_KEY);
  };
  return { engine, store, press };
}

/** The rows' entries, top to bottom. */
const shown = (engine: FakeEngine, s: ViewerState) =>
  Array.from({ length: viewLength(s) }, (_, row) => positionAt(s, row)).map((p) => (p === null ? null : engine.entry(p)));
const minutes = (engine: FakeEngine, s: ViewerState) => shown(engine, s).map((e) => (e ? (e.timeMs - BASE_MS) / min : 'mark'));

describe('S: time order', () => {
  it('sorts the rows by time with one engine call, and S again gives log order back', () => {
    const { engine, store, press } = setup();
    expect(store.getState().order).toBe('log');
    press('S');
    const s = store.getState();
    expect(s.order).toBe('time');
    expect(engine.sorts).toBe(1);
    expect(minutes(engine, s)).toEqual([0, 1, 2, 3, 3, 4, 5, 7, 8, 9]);
    // Ties keep log order: the two entries at minute 3 are positions 5 then 6.
    expect([positionAt(s, 3), positionAt(s, 4)]).toEqual([5, 6]);
    expect(s.message?.text).toMatch(/^time order/);
    press('S');
    expect(store.getState().order).toBe('log');
    expect(minutes(engine, store.getState())).toEqual(OFFSETS);
  });

  it('keeps the selection on the same entry across a toggle, both ways', () => {
    const { engine, store, press } = setup();
    press('g', 'j', 'j', 'j', 'j'); // position 4, minute 9
    const key = engine.entry(selectedPosition(store.getState()) as number).key;
    press('S');
    const s = store.getState();
    expect(s.follow).toBe(false);
    expect(engine.entry(selectedPosition(s) as number).key).toBe(key);
    expect(s.cursor).toBe(9); // the latest time: the last row
    press('k'); // minute 8: position 9
    const other = engine.entry(selectedPosition(store.getState()) as number).key;
    press('S');
    expect(engine.entry(selectedPosition(store.getState()) as number).key).toBe(other);
    expect(store.getState().cursor).toBe(9);
  });

  it('sorts the filtered view only, and a new filter is sorted too', () => {
    const { engine, store, press } = setup();
    press('S', 'f'); // denied+timeout: the odd positions
    const s = store.getState();
    expect(minutes(engine, s)).toEqual([2, 3, 5, 7, 8]);
    expect(shown(engine, s).every((e) => e?.state === 'denied')).toBe(true);
    press('c'); // no filter, still by time
    expect(minutes(engine, store.getState())).toEqual([0, 1, 2, 3, 3, 4, 5, 7, 8, 9]);
  });

  it('following in time order keeps the newest at the bottom as entries arrive', async () => {
    const { engine, store, press } = setup();
    press('S');
    expect(store.getState().follow).toBe(true);
    const late = makeEntry({ timeMs: BASE_MS + 6 * min }); // written last, stamped in the middle
    const newest = makeEntry({ timeMs: BASE_MS + 20 * min });
    engine.append(late, newest);
    await expect.poll(() => viewLength(store.getState())).toBe(12);
    const s = store.getState();
    expect(minutes(engine, s)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 20]);
    expect(s.cursor).toBe(11);
    expect(engine.entry(selectedPosition(s) as number).key).toBe(newest.key);
  });

  it('n and N move down and up the rows in time order', () => {
    const { engine, store, press } = setup();
    press('S', 'g');
    press('/odd\r'); // odd positions: minutes 5, 2, 3, 7, 8
    const at = () => (engine.entry(selectedPosition(store.getState()) as number).timeMs - BASE_MS) / min;
    expect(at()).toBe(2);
    press('n');
    expect(at()).toBe(3);
    press('n');
    expect(at()).toBe(5);
    press('N');
    expect(at()).toBe(3);
  });

  it('shows writer and break rows in log order only', () => {
    const writer: WriterEvent = { event: 'start', time: new Date(BASE_MS).toISOString(), pid: 1, dropped: 0, error: null, location: { file: 'a', line: 1, offset: 0, length: 10, seq: 0 }, position: 3 };
    const { engine, store, press } = setup(entries(), { writers: [writer] });
    expect(minutes(engine, store.getState())).toContain('mark');
    press('S');
    expect(minutes(engine, store.getState())).not.toContain('mark');
    press('S');
    expect(minutes(engine, store.getState())).toContain('mark');
  });

  it('m then Enter on a writer mark selects the entry there in time order (there is no mark row)', () => {
    const crash: WriterEvent = { event: 'start', time: new Date(BASE_MS).toISOString(), pid: 2, dropped: 0, error: null, location: { file: 'a', line: 9, offset: 900, length: 10, seq: 0 }, position: 4, afterCrash: true };
    const { store, press } = setup(entries(), { writers: [crash] });
    press('S', 'g', 'm');
    expect(store.getState().overlay.kind).toBe('integrity');
    store.press('', { ...NO_KEY, return: true });
    const s = store.getState();
    expect(s.overlay.kind).toBe('none');
    expect(selectedPosition(s)).toBe(4); // minute 9: the last row by time
    expect(s.cursor).toBe(9);
  });

  it('an engine that cannot sort says so and stays in log order', () => {
    const { store, press } = setup(entries(), { noTimeOrder: true });
    press('S');
    expect(store.getState().order).toBe('log');
    expect(store.getState().message).toMatchObject({ tone: 'error', text: expect.stringMatching(/cannot sort by time/) });
  });
});
