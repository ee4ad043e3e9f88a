/**
 * `verify` judges a log by its bytes, and in bounded memory: a record whose bytes were made
 * invalid UTF-8 breaks the chain and is listed, and a file of millions of malformed lines is
 * counted in full while only the first few are listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { makeTempDirFactory, readLines, response, runCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-verify-bytes');
const REPLACEMENT = Buffer.from('\ufffd'); // ef bf bd

/**
 * A log whose request 'b' has a reason holding U+FFFD, past the first 64 KiB: the first look
 * at a file (sniff.ts) does not reach it, so verify reads the forged line (before: `ok`).
 * Returns the file, its head, and the line of 'b'.
 */
function logWithReplacementChar(): { file: string; head: string; line: number } {
  const file = path.join(tempDir(), 'audit.log');
  const b = { request: { id: 'b', time: '2025-03-04T05:06:08Z', reason: 'deploy \ufffd now' } };
  const before = Array.from({ length: 150 }, (_, i) => ({ request: { id: `a${i}`, time: '2025-03-04T05:06:07Z', reason: 'r'.repeat(500) } }));
  writeLog(file, [...before, b, { response: response('b') }]);
  const lines = readLines(file);
  expect(fs.statSync(file).size).toBeGreaterThan(64 * 1024 + 1000);
  return { file, head: hashLine(lines[lines.length - 1]), line: lines.findIndex((l) => l.includes('"id":"b"')) + 1 };
}

/** Replaces the three bytes of U+FFFD by the single byte 0xff: the decoded text stays the same. */
function forgeInvalidUtf8(file: string): void {
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(REPLACEMENT);
  expect(at).toBeGreaterThan(0);
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + REPLACEMENT.length)]));
}

describe.concurrent('verify hashes the bytes of each line', () => {
  it('a record whose U+FFFD became a 0xff byte breaks the chain there, and is listed as not UTF-8', async () => {
    const { file, head, line } = logWithReplacementChar();
    expect((await runCli(['verify', '--expect-head', head, file])).code).toBe(0);
    forgeInvalidUtf8(file);
    const r = await runCli(['verify', '--expect-head', head, file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^break at .*audit\\.log:${line} \\(modified\\): `));
    expect(r.stderr).toContain(`audit.log:${line}: not a record (not valid UTF-8)`);
  });

  it('--json gives the break and the malformed line with its reason', async () => {
    const { file, head, line } = logWithReplacementChar();
    forgeInvalidUtf8(file);
    const r = await runCli(['verify', '--expect-head', head, '--json', file]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      break: { kind: 'modified', file, line },
      malformed_count: 1,
      malformed: [{ file, line, reason: 'not valid UTF-8' }],
    });
  });
});

describe.concurrent('verify counts every malformed line but lists only the first 1000', () => {
  it('a gzip of newlines in the rotated history: all counted, 1000 listed, blank lines named', async () => {
    const dir = tempDir();
    const live = path.join(dir, 'audit.log');
    writeLog(live, [{ request: { id: 'a', time: '2025-03-04T05:06:07Z' } }]);
    const blanks = 250_000;
    fs.writeFileSync(`${live}.2.gz`, gzipSync(Buffer.alloc(blanks, 10)));

    const json = await runCli(['verify', '--history', '--json', live]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.malformed_count).toBe(blanks);
    expect(report.malformed).toHaveLength(1000);
    expect(report.malformed[0]).toEqual({ file: `${live}.2.gz`, line: 1, reason: 'blank line' });
    expect(report.malformed[999]).toEqual({ file: `${live}.2.gz`, line: 1000, reason: 'blank line' });

    const text = await runCli(['verify', '--history', live]);
    expect(text.code).toBe(0);
    const stderr = text.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(1001);
    expect(stderr[1000]).toBe(`… and ${blanks - 1000} more malformed lines (counted, not listed)`);
  });
});

describe.concurrent('a cut .gz in the rotated history costs its rest, never the verify', () => {
  /** audit.log.1.gz holding the first 2000 records, cut to half its length; audit.log the rest. */
  function cutHistory(): { live: string; gz: string } {
    const dir = tempDir();
    const whole = path.join(dir, 'whole.log');
    writeLog(whole, Array.from({ length: 2400 }, (_, i) => ({ request: { id: `r${i}`, time: '2025-03-04T05:06:07Z', reason: `ticket ${(i * 7919) % 100003}` } })));
    const lines = readLines(whole);
    const live = path.join(dir, 'audit.log');
    const gz = `${live}.1.gz`;
    const packed = gzipSync(`${lines.slice(0, 2000).join('\n')}\n`);
    fs.writeFileSync(gz, packed.subarray(0, Math.floor(packed.length / 2)));
    fs.writeFileSync(live, `${lines.slice(2000).join('\n')}\n`);
    return { live, gz };
  }
  const DAMAGED = /: gzip data ends early \(the file is cut short\): read its first \d+ bytes of text \((\d+) lines\); the rest is unreadable$/;

  it('names the damaged file, checks the lines before the cut and the files after it', async () => {
    const { live, gz } = cutHistory();
    const r = await runCli(['verify', '--history', live]);
    // Records are missing where the cut was: the chain breaks where it resumes, in the live file.
    expect(r.code, r.stderr).toBe(1);
    const damaged = r.stderr.split('\n').find((l) => l.startsWith(`sudo-proxy-audit: ${gz}: gzip`)) ?? '';
    expect(damaged).toMatch(DAMAGED);
    const lines = Number(DAMAGED.exec(damaged)?.[1]);
    expect(lines).toBeGreaterThan(100);
    expect(lines).toBeLessThan(2000);
    // The cut last line is one malformed line; the break is the first line of the live file.
    expect(r.stderr).toContain(`${gz}:${lines}: not a record (not JSON)`);
    expect(r.stdout).toMatch(new RegExp(`^break at ${live.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1 \\(deleted\\): `));
  });

  it('--json lists the damaged file', async () => {
    const { live, gz } = cutHistory();
    const r = await runCli(['verify', '--history', '--json', live]);
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as { damaged: Array<{ file: string; message: string }>; break: { file: string; line: number } };
    expect(json.damaged).toEqual([{ file: gz, message: expect.stringMatching(DAMAGED) }]);
    expect(json.break).toMatchObject({ file: live, line: 1 });
  });
});
