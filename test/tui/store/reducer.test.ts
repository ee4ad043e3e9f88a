import { describe, expect, it } from 'vitest';
import type { Action, Command } from '../../../src/tui/store/actions.js';
import { reduce, settle } from '../../../src/tui/store/reducer.js';
import { NO_FILTER } from '../../../src/tui/store/filters.js';
import { initialState, markAt, selectedPosition, type ViewerState } from '../../../src/tui/store/state.js';
import type { Mark } from '../../../src/tui/store/rows.js';
import { computeStats, factsOf } from '../../shared/oracles/entry-query.js';
import { makeEntry } from '../entries.js';

// 80×24: 23 lines drawn, 3 header + 1 footer + 1 column-title line → 18 table rows.
const ROWS = 18;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

const start = (total: number, over: Partial<ViewerState> = {}): ViewerState =>
  settle({ ...initialState({ size: { columns: 80, rows: 24 }, live: true, now: NOW, total, progress: { bytesDone: 1, bytesTotal: 1, done: true } }), ...over });

function run(state: ViewerState, ...actions: Array<Action | Command>): { state: ViewerState; effects: ReturnType<typeof reduce>['effects'] } {
  let s = state;
  let effects: ReturnType<typeof reduce>['effects'] = [];
  for (const a of actions) {
    const t = reduce(s, typeof a === 'string' ? { type: 'command', command: a } : a);
    s = t.state;
    effects = t.effects;
  }
  return { state: s, effects };
}
/** A writer `start` row before the entry at engine position `at`. */
const writerAt = (at: number): Mark => ({
  kind: 'writer',
  at,
  event: { event: 'start', time: new Date(NOW).toISOString(), pid: 1, dropped: 0, error: null, location: { file: 'audit.log', line: at + 1, offset: at * 100, length: 80, seq: at }, position: at },
});
const go = (state: ViewerState, ...actions: Array<Action | Command>) => run(state, ...actions).state;
const appended = (n: number, total: number): Action => ({ type: 'engineChanged', change: { prepended: 0, appended: n, updated: 0 }, total });

describe('follow and pause (like less +F)', () => {
  it('starts on the newest entry, following, with the last page in view', () => {
    const s = start(100);
    expect(s).toMatchObject({ cursor: 99, top: 100 - ROWS, follow: true });
  });

  it('keeps the newest entry selected as entries arrive', () => {
    const s = go(start(100), appended(3, 103));
    expect(s).toMatchObject({ cursor: 102, top: 103 - ROWS, follow: true, unseen: 0 });
  });

  it('pauses when the selection moves up, counts what arrives, and stays where it was', () => {
    const s = go(start(100), 'up', appended(2, 102), appended(3, 105));
    expect(s).toMatchObject({ cursor: 98, top: 100 - ROWS, follow: false, unseen: 5 });
  });

  it('follows again on G, F/End, or by moving onto the newest entry', () => {
    const paused = go(start(100), 'up', appended(2, 102));
    expect(go(paused, 'bottom')).toMatchObject({ cursor: 101, follow: true, unseen: 0 });
    expect(go(paused, 'down', 'down')).toMatchObject({ cursor: 100, follow: false, unseen: 2 });
    expect(go(paused, 'down', 'down', 'down')).toMatchObject({ cursor: 101, follow: true, unseen: 0 });
  });

  it('keeps a paused selection on the same entry when older history is prepended', () => {
    const paused = go(start(100), 'up');
    const s = go(paused, { type: 'engineChanged', change: { prepended: 50, appended: 0, updated: 0 }, total: 150 });
    expect(s).toMatchObject({ cursor: 148, top: 150 - ROWS, follow: false, unseen: 0 });
  });
});

