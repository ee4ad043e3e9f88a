/**
 * `verifyChain` on logs written by the real writer, then tampered with on disk: each kind of
 * break is reported at the line that caused it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChainedRecord, type ChainLine, chainFieldsOf, classifyChainLine, chainFieldsOfLine, hashLine, hashLineAt, isChainPrev, isChainPrevBytes, isChainSeq, LOOKAHEAD, MALFORMED_LISTED, verifyChain } from '../../src/shared/chain.js';
import { ChainChecker, ChainLinker } from '../../src/shared/chain-checker.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';
import { openAuditLog } from '../../src/writer/index.js';
import { chainLinesOf, makeTempDirFactory, readLines, sampleRequest } from '../writer/helpers.js';

const tempDir = makeTempDirFactory('spa-chain');

/** A log of 12 lines (start, req-1 … req-10, stop) written by the writer; seq n is on line n. */
function writtenLog(records = 10): { file: string; lines: string[] } {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: () => {} });
  for (let i = 1; i <= records; i++) log.request(sampleRequest(i));
  log.close();
  return { file, lines: readLines(file) };
}

function rewrite(file: string, lines: readonly string[]): void {
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

const verify = (files: readonly string[], options?: { expectHead?: string }) => verifyChain(chainLinesOf(files), options);

describe('verifyChain', () => {
  it('accepts an intact log and reports its head', () => {
    const { file, lines } = writtenLog();
    const report = verify([file]);
    expect(report).toEqual({
      ok: true,
      records: 12,
      unchained: 0,
      malformed: [],
      malformedCount: 0,
      head: hashLine(lines[11]),
      firstSeq: 1,
      lastSeq: 12,
      break: null,
    });
  });

  it('names a line with one byte changed as modified', () => {
    const { file, lines } = writtenLog();
    const at = lines[5].indexOf('check why');
    expect(at).toBeGreaterThan(0);
    lines[5] = `${lines[5].slice(0, at)}C${lines[5].slice(at + 1)}`; // "check" → "Check"
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'modified', file, line: 6 });
  });

  it('names a line edited into something that is not JSON as modified, not as a deletion', () => {
    const { file, lines } = writtenLog();
    lines[5] = lines[5].slice(0, -1); // the closing brace removed
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'modified', file, line: 6 });
  });

  it('reports a deleted line at the record after the gap', () => {
    const { file, lines } = writtenLog();
    lines.splice(5, 1); // seq 6 gone
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'deleted', file, line: 6 });
    expect(report.break?.message).toMatch(/seq 6/);
  });

  it('names a forged line inserted with a recomputed chain as inserted', () => {
    const { file, lines } = writtenLog();
    const original = JSON.parse(lines[5]) as Record<string, unknown>;
    const forged = JSON.stringify({ ...original, seq: (original.seq as number) + 1, prev: hashLine(lines[5]), id: 'forged', reason: 'nothing to see' });
    lines.splice(6, 0, forged); // line 7
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'inserted', file, line: 7 });
  });

  it('a forged copy beside the record it copies, after it or before it: the two named, at the first, in words that claim neither', () => {
    // (Attackers' reviews: the copy after the record got the genuine one named as the copy; and
    // naming the one the next record does not continue from vouched for a forged record placed
    // ahead of the genuine one, the next record rewired to it.)
    const { file, lines } = writtenLog();
    const forged = lines[5].replace('check why', 'nothing here');
    expect(forged).not.toBe(lines[5]);
    lines.splice(6, 0, forged); // line 7, after seq 6 on line 6
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.break).toMatchObject({ kind: 'inserted', file, line: 6 });
    expect(report.break?.message).toBe(`${file}:6 and ${file}:7 carry the same seq 6 and the same prev: one of them is not from the chain`);
    // Past the first break: the next record continues from line 6, and the chain goes on from it unbroken.
    const breaks: string[] = [];
    const checker = new ChainChecker<number>({ onBreak: (b) => breaks.push(`${b.kind} ${b.at}`) });
    const linker = new ChainLinker();
    lines.forEach((l, i) => {
      const c = classifyChainLine(Buffer.from(l));
      if (c.kind === 'chained') checker.chained(i + 1, c.seq, linker.link(c.prev, c.hash));
    });
    checker.settle();
    expect(breaks).toEqual(['inserted 6']);
    // The copy ahead of the record: the copy is named, as before.
    const ahead = writtenLog();
    ahead.lines.splice(5, 0, ahead.lines[5].replace('check why', 'nothing here')); // line 6, before the genuine seq 6 (now line 7)
    rewrite(ahead.file, ahead.lines);
    expect(verify([ahead.file]).break).toMatchObject({ kind: 'inserted', file: ahead.file, line: 6 });
    // Ahead of the record, the next record rewired to continue from the copy: still the first of the two, the copy.
    const rewired = writtenLog();
    const copy = rewired.lines[5].replace('check why', 'nothing here');
    const next = rewired.lines[6];
    rewired.lines[6] = next.replace(`"prev":"${hashLine(rewired.lines[5])}"`, `"prev":"${hashLine(copy)}"`);
    expect(rewired.lines[6]).not.toBe(next);
    rewired.lines.splice(5, 0, copy);
    rewrite(rewired.file, rewired.lines);
    expect(verify([rewired.file]).break).toMatchObject({ kind: 'inserted', file: rewired.file, line: 6 });
  });

  it('a record edited and a copy of the original placed after it: the edited one is named, never cleared by the copy', () => {
    // The attack the copy's naming must not open: edit seq 6, then add a copy to take the blame.
    const { file, lines } = writtenLog();
    const genuine = lines[5];
    lines[5] = genuine.replace('check why', 'nothing here');
    // The untouched original after it: the next record continues from that copy.
    lines.splice(6, 0, genuine);
    rewrite(file, lines);
    expect(verify([file]).break).toMatchObject({ kind: 'inserted', file, line: 6 });
    // An edited copy after it, too: the next continues from neither, and the first is named.
    const both = writtenLog();
    const original = both.lines[5];
    both.lines[5] = original.replace('check why', 'nothing here');
    both.lines.splice(6, 0, original.replace('check why', 'anything else'));
    rewrite(both.file, both.lines);
    expect(verify([both.file]).break).toMatchObject({ kind: 'inserted', file: both.file, line: 6 });
  });

  it('reports two swapped lines as reordered', () => {
    const { file, lines } = writtenLog();
    [lines[5], lines[6]] = [lines[6], lines[5]];
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'reordered', file, line: 6 });
  });

  it('reports a record without chain fields inside the chain as inserted', () => {
    const { file, lines } = writtenLog();
    const { seq: _seq, prev: _prev, ...unchained } = JSON.parse(lines[5]) as Record<string, unknown>;
    lines.splice(8, 0, JSON.stringify({ ...unchained, id: 'sneaked-in' })); // line 9
    rewrite(file, lines);
    const report = verify([file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'inserted', file, line: 9 });
  });

  it('accepts records without chain fields before the chain starts', () => {
    const { file, lines } = writtenLog(2);
    const { seq: _seq, prev: _prev, ...unchained } = JSON.parse(lines[1]) as Record<string, unknown>;
    rewrite(file, [JSON.stringify(unchained), ...lines]);
    expect(verify([file])).toMatchObject({ ok: true, unchained: 1, records: 4 });
  });

  it('lists a torn line that the next record skips, and stays ok', () => {
    const { file } = writtenLog(3);
    fs.appendFileSync(file, '{"v":1,"type":"request","seq":6,"pr'); // a crash mid-append
    const log = openAuditLog({ path: file, warn: () => {} });
    log.request(sampleRequest(4));
    log.close();
    const report = verify([file]);
    expect(report.break).toBeNull();
    expect(report).toMatchObject({ ok: true, records: 8, malformed: [{ file, line: 6 }], lastSeq: 8 });
  });

  it('reports a whole middle file dropped from a rotated set as deleted', () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {}, rotationCheckMs: 0 }); // renames within one ms
    const rotate = () => {
      if (fs.existsSync(`${file}.1`)) fs.renameSync(`${file}.1`, `${file}.2`);
      fs.renameSync(file, `${file}.1`);
    };
    for (let i = 1; i <= 3; i++) log.request(sampleRequest(i));
    rotate();
    for (let i = 4; i <= 6; i++) log.request(sampleRequest(i));
    rotate();
    for (let i = 7; i <= 9; i++) log.request(sampleRequest(i));
    log.close();

    const all = [`${file}.2`, `${file}.1`, file];
    expect(verify(all)).toMatchObject({ ok: true, records: 11, break: null });
    const report = verify([`${file}.2`, file]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'deleted', file, line: 1 });
    expect(report.break?.message).toMatch(/3 records \(seq 5–7\)/);
  });

  it('reports a new chain starting after an old one as restarted', () => {
    const dir = tempDir();
    const older = writtenLog(2).file;
    const newer = path.join(dir, 'audit.log'); // no PATH.1 beside it: the writer starts from genesis
    const log = openAuditLog({ path: newer, warn: () => {} });
    log.close();
    const report = verify([older, newer]);
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'restarted', file: newer, line: 1 });
  });

  it('checks the tail against a witnessed head', () => {
    const { file, lines } = writtenLog();
    const head = verify([file]).head as string;
    expect(head).toBe(hashLine(lines[11]));
    expect(verify([file], { expectHead: head })).toMatchObject({ ok: true, break: null });
    // The log grew after the witness was taken: the witnessed head is still inside it.
    expect(verify([file], { expectHead: hashLine(lines[8]) }).ok).toBe(true);

    rewrite(file, lines.slice(0, 10)); // the last two records cut off
    const report = verify([file], { expectHead: head });
    expect(report.ok).toBe(false);
    expect(report.break).toMatchObject({ kind: 'deleted', file, line: 10 });
    expect(verify([file]).ok).toBe(true); // without the witness, a truncated tail is invisible
  });
});

