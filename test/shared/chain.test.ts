/**
 * `verifyChain` on logs written by the real writer, then tampered with on disk: each kind of
 * break is reported at the line that caused it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
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
