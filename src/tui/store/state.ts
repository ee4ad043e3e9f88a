/**
 * Everything the viewer shows, as one plain value. Entries themselves stay in the engine: the
 * state holds only positions (which entries are in view, which is selected, which row is on
 * top), so a keypress costs the same with ten entries or a million.
 */
import type { SealStatus } from './seal-check.js';
import type { ChainStatus, EngineNotice, EntryStats, IndexProgress } from '../../shared/entry.js';
import type { TerminalSize } from '../layout.js';
import { type FilterState, NO_FILTER } from './filters.js';
import { DEFAULT_CLOCK_SKEW_MS } from '../format/detail.js';
import { entryCount, entryIndexAtOrAfter, entryPosition, lowerBound, type Mark, rowAt, rowCount, rowOfEntry, type RowOrder } from './rows.js';

export { lowerBound };

export type Overlay =
  | { kind: 'none' }
  /** `resumeFollow`: the table was following when the pane opened; closing it follows again. */
  | { kind: 'detail'; scroll: number; resumeFollow: boolean }
  | { kind: 'help'; scroll: number }
  /** Everything the log cannot vouch for (chain breaks, gaps, crashes, malformed lines); `cursor`: the item selected. */
  | { kind: 'integrity'; scroll: number; cursor: number };

export type PromptKind = 'search' | 'host' | 'origin' | 'session' | 'time' | 'operator' | 'export' | 'overwrite';

export interface PromptState {
  kind: PromptKind;
  /** What was typed: a prompt opens empty, so typing replaces the current value rather than appending to it. */
  value: string;
  /**
   * What Enter on an empty prompt applies, shown dim where the value would be: the current
   * filter (or search), else the selected entry's host/origin/session; '' for none (Enter
   * then clears). Backspace on an empty prompt drops it.
   */
  hint: string;
  /** Tab completion: index into the candidates, -1 before the first Tab. */
  completion: number;
  /** What was typed before Tab: candidates start with it. */
  typed: string;
  /** The file an `overwrite` prompt asks about. */
  file?: string;
}

export interface SearchState {
  text: string;
  /** Positions (ascending) of entries in view that match. */
  matches: Int32Array;
  /** Engine size when `matches` was computed: later entries were not searched. */
  total: number;
  /** Older entries were prepended since: positions shifted, search again before moving. */
  stale: boolean;
}

export interface Message {
  text: string;
  tone: 'info' | 'error';
}

export interface ViewerState {
  size: TerminalSize;
  /** The engine follows the live file (false: a static file, `--no-follow`). */
  live: boolean;
  /** Entries in the engine. */
  total: number;
  /**
   * Positions in view when a filter is active or in time order (ascending in log order, by time
   * in time order); null: every entry in log order, position = index.
   */
  positions: Int32Array | null;
  /** Rows in log order (as written) or time order (`S`: by each entry's time, engine.timeOrder). */
  order: RowOrder;
  /** Every writer event and chain break the engine reported, in row order (rows.ts). */
  allMarks: readonly Mark[];
  /** The marks shown as rows: breaks always, writer events unless hidden (`W`); none in time order (they are places in the log). */
  marks: readonly Mark[];
  /** Writer start/stop/gap rows are shown among the entries. */
  showWriter: boolean;
  /** The hash chain as the engine has checked it; null when the engine does not check it. */
  chain: ChainStatus | null;
  /** The seals as checked with the key given (seal-check.ts); null when there are none to show. */
  seal: SealStatus | null;
  /** Selected row (entries and marks, rows.ts); -1 when the view is empty. */
  cursor: number;
  /** Row at the top of the table. */
  top: number;
  /** Pinned to the newest entry: new entries scroll in and stay selected. */
  follow: boolean;
  /** Entries that arrived in view while not following ("N new"). */
  unseen: number;
  filter: FilterState;
  search: SearchState | null;
  overlay: Overlay;
  prompt: PromptState | null;
  message: Message | null;
  /** Wall clock for running durations and relative times, advanced by ticks. */
  now: number;
  progress: IndexProgress;
  malformedCount: number;
  notice: EngineNotice | null;
  stats: EntryStats | null;
  /** The collected hosts (engine.origins()), sorted; empty unless reading a collector directory. */
  origins: readonly string[];
  /** Exact duplicate lines the engine dropped (a shipper resent a batch). */
  duplicateLines: number;
  /** Bumped on every engine change: entries on screen may have changed (a response arrived). */
  version: number;
  quit: boolean;
  /** How far a request's time as sent may be from the writer's before the detail pane flags it. */
  clockSkewMs: number;
}

