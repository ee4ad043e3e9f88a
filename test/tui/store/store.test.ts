import { describe, expect, it } from 'vitest';
import { selectedPosition, viewLength } from '../../../src/tui/store/state.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { type KeyInfo, NO_KEY } from '../../../src/tui/store/keymap.js';
import type { Timers } from '../../../src/tui/store/throttle.js';
import { BASE_MS, entryInState, fleetEntries, makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';

const none: KeyInfo = NO_KEY;

/** Timers that run only when the test flushes them. */
function heldTimers() {
  const queue = new Map<number, () => void>();
  let id = 0;
  const timers: Timers = {
    setTimeout: (fn) => {
      queue.set(++id, fn);
      return id;
    },
    clearTimeout: (h) => {
      queue.delete(h as number);
    },
  };
  return {
    timers,
    flush() {
      for (const [k, fn] of [...queue]) {
        queue.delete(k);
        fn();
      }
    },
    size: () => queue.size,
  };
}

const STATES = ['ok', 'failed', 'denied', 'running', 'timeout', 'rejected'] as const;
const mixed = (n: number) => Array.from({ length: n }, (_, i) => entryInState(STATES[i % STATES.length]));

function setup(entries = mixed(60)) {
  const engine = new FakeEngine(entries);
  const held = heldTimers();
  let now = BASE_MS;
  const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers: held.timers, now: () => now });
  store.connect();
  return { engine, store, held, setNow: (ms: number) => (now = ms) };
}

