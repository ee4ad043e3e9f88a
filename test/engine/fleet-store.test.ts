/**
 * The fleet's shared store (fleet-store.ts): a host read once and done gives its entries to
 * one store for the fleet and its engine is dropped — and the fleet answers exactly as it
 * does with every host's engine kept (a followed fleet keeps them: the oracle here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEngine, EntryFilter } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, tempDir, WAIT } from './helpers.js';

function hostLines(seed: number, count: number): string[] {
  const file = path.join(tempDir('fleet-store-src'), 'audit.log');
  generateLog({ path: file, count, seed, startMs: Date.parse('2026-11-01T08:00:00Z'), runningShare: 0 });
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** Three hosts: one with a rotated file (two files, two spans), one with a malformed line and a resent batch, one whose name a search finds. */
function collector(): string {
  const dir = tempDir('fleet-store');
  const a = hostLines(11, 60);
  const b = hostLines(12, 50);
  const c = hostLines(13, 40);
  fs.mkdirSync(path.join(dir, 'alpha'));
  fs.writeFileSync(path.join(dir, 'alpha', 'audit.log.1'), text(a.slice(0, 30)));
  fs.writeFileSync(path.join(dir, 'alpha', 'audit.log'), text(a.slice(30)));
  fs.mkdirSync(path.join(dir, 'beta'));
  fs.writeFileSync(path.join(dir, 'beta', 'audit.log'), text([...b.slice(0, 20), 'not json at all', ...b.slice(10, 20), ...b.slice(20)]));
  fs.mkdirSync(path.join(dir, 'nginx-box'));
  fs.writeFileSync(path.join(dir, 'nginx-box', 'audit.log'), text(c));
  return dir;
}

/** A collector of twelve hosts `h0`…`h11`, each holding the files `files(h)` gives (name → lines). */
function twelveHosts(prefix: string, files: (h: number) => Record<string, string[]>): string {
  const dir = tempDir(prefix);
  for (let h = 0; h < 12; h++) {
    fs.mkdirSync(path.join(dir, `h${h}`));
    for (const [name, lines] of Object.entries(files(h))) fs.writeFileSync(path.join(dir, `h${h}`, name), text(lines));
  }
  return dir;
}

const footprint = (engine: AuditEngine) => (engine as unknown as { footprint(): { settledHosts: number; storeRows: number; mostEngines: number } }).footprint();

async function opened(dir: string, follow: boolean, wholeHosts = false): Promise<AuditEngine> {
  // (Followed, every host keeps its engine here: none goes to sleep in the store, fleet-sleep.test.ts.)
  const engine = openFleetEngine(findCollectedHosts(dir), { follow, wholeHosts, sleepHostBytes: follow ? 0 : undefined });
  await engine.indexed();
  return engine;
}

