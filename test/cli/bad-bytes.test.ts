/**
 * One bad byte costs one line, never a file or a fleet: a NUL or a 0xff in a line, or the NUL
 * padding a crash leaves at the end, is a malformed line named file:line by `print`, `stats`
 * and `verify`; in a collector directory a host that is not an audit log at all is named and
 * skipped, and every other host is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, copyCollector, type Fleet } from './collector.js';
import { KNOWN, linesOf, makeTempDirFactory, runCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-bad-bytes');
let fleet: Fleet;

beforeAll(() => {
  fleet = buildFleet(tempDir(), tempDir());
});

/** The KNOWN log (12 lines, 7 requests) with `edit` applied to its bytes. */
function damagedLog(edit: (bytes: Buffer, lineStarts: number[]) => Buffer): string {
  const file = path.join(tempDir(), 'audit.log');
  writeLog(file, KNOWN);
  const bytes = fs.readFileSync(file);
  const starts = [0];
  bytes.forEach((b, i) => b === 0x0a && i + 1 < bytes.length && starts.push(i + 1));
  fs.writeFileSync(file, edit(bytes, starts));
  return file;
}

const byteInLine3 = (value: number) => damagedLog((b, starts) => {
  b[starts[2] + 5] = value; // inside `"type"`: the line is no record now
  return b;
});

const PADDING = 4096;

interface StatsJson {
  total: number;
  malformed_count: number;
  malformed: Array<{ file: string; line: number; reason: string }>;
}

describe.concurrent('one bad byte in a line is one malformed line', () => {
  for (const [name, value, reason] of [
    ['a NUL', 0x00, 'contains NUL bytes'],
    ['a 0xff', 0xff, 'invalid UTF-8'],
  ] as const) {
    it(`print: ${name} is named file:line, every other entry is printed`, async () => {
      const file = byteInLine3(value);
      const r = await runCli(['print', '--json', file]);
      expect(r.code, r.stderr).toBe(0);
      // The byte changed the line's hash too: the chain breaks there, as verify says, said last.
      const [malformed, warning, ...rest] = linesOf(r.stderr);
      expect(malformed).toBe(`${file}:3: ${reason}`);
      expect(warning).toMatch(new RegExp(`^sudo-proxy-audit: warning: the hash chain is broken \\(1 break\\): ${file.replace(/[.\\/]/g, '\\$&')}:3 \\(seq 3\\) was modified`));
      expect(rest).toEqual([]);
      expect(linesOf(r.stdout).length).toBeGreaterThanOrEqual(6);
    });

    it(`stats: ${name} is counted and named`, async () => {
      const file = byteInLine3(value);
      const r = await runCli(['stats', '--json', file]);
      expect(r.code, r.stderr).toBe(0);
      const stats = JSON.parse(r.stdout) as StatsJson;
      expect(stats.malformed_count).toBe(1);
      expect(stats.malformed).toEqual([expect.objectContaining({ file, line: 3, reason })]);
    });

    it(`verify: ${name} reaches the chain check, which names the line (a modified record: exit 1)`, async () => {
      const file = byteInLine3(value);
      const r = await runCli(['verify', file]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr + r.stdout).toContain(`${file}:3`);
      expect(r.stderr).not.toContain('not an audit log');
    });
  }
});

