/**
 * The viewer's transitions: (state, action) → (state, effects). Pure and synchronous; the
 * store runs the effects (engine queries) and feeds their results back as actions.
 * Follow works like `less +F`: pinned to the newest entry until the selection moves off it,
 * then paused with a count of what arrived, until the newest entry is selected again.
 */
import { positionsMoved, shiftedPosition, shiftedPositions } from '../../shared/held-positions.js';
import { helpLines } from '../help.js';
import { paneRows, screenLayout } from '../layout.js';
import type { Action, Command, CommandContext, Effect, PromptEdit } from './actions.js';
import { entryFilterFromFilterState, type FilterState, isFiltering, LOCAL_HOST, NO_FILTER, STATE_PRESETS } from './filters.js';
import { entryIndexesOf, isProblem, type Mark, markId, rowAt, rowOfEntry, rowOfMark, type RowOrder } from './rows.js';
import {
  type Overlay,
  type PromptKind,
  type PromptState,
  indexAtOrAfter,
  lowerBound,
  selectedMark,
  selectionPosition,
  type ViewerState,
  viewLength,
} from './state.js';
import type { EngineNotice } from '../../shared/entry.js';
import { searchFilter } from '../../shared/query.js';
import { policyShown } from '../../shared/security.js';
import { parseTimeRange } from '../../shared/time-spec.js';