describe("the fleet's shared store", () => {
  it.each([
    ['newest rows first (every tail, then the histories)', false],
    ['read whole, host by host (print, stats)', true],
  ])('takes every host read once, %s, and the fleet answers as with every host its own engine: entries, keys, queries, stats, chain, malformed lines, writer events', async (_, wholeHosts) => {
    const dir = collector();
    const settled = await opened(dir, false, wholeHosts);
    const own = await opened(dir, true);
    try {
      await expect.poll(() => own.progress().done, WAIT).toBe(true);
      // Settled: every host read once is in the store; followed hosts keep their engines.
      expect(footprint(settled).settledHosts).toBe(3);
      expect(footprint(settled).storeRows).toBeGreaterThan(0);
      expect(footprint(own).settledHosts).toBe(0);

      expect(settled.size()).toBe(own.size());
      const mine = entriesOf(settled);
      expect(mine).toEqual(entriesOf(own));
      expect(new Set(mine.map((e) => e.origin))).toEqual(new Set(['alpha', 'beta', 'nginx-box']));
      // Lines from both of alpha's files are read back, with their own file and line.
      expect(new Set(mine.filter((e) => e.origin === 'alpha').map((e) => path.basename(e.request?.file ?? '')))).toEqual(new Set(['audit.log.1', 'audit.log']));
      mine.forEach((e, p) => expect(settled.positionOf(e.key)).toBe(p));

      const someId = mine[Math.floor(mine.length / 2)].id;
      const filters: EntryFilter[] = [
        {},
        { text: 'nginx' }, // the origin nginx-box: all of it; the others' commands and reasons
        { text: someId.slice(4, 12) }, // a part of an id
        { idPrefix: someId.slice(0, 8) },
        { regex: /restart|df/ },
        { states: ['denied', 'timeout'] },
        { origins: ['beta'] },
        { origins: ['nginx-box'], text: 'nginx' },
        { privileged: true, text: 'a' },
      ];
      for (const f of filters) {
        expect(Array.from(settled.query(f)), JSON.stringify(f)).toEqual(Array.from(own.query(f)));
        expect(settled.stats(f), JSON.stringify(f)).toEqual(own.stats(f));
      }
      expect(settled.query({ text: 'nginx' }).length).toBeGreaterThan(0);
      expect(settled.query({ idPrefix: someId }).length).toBe(1);
      expect(settled.stats()).toEqual(own.stats());
      expect(settled.malformedCount()).toBe(1);
      expect(settled.malformed()).toEqual(own.malformed());
      expect(settled.duplicateLines()).toBe(10);
      expect(settled.duplicateLines()).toBe(own.duplicateLines());
      expect(settled.writerEvents()).toEqual(own.writerEvents());
      expect(settled.writerEvents().length).toBeGreaterThan(0);
      expect(settled.chainStatus?.()).toEqual(own.chainStatus?.());
      expect(settled.seals?.().map((s) => s.locations)).toEqual(own.seals?.().map((s) => s.locations));
    } finally {
      await settled.close();
      await own.close();
    }
  });

  it('read whole, a fleet of many hosts has a few engines at a time (each host into the store once read); newest rows first, every host has one until the tails are in', async () => {
    const dir = twelveHosts('fleet-store-many', (h) => ({ 'audit.log': hostLines(100 + h, 8) }));
    const whole = await opened(dir, false, true);
    const tails = await opened(dir, false, false);
    try {
      expect(footprint(whole).settledHosts).toBe(12);
      expect(footprint(whole).mostEngines).toBeLessThanOrEqual(4);
      expect(footprint(tails).mostEngines).toBe(12);
      expect(entriesOf(whole)).toEqual(entriesOf(tails));
      expect(whole.stats()).toEqual(tails.stats());
    } finally {
      await whole.close();
      await tails.close();
    }
  });

  it('closed while hosts are read whole, or once all are in the store, leaves no file open', async () => {
    const dir = twelveHosts('fleet-store-close', (h) => ({ 'audit.log.1': hostLines(200 + h, 6), 'audit.log': hostLines(300 + h, 6) }));
    const openFiles = () => fs.readdirSync('/proc/self/fd').length;
    const before = openFiles();
    // Closed at once, and while its first hosts are being read (a host's live file was pooled before any span held it).
    for (const wholeHosts of [true, false]) {
      const early = openFleetEngine(findCollectedHosts(dir), { follow: false, wholeHosts });
      await early.close();
      await early.indexed();
      // (A read the close stopped ends on its own turn.)
      await expect.poll(openFiles, WAIT).toBe(before);
    }
    const midway = openFleetEngine(findCollectedHosts(dir), { follow: false, wholeHosts: true });
    await expect.poll(() => footprint(midway).settledHosts, WAIT).toBeGreaterThan(0);
    await midway.close();
    await expect.poll(openFiles, WAIT).toBe(before);
    const read = await opened(dir, false, true);
    expect(footprint(read).settledHosts).toBe(12);
    // Lines are read back from the store's files (reopened through the pool).
    expect(entriesOf(read).every((e) => e.request === null || e.request.file.endsWith('audit.log') || e.request.file.endsWith('audit.log.1'))).toBe(true);
    await read.close();
    expect(openFiles()).toBe(before);
  });
});
