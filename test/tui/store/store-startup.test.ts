/**
 * The viewer's start-up against an engine that reports a change on a later turn than it makes
 * it (as the real one does): entries already in the view's total — counted when the store was
 * made, or by catchUp() when it subscribed — are not applied a second time when their change
 * is reported, so a paused view's "N new" counts each entry once.
 */
import { describe, expect, it } from 'vitest';
import { NO_KEY } from '../../../src/tui/store/keymap.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { BASE_MS, makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';

const many = (n: number) => Array.from({ length: n }, () => makeEntry());

function open(engine: FakeEngine) {
  return new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, now: () => BASE_MS });
}

describe('the viewer at start-up', () => {
  it('counts entries appended before it subscribed once: caught up, then their change reported', () => {
    const engine = new FakeEngine(many(10));
    const store = open(engine);
    const report = engine.appendReportedLater(...many(3)); // read while the first frame is drawn
    store.connect();
    store.catchUp();
    store.press('k', NO_KEY); // paused
    expect(store.getState()).toMatchObject({ follow: false, total: 13, unseen: 0 });
    report();
    expect(store.getState()).toMatchObject({ total: 13, unseen: 0 });
    engine.append(...many(2));
    expect(store.getState()).toMatchObject({ total: 15, unseen: 2 });
  });

  it('counts entries already there when the store was made once', () => {
    const engine = new FakeEngine(many(10));
    const report = engine.appendReportedLater(...many(4));
    const store = open(engine);
    store.connect();
    store.catchUp();
    store.press('k', NO_KEY);
    const cursor = store.getState().cursor;
    report();
    expect(store.getState()).toMatchObject({ total: 14, unseen: 0, cursor });
  });

  it('still counts an entry reported late that it had not seen (size moved on before the report)', () => {
    const engine = new FakeEngine(many(10));
    const store = open(engine);
    store.connect();
    store.catchUp();
    store.press('k', NO_KEY);
    const first = engine.appendReportedLater(...many(2));
    const second = engine.appendReportedLater(...many(3));
    first(); // reported while the 3 after them are already counted by size()
    second();
    expect(store.getState()).toMatchObject({ total: 15, unseen: 5 });
  });
});
