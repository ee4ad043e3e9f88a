import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChainBreakSeen, WriterEvent } from '../../../src/shared/entry.js';
import { buildMarks, type Mark, markId, rowAt, rowCount, rowOfEntry, rowOfMark, type RowSource, sameMark, sortMarks } from '../../../src/tui/store/rows.js';

const writerAt = (at: number): Mark => ({
  kind: 'writer',
  at,
  event: { event: 'start', time: '', pid: 1, dropped: 0, error: null, location: { file: 'a', line: at, offset: at, length: 1, seq: null }, position: at },
});

/** The rows written out one by one: for each entry in view, the marks that go before it, then it. */
function naiveRows(s: RowSource): Array<{ mark: number } | { index: number }> {
  const view = s.positions ? Array.from(s.positions) : Array.from({ length: s.total }, (_, i) => i);
  const out: Array<{ mark: number } | { index: number }> = [];
  let k = 0;
  view.forEach((position, index) => {
    while (k < s.marks.length && s.marks[k].at <= position) out.push({ mark: k++ });
    out.push({ index });
  });
  while (k < s.marks.length) out.push({ mark: k++ });
  return out;
}

describe('rows: entries with marks among them', () => {
  it('places each mark before the first entry in view at or after it', () => {
    const marks = [writerAt(0), writerAt(3), writerAt(3), writerAt(10)];
    const s: RowSource = { positions: Int32Array.from([1, 2, 5, 9]), total: 10, marks };
    expect(Array.from({ length: rowCount(s) }, (_, r) => rowAt(s, r))).toEqual([
      { mark: 0, index: 0 },
      { mark: -1, index: 0 },
      { mark: -1, index: 1 },
      { mark: 1, index: 2 },
      { mark: 2, index: 2 },
      { mark: -1, index: 2 },
      { mark: -1, index: 3 },
      { mark: 3, index: 4 },
    ]);
    expect(rowOfEntry(s, 2)).toBe(5);
    expect(rowOfMark(s, 3)).toBe(7);
  });

  it('agrees with writing the rows out, for any view and marks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 10 }),
        fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 60 })),
        (total, ats, filtered) => {
          const marks = ats.map((a) => Math.min(a, total)).sort((a, b) => a - b).map(writerAt);
          const positions = filtered ? Int32Array.from(filtered.filter((p) => p < total).sort((a, b) => a - b)) : null;
          const s: RowSource = { positions, total, marks };
          const naive = naiveRows(s);
          expect(rowCount(s)).toBe(naive.length);
          naive.forEach((row, r) => {
            const item = rowAt(s, r);
            if ('mark' in row) {
              expect(item.mark).toBe(row.mark);
              expect(rowOfMark(s, row.mark)).toBe(r);
            } else {
              expect(item).toEqual({ mark: -1, index: row.index });
              expect(rowOfEntry(s, row.index)).toBe(r);
            }
          });
        },
      ),
    );
  });

  it('builds marks from writer events and breaks: a break at its entry, one without an entry at the end', () => {
    const event = (position: number): WriterEvent => ({
      event: 'stop', time: '', pid: 1, dropped: 0, error: null, location: { file: 'a', line: 1, offset: position, length: 1, seq: 1 }, position,
    });
    const brk = (entryKey: number): ChainBreakSeen => ({ kind: 'modified', file: 'a', line: entryKey, message: '', origin: '', entryKey });
    const positionOf = (key: number) => (key === 77 ? 4 : -1);
    const unplaced = { ...event(2), position: undefined };
    const marks = buildMarks([unplaced, event(4), event(9)], [brk(77), brk(-1), brk(55)], positionOf, 9);
    expect(marks.map((m) => [m.kind, m.at])).toEqual([
      ['writer', 4],
      ['break', 4],
      ['writer', 9],
      ['break', 9],
      ['break', 9],
    ]);
  });

  it('sorts marks by place, writer rows before a break at the same place, stably; an ordered list as it is (no copies)', () => {
    const brkAt = (at: number, line: number): Mark => ({ kind: 'break', at, brk: { kind: 'modified', file: 'a', line, message: '', origin: '', entryKey: at } });
    const ordered = [writerAt(1), writerAt(4), brkAt(4, 1), brkAt(4, 2), writerAt(9)];
    expect(sortMarks(ordered)).toBe(ordered);
    const shuffled = [brkAt(4, 1), writerAt(9), writerAt(4), brkAt(4, 2), writerAt(1)];
    const sorted = sortMarks(shuffled);
    expect(sorted.map((m) => [m.kind, m.at, m.kind === 'break' ? m.brk.line : 0])).toEqual([
      ['writer', 1, 0],
      ['writer', 4, 0],
      ['break', 4, 1],
      ['break', 4, 2],
      ['writer', 9, 0],
    ]);
  });

  it('tells marks apart as markId does, without making its strings', () => {
    const brk = (origin: string, file: string, line: number): Mark => ({ kind: 'break', at: 0, brk: { kind: 'modified', file, line, message: '', origin, entryKey: -1 } });
    const w = (origin: string | undefined, file: string, offset: number): Mark => {
      const m = writerAt(offset) as Extract<Mark, { kind: 'writer' }>;
      return { ...m, event: { ...m.event, origin, location: { ...m.event.location, file, offset } } };
    };
    const marks = [w(undefined, 'a', 1), w('', 'a', 1), w('web-01', 'a', 1), w('web-01', 'b', 1), w('web-01', 'a', 2), brk('', 'a', 1), brk('web-01', 'a', 1), brk('', 'b', 1), brk('', 'a', 2)];
    for (const a of marks) for (const b of marks) expect(sameMark(a, b), `${markId(a)} / ${markId(b)}`).toBe(markId(a) === markId(b));
  });

  it('makes a writer row once for an event at the same place: the marks made before, by event, are used again', () => {
    const event: WriterEvent = { event: 'stop', time: '', pid: 1, dropped: 0, error: null, location: { file: 'a', line: 1, offset: 5, length: 1, seq: 1 }, position: 3 };
    const made = new WeakMap<WriterEvent, Mark>();
    const first = buildMarks([event], [], () => -1, 10, made);
    expect(buildMarks([event], [], () => -1, 10, made)[0]).toBe(first[0]);
    // Moved (fewer entries than its place): a new row.
    const moved = buildMarks([event], [], () => -1, 2, made);
    expect(moved[0]).not.toBe(first[0]);
    expect(moved[0].at).toBe(2);
  });
});
