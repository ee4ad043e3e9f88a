/**
 * A fleet's first rows (fleet-engine.ts, readQueued): hosts are read newest file first, and
 * `ready()` comes once the tails read hold the newest rows that no unread host's file can beat
 * (its time bounds its records, but for a clock ahead of the collector's) — not once every
 * host's tail is in. The rest are read whole, a few at a time, into the fleet's store; no host
 * is lost, and every row is merged by time whenever the fleet says it changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEngine, Entry } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, tempDir, WAIT } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T08:00:00Z');
const HOSTS = 40;
/** Longer than any test waits: the first rows come by what the file times say, not by the clock. */
const LONG = 600_000;

/** Host number `h`'s folder: names not in time order (a name sorting first is not the newest). */
const nameOf = (h: number) => `n${String((h * 7) % HOSTS).padStart(2, '0')}`;

/**
 * HOSTS hosts, host h writing `records` records in hour h (none overlaps another's), each file's time
 * its last arrival (as rsyslog leaves it) unless `fileTime` says otherwise.
 */
function collector(prefix: string, fileTime: (h: number, lastLogged: number) => number = (_, last) => last + 1_000, records = 30): string {
  const dir = tempDir(prefix);
  for (let h = 0; h < HOSTS; h++) {
    const folder = path.join(dir, nameOf(h));
    fs.mkdirSync(folder);
    const file = path.join(folder, 'audit.log');
    generateLog({ path: file, count: records, seed: 500 + h, startMs: T0 + h * HOUR, runningShare: 0 });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const last = Date.parse((JSON.parse(lines[lines.length - 1]) as { logged: string }).logged);
    const at = fileTime(h, last) / 1000;
    fs.utimesSync(file, at, at);
  }
  return dir;
}

const footprint = (engine: AuditEngine) => (engine as unknown as { footprint(): { settledHosts: number; mostEngines: number } }).footprint();

/** The host's hour of each row, in fleet order: rows merged by time go up, never down. */
const hours = (engine: AuditEngine) => entriesOf(engine).map((e) => hostHour(e.origin ?? ''));
const hostHour = (origin: string) => Array.from({ length: HOSTS }, (_, h) => h).find((h) => nameOf(h) === origin) ?? -1;
const keyless = ({ key: _, ...rest }: Entry) => rest;
const inOrder = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] <= x);

async function readWhole(dir: string): Promise<AuditEngine> {
  const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, wholeHosts: true });
  await engine.indexed();
  return engine;
}

describe("a fleet's first rows", () => {
  it('come once the newest hosts are read (not every tail), are the newest rows of the fleet, and the rest is read whole with a few engines at a time', async () => {
    const dir = collector('fleet-first-rows');
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: LONG, tailBytes: 1 });
    await engine.ready();
    const atReady = entriesOf(engine);
    const whole = await readWhole(dir);
    try {
      // Far fewer hosts than the fleet's were needed: the newest five rows are in the newest host.
      expect(new Set(atReady.map((e) => e.origin)).size).toBeLessThan(HOSTS);
      expect(inOrder(hours(engine))).toBe(true);
      const newestAtReady = atReady.slice(-5).map((e) => e.id);
      await engine.indexed();
      const all = entriesOf(engine);
      expect(all.slice(-5).map((e) => e.id)).toEqual(newestAtReady);
      expect(all.slice(-5).every((e) => e.origin === nameOf(HOSTS - 1))).toBe(true);
      // Every host, read once, is in the store; at most a tail reader's and a whole reader's share had an engine at once.
      expect(footprint(engine).settledHosts).toBe(HOSTS);
      expect(footprint(engine).mostEngines).toBeLessThanOrEqual(24);
      // (Keys aside: a host's keys number its rows as its tail and history were split.)
      expect(all.map(keyless)).toEqual(entriesOf(whole).map(keyless));
      expect(engine.stats()).toEqual(whole.stats());
    } finally {
      await engine.close();
      await whole.close();
    }
  });

  it("read a bigger host's tail first: its history, older than its tail, is behind the first rows, read after them", async () => {
    const dir = collector('fleet-first-rows-tails', undefined, 80);
    // Every host bigger than a small one, each tail 12 KiB (a dozen rows of its ~40): tails first.
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: LONG, smallHostBytes: 0, tailBytes: HOSTS * 12 * 1024 });
    await engine.ready();
    const atReady = entriesOf(engine);
    try {
      expect(new Set(atReady.map((e) => e.origin)).size).toBeLessThan(HOSTS);
      const newestAtReady = atReady.slice(-5).map((e) => e.id);
      await engine.indexed();
      const all = entriesOf(engine);
      expect(all.length).toBeGreaterThan(atReady.length);
      expect(all.slice(-5).map((e) => e.id)).toEqual(newestAtReady);
      expect(inOrder(hours(engine))).toBe(true);
      expect(footprint(engine).settledHosts).toBe(HOSTS);
      // A tail reader's and a whole reader's share, whichever host is read first (with the
      // newest host slow to be known, the readers opened 31–35 before it, each keeping an engine).
      expect(footprint(engine).mostEngines).toBeLessThanOrEqual(24);
    } finally {
      await engine.close();
    }
  });

  it("come after a while with what is read when file times cannot tell (every host written in the same seconds), and the rest is merged in place", async () => {
    const same = Date.parse('2026-12-01T00:00:00Z');
    const dir = collector('fleet-first-rows-wait', () => same);
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: 0 });
    await engine.ready();
    const atReady = engine.size();
    try {
      expect(atReady).toBeGreaterThan(0);
      expect(new Set(entriesOf(engine).map((e) => e.origin)).size).toBeLessThan(HOSTS);
      await engine.indexed();
      expect(engine.size()).toBeGreaterThan(atReady);
      expect(inOrder(hours(engine))).toBe(true);
      expect(new Set(entriesOf(engine).map((e) => e.origin)).size).toBe(HOSTS);
    } finally {
      await engine.close();
    }
  });

  it('are merged by time at every change the fleet says, as the later hosts come in', async () => {
    const dir = collector('fleet-first-rows-order');
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: LONG, tailBytes: 1 });
    const seen: boolean[] = [];
    engine.on('change', () => seen.push(inOrder(hours(engine))));
    try {
      await engine.indexed();
      await expect.poll(() => engine.progress().done, WAIT).toBe(true);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((ok) => ok)).toBe(true);
      expect(engine.size()).toBe((await readWhole(dir)).size());
    } finally {
      await engine.close();
    }
  });

  it("keep no host out whose clock runs ahead of the collector's: its rows, newer than its file's time, are merged in place once its tail is read", async () => {
    // The newest host's file says it was written before every other host's records.
    const dir = collector('fleet-first-rows-skew', (h, last) => (h === HOSTS - 1 ? T0 - HOUR : last + 1_000));
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: LONG, tailBytes: 1 });
    const whole = await readWhole(dir);
    try {
      await engine.ready();
      await engine.indexed();
      const all = entriesOf(engine);
      expect(all.slice(-5).every((e) => e.origin === nameOf(HOSTS - 1))).toBe(true);
      expect(inOrder(hours(engine))).toBe(true);
      expect(all.map((e) => e.id)).toEqual(entriesOf(whole).map((e) => e.id));
    } finally {
      await engine.close();
      await whole.close();
    }
  });
});
