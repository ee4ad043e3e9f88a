/**
 * What the screen shows for a state, as plain data: the header's and footer's inputs and the
 * table's visible rows. Pure (it reads the engine's entries, no terminal): the App lays it out
 * with Ink, and the first frame (first-frame.ts) writes the same thing before Ink has loaded.
 */
import type { AuditEngine, Entry } from '../shared/entry.js';
import { escapeForTerminal } from '../shared/sanitize.js';
import type { RowContext } from './format/cells.js';
import { layoutColumns, type TableLayout } from './format/columns.js';
import type { FooterInput } from './format/footer.js';
import { type HeaderInput, securityCount } from './format/header.js';
import { stampedEarlier, timeStyleFor, zoneNote } from './format/time.js';
import { MIN_SIZE, type ScreenLayout, screenLayout } from './layout.js';
import { describeFilter, entryFilterFromFilterState, isFiltering } from './store/filters.js';
import { entryPosition, type Mark, rowAt } from './store/rows.js';
import { entriesInView, isFleet, selectedMark, selectedPosition, type ViewerState, viewLength } from './store/state.js';

export const DEFAULT_TITLE = 'sudo-proxy-audit';

/** One visible row: an entry, or a mark (writer event, chain break) between entries. */
export type TableRowData =
  | {
      entry: Entry;
      /** Row index in the view (for the selection). */
      index: number;
      /** Stamped before the entry above it (format/time.ts stampedEarlier): `↑` in the gutter. */
      earlier?: boolean;
    }
  | { mark: Mark; index: number };

/** The table's part of the screen (no overlay open). */
export interface TableModel {
  layout: TableLayout;
  /** Only the visible rows: never more than fit. */
  rows: readonly TableRowData[];
  cursor: number;
  /** Entry rows available (the column titles take one more line). */
  height: number;
  ctx: RowContext;
  search: string | null;
  /** Shown when there are no rows. */
  emptyText: string;
}

export interface ScreenParts {
  screen: ScreenLayout;
  /** The selected entry, or the selected mark when a mark row is selected. */
  selected: Entry | null;
  mark: Mark | null;
  header: HeaderInput;
  footer: FooterInput;
}

/** The one line shown instead of the viewer in a terminal below MIN_SIZE. */
export function tooSmallText(size: { columns: number; rows: number }): string {
  return `too small (${size.columns}×${size.rows}): need ${MIN_SIZE.columns}×${MIN_SIZE.rows}`;
}

export function screenParts(state: ViewerState, engine: AuditEngine, title: string): ScreenParts {
  const screen = screenLayout(state.size, state.progress);
  const position = selectedPosition(state);
  const selected: Entry | null = position === null ? null : engine.entry(position);
  const mark = position === null ? selectedMark(state) : null;
  const header: HeaderInput = {
    title,
    files: engine.files,
    live: state.live,
    follow: state.follow,
    unseen: state.unseen,
    filter: describeFilter(state.filter),
    search: state.search?.text ?? null,
    stats: state.stats,
    of: isFiltering(state.filter) ? state.total : null,
    malformedCount: state.malformedCount,
    security: securityCount(state.stats, state.allMarks, entryFilterFromFilterState(state.filter)),
    origins: state.origins.length,
    duplicateLines: state.duplicateLines,
    chain: state.chain,
    seal: state.seal,
    now: state.now,
    zone: zoneNote(state.now),
    width: screen.width,
  };
  const footer: FooterInput = {
    prompt: state.prompt,
    message: state.message,
    notice: state.notice,
    overlay: state.overlay.kind,
    follow: state.follow,
    unseen: state.unseen,
    index: entryNumber(state),
    length: entriesInView(state),
    total: state.total,
    filtered: isFiltering(state.filter),
    order: state.order,
    outOfOrder: state.order === 'log' && selected !== null && state.overlay.kind === 'none' && earlierThanAbove(state, engine, selected),
    width: screen.width,
  };
  return { screen, selected, mark, header, footer };
}

/** The table's visible rows and layout, when no overlay is open. */
export function tableModel(state: ViewerState, engine: AuditEngine, screen: ScreenLayout): TableModel {
  const rows: TableRowData[] = [];
  const end = Math.min(viewLength(state), state.top + screen.tableRows);
  // The entry above the first one shown, for its ↑ (rows stamped before the row above).
  let aboveMs = Number.NaN;
  let firstEntry = true;
  for (let i = state.top; i < end; i++) {
    const item = rowAt(state, i);
    if (item.mark >= 0) {
      rows.push({ mark: state.marks[item.mark], index: i });
      continue;
    }
    if (firstEntry && item.index > 0) aboveMs = engine.entry(entryPosition(state, item.index - 1)).timeMs;
    firstEntry = false;
    const entry = engine.entry(entryPosition(state, item.index));
    rows.push({ entry, index: i, earlier: state.order === 'log' && stampedEarlier(aboveMs, entry.timeMs) });
    aboveMs = entry.timeMs;
  }
  const oldest = entriesInView(state) > 0 ? engine.entry(entryPosition(state, 0)).timeMs : state.now;
  const timeStyle = timeStyleFor(oldest, state.now);
  return {
    layout: layoutColumns(screen.width, timeStyle, { origin: isFleet(state) }),
    rows,
    cursor: state.cursor,
    height: screen.tableRows,
    ctx: { nowMs: state.now, timeStyle },
    search: state.search?.text ?? null,
    emptyText: emptyText(state),
  };
}

/** The selected entry is stamped before the entry above it in view. */
function earlierThanAbove(state: ViewerState, engine: AuditEngine, entry: Entry): boolean {
  const item = rowAt(state, state.cursor);
  return item.mark < 0 && item.index > 0 && stampedEarlier(engine.entry(entryPosition(state, item.index - 1)).timeMs, entry.timeMs);
}

/** The footer's 1-based number of the selected entry among those in view (for a mark: of the entry before it). */
function entryNumber(state: ViewerState): number {
  if (state.cursor < 0) return 0;
  const item = rowAt(state, state.cursor);
  return item.mark >= 0 ? Math.max(1, item.index) : item.index + 1;
}

function emptyText(state: ViewerState): string {
  if (isFiltering(state.filter) && state.total > 0) return 'no entries match the filter (c clears it)';
  if (state.notice?.kind === 'waiting') return escapeForTerminal(state.notice.message, 400);
  if (!state.progress.done && state.total === 0) return 'reading…';
  return 'no entries yet';
}
