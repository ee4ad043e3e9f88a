/**
 * Which table columns fit a terminal width, and how wide each is. The command column takes
 * what is left; when it would get too narrow, the least useful columns are dropped first.
 * Pure: the same width always gives the same layout, so a resize just recomputes it.
 */
import { TIME_STYLE_WIDTH, type TimeStyle } from './time.js';

export type ColumnId = 'time' | 'origin' | 'host' | 'session' | 'state' | 'latency' | 'command' | 'exit' | 'duration' | 'out';

export interface Column {
  id: ColumnId;
  title: string;
  width: number;
  align: 'left' | 'right';
}

export interface TableLayout {
  /** Left to right; widths add up, with one space between columns, to `width - MARKER_WIDTH`. */
  columns: Column[];
  width: number;
}

/** The selection pointer and a space before the first column. */
export const MARKER_WIDTH = 2;
const GAP = 1;
const MIN_COMMAND = 20;

interface Candidate extends Column {
  /** Higher is kept longer when the width runs out. */
  keep: number;
}

export interface LayoutOptions {
  /**
   * Reading a collector directory: an ORIGIN column (the host a record was collected from)
   * before HOST (the label the request carries, which its client chooses). Where both do not
   * fit, the origin is kept and the label goes first: it says less, and the detail pane has it.
   */
  origin?: boolean;
}

export function layoutColumns(width: number, timeStyle: TimeStyle, options: LayoutOptions = {}): TableLayout {
  const wide = width >= 120;
  const hostWidth = wide ? 12 : 8;
  const candidates: Candidate[] = [
    { id: 'time', title: 'TIME', width: TIME_STYLE_WIDTH[timeStyle], align: 'left', keep: 100 },
    ...(options.origin ? [{ id: 'origin', title: 'ORIGIN', width: hostWidth, align: 'left', keep: 55 } as const] : []),
    { id: 'host', title: 'HOST', width: hostWidth, align: 'left', keep: options.origin ? 35 : 45 },
    { id: 'session', title: 'SESSION', width: wide ? 14 : 10, align: 'left', keep: 50 },
    { id: 'state', title: 'STATE', width: 10, align: 'left', keep: 100 },
    { id: 'latency', title: 'WAIT', width: 5, align: 'right', keep: 30 },
    { id: 'command', title: 'COMMAND', width: MIN_COMMAND, align: 'left', keep: 100 },
    { id: 'exit', title: 'EXIT', width: 7, align: 'left', keep: 40 },
    { id: 'duration', title: 'TOOK', width: 6, align: 'right', keep: 60 },
    { id: 'out', title: 'OUT', width: 6, align: 'right', keep: 20 },
  ];
  const used = (cs: Candidate[]) => MARKER_WIDTH + cs.reduce((sum, c) => sum + c.width, 0) + GAP * (cs.length - 1);
  let kept = candidates;
  while (used(kept) > width) {
    const droppable = kept.filter((c) => c.keep < 100);
    if (droppable.length === 0) break;
    const weakest = droppable.reduce((a, b) => (b.keep < a.keep ? b : a));
    kept = kept.filter((c) => c !== weakest);
  }
  const spare = Math.max(0, width - used(kept));
  const columns = kept.map(({ keep: _keep, ...c }) => (c.id === 'command' ? { ...c, width: Math.max(1, c.width + spare) } : c));
  // On a terminal too narrow even for the essentials, shrink the command column to what is left.
  const overflow = MARKER_WIDTH + columns.reduce((s, c) => s + c.width, 0) + GAP * (columns.length - 1) - width;
  if (overflow > 0) {
    const command = columns.find((c) => c.id === 'command');
    if (command) command.width = Math.max(1, command.width - overflow);
  }
  return { columns, width };
}

export function hasColumn(layout: TableLayout, id: ColumnId): boolean {
  return layout.columns.some((c) => c.id === id);
}