describe('moving', () => {
  it('j/k move one row and scroll only at the edges', () => {
    const s = go(start(100), 'top', 'down', 'down');
    expect(s).toMatchObject({ cursor: 2, top: 0 });
    expect(go(s, 'up', 'up', 'up')).toMatchObject({ cursor: 0, top: 0 });
    const edge = go(start(100), 'top', ...Array<Command>(ROWS).fill('down'));
    expect(edge).toMatchObject({ cursor: ROWS, top: 1 });
  });

  it('pages by a screen, half pages, and g goes to the oldest', () => {
    const top = go(start(100), 'top');
    expect(top).toMatchObject({ cursor: 0, top: 0, follow: false });
    expect(go(top, 'pageDown')).toMatchObject({ cursor: ROWS, top: ROWS });
    expect(go(top, 'pageDown', 'pageUp')).toMatchObject({ cursor: 0, top: 0 });
    expect(go(top, 'halfDown')).toMatchObject({ cursor: ROWS / 2, top: ROWS / 2 });
    expect(go(top, 'halfDown', 'halfUp')).toMatchObject({ cursor: 0, top: 0 });
    expect(go(top, ...Array<Command>(10).fill('pageDown'))).toMatchObject({ cursor: 99, follow: true });
  });

  it('handles an empty view', () => {
    const s = go(start(0), 'down', 'up', 'pageDown', 'top', 'bottom');
    expect(s).toMatchObject({ cursor: -1, top: 0 });
    expect(go(s, 'open').message?.text).toMatch(/nothing to show/);
  });

  it('fits the table to a resize', () => {
    const s = go(start(100), 'top', ...Array<Command>(17).fill('down'), { type: 'resize', size: { columns: 80, rows: 10 } });
    expect(s.cursor).toBe(17);
    expect(s.cursor).toBeLessThan(s.top + 4);
    expect(s.cursor).toBeGreaterThanOrEqual(s.top);
  });
});

describe('overlays', () => {
  it('Enter pins the selection in a detail pane; Esc goes back and follows again if it was following', () => {
    const open = go(start(100), 'open');
    expect(open.overlay).toEqual({ kind: 'detail', scroll: 0, resumeFollow: true });
    expect(open.follow).toBe(false);
    expect(go(open, appended(5, 105)).cursor).toBe(99);
    expect(go(open, appended(5, 105), 'back')).toMatchObject({ overlay: { kind: 'none' }, follow: true, cursor: 104 });
    const paused = go(start(100), 'up', 'open', 'back');
    expect(paused).toMatchObject({ follow: false, cursor: 98 });
  });

  it('scrolls a pane within its content, and [ ] step to other entries', () => {
    const ctx = { selected: null, overlayLines: 40 };
    const cmd = (command: Command): Action => ({ type: 'command', command, context: ctx });
    const open = go(start(100), 'open');
    expect(go(open, cmd('down'), cmd('down')).overlay).toMatchObject({ scroll: 2 });
    expect(go(open, cmd('pageDown'), cmd('pageDown'), cmd('pageDown')).overlay).toMatchObject({ scroll: 40 - 18 }); // 19 rows, the last one saying where the pane is
    expect(go(open, cmd('bottom'), cmd('top')).overlay).toMatchObject({ scroll: 0 });
    expect(go(open, cmd('prevEntry'), cmd('prevEntry'))).toMatchObject({ cursor: 97, overlay: { kind: 'detail', scroll: 0 } });
    expect(go(open, cmd('nextEntry')).cursor).toBe(99);
  });

  it('? opens help and closes it; q closes a pane before it quits', () => {
    const help = go(start(10), 'help');
    expect(help.overlay.kind).toBe('help');
    expect(go(help, 'help').overlay.kind).toBe('none');
    expect(go(help, 'quit')).toMatchObject({ overlay: { kind: 'none' }, quit: false });
    expect(run(start(10), 'quit')).toMatchObject({ state: { quit: true }, effects: [{ kind: 'quit' }] });
    expect(run(help, 'interrupt')).toMatchObject({ state: { quit: true }, effects: [{ kind: 'quit' }] });
  });

  it('m lists what the log cannot vouch for only when there is something', () => {
    expect(go(start(10), 'integrity').message?.text).toBe('nothing to report: no chain break, gap, crash or malformed line');
    expect(go(start(10, { malformedCount: 2 }), 'integrity').overlay).toEqual({ kind: 'integrity', scroll: 0, cursor: 0 });
  });
});