describe.concurrent('a NUL-padded tail is one finding: where it starts and how many bytes', () => {
  for (const [name, tail] of [
    ['without a newline', Buffer.alloc(PADDING)],
    ['with a newline', Buffer.concat([Buffer.alloc(PADDING), Buffer.from('\n')])],
  ] as const) {
    const padded = () => {
      const file = damagedLog((b) => Buffer.concat([b, tail]));
      return { file, at: fs.statSync(file).size - tail.length };
    };

    it(`print (${name})`, async () => {
      const { file, at } = padded();
      const r = await runCli(['print', '--json', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`${file}:13: NUL padding: ${PADDING} bytes from byte ${at}\n`);
      expect(linesOf(r.stdout)).toHaveLength(7);
    });

    it(`stats (${name})`, async () => {
      const { file, at } = padded();
      const r = await runCli(['stats', '--json', file]);
      expect(r.code, r.stderr).toBe(0);
      const stats = JSON.parse(r.stdout) as StatsJson;
      expect(stats.total).toBe(7);
      expect(stats.malformed).toEqual([expect.objectContaining({ file, line: 13, reason: `NUL padding: ${PADDING} bytes from byte ${at}` })]);
    });

    it(`verify (${name}): the chain is intact (exit 0) and the padding's line is named`, async () => {
      const { file } = padded();
      const r = await runCli(['verify', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`${file}:13`);
      expect(linesOf(r.stderr)).toHaveLength(1);
    });
  }
});

describe.concurrent('a blank line is one malformed line, named alike by print and verify', () => {
  // Empty, or only spaces, tabs and a CR (verify said "not JSON" for the latter, print "empty line").
  const blanks = () => damagedLog((b, starts) => Buffer.concat([b.subarray(0, starts[3]), Buffer.from('\n \t\r\n'), b.subarray(starts[3])]));

  it('print: each is FILE:LINE: blank line; every entry is printed', async () => {
    const file = blanks();
    const r = await runCli(['print', '--json', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`${file}:4: blank line\n${file}:5: blank line\n`);
    expect(linesOf(r.stdout)).toHaveLength(7);
  });

  it('verify: each is FILE:LINE with the same reason; the chain is checked past them', async () => {
    const file = blanks();
    const r = await runCli(['verify', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(linesOf(r.stderr)).toEqual([`${file}:4: not a record (blank line); the chain is checked past it`, `${file}:5: not a record (blank line); the chain is checked past it`]);
  });
});

describe.concurrent('a collector directory with one bad host', () => {
  const withBadByte = () => {
    const dir = copyCollector(fleet, path.join(tempDir(), 'collector'));
    const file = path.join(dir, 'web2', 'audit.log');
    fs.appendFileSync(file, Buffer.from([0xff, 0x0a])); // printf '\xff\n' >> DIR/web2/audit.log
    return { dir, file, line: linesOf(fs.readFileSync(file, 'latin1')).length };
  };

  it('print: a 0xff appended to one host is one malformed line; every host is read', async () => {
    const { dir, file, line } = withBadByte();
    const r = await runCli(['print', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`${file}:${line}: invalid UTF-8\n`);
    expect(linesOf(r.stdout)).toHaveLength(fleet.requests.length);
  });

  it('stats: a 0xff appended to one host is one malformed line; every host is counted', async () => {
    const { dir, file, line } = withBadByte();
    const r = await runCli(['stats', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as StatsJson;
    expect(stats.total).toBe(fleet.requests.length);
    expect(stats.malformed).toEqual([expect.objectContaining({ file, line, reason: 'invalid UTF-8' })]);
  });

  it('verify: a 0xff appended to one host is named; every host is verified', async () => {
    const { dir, file, line } = withBadByte();
    const r = await runCli(['verify', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${file}:${line}`);
    for (const host of fleet.written.keys()) expect(r.stdout).toMatch(new RegExp(`^${host}\\b`, 'm'));
  });

  const withPng = () => {
    const dir = copyCollector(fleet, path.join(tempDir(), 'collector'));
    const file = path.join(dir, 'web2', 'audit.log');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    fs.writeFileSync(file, Buffer.concat([png, Buffer.alloc(64, 7)]));
    fs.rmSync(path.join(dir, 'web2', 'audit.log.1'), { force: true });
    return { dir, file };
  };
  const others = () => fleet.requests.filter((k) => !k.startsWith('web2 '));

  for (const command of ['print', 'stats'] as const) {
    it(`${command}: a host that is not an audit log (a PNG) is named and skipped; the other hosts are read`, async () => {
      const { dir, file } = withPng();
      const r = await runCli([command, '--json', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`sudo-proxy-audit: ${file}: not an audit log (binary data: not UTF-8 text): host skipped\n`);
      if (command === 'print') expect(linesOf(r.stdout)).toHaveLength(others().length);
      else expect((JSON.parse(r.stdout) as StatsJson).total).toBe(others().length);
    });
  }

  it('verify: a host that is not an audit log (a PNG) is named and skipped; the other hosts are verified; the verdict is not ok', async () => {
    const { dir, file } = withPng();
    const r = await runCli(['verify', dir]);
    expect(r.stderr).toContain(`sudo-proxy-audit: ${file}: not an audit log (binary data: not UTF-8 text): host skipped`);
    for (const host of ['web1', 'web3']) expect(r.stdout).toMatch(new RegExp(`^${host}\\b`, 'm'));
    expect(r.stdout).not.toMatch(/^web2\b/m);
    // A host nobody could check is not "all ok": an auditor's script must see it in the exit code.
    expect(r.stdout).toMatch(/^verified 2 hosts: 1 not verified \(web2: unreadable\)$/m);
    expect(r.code).toBe(1);
    const json = await runCli(['verify', '--json', dir]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, skipped: ['web2'] });
  });

  it('every host not an audit log: one line naming the first, exit 2', async () => {
    const dir = tempDir();
    for (const host of ['a', 'b']) {
      fs.mkdirSync(path.join(dir, host));
      fs.writeFileSync(path.join(dir, host, 'audit.log'), 'Meeting notes\n');
    }
    const r = await runCli(['print', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sudo-proxy-audit print: no readable collected host: ${path.join(dir, 'a', 'audit.log')}: not an audit log (line 1 is not JSON) (and 1 more host unreadable)\n`);
  });
});
