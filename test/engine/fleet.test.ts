import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEngine, EngineChange, EngineNotice, Entry, IndexProgress } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { mergeByTime } from '../../src/engine/merged-order.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, jsonl, request, response, tempDir, WAIT } from './helpers.js';

/** A host's log written by the real writer (a real chain), as its lines. */
function hostLines(seed: number, count: number, startMs = Date.parse('2026-11-01T08:00:00Z')): string[] {
  const file = path.join(tempDir('fleet-src'), 'audit.log');
  generateLog({ path: file, count, seed, startMs, runningShare: 0 });
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

function collector(hosts: Record<string, string[]>): string {
  const dir = tempDir('fleet');
  for (const [host, lines] of Object.entries(hosts)) {
    fs.mkdirSync(path.join(dir, host));
    fs.writeFileSync(path.join(dir, host, 'audit.log'), lines.map((l) => `${l}\n`).join(''));
  }
  return dir;
}

async function indexedFleet(dir: string, options: { tailBytes?: number } = {}): Promise<AuditEngine> {
  const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, ...options });
  await engine.indexed();
  return engine;
}

/** What a reader cares about in an entry, without where its lines are. */
const summary = (e: Entry) => ({ id: e.id, state: e.state, stdoutLen: e.stdoutLen, durationMs: e.durationMs, anomalies: e.anomalies });

async function plainEntries(lines: string[]): Promise<Entry[]> {
  const file = path.join(tempDir('fleet-plain'), 'audit.log');
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  const engine = openEngine([file], { follow: false });
  await engine.indexed();
  const entries = entriesOf(engine);
  await engine.close();
  return entries;
}

describe('collector directory', () => {
  it('finds host folders with an audit log, sorted, and skips top-level files and other folders', () => {
    const dir = collector({ 'web-02': ['{}'], 'db-01': ['{}'] });
    fs.writeFileSync(path.join(dir, 'unfiled.log'), 'x\n');
    fs.mkdirSync(path.join(dir, 'queue'));
    fs.writeFileSync(path.join(dir, 'queue', 'q.00001'), 'x');
    fs.mkdirSync(path.join(dir, 'old-host'));
    fs.writeFileSync(path.join(dir, 'old-host', 'audit.log.1'), '{}\n');
    const hosts = findCollectedHosts(dir);
    expect(hosts.map((h) => h.origin)).toEqual(['db-01', 'old-host', 'web-02']);
    expect(hosts[1].files).toEqual([path.join(dir, 'old-host', 'audit.log.1'), path.join(dir, 'old-host', 'audit.log')]);
    expect(findCollectedHosts(path.join(dir, 'web-02'))).toEqual([{ origin: 'web-02', files: [path.join(dir, 'web-02', 'audit.log')] }]);
  });
});

describe('mergeByTime', () => {
  it('takes the earliest head each time, keeps each run in its own order, and keeps untimed entries with their neighbours', () => {
    const runs = [
      [1, 5, 3, 9],
      [2, Number.NaN, 4, 10],
    ].map((times, r) => ({ from: r * 10, times: Float64Array.from(times) }));
    const out: string[] = [];
    mergeByTime(runs, (r, p) => out.push(`${r}:${p}`));
    // Run 0's 3 comes after its 5 (a run's order is kept); run 1's untimed entry follows its 2.
    expect(out).toEqual(['0:0', '1:10', '1:11', '1:12', '0:1', '0:2', '0:3', '1:13']);
  });
});

