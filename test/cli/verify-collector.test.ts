/**
 * `verify DIR` as a child process over a collector directory: duplicates and late batches are
 * facts, not breaks; a modified, deleted or forged record is a break on its host, named with
 * file:line; `--expect-head HOST=HASH` per host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, copyCollector, editCollected, type Fleet, whereCollected } from './collector.js';
import { linesOf, makeTempDirFactory, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-verify-collector');
let fleet: Fleet;

beforeAll(() => {
  fleet = buildFleet(tempDir(), tempDir());
});

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The line `verify` prints for an intact host of the fleet. */
function okLine(host: string): string {
  const records = fleet.written.get(host)?.length ?? 0;
  const f = fleet.facts.get(host) ?? { duplicates: 0, late: 0 };
  return `${host}: ok: ${plural(records, 'record')}, head ${fleet.heads.get(host)} (${plural(f.duplicates, 'duplicate line')} dropped, ${plural(f.late, 'record')} arrived late)`;
}

/** A tampered copy of the fleet. */
function tampered(host: string, name: string, edit: (lines: string[]) => string[]): string {
  const dir = copyCollector(fleet, path.join(tempDir(), 'collected'));
  editCollected(dir, host, name, edit);
  return dir;
}

describe.concurrent('a host with a cut .gz', () => {
  it('is damaged: named on stderr, counted broken in the closing line (exit 1); the other hosts are still ok', async () => {
    const dir = copyCollector(fleet, path.join(tempDir(), 'collected'));
    const file = path.join(dir, 'web3', 'audit.log.1');
    const packed = gzipSync(fs.readFileSync(file));
    fs.writeFileSync(file, packed.subarray(0, packed.length - 12));
    const r = await runCli(['verify', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`sudo-proxy-audit: ${file}: gzip data ends early (the file is cut short)`);
    const out = linesOf(r.stdout);
    expect(out.slice(0, 2)).toEqual([okLine('web1'), okLine('web2')]);
    expect(out[2]).toMatch(/^web3: damaged: .*audit\.log\.1 lost its rest; the chain of what was read is intact: /);
    expect(out[3]).toBe('verified 3 hosts: 1 broken (web3)');
  });
});

describe.concurrent('verify over a collector directory', () => {
  it('every host ok despite duplicates, late batches and the collector rotation: exit 0', async () => {
    const r = await runCli(['verify', fleet.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout)).toEqual([okLine('web1'), okLine('web2'), okLine('web3'), 'verified 3 hosts: all ok']);
  });

  it('--json: one object, a report per host with what the transport did', async () => {
    const r = await runCli(['verify', '--json', fleet.dir]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.ok).toBe(true);
    expect(v.collector).toEqual([fleet.dir]);
    expect(v.hosts.map((h: { origin: string }) => h.origin)).toEqual(['web1', 'web2', 'web3']);
    expect(v.hosts[0]).toEqual({
      origin: 'web1',
      ok: true,
      files: [path.join(fleet.dir, 'web1', 'audit.log.1'), path.join(fleet.dir, 'web1', 'audit.log')],
      records: 12,
      unchained: 0,
      head: fleet.heads.get('web1'),
      first_seq: 1,
      last_seq: 12,
      malformed_count: 0,
      malformed: [],
      break: null,
      damaged: [],
      duplicate_lines: 2,
      late_arrivals: 2,
      max_lateness: 5,
    });
    expect(v.hosts[1]).toMatchObject({ ok: true, duplicate_lines: 5, late_arrivals: 0, max_lateness: 0 });
    expect(v.hosts[2]).toMatchObject({ ok: true, files: [path.join(fleet.dir, 'web3', 'audit.log.1')], records: 4 });
  });

  it('a modified record is a break on its host, named with file:line; the others are still ok', async () => {
    const web2 = fleet.written.get('web2') ?? [];
    const target = web2[29]; // seq 30, collected once
    const dir = tampered('web2', 'audit.log', (lines) => lines.map((l) => (l === target ? l.replace(/"time":"2026/, '"time":"1999') : l)));
    const at = whereCollected(fleet.dir, 'web2', target);
    const r = await runCli(['verify', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const [one, two, three, last] = linesOf(r.stdout);
    expect(one).toMatch(/^web1: ok: /);
    expect(two).toMatch(new RegExp(`^web2: break at ${esc(path.join(dir, 'web2', path.basename(at.file)))}:${at.line} \\(modified\\): `));
    expect(three).toMatch(/^web3: ok: /);
    expect(last).toBe('verified 3 hosts: 1 broken (web2)');
  });

  it('a deleted record in a batch that arrived late is still a deletion', async () => {
    const web1 = fleet.written.get('web1') ?? [];
    // seq 6 arrived late (batch 2, in audit.log); seq 7 is in audit.log.1.
    const dir = tampered('web1', 'audit.log', (lines) => lines.filter((l) => l !== web1[5]));
    const inCopy = (text: string) => {
      const at = whereCollected(dir, 'web1', text);
      return `${at.file}:${at.line}`;
    };
    expect([inCopy(web1[4]), inCopy(web1[6])]).toEqual([`${dir}/web1/audit.log:5`, `${dir}/web1/audit.log.1:5`]);
    const r = await runCli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(linesOf(r.stdout)[0]).toBe(`web1: break at ${inCopy(web1[6])} (deleted): 1 record (seq 6) missing between ${inCopy(web1[4])} and ${inCopy(web1[6])}`);
  });

  it('a forged record beside the real one (same seq, continuing the chain) is caught', async () => {
    const web3 = fleet.written.get('web3') ?? [];
    const forged = web3[1].replace('"session":"s9"', '"session":"s0"');
    expect(forged).not.toBe(web3[1]);
    const dir = tampered('web3', 'audit.log.1', (lines) => [lines[0], forged, ...lines.slice(1)]);
    const r = await runCli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(linesOf(r.stdout)[2]).toMatch(new RegExp(`^web3: break at ${esc(path.join(dir, 'web3', 'audit.log.1'))}:2 \\(inserted\\): `));
  });

  it('--expect-head HOST=HASH: per host; a host whose tail was cut is caught', async () => {
    const heads = ['web1', 'web3'].flatMap((h) => ['--expect-head', `${h}=${fleet.heads.get(h)}`]);
    const ok = await runCli(['verify', ...heads, fleet.dir]);
    expect(ok.code).toBe(0);
    expect(linesOf(ok.stdout).at(-1)).toBe('verified 3 hosts: all ok');
    // web1's last batch (seq 11–12) never arrived, or was removed at the collector.
    const web1 = fleet.written.get('web1') ?? [];
    const dir = tampered('web1', 'audit.log', (lines) => lines.filter((l) => l !== web1[10] && l !== web1[11]));
    const cut = await runCli(['verify', ...heads, dir]);
    expect(cut.code).toBe(1);
    expect(linesOf(cut.stdout)[0]).toMatch(/^web1: break at .*\(deleted\): the expected head [0-9a-f]{16}… is not in the log/);
    // Without the witness the cut is invisible: a chain that just ends earlier.
    expect((await runCli(['verify', dir])).code).toBe(0);
  });

  it('a bare HASH names the only host of a host folder named directly', async () => {
    const r = await runCli(['verify', '--expect-head', fleet.heads.get('web1') ?? '', path.join(fleet.dir, 'web1')]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout)).toEqual([okLine('web1'), 'verified 1 host: all ok']);
  });

  it.each([
    [['--expect-head', `web4=${'a'.repeat(64)}`], "--expect-head: no collected host 'web4' (did you mean 'web1'?); hosts are web1, web2, web3"],
    [['--expect-head', 'a'.repeat(64)], '--expect-head: a collector directory of 3 hosts takes HOST=HASH, one per host'],
    [['--expect-head', `web1=${'a'.repeat(64)}`, '--expect-head', `web1=${'b'.repeat(64)}`], "--expect-head: two heads for host 'web1'"],
    [['--expect-head', 'web1=abc'], "--expect-head takes a SHA-256 hex digest (64 hex digits) after HOST=, got 'web1=abc'"],
  ])('usage errors: %j', async (flags, message) => {
    const r = await runCli(['verify', ...flags, fleet.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`sudo-proxy-audit verify: ${message}\n`);
  });

  it('HOST=HASH for files is a usage error', async () => {
    const r = await runCli(['verify', '--expect-head', `web1=${'a'.repeat(64)}`, path.join(fleet.dir, 'web1', 'audit.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sudo-proxy-audit verify: --expect-head web1=…: hosts are named only for a collector directory/);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
