/**
 * An attacker's review of the naming of two records of one seq and one prev (a forged copy
 * beside the record it copies): whatever the attacker puts after them, the break is at the first
 * of the two and its words claim neither; a forged record is never vouched for; and the engine,
 * following, says what verify says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OpenEngineOptions, openEngine } from '../../src/engine/engine.js';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { answeredLog, linesOf, writeLines } from '../helpers/integrity-logs.js';
import { chainLinesOf } from '../writer/helpers.js';
import { tempDir, WAIT } from '../engine/helpers.js';

const original = linesOf(answeredLog(tempDir('twin-atk'), 50)); // 102 lines
const forge = (line: string, tag = 1) => line.replace('"v":1', `"v":1,"x":${tag}`);
const engines: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

function write(lines: string[]): string {
  const file = path.join(tempDir('twin-atk'), 'audit.log');
  writeLines(file, lines);
  return file;
}

const status = (engine: AuditEngine) => engine.chainStatus?.() as ChainStatus;

async function engineBreaks(file: string, options: OpenEngineOptions) {
  const engine = openEngine([file], { follow: false, ...options });
  engines.push(engine);
  await engine.indexed();
  return status(engine).breaks.map((b) => ({ kind: b.kind, line: b.line, message: b.message }));
}

describe('after the record: more copies, a line without chain fields, the next record deleted, the end of the log', () => {
  it.each([
    ['two copies', (l: string[]) => [...l.slice(0, 21), forge(l[20], 1), forge(l[20], 2), ...l.slice(21)]],
    ['a copy, then a line without chain fields', (l: string[]) => [...l.slice(0, 21), forge(l[20]), '{"note":"hello"}', ...l.slice(21)]],
    ['a copy in place of the next record', (l: string[]) => [...l.slice(0, 21), forge(l[20]), ...l.slice(22)]],
  ])('%s: both named, at the first, neither called the copy', (_, place) => {
    const file = write(place(original));
    const report = verifyChain(chainLinesOf([file]));
    expect(report.break).toMatchObject({ kind: 'inserted', line: 21 });
    expect(report.break?.message).toBe(`${file}:21 and ${file}:22 carry the same seq 21 and the same prev: one of them is not from the chain`);
  });

  it('at the end of the log', () => {
    const file = write([...original, forge(original[101])]);
    expect(verifyChain(chainLinesOf([file])).break?.message).toBe(`${file}:102 and ${file}:103 carry the same seq 102 and the same prev: one of them is not from the chain`);
  });
});

describe('a forged record ahead of the genuine one, the next record rewired to continue from it', () => {
  // F (line 20), the genuine record (21), the next record with its prev changed to F's hash (22).
  function attacked(): string {
    const lines = [...original];
    const forged = lines[19].replace('"approved"', '"denied"');
    const prev = (JSON.parse(lines[20]) as { prev: string }).prev;
    lines[20] = lines[20].replace(`"prev":"${prev}"`, `"prev":"${hashLine(forged)}"`);
    lines.splice(19, 0, forged);
    return write(lines);
  }

  it('verify names the forged line 20, and no words vouch for it', () => {
    const report = verifyChain(chainLinesOf([attacked()]));
    expect(report.break).toMatchObject({ kind: 'inserted', line: 20 });
    expect(report.break?.message).toMatch(/one of them is not from the chain$/);
  });

  it.each([
    ['line by line', { tailBytes: 2000 }],
    ['in chunks', { tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 0 }],
    ['in chunks scanned into records', { tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 0, scanInto: 'records' }],
  ] as Array<[string, OpenEngineOptions]>)('the engine read %s names line 20 first, and the rewired record after', async (_, options) => {
    const breaks = await engineBreaks(attacked(), options);
    expect(breaks.map((b) => [b.kind, b.line])).toEqual([
      ['inserted', 20],
      ['modified', 22],
    ]);
  });
});

describe('following: a forged copy appended after the last record, then the writer\'s next record', () => {
  it('the engine\'s first break is verify\'s, though the log went quiet between the two', async () => {
    const file = write(original.slice(0, 101));
    const engine = openEngine([file]);
    engines.push(engine);
    await engine.indexed();
    await vi.waitFor(() => expect(status(engine).state).toBe('intact'), WAIT);
    fs.appendFileSync(file, `${forge(original[100])}\n`);
    await vi.waitFor(() => expect(status(engine)).toMatchObject({ state: 'broken', total: 102 }), WAIT);
    fs.appendFileSync(file, `${original[101]}\n`);
    await vi.waitFor(() => expect(status(engine).total).toBe(103), WAIT);
    const report = verifyChain(chainLinesOf([file]));
    const s = status(engine);
    expect(s.breaks.map((b) => ({ kind: b.kind, line: b.line, message: b.message }))).toEqual([{ kind: report.break?.kind, line: report.break?.line, message: report.break?.message }]);
  });
});