export interface Transition {
  state: ViewerState;
  effects: Effect[];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const done = (state: ViewerState, effects: Effect[] = []): Transition => ({ state: settle(state), effects });

export function tableRows(state: ViewerState): number {
  return screenLayout(state.size, state.progress).tableRows;
}

/** Keeps the selection in view and inside the list; follow pins it to the newest entry. */
export function settle(s: ViewerState): ViewerState {
  const len = viewLength(s);
  const rows = tableRows(s);
  if (len === 0) return s.cursor === -1 && s.top === 0 ? s : { ...s, cursor: -1, top: 0 };
  if (s.follow) {
    const top = Math.max(0, len - rows);
    return s.cursor === len - 1 && s.top === top && s.unseen === 0 ? s : { ...s, cursor: len - 1, top, unseen: 0 };
  }
  const cursor = clamp(s.cursor, 0, len - 1);
  let top = clamp(s.top, 0, Math.max(0, len - rows));
  if (cursor < top) top = cursor;
  else if (cursor >= top + rows) top = cursor - rows + 1;
  return cursor === s.cursor && top === s.top ? s : { ...s, cursor, top };
}

/** Selects `cursor`; selecting the newest entry follows again, anything else pauses. */
function select(s: ViewerState, cursor: number, top = s.top): ViewerState {
  const len = viewLength(s);
  if (len === 0) return s;
  const c = clamp(cursor, 0, len - 1);
  const follow = c === len - 1;
  return { ...s, cursor: c, top, follow, unseen: follow ? 0 : s.unseen };
}

/** Same top-level values: the transition changed nothing, so nothing redraws. */
function unchanged(a: ViewerState, b: ViewerState): boolean {
  for (const key of Object.keys(a) as Array<keyof ViewerState>) if (a[key] !== b[key]) return false;
  return true;
}

export function reduce(state: ViewerState, action: Action): Transition {
  const t = transition(state, action);
  return t.state !== state && unchanged(t.state, state) ? { state, effects: t.effects } : t;
}

function transition(state: ViewerState, action: Action): Transition {
  switch (action.type) {
    case 'command':
      return command({ ...state, message: null }, action.command, action.context);
    case 'promptEdit':
      return state.prompt ? done({ ...state, message: null, prompt: editPrompt(state.prompt, action.edit) }) : done(state);
    case 'promptCancel':
      return done({ ...state, prompt: null, message: null });
    case 'promptComplete':
      return state.prompt ? done({ ...state, prompt: complete(state, state.prompt) }) : done(state);
    case 'promptSubmit':
      return state.prompt ? submit({ ...state, message: null }, state.prompt, action.now) : done(state);
    case 'resize':
      return done({ ...state, size: action.size });
    case 'engineChanged':
      return engineChanged(state, action);
    case 'viewReplaced':
      return viewReplaced(state, action);
    case 'searchResult':
      return searchResult(state, action);
    case 'progress':
      return done({ ...state, progress: action.progress, notice: action.progress.bytesTotal > 0 ? appeared(state.notice) : state.notice });
    case 'malformedCount':
      return done({ ...state, malformedCount: action.count });
    case 'notice':
      return done({ ...state, notice: hides(action.notice, state.notice) ? state.notice : action.notice });
    case 'stats':
      return done({ ...state, stats: action.stats });
    case 'fleet':
      return done({ ...state, origins: action.origins, duplicateLines: action.duplicateLines });
    case 'tick':
      return done({ ...state, now: action.now });
    case 'marks':
      return done(withMarks(state, action.marks, state.showWriter, state.order));
    case 'chain':
      return done({ ...state, chain: action.chain });
    case 'seal':
      return done({ ...state, seal: action.seal });
    case 'message':
      return done({ ...state, message: action.message });
    case 'redraw':
      return done({ ...state, version: state.version + 1 });
    case 'askOverwrite':
      return done({ ...state, prompt: { kind: 'overwrite', value: '', hint: '', completion: -1, typed: '', file: action.file } });
  }
}

function command(s: ViewerState, cmd: Command, context?: CommandContext): Transition {
  if (cmd === 'interrupt') return done({ ...s, quit: true }, [{ kind: 'quit' }]);
  if (cmd === 'suspend') return done(s, [{ kind: 'suspend' }]);
  if (s.overlay.kind !== 'none') return overlayCommand(s, s.overlay, cmd, context?.overlayLines ?? 0);
  const rows = tableRows(s);
  const len = viewLength(s);
  switch (cmd) {
    case 'down':
      return done(select(s, s.cursor + 1));
    case 'up':
      return done(select(s, s.cursor - 1));
    case 'pageDown':
      return done(select(s, s.cursor + rows, s.top + rows));
    case 'pageUp':
      return done(select(s, s.cursor - rows, s.top - rows));
    case 'halfDown': {
      const half = Math.max(1, Math.floor(rows / 2));
      return done(select(s, s.cursor + half, s.top + half));
    }
    case 'halfUp': {
      const half = Math.max(1, Math.floor(rows / 2));
      return done(select(s, s.cursor - half, s.top - half));
    }
    case 'top':
      return done(select(s, 0, 0));
    case 'bottom':
      return done({ ...s, follow: true, unseen: 0 });
    case 'open':
      if (len === 0) return done({ ...s, message: { text: 'nothing to show: no entry selected', tone: 'info' } });
      return done({ ...s, overlay: { kind: 'detail', scroll: 0, resumeFollow: s.follow }, follow: false });
    case 'back':
      return done({ ...s, search: null });
    case 'help':
      return done({ ...s, overlay: { kind: 'help', scroll: 0 } });
    case 'integrity':
      if (!hasIntegrityItems(s)) return done({ ...s, message: { text: 'nothing to report: no chain break, gap, crash or malformed line', tone: 'info' } });
      return done({ ...s, overlay: { kind: 'integrity', scroll: 0, cursor: 0 } });
    case 'toggleWriter': {
      const next = withMarks(s, s.allMarks, !s.showWriter, s.order);
      const text = next.showWriter ? 'writer rows shown (start, stop, gaps)' : 'writer rows hidden (W shows them; breaks stay)';
      return done({ ...next, message: { text, tone: 'info' } });
    }
    case 'toggleOrder':
      return toggleOrder(s);
    case 'search':
      return done(openPrompt(s, 'search', s.search?.text ?? ''));
    case 'copyId':
    case 'copyCommand':
      return done(s, [{ kind: 'copy', what: cmd === 'copyId' ? 'id' : 'command' }]);
    case 'export':
      return done(openPrompt(s, 'export', ''));
    case 'promptHost': {
      const current = s.filter.host ?? context?.selected?.host ?? null;
      return done(openPrompt(s, 'host', current === null ? '' : current === '' ? LOCAL_HOST : current));
    }
    case 'promptOrigin': {
      // Only a collector directory's entries have an origin; an active origin filter can still be changed or cleared.
      if (knownOrigins(s).length === 0 && s.filter.origin === null) {
        return done({ ...s, message: { text: 'o filters by origin: only when viewing a collector directory', tone: 'info' } });
      }
      const selected = context?.selected?.origin || null;
      return done(openPrompt(s, 'origin', s.filter.origin ?? selected ?? ''));
    }
    case 'promptSession':
      return done(openPrompt(s, 'session', s.filter.session ?? context?.selected?.session ?? ''));
    case 'promptTime':
      return done(openPrompt(s, 'time', s.filter.time?.label ?? ''));
    case 'promptOperator':
      return done(openPrompt(s, 'operator', s.filter.operator ?? context?.selected?.operator ?? ''));
    case 'searchNext':
      return searchMove(s, 1);
    case 'searchPrev':
      return searchMove(s, -1);
    case 'cycleState':
      return withFilter(s, { ...s.filter, preset: (s.filter.preset + 1) % STATE_PRESETS.length });
    case 'clearFilters':
      return withFilter({ ...s, search: null }, NO_FILTER);
    case 'quit':
      return done({ ...s, quit: true }, [{ kind: 'quit' }]);
    case 'prevEntry':
    case 'nextEntry':
      return done(s);
  }
}

function overlayCommand(s: ViewerState, overlay: Exclude<Overlay, { kind: 'none' }>, cmd: Command, contentLines: number): Transition {
  if (overlay.kind === 'integrity') return integrityCommand(s, overlay, cmd, contentLines);
  const lines = overlay.kind === 'help' ? helpLines(s.size.columns).length : contentLines;
  // Content that overflows shows one row fewer (the pane's last row says where it is).
  const bodyRows = paneRows(lines, screenLayout(s.size, s.progress).bodyRows);
  const maxScroll = Math.max(0, lines - bodyRows);
  const scrollTo = (scroll: number) => done({ ...s, overlay: { ...overlay, scroll: clamp(scroll, 0, maxScroll) } });
  const close = (): Transition => {
    if (overlay.kind === 'detail' && overlay.resumeFollow) return done({ ...s, overlay: { kind: 'none' }, follow: true, unseen: 0 });
    return done({ ...s, overlay: { kind: 'none' } });
  };
  switch (cmd) {
    case 'down':
      return scrollTo(overlay.scroll + 1);
    case 'up':
      return scrollTo(overlay.scroll - 1);
    case 'pageDown':
      return scrollTo(overlay.scroll + bodyRows);
    case 'pageUp':
      return scrollTo(overlay.scroll - bodyRows);
    case 'halfDown':
      return scrollTo(overlay.scroll + Math.floor(bodyRows / 2));
    case 'halfUp':
      return scrollTo(overlay.scroll - Math.floor(bodyRows / 2));
    case 'top':
      return scrollTo(0);
    case 'bottom':
      return scrollTo(maxScroll);
    case 'back':
    case 'quit':
      return close();
    case 'open':
      return overlay.kind === 'detail' ? close() : done(s);
    case 'help':
      return overlay.kind === 'help' ? close() : done({ ...s, overlay: { kind: 'help', scroll: 0 } });
    case 'prevEntry':
    case 'nextEntry': {
      if (overlay.kind !== 'detail') return done(s);
      const cursor = clamp(s.cursor + (cmd === 'nextEntry' ? 1 : -1), 0, Math.max(0, viewLength(s) - 1));
      return done({ ...s, cursor, overlay: { ...overlay, scroll: 0 } });
    }
    default:
      return done(s);
  }
}

/** A prompt opens empty, `hint` (the current value) shown for Enter to keep. */
function openPrompt(s: ViewerState, kind: PromptKind, hint: string): ViewerState {
  return { ...s, prompt: { kind, value: '', hint, completion: -1, typed: '' } };
}

/** Characters a terminal sends that cannot be part of a typed value (a paste may carry them). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function editPrompt(p: PromptState, edit: PromptEdit): PromptState {
  // Erasing on an empty prompt erases the hint: Enter then clears the filter.
  if (p.value === '' && edit.kind !== 'insert') return p.hint === '' ? p : { ...p, hint: '' };
  let value = p.value;
  switch (edit.kind) {
    case 'insert':
      value += edit.text.replace(CONTROL, '');
      break;
    case 'backspace':
      value = Array.from(value).slice(0, -1).join('');
      break;
    case 'clear':
      value = '';
      break;
    case 'deleteWord':
      value = value.replace(/\S*\s*$/, '');
      break;
  }
  return { ...p, value, typed: value, completion: -1 };
}

/**
 * The collected hosts: every one the engine reads (sorted), else those counted in the stats. The
 * stats alone would offer only the origin already filtered on.
 */
export function knownOrigins(s: ViewerState): readonly string[] {
  if (s.origins.length > 0) return s.origins;
  return (s.stats?.byOrigin ?? []).map((o) => o.origin).filter((o) => o !== '');
}

/** Tab in the host/origin/session prompt: cycles through known values starting with what was typed. */
export function completionCandidates(s: ViewerState, p: PromptState): string[] {
  const typed = p.typed.toLowerCase();
  let values: readonly string[] = [];
  if (p.kind === 'host') values = (s.stats?.byHost ?? []).map((h) => (h.host === '' ? LOCAL_HOST : h.host));
  else if (p.kind === 'origin') values = knownOrigins(s);
  else if (p.kind === 'session') values = (s.stats?.bySession ?? []).map((x) => x.session);
  return values.filter((v) => v.toLowerCase().startsWith(typed));
}

function complete(s: ViewerState, p: PromptState): PromptState {
  const candidates = completionCandidates(s, p);
  if (candidates.length === 0) return p;
  const completion = (p.completion + 1) % candidates.length;
  return { ...p, completion, value: candidates[completion] };
}

/** The value a prompt was opened on: Enter on an empty prompt whose hint is that leaves everything as it is. */
function currentValue(s: ViewerState, kind: PromptKind): string | null {
  switch (kind) {
    case 'search':
      return s.search?.text ?? null;
    case 'host':
      return s.filter.host === null ? null : s.filter.host === '' ? LOCAL_HOST : s.filter.host;
    case 'origin':
      return s.filter.origin;
    case 'session':
      return s.filter.session;
    case 'time':
      return s.filter.time?.label ?? null;
    case 'operator':
      return s.filter.operator ?? null;
    case 'export':
    case 'overwrite':
      return null;
  }
}

function submit(s: ViewerState, p: PromptState, now: number): Transition {
  const closed = { ...s, prompt: null };
  // Nothing typed: the hint is what Enter applies; when it is the current value, nothing changes
  // (a time range such as `2h` is not read again against a later clock).
  const value = p.value === '' ? p.hint : p.value;
  if (p.value === '' && value !== '' && value === currentValue(s, p.kind)) return done(closed);
  switch (p.kind) {
    case 'search': {
      if (value === '') return done({ ...closed, search: null });
      // `/re/`: an invalid expression is said here, not searched for.
      const search = searchFilter(value);
      if ('error' in search) return done({ ...closed, message: { text: search.error, tone: 'error' } });
      return done(closed, [{ kind: 'search', text: value, jump: 0 }]);
    }
    case 'host': {
      const host = value.trim() === '' ? null : value === LOCAL_HOST || value === '-' ? '' : value;
      return withFilter(closed, { ...s.filter, host });
    }
    case 'origin':
      return withFilter(closed, { ...s.filter, origin: value.trim() === '' ? null : value });
    case 'session':
      return withFilter(closed, { ...s.filter, session: value.trim() === '' ? null : value });
    case 'operator':
      return withFilter(closed, { ...s.filter, operator: value.trim() === '' ? null : value.trim() });
    case 'export':
      if (value.trim() === '') return done({ ...closed, message: { text: 'nothing written: no file named', tone: 'info' } });
      return done(closed, [{ kind: 'export', file: value, overwrite: false }]);
    case 'overwrite': {
      const file = p.file ?? '';
      if (/^y(es)?$/i.test(value.trim())) return done(closed, [{ kind: 'export', file, overwrite: true }]);
      return done({ ...closed, message: { text: `not written: ${file} exists`, tone: 'info' } });
    }
    case 'time': {
      if (value.trim() === '') return withFilter(closed, { ...s.filter, time: null });
      const range = parseTimeRange(value, now);
      if ('error' in range) return done({ ...s, message: { text: range.error, tone: 'error' } });
      return withFilter(closed, { ...s.filter, time: range });
    }
  }
}

/**
 * `S`: log order ↔ time order, the selection kept on its entry. Time order asks the engine
 * (the store sorts); marks are places in the log, so they are rows in log order only.
 */
function toggleOrder(s: ViewerState): Transition {
  const order: RowOrder = s.order === 'log' ? 'time' : 'log';
  const text = order === 'time' ? 'time order: by each entry\'s time (the writer\'s, else the request\'s); S for log order' : 'log order: as written; S for time order';
  const next = withMarks({ ...s, order }, s.allMarks, s.showWriter, order);
  const anchor = selectionPosition(s);
  if (order === 'time') return done({ ...next, message: { text, tone: 'info' } }, [{ kind: 'requery', soon: false, anchor }]);
  return withFilter({ ...next, message: { text, tone: 'info' } }, s.filter, s);
}

/** A new filter: without one the view is every entry at once; with one, or in time order, the store queries. */
function withFilter(given: ViewerState, filter: FilterState, before: ViewerState = given): Transition {
  const s: ViewerState = { ...given, marks: shownMarks(given.allMarks, given.showWriter, given.order, filter) };
  const search = s.search ? { ...s.search, stale: true } : null;
  if (s.order === 'time') return done({ ...s, filter, search }, [{ kind: 'requery', soon: false, anchor: selectionPosition(before) }, { kind: 'refreshStats' }]);
  if (isFiltering(filter)) return done({ ...s, filter, search }, [{ kind: 'requery', soon: false }, { kind: 'refreshStats' }]);
  const anchor = selectionPosition(before);
  const cleared: ViewerState = { ...s, filter, search, positions: null };
  const cursor = anchor === null ? viewLength(cleared) - 1 : carriedRow(before, cleared, before.cursor);
  return done(keepRow(before, cleared, cursor), [{ kind: 'refreshStats' }]);
}

/** Puts `cursor` on the same screen row it was on before a view change, so the table does not jump. */
function keepRow(before: ViewerState, after: ViewerState, cursor: number): ViewerState {
  if (after.follow) return after;
  return { ...after, cursor, top: cursor - (before.cursor - before.top) };
}

/** What a log lost (records withdrawn, a truncation, a damaged file): evidence the footer keeps. */
const EVIDENCE: ReadonlySet<EngineNotice['kind']> = new Set(['lost', 'truncated', 'damaged']);
/** Who is in the collector: any sender may cause these (a host name claimed makes a folder). */
const MEMBERSHIP: ReadonlySet<EngineNotice['kind']> = new Set(['host', 'limit']);

/** Whether `next` would only hide `shown`: a new host's notice in place of what a log lost. */
function hides(next: EngineNotice, shown: EngineNotice | null): boolean {
  return shown !== null && EVIDENCE.has(shown.kind) && MEMBERSHIP.has(next.kind);
}

/** The log is there (it has bytes or entries): a "waiting for it" notice is stale. */
function appeared(notice: ViewerState['notice']): ViewerState['notice'] {
  return notice?.kind === 'waiting' ? null : notice;
}

function engineChanged(s: ViewerState, a: Extract<Action, { type: 'engineChanged' }>): Transition {
  const { change } = a;
  const { appended } = change;
  const reordered = change.reordered === true;
  const search = s.search && positionsMoved(change) ? { ...s.search, stale: true } : s.search;
  // Marks are held by engine position too: prepended entries push them down (the store refreshes them soon).
  const allMarks = change.prepended > 0 ? s.allMarks.map((m) => ({ ...m, at: shiftedPosition(change, m.at) })) : s.allMarks;
  const marks = allMarks === s.allMarks ? s.marks : shownMarks(allMarks, s.showWriter, s.order, s.filter);
  const notice = a.total > 0 ? appeared(s.notice) : s.notice;
  const next: ViewerState = { ...s, total: a.total, version: s.version + 1, search, allMarks, marks, notice };
  // Entries moved among each other (a fleet merged anew): the selection is found again by key.
  if (reordered && s.positions) return done(next, [{ kind: 'requery', soon: false, anchor: a.anchor ?? null }]);
  if (reordered && !s.follow && a.anchor !== undefined && a.anchor !== null) {
    return done({ ...keepRow(s, next, indexAtOrAfter(next, a.anchor)), unseen: s.unseen + appended });
  }
  if (s.positions) {
    // Entries before the view's moved down by `prepended`; which new ones match is for a query to say.
    return done({ ...next, positions: shiftedPositions(change, s.positions) }, [{ kind: 'requery', soon: true }]);
  }
  if (s.follow) return done(next);
  // Without a filter an entry's view index is its position: shifted, then placed among the marks.
  const shifted = (row: number): number => {
    const item = rowAt(s, row);
    return item.mark >= 0 ? rowOfMark(next, item.mark) : rowOfEntry(next, shiftedPosition(change, item.index));
  };
  return done({
    ...next,
    cursor: s.cursor < 0 ? 0 : shifted(s.cursor),
    top: shifted(s.top),
    unseen: s.unseen + appended,
  });
}

function viewReplaced(s: ViewerState, a: Extract<Action, { type: 'viewReplaced' }>): Transition {
  const next: ViewerState = { ...s, positions: a.positions, total: a.total };
  if (s.follow || a.anchor === null) return done(next);
  const cursor = indexAtOrAfter(next, a.anchor);
  return done({ ...keepRow(s, next, cursor), unseen: s.unseen + a.appended });
}

function searchResult(s: ViewerState, a: Extract<Action, { type: 'searchResult' }>): Transition {
  const next: ViewerState = { ...s, search: { text: a.text, matches: a.matches, total: a.total, stale: false } };
  if (a.matches.length === 0) return done({ ...next, message: { text: `not found: ${a.text}`, tone: 'error' } });
  if (a.jump !== 0) return jumpToMatch(next, a.matches, a.jump);
  const count = `${a.matches.length} match${a.matches.length === 1 ? '' : 'es'} (n newer, N older)`;
  const space = searchSpace(next, a.matches);
  // From the newest entry, the most recent match; otherwise the first at or after the selection.
  const i = s.follow || space.from === null ? space.keys.length - 1 : lowerBound(space.keys, space.from);
  if (space.keys.length === 0) return done({ ...next, message: { text: count, tone: 'info' } });
  return done({ ...space.go(space.keys[i < space.keys.length ? i : 0]), message: { text: count, tone: 'info' } });
}

function searchMove(s: ViewerState, direction: 1 | -1): Transition {
  if (!s.search) return done({ ...s, message: { text: 'no search yet: press / to search', tone: 'info' } });
  const { matches, text } = s.search;
  if (s.search.stale) return done(s, [{ kind: 'search', text, jump: direction }]);
  const { keys, after, before } = searchSpace(s, matches);
  const wraps = direction === 1 ? lowerBound(keys, after) >= keys.length : lowerBound(keys, before) === 0;
  // Before wrapping around, look at entries that arrived after the search ran.
  if (wraps && s.total > s.search.total) return done(s, [{ kind: 'search', text, jump: direction }]);
  if (matches.length === 0) return done({ ...s, message: { text: `not found: ${text}`, tone: 'error' } });
  return jumpToMatch(s, matches, direction);
}

/**
 * Where n and N look from: n takes the first match at or after `after`, N the last before
 * `before`. On an entry both stand at it (n skips it); on a mark the entry after the row is its
 * place, so n may land on it and N looks before it.
 */
function searchBounds(s: ViewerState): { after: number; before: number } {
  const from = selectionPosition(s) ?? -1;
  return { after: selectedMark(s) !== null ? from : from + 1, before: from };
}

/**
 * Where n and N move among the matches: in log order by engine position (matches are
 * ascending); in time order by view index (the matches' rows, ascending), from the selected row.
 */
function searchSpace(s: ViewerState, matches: Int32Array): { keys: Int32Array; after: number; before: number; from: number | null; go: (key: number) => ViewerState } {
  if (s.order === 'time' && s.positions) {
    const from = s.cursor >= 0 && s.cursor < viewLength(s) ? s.cursor : null;
    return { keys: entryIndexesOf(s.positions, matches), after: (from ?? -1) + 1, before: from ?? -1, from, go: (row) => moveToRow(s, row) };
  }
  return { keys: matches, ...searchBounds(s), from: selectionPosition(s), go: (p) => moveToPosition(s, p) };
}

function jumpToMatch(s: ViewerState, matches: Int32Array, direction: 1 | -1): Transition {
  const { keys, after, before, go } = searchSpace(s, matches);
  if (keys.length === 0) return done({ ...s, message: { text: 'no match in view', tone: 'info' } });
  if (direction === 1) {
    const i = lowerBound(keys, after);
    if (i < keys.length) return done(go(keys[i]));
    return done({ ...go(keys[0]), message: { text: 'search hit BOTTOM, continuing at TOP', tone: 'info' } });
  }
  const i = lowerBound(keys, before) - 1;
  if (i >= 0) return done(go(keys[i]));
  return done({
    ...go(keys[keys.length - 1]),
    message: { text: 'search hit TOP, continuing at BOTTOM', tone: 'info' },
  });
}

function moveToPosition(s: ViewerState, position: number): ViewerState {
  return moveToRow(s, indexAtOrAfter(s, position));
}

function moveToRow(s: ViewerState, index: number): ViewerState {
  const len = viewLength(s);
  if (len === 0) return s;
  const cursor = clamp(index, 0, len - 1);
  // Centre the match when it is off screen, like less.
  const rows = tableRows(s);
  const onScreen = cursor >= s.top && cursor < s.top + rows;
  return select(s, cursor, onScreen ? s.top : cursor - Math.floor(rows / 2));
}

const NO_MARKS: readonly Mark[] = [];

/**
 * The marks shown as rows, none in time order. Breaks always; policy changes those the filter
 * keeps (its time window, operators, origins: `policyShown`); the writer's life unless hidden
 * (`W`) or the filter asks for security events alone.
 */
function shownMarks(all: readonly Mark[], showWriter: boolean, order: RowOrder, filter: FilterState): readonly Mark[] {
  if (order === 'time') return NO_MARKS;
  if (!isFiltering(filter)) return showWriter ? all : all.filter((m) => m.kind === 'break' || m.event.event === 'policy');
  const f = entryFilterFromFilterState(filter);
  const life = showWriter && f.security !== true;
  return all.filter((m) => m.kind === 'break' || (m.event.event === 'policy' ? policyShown(m.event, f) : life));
}

/** Where the item on `row` of `before` (an entry, or a mark found again by its line) is in `after`. */
function carriedRow(before: ViewerState, after: ViewerState, row: number): number {
  const item = rowAt(before, row);
  if (item.mark >= 0) {
    const id = markId(before.marks[item.mark]);
    const k = after.marks.findIndex((m) => markId(m) === id);
    if (k >= 0) return rowOfMark(after, k);
  }
  return indexAtOrAfter(after, entryPositionOf(before, item.index));
}

/** Engine position of view index `index`; past the last entry, size(). */
function entryPositionOf(s: ViewerState, index: number): number {
  if (!s.positions) return Math.min(index, s.total);
  return index < s.positions.length ? s.positions[index] : s.total;
}

/** New marks (or writer rows shown or hidden), the selection kept on the same entry or mark. */
function withMarks(s: ViewerState, all: readonly Mark[], showWriter: boolean, order: RowOrder): ViewerState {
  const next: ViewerState = { ...s, allMarks: all, marks: shownMarks(all, showWriter, order, s.filter), showWriter };
  if (s.follow || s.cursor < 0) return next;
  return { ...next, cursor: carriedRow(s, next, s.cursor), top: carriedRow(s, next, s.top) };
}

/** Marks the integrity list leads with, in row order: what Enter can jump to. */
export function problemMarks(s: Pick<ViewerState, 'allMarks'>): Mark[] {
  return s.allMarks.filter(isProblem);
}

function hasIntegrityItems(s: ViewerState): boolean {
  return (
    s.malformedCount > 0 ||
    (s.chain !== null && (s.chain.unchained > 0 || s.chain.unchecked > 0 || s.chain.breakCount > 0)) ||
    s.allMarks.some(isProblem) ||
    (s.seal?.failure ?? null) !== null
  );
}

/** Lines above the integrity list's first item (its summary). */
export const INTEGRITY_HEAD_LINES = 1;

/** Keys in the integrity list: j/k choose an item, Enter goes to it in the table. `items`: how many are listed. */
function integrityCommand(s: ViewerState, overlay: Extract<Overlay, { kind: 'integrity' }>, cmd: Command, items: number): Transition {
  const bodyRows = paneRows(items + INTEGRITY_HEAD_LINES, screenLayout(s.size, s.progress).bodyRows);
  const choose = (cursor: number): Transition => {
    const c = clamp(cursor, 0, Math.max(0, items - 1));
    // The chosen item's line stays on screen (the summary scrolls away last).
    const line = c + INTEGRITY_HEAD_LINES;
    let scroll = overlay.scroll;
    if (line < scroll + INTEGRITY_HEAD_LINES) scroll = Math.max(0, line - INTEGRITY_HEAD_LINES);
    else if (line >= scroll + bodyRows) scroll = line - bodyRows + 1;
    return done({ ...s, overlay: { ...overlay, cursor: c, scroll } });
  };
  switch (cmd) {
    case 'down':
      return choose(overlay.cursor + 1);
    case 'up':
      return choose(overlay.cursor - 1);
    case 'pageDown':
    case 'halfDown':
      return choose(overlay.cursor + (cmd === 'pageDown' ? bodyRows : Math.floor(bodyRows / 2)));
    case 'pageUp':
    case 'halfUp':
      return choose(overlay.cursor - (cmd === 'pageUp' ? bodyRows : Math.floor(bodyRows / 2)));
    case 'top':
      return choose(0);
    case 'bottom':
      return choose(items - 1);
    case 'back':
    case 'quit':
    case 'integrity':
      return done({ ...s, overlay: { kind: 'none' } });
    case 'help':
      return done({ ...s, overlay: { kind: 'help', scroll: 0 } });
    case 'open':
      return jumpToProblem(s, overlay.cursor);
    default:
      return done(s);
  }
}

/** Enter on a listed break, gap or crash: the table, with its row selected (writer rows shown if hidden). */
function jumpToProblem(s: ViewerState, item: number): Transition {
  const target = problemMarks(s)[item];
  if (!target) return done({ ...s, message: { text: 'not in the table: a seal failure or a malformed line has no row (its file:line is listed)', tone: 'info' } });
  // Time order has no mark rows: the entry the mark goes before is selected.
  if (s.order === 'time') return done(moveToPosition({ ...s, overlay: { kind: 'none' } }, target.at));
  const shown = target.kind === 'writer' && !s.showWriter ? withMarks(s, s.allMarks, true, s.order) : s;
  const id = markId(target);
  const k = shown.marks.findIndex((m) => markId(m) === id);
  const closed: ViewerState = { ...shown, overlay: { kind: 'none' } };
  if (k < 0) return done({ ...closed, message: { text: 'its row is hidden by the filter (c clears it)', tone: 'info' } });
  const row = rowOfMark(closed, k);
  const rows = tableRows(closed);
  return done(select(closed, row, row - Math.floor(rows / 2)));
}
