/**
 * The incremental checker kept running past breaks (as the engine runs it): every break of a
 * log is found, the first as verifyChain names it, and the chain goes on after each.
 */
import { describe, expect, it } from 'vitest';
import { ChainChecker, ChainLinker, type FoundBreak, GENESIS_PREV, LINKED, LINKS_BEFORE, SAME_PREV } from '../../src/shared/chain-checker.js';
import { classifyChainLine, hashLine, verifyChain } from '../../src/shared/chain.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';

/** `n` chained records, as the writer would write them. */
function chain(n: number): string[] {
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const line = JSON.stringify({ v: 1, type: 'writer', seq, prev, time: '2026-01-01T00:00:00.000Z', event: 'start', pid: seq });
    lines.push(line);
    prev = hashLine(line);
  }
  return lines;
}

type At = { line: number };

/** Every break the checker finds over `lines`, run to the end. */
function allBreaks(lines: readonly string[]): Array<{ kind: string; line: number; message: string }> {
  const found: FoundBreak<At>[] = [];
  const checker = new ChainChecker<At>({ onBreak: (b) => found.push(b) });
  const linker = new ChainLinker();
  lines.forEach((text, i) => {
    const c = classifyChainLine(text);
    const at = { line: i + 1 };
    if (c.kind === 'chained') checker.chained(at, c.seq, linker.link(c.prev, c.hash));
    else if (c.kind === 'unchained') checker.unchainedRecord(at);
    else checker.malformedLine(at, c.reason);
  });
  checker.settle();
  return found.map((b) => ({ kind: b.kind, line: b.at.line, message: b.message((at) => `t.log:${at.line}`) }));
}

const verify = (lines: readonly string[]) => verifyChain(lines.map((text, i) => ({ file: 't.log', line: i + 1, text })));

describe('ChainChecker past the first break', () => {
  it('finds two modified lines, the first with verify\'s words', () => {
    const lines = chain(20);
    lines[4] = lines[4].replace('"pid":5', '"pid":55');
    lines[14] = lines[14].replace('"pid":15', '"pid":155');
    const breaks = allBreaks(lines);
    expect(breaks.map((b) => [b.kind, b.line])).toEqual([['modified', 5], ['modified', 15]]);
    expect(breaks[0].message).toBe(verify(lines).break?.message);
  });

  it('forgets a torn line once a record links past it: a later gap is a deletion, not that line edited', () => {
    const lines = chain(20);
    lines.splice(9, 1); // seq 10 gone
    lines.splice(5, 0, '{"v":1,"ty'); // torn after seq 5; seq 6 links past it
    expect(allBreaks(lines).map((b) => [b.kind, b.line])).toEqual([['deleted', 11]]);
  });

  it('judges a seq jump first when the record after it links to it and carries a missing seq', () => {
    const lines = chain(2);
    const record = (seq: number, prev: string) => JSON.stringify({ v: 1, type: 'writer', seq, prev, time: '2026-01-01T00:00:00.000Z', event: 'start', pid: seq });
    lines.push(record(4, hashLine(lines[1])));
    lines.push(record(3, hashLine(lines[2]))); // the missing seq, linked to the line before it: still out of order
    expect(allBreaks(lines).map((b) => [b.kind, b.line])).toEqual([['reordered', 3], ['reordered', 4]]);
    expect(allBreaks(lines)[0].message).toBe(verify(lines).break?.message);
  });

  it('finds a deletion and then an edit after it', () => {
    const lines = chain(20);
    lines.splice(6, 2); // seq 7 and 8 gone
    lines[12] = lines[12].replace('"pid":15', '"pid":155');
    const breaks = allBreaks(lines);
    expect(breaks.map((b) => [b.kind, b.line])).toEqual([['deleted', 7], ['modified', 13]]);
    expect(breaks[0].message).toBe(verify(lines).break?.message);
  });

  it('tells a reordering from a deletion with the lines after the jump', () => {
    const lines = chain(10);
    [lines[3], lines[4]] = [lines[4], lines[3]];
    const breaks = allBreaks(lines);
    expect(breaks[0]).toEqual({ kind: 'reordered', line: 4, message: verify(lines).break?.message });
  });

  it('an intact chain: no break, every record checked', () => {
    const found: unknown[] = [];
    const checker = new ChainChecker<At>({ onBreak: (b) => found.push(b) });
    const linker = new ChainLinker();
    chain(50).forEach((text, i) => {
      const c = classifyChainLine(text);
      if (c.kind === 'chained') checker.chained({ line: i + 1 }, c.seq, linker.link(c.prev, c.hash));
    });
    checker.settle();
    expect(found).toEqual([]);
    expect(checker.records).toBe(50);
  });
});

