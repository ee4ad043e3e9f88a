import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { AuditEngine, ChainStatus, EntryFilter } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { type FleetAnswers, openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { jsonl, request, response, tempDir, WAIT } from './helpers.js';

/** More hosts than one stats block (64), so a change in one block must leave the other's parts right. */
const HOSTS = 70;
const START = Date.parse('2026-11-01T08:00:00Z');

function hostLines(seed: number, count: number): string[] {
  const file = path.join(tempDir('fleet-cache-src'), 'audit.log');
  generateLog({ path: file, count, seed, startMs: START, runningShare: 0 });
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');
const hostName = (h: number) => `h${String(h).padStart(2, '0')}`;

type Answers = FleetAnswers;

const FILTERS: Array<EntryFilter | undefined> = [undefined, { states: ['denied'] }, { text: 'a' }, { origins: [hostName(1), hostName(66)] }, { regex: /ls|cat/i }];

/** Every filter's matches and stats, and the chain, as plain values. */
function answersOf(a: Answers): unknown {
  return {
    queries: FILTERS.map((f) => Array.from(a.query(f ?? {}))),
    stats: FILTERS.map((f) => a.stats(f)),
    chain: a.chainStatus(),
    origins: a.origins(),
    writerEvents: a.writerEvents(),
    malformedCount: a.malformedCount(),
    malformed: a.malformed(),
    duplicateLines: a.duplicateLines(),
  };
}

/** The fleet engine as it answers (chainStatus is optional in AuditEngine), and as recomputed over every host. */
const cachedOf = (engine: AuditEngine): Answers => ({ query: (f) => engine.query(f), stats: (f) => engine.stats(f), chainStatus: () => chainOf(engine), origins: () => engine.origins(), writerEvents: () => engine.writerEvents(), malformedCount: () => engine.malformedCount(), malformed: () => engine.malformed(), duplicateLines: () => engine.duplicateLines() });
const recomputed = (engine: AuditEngine) => (engine as unknown as { recomputed(): Answers }).recomputed();

function chainOf(engine: AuditEngine): ChainStatus {
  if (!engine.chainStatus) throw new Error('the fleet engine checks chains');
  return engine.chainStatus();
}

/** The engine's (remembered) answers equal those asked of every host anew, once its hosts' events are in. */
async function expectSameAsRecomputed(engine: AuditEngine): Promise<void> {
  await expect
    .poll(() => {
      const cached = answersOf(cachedOf(engine));
      const fresh = answersOf(recomputed(engine));
      return isDeepStrictEqual(cached, fresh) ? 'equal' : { cached, fresh };
    }, WAIT)
    .toBe('equal');
}

describe('fleet engine: placed writer events', () => {
  it('hands out the same copy of a host event whose place did not move (a following viewer builds its rows from them)', async () => {
    const dir = tempDir('fleet-placed');
    for (let h = 0; h < 3; h++) {
      fs.mkdirSync(path.join(dir, hostName(h)));
      fs.writeFileSync(path.join(dir, hostName(h), 'audit.log'), text(hostLines(700 + h, 12)));
    }
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    try {
      await engine.indexed();
      const before = engine.writerEvents();
      const kept = before.filter((w) => w.origin !== hostName(2));
      expect(kept.length).toBeGreaterThan(0);
      const size = engine.size();
      // The newest entry of all, in the last host: no other host's event moves.
      fs.appendFileSync(path.join(dir, hostName(2), 'audit.log'), jsonl(request('live-2', { time: '2026-11-02T09:00:00Z' })));
      await expect.poll(() => engine.size(), WAIT).toBe(size + 1);
      const after = engine.writerEvents();
      expect(after).not.toBe(before);
      expect(after.filter((w) => w.origin !== hostName(2))).toEqual(kept);
      after.filter((w) => w.origin !== hostName(2)).forEach((w, i) => expect(w).toBe(kept[i]));
    } finally {
      await engine.close();
    }
  });
});

describe('fleet engine: remembered answers', () => {
  it('equal the answers recomputed over every host after appends, a late batch, a held response, a new host and a chain break', async () => {
    const dir = tempDir('fleet-cache');
    const lines = Array.from({ length: HOSTS }, (_, h) => hostLines(100 + h, 12));
    const late = hostLines(500, 30);
    lines[66] = [...late.slice(0, 10), ...late.slice(20, 25)];
    lines.forEach((l, h) => {
      fs.mkdirSync(path.join(dir, hostName(h)));
      fs.writeFileSync(path.join(dir, hostName(h), 'audit.log'), text(l));
    });
    const file = (h: number | string) => path.join(dir, typeof h === 'number' ? hostName(h) : h, 'audit.log');
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    await engine.indexed();
    await expectSameAsRecomputed(engine);

    // Appends in order (one host in each stats block).
    let size = engine.size();
    fs.appendFileSync(file(3), jsonl(request('live-3', { time: '2026-11-02T09:00:00Z' })));
    fs.appendFileSync(file(65), jsonl(request('live-65', { time: '2026-11-02T09:00:01Z' }), response('live-65')));
    await expect.poll(() => engine.size(), WAIT).toBe(size + 2);
    await expectSameAsRecomputed(engine);

    // A late batch: in chain order among what the host had.
    size = engine.size();
    fs.appendFileSync(file(66), text([...late.slice(10, 20), ...late.slice(25)]));
    await expect.poll(() => engine.size(), WAIT).toBeGreaterThan(size);
    await expectSameAsRecomputed(engine);

    // A response shipped before its request: held, then joined.
    size = engine.size();
    fs.appendFileSync(file(5), jsonl(response('held-5', { stdout_len: 4242 })));
    await expectSameAsRecomputed(engine);
    fs.appendFileSync(file(5), jsonl(request('held-5', { time: '2026-11-02T09:00:02Z' })));
    await expect.poll(() => engine.size(), WAIT).toBe(size + 1);
    await expectSameAsRecomputed(engine);

    // A host that begins shipping (it joins the last, partly remembered, stats block).
    fs.mkdirSync(path.join(dir, 'zz-new'));
    fs.writeFileSync(file('zz-new'), text(hostLines(900, 8)));
    await expect.poll(() => engine.origins().includes('zz-new'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => engine.query({ origins: ['zz-new'] }).length, WAIT).toBeGreaterThan(0);
    await expectSameAsRecomputed(engine);

    // A line that claims a seen seq with other content: a break in one host's chain.
    const forged = JSON.parse(lines[7][lines[7].length - 1]) as Record<string, unknown>;
    fs.appendFileSync(file(7), jsonl({ ...forged, id: 'forged-7' }));
    await expect.poll(() => chainOf(engine).breakCount, WAIT).toBeGreaterThan(0);
    await expectSameAsRecomputed(engine);

    // A malformed line, and a line shipped again (a duplicate dropped): counts kept between changes, never stale.
    const malformed = engine.malformedCount();
    const duplicates = engine.duplicateLines();
    fs.appendFileSync(file(9), 'not a record\n');
    await expect.poll(() => engine.malformedCount(), WAIT).toBe(malformed + 1);
    fs.appendFileSync(file(10), text(lines[10].slice(-1)));
    await expect.poll(() => engine.duplicateLines(), WAIT).toBe(duplicates + 1);
    await expectSameAsRecomputed(engine);
    await engine.close();
  });
});
