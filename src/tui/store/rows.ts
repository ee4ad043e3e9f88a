/**
 * The table's rows: the entries in view, with marks between them — a writer's start, stop or
 * gap, and a break of the hash chain — each placed before the first entry in view at or after
 * the engine position it belongs at. Marks are few (a restart a day, a break when something is
 * wrong) and entries may be a million, so a row is found by binary search over the marks, never
 * by walking the entries: the cost per frame does not grow with the log.
 */
import type { ChainBreakSeen, WriterEvent } from '../../shared/entry.js';
import { lowerBound } from '../../shared/sorted.js';

export type Mark =
  /** `at`: the engine position of the entry the row goes before (= size() after the newest entry). */
  | { kind: 'writer'; at: number; event: WriterEvent }
  | { kind: 'break'; at: number; brk: ChainBreakSeen };

/** Rows in log order (positions ascending), or in time order (engine.timeOrder: positions by time). */
export type RowOrder = 'log' | 'time';

/** What the row layout depends on: the view's positions (null: every entry) and the marks shown. */
export interface RowSource {
  positions: Int32Array | null;
  total: number;
  marks: readonly Mark[];
  /** Absent: log order. In time order there are no marks (they are places in the log). */
  order?: RowOrder;
}

/** Entries in view (rows not counting the marks). */
export function entryCount(s: Pick<RowSource, 'positions' | 'total'>): number {
  return s.positions ? s.positions.length : s.total;
}

export { lowerBound };

/** First index whose value is > `value`. */
function upperBound(xs: ArrayLike<number>, value: number): number {
  return lowerBound(xs, value + 1);
}

/**
 * View index of the entry at engine position `position`, or when it is not in view of the next
 * one in log order that is (entryCount when none).
 */
export function entryIndexAtOrAfter(s: Pick<RowSource, 'positions' | 'total' | 'order'>, position: number): number {
  if (!s.positions) return Math.max(0, Math.min(position, s.total));
  if (s.order !== 'time') return lowerBound(s.positions, position);
  const ranks = ranksOf(s.positions);
  for (let p = Math.max(0, position); p < ranks.length; p++) if (ranks[p] >= 0) return ranks[p];
  return s.positions.length;
}

// Time order: each engine position's view index (-1: not in view), made once per view.
const rankings = new WeakMap<Int32Array, Int32Array>();

function ranksOf(positions: Int32Array): Int32Array {
  let ranks = rankings.get(positions);
  if (ranks) return ranks;
  let size = 0;
  for (let i = 0; i < positions.length; i++) if (positions[i] >= size) size = positions[i] + 1;
  ranks = new Int32Array(size).fill(-1);
  for (let i = 0; i < positions.length; i++) ranks[positions[i]] = i;
  rankings.set(positions, ranks);
  return ranks;
}

/** Time order: view indexes of the entries at `positions` (a search's matches) that are in view, ascending. */
export function entryIndexesOf(viewPositions: Int32Array, positions: Int32Array): Int32Array {
  const ranks = ranksOf(viewPositions);
  const out: number[] = [];
  for (const p of positions) if (p < ranks.length && ranks[p] >= 0) out.push(ranks[p]);
  return Int32Array.from(out).sort();
}

interface Layout {
  positions: Int32Array | null;
  total: number;
  /** anchors[k]: the view index of the entry mark k goes before. */
  anchors: Int32Array;
  /** rows[k] = anchors[k] + k: the row of mark k (strictly ascending). */
  rows: Int32Array;
}

// One layout per marks list, recomputed only when the view under it changes: O(marks · log view).
const layouts = new WeakMap<readonly Mark[], Layout>();

function layoutOf(s: RowSource): Layout {
  const known = layouts.get(s.marks);
  if (known && known.positions === s.positions && known.total === s.total) return known;
  const n = s.marks.length;
  const anchors = new Int32Array(n);
  const rows = new Int32Array(n);
  let floor = 0;
  for (let k = 0; k < n; k++) {
    // Marks come sorted by `at`; the max keeps rows ascending should one not be.
    floor = Math.max(floor, entryIndexAtOrAfter(s, s.marks[k].at));
    anchors[k] = floor;
    rows[k] = floor + k;
  }
  const layout = { positions: s.positions, total: s.total, anchors, rows };
  layouts.set(s.marks, layout);
  return layout;
}

