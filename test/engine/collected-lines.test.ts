import { describe, expect, it } from 'vitest';
import { CollectedLines } from '../../src/engine/collected-lines.js';
import type { LocatedCompact } from '../../src/engine/entry-store.js';
import { newCompactRecord } from '../../src/engine/compact-record.js';

function response(idHash: number, offset: number): LocatedCompact {
  return Object.assign(newCompactRecord(), { idHash, seg: 0, offset, length: 10, line: 1, seq: -1 }) as LocatedCompact;
}

describe('CollectedLines: responses held for their requests', () => {
  it('hands a held response to its request, and gives up on the rest only once they waited long enough', () => {
    let now = 0;
    const lines = new CollectedLines(() => null, () => now);
    lines.hold(response(1, 300));
    lines.hold(response(2, 100));
    now = 4_000;
    lines.hold(response(3, 200));
    expect(lines.takeHeld(1).map((r) => r.offset)).toEqual([300]);
    expect(lines.holding).toBe(2);
    now = 10_000;
    // Held 10 s: id 2; id 3 only 6 s.
    expect(lines.takeHeldOlderThan(10_000).map((r) => r.idHash)).toEqual([2]);
    expect(lines.holding).toBe(1);
    // At the end of what there is, all of them, in line order.
    lines.hold(response(4, 50));
    expect(lines.takeHeldOlderThan(0).map((r) => r.idHash)).toEqual([4, 3]);
    expect(lines.holding).toBe(0);
  });
});

describe('CollectedLines: chain order', () => {
  /** Slots 0..n-1 placed with these seqs (null: an unchained entry). */
  function placedLines(seqs: Array<number | null>): CollectedLines {
    const lines = new CollectedLines(() => null);
    seqs.forEach((seq, slot) => lines.placed(slot, seq ?? -1));
    return lines;
  }

  it('sorts everything by seq, an unchained entry staying after the one that arrived before it', () => {
    const lines = placedLines([1, 2, 6, 7, null, 3, 4, 5]);
    const order = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lines.sortBySeq(order)).toBe(2);
    expect([...order]).toEqual([0, 1, 5, 6, 7, 2, 3, 4]);
    expect(lines.sortBySeq(order)).toBe(-1);
  });

  it('places what arrived after `from` among what is already in order, moving no more than it must', () => {
    const lines = placedLines([1, 2, 3, 7, 8, 9, 4, 5, 10]);
    const order = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lines.sortBySeq(order, 6)).toBe(3);
    expect([...order]).toEqual([0, 1, 2, 6, 7, 3, 4, 5, 8]);
    // Newcomers already after everything: nothing moves.
    lines.placed(9, 11);
    const grown = Int32Array.from([...order, 9]);
    expect(lines.sortBySeq(grown, 9)).toBe(-1);
  });

  it('leaves arrival order alone once a seq was carried by two different lines', () => {
    const bytes: Record<number, Buffer> = { 0: Buffer.from('first line'), 10: Buffer.from('other line') };
    const lines = new CollectedLines((_seg, offset) => bytes[offset] ?? null);
    const record = (offset: number) => Object.assign(newCompactRecord(), { seg: 0, offset, length: 10, line: 1, seq: 5 }) as LocatedCompact;
    expect(lines.isDuplicate(record(0))).toBe(false);
    expect(lines.isDuplicate(record(10))).toBe(false);
    expect(lines.seqReused).toBe(true);
    // The second differs from the first, byte for byte (the chain track names such a line).
    expect(lines.differsFromSeen).toBe(true);
    // One whose earlier lines cannot be read (their file gone) is not known to differ.
    expect(lines.isDuplicate(record(20))).toBe(false);
    expect(lines.differsFromSeen).toBe(false);
    lines.placed(0, 5);
    lines.placed(1, 2);
    const order = Int32Array.from([0, 1]);
    expect(lines.sortBySeq(order)).toBe(-1);
    expect([...order]).toEqual([0, 1]);
  });
});

describe('CollectedLines: a followed host after its files are read', () => {
  /** A chained record whose line is `text`, at its own offset. */
  function chained(seq: number, offset: number): LocatedCompact {
    return Object.assign(newCompactRecord(), { seq, seg: 0, offset, length: 12, line: 1 }) as LocatedCompact;
  }

  it('still finds a resent line below, among and above the seqs it had once finish gave back its room', () => {
    const text = new Map<number, Buffer>();
    const lines = new CollectedLines((_seg, offset) => text.get(offset) ?? null);
    const add = (seq: number, offset: number, body = `line ${String(seq).padStart(7, '0')}`) => {
      text.set(offset, Buffer.from(body));
      return lines.isDuplicate(chained(seq, offset));
    };
    for (let seq = 5_000; seq < 5_100; seq++) expect(add(seq, seq * 100)).toBe(false);
    lines.finish(100, true);
    // Resent: the first, the last and one between; each a duplicate, at a new offset.
    for (const seq of [5_000, 5_050, 5_099]) expect(add(seq, 1e7 + seq)).toBe(true);
    // New lines past the end (a few and then far more than any room kept), and a late batch far below.
    for (let seq = 5_100; seq < 9_000; seq++) expect(add(seq, seq * 100)).toBe(false);
    for (let seq = 100; seq < 200; seq++) expect(add(seq, seq * 100 + 1)).toBe(false);
    lines.finish(100, true);
    for (const seq of [100, 199, 5_000, 5_100, 8_999]) expect(add(seq, 2e7 + seq)).toBe(true);
    // Another line with a seq already taken: not a duplicate (its bytes differ).
    expect(add(5_001, 3e7, 'line X000000')).toBe(false);
    expect(lines.duplicates).toBe(8);
    expect(lines.seqReused).toBe(true);
  });
});
