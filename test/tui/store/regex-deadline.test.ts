/**
 * A regular expression the operator types (`/re/`, `view --regex`) runs over strings a hostile
 * client chose. One that backtracks without end on such a string (`(a+)+$` on `aaa…a!`) must not
 * freeze the viewer: while the engine is in it no key is read, and the terminal's Ctrl-C is a
 * key in raw mode, so nothing would end it. The search gives up at a deadline and says so.
 * (The deadline is set short here, 20 ms, against seconds of backtracking; nothing else here runs
 * under it, so no load can make a test of it late.)
 */
import { describe, expect, it } from 'vitest';
import { regexFilter } from '../../../src/shared/query.js';
import { type KeyInfo, NO_KEY } from '../../../src/tui/store/keymap.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { BASE_MS, makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';

const ENTER: KeyInfo = { ...NO_KEY, return: true };
const EVIL = [['a'.repeat(27) + '!']];
const PATTERN = '(a+)+$';

function setup(filter?: ConstructorParameters<typeof ViewerStore>[0]['filter']) {
  const engine = new FakeEngine([makeEntry({ pipeline: [['uptime']] }), makeEntry({ pipeline: EVIL }), makeEntry({ pipeline: [['aaa']] })]);
  const store = new ViewerStore({ engine, live: false, size: { columns: 120, rows: 24 }, now: () => BASE_MS, regexDeadlineMs: 20, filter });
  return { engine, store };
}

describe('a regular expression that backtracks without end on a client\'s string does not freeze the viewer', () => {
  it('/re/: the search stops at the deadline, says why, and the viewer answers keys again', () => {
    const { store } = setup();
    store.press('/', NO_KEY);
    store.press(`/${PATTERN}/`, NO_KEY);
    store.press('', ENTER);
    expect(store.getState().message).toMatchObject({ tone: 'error', text: expect.stringMatching(/^search stopped after .*: \/\(a\+\)\+\$\/ /) });
    // Keys are read again: a search for text (no deadline: a substring is found in linear time).
    store.press('/', NO_KEY);
    store.press('uptime', NO_KEY);
    store.press('', ENTER);
    expect(store.getState().search?.matches).toHaveLength(1);
  });

  it('view --regex: the filter is dropped at the deadline, with a message, rather than run again on every change', () => {
    const re = regexFilter(PATTERN);
    if ('error' in re) throw new Error(re.error);
    const { store } = setup({ filter: { regex: re.regex }, label: `--regex ${PATTERN}` });
    store.refreshStatsNow();
    expect(store.getState().filter.flags ?? null).toBeNull();
    expect(store.getState().message).toMatchObject({ tone: 'error', text: expect.stringMatching(/^--regex stopped after .*: \/\(a\+\)\+\$\/ .*; filters cleared$/) });
    expect(store.getState().total).toBe(3);
  });
});
