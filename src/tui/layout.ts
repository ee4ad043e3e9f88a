/**
 * The screen's regions for a terminal size. The frame is always one line shorter than the
 * terminal: Ink 6 clears the whole screen on every render once its output is as tall as the
 * terminal, which flickers. Pure; the store uses it for paging, the components for sizing.
 */
import type { IndexProgress } from '../shared/entry.js';

/** The terminal's size in character cells (not the writer's size limits). */
export interface TerminalSize {
  columns: number;
  rows: number;
}

export const HEADER_LINES = 3;
export const FOOTER_LINES = 1;
/** Below this the viewer shows only a "terminal too small" line. */
export const MIN_SIZE: TerminalSize = { columns: 40, rows: 8 };

export interface ScreenLayout {
  /** Lines rendered: rows - 1. */
  height: number;
  width: number;
  tooSmall: boolean;
  /** A progress-bar line is shown while older history is still being indexed. */
  indexing: boolean;
  /** Lines between the header and the footer (table with its column titles, or an overlay). */
  bodyRows: number;
  /** Entry rows in the table (bodyRows minus the column-title line). */
  tableRows: number;
}

/**
 * Rows a pane (help, details, the integrity list) of `lines` lines shows in `height` rows: one
 * fewer when they do not all fit, for the row that says where it is (components/ScrollPane).
 */
export function paneRows(lines: number, height: number): number {
  return lines > height ? Math.max(1, height - 1) : height;
}

export function isIndexing(progress: IndexProgress): boolean {
  return !progress.done && progress.bytesTotal > 0;
}

export function screenLayout(size: TerminalSize, progress: IndexProgress): ScreenLayout {
  const height = Math.max(1, size.rows - 1);
  const width = Math.max(1, size.columns);
  const tooSmall = size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;
  const indexing = isIndexing(progress);
  const bodyRows = Math.max(1, height - HEADER_LINES - FOOTER_LINES - (indexing ? 1 : 0));
  return { height, width, tooSmall, indexing, bodyRows, tableRows: Math.max(1, bodyRows - 1) };
}
