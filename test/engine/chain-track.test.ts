/**
 * A collected host's chain track (chain-track.ts, lines checked in seq order as they come): what
 * a record after its turn is. A second record of a seq checked is a break only when it is known
 * to differ from the first; an exact copy the duplicate check could not compare, and a record
 * from before the record the track started from, are nothing to judge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChainWatch } from '../../src/engine/chain-track.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const watches: ChainWatch[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.close();
});

/** A collected host's track, and a chain of `n` records (seq i's hash hex(i), its prev hex(i - 1), genesis first). */
function track() {
  const watch = new ChainWatch(() => {}, true);
  watches.push(watch);
  const t = watch.live;
  const put = (seq: number, line = seq, options: { hash?: string; differs?: boolean } = {}) =>
    t.chained({ seg: 0, line }, seq, seq === 1 ? GENESIS_HASH : hex(seq - 1), options.hash ?? hex(seq), -1, null, options.differs ?? false);
  const breaks = () => t.breaks.map((b) => [b.found.kind, b.found.at.line]);
  return { t, put, breaks };
}

describe('a collected host\'s record after its turn', () => {
  it('a second record of a seq checked earlier: a break when it differs, else nothing to judge', () => {
    const { t, put, breaks } = track();
    for (let seq = 1; seq <= 10; seq++) put(seq);
    t.settle(false); // the first records wait until then (the lowest seq of them starts the check)
    expect(t.checker.records).toBe(10);
    put(4, 11); // an exact copy the duplicate check could not compare
    expect(breaks()).toEqual([]);
    expect([t.unchecked, t.copies]).toEqual([1, 0]); // (not linked here: the status counts it)
    put(4, 12, { hash: hex(999), differs: true });
    expect(breaks()).toEqual([['inserted', 12]]);
  });

  it('an exact copy of the record checked last, or of one held, is nothing to judge; one that differs is', () => {
    const { t, put, breaks } = track();
    for (let seq = 1; seq <= 5; seq++) put(seq);
    t.settle(false);
    put(5, 6); // the record checked last, again
    put(8, 7); // held: 6 and 7 not in yet
    put(8, 8); // held, again
    put(6, 9);
    put(7, 10);
    t.settle(true);
    expect(breaks()).toEqual([]);
    expect([t.unchecked, t.copies]).toEqual([0, 2]); // (the same hash as one checked: nothing unchecked)
    put(8, 11, { hash: hex(998), differs: true }); // of the seq checked last, and not it: the two named at the first
    expect(breaks()).toEqual([['inserted', 7]]);
  });

  it('starts from the lowest seq of the first records, not the first to come (one record with a high seq put first)', () => {
    const { t, put, breaks } = track();
    put(1000, 1, { hash: hex(996) }); // forged, put first
    for (let seq = 1; seq <= 10; seq++) put(seq, seq + 1);
    t.settle(true);
    expect(t.checker.records).toBe(11);
    expect(breaks()).toEqual([['deleted', 1]]);
  });

  it('a record from before the one the track started from is not checked; a genesis that differs from a seq 1 seen is a new chain', () => {
    const { t, put, breaks } = track();
    for (let seq = 400; seq <= 410; seq++) put(seq, seq - 399);
    t.settle(false);
    put(1, 12); // a resent genesis the duplicate check had nothing to compare with (its file rotated away)
    put(200, 13, { hash: hex(997), differs: true });
    t.settle(true);
    expect(breaks()).toEqual([]);
    expect([t.unchecked, t.copies]).toEqual([2, 0]);
    put(1, 14, { hash: hex(995), differs: true });
    expect(breaks()).toEqual([['restarted', 14]]);
  });
});

describe("a collected host's gap, judged once the window is full, and the late batch that fills it", () => {
  it('filled before the deletion is said (its lookahead still open): the deletion is never said', () => {
    const { t, put, breaks } = track();
    for (let seq = 1; seq <= 10; seq++) put(seq);
    t.settle(false);
    // 11 and 13 late; 12, then 14 on, held until the window (4,096) overflows: 12 goes on past
    // the gap at 11, and the lookahead after it waits (13 is not in).
    put(12, 12);
    for (let seq = 14; seq <= 4109; seq++) put(seq, seq); // (4,097 held: one overflow)
    expect(breaks()).toEqual([]);
    put(11, 4110); // fills the gap, linked both ways
    put(13, 4111); // the rest goes on: the lookahead (1,024 records) is judged, a deletion at 12

    t.settle(true);
    expect(breaks()).toEqual([]);
    expect(t.checker.breakCount).toBe(0);
    expect(t.checker.records + t.filled).toBe(4109);
  });
});