describe('fleet engine', () => {
  it('merges hosts by time, each entry tagged with its origin, each host in its own order', async () => {
    const web = hostLines(1, 120);
    const db = hostLines(2, 120, Date.parse('2026-11-01T08:00:01Z'));
    const engine = openFleetEngine(findCollectedHosts(collector({ web, db })), { follow: false });
    const progress: IndexProgress[] = [];
    engine.on('progress', (p) => progress.push(p));
    await engine.indexed();
    // The last progress event says so (a viewer takes its bar down on it).
    expect(progress.at(-1)).toMatchObject({ done: true });
    expect(engine.progress().done).toBe(true);
    const all = entriesOf(engine);
    const [webPlain, dbPlain] = [await plainEntries(web), await plainEntries(db)];
    expect(all).toHaveLength(webPlain.length + dbPlain.length);
    expect(all.filter((e) => e.origin === 'web').map(summary)).toEqual(webPlain.map(summary));
    expect(all.filter((e) => e.origin === 'db').map(summary)).toEqual(dbPlain.map(summary));
    // Both hosts appear throughout, not one after the other.
    const firstHalf = new Set(all.slice(0, all.length / 2).map((e) => e.origin));
    expect(firstHalf).toEqual(new Set(['web', 'db']));
    expect(new Set(all.map((e) => e.key)).size).toBe(all.length);
    expect(engine.origins()).toEqual(['db', 'web']);
    await engine.close();
  });

  it('drops resent lines, joins responses that arrived before their requests, and puts the host back in chain order', async () => {
    const lines = hostLines(3, 200);
    // A batch resent after a reconnect, and a batch delivered late after a retry.
    const late = lines.slice(40, 70);
    const shipped = [...lines.slice(0, 40), ...lines.slice(70, 120), ...lines.slice(10, 25), ...late, ...lines.slice(120)];
    const engine = await indexedFleet(collector({ web: shipped }));
    const expected = (await plainEntries(lines)).map(summary);
    expect(entriesOf(engine).map(summary)).toEqual(expected);
    expect(engine.duplicateLines()).toBe(15);
    expect(engine.stats().anomalies).toMatchObject({ 'orphan-response': 0, 'duplicate-id': 0, 'second-response': 0 });
    await engine.close();
  });

  it('does the same when the late batch lands in the tail read first and its requests in the history', async () => {
    const lines = hostLines(4, 600);
    const early = lines.slice(100, 300);
    const shipped = [...lines.slice(0, 100), ...lines.slice(300), ...early, ...lines.slice(550)];
    const size = shipped.join('\n').length;
    // The tail is at least 16 KiB per host: make the file several times that.
    expect(size).toBeGreaterThan(4 * 16 * 1024);
    const engine = await indexedFleet(collector({ web: shipped }), { tailBytes: 1 });
    expect(entriesOf(engine).map(summary)).toEqual((await plainEntries(lines)).map(summary));
    expect(engine.duplicateLines()).toBe(lines.length - 550);
    await engine.close();
  });

  it('drops a resent batch of records without chain fields (a daemon that does not chain) by id and type, byte for byte', async () => {
    const line = (r: object) => jsonl(r).slice(0, -1);
    const a = [line(request('a')), line(response('a'))];
    const b = [line(request('b', { time: '2026-11-01T08:01:00Z' })), line(response('b', { stdout_len: 7 }))];
    // b's response differs from a resent one only in its bytes: kept, and reported as a second response.
    const changed = line(response('b', { stdout_len: 8 }));
    const engine = await indexedFleet(collector({ web: [...a, ...b, ...a, b[0], changed] }));
    expect(engine.duplicateLines()).toBe(3);
    const entries = entriesOf(engine);
    expect(entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(entries[0].anomalies).toEqual(['unchained']);
    expect(entries[1].anomalies).toContain('second-response');
    await engine.close();
  });

  it('keeps a different line that claims a seen seq (forged or a restarted chain), and a response whose request never came', async () => {
    const lines = hostLines(5, 40);
    // Same length as the line it copies: only its bytes tell it apart.
    const forged = lines[5].replace(/"session":"(.)/, (_, c: string) => `"session":"${c === 'x' ? 'y' : 'x'}`);
    expect(forged).not.toBe(lines[5]);
    expect(forged.length).toBe(lines[5].length);
    const orphan = jsonl(response('never-requested')).trim();
    const engine = await indexedFleet(collector({ web: [...lines, forged, orphan] }));
    const plain = await plainEntries(lines);
    const all = entriesOf(engine);
    expect(engine.duplicateLines()).toBe(0);
    expect(all.length).toBe(plain.length + 2);
    expect(all.filter((e) => e.anomalies.includes('orphan-response')).map((e) => e.id)).toEqual(['never-requested']);
    await engine.close();
  });

  it('answers queries and stats over every host, and by origin', async () => {
    const engine = await indexedFleet(collector({ web: hostLines(6, 80), db: hostLines(7, 40) }));
    const all = entriesOf(engine);
    const db = engine.query({ origins: ['db'] });
    expect(Array.from(db, (p) => engine.entry(p).origin)).toEqual(all.filter((e) => e.origin === 'db').map(() => 'db'));
    expect(db.length).toBeGreaterThan(0);
    const stats = engine.stats();
    expect(stats.total).toBe(all.length);
    expect(stats.byOrigin).toEqual([
      { origin: 'web', count: all.filter((e) => e.origin === 'web').length },
      { origin: 'db', count: db.length },
    ]);
    expect(engine.stats({ origins: ['db'] }).total).toBe(db.length);
    const denied = engine.query({ states: ['denied'] });
    expect(Array.from(denied, (p) => engine.entry(p).state).every((s) => s === 'denied')).toBe(true);
    expect(denied.length).toBe(all.filter((e) => e.state === 'denied').length);
    await engine.close();
  });

  it('follows a late batch into chain order, as a fresh open would show it, and a batch in order onto the end', async () => {
    const lines = hostLines(10, 120);
    const dir = collector({ web: [...lines.slice(0, 40), ...lines.slice(70, 100)], db: hostLines(11, 30) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true });
    await engine.indexed();
    const changes: EngineChange[] = [];
    engine.on('change', (c: EngineChange) => changes.push(c));
    const web = path.join(dir, 'web', 'audit.log');
    const webEntries = () => entriesOf(engine).filter((e) => e.origin === 'web').map(summary);
    // The shipper retried: the missing batch arrives now, after records with higher seqs.
    fs.appendFileSync(web, lines.slice(40, 70).map((l) => `${l}\n`).join(''));
    const first100 = (await plainEntries(lines.slice(0, 100))).map(summary);
    await expect.poll(webEntries, WAIT).toEqual(first100);
    // The fleet merged anew: new entries, and those shown moved (a viewer finds its selection by key).
    // Waited for: the entries can be readable a turn before the change that announces them is emitted.
    await expect.poll(() => changes.some((c) => c.prepended > 0 && c.reordered === true), WAIT).toBe(true);
    for (const position of [0, 17, engine.size() - 1]) expect(engine.positionOf(engine.entry(position).key)).toBe(position);
    changes.length = 0;
    fs.appendFileSync(web, lines.slice(100).map((l) => `${l}\n`).join(''));
    await expect.poll(webEntries, WAIT).toEqual((await plainEntries(lines)).map(summary));
    expect(changes.every((c) => c.prepended === 0 && c.reordered === undefined)).toBe(true);
    await engine.close();
  });

  it('a new host folder whose name is not UTF-8 is said as a new host, not an error: it must not take the place of a loss on screen', async () => {
    const dir = collector({ web: hostLines(12, 20) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    await engine.indexed();
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    // Any sender may claim such a name (rsyslog makes its folder): as an 'error' it replaced the
    // viewer's footer notice of records lost (the reducer keeps a loss only over a new host's notice).
    const unnamed = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('web-\xff', 'latin1')]);
    fs.mkdirSync(unnamed);
    fs.writeFileSync(Buffer.concat([unnamed, Buffer.from('/audit.log')]), hostLines(13, 5).map((l) => `${l}\n`).join(''));
    await expect.poll(() => notices.some((n) => n.message.includes('not UTF-8')), { timeout: 15_000 }).toBe(true);
    expect(notices.find((n) => n.message.includes('not UTF-8'))).toMatchObject({ kind: 'host', message: `${dir}/web-\\xff: a host folder whose name is not UTF-8: not read (rename it to read it)` });
    await engine.close();
  });

  it('picks up a host that begins shipping while the collector is followed, and says so', async () => {
    const dir = collector({ web: hostLines(12, 20) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    await engine.indexed();
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    const before = engine.size();
    // A folder without an audit log is not a host (yet); then one that has it.
    fs.mkdirSync(path.join(dir, 'empty'));
    fs.mkdirSync(path.join(dir, 'db'));
    fs.writeFileSync(path.join(dir, 'db', 'audit.log'), hostLines(13, 20).map((l) => `${l}\n`).join(''));
    await expect.poll(() => engine.origins(), { timeout: 15_000 }).toEqual(['db', 'web']);
    await expect.poll(() => entriesOf(engine).filter((e) => e.origin === 'db').length, WAIT).toBeGreaterThan(0);
    expect(engine.size()).toBeGreaterThan(before);
    expect(notices).toContainEqual(expect.objectContaining({ kind: 'host', message: expect.stringContaining('db: a new host') }));
    // Then followed like the others.
    const n = engine.size();
    fs.appendFileSync(path.join(dir, 'db', 'audit.log'), jsonl(request('late-joiner', { time: '2026-11-02T09:00:00Z' })));
    await expect.poll(() => engine.size(), WAIT).toBe(n + 1);
    expect(engine.entry(n)).toMatchObject({ id: 'late-joiner', origin: 'db' });
    await engine.close();
  });

  it('follows every host: new entries go on the end, and a response shipped before its request joins it', async () => {
    const dir = collector({ web: hostLines(8, 30), db: hostLines(9, 30) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true });
    await engine.indexed();
    const before = engine.size();
    const db = path.join(dir, 'db', 'audit.log');
    fs.appendFileSync(db, jsonl(response('live-1', { stdout_len: 4242 })));
    fs.appendFileSync(path.join(dir, 'web', 'audit.log'), jsonl(request('live-2', { time: '2026-11-02T09:00:00Z' })));
    fs.appendFileSync(db, jsonl(request('live-1', { time: '2026-11-02T09:00:01Z' })));
    await expect.poll(() => engine.size(), WAIT).toBe(before + 2);
    // On the end, in the order they were read (which host's file is read first is up to the watcher).
    const live = () => [engine.entry(before), engine.entry(before + 1)];
    expect(live().map((e) => e.id).sort()).toEqual(['live-1', 'live-2']);
    await expect.poll(() => live().find((e) => e.id === 'live-1')?.stdoutLen, WAIT).toBe(4242);
    expect(live().find((e) => e.id === 'live-1')?.origin).toBe('db');
    expect(live().find((e) => e.id === 'live-1')?.anomalies).not.toContain('orphan-response');
    await engine.close();
  });

  it("a host's file truncated with no copy: its entries leave the merged order at once, said in a notice; the rest stay whole", async () => {
    const dir = collector({ web: hostLines(10, 30), db: hostLines(11, 30) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true });
    const notices: EngineNotice[] = [];
    const changes: EngineChange[] = [];
    engine.on('notice', (n) => notices.push(n));
    await engine.indexed();
    const web = entriesOf(engine).filter((e) => e.origin === 'web');
    engine.on('change', (c) => {
      changes.push(c);
      entriesOf(engine); // every position names an entry at every change
    });
    const db = path.join(dir, 'db', 'audit.log');
    fs.truncateSync(db, 0);
    fs.appendFileSync(db, jsonl(request('after', { time: '2026-11-03T09:00:00Z' })));
    await expect.poll(() => entriesOf(engine).filter((e) => e.origin === 'db').map((e) => e.id), WAIT).toEqual(['after']);
    expect(entriesOf(engine).filter((e) => e.origin === 'web')).toEqual(web);
    expect(entriesOf(engine).every((e) => e.id !== '')).toBe(true);
    expect(notices.filter((n) => n.kind === 'lost')).toMatchObject([{ file: db }]);
    expect(changes.some((c) => c.reordered)).toBe(true);
    await engine.close();
  });
});

describe('keysOf', () => {
  it('gives the key entry() gives, position by position, over a fleet and over files, without reading lines', async () => {
    const dir = collector({ web: hostLines(3, 30), db: hostLines(4, 20) });
    const fleet = await indexedFleet(dir);
    const file = path.join(dir, 'web', 'audit.log');
    const single = openEngine([file], { follow: false });
    await single.indexed();
    try {
      for (const engine of [fleet, single]) {
        const positions = Int32Array.from({ length: engine.size() }, (_, p) => engine.size() - 1 - p);
        expect(engine.size()).toBeGreaterThan(10);
        expect(Array.from(engine.keysOf?.(positions) ?? [])).toEqual(Array.from(positions, (p) => engine.entry(p).key));
      }
    } finally {
      await fleet.close();
      await single.close();
    }
  });
});