describe('ViewerStore', () => {
  it('moves without asking the engine anything but the rows it shows', () => {
    const { engine, store } = setup();
    for (const k of ['k', 'k', 'g', 'j', ' ', 'b', 'G']) store.press(k, none);
    store.press('', { ...none, pageDown: true });
    expect(engine.queries).toBe(0);
    expect(engine.statsRuns).toBe(0);
  });

  it('reads a run of keys as single keys', () => {
    const { store } = setup();
    store.press('kkk', none);
    expect(store.getState().cursor).toBe(56);
    store.press('/fail\r', none);
    expect(store.getState().prompt).toBeNull();
    expect(store.getState().search?.text).toBe('fail');
  });

  it('applies a state filter with one query and keeps the view in step', () => {
    const { engine, store } = setup();
    store.press('f', none);
    expect(engine.queries).toBe(1);
    const s = store.getState();
    expect(viewLength(s)).toBe(20);
    for (let i = 0; i < viewLength(s); i++) expect(['denied', 'timeout']).toContain(engine.entry(s.positions?.[i] ?? -1).state);
  });

  it('re-queries a filtered view after engine changes, coalesced, and counts new matches while paused', () => {
    const { engine, store, held } = setup();
    store.press('f', none);
    store.press('k', none);
    engine.append(entryInState('denied'), entryInState('ok'));
    engine.append(entryInState('timeout'));
    expect(engine.queries).toBe(1);
    held.flush();
    expect(engine.queries).toBe(2);
    expect(store.getState()).toMatchObject({ unseen: 2, follow: false });
    expect(viewLength(store.getState())).toBe(22);
  });

  it('keeps the selected entry, on its row, when a fleet merges entries in among those shown', () => {
    const { engine, store } = setup();
    store.press('g', none);
    for (let i = 0; i < 10; i++) store.press('j', none);
    const chosen = engine.entry(10).key;
    const rowBefore = store.getState().cursor - store.getState().top;
    const at = (i: number, n: number) => Array.from({ length: n }, () => entryInState('ok', { timeMs: engine.entry(i).timeMs + 1 }));
    // 5 land before the selected entry, 7 after it: not all "in front".
    engine.mergeByTime(...at(2, 5), ...at(30, 7));
    const s = store.getState();
    expect(engine.entry(selectedPosition(s) ?? -1).key).toBe(chosen);
    expect(selectedPosition(s)).toBe(15);
    expect(s.cursor - s.top).toBe(rowBefore);
    expect(s.follow).toBe(false);
  });

  it('keeps the selected entry of a filtered view, and a search asks again, when a fleet merges anew', () => {
    const { engine, store } = setup();
    store.press('f', none);
    store.press('/denied\r', none);
    store.press('g', none);
    store.press('j', none);
    store.press('j', none);
    const chosen = engine.entry(selectedPosition(store.getState()) ?? -1).key;
    engine.mergeByTime(entryInState('denied', { timeMs: engine.entry(0).timeMs - 1 }), entryInState('timeout', { timeMs: engine.entry(59).timeMs + 1 }));
    const s = store.getState();
    expect(viewLength(s)).toBe(22);
    expect(engine.entry(selectedPosition(s) ?? -1).key).toBe(chosen);
    expect(s.cursor).toBe(3);
    expect(s.search?.stale).toBe(true);
  });

  it('follows new matches in a filtered view when following', () => {
    const { engine, store, held } = setup();
    store.press('f', none);
    engine.append(entryInState('denied'));
    held.flush();
    const s = store.getState();
    expect(s.follow).toBe(true);
    expect(selectedPosition(s)).toBe(60);
  });

  it('searches with the filter, and again for n once new entries may hold later matches', () => {
    const { engine, store } = setup([makeEntry({ reason: 'zebra one' }), makeEntry(), makeEntry({ reason: 'zebra two' }), makeEntry()]);
    store.press('g', none);
    store.press('/zebra\r', none);
    expect(selectedPosition(store.getState())).toBe(0);
    store.press('n', none);
    expect(selectedPosition(store.getState())).toBe(2);
    const before = engine.queries;
    engine.append(makeEntry({ reason: 'zebra three' }));
    store.press('n', none);
    expect(engine.queries).toBe(before + 1);
    expect(selectedPosition(store.getState())).toBe(4);
  });

  it('a filter key gives the new list and its header counts together, in one notification (one frame)', () => {
    const { engine, store } = setup();
    store.refreshStatsNow();
    const frames: Array<{ view: number; counted: number | undefined }> = [];
    store.subscribe(() => frames.push({ view: viewLength(store.getState()), counted: store.getState().stats?.total }));
    store.press('f', none); // denied+timeout: 20 of 60
    expect(frames).toEqual([{ view: 20, counted: 20 }]);
    expect(engine.lastStatsFilter).toEqual({ states: ['denied', 'timeout'] });
    store.press('c', none);
    expect(frames.at(-1)).toEqual({ view: 60, counted: 60 });
    expect(frames).toHaveLength(2);
  });

  it('/ finds a host, a session, a whole id; /re/ is a regular expression, and an invalid one is said', () => {
    const { store } = setup([makeEntry(), makeEntry({ host: 'web-02' }), makeEntry({ session: 'ssh:bob' }), makeEntry({ reason: 'EACCES seen' })]);
    const find = (typed: string) => {
      store.press('g', none);
      store.press(`/${typed}\r`, none);
      return { at: selectedPosition(store.getState()), message: store.getState().message?.text };
    };
    expect(find('web-02').at).toBe(1);
    expect(find('ssh:bob').at).toBe(2);
    expect(find('eacces').at).toBe(3);
    expect(find(store.engine.entry(2).id).at).toBe(2);
    expect(find('/^web-0[2-9]$/').at).toBe(1);
    expect(find('/EACCES|bob/')).toEqual({ at: 2, message: '2 matches (n newer, N older)' });
    expect(find('/a(b/').message).toMatch(/^not a regular expression: .*Unterminated group/);
  });

  it('opens with the command line filter flags applied, named in the header; a key replaces its kind, c clears them', () => {
    const engine = new FakeEngine(mixed(60));
    const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers: heldTimers().timers, now: () => BASE_MS, filter: { filter: { states: ['denied'], text: 'rm' }, label: '--state denied --grep rm' } });
    store.connect();
    const denied = engine.query({ states: ['denied'], text: 'rm' });
    expect(denied.length).toBeGreaterThan(0);
    expect(Array.from(store.getState().positions ?? [])).toEqual(Array.from(denied));
    store.press('f', none); // the first preset after all: denied+timeout, replacing --state
    expect(Array.from(store.getState().positions ?? [])).toEqual(Array.from(engine.query({ states: ['denied', 'timeout'], text: 'rm' })));
    store.press('c', none);
    expect(store.getState().positions).toBeNull();
  });

  it('computes stats at start and after changes, throttled', () => {
    const { engine, store, held } = setup();
    store.refreshStatsNow();
    expect(store.getState().stats?.total).toBe(60);
    engine.append(makeEntry(), makeEntry());
    engine.append(makeEntry());
    expect(engine.statsRuns).toBe(1);
    held.flush();
    expect(engine.statsRuns).toBe(2);
    expect(store.getState().stats?.total).toBe(63);
  });

  it('refreshes header counts of nothing at once when the first entries arrive, later ones throttled', () => {
    const engine = new FakeEngine([]);
    const waits: number[] = [];
    const timers: Timers = { setTimeout: (fn, ms) => (waits.push(ms), setTimeout(fn, 0)), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers, now: () => BASE_MS });
    store.connect();
    store.refreshStatsNow();
    expect(store.getState().stats?.total).toBe(0);
    engine.append(makeEntry(), makeEntry());
    expect(waits).toEqual([0]);
    store.refreshStatsNow();
    engine.append(makeEntry());
    expect(waits.at(-1)).toBeGreaterThan(0);
    store.dispose();
  });

  it("follows the engine's chain event while connected, and stops after", () => {
    const chain = { state: 'checking', checked: 0, total: 10, unchained: 0, unchecked: 0, breaks: [], breakCount: 0 } as const;
    const engine = new FakeEngine([makeEntry()], { chain });
    const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, now: () => BASE_MS });
    expect(store.getState().chain).toEqual(chain);
    const disconnect = store.connect();
    expect(engine.listenerCount('chain')).toBe(1);
    engine.setChain({ ...chain, state: 'intact', checked: 10 });
    expect(store.getState().chain?.state).toBe('intact');
    // (Only the count of records a collected host's check could not link moves: still news.)
    engine.setChain({ ...chain, state: 'intact', checked: 10, unchecked: 2 });
    expect(store.getState().chain?.unchecked).toBe(2);
    disconnect();
    expect(engine.listenerCount('chain')).toBe(0);
    store.dispose();
  });

  it('catches up with what the engine did before it was subscribed', () => {
    const { engine, store } = setup();
    engine.entries.push(makeEntry(), makeEntry());
    store.catchUp();
    expect(store.getState()).toMatchObject({ total: 62, cursor: 61 });
  });

  it('ticks the clock and picks up malformed lines', () => {
    const { engine, store, setNow } = setup();
    setNow(BASE_MS + 5_000);
    engine.addMalformed({ file: '/x', line: 3, offset: 10, reason: 'not JSON' });
    store.tick();
    expect(store.getState()).toMatchObject({ now: BASE_MS + 5_000, malformedCount: 1 });
  });

  it('does not redraw an idle view every second: a tick notifies only when the screen shows the clock', () => {
    const { engine, store, setNow } = setup(Array.from({ length: 20 }, () => entryInState('ok')));
    store.refreshStatsNow();
    let notified = 0;
    store.subscribe(() => notified++);
    setNow(BASE_MS + 1_000);
    store.tick();
    setNow(BASE_MS + 2_000);
    store.tick();
    expect(notified).toBe(0);
    // The clock still advances, for the next frame drawn for another reason.
    expect(store.getState().now).toBe(BASE_MS + 2_000);
    // A new minute can change how times read (today vs a date): that tick draws.
    setNow(BASE_MS + 60_000);
    store.tick();
    expect(notified).toBe(1);
    // A running entry's duration advances every second.
    engine.entries.push(entryInState('running'));
    store.catchUp();
    store.refreshStatsNow();
    notified = 0;
    setNow(BASE_MS + 61_000);
    store.tick();
    setNow(BASE_MS + 62_000);
    store.tick();
    expect(notified).toBe(2);
  });

  it('reads progress on a tick, for an engine that finished indexing without saying so', () => {
    const engine = new FakeEngine(mixed(6), { progress: { bytesDone: 500, bytesTotal: 1_000, done: false } });
    const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers: heldTimers().timers, now: () => BASE_MS });
    store.connect();
    expect(store.getState().progress.done).toBe(false);
    // Without an event, as the fleet engine did once its last host was indexed.
    engine.setProgress({ bytesDone: 1_000, bytesTotal: 1_000, done: true }, { quiet: true });
    store.tick();
    expect(store.getState().progress.done).toBe(true);
  });

  it('offers the selected entry as the hint of h and s', () => {
    const { store } = setup([makeEntry({ host: 'db-primary', session: 'ssh:alice' })]);
    store.press('h', none);
    expect(store.getState().prompt).toMatchObject({ kind: 'host', value: '', hint: 'db-primary' });
    store.press('', { ...none, escape: true });
    store.press('s', none);
    expect(store.getState().prompt).toMatchObject({ kind: 'session', value: '', hint: 'ssh:alice' });
  });

  it('notifies subscribers once per change and not for keys that change nothing', () => {
    const { store } = setup();
    let calls = 0;
    store.subscribe(() => calls++);
    store.press('j', none);
    expect(calls).toBe(0);
    store.press('k', none);
    expect(calls).toBe(1);
  });

  describe('over a collector directory', () => {
    const ORIGINS = ['db-1', 'web-01', 'web-02'];
    function fleetSetup(duplicateLines = 0) {
      const engine = new FakeEngine(fleetEntries(30, ORIGINS), { origins: ORIGINS, duplicateLines });
      const held = heldTimers();
      const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, timers: held.timers, now: () => BASE_MS });
      store.connect();
      return { engine, store, held };
    }
    const type = (store: ViewerStore, text: string) => {
      for (const ch of text) store.press(ch, none);
    };

    it('knows the collected hosts and the duplicate lines dropped from the start, and picks up more duplicates', () => {
      const { engine, store } = fleetSetup(2);
      expect(store.getState()).toMatchObject({ origins: ORIGINS, duplicateLines: 2 });
      engine.dropDuplicates(3);
      expect(store.getState().duplicateLines).toBe(5);
    });

    it('does not renew the state when the engine hands out an equal list of origins', () => {
      const { store } = fleetSetup();
      const before = store.getState();
      store.tick();
      expect(store.getState().origins).toBe(before.origins);
    });

    it('has no origins for files read directly', () => {
      const { store } = setup();
      store.tick();
      expect(store.getState()).toMatchObject({ origins: [], duplicateLines: 0 });
    });

    it('round-trips the origin filter: o, the selection as the hint, Tab, Enter → EntryFilter.origins, view and stats', () => {
      const { engine, store, held } = fleetSetup();
      store.press('k', none);
      store.press('o', none);
      // The newest entry (29) is web-02's; the one above it web-01's.
      expect(store.getState().prompt).toMatchObject({ kind: 'origin', value: '', hint: 'web-01' });
      store.press('u', { ...none, ctrl: true });
      type(store, 'd');
      store.press('', { ...none, tab: true });
      expect(store.getState().prompt?.value).toBe('db-1');
      store.press('', { ...none, return: true });
      expect(engine.lastQuery).toEqual({ origins: ['db-1'] });
      const s = store.getState();
      expect(viewLength(s)).toBe(10);
      for (let i = 0; i < viewLength(s); i++) expect(engine.entry(s.positions?.[i] ?? -1).origin).toBe('db-1');
      held.flush();
      expect(engine.lastStatsFilter).toEqual({ origins: ['db-1'] });
      expect(store.getState().stats?.total).toBe(10);
      store.press('c', none);
      expect(store.getState().filter.origin).toBeNull();
      expect(viewLength(store.getState())).toBe(30);
    });
  });
});