describe('ChainLinker: the facts of each link', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const c = 'c'.repeat(64);

  it('remembers the last record\'s prev and hash, and compares the next prev with them and with genesis', () => {
    const linker = new ChainLinker();
    expect([linker.lastPrev, linker.lastHash]).toEqual([null, null]);
    expect(linker.link(GENESIS_HASH, a)).toBe(GENESIS_PREV);
    expect([linker.lastPrev, linker.lastHash]).toEqual([GENESIS_HASH, a]);
    expect(linker.facts(a)).toBe(LINKED);
    expect(linker.facts(GENESIS_HASH)).toBe(SAME_PREV | GENESIS_PREV);
    expect(linker.facts(c)).toBe(0);
    expect([linker.lastPrev, linker.lastHash]).toEqual([GENESIS_HASH, a]); // facts does not move on
    expect(linker.link(a, b)).toBe(LINKED);
    expect([linker.lastPrev, linker.lastHash, linker.beforeLastHash]).toEqual([a, b, a]);
    // A copy of b (b's prev): the same prev, and a link to the record before b.
    expect(linker.facts(a)).toBe(SAME_PREV | LINKS_BEFORE);
    expect(linker.link(a, c)).toBe(SAME_PREV | LINKS_BEFORE);
    // After the copy (hash c), a record continuing from b (not from c): LINKS_BEFORE alone.
    expect(linker.facts(b)).toBe(LINKS_BEFORE);
    expect(linker.facts(c)).toBe(LINKED);
  });

  it('jumps over a chunk already linked: the next record links to the chunk\'s last', () => {
    const linker = new ChainLinker();
    linker.link(GENESIS_HASH, a);
    linker.jump(b, c, a);
    expect([linker.lastPrev, linker.lastHash, linker.beforeLastHash]).toEqual([b, c, a]);
    expect(linker.facts(c)).toBe(LINKED);
    expect(linker.facts(b)).toBe(SAME_PREV);
    expect(linker.facts(a)).toBe(LINKS_BEFORE);
    expect(linker.facts('d'.repeat(64))).toBe(0);
  });

  it('moves on to a record the engine found linked by its bytes (linkNext), as link would', () => {
    const linker = new ChainLinker();
    linker.link(GENESIS_HASH, a);
    expect(linker.linkNext(b)).toBe(LINKED);
    expect([linker.lastPrev, linker.lastHash, linker.beforeLastHash]).toEqual([a, b, a]);
    expect(linker.facts(b)).toBe(LINKED);
    expect(linker.facts(a)).toBe(SAME_PREV | LINKS_BEFORE);
  });
});

