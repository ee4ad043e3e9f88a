/**
 * The incremental checker kept running past breaks (as the engine runs it): every break of a
 * log is found, the first as verifyChain names it, and the chain goes on after each.
 */
import { describe, expect, it } from 'vitest';
import { ChainChecker, ChainLinker, type FoundBreak } from '../../src/shared/chain-checker.js';
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