describe('filters', () => {
  it('f cycles the state presets and asks for a query', () => {
    const { state, effects } = run(start(100), 'cycleState');
    expect(state.filter.preset).toBe(1);
    expect(effects).toEqual([{ kind: 'requery', soon: false }, { kind: 'refreshStats' }]);
    let s = state;
    for (let i = 0; i < 7; i++) s = go(s, 'cycleState');
    expect(s.filter.preset).toBe(0);
  });

  it('applies a query result keeping the selected entry, or the next one in view', () => {
    const paused = go(start(100), 'top', 'down', 'down', 'down', 'cycleState');
    const s = go(paused, { type: 'viewReplaced', positions: Int32Array.from([1, 5, 9]), total: 100, anchor: 3, appended: 0 });
    expect(s).toMatchObject({ cursor: 1 });
    expect(selectedPosition(s)).toBe(5);
  });

  it('c clears filters and search at once, without a query, keeping the selection', () => {
    const filtered = go(start(100), 'top', 'cycleState', { type: 'viewReplaced', positions: Int32Array.from([10, 20, 30]), total: 100, anchor: 0, appended: 0 }, 'down');
    expect(selectedPosition(filtered)).toBe(20);
    const { state, effects } = run(filtered, 'clearFilters');
    expect(state.positions).toBeNull();
    expect(state.search).toBeNull();
    expect(selectedPosition(state)).toBe(20);
    expect(effects).toEqual([{ kind: 'refreshStats' }]);
  });

  it('shifts a filtered view on prepend at once, and counts new matches as "new" while paused', () => {
    const filtered = go(start(100), 'up', 'cycleState', { type: 'viewReplaced', positions: Int32Array.from([10, 20, 30]), total: 100, anchor: 20, appended: 0 });
    const { state, effects } = run(filtered, { type: 'engineChanged', change: { prepended: 5, appended: 0, updated: 0 }, total: 105 });
    expect(Array.from(state.positions ?? [])).toEqual([15, 25, 35]);
    expect(effects).toEqual([{ kind: 'requery', soon: true }]);
    const later = go(state, { type: 'viewReplaced', positions: Int32Array.from([15, 25, 35, 104]), total: 105, anchor: 25, appended: 1 });
    expect(later).toMatchObject({ unseen: 1, follow: false });
    expect(selectedPosition(later)).toBe(25);
  });

  it('h and s prompt empty, the selected entry as the hint, and filter by it on Enter', () => {
    const ctx = { selected: { host: 'web-01', origin: '', session: 'ssh:bob' }, overlayLines: 0 };
    const host = go(start(10), { type: 'command', command: 'promptHost', context: ctx });
    expect(host.prompt).toMatchObject({ kind: 'host', value: '', hint: 'web-01' });
    const { state, effects } = run(host, { type: 'promptSubmit', now: NOW });
    expect(state.filter.host).toBe('web-01');
    expect(state.prompt).toBeNull();
    expect(effects[0]).toEqual({ kind: 'requery', soon: false });
    const local = go(start(10), { type: 'command', command: 'promptHost', context: { ...ctx, selected: { host: '', origin: '', session: 'x' } } });
    expect(local.prompt).toMatchObject({ value: '', hint: '(local)' });
    expect(go(local, { type: 'promptSubmit', now: NOW }).filter.host).toBe('');
    const session = go(start(10), { type: 'command', command: 'promptSession', context: ctx });
    expect(go(session, { type: 'promptSubmit', now: NOW }).filter.session).toBe('ssh:bob');
  });

  it("u prompts empty, the selected entry's operator as the hint (its user, else its uid), and filters by it on Enter", () => {
    const ctx = { selected: { host: 'web-01', origin: '', session: 'ssh:bob', operator: 'alice' }, overlayLines: 0 };
    const s = go(start(10), { type: 'command', command: 'promptOperator', context: ctx });
    expect(s.prompt).toMatchObject({ kind: 'operator', value: '', hint: 'alice' });
    const { state, effects } = run(s, { type: 'promptSubmit', now: NOW });
    expect(state.filter.operator).toBe('alice');
    expect(effects[0]).toEqual({ kind: 'requery', soon: false });
    // Open again: the current filter is the hint; typing replaces it; Backspace then Enter clears it.
    const again = go(state, 'promptOperator');
    expect(again.prompt).toMatchObject({ value: '', hint: 'alice' });
    expect(go(again, { type: 'promptEdit', edit: { kind: 'insert', text: '1001' } }, { type: 'promptSubmit', now: NOW }).filter.operator).toBe('1001');
    expect(go(again, { type: 'promptEdit', edit: { kind: 'backspace' } }, { type: 'promptSubmit', now: NOW }).filter.operator).toBeNull();
    expect(go(start(10), { type: 'command', command: 'promptOperator', context: { ...ctx, selected: null } }).prompt?.hint).toBe('');
  });

  it('typing replaces the current value rather than appending to it (h then "we" is not "(local)we")', () => {
    const filtered = start(10, { filter: { ...NO_FILTER, host: '' } });
    const typedWe = go(filtered, 'promptHost', { type: 'promptEdit', edit: { kind: 'insert', text: 'we' } });
    expect(typedWe.prompt).toMatchObject({ value: 'we', hint: '(local)' });
    expect(go(typedWe, { type: 'promptSubmit', now: NOW }).filter.host).toBe('we');
    for (const [cmd, filter, hint] of [
      ['promptSession', { ...NO_FILTER, session: 'ssh:bob' }, 'ssh:bob'],
      ['promptTime', { ...NO_FILTER, time: { label: '2h', sinceMs: NOW - 7_200_000 } }, '2h'],
    ] as const) {
      const s = go(start(10, { filter }), cmd);
      expect(s.prompt).toMatchObject({ value: '', hint });
      expect(go(s, { type: 'promptEdit', edit: { kind: 'insert', text: 'x' } }).prompt?.value).toBe('x');
    }
  });

  it('Enter on an empty prompt keeps the current value; the search hint is the current search', () => {
    const filtered = start(10, { filter: { ...NO_FILTER, host: 'web-01', time: { label: '2h', sinceMs: NOW - 7_200_000 } } });
    const host = run(filtered, 'promptHost', { type: 'promptSubmit', now: NOW });
    expect(host.state.filter).toBe(filtered.filter);
    expect(host.effects).toEqual([]);
    const time = run(filtered, 'promptTime', { type: 'promptSubmit', now: NOW + 60_000 });
    expect(time.state.filter.time).toEqual({ label: '2h', sinceMs: NOW - 7_200_000 });
    const searched = go(start(10), { type: 'searchResult', text: 'nginx', matches: Int32Array.from([3]), total: 10, jump: 0 });
    const again = go(searched, 'search');
    expect(again.prompt).toMatchObject({ kind: 'search', value: '', hint: 'nginx' });
    expect(go(again, { type: 'promptSubmit', now: NOW }).search?.text).toBe('nginx');
  });

  it('Backspace or Ctrl-U on an empty prompt drops the hint, so Enter then clears that filter', () => {
    const filtered = start(10, { filter: { ...NO_FILTER, host: 'web-01' } });
    for (const kind of ['backspace', 'clear', 'deleteWord'] as const) {
      const s = go(filtered, 'promptHost', { type: 'promptEdit', edit: { kind } });
      expect(s.prompt).toMatchObject({ value: '', hint: '' });
      expect(go(s, { type: 'promptSubmit', now: NOW }).filter.host).toBeNull();
    }
    // Backspace over typed text edits the text and leaves the hint.
    const typedThenErased = go(filtered, 'promptHost', { type: 'promptEdit', edit: { kind: 'insert', text: 'd' } }, { type: 'promptEdit', edit: { kind: 'backspace' } });
    expect(typedThenErased.prompt).toMatchObject({ value: '', hint: 'web-01' });
  });

  it('Tab completes hosts from the stats, cycling', () => {
    const stats = computeStats([makeEntry({ host: 'web-01' }), makeEntry({ host: 'web-02' }), makeEntry({ host: 'db-1' })].map(factsOf));
    const s = go(start(10, { stats }), 'promptHost', { type: 'promptEdit', edit: { kind: 'clear' } }, { type: 'promptEdit', edit: { kind: 'insert', text: 'we' } });
    const once = go(s, { type: 'promptComplete' });
    expect(once.prompt?.value).toBe('web-01');
    expect(go(once, { type: 'promptComplete' }).prompt?.value).toBe('web-02');
    expect(go(once, { type: 'promptComplete' }, { type: 'promptComplete' }).prompt?.value).toBe('web-01');
  });

  it('t reads a time range and says what is wrong with a bad one', () => {
    const typed = (text: string) => go(start(10), 'promptTime', { type: 'promptEdit', edit: { kind: 'insert', text } });
    const ok = go(typed('2h..1h'), { type: 'promptSubmit', now: NOW });
    expect(ok.filter.time).toEqual({ label: '2h..1h', sinceMs: NOW - 7_200_000, untilMs: NOW - 3_600_000 });
    const bad = go(typed('soonish'), { type: 'promptSubmit', now: NOW });
    expect(bad.prompt?.kind).toBe('time');
    expect(bad.message).toMatchObject({ tone: 'error' });
    expect(bad.message?.text).toMatch(/soonish/);
  });

  it('Esc cancels a prompt; typing ignores control characters; backspace and Ctrl-W edit', () => {
    const s = go(start(10), 'search', { type: 'promptEdit', edit: { kind: 'insert', text: 'ng\u001b[2Jinx x' } });
    expect(s.prompt?.value).toBe('ng[2Jinx x');
    expect(go(s, { type: 'promptEdit', edit: { kind: 'backspace' } }).prompt?.value).toBe('ng[2Jinx ');
    expect(go(s, { type: 'promptEdit', edit: { kind: 'deleteWord' } }).prompt?.value).toBe('ng[2Jinx ');
    expect(go(s, { type: 'promptCancel' }).prompt).toBeNull();
  });
});