/** Rows in the table: entries in view and marks. */
export function rowCount(s: RowSource): number {
  return entryCount(s) + s.marks.length;
}

/** What a row shows: mark `mark` (an index into `marks`), or else the entry at view index `index`. */
export interface RowItem {
  /** Index into `marks`, or -1 for an entry row. */
  mark: number;
  /** The entry's view index; for a mark, the view index of the entry after it (entryCount at the end). */
  index: number;
}

export function rowAt(s: RowSource, row: number): RowItem {
  if (s.marks.length === 0) return { mark: -1, index: row };
  const { rows, anchors } = layoutOf(s);
  const k = upperBound(rows, row);
  if (k > 0 && rows[k - 1] === row) return { mark: k - 1, index: anchors[k - 1] };
  return { mark: -1, index: row - k };
}

/** Row of the entry at view index `index` (marks before it counted). */
export function rowOfEntry(s: RowSource, index: number): number {
  if (s.marks.length === 0) return index;
  return index + upperBound(layoutOf(s).anchors, index);
}

/** Row of mark `k`. */
export function rowOfMark(s: RowSource, k: number): number {
  return layoutOf(s).rows[k];
}

/** Engine position of the entry at view index `index`. */
export function entryPosition(s: Pick<RowSource, 'positions'>, index: number): number {
  return s.positions ? s.positions[index] : index;
}

/** Identifies a mark across refreshes (the engine hands out fresh objects): where its line is. */
export function markId(m: Mark): string {
  if (m.kind === 'writer') return `w\u0000${m.event.origin ?? ''}\u0000${m.event.location.file}\u0000${m.event.location.offset}`;
  return `b\u0000${m.brk.origin}\u0000${m.brk.file}\u0000${m.brk.line}`;
}

/** markId(a) === markId(b), without making the strings (a fleet compares 20,000 marks). */
export function sameMark(a: Mark, b: Mark): boolean {
  if (a.kind === 'writer') {
    if (b.kind !== 'writer') return false;
    const x = a.event;
    const y = b.event;
    return x === y || ((x.origin ?? '') === (y.origin ?? '') && x.location.file === y.location.file && x.location.offset === y.location.offset);
  }
  return b.kind === 'break' && a.brk.origin === b.brk.origin && a.brk.file === b.brk.file && a.brk.line === b.brk.line;
}

/** Marks in row order: by `at`, a break after the writer rows at the same place (it sits on the entry's own record). */
export function sortMarks(marks: Mark[]): Mark[] {
  const rank = (m: Mark) => (m.kind === 'writer' ? 0 : 1);
  // (Usually in order already — the engines list events by place, breaks after them — so no copies.)
  let sorted = true;
  for (let i = 1; i < marks.length && sorted; i++) sorted = marks[i - 1].at < marks[i].at || (marks[i - 1].at === marks[i].at && rank(marks[i - 1]) <= rank(marks[i]));
  if (sorted) return marks;
  return marks.map((m, i) => ({ m, i })).sort((a, b) => a.m.at - b.m.at || rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

/**
 * Writer events and chain breaks as marks; a break whose entry is unknown goes at the end. An
 * event without a `position` (an engine from before issue #13) has no place among the rows.
 */
export function buildMarks(
  events: readonly WriterEvent[],
  breaks: readonly ChainBreakSeen[],
  positionOf: (key: number) => number,
  size: number,
  /** The marks made before, by event: one whose event and place are the same is used again (a fleet has 20,000). */
  made?: WeakMap<WriterEvent, Mark>,
): Mark[] {
  const marks: Mark[] = [];
  for (const event of events) {
    if (event.position === undefined) continue;
    const at = Math.min(event.position, size);
    let mark = made?.get(event);
    if (mark === undefined || mark.at !== at) {
      mark = { kind: 'writer', at, event };
      made?.set(event, mark);
    }
    marks.push(mark);
  }
  for (const brk of breaks) {
    const at = brk.entryKey >= 0 ? positionOf(brk.entryKey) : -1;
    marks.push({ kind: 'break', at: at >= 0 ? at : size, brk });
  }
  return sortMarks(marks);
}

/**
 * A mark for the integrity list (`m`): what the operator cannot vouch for — a break, records
 * dropped, a restart after a crash — and a change of the daemon's policy (a security event).
 */
export function isProblem(m: Mark): boolean {
  return m.kind === 'break' || m.event.event === 'dropped' || m.event.afterCrash === true || m.event.event === 'policy';
}