describe('hashLineAt', () => {
  it('hashes exactly the bytes [start, end) of a view that starts inside its buffer', () => {
    const backing = new TextEncoder().encode('xx{"seq":1}\n{"seq":2}\nyy');
    const view = backing.subarray(2); // byteOffset 2: the window is relative to the view
    expect(hashLineAt(view, 0, 9)).toBe(hashLine('{"seq":1}'));
    expect(hashLineAt(view, 10, 19)).toBe(hashLine('{"seq":2}'));
    expect(hashLineAt(view, 10, 19)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('chainFieldsOf: one rule for every reader', () => {
  const hex = 'ab'.repeat(32);
  it('is chained with a positive safe integer seq and a 64-lowercase-hex prev, and nothing else', () => {
    expect(chainFieldsOf({ seq: 1, prev: GENESIS_HASH })).toEqual({ seq: 1, prev: GENESIS_HASH });
    expect(chainFieldsOf({ v: 1, type: 'writer', seq: 2 ** 53 - 1, prev: hex, extra: [] })).toEqual({ seq: 2 ** 53 - 1, prev: hex });
    expect(chainFieldsOf({ seq: 1.0, prev: hex })).toEqual({ seq: 1, prev: hex }); // JSON's 1.0 is 1
  });

  // Each of these was read differently before by at least two of: verifyChain (any integer
  // seq, any string prev), the collected-host order (seq alone was enough), the writer resuming
  // a log (any integer seq > 0, prev ignored), parseLine and the byte scanner (seq alone gave an
  // entry a seq while marking it unchained). Now all of them: unchained.
  it.each([
    ['seq without prev', { seq: 5 }],
    ['prev without seq', { prev: hex }],
    ['prev null', { seq: 5, prev: null }],
    ['seq 0', { seq: 0, prev: hex }],
    ['negative seq', { seq: -1, prev: hex }],
    ['fractional seq', { seq: 1.5, prev: hex }],
    ['seq past 2^53', { seq: 2 ** 53, prev: hex }],
    ['seq as a string', { seq: '1', prev: hex }],
    ['prev in capitals', { seq: 5, prev: hex.toUpperCase() }],
    ['prev too short', { seq: 5, prev: hex.slice(1) }],
    ['prev not hex', { seq: 5, prev: 'abc' }],
    ['prev as an array (reads as hex once made a string)', { seq: 5, prev: [hex] }],
    ['no chain fields', { v: 1, type: 'writer' }],
  ])('%s is unchained', (_, record) => {
    expect(chainFieldsOf(record)).toBeNull();
    expect(chainFieldsOfLine(JSON.stringify(record))).toBeNull();
  });

  it('is null for what is not a record', () => {
    for (const value of [null, 5, 'seq', [1, hex], undefined]) expect(chainFieldsOf(value)).toBeNull();
    for (const text of ['', 'not json', '{"seq":1,"prev":"', 'null', '[]']) expect(chainFieldsOfLine(text)).toBeNull();
  });

  it('reads prev from bytes as it does from a string', () => {
    for (const prev of [hex, GENESIS_HASH, hex.toUpperCase(), hex.slice(1), `${hex}0`, `${hex.slice(1)}g`, '']) {
      const bytes = Buffer.from(`"${prev}"`);
      expect(isChainPrevBytes(bytes, 1, bytes.length - 1), prev).toBe(isChainPrev(prev));
    }
    expect([1, 2 ** 53 - 1, 0, -1, 1.5, 2 ** 53, Number.NaN, '1'].map(isChainSeq)).toEqual([true, true, false, false, false, false, false, false]);
  });

  it('takes as prev exactly 64 lowercase hex digits: not a character whose low byte is one (š is U+0161), nor a non-string', () => {
    expect(isChainPrev(hex)).toBe(true);
    for (const prev of [`${hex.slice(1)}\u0161`, `\u0130${hex.slice(1)}`, `${hex.slice(1)}\u0000`, `${hex.slice(2)}\ud83d\ude00`, null, 64, [hex]]) expect(isChainPrev(prev), String(prev)).toBe(false);
  });

  it('verifyChain: a record whose chain fields break the rule is unchained, inside the chain an inserted line', () => {
    // Before, verifyChain took any integer seq and any string prev as chained, and named
    // such a line `reordered` or named the line before it `modified`.
    for (const edit of [{ seq: 0 }, { seq: 2 ** 53 }, { prev: 'abc' }, { prev: 'F'.repeat(64) }]) {
      const { file, lines } = writtenLog();
      lines[5] = JSON.stringify({ ...(JSON.parse(lines[5]) as object), ...edit });
      rewrite(file, lines);
      const report = verify([file]);
      expect(report.break, JSON.stringify(edit)).toMatchObject({ kind: 'inserted', file, line: 6 });
      expect(report.break?.message).toMatch(/no valid chain fields/);
    }
  });

  it('verifyChain: before the chain starts, such a record is counted as unchained, as one without the fields', () => {
    const { file, lines } = writtenLog(2);
    const foreign = { ...(JSON.parse(lines[1]) as object), seq: 0, prev: 'x' };
    rewrite(file, [JSON.stringify(foreign), ...lines]);
    expect(verify([file])).toMatchObject({ ok: true, unchained: 1, records: 4, firstSeq: 1 });
  });
});

/**
 * Fixed cases for verifyChain's guards, on hand-built records: each names the break a
 * weakened check would get wrong (a guard's `&&` read as `||`, the integer check on seq
 * dropped), and the inputs a forger controls fully (a huge seq, JSON that is not an object).
 */
describe('verifyChain guards', () => {
  const FILE = 'audit.log';
  const at = (texts: readonly string[]): ChainLine[] => texts.map((text, i) => ({ file: FILE, line: i + 1, text }));
  /** `n` records chained from genesis, `{"seq":k,"prev":…,"n":k}`. */
  function chained(n: number): string[] {
    const lines: string[] = [];
    for (let seq = 1; seq <= n; seq++) lines.push(JSON.stringify({ seq, prev: seq === 1 ? GENESIS_HASH : hashLine(lines[seq - 2]), n: seq }));
    return lines;
  }
  const record = (seq: unknown, prev: unknown) => JSON.stringify({ seq, prev, forged: true });
  const three = chained(3);

  it('a forged record with seq 2^40 is named at once as a deletion, without counting to it', () => {
    const report = verifyChain(at([...three, record(2 ** 40, hashLine(three[2]))]));
    expect(report.break).toMatchObject({ kind: 'deleted', file: FILE, line: 4 });
    expect(report.break?.message).toContain(`seq 4–${2 ** 40 - 1}`);
  });

  it.each([
    ['null', 'not a JSON object'],
    ['[1,2]', 'not a JSON object'],
    ['5', 'not a JSON object'],
    ['"text"', 'not a JSON object'],
    ['{"seq":', 'not JSON'],
    ['', 'blank line'],
    [' \t\r', 'blank line'],
    ['\u00a0', 'not JSON'],
  ])('the line %j is malformed (%s), not a record', (text, reason) => {
    const report = verifyChain(at([text, ...three]));
    expect(report).toMatchObject({ ok: true, records: 3, unchained: 0, malformedCount: 1, malformed: [{ file: FILE, line: 1, reason }] });
  });

  it('a record with only seq, or only prev, is unchained: counted before the chain, an inserted line inside it', () => {
    for (const lone of [JSON.stringify({ seq: 4 }), JSON.stringify({ prev: hashLine(three[2]) })]) {
      expect(verifyChain(at([lone, ...three])), lone).toMatchObject({ ok: true, unchained: 1, records: 3 });
      expect(verifyChain(at([...three, lone])).break, lone).toMatchObject({ kind: 'inserted', line: 4 });
    }
  });

  it('a fractional seq is not a chain position: the record is an inserted line, not a reordering', () => {
    expect(verifyChain(at([...three, record(3.5, hashLine(three[2]))])).break).toMatchObject({ kind: 'inserted', line: 4 });
  });

  it('the same seq as the last record but another prev is out of order, not a forged copy of it', () => {
    expect(verifyChain(at([...three, record(3, hashLine(three[2]))])).break).toMatchObject({ kind: 'reordered', line: 4 });
  });

  it('the same prev as the last record but a later seq is a deletion, not a forged copy of it', () => {
    expect(verifyChain(at([...three, record(5, hashLine(three[1]))])).break).toMatchObject({ kind: 'deleted', line: 4 });
  });

  it('the same prev as the last record but the next seq, or an earlier one, is a modification or a reordering, not a forged copy', () => {
    expect(verifyChain(at([...three, record(4, hashLine(three[1]))])).break).toMatchObject({ kind: 'modified', line: 3 });
    expect(verifyChain(at([...three, record(2, hashLine(three[1]))])).break).toMatchObject({ kind: 'reordered', line: 4 });
  });

  it('a forged copy (same seq and prev as the last record) names the last record as inserted', () => {
    expect(verifyChain(at([...three, record(3, hashLine(three[1]))])).break).toMatchObject({ kind: 'inserted', line: 3 });
  });

  it('a restart needs both seq 1 and the genesis prev: either alone is a reordering or a modification', () => {
    expect(verifyChain(at([...three, record(1, hashLine(three[2]))])).break).toMatchObject({ kind: 'reordered', line: 4 });
    expect(verifyChain(at([...three, record(4, GENESIS_HASH)])).break).toMatchObject({ kind: 'modified', line: 3 });
    expect(verifyChain(at([...three, record(1, GENESIS_HASH)])).break).toMatchObject({ kind: 'restarted', line: 4 });
  });

  it('a record made invalid UTF-8 is listed with its reason and still hashed by its bytes', () => {
    const second = JSON.stringify({ seq: 2, prev: hashLine(three[0]), note: 'x\ufffdy' });
    const third = JSON.stringify({ seq: 3, prev: hashLine(second) });
    // U+FFFD (ef bf bd) replaced by the byte ff: decoded, the text is the same as before.
    const forged = Buffer.from(second.replace('\ufffd', '\u0001'));
    forged[forged.indexOf(1)] = 0xff;
    expect(verifyChain(at([three[0], second, third])).ok).toBe(true);
    const report = verifyChain([...at([three[0]]), { file: FILE, line: 2, text: forged }, ...at([third]).map((l) => ({ ...l, line: 3 }))]);
    expect(report.malformed).toEqual([{ file: FILE, line: 2, reason: 'not valid UTF-8' }]);
    expect(report.break).toMatchObject({ kind: 'modified', line: 2 });
  });

  it('counts every malformed line but lists only the first MALFORMED_LISTED', () => {
    const report = verifyChain(at([...three, ...Array.from({ length: MALFORMED_LISTED + 5 }, () => '')]));
    expect(report.malformedCount).toBe(MALFORMED_LISTED + 5);
    expect(report.malformed).toHaveLength(MALFORMED_LISTED);
    expect(report.malformed[MALFORMED_LISTED - 1]).toEqual({ file: FILE, line: 3 + MALFORMED_LISTED, reason: 'blank line' });
  });

  it('names each break in a sentence that says where, with the seq and the lines involved', () => {
    const five = chained(5);
    const cases: [string[], string][] = [
      [[...three, record(1, GENESIS_HASH)], 'a new chain starts at audit.log:4 after seq 3 at audit.log:3'],
      [[...three, record(3, hashLine(three[1]))], 'audit.log:3 and audit.log:4 carry the same seq 3 and the same prev: one of them is not from the chain'],
      [[...three, record(4, GENESIS_HASH)], 'audit.log:3 (seq 3) was modified: its hash no longer matches the prev recorded by audit.log:4'],
      [[...three, record(5, hashLine(three[2]))], '1 record (seq 4) missing between audit.log:3 and audit.log:4'],
      [[...three, record(6, hashLine(three[2]))], '2 records (seq 4–5) missing between audit.log:3 and audit.log:4'],
      [[...three, record(2, hashLine(three[2]))], 'audit.log:4 (seq 2) comes after seq 3 at audit.log:3: records are out of order'],
      // The first of the missing records found ahead is named (seq 5, not seq 4).
      [[five[0], five[1], five[2], chained(6)[5], five[4], five[3]], 'audit.log:4 (seq 6) comes before audit.log:5 (seq 5): records are out of order'],
      [[...three, 'garbage', record(5, 'a'.repeat(64))], 'audit.log:4 (seq 4) was modified: it is no longer a record, and audit.log:5 continues after it'],
      [[...three, JSON.stringify({ n: 4 })], 'audit.log:4 carries no valid chain fields (seq, prev) inside the chain that runs through audit.log:3'],
    ];
    for (const [lines, message] of cases) expect(verifyChain(at(lines)).break?.message).toBe(message);
    const head = hashLine('a line that was never written');
    expect(verifyChain(at(three), { expectHead: head }).break).toEqual({
      kind: 'deleted',
      file: FILE,
      line: 3,
      message: `the expected head ${head.slice(0, 16)}… is not in the log: its tail was truncated or rewritten`,
    });
  });

  it('an empty log has no head, and a witnessed head is not in it', () => {
    const empty = { ok: true, records: 0, unchained: 0, malformed: [], malformedCount: 0, head: null, firstSeq: null, lastSeq: null, break: null };
    expect(verifyChain([])).toEqual(empty);
    expect(verifyChain(at([JSON.stringify({ n: 1 })]))).toEqual({ ...empty, unchained: 1 });
    expect(verifyChain([], { expectHead: hashLine(three[0]) }).break).toMatchObject({ kind: 'deleted', file: '(none)', line: 0 });
  });

  it('two records edited into garbage: the first of them is named as modified', () => {
    const five = chained(5);
    const report = verifyChain(at([five[0], five[1], 'garbage', '{"seq":4', five[4]]));
    expect(report.break).toMatchObject({ kind: 'modified', line: 3 });
    expect(report.break?.message).toContain('(seq 3)');
  });

  it('garbage where records are missing: the last LOOKAHEAD of those lines can be named, past that it is a deletion', () => {
    const garbage = (n: number) => Array.from({ length: n }, () => 'garbage');
    // As many garbled lines as missing records, LOOKAHEAD of them: the first is the edit.
    const within = verifyChain(at([...three, ...garbage(LOOKAHEAD), record(3 + LOOKAHEAD + 1, 'a'.repeat(64))]));
    expect(within.break).toMatchObject({ kind: 'modified', line: 4 });
    // One more: where the edit was is no longer known.
    const past = verifyChain(at([...three, ...garbage(LOOKAHEAD + 1), record(3 + LOOKAHEAD + 2, 'a'.repeat(64))]));
    expect(past.break).toMatchObject({ kind: 'deleted', line: 3 + LOOKAHEAD + 2 });
    expect(past.break?.message).toBe(`${LOOKAHEAD + 1} records (seq 4–${LOOKAHEAD + 4}) missing between audit.log:3 and audit.log:${LOOKAHEAD + 5}`);
    // One missing record after many garbled lines: the last of them.
    expect(verifyChain(at([...three, ...garbage(LOOKAHEAD + 1), record(5, 'a'.repeat(64))])).break).toMatchObject({ kind: 'modified', line: 3 + LOOKAHEAD + 1 });
  });

  it('looks LOOKAHEAD lines ahead for a missing record, garbage included, and no further', () => {
    const blanks = (n: number) => Array.from({ length: n }, () => '');
    const early = record(5, hashLine(three[2])); // line 4; seq 4 comes later
    const late = record(4, hashLine(three[2]));
    expect(verifyChain(at([...three, early, ...blanks(LOOKAHEAD - 1), late])).break).toMatchObject({ kind: 'reordered', line: 4 });
    expect(verifyChain(at([...three, early, ...blanks(LOOKAHEAD), late])).break).toMatchObject({ kind: 'deleted', line: 4 });
  });

  it('looks for the first LOOKAHEAD missing seqs only, and never for the seq of the record that skipped them', () => {
    const jump = record(3 + LOOKAHEAD + 2, 'a'.repeat(64)); // seq 4 … LOOKAHEAD + 4 missing
    expect(verifyChain(at([...three, jump, record(LOOKAHEAD + 3, 'b'.repeat(64))])).break).toMatchObject({ kind: 'reordered', line: 4 });
    expect(verifyChain(at([...three, jump, record(LOOKAHEAD + 4, 'b'.repeat(64))])).break).toMatchObject({ kind: 'deleted', line: 4 });
    // A duplicate of the record after a gap is not one of the missing records.
    expect(verifyChain(at([...three, record(5, 'a'.repeat(64)), record(5, 'b'.repeat(64))])).break).toMatchObject({ kind: 'deleted', line: 4 });
  });

  it('reads lines given as bytes: UTF-8 ones as their text, the others listed, and hashed as they are', () => {
    const asBytes = (lines: readonly ChainLine[]) => lines.map((l) => ({ ...l, text: Buffer.from(l.text as string) }));
    expect(verifyChain(asBytes(at(three)))).toMatchObject({ ok: true, records: 3, malformed: [], head: hashLine(three[2]) });
    expect(chainFieldsOfLine(new TextEncoder().encode(three[1]))).toEqual({ seq: 2, prev: hashLine(three[0]) }); // not a Buffer: no toString() to hide behind

    // A chained record whose bytes are not UTF-8, and whose successor hashed those bytes: listed, and the chain holds.
    const second = Buffer.from(JSON.stringify({ seq: 2, prev: hashLine(three[0]), note: 'x#y' }));
    second[second.indexOf('#')] = 0xff;
    const third = JSON.stringify({ seq: 3, prev: hashLine(second) });
    const report = verifyChain([{ file: FILE, line: 1, text: three[0] }, { file: FILE, line: 2, text: second }, { file: FILE, line: 3, text: third }]);
    expect(report).toMatchObject({ ok: true, records: 3, malformed: [{ file: FILE, line: 2, reason: 'not valid UTF-8' }], head: hashLine(third) });

    // Not UTF-8 and without chain fields: malformed, not an unchained record.
    const foreign = Buffer.from('{"note":"x#"}');
    foreign[foreign.indexOf('#')] = 0xff;
    expect(verifyChain([{ file: FILE, line: 1, text: foreign }])).toMatchObject({ ok: true, unchained: 0, malformed: [{ line: 1, reason: 'not valid UTF-8' }] });
  });

  it('a line the reader could not hand over is malformed for the reader\'s reason, whatever its text', () => {
    const lines = at(three);
    lines[1] = { ...lines[1], unreadable: 'over the 1 MiB line cap' };
    const report = verifyChain(lines);
    expect(report.malformed).toEqual([{ file: FILE, line: 2, reason: 'over the 1 MiB line cap' }]);
    expect(report.break).toMatchObject({ kind: 'modified', line: 2 });
  });
});

/**
 * Fixed cases for what the chain sees of one line (classifyChainLine, which the engine's
 * readers call too) and for what verifyChain hands on and reports as of its first break.
 */
describe('classifyChainLine: each kind of line, named as every reader names it', () => {
  const hex = 'ab'.repeat(32);
  /** The bytes of `text` with the `#` in it replaced by 0xff: not UTF-8. */
  const notUtf8 = (text: string): Uint8Array => {
    const b = Buffer.from(text);
    b[b.indexOf('#')] = 0xff;
    return b;
  };

  it.each<[string, string | Uint8Array, string | undefined, string]>([
    ['a line the reader could not hand over', '{"seq":1}', 'over the 1 MiB line cap', 'over the 1 MiB line cap'],
    ['a blank line', ' \t', undefined, 'blank line'],
    ['a line that is not JSON', '{"seq":', undefined, 'not JSON'],
    ['a line with a NUL in it', '{"seq":1\u0000}', undefined, 'contains NUL bytes'],
    ['a line of NUL bytes alone', '\u0000\u0000\u0000', undefined, 'NUL padding: 3 bytes'],
    ['bytes that are not UTF-8 and not JSON', notUtf8('{"note":#'), undefined, 'not valid UTF-8'],
    ['bytes with a NUL that are not UTF-8 either', notUtf8('#\u0000'), undefined, 'contains NUL bytes'],
    ['JSON that is not an object', '[1,2]', undefined, 'not a JSON object'],
    ['JSON that is not an object, in bytes that are not UTF-8', notUtf8('"#"'), undefined, 'not valid UTF-8'],
    ['an object without chain fields, in bytes that are not UTF-8', notUtf8('{"note":"#"}'), undefined, 'not valid UTF-8'],
  ])('%s is malformed, with its reason', (_, bytes, unreadable, reason) => {
    expect(classifyChainLine(bytes, unreadable)).toEqual({ kind: 'malformed', reason });
  });

  it('a record with chain fields is chained, with its prev, the hash of its bytes, its writer time and whether it is a seal', () => {
    const line = JSON.stringify({ v: 1, type: 'seal', seq: 7, prev: hex, logged: '2026-01-01T00:00:00.000Z' });
    expect(classifyChainLine(line)).toEqual({ kind: 'chained', seq: 7, prev: hex, hash: hashLine(line), reason: null, logged: '2026-01-01T00:00:00.000Z', isSeal: true });
    // A `logged` that is not a string is no writer time; a type other than seal is no seal.
    const other = JSON.stringify({ v: 1, type: 'request', seq: 7, prev: hex, logged: 5 });
    expect(classifyChainLine(other)).toEqual({ kind: 'chained', seq: 7, prev: hex, hash: hashLine(other), reason: null, logged: undefined, isSeal: false });
    expect(classifyChainLine(JSON.stringify({ seq: 7, prev: hex }))).toMatchObject({ kind: 'chained', logged: undefined, isSeal: false });
  });

  it('a record without chain fields is unchained, with the judge\'s reason when it has one', () => {
    expect(classifyChainLine('{"n":1}')).toEqual({ kind: 'unchained', reason: null });
    expect(classifyChainLine('{"n":1}', undefined, () => 'wrong n')).toEqual({ kind: 'unchained', reason: 'wrong n' });
  });
});

describe('verifyChain: what it hands on, and its report as of the first break', () => {
  const FILE = 'audit.log';
  const at = (texts: readonly (string | Uint8Array)[]): ChainLine[] => texts.map((text, i) => ({ file: FILE, line: i + 1, text }));
  function chained(n: number, extra: (seq: number) => object = () => ({})): string[] {
    const lines: string[] = [];
    for (let seq = 1; seq <= n; seq++) lines.push(JSON.stringify({ seq, prev: seq === 1 ? GENESIS_HASH : hashLine(lines[seq - 2]), ...extra(seq) }));
    return lines;
  }

  it('onRecord is given each chained record in order, with its place, its writer time and a seal\'s bytes', () => {
    const lines = chained(3, (seq) => (seq === 2 ? { type: 'seal', logged: 'L2' } : { type: 'request' }));
    const seen: ChainedRecord[] = [];
    verifyChain(at(['{"n":0}', ...lines]), { onRecord: (r) => seen.push(r) });
    expect(seen).toEqual([
      { seq: 1, file: FILE, line: 2, logged: undefined, seal: null },
      { seq: 2, file: FILE, line: 3, logged: 'L2', seal: lines[1] },
      { seq: 3, file: FILE, line: 4, logged: undefined, seal: null },
    ]);
  });

  it('onRecord keeps a copy of a seal given as bytes: the reader may reuse its buffer', () => {
    const [first, seal] = chained(2, (seq) => (seq === 2 ? { type: 'seal' } : {}));
    const buffer = Buffer.from(seal);
    const seals: (string | Uint8Array | null)[] = [];
    verifyChain([...at([first]), { file: FILE, line: 2, text: buffer }], { onRecord: (r) => seals.push(r.seal) });
    buffer.fill(0x20); // the reader reuses its buffer
    expect(seals[0]).toBeNull();
    expect(seals[1]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(seals[1] as Uint8Array).toString()).toBe(seal);
  });

  it('onRecord is not given the record at the first break, nor any after it', () => {
    const lines = chained(5);
    lines[3] = JSON.stringify({ seq: 4, prev: GENESIS_HASH }); // line 3 named modified at line 4
    const seen: number[] = [];
    const report = verifyChain(at(lines), { onRecord: (r) => seen.push(r.seq) });
    expect(report.break).toMatchObject({ kind: 'modified', line: 3 });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops reading lines at the first break', () => {
    const lines = chained(6);
    lines[2] = lines[2].replace('}', ',"x":1}'); // line 3 modified: line 4 says so
    let read = 0;
    function* stream(): Generator<ChainLine> {
      for (const line of at(lines)) {
        read++;
        yield line;
      }
    }
    expect(verifyChain(stream()).break).toMatchObject({ kind: 'modified', line: 3 });
    expect(read).toBe(4);
  });

  it('a broken log has no head and no last seq: nothing after the break is trusted', () => {
    const lines = chained(4);
    lines[1] = lines[1].replace('}', ',"x":1}');
    expect(verifyChain(at(lines))).toMatchObject({ ok: false, records: 3, head: null, lastSeq: null, firstSeq: 1 });
  });

  it('lists the malformed lines seen up to the first break, not those held behind it', () => {
    const five = chained(5);
    // seq 5 jumps; the line after it is held until seq 4 comes and shows a reordering. That
    // held line is checked after the break is known, and is not part of the report.
    const report = verifyChain(at([five[0], five[1], five[2], 'garbage before', five[4], 'garbage held', five[3]]));
    expect(report.break).toMatchObject({ kind: 'reordered', line: 5 });
    expect(report.malformed).toEqual([{ file: FILE, line: 4, reason: 'not JSON' }]);
    expect(report.malformedCount).toBe(1);
  });

  it('fewer malformed lines than missing records: a deletion, not an edit', () => {
    const report = verifyChain(at([...chained(3), 'garbage', JSON.stringify({ seq: 6, prev: 'a'.repeat(64) })]));
    expect(report.break).toMatchObject({ kind: 'deleted', line: 5 });
    expect(report.break?.message).toBe('2 records (seq 4–5) missing between audit.log:3 and audit.log:5');
  });

  it('a judge\'s rejected object before any chain is malformed (not another writer\'s record); inside a chain, an inserted line', () => {
    const three = chained(3);
    const judge = (value: object) => ('bad' in value ? 'a bad record' : null);
    expect(verifyChain(at(['{"bad":1}', ...three]), { judge })).toMatchObject({ ok: true, unchained: 0, malformedCount: 1, malformed: [{ line: 1, reason: 'a bad record' }] });
    expect(verifyChain(at(['{"good":1}', ...three]), { judge })).toMatchObject({ ok: true, unchained: 1, malformedCount: 0 });
    expect(verifyChain(at([...three, '{"bad":1}']), { judge }).break).toMatchObject({ kind: 'inserted', line: 4 });
  });
});