describe('the engine\'s notices', () => {
  const waiting = { kind: 'waiting' as const, file: '/x/audit.log', message: '/x/audit.log does not exist (yet, or rotated away): waiting for it' };

  it('the "waiting for it" notice goes once the log appears: its first entries, or bytes to read', () => {
    const s = go(start(0), { type: 'notice', notice: waiting });
    expect(s.notice).toEqual(waiting);
    expect(go(s, appended(1, 1)).notice).toBeNull();
    expect(go(s, { type: 'progress', progress: { bytesDone: 0, bytesTotal: 120, done: false } }).notice).toBeNull();
    // Still missing: it stays.
    expect(go(s, { type: 'progress', progress: { bytesDone: 0, bytesTotal: 0, done: true } }).notice).toEqual(waiting);
  });

  it('other notices stay until the next', () => {
    const error = { kind: 'error' as const, file: '/x', message: 'permission denied' };
    expect(go(start(0), { type: 'notice', notice: error }, appended(1, 1)).notice).toEqual(error);
  });

  it('a new host in the collector does not hide what a log lost: anyone may claim a new host name', () => {
    // A truncation withdrew web1's records; a sender then claimed a new name (rsyslog makes its
    // folder) and the footer said only that, the loss gone from the screen.
    const lost = { kind: 'lost' as const, file: '/c/web1/audit.log', message: '/c/web1/audit.log: 12 records in no file any more', records: 12 };
    const newHost = { kind: 'host' as const, file: '/c/evil', message: 'evil: a new host in the collector, followed from now on' };
    const refused = { kind: 'limit' as const, file: '/c', message: '3 new hosts in the collector not read' };
    for (const evidence of [lost, { kind: 'truncated' as const, file: '/c/web1/audit.log', message: 'truncated' }, { kind: 'damaged' as const, file: '/c/web1/audit.log.2.gz', message: 'cut short' }]) {
      expect(go(start(0), { type: 'notice', notice: evidence }, { type: 'notice', notice: newHost }, { type: 'notice', notice: refused }).notice).toEqual(evidence);
    }
    // A new host still says itself over a routine notice, and the next loss over it.
    const rotated = { kind: 'rotated' as const, file: '/c/web1/audit.log', message: 'rotated' };
    expect(go(start(0), { type: 'notice', notice: rotated }, { type: 'notice', notice: newHost }).notice).toEqual(newHost);
    expect(go(start(0), { type: 'notice', notice: newHost }, { type: 'notice', notice: lost }).notice).toEqual(lost);
  });
});

