/**
 * `print`, `stats` and `view` over a collector directory (DIR/<host>/audit.log), as child
 * processes: every entry once whatever the transport did, its origin shown and filterable,
 * and clear errors for what is not a collector.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, type Fleet, writeCollected } from './collector.js';
import { collect, KNOWN, linesOf, makeTempDirFactory, openLog, request, runCli, spawnCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-collector');
let fleet: Fleet;

beforeAll(() => {
  fleet = buildFleet(tempDir(), tempDir());
});

interface JsonEntry {
  id: string;
  origin: string;
  state: string;
  host: string;
}

/** Waits until a child's stderr so far (`err()`) holds `text`. */
async function saidOn(err: () => string, text: string): Promise<void> {
  for (let waited = 0; !err().includes(text); waited += 20) {
    if (waited > 45_000) throw new Error(`stderr ${JSON.stringify(err())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const entriesOf = (stdout: string): JsonEntry[] => linesOf(stdout).map((l) => JSON.parse(l) as JsonEntry);
const keys = (entries: readonly JsonEntry[]) => entries.map((e) => `${e.origin} ${e.id}`);

describe.concurrent('print over a collector directory', () => {
  it('--json returns every request written, once, with its origin, merged by time', async () => {
    const r = await runCli(['print', '--json', fleet.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = entriesOf(r.stdout);
    expect(entries).toHaveLength(fleet.requests.length);
    expect([...keys(entries)].sort()).toEqual(fleet.requests);
    // web1's a1 and web3's a1 are two requests: ids are only unique within a host.
    expect(entries.filter((e) => e.id === 'a1').map((e) => e.origin).sort()).toEqual(['web1', 'web3']);
    // Merged by time: web3's requests (08:05, 08:06) sit between web1's a1 (08:00) and d2 (08:10).
    const order = keys(entries).filter((k) => k.startsWith('web1') || k.startsWith('web3'));
    expect(order.slice(0, 4)).toEqual(['web1 a1', 'web3 a1', 'web3 w3-2', 'web1 d2']);
    // The response of a1 arrived with its batch; the late batch's f3 response joined too.
    expect(entries.find((e) => e.origin === 'web1' && e.id === 'f3')?.state).toBe('failed');
  });

  it('--json over files has origin "" on every entry', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN);
    const entries = entriesOf((await runCli(['print', '--json', file])).stdout);
    expect(entries).toHaveLength(7);
    expect(entries.every((e) => e.origin === '')).toBe(true);
  });

  it('text: an ORIGIN column after TIME', async () => {
    const r = await runCli(['print', '--utc', '--origin', 'web3', fleet.dir]);
    expect(r.code).toBe(0);
    // (Lines starting with ── are the writer's events: print-events are tested in integrity.test.ts.)
    const [header, ...rows] = linesOf(r.stdout).filter((l) => !l.startsWith('──'));
    expect(header).toMatch(/^TIME {17}ORIGIN HOST +SESSION /);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^2026-11-01 08:0[56]:00Z web3 {3}db-1 /);
  });

  it.each([
    [['--origin', 'web1'], 7],
    [['--origin', 'web1', '--origin', 'web3'], 9],
    [['--origin', 'web3', '--state', 'denied'], 2],
    [['--host', 'db-1'], 2],
  ])('--origin filters like --host: %j', async (flags, count) => {
    const r = await runCli(['print', '--json', ...flags, fleet.dir]);
    expect(r.stderr).toBe('');
    const entries = entriesOf(r.stdout);
    expect(entries).toHaveLength(count);
    const origins = flags.flatMap((f, i) => (flags[i - 1] === '--origin' ? [f] : []));
    if (origins.length > 0) expect(entries.every((e) => origins.includes(e.origin))).toBe(true);
  });

  it('a host folder named directly is a collector of one', async () => {
    const entries = entriesOf((await runCli(['print', '--json', path.join(fleet.dir, 'web1')])).stdout);
    expect(entries).toHaveLength(7);
    expect(new Set(entries.map((e) => e.origin))).toEqual(new Set(['web1']));
  });

  it('several collector directories are read together; a host name in two of them: the later one named by its folder', async () => {
    const other = tempDir();
    writeCollected(other, 'db1', fleet.written.get('web3') ?? []);
    const both = entriesOf((await runCli(['print', '--json', fleet.dir, other, fleet.dir])).stdout);
    expect(both).toHaveLength(fleet.requests.length + 2);
    expect(both.filter((e) => e.origin === 'db1')).toHaveLength(2);
    // Two machines of one short name in two data centres (or a sender claiming a name the other
    // collector has): both read, told apart. Refusing stopped the whole view.
    writeCollected(other, 'web1', fleet.written.get('web1') ?? []);
    const r = await runCli(['print', '--json', fleet.dir, other]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = entriesOf(r.stdout);
    const web1 = entries.filter((e) => e.origin === 'web1').length;
    expect(web1).toBeGreaterThan(0);
    expect(entries.filter((e) => e.origin === path.join(other, 'web1'))).toHaveLength(web1);
    expect(entries).toHaveLength(fleet.requests.length + 2 + web1);
    // Selected by that name.
    const only = entriesOf((await runCli(['print', '--json', '--origin', path.join(other, 'web1'), fleet.dir, other])).stdout);
    expect(only).toHaveLength(web1);
  });

  it('a collector given as `.` with a host named like one of an earlier collector: still told apart (not two hosts of one name)', async () => {
    const other = tempDir();
    writeCollected(other, 'web1', fleet.written.get('web1') ?? []);
    // `.` made the later host's folder `web1` again (path.join drops the `./`): two hosts named web1,
    // one --origin for both, one name in the viewer's filter.
    const r = await runCli(['print', '--json', fleet.dir, '.'], { cwd: other });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = entriesOf(r.stdout);
    const web1 = entries.filter((e) => e.origin === 'web1').length;
    expect(web1).toBeGreaterThan(0);
    expect(entries).toHaveLength(fleet.requests.length + web1);
    expect(entries.filter((e) => e.origin === path.join(other, 'web1'))).toHaveLength(web1);
  });

  it('a collector and one of its host folders both given: the host read once', async () => {
    const r = await runCli(['print', '--json', fleet.dir, path.join(fleet.dir, 'web1')]);
    expect(r.code).toBe(0);
    // It was read twice, as web1 and as DIR/web1: its requests counted twice by stats and verify.
    expect([...keys(entriesOf(r.stdout))].sort()).toEqual(fleet.requests);
  });

  it('a collector given again through a symlink (or both a path and its link) is read once', async () => {
    const link = path.join(tempDir(), 'collector-link');
    fs.symlinkSync(fleet.dir, link);
    const r = await runCli(['print', '--json', fleet.dir, link]);
    expect(r.code).toBe(0);
    // Every host was read twice, the second time as LINK/host: each request counted twice.
    expect([...keys(entriesOf(r.stdout))].sort()).toEqual(fleet.requests);
  });

  it('escapes a host folder name that would drive the terminal', async () => {
    const dir = tempDir();
    const evil = 'evil\u001b]0;owned\u0007';
    writeCollected(dir, evil, fleet.written.get('web3') ?? []);
    const text = await runCli(['print', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text.stdout).toContain('evil\\e]0;owned\\x07');
    const json = entriesOf((await runCli(['print', '--json', dir])).stdout);
    expect(json.map((e) => e.origin)).toEqual([evil, evil]);
    const stats = await runCli(['stats', dir]);
    expect(stats.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(stats.stdout).toMatch(/^ {2}evil\\e\]0;owned\\x07 +2 +100\.0%$/m);
  });
});

describe.concurrent('stats over a collector directory', () => {
  it('--json: by_origin and the duplicate lines dropped', async () => {
    const r = await runCli(['stats', '--json', fleet.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const web2 = fleet.requests.filter((k) => k.startsWith('web2 ')).length;
    expect(s.total).toBe(fleet.requests.length);
    expect(s.by_origin).toEqual(
      [
        { origin: 'web1', count: 7 },
        { origin: 'web2', count: web2 },
        { origin: 'web3', count: 2 },
      ].sort((a, b) => b.count - a.count),
    );
    expect(s.duplicate_lines).toBe(2 + 5);
    expect(s.malformed_count).toBe(0);
    // Every file read, the rotated ones included.
    expect(s.files).toEqual(
      expect.arrayContaining([path.join(fleet.dir, 'web1', 'audit.log.1'), path.join(fleet.dir, 'web1', 'audit.log'), path.join(fleet.dir, 'web3', 'audit.log.1')]),
    );
  });

  it('--json over files: by_origin empty, no duplicates looked for', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN);
    const s = JSON.parse((await runCli(['stats', '--json', file])).stdout);
    expect(s).toMatchObject({ total: 7, by_origin: [], duplicate_lines: 0 });
  });

  it('text: the collector, its duplicates and an Origins table', async () => {
    const r = await runCli(['stats', '--origin', 'web1', '--origin', 'web3', fleet.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Collector: +${fleet.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(2 hosts\\)$`, 'm'));
    expect(r.stdout).toMatch(/^Requests: +9$/m);
    expect(r.stdout).toMatch(/^Duplicate lines: +2 /m);
    expect(r.stdout).toMatch(/^Origins\n {2}web1 +7 +77\.8%\n {2}web3 +2 +22\.2%\n/m);
  });
});

