/** `verify` as a child process: intact logs and every kind of tampering, text and JSON. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { generateLog } from '../../src/demo/generate.js';
import { linesOf, makeTempDirFactory, readLines, runCli, writeLines } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-verify');
let original: string[];
let head: string;

beforeAll(() => {
  const file = path.join(tempDir(), 'audit.log');
  generateLog({ path: file, count: 120, seed: 3 });
  original = readLines(file);
  head = hashLine(original[original.length - 1]);
});

/** Writes `lines` to a fresh file and verifies it. */
async function verify(lines: readonly string[], ...flags: string[]) {
  const file = path.join(tempDir(), 'audit.log');
  writeLines(file, lines);
  return { file, ...(await runCli(['verify', ...flags, file])) };
}

describe.concurrent('verify', () => {
  it('an intact log: exit 0, the record count and the head hash', async () => {
    const r = await verify(original);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok: ${original.length} records, head ${head}\n`);
    expect(r.stderr).toBe('');
  });

  it.each([
    ['modified', (l: string[]) => l.map((x, i) => (i === 40 ? forge(x) : x)), 41],
    ['deleted', (l: string[]) => l.filter((_, i) => i !== 40), 41],
    // A forged record continuing the chain from line 40, placed before the real line 41.
    ['inserted', (l: string[]) => [...l.slice(0, 40), forge(l[40]), ...l.slice(40)], 41],
    ['reordered', (l: string[]) => [...l.slice(0, 40), l[41], l[40], ...l.slice(42)], 41],
  ])('a %s line: exit 1 and the first break with file:line and kind', async (kind, tamper, line) => {
    const r = await verify(tamper([...original]));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^break at ${escapeRe(r.file)}:${line} \\(${kind}\\): `));
    expect(linesOf(r.stdout)).toHaveLength(1);
  });

  it('a truncated tail is caught with --expect-head, and the intact log passes it', async () => {
    expect((await verify(original, '--expect-head', head)).code).toBe(0);
    const r = await verify(original.slice(0, -3), '--expect-head', head);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\(deleted\): the expected head [0-9a-f]{16}… is not in the log/);
  });

  it('--json gives the verdict for machines', async () => {
    const ok = await verify(original, '--json');
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true,
      files: [ok.file],
      records: original.length,
      unchained: 0,
      head,
      first_seq: 1,
      last_seq: original.length,
      malformed_count: 0,
      malformed: [],
      break: null,
      damaged: [],
    });
    const bad = await verify(original.filter((_, i) => i !== 10), '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, break: { kind: 'deleted', file: bad.file, line: 11, message: expect.any(String) } });
  });

  it('a torn line (a crash mid-append) is listed on stderr but does not break the chain', async () => {
    const torn = [...original.slice(0, 30), original[30].slice(0, 50), ...original.slice(30)];
    // The torn fragment carries no newline-terminated record: the writer continues on a fresh line.
    const r = await verify(torn);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/audit\.log:31: not a record/);
  });

  it('lines put between records are no break, but the ok line counts them: a script reading stdout alone sees them', async () => {
    const junk = [...original.slice(0, 30), 'garbage', 'more garbage', ...original.slice(30)];
    const r = await verify(junk);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok: ${original.length} records, head ${head}; 2 malformed lines outside the chain (--strict fails on them)\n`);
    expect((await verify(junk, '--strict')).code).toBe(1);
    expect((await verify(original, '--strict')).code).toBe(0);
  });

  it('an over-long line is bounded and reported, not loaded whole', async () => {
    const r = await verify([...original.slice(0, 5), 'x'.repeat(3 * 1024 * 1024), ...original.slice(5)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/audit\.log:6: not a record/);
  });
});

describe.concurrent('verify across a rotated set', () => {
  let dir: string;
  let live: string;
  beforeAll(() => {
    dir = tempDir();
    live = path.join(dir, 'audit.log');
    fs.writeFileSync(`${live}.3.gz`, gzipSync(original.slice(0, 30).map((l) => `${l}\n`).join('')));
    writeLines(`${live}.2`, original.slice(30, 60));
    fs.writeFileSync(`${live}.1.gz`, gzipSync(original.slice(60, 90).map((l) => `${l}\n`).join('')));
    writeLines(live, original.slice(90));
  });

  it('walks the chain oldest first across plain and gzip files (--history, or names in any order)', async () => {
    const expected = `ok: ${original.length} records, head ${head}\n`;
    expect((await runCli(['verify', '--history', live])).stdout).toBe(expected);
    expect((await runCli(['verify', live, `${live}.1.gz`, `${live}.2`, `${live}.3.gz`])).stdout).toBe(expected);
  });

  it('a file dropped from the set (a spliced rotation) is a break at the first line after the gap', async () => {
    const r = await runCli(['verify', `${live}.3.gz`, `${live}.1.gz`, live]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`break at ${live}.1.gz:1 (deleted): 30 records (seq 31–60) missing between ${live}.3.gz:30 and ${live}.1.gz:1\n`);
  });

  it('a truncated gzip file is damaged, not an I/O error: named, its lines before the cut checked, exit 1', async () => {
    const broken = path.join(dir, 'broken.log.gz');
    const gz = fs.readFileSync(`${live}.1.gz`);
    fs.writeFileSync(broken, gz.subarray(0, gz.length - 20));
    const r = await runCli(['verify', broken]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^sudo-proxy-audit: ${escapeRe(broken)}: gzip data ends early \\(the file is cut short\\): read its first \\d+ bytes of text`));
    expect(r.stdout).toMatch(new RegExp(`^damaged: ${escapeRe(broken)} lost its rest; the chain of what was read is intact: \\d+ records, head [0-9a-f]{64}(; 1 malformed line outside the chain \\(--strict fails on them\\))?\n$`));
  });
});

/** A record with one field changed, as a forger would (the line must really change). */
function forge(line: string): string {
  const forged = line.replace(/"time":"\d{4}/, '"time":"1999');
  expect(forged).not.toBe(line);
  return forged;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