export interface InitialStateOptions {
  size: TerminalSize;
  live: boolean;
  now: number;
  clockSkewMs?: number;
  total?: number;
  progress?: IndexProgress;
}

export function initialState(options: InitialStateOptions): ViewerState {
  const total = options.total ?? 0;
  return {
    size: options.size,
    live: options.live,
    total,
    positions: null,
    order: 'log',
    allMarks: [],
    marks: [],
    showWriter: true,
    chain: null,
    seal: null,
    cursor: total - 1,
    top: 0,
    follow: true,
    unseen: 0,
    filter: NO_FILTER,
    search: null,
    overlay: { kind: 'none' },
    prompt: null,
    message: null,
    now: options.now,
    progress: options.progress ?? { bytesDone: 0, bytesTotal: 0, done: false },
    malformedCount: 0,
    notice: null,
    stats: null,
    origins: [],
    duplicateLines: 0,
    version: 0,
    quit: false,
    clockSkewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
  };
}

/** Reading a collector directory: entries carry the host they were collected from. */
export function isFleet(state: Pick<ViewerState, 'origins'>): boolean {
  return state.origins.length > 0;
}

/** Rows in view: entries and the marks among them. */
export function viewLength(state: Pick<ViewerState, 'positions' | 'total' | 'marks'>): number {
  return rowCount(state);
}

/** Entries in view (rows that are not marks). */
export function entriesInView(state: Pick<ViewerState, 'positions' | 'total'>): number {
  return entryCount(state);
}

/** Engine position of the entry on a row, or null when the row is a mark. */
export function positionAt(state: Pick<ViewerState, 'positions' | 'total' | 'marks'>, row: number): number | null {
  const item = rowAt(state, row);
  return item.mark >= 0 ? null : entryPosition(state, item.index);
}

/** The mark on a row, or null when the row is an entry. */
export function markAt(state: Pick<ViewerState, 'positions' | 'total' | 'marks'>, row: number): Mark | null {
  const item = rowAt(state, row);
  return item.mark >= 0 ? state.marks[item.mark] : null;
}

/** The selected entry's engine position, or null when nothing (or a mark) is selected. */
export function selectedPosition(state: ViewerState): number | null {
  return state.cursor >= 0 && state.cursor < viewLength(state) ? positionAt(state, state.cursor) : null;
}

/** The selected mark, or null. */
export function selectedMark(state: ViewerState): Mark | null {
  return state.cursor >= 0 && state.cursor < viewLength(state) ? markAt(state, state.cursor) : null;
}

/**
 * Engine position the selection stands at: the selected entry's, or for a mark the position of
 * the entry after it (size() past the last). Null when the view is empty.
 */
export function selectionPosition(state: ViewerState): number | null {
  if (state.cursor < 0 || state.cursor >= viewLength(state)) return null;
  const item = rowAt(state, state.cursor);
  if (item.mark < 0) return entryPosition(state, item.index);
  return item.index < entryCount(state) ? entryPosition(state, item.index) : state.total;
}

/** Row of the entry at `position`, or of the next one in view when it is filtered out. */
export function indexAtOrAfter(state: Pick<ViewerState, 'positions' | 'total' | 'marks' | 'order'>, position: number): number {
  return rowOfEntry(state, entryIndexAtOrAfter(state, position));
}