describe.concurrent('what is not a collector directory', () => {
  const expectUsage = (r: { code: number | null; stdout: string; stderr: string }, message: string | RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(linesOf(r.stderr)).toHaveLength(1);
    if (typeof message === 'string') expect(r.stderr.trimEnd()).toBe(message);
    else expect(r.stderr.trimEnd()).toMatch(message);
  };

  it.each(['print', 'stats', 'verify', 'view'])('%s: a directory without host folders', async (command) => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'not-a-host'));
    fs.writeFileSync(path.join(dir, 'unfiled.log'), '');
    expectUsage(await runCli([command, dir]), `sudo-proxy-audit ${command}: ${dir}: no collected hosts (expected ${dir}/<host>/audit.log)`);
  });

  it.each(['print', 'stats', 'verify', 'view'])('%s: a directory and a file together', async (command) => {
    const file = path.join(fleet.dir, 'web1', 'audit.log');
    expectUsage(
      await runCli([command, fleet.dir, file]),
      `sudo-proxy-audit ${command}: give either collector directories or files, not both: '${fleet.dir}' is a directory, '${file}' is not`,
    );
  });

  it('--origin naming no collected host: a usage error with a suggestion', async () => {
    expectUsage(await runCli(['print', '--origin', 'web4', fleet.dir]), "sudo-proxy-audit print: --origin: no collected host 'web4' (did you mean 'web1'?); hosts are web1, web2, web3");
    expectUsage(await runCli(['stats', '--origin', 'db', fleet.dir]), "sudo-proxy-audit stats: --origin: no collected host 'db'; hosts are web1, web2, web3");
  });

  it('--origin over files: a usage error', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, KNOWN);
    expectUsage(await runCli(['print', '--origin', 'web1', file]), /^sudo-proxy-audit print: --origin selects hosts of a collector directory/);
  });

  it('a host file that is not an audit log is named, and the host skipped', async () => {
    const dir = tempDir();
    writeCollected(dir, 'web1', fleet.written.get('web1') ?? []);
    fs.mkdirSync(path.join(dir, 'web2'));
    fs.writeFileSync(path.join(dir, 'web2', 'audit.log'), 'Meeting notes\n');
    const r = await runCli(['print', '--json', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`sudo-proxy-audit: ${path.join(dir, 'web2', 'audit.log')}: not an audit log (line 1 is not JSON): host skipped\n`);
    expect(new Set(entriesOf(r.stdout).map((e) => e.origin))).toEqual(new Set(['web1']));
  });

  it('a host folder whose name is not UTF-8 is named (escaped) and skipped, never dropped silently', async () => {
    const dir = tempDir();
    writeCollected(dir, 'web1', fleet.written.get('web1') ?? []);
    // Two names that decode alike (each byte 0xff or 0xfe becomes U+FFFD), one with an escape sequence.
    for (const name of [Buffer.from('web-\xff\x1b[2J', 'latin1'), Buffer.from('web-\xfe\x1b[2J', 'latin1')]) {
      const folder = Buffer.concat([Buffer.from(`${dir}/`), name]);
      fs.mkdirSync(folder, { mode: 0o700 });
      fs.writeFileSync(Buffer.concat([folder, Buffer.from('/audit.log')]), `${(fleet.written.get('web1') ?? []).join('\n')}\n`);
    }
    const r = await runCli(['print', '--json', dir]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stderr).sort()).toEqual([
      `sudo-proxy-audit: ${dir}/web-\\xfe\\x1b[2J: a host folder whose name is not UTF-8: not read (rename it to read it): host skipped`,
      `sudo-proxy-audit: ${dir}/web-\\xff\\x1b[2J: a host folder whose name is not UTF-8: not read (rename it to read it): host skipped`,
    ]);
    expect(new Set(entriesOf(r.stdout).map((e) => e.origin))).toEqual(new Set(['web1']));
    // A host nobody could check is not "all ok".
    const v = await runCli(['verify', dir]);
    expect(v.stdout).toMatch(/^verified 1 host: 2 not verified \(web-\\xfe\\x1b\[2J, web-\\xff\\x1b\[2J: unreadable\)$/m);
    expect(v.code).toBe(1);
  });

  it('a host folder that is a link is read (the collector\'s owner made it); one linked to a host already there is read once', async () => {
    const dir = tempDir();
    writeCollected(dir, 'web1', fleet.written.get('web1') ?? []);
    const elsewhere = writeCollected(tempDir(), 'db1', fleet.written.get('web3') ?? []);
    fs.symlinkSync(elsewhere, path.join(dir, 'db-link'));
    fs.symlinkSync(path.join(dir, 'web1'), path.join(dir, 'web1-again'));
    const r = await runCli(['print', '--json', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = entriesOf(r.stdout);
    const web1 = entries.filter((e) => e.origin === 'web1').length;
    expect(web1).toBeGreaterThan(0);
    expect(entries.filter((e) => e.origin === 'db-link')).toHaveLength(2);
    expect(entries).toHaveLength(web1 + 2);
  });

  it('view: a collector directory is accepted (and then needs a terminal)', async () => {
    expectUsage(await runCli(['view', fleet.dir]), 'sudo-proxy-audit: not a terminal: use `sudo-proxy-audit print` or `stats` for scripts');
    expectUsage(await runCli([fleet.dir]), 'sudo-proxy-audit: not a terminal: use `sudo-proxy-audit print` or `stats` for scripts');
  });
});

describe('print --follow over a collector directory', () => {
  it('prints what the collector appends to a host, with its origin', async () => {
    const dir = tempDir();
    writeCollected(dir, 'web3', fleet.written.get('web3') ?? []);
    const live = path.join(dir, 'web1', 'audit.log');
    fs.mkdirSync(path.dirname(live));
    // The collector appends web1's lines as they arrive (here the writer itself stands in).
    const log = openLog(live, KNOWN.slice(0, 2));
    const child = spawnCli(['print', '-f', '--json', dir]);
    const done = collect(child);
    let exited = false;
    child.once('exit', () => void (exited = true));
    let out = '';
    child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
    const lines = () => linesOf(out.slice(0, out.lastIndexOf('\n') + 1));
    const seen = async (n: number) => {
      while (lines().length < n) {
        if (exited) throw new Error(`exited after ${JSON.stringify(out)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await seen(3);
    expect(keys(entriesOf(out))).toEqual(['web1 a1', 'web3 a1', 'web3 w3-2']);
    log.request(request({ id: 'late-1', time: '2026-11-01T12:00:00Z', decision: 'denied' }));
    log.close();
    await seen(4);
    expect(JSON.parse(lines()[3])).toMatchObject({ id: 'late-1', origin: 'web1', state: 'denied' });
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('following two collectors: a new host named like one of the other collector is read, named by its folder, not ignored', async () => {
    const a = tempDir();
    const b = tempDir();
    writeCollected(a, 'web1', fleet.written.get('web1') ?? []);
    writeCollected(b, 'db1', fleet.written.get('web3') ?? []);
    const child = spawnCli(['print', '-f', '--json', a, b]);
    const done = collect(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
    const printed = () => entriesOf(out.slice(0, out.lastIndexOf('\n') + 1));
    const seen = async (check: () => boolean) => {
      for (let waited = 0; !check(); waited += 20) {
        if (waited > 45_000) throw new Error(`printed ${JSON.stringify(out)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await seen(() => printed().some((e) => e.origin === 'db1') && printed().some((e) => e.origin === 'web1'));
    const web1 = printed().filter((e) => e.origin === 'web1').length;
    writeCollected(b, 'web1', fleet.written.get('web1') ?? []);
    await seen(() => printed().filter((e) => e.origin === path.join(b, 'web1')).length === web1);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${path.join(b, 'web1')}: a new host in the collector`);
    expect(printed().filter((e) => e.origin === 'web1')).toHaveLength(web1);
  }, 60_000);

  it('a host folder whose name is not UTF-8, said at the start, is not said again by the first look for new hosts', async () => {
    const dir = tempDir();
    writeCollected(dir, 'web1', fleet.written.get('web1') ?? []);
    const unnamed = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('web-\xff', 'latin1')]);
    fs.mkdirSync(unnamed, { mode: 0o700 });
    fs.writeFileSync(Buffer.concat([unnamed, Buffer.from('/audit.log')]), `${(fleet.written.get('web3') ?? []).join('\n')}\n`);
    const child = spawnCli(['print', '-f', '--json', dir]);
    const done = collect(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
    // A host that comes after: a look for new hosts has listed the collector since.
    await saidOn(() => err, 'not UTF-8');
    writeCollected(dir, 'web9', fleet.written.get('web3') ?? []);
    await saidOn(() => err, 'web9: a new host');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    // Each said once (#12): with a thousand such folders, a thousand lines again.
    expect(r.stderr.split('not UTF-8').length - 1).toBe(1);
  }, 60_000);

  it('prints a late batch the fleet puts back in chain order, and a host that begins shipping', async () => {
    const dir = tempDir();
    // web1's chain as its writer wrote it; the collector got a batch of it late.
    const source = path.join(tempDir(), 'audit.log');
    const log = openLog(source, []);
    for (let i = 1; i <= 12; i++) log.request(request({ id: `c${i}`, time: `2026-11-01T11:${String(i).padStart(2, '0')}:00Z`, decision: 'denied' }));
    log.close();
    const written = fs.readFileSync(source, 'utf8').split('\n').slice(0, -1);
    const shipped = written.filter((l) => !/"id":"c[5-8]"/.test(l));
    writeCollected(dir, 'web1', shipped);
    const child = spawnCli(['print', '-f', '--json', dir]);
    const done = collect(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
    const printed = () => entriesOf(out.slice(0, out.lastIndexOf('\n') + 1));
    const seen = async (n: number) => {
      for (let waited = 0; printed().length < n; waited += 20) {
        if (waited > 45_000) throw new Error(`printed ${JSON.stringify(out)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await seen(8);
    fs.appendFileSync(path.join(dir, 'web1', 'audit.log'), written.filter((l) => /"id":"c[5-8]"/.test(l)).map((l) => `${l}\n`).join(''));
    await seen(12);
    expect(printed().slice(8).map((e) => e.id)).toEqual(['c5', 'c6', 'c7', 'c8']);
    // A new host folder: found, read and printed.
    const other = path.join(tempDir(), 'audit.log');
    const otherLog = openLog(other, []);
    for (let i = 1; i <= 3; i++) otherLog.request(request({ id: `n${i}`, time: `2026-11-01T12:0${i}:00Z`, decision: 'denied' }));
    otherLog.close();
    writeCollected(dir, 'web9', fs.readFileSync(other, 'utf8').split('\n').slice(0, -1));
    await seen(15);
    expect(keys(printed().slice(12))).toEqual(['web9 n1', 'web9 n2', 'web9 n3']);
    // A new host folder whose name is not UTF-8: said while following, not dropped silently.
    let err = '';
    child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
    const unnamed = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('web-\xff', 'latin1')]);
    fs.mkdirSync(unnamed, { mode: 0o700 });
    fs.writeFileSync(Buffer.concat([unnamed, Buffer.from('/audit.log')]), fs.readFileSync(other));
    await saidOn(() => err, 'web-\\xff: a host folder whose name is not UTF-8');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('web9: a new host in the collector');
  }, 60_000);
});

describe('print --follow over a rotated collector: every entry once', () => {
  const HOSTS = ['web1', 'web2', 'web3'];
  const COUNT = 2000;
  /** One host's chain: COUNT denied requests, the hosts' interleaved by time (a minute apart). */
  const hostLines = (host: string, offset: number): string[] => {
    const file = path.join(tempDir(), `${host}.log`);
    const at = (i: number) => new Date(Date.parse('2026-11-01T08:00:00Z') + (i * HOSTS.length + offset) * 60_000).toISOString();
    writeLog(file, Array.from({ length: COUNT }, (_, i) => ({ request: { id: `${host}-${i}`, time: at(i), decision: 'denied' } })));
    return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
  };
  const text = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');

  it('three hosts, each a rotated audit.log.1 and a live audit.log, a late batch landing while the first dump is written: each (origin, id) printed exactly once', async () => {
    // When the late batches land during the dump depends on the load: several fresh collectors.
    for (let round = 0; round < 4; round++) {
      const dir = tempDir();
      const late = new Map<string, string[]>();
      const last = new Map<string, string>();
      HOSTS.forEach((host, i) => {
        const lines = hostLines(host, i);
        // (Without the writer's stop record.) The first half rotated; a batch from near its start
        // (older than what the dump has written when it lands) and the last request arrive late.
        const records = lines.slice(0, -1);
        const half = Math.floor(records.length / 2);
        const batch = 10;
        writeCollected(dir, host, [...records.slice(0, batch), ...records.slice(batch + 6, -1)], half - 6);
        late.set(host, records.slice(batch, batch + 6));
        last.set(host, records.at(-1) as string);
      });
      const child = spawnCli(['print', '-f', '--json', dir]);
      const done = collect(child);
      let out = '';
      let began = false;
      const stdout = child.stdout as NonNullable<typeof child.stdout>;
      stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (began) return;
        // The first rows are out: the dump is being written. A slow reader (a pager, a busy
        // pipe) keeps it writing while the late batches land.
        began = true;
        stdout.pause();
        for (const host of HOSTS) fs.appendFileSync(path.join(dir, host, 'audit.log'), text(late.get(host) ?? []));
      });
      // (Parsed as they come: thousands of lines, looked at every few ms.)
      const seen: string[] = [];
      let parsed = 0;
      const printed = () => {
        const end = out.lastIndexOf('\n') + 1;
        if (end > parsed) seen.push(...keys(entriesOf(out.slice(parsed, end))));
        parsed = Math.max(parsed, end);
        return seen;
      };
      const everyId = HOSTS.flatMap((h) => Array.from({ length: COUNT - 1 }, (_, i) => `${h} ${h}-${i}`));
      const until = async (check: () => boolean) => {
        for (let turns = 0; !check(); turns++) {
          if (turns > 1500) {
            const missing = everyId.filter((k) => !printed().includes(k));
            throw new Error(`round ${round}: printed ${printed().length} lines, ${missing.length} ids missing: ${missing.slice(0, 6).join(', ')}`);
          }
          stdout.resume();
          await new Promise((resolve) => setImmediate(resolve));
          if (began) stdout.pause();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      await until(() => new Set(printed()).size >= everyId.length);
      // A settle: one more record, appended now; once it is printed, anything printed twice is out too.
      fs.appendFileSync(path.join(dir, 'web2', 'audit.log'), `${last.get('web2')}\n`);
      await until(() => printed().includes(`web2 web2-${COUNT - 1}`));
      stdout.resume();
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      const twice = printed().filter((k, i, all) => all.indexOf(k) !== i);
      expect({ round, twice: twice.slice(0, 6), count: twice.length }).toEqual({ round, twice: [], count: 0 });
      expect([...printed()].sort()).toEqual([...everyId, `web2 web2-${COUNT - 1}`].sort());
    }
  }, 120_000);
});
