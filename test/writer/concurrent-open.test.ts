/**
 * A writer opening a log while another process's append is in flight: it must not take the
 * half-written line for a torn one (a false warning, and a separating newline that becomes a
 * blank line once the other write completes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import { auditRecordSchema } from '../../src/shared/schema.js';
import { openAuditLog, type WriterFs } from '../../src/writer/index.js';
import { generalLine, toRequestRecord } from '../../src/writer/record-line.js';
import { chainLinesOf, makeTempDirFactory, readLines, runWriter, sampleRequest } from './helpers.js';

const tempDir = makeTempDirFactory('spa-concurrent-open');

/**
 * A log of one writer's start, request and stop, and the line another writer is appending
 * after them: a 600 KB request record, whole and chained, not yet on disk.
 */
function logWithAppendInFlight(): { file: string; inFlight: string; before: string[] } {
  const file = path.join(tempDir(), 'audit.log');
  const first = openAuditLog({ path: file, warn: () => {} });
  first.request(sampleRequest(1));
  first.close();
  const before = readLines(file);
  const big = toRequestRecord(sampleRequest(2, { pipeline: [['echo', 'x'.repeat(600_000)]] }));
  return { file, before, inFlight: generalLine(big, before.length + 1, hashLine(before.at(-1) as string), Date.now()) };
}

/**
 * The real file system, with `hook` (the other writer's append completing) run once before the
 * first call of one of `names` for which `after` (given the calls made so far) is true.
 */
function completingBefore(names: Array<keyof WriterFs>, hook: () => void, after: (calls: Array<keyof WriterFs>) => boolean = () => true): WriterFs {
  let done = false;
  const calls: Array<keyof WriterFs> = [];
  const traced = (key: keyof WriterFs) => (...args: unknown[]) => {
    if (!done && names.includes(key) && after(calls)) {
      done = true;
      hook();
    }
    calls.push(key);
    return (fs[key] as (...a: unknown[]) => unknown)(...args);
  };
  return { ...fs, readSync: traced('readSync'), fstatSync: traced('fstatSync'), writeSync: traced('writeSync') } as WriterFs;
}

/**
 * A writer that opens the log while another's append is half on disk, the rest of it landing
 * before the first call of one of `names` for which `after` is true; it writes one request.
 * The other append ends whole, with no blank line after it, and every line is a record.
 */
function writeBesideAppendInFlight(names: Array<keyof WriterFs>, after: (calls: Array<keyof WriterFs>, warnings: string[]) => boolean, settleMs: number) {
  const { file, inFlight, before } = logWithAppendInFlight();
  const half = inFlight.length / 2;
  fs.appendFileSync(file, inFlight.slice(0, half));
  const warnings: string[] = [];
  const completing = completingBefore(names, () => fs.appendFileSync(file, `${inFlight.slice(half)}\n`), (calls) => after(calls, warnings));
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), fs: completing, settleMs });
  log.request(sampleRequest(3));
  log.close();
  const lines = readLines(file);
  expect(lines.slice(0, before.length + 1)).toEqual([...before, inFlight]);
  expect(lines).not.toContain('');
  expect(lines).toHaveLength(before.length + 4);
  for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
  return { file, lines, warnings, before };
}

describe('writers opening a log while another appends', () => {
  it('a writer that opens the log in the middle of another\'s 600 KB append waits for it: no warning, no blank line, the chain goes on from that record', () => {
    const { file, inFlight, before } = logWithAppendInFlight();
    const half = inFlight.length / 2;
    fs.appendFileSync(file, inFlight.slice(0, half)); // the other write, half visible…
    const warnings: string[] = [];
    // …and complete by the time this writer has looked at the file's end once.
    const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), fs: completingBefore(['readSync'], () => fs.appendFileSync(file, `${inFlight.slice(half)}\n`)) });
    log.request(sampleRequest(3));
    log.close();

    expect(warnings).toEqual([]);
    const lines = readLines(file);
    expect(lines).toEqual([...before, inFlight, ...lines.slice(before.length + 1)]);
    expect(lines).toHaveLength(before.length + 4);
    expect(lines).not.toContain('');
    expect(JSON.parse(lines[before.length + 1])).toMatchObject({ event: 'start', seq: before.length + 2, prev: hashLine(inFlight) });
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: true, malformed: [] });
  });

  it('when the other append completes only after the wait, the next record still starts no blank line; its chain forks, and verify says where', () => {
    // The other write completes after this writer's open and its wait (none here), as its
    // first record is about to be written: before the next look at the file, or the write.
    const readLastLine = (calls: Array<keyof WriterFs>) => calls.filter((c) => c === 'readSync').length >= 2;
    const { file, lines, warnings, before } = writeBesideAppendInFlight(['fstatSync', 'writeSync'], readLastLine, 0);
    // Past the bounded wait the open cannot tell this from a crash: one warning that says both.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/torn line .*another writer's append unfinished after 0 ms/);
    // This writer continued from the last line it saw whole, as the other writer did: a fork.
    expect(JSON.parse(lines[before.length + 1])).toMatchObject({ event: 'start', seq: before.length + 1, prev: hashLine(before.at(-1) as string) });
    expect(verifyChain(chainLinesOf([file]))).toMatchObject({ ok: false, malformed: [], break: { kind: 'inserted', line: before.length + 1 } });
  });

  it("when the other append completes after the open's wait but before the first write has waited once more, that write starts no blank line", () => {
    // The other write completes at the second look at the file's end after the open warned:
    // the first write found it mid-line once, and waits (tail.ts endsMidLineSettled).
    let mark = -1;
    const secondLookAfterWarning = (calls: Array<keyof WriterFs>, warnings: string[]) => {
      if (warnings.length === 0) return false;
      if (mark < 0) mark = calls.length;
      return calls.slice(mark).includes('fstatSync');
    };
    const { warnings } = writeBesideAppendInFlight(['fstatSync'], secondLookAfterWarning, 3);
    expect(warnings).toHaveLength(1);
  });

  it('4 processes each opening the log 40 times for a 150–900 KB record: no merged line, and no blank line a writer did not warn of', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const writers = ['a', 'b', 'c', 'd'];
    const perWriter = 40;
    const results = await Promise.all(writers.map((tag) => runWriter('big', file, tag, perWriter)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);

    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n').filter((l) => l !== '');
    // A blank line is the documented race (tail.ts): an append in flight for longer than the
    // writer waits, twice, is taken for a torn line, said in a warning, and may leave one blank
    // line. Never one unsaid: at most one a warning (a loaded CI machine once made one).
    const blank = text.slice(0, -1).split('\n').length - lines.length;
    const torn = results.map((r) => r.stderr.split('\n').filter((l) => l.startsWith('warn:') && l.includes('torn line')).length).reduce((a, b) => a + b, 0);
    expect(blank).toBeLessThanOrEqual(torn);
    expect(lines).toHaveLength(writers.length * perWriter * 3); // start, request, stop
    for (const line of lines) expect(auditRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
  }, 120_000);
});