describe('origin filter (a collector directory)', () => {
  const ORIGINS = ['db-1', 'web-01', 'web-02'];
  const fleet = (over: Partial<ViewerState> = {}) => go(start(10, over), { type: 'fleet', origins: ORIGINS, duplicateLines: 0 });
  const ctx = (origin: string) => ({ selected: { host: 'web-01', origin, session: 'ssh:bob' }, overlayLines: 0 });
  const typed = (s: ViewerState, text: string) => go(s, { type: 'promptEdit', edit: { kind: 'clear' } }, { type: 'promptEdit', edit: { kind: 'insert', text } });

  it('takes the collected hosts and the duplicate count from the engine', () => {
    const s = go(start(10), { type: 'fleet', origins: ORIGINS, duplicateLines: 4 });
    expect(s).toMatchObject({ origins: ORIGINS, duplicateLines: 4 });
  });

  it('o says it needs a collector directory when there are no origins, and opens no prompt', () => {
    const s = go(start(10), { type: 'command', command: 'promptOrigin', context: ctx('') });
    expect(s.prompt).toBeNull();
    expect(s.message).toEqual({ text: 'o filters by origin: only when viewing a collector directory', tone: 'info' });
  });

  it('o prompts, prefilled with the selected entry\'s origin, and filters on Enter', () => {
    const prompt = go(fleet(), { type: 'command', command: 'promptOrigin', context: ctx('web-02') });
    expect(prompt.prompt).toMatchObject({ kind: 'origin', value: '', hint: 'web-02' });
    const { state, effects } = run(prompt, { type: 'promptSubmit', now: NOW });
    expect(state.filter).toMatchObject({ origin: 'web-02', host: null });
    expect(state.prompt).toBeNull();
    expect(effects).toEqual([{ kind: 'requery', soon: false }, { kind: 'refreshStats' }]);
  });

  it('Tab completes from every collected host, not only those the filtered stats count', () => {
    const stats = computeStats([makeEntry({ origin: 'web-01' })].map(factsOf));
    const s = typed(go(fleet({ stats }), 'promptOrigin'), 'WEB');
    expect(go(s, { type: 'promptComplete' }).prompt?.value).toBe('web-01');
    expect(go(s, { type: 'promptComplete' }, { type: 'promptComplete' }).prompt?.value).toBe('web-02');
    expect(go(s, { type: 'promptComplete' }, { type: 'promptComplete' }, { type: 'promptComplete' }).prompt?.value).toBe('web-01');
  });

  it('falls back to the origins the stats count when the engine does not list them', () => {
    const stats = computeStats([makeEntry({ origin: 'db-2' }), makeEntry({ origin: 'db-3' }), makeEntry({ origin: 'db-3' })].map(factsOf));
    const s = typed(go(start(10, { stats }), 'promptOrigin'), 'db');
    expect(s.prompt?.kind).toBe('origin');
    expect(go(s, { type: 'promptComplete' }).prompt?.value).toBe('db-3');
  });

  it('an empty origin clears that filter, and c clears it with the rest', () => {
    const filtered = go(fleet(), 'promptOrigin', { type: 'promptEdit', edit: { kind: 'insert', text: 'db-1' } }, { type: 'promptSubmit', now: NOW });
    expect(filtered.filter.origin).toBe('db-1');
    const reopened = go(filtered, 'promptOrigin');
    expect(reopened.prompt).toMatchObject({ value: '', hint: 'db-1' });
    expect(go(reopened, { type: 'promptEdit', edit: { kind: 'clear' } }, { type: 'promptSubmit', now: NOW }).filter.origin).toBeNull();
    const both = go(filtered, 'promptHost', { type: 'promptEdit', edit: { kind: 'insert', text: 'web-01' } }, { type: 'promptSubmit', now: NOW });
    expect(both.filter).toMatchObject({ origin: 'db-1', host: 'web-01' });
    expect(go(both, 'clearFilters').filter).toEqual(NO_FILTER);
  });
});

