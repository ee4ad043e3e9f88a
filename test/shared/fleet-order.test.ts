import { describe, expect, it } from 'vitest';
import { type ChainLine, hashLine, verifyChain } from '../../src/shared/chain.js';
import { orderCollected } from '../../src/shared/fleet-order.js';
import { GENESIS_HASH } from '../../src/shared/schema.js';

/** A chain of n records as the writer would produce them (seq 1…n, each prev the hash of the one before). */
function chain(n: number, tag = 'r'): string[] {
  const out: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const text = JSON.stringify({ v: 1, type: 'writer', seq, prev, time: `${tag}-${seq}`, event: 'start', pid: 1 });
    out.push(text);
    prev = hashLine(text);
  }
  return out;
}

/** Lines as they arrived in one collected file. */
const arrived = (texts: readonly string[], file = 'host-a/audit.log'): ChainLine[] => texts.map((text, i) => ({ file, line: i + 1, text }));
const texts = (lines: readonly ChainLine[]) => lines.map((l) => l.text);

describe('orderCollected', () => {
  it('leaves an in-order, duplicate-free stream as it is', () => {
    const c = chain(5);
    const order = orderCollected(arrived(c));
    expect(texts(order.lines)).toEqual(c);
    expect(order).toMatchObject({ duplicates: 0, lateArrivals: 0, maxLateness: 0 });
    expect(verifyChain(order.lines).ok).toBe(true);
  });

  it('drops exact duplicates, counts them and keeps the first arrival', () => {
    const c = chain(4);
    // A batch (records 2–3) resent after a reconnect, and record 4 twice.
    const order = orderCollected(arrived([c[0], c[1], c[2], c[1], c[2], c[3], c[3]]));
    expect(texts(order.lines)).toEqual(c);
    expect(order.duplicates).toBe(3);
    expect(order.lines.map((l) => l.line)).toEqual([1, 2, 3, 6]);
    expect(verifyChain(order.lines).ok).toBe(true);
  });

  it('puts a batch that arrived late back in seq order and measures how late', () => {
    const c = chain(8);
    // Batch 3–5 was retried and arrived after 6–8.
    const order = orderCollected(arrived([c[0], c[1], c[5], c[6], c[7], c[2], c[3], c[4]]));
    expect(texts(order.lines)).toEqual(c);
    expect(order.lateArrivals).toBe(3);
    expect(order.maxLateness).toBe(5); // seq 3 arrived after seq 8
    expect(order.duplicates).toBe(0);
    expect(verifyChain(order.lines).ok).toBe(true);
  });

  it('handles late batches and duplicates together, across files', () => {
    const c = chain(6);
    const first = arrived([c[0], c[3], c[4]], 'host-a/audit.log.1');
    const second = arrived([c[1], c[2], c[3], c[5], c[5]], 'host-a/audit.log');
    const order = orderCollected([...first, ...second]);
    expect(texts(order.lines)).toEqual(c);
    expect(order.duplicates).toBe(2);
    expect(order.lateArrivals).toBe(2);
    expect(order.lines.find((l) => l.text === c[3])).toMatchObject({ file: 'host-a/audit.log.1', line: 2 });
  });

  it('keeps a line without seq right after the record it arrived after', () => {
    const c = chain(4);
    const torn = c[2].slice(0, 20); // a fragment: not a record
    const order = orderCollected(arrived([c[0], c[2], torn, c[3], c[1]]));
    expect(texts(order.lines)).toEqual([c[0], c[1], c[2], torn, c[3]]);
  });

  it('keeps lines without seq that came before any record at the front', () => {
    const c = chain(2);
    const foreign = JSON.stringify({ v: 1, type: 'writer', time: 't', event: 'start', pid: 9 });
    const order = orderCollected(arrived(['not json', foreign, c[1], c[0]]));
    expect(texts(order.lines)).toEqual(['not json', foreign, c[0], c[1]]);
  });

  it('does not hide a modified record: verifyChain still names it after ordering', () => {
    const c = chain(5);
    const forged = c[2].replace('"r-3"', '"r-X"');
    const order = orderCollected(arrived([c[0], c[1], c[3], forged, c[4]]));
    expect(texts(order.lines)).toEqual([c[0], c[1], forged, c[3], c[4]]);
    const report = verifyChain(order.lines);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'modified', line: 4 });
  });

  it('does not hide a deleted record: the gap is still reported', () => {
    const c = chain(5);
    const report = verifyChain(orderCollected(arrived([c[0], c[3], c[1], c[4]])).lines);
    expect(report.break?.kind).toBe('deleted');
  });

  it('keeps two different records with the same seq (a forged copy) in arrival order', () => {
    const c = chain(3);
    const copy = c[1].replace('"r-2"', '"r-Y"');
    const order = orderCollected(arrived([c[0], copy, c[2], c[1]]));
    expect(texts(order.lines)).toEqual([c[0], copy, c[1], c[2]]);
    expect(order.duplicates).toBe(0);
    expect(verifyChain(order.lines).ok).toBe(false);
  });

  it('treats lines that differ only in trailing bytes as different lines', () => {
    const c = chain(1);
    const order = orderCollected(arrived([c[0], `${c[0]} `, c[0]]));
    expect(order.duplicates).toBe(1);
    expect(order.lines).toHaveLength(2);
  });

  it('returns nothing for no input', () => {
    expect(orderCollected([])).toEqual({ lines: [], duplicates: 0, lateArrivals: 0, maxLateness: 0 });
  });
});