describe('ChainChecker: its counts, keys and held lines', () => {
  type Break = { kind: string; at: number; key: number };
  /** A checker over places that are line numbers, and the breaks it found. */
  function checker(listMalformed?: number) {
    const breaks: Break[] = [];
    const c = new ChainChecker<number>({ listMalformed, onBreak: (b) => breaks.push({ kind: b.kind, at: b.at, key: b.key }) });
    return { c, breaks };
  }

  it('counts every record taken in, every record checked and every break', () => {
    const { c, breaks } = checker();
    c.chained(1, 1, GENESIS_PREV);
    c.chained(2, 2, LINKED);
    c.chained(3, 5, LINKED); // seq 3 and 4 missing: waits for the lines after it
    c.chained(4, 6, LINKED); // held behind the jump, not checked yet
    expect(c.waiting).toBe(true);
    expect([c.total, c.records, c.breakCount]).toEqual([4, 3, 0]);
    c.settle();
    expect(c.waiting).toBe(false);
    expect([c.total, c.records, c.breakCount]).toEqual([4, 4, 1]);
    c.chained(5, 8, LINKED); // seq 7 missing
    c.settle();
    expect([c.total, c.records, c.breakCount]).toEqual([5, 5, 2]);
    expect(breaks.map((b) => [b.kind, b.at])).toEqual([['deleted', 3], ['deleted', 5]]);
  });

  it('a break carries the key of the record it names, and -1 for a record given none', () => {
    const { c, breaks } = checker();
    c.chained(1, 1, GENESIS_PREV, 10);
    c.chained(2, 2, LINKED, 20);
    c.unchainedRecord(3, 30); // inserted
    c.unchainedRecord(4); // inserted, no key
    c.chained(5, 3, LINKED); // no key
    c.chained(6, 3, SAME_PREV, 60); // a copy of line 5, or line 5 a copy of it: named at line 5
    expect(breaks).toEqual([
      { kind: 'inserted', at: 3, key: 30 },
      { kind: 'inserted', at: 4, key: -1 },
      { kind: 'inserted', at: 5, key: -1 },
    ]);
  });

  it('of two records of one seq and prev, names the first at once, and goes on from the one the next record continues from', () => {
    const twins = (next: number) => {
      const { c, breaks } = checker();
      c.chained(1, 1, GENESIS_PREV, 10);
      c.chained(2, 2, LINKED, 20);
      c.chained(3, 2, SAME_PREV | LINKS_BEFORE, 30);
      expect(breaks).toEqual([{ kind: 'inserted', at: 2, key: 20 }]);
      expect(c.waiting).toBe(false);
      c.chained(4, 3, next, 40);
      c.chained(5, 4, LINKED, 50);
      c.settle();
      return breaks;
    };
    // Continued from the second, or from the first (LINKS_BEFORE): no second break either way.
    expect(twins(LINKED)).toEqual([{ kind: 'inserted', at: 2, key: 20 }]);
    expect(twins(LINKS_BEFORE)).toEqual([{ kind: 'inserted', at: 2, key: 20 }]);
    // From neither: the record the chain went on from (the second) was not continued from.
    expect(twins(0)).toEqual([
      { kind: 'inserted', at: 2, key: 20 },
      { kind: 'modified', at: 3, key: 30 },
    ]);
    // Settled before the next record came (a followed log gone quiet): it still decides.
    const { c, breaks } = checker();
    c.chained(1, 1, GENESIS_PREV, 10);
    c.chained(2, 2, LINKED, 20);
    c.chained(3, 2, SAME_PREV, 30);
    c.settle();
    c.malformedLine(4, 'not JSON'); // passes: only a record decides
    c.chained(5, 3, LINKS_BEFORE, 50);
    expect(breaks).toEqual([{ kind: 'inserted', at: 2, key: 20 }]);
  });

  it('lists malformed lines up to its cap and counts them all', () => {
    const { c } = checker(2);
    for (let line = 1; line <= 3; line++) c.malformedLine(line, 'not JSON');
    expect(c.malformed).toEqual([
      { at: 1, reason: 'not JSON' },
      { at: 2, reason: 'not JSON' },
    ]);
    expect(c.malformedCount).toBe(3);
    expect(checker().c.malformed).toEqual([]); // lists none by default
  });

  it('while a jump waits, a record with a seq before the missing ones is not one of them: the jump is a deletion', () => {
    const { c, breaks } = checker();
    c.chained(1, 1, GENESIS_PREV);
    c.chained(2, 2, LINKED);
    c.chained(3, 4, LINKED); // seq 3 missing
    c.chained(4, 2, 0); // an older seq, held
    expect(c.waiting).toBe(true);
    c.settle();
    expect(breaks.map((b) => [b.kind, b.at])).toEqual([['deleted', 3], ['reordered', 4]]);
  });

  it('after a reordering, the lines held behind the jump and the missing record are checked in turn', () => {
    const { c, breaks } = checker(10);
    c.chained(1, 1, GENESIS_PREV);
    c.chained(2, 2, LINKED);
    c.chained(3, 4, 0); // seq 3 missing for now
    c.malformedLine(4, 'not JSON'); // held
    c.chained(5, 3, 0); // the missing record: a reordering at line 3
    expect(breaks.map((b) => [b.kind, b.at])).toEqual([['reordered', 3], ['reordered', 5]]);
    expect(c.malformed).toEqual([{ at: 4, reason: 'not JSON' }]);
    expect([c.total, c.records]).toEqual([4, 4]);
  });
});