describe('search', () => {
  const withMatches = (s: ViewerState, matches: number[], total = s.total) =>
    go(s, { type: 'searchResult', text: 'nginx', matches: Int32Array.from(matches), total, jump: 0 });

  it('submitting asks for a search; the first jump from the newest row goes to the latest match', () => {
    const { effects } = run(go(start(100), 'search', { type: 'promptEdit', edit: { kind: 'insert', text: 'nginx' } }), {
      type: 'promptSubmit',
      now: NOW,
    });
    expect(effects).toEqual([{ kind: 'search', text: 'nginx', jump: 0 }]);
    const s = withMatches(start(100), [10, 50, 80]);
    expect(selectedPosition(s)).toBe(80);
    expect(s.message?.text).toBe('3 matches (n newer, N older)');
  });

  it('from a paused selection, the first jump goes to the first match at or after it', () => {
    const s = withMatches(go(start(100), 'top', 'pageDown'), [10, 50, 80]);
    expect(selectedPosition(s)).toBe(50);
  });

  it('n and N move to newer and older matches and wrap with a message', () => {
    const s = withMatches(go(start(100), 'top'), [10, 50, 80]);
    expect(selectedPosition(s)).toBe(10);
    expect(selectedPosition(go(s, 'searchNext'))).toBe(50);
    const wrapped = go(s, 'searchNext', 'searchNext', 'searchNext');
    expect(selectedPosition(wrapped)).toBe(10);
    expect(wrapped.message?.text).toBe('search hit BOTTOM, continuing at TOP');
    const back = go(s, 'searchPrev');
    expect(selectedPosition(back)).toBe(80);
    expect(back.message?.text).toBe('search hit TOP, continuing at BOTTOM');
  });

  it('searches again before wrapping when entries arrived since, or after a prepend', () => {
    const s = withMatches(go(start(100), 'top'), [10, 50]);
    const grown = go(s, 'searchNext', { type: 'engineChanged', change: { prepended: 0, appended: 5, updated: 0 }, total: 105 });
    expect(run(grown, 'searchNext').effects).toEqual([{ kind: 'search', text: 'nginx', jump: 1 }]);
    const prepended = go(s, { type: 'engineChanged', change: { prepended: 5, appended: 0, updated: 0 }, total: 105 });
    expect(run(prepended, 'searchPrev').effects).toEqual([{ kind: 'search', text: 'nginx', jump: -1 }]);
  });

  it('says so when nothing matches, or when n comes before any search', () => {
    expect(withMatches(start(100), []).message).toEqual({ text: 'not found: nginx', tone: 'error' });
    expect(go(start(100), 'searchNext').message?.text).toMatch(/press \//);
  });

  it('n and N from a mark row go to the first match at or after its place, and the last before it', () => {
    // A writer row before entry 50, which matches: rows 0–49 entries, 50 the mark, 51 entry 50.
    const marked = go(start(100), { type: 'marks', marks: [writerAt(50)] }, 'top');
    const onMark = withMatches({ ...marked, cursor: 50, follow: false }, [10, 49, 50, 80]);
    const from = { ...onMark, cursor: 50, follow: false };
    expect(markAt(from, from.cursor)?.kind).toBe('writer');
    expect(selectedPosition(go(from, 'searchNext'))).toBe(50);
    expect(selectedPosition(go(from, 'searchPrev'))).toBe(49);
    // The only match left is the entry right after the row: n goes there, it does not wrap.
    const last = withMatches({ ...marked, cursor: 50, follow: false }, [10, 50]);
    const next = go({ ...last, cursor: 50, follow: false }, 'searchNext');
    expect(selectedPosition(next)).toBe(50);
    expect(next.message).toBeNull();
    // A mark after the newest entry: N goes to the newest match.
    const atEnd = go(start(100), { type: 'marks', marks: [writerAt(100)] }, 'top');
    const fromEnd = withMatches({ ...atEnd, cursor: 100, follow: false }, [10, 99]);
    expect(selectedPosition(go({ ...fromEnd, cursor: 100, follow: false }, 'searchPrev'))).toBe(99);
  });

  it('centres a match that is off screen', () => {
    const s = withMatches(go(start(1_000), 'top'), [500]);
    expect(s.cursor).toBe(500);
    expect(s.top).toBe(500 - ROWS / 2);
  });
});

describe('marks under a filter (issue #15)', () => {
  const ALICE = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
  const at = (m: Mark, time: string, event: 'start' | 'stop' | 'policy'): Mark =>
    m.kind === 'writer' ? { ...m, event: { ...m.event, event, time, ...(event === 'policy' ? { pid: 0, operator: ALICE, policy: { setting: 'confirm_unprivileged', old: true, new: false, requestId: 'r', by: 'keypress' as const } } : {}) } } : m;
  const brk: Mark = { kind: 'break', at: 30, brk: { kind: 'modified', origin: '', file: 'audit.log', line: 31, entryKey: 30, message: 'prev does not match' } as never };
  const marks = [at(writerAt(10), '2026-11-26T08:00:00.000Z', 'start'), at(writerAt(20), '2026-11-26T09:00:00.000Z', 'policy'), brk, at(writerAt(40), '2026-11-26T10:00:00.000Z', 'stop')];
  const kinds = (s: ViewerState) => s.marks.map((m) => (m.kind === 'break' ? 'break' : m.event.event));
  const securityPresses = 7;

  it('the security preset shows only policy changes and breaks, not the writer start and stop', () => {
    const s = go(start(100), { type: 'marks', marks });
    expect(kinds(s)).toEqual(['start', 'policy', 'break', 'stop']);
    const security = go(s, ...Array.from({ length: securityPresses }, (): Command => 'cycleState'));
    expect(security.filter.preset).toBe(securityPresses);
    expect(kinds(security)).toEqual(['policy', 'break']);
    // New marks under the preset, and back to all.
    expect(kinds(go(security, { type: 'marks', marks: [...marks] }))).toEqual(['policy', 'break']);
    expect(kinds(go(security, 'cycleState'))).toEqual(['start', 'policy', 'break', 'stop']);
  });

  it("a policy change's row obeys the time window and the operator; a break always shows", () => {
    const s = go(start(100), { type: 'marks', marks });
    const since = { ...NO_FILTER, time: { sinceMs: Date.parse('2026-11-26T09:30:00.000Z'), label: '09:30..' } };
    expect(kinds(go({ ...s, filter: since }, { type: 'marks', marks: [...marks] }))).toEqual(['start', 'break', 'stop']);
    const bob = { ...NO_FILTER, flags: { filter: { operators: ['bob'] }, label: '--operator bob' } };
    expect(kinds(go({ ...s, filter: bob }, { type: 'marks', marks: [...marks] }))).toEqual(['start', 'break', 'stop']);
    const alice = { ...NO_FILTER, flags: { filter: { operators: ['alice'] }, label: '--operator alice' } };
    expect(kinds(go({ ...s, filter: alice }, { type: 'marks', marks: [...marks] }))).toEqual(['start', 'policy', 'break', 'stop']);
  });
});
