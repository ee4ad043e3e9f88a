import { describe, expect, it } from 'vitest';
import { type ChainLine, hashLine, verifyChain } from '../../src/shared/chain.js';
import { CollectedFilesChanged, inPlanOrder, orderCollected, planCollectedOrder } from '../../src/shared/chain-order.js';
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

  it('never drops a blank line or one over the cap as a duplicate: a record blanked in place is still named modified', () => {
    // (An attacker's review: every blank line hashed alike, so a record blanked after an earlier
    // blank line was dropped as resent, and the break read as a deletion.)
    const c = chain(5);
    const blanked = verifyChain(orderCollected(arrived([c[0], '', c[1], '', c[3], c[4]])).lines);
    expect(blanked.break).toMatchObject({ kind: 'modified', line: 4 });
    const order = orderCollected(arrived([c[0], '', c[1], '', c[2]]));
    expect(order.duplicates).toBe(0);
    expect(texts(order.lines)).toEqual([c[0], '', c[1], '', c[2]]);
    // Lines over the cap stand in for bytes never read, all alike: none is a copy of another.
    const placeholder = 'over the cap';
    const overCap = (line: number): ChainLine => ({ file: 'host-a/audit.log', line, text: placeholder, unreadable: 'line over the 1 MiB cap' });
    const lines = [...arrived([c[0], placeholder, c[1]]).map((l, i) => (i === 1 ? overCap(2) : l)), overCap(4), { file: 'host-a/audit.log', line: 5, text: c[3] }, { file: 'host-a/audit.log', line: 6, text: c[4] }];
    const capped = orderCollected(lines);
    expect(capped.duplicates).toBe(0);
    expect(verifyChain(capped.lines).break).toMatchObject({ kind: 'modified', line: 4 });
    // A line repeated byte for byte that holds something is still a duplicate.
    expect(orderCollected(arrived([c[0], 'junk', c[1], 'junk', c[2]])).duplicates).toBe(1);
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

  it('keeps a record with a seq but no valid prev (unchained by chainFieldsOf) after the record it arrived after', () => {
    // Before, a seq alone was enough to be placed by seq here, while verifyChain called the
    // record unchained.
    const c = chain(3);
    const { prev: _prev, ...noPrev } = JSON.parse(c[0]) as Record<string, unknown>;
    const seqOnly = JSON.stringify({ ...noPrev, pid: 2 });
    const badPrev = JSON.stringify({ ...(JSON.parse(c[0]) as object), prev: 'F'.repeat(64), pid: 3 });
    const order = orderCollected(arrived([c[0], c[1], c[2], seqOnly, badPrev]));
    expect(texts(order.lines)).toEqual([c[0], c[1], c[2], seqOnly, badPrev]);
    expect(order.lateArrivals).toBe(0);
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

  it('puts the first batch back in front when it arrived last', () => {
    const c = chain(6);
    const order = orderCollected(arrived([c[3], c[4], c[5], c[0], c[1], c[2]]));
    expect(texts(order.lines)).toEqual(c);
    expect(order).toMatchObject({ lateArrivals: 3, maxLateness: 5 });
    expect(verifyChain(order.lines).ok).toBe(true);
    // A gap in that chain is still a deletion, where it is.
    const gap = orderCollected(arrived([c[3], c[5], c[0], c[1], c[2]]));
    expect(texts(gap.lines)).toEqual([c[0], c[1], c[2], c[3], c[5]]);
    expect(verifyChain(gap.lines).break).toMatchObject({ kind: 'deleted', line: 2 });
  });

  it('keeps a chain restarted from genesis after the older one, not interleaved', () => {
    const a = chain(5, 'a');
    const b = chain(3, 'b');
    const order = orderCollected(arrived([...a, ...b]));
    expect(texts(order.lines)).toEqual([...a, ...b]);
    expect(order).toMatchObject({ lateArrivals: 0, maxLateness: 0 });
    // The restart is still a fact verify reports, where the new chain begins.
    expect(verifyChain(order.lines).break).toMatchObject({ kind: 'restarted', line: 6 });
  });

  it('puts a late batch of the older chain back into it, after the new chain began', () => {
    const a = chain(5, 'a');
    const b = chain(3, 'b');
    const order = orderCollected(arrived([a[0], a[1], b[0], b[1], a[2], a[3], a[4], b[2]]));
    expect(texts(order.lines)).toEqual([...a, ...b]);
    // a-3 after b-2 is not late: lateness is measured within one chain.
    expect(order).toMatchObject({ lateArrivals: 0, maxLateness: 0 });
    const late = orderCollected(arrived([a[0], a[3], b[0], a[1], a[2], a[4], b[1], b[2]]));
    expect(texts(late.lines)).toEqual([...a, ...b]);
    expect(late).toMatchObject({ lateArrivals: 2, maxLateness: 2 });
  });

  it('keeps an older chain whose start was not collected before a new one from genesis', () => {
    const a = chain(6, 'a');
    const b = chain(2, 'b');
    // a-4 arrived before b's genesis and has no collected predecessor; a-5 and a-6 follow it
    // (by prev) though they arrived after the new chain began.
    const order = orderCollected(arrived([a[3], b[0], a[5], a[4], b[1]]));
    expect(texts(order.lines)).toEqual([a[3], a[4], a[5], b[0], b[1]]);
  });

  it('still names a modified record in a chain after a restart', () => {
    const a = chain(3, 'a');
    const b = chain(4, 'b');
    const forged = b[1].replace('"b-2"', '"b-X"');
    const order = orderCollected(arrived([...a, b[0], forged, b[2], b[3]]));
    expect(texts(order.lines)).toEqual([...a, b[0], forged, b[2], b[3]]);
    // Only the first break is reported: the restart. Without the older chain, the edit.
    expect(verifyChain(order.lines).break?.kind).toBe('restarted');
    expect(verifyChain(orderCollected(arrived([b[0], b[2], forged, b[3]])).lines).break).toMatchObject({ kind: 'modified', line: 3 });
  });

  it('returns nothing for no input', () => {
    expect(orderCollected([])).toEqual({ lines: [], duplicates: 0, lateArrivals: 0, maxLateness: 0 });
  });
});

describe('planCollectedOrder and inPlanOrder: two passes in bounded memory', () => {
  /** Lines as a generator that counts how many were read. */
  function counted(lines: readonly ChainLine[]) {
    const seen = { read: 0 };
    function* gen() {
      for (const l of lines) {
        seen.read++;
        yield l;
      }
    }
    return { seen, gen };
  }

  it('hands lines on as they come when they are in order, holding only those that came early', () => {
    const c = chain(6);
    const lines = arrived([c[0], c[1], c[3], c[4], c[2], c[5]]);
    const plan = planCollectedOrder(lines);
    expect(plan).toMatchObject({ duplicates: 0, lateArrivals: 1, maxLateness: 2 });
    const { seen, gen } = counted(lines);
    const out = inPlanOrder(plan, gen);
    expect(out.next().value?.text).toBe(c[0]);
    expect(seen.read).toBe(1);
    expect(out.next().value?.text).toBe(c[1]);
    // c-3 arrived fifth: the two before it wait, and come right after it.
    expect(out.next().value?.text).toBe(c[2]);
    expect(seen.read).toBe(5);
    expect([...out].map((l) => l.text)).toEqual([c[3], c[4], c[5]]);
  });

  it('holds no more than it may: past that it reads the lines again, as often as it takes', () => {
    const c = chain(8);
    // The worst case: everything arrived in reverse.
    const lines = arrived([...c].reverse());
    const plan = planCollectedOrder(lines);
    let reads = 0;
    const read = () => {
      reads++;
      return lines;
    };
    // Room for two lines at a time: each read hands on the line due and the two after it.
    const out = [...inPlanOrder(plan, read, c[0].length * 2 + 10)];
    expect(out.map((l) => l.text)).toEqual(c);
    expect(verifyChain(out).ok).toBe(true);
    expect(reads).toBe(3);
    // With room for all, once.
    reads = 0;
    expect([...inPlanOrder(plan, read)].map((l) => l.text)).toEqual(c);
    expect(reads).toBe(1);
  });

  it('keeps only the plan: a line appended after the first pass is left for the next run', () => {
    const c = chain(4);
    const plan = planCollectedOrder(arrived(c.slice(0, 3)));
    expect([...inPlanOrder(plan, () => arrived(c))].map((l) => l.text)).toEqual(c.slice(0, 3));
  });

  it('takes the last line whole when it was half written at the first pass (a collector mid-write)', () => {
    const c = chain(3);
    const plan = planCollectedOrder(arrived([c[0], c[1], c[2].slice(0, 20)]));
    const out = [...inPlanOrder(plan, () => arrived(c))];
    expect(out.map((l) => l.text)).toEqual(c);
    expect(verifyChain(out).ok).toBe(true);
  });

  it('stops with CollectedFilesChanged when a line changed or went away between the passes', () => {
    const c = chain(4);
    const plan = planCollectedOrder(arrived(c));
    const edited = [...c.slice(0, 2), `${c[2]} `, c[3]];
    expect(() => [...inPlanOrder(plan, () => arrived(edited))]).toThrow(CollectedFilesChanged);
    expect(() => [...inPlanOrder(plan, () => arrived(c.slice(0, 2)))]).toThrow(/run verify again/);
  });
});
