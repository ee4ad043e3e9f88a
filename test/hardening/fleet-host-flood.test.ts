/**
 * A collector (rsyslog) files each sender's lines under the host name the sender claims, so
 * one hostile sender can make a folder per name it likes. Past the fleet's host limit
 * (MAX_HOSTS; lower here) the whole fleet was refused when opened: the flood made every
 * other host unreadable too. Now the hosts whose folders the collector made first are read —
 * a flood comes after the hosts it hides among — and the rest are named in a `limit` notice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineNotice } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { entriesOf, jsonl, request, tempDir, WAIT } from '../engine/helpers.js';

/** Host folders made in this order (a folder's birth time is when the collector first heard of the host). */
function collectorInOrder(first: Array<[string, string]>, later: Array<[string, string]>): string {
  const dir = tempDir('host-flood');
  const make = (hosts: Array<[string, string]>) => {
    for (const [host, text] of hosts) {
      fs.mkdirSync(path.join(dir, host), { mode: 0o700 });
      fs.writeFileSync(path.join(dir, host, 'audit.log'), text);
    }
  };
  make(first);
  // Until the file system's clock (a few ms a tick) has moved on: `later` is then born later.
  const probe = path.join(dir, '.probe');
  const lastBorn = Math.max(...first.map(([h]) => fs.statSync(path.join(dir, h)).birthtimeMs));
  do {
    fs.rmSync(probe, { recursive: true, force: true });
    fs.mkdirSync(probe);
  } while (fs.statSync(probe).birthtimeMs <= lastBorn);
  fs.rmdirSync(probe);
  make(later);
  return dir;
}

describe('a collector flooded with host names past the limit', () => {
  it.each([false, true])('reads the hosts it had first and names the rest in a notice (follow: %s)', async (follow) => {
    const legit: Array<[string, string]> = ['web1', 'db1', 'web2'].map((h) => [h, jsonl(request(`${h}-r`))]);
    // Named to sort first, written last (newest mtimes too).
    const flood: Array<[string, string]> = ['a0', 'a1', 'a2', 'a3'].map((h) => [h, jsonl(request(`${h}-r`))]);
    const dir = collectorInOrder(legit, flood);
    const notices: EngineNotice[] = [];
    const engine = openFleetEngine(findCollectedHosts(dir), { follow, maxHosts: 3 }, follow ? [dir] : []);
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    await engine.indexed();
    expect([...engine.origins()].sort()).toEqual(['db1', 'web1', 'web2']);
    expect(entriesOf(engine).map((e) => e.id).sort()).toEqual(['db1-r', 'web1-r', 'web2-r']);
    await expect.poll(() => notices.filter((n) => n.kind === 'limit').map((n) => n.message), WAIT).toEqual([
      '4 hosts in the collector not read: a fleet holds at most 3 hosts (those the collector had first are read): a0, a1, a2, a3',
    ]);
    await engine.close();
  });
});
