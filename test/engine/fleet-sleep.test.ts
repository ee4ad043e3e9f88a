/**
 * A fleet's followed hosts asleep (issue 12: the viewer following 10,000 hosts ≤ 400 MB): a
 * small followed host that is read and quiet goes into the fleet's store as a host read once
 * does, its engine dropped; any change to its live file wakes it, and what it then shows is
 * what a host followed all along would: appends, joins to requests read before it slept, its
 * chain checked on (a forged append breaks it), duplicates and malformed lines counted, a
 * copytruncate read from its copy, a line rewritten while it slept named.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEngine, ChainStatus, EngineChange, EngineNotice, Entry } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, tempDir, WAIT } from './helpers.js';

interface Footprint {
  settledHosts: number;
  engines: number;
  asleep: number;
  wakeUps: number;
  storeRows: number;
  unusedStoreRows: number;
}
const footprint = (engine: AuditEngine) => (engine as unknown as { footprint(): Footprint }).footprint();

/** A host's log written by the real writer (a real chain), as its lines. */
function hostLines(seed: number, count: number): string[] {
  const file = path.join(tempDir('fleet-sleep-src'), 'audit.log');
  generateLog({ path: file, count, seed, startMs: Date.parse('2026-11-01T08:00:00Z'), runningShare: 0 });
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

const text = (lines: readonly string[]) => lines.map((l) => `${l}\n`).join('');

/** Hosts h0…h(n-1), each given the first `shown` of its lines; returns the directory and each host's lines. */
function collector(n: number, count: number, shown: (lines: string[]) => number): { dir: string; lines: string[][]; file: (h: number) => string } {
  const dir = tempDir('fleet-sleep');
  const lines: string[][] = [];
  for (let h = 0; h < n; h++) {
    const all = hostLines(700 + h, count);
    lines.push(all);
    fs.mkdirSync(path.join(dir, `h${h}`));
    fs.writeFileSync(path.join(dir, `h${h}`, 'audit.log'), text(all.slice(0, shown(all))));
  }
  return { dir, lines, file: (h) => path.join(dir, `h${h}`, 'audit.log') };
}

/** The index of the last request line whose response comes after it (the split: its response comes after the host slept). */
function splitBeforeResponse(lines: string[]): number {
  for (let i = lines.length - 1; i > 0; i--) {
    const r = JSON.parse(lines[i]) as { type?: string; id?: string };
    if (r.type !== 'response') continue;
    const at = lines.findIndex((l) => (JSON.parse(l) as { type?: string; id?: string }).type === 'request' && (JSON.parse(l) as { id?: string }).id === r.id);
    if (at >= 0 && at < i - 1) return at + 1;
  }
  throw new Error('no request with its response later in the log');
}

/** One host h0 of 14 records: the first 5 lines in `audit.log.1`, the next 5 in `audit.log` (the rest to append). */
function rotatedHost(seed: number): { dir: string; lines: string[]; file: string } {
  const dir = tempDir('fleet-sleep-rotated');
  const lines = hostLines(seed, 14);
  fs.mkdirSync(path.join(dir, 'h0'));
  const file = path.join(dir, 'h0', 'audit.log');
  fs.writeFileSync(`${file}.1`, text(lines.slice(0, 5)));
  fs.writeFileSync(file, text(lines.slice(5, 10)));
  return { dir, lines, file };
}

async function following(dir: string, options: { sleepHostBytes?: number } = {}): Promise<AuditEngine> {
  const engine = openFleetEngine(findCollectedHosts(dir), { follow: true, sleepCheckMs: 50, ...options }, [dir]);
  await engine.indexed();
  return engine;
}

const chainOf = (engine: AuditEngine) => (engine as unknown as { chainStatus(): ChainStatus }).chainStatus();
const byKey = (engine: AuditEngine) => new Map(entriesOf(engine).map((e) => [e.key, e] as const));
const shownOf = (e: Entry) => ({ origin: e.origin, id: e.id, state: e.state, stdoutLen: e.stdoutLen, anomalies: e.anomalies });

describe("a fleet's followed hosts asleep", () => {
  it('go into the store once read and quiet: no engine is left, each host is its rows in the store (as many rows as entries) and a watch', async () => {
    const { dir } = collector(6, 20, (l) => l.length);
    const engine = await following(dir);
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(6);
      expect(footprint(engine)).toMatchObject({ settledHosts: 6, engines: 0, wakeUps: 0, unusedStoreRows: 0 });
      expect(footprint(engine).storeRows).toBe(engine.size());
      // Answered from the store as the engines did.
      const awake = await following(dir, { sleepHostBytes: 0 });
      expect(footprint(awake)).toMatchObject({ settledHosts: 0, asleep: 0, engines: 6 });
      expect(entriesOf(engine).map(shownOf)).toEqual(entriesOf(awake).map(shownOf));
      expect(engine.stats()).toEqual(awake.stats());
      expect(chainOf(engine)).toEqual(chainOf(awake));
      await awake.close();
    } finally {
      await engine.close();
    }
  });

  it('wake on an append: it shows, joined to its request read before they slept, the chain checked on from where it stood, the other entries keep their keys', async () => {
    const { dir, lines, file } = collector(3, 30, splitBeforeResponse);
    const engine = await following(dir);
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(3);
      const before = byKey(engine);
      const size = engine.size();
      const split = splitBeforeResponse(lines[1]);
      const appended = lines[1].slice(split).map((l) => JSON.parse(l) as { type?: string; id?: string });
      // Requests read before the host slept whose responses come after.
      const open = entriesOf(engine).filter((e) => e.origin === 'h1' && appended.some((r) => r.type === 'response' && r.id === e.id));
      expect(open.length).toBeGreaterThan(0);
      fs.appendFileSync(file(1), text(lines[1].slice(split)));
      await expect.poll(() => footprint(engine).wakeUps, WAIT).toBe(1);
      await expect.poll(() => engine.size(), WAIT).toBeGreaterThan(size);
      // As the host followed all along (or read now) shows it: the responses joined to their requests, no orphan.
      const now = await following(dir, { sleepHostBytes: 0 });
      const h1 = (e: AuditEngine) => entriesOf(e).filter((x) => x.origin === 'h1').map(shownOf);
      expect(h1(engine)).toEqual(h1(now));
      await now.close();
      const after = byKey(engine);
      for (const e of open) {
        expect(after.get(e.key)?.id).toBe(e.id);
        expect(after.get(e.key)?.state).not.toBe(e.state);
      }
      expect(entriesOf(engine).filter((e) => e.anomalies.includes('orphan-response'))).toEqual([]);
      // Every other entry keeps its key.
      for (const [key, e] of before) expect(shownOf(after.get(key) as Entry).id).toBe(e.id);
      expect(chainOf(engine).breakCount).toBe(0);
      // Quiet again: asleep again (its rows in the store, its engine dropped).
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(3);
      expect(footprint(engine).engines).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('wake on an append to a host with a rotated file: an append of the new entries, every other where it was with its key (print -f prints each once)', async () => {
    const { dir, lines, file } = rotatedHost(731);
    const engine = await following(dir);
    const changes: EngineChange[] = [];
    engine.on('change', (c: EngineChange) => changes.push(c));
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(1);
      const before = byKey(engine);
      fs.appendFileSync(file, text(lines.slice(10)));
      const size = engine.size();
      await expect.poll(() => footprint(engine).wakeUps, WAIT).toBe(1);
      await expect.poll(() => engine.size(), WAIT).toBeGreaterThan(size);
      // An append: every other entry where it was, with its key; the new ones after them.
      const after = byKey(engine);
      const positions = entriesOf(engine).map((e) => e.key);
      for (const [key, e] of before) {
        expect(after.get(key)?.id).toBe(e.id);
        expect(positions.indexOf(key)).toBe([...before.keys()].indexOf(key));
      }
      expect(changes.filter((c) => c.reordered || c.prepended > 0)).toEqual([]);
      expect(changes.reduce((n, c) => n + c.appended, 0)).toBe(engine.size() - size);
    } finally {
      await engine.close();
    }
  });

  it('wake on a forged append: the chain breaks, as it would have with the host followed all along', async () => {
    const { dir, lines, file } = collector(2, 12, (l) => l.length);
    const engine = await following(dir);
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      expect(chainOf(engine).breakCount).toBe(0);
      // The next record as a writer would number it, its prev not the last line's hash.
      const last = JSON.parse(lines[0][lines[0].length - 1]) as Record<string, unknown>;
      const forged = { ...last, seq: (last.seq as number) + 1, prev: 'f'.repeat(64), id: 'forged-0' };
      fs.appendFileSync(file(0), `${JSON.stringify(forged)}\n`);
      await expect.poll(() => chainOf(engine).breakCount, WAIT).toBeGreaterThan(0);
      expect(chainOf(engine).breaks.every((b) => b.origin === 'h0')).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('wake on a duplicate or a malformed line: counted as a host followed all along counts them', async () => {
    const { dir, lines, file } = collector(2, 12, (l) => l.length);
    const engine = await following(dir);
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      const size = engine.size();
      fs.appendFileSync(file(0), 'not a record\n');
      await expect.poll(() => engine.malformedCount(), WAIT).toBe(1);
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      fs.appendFileSync(file(1), text(lines[1].slice(-2)));
      await expect.poll(() => engine.duplicateLines(), WAIT).toBe(2);
      expect(engine.size()).toBe(size);
      expect(engine.malformedCount()).toBe(1);
      expect(chainOf(engine).breakCount).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('wake on a copytruncate: what was read is found in the copy, what came after is read from the start, no entry is lost or cut', async () => {
    const { dir, lines, file } = collector(2, 30, (l) => Math.floor(l.length / 2));
    const engine = await following(dir);
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      const half = Math.floor(lines[0].length / 2);
      const ids = new Set(entriesOf(engine).filter((e) => e.origin === 'h0').map((e) => e.id));
      // logrotate's copytruncate: copy to .1, truncate, then the writer goes on.
      fs.copyFileSync(file(0), `${file(0)}.1`);
      fs.truncateSync(file(0), 0);
      fs.appendFileSync(file(0), text(lines[0].slice(half)));
      await expect.poll(() => footprint(engine).wakeUps, WAIT).toBeGreaterThan(0);
      const all = new Set(lines[0].map((l) => (JSON.parse(l) as { id?: string }).id).filter(Boolean));
      await expect.poll(() => new Set(entriesOf(engine).filter((e) => e.origin === 'h0').map((e) => e.id)).size, WAIT).toBe(all.size);
      for (const id of ids) expect(all.has(id)).toBe(true);
      expect(entriesOf(engine).filter((e) => e.origin === 'h0' && e.id === '')).toEqual([]);
      expect(notices.filter((n) => n.kind === 'lost')).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('wake on a line rewritten in place while asleep: the chain names it, and the loss is said', async () => {
    // (Without the writer's stop record: the last line is an entry's.)
    const { dir, file } = collector(2, 12, (l) => l.length - 1);
    const engine = await following(dir);
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      const bytes = fs.readFileSync(file(0), 'utf8');
      // The last line's writer time, one digit of its ms, same length: no later line's prev
      // covers it, so a reading from scratch finds a whole chain; only what was read tells.
      const at = bytes.lastIndexOf('"logged":"') + 10 + 21;
      expect(bytes[at]).toMatch(/\d/);
      expect(bytes.slice(bytes.lastIndexOf('\n', bytes.length - 2))).toMatch(/"type":"(request|response)"/);
      const rewritten = `${bytes.slice(0, at)}${bytes[at] === '7' ? '8' : '7'}${bytes.slice(at + 1)}`;
      fs.writeFileSync(file(0), rewritten);
      const line = bytes.slice(0, at).split('\n').length;
      expect(line).toBe(bytes.split('\n').length - 1);
      await expect.poll(() => chainOf(engine).breaks.some((b) => b.kind === 'modified' && b.file === file(0) && b.line === line), WAIT).toBe(true);
      expect(notices.some((n) => n.kind === 'lost' && n.file === file(0))).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('wake after a rotated file was deleted (logrotate keeps so many): its lines are said lost, not taken for a break', async () => {
    const { dir, lines, file } = rotatedHost(733);
    const engine = await following(dir);
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(1);
      const deleted = lines.slice(0, 5).filter((l) => /"type":"(request|response)"/.test(l)).length;
      expect(deleted).toBeGreaterThan(0);
      fs.rmSync(`${file}.1`);
      fs.appendFileSync(file, text(lines.slice(10)));
      await expect.poll(() => notices.filter((n) => n.kind === 'lost'), WAIT).toEqual([expect.objectContaining({ kind: 'lost', file, records: deleted, message: expect.stringContaining(`${deleted} in no file any more`) })]);
      // (The chain's first record is gone with its file: that is the chain's own finding, as when
      // the host is opened now; nothing is taken for a line rewritten.)
      const now = await following(dir, { sleepHostBytes: 0 });
      expect(chainOf(engine)).toEqual(chainOf(now));
      await now.close();
      expect(chainOf(engine).breaks.filter((b) => b.kind === 'modified')).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('with no watch to be had (inotify watches ran out), the slow poll wakes a host asleep, and the hosts are named', async () => {
    const { dir, lines, file } = collector(2, 12, (l) => l.length - 4);
    const watch = vi.spyOn(fs, 'watch').mockImplementation(() => {
      throw Object.assign(new Error('no watches left'), { code: 'ENOSPC' });
    });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true, sleepCheckMs: 50 }, [dir]);
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    try {
      await engine.indexed();
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(2);
      const size = engine.size();
      fs.appendFileSync(file(1), text(lines[1].slice(-4)));
      await expect.poll(() => footprint(engine).wakeUps, WAIT).toBe(1);
      await expect.poll(() => engine.size(), WAIT).toBeGreaterThan(size);
      expect(notices.some((n) => n.kind === 'limit' && /no inotify watches left/.test(n.message))).toBe(true);
    } finally {
      watch.mockRestore();
      await engine.close();
    }
  });

  it('a host bigger than the sleep size keeps its engine; after many wake-ups the store holds at most twice the rows its hosts use, and answers as before', async () => {
    const { dir, lines, file } = collector(2, 40, (l) => 10);
    const smaller = Math.min(fs.statSync(file(0)).size, fs.statSync(file(1)).size);
    const engine = await following(dir, { sleepHostBytes: smaller - 1 });
    try {
      await expect.poll(() => footprint(engine).asleep, WAIT).toBe(0);
      expect(footprint(engine).engines).toBe(2);
      await engine.close();
    } catch (e) {
      await engine.close();
      throw e;
    }
    const sleeper = await following(dir);
    try {
      await expect.poll(() => footprint(sleeper).asleep, WAIT).toBe(2);
      for (let i = 10; i < 20; i++) {
        fs.appendFileSync(file(0), text([lines[0][i]]));
        await expect.poll(() => footprint(sleeper).wakeUps, WAIT).toBe(i - 9);
        await expect.poll(() => footprint(sleeper).asleep, WAIT).toBe(2);
      }
      // Each wake-up leaves the host's old rows unused; once they are as many as those in use the
      // store is copied anew without them: never more than twice the rows its hosts use.
      const f = footprint(sleeper);
      expect(f.storeRows - f.unusedStoreRows).toBe(sleeper.size());
      expect(f.storeRows).toBeLessThanOrEqual(2 * sleeper.size());
      // Compacted, it answers as before: every entry, its lines read back, its chain. (Appends
      // go on the end while following: compared entry by entry, not by position.)
      const awake = await following(dir, { sleepHostBytes: 0 });
      const byId = (e: AuditEngine) => entriesOf(e).map(shownOf).sort((a, b) => `${a.origin} ${a.id}`.localeCompare(`${b.origin} ${b.id}`));
      expect(byId(sleeper)).toEqual(byId(awake));
      const lineOf = (e: AuditEngine, p: number) => {
        const l = e.entryLines?.(p);
        const which = l?.hasRequest ? 'request' : 'response';
        return l ? `${Buffer.from(l.read(which) ?? []).toString()} ${JSON.stringify(l.location(which))}` : '';
      };
      const linesOf = (e: AuditEngine) => Array.from({ length: e.size() }, (_, p) => lineOf(e, p)).sort();
      expect(linesOf(sleeper)).toEqual(linesOf(awake));
      expect(linesOf(sleeper)[0]).toMatch(/^\{/);
      expect(chainOf(sleeper)).toEqual(chainOf(awake));
      await awake.close();
    } finally {
      await sleeper.close();
    }
  });
});
