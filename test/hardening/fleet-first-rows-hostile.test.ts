/**
 * Attack on a fleet's first rows (fleet-engine.ts, readQueued; #12): one host's folder of a
 * collector directory is the sender's to fill. Its file dated far in the future is read first;
 * a file with no newline (a sparse 1 TiB of zeros costs nothing on disk) makes its tail's
 * search for a line start read back through all of it. The first screen must come anyway,
 * with the real hosts' rows, once the wait for the first rows is over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, tempDir, WAIT } from '../engine/helpers.js';

const T0 = Date.parse('2026-11-01T08:00:00Z');

describe("a hostile host's folder in a fleet", () => {
  it('keeps no first rows from coming: a file with no line end, dated far ahead, is read first and waited for only as long as the first rows wait', async () => {
    const dir = tempDir('fleet-hostile-first-rows');
    for (const name of ['real-a', 'real-b']) {
      fs.mkdirSync(path.join(dir, name));
      generateLog({ path: path.join(dir, name, 'audit.log'), count: 20, seed: name.length, startMs: T0, runningShare: 0 });
    }
    const real = openFleetEngine(findCollectedHosts(dir), { follow: false, wholeHosts: true });
    await real.indexed();
    const realIds = entriesOf(real).map((e) => e.id);
    await real.close();
    fs.mkdirSync(path.join(dir, 'aaa-hostile'));
    const hostile = path.join(dir, 'aaa-hostile', 'audit.log');
    fs.writeFileSync(hostile, '');
    fs.truncateSync(hostile, 2 ** 40);
    const farAhead = Date.parse('2099-01-01T00:00:00Z') / 1000;
    fs.utimesSync(hostile, farAhead, farAhead);

    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, firstRows: 5, firstRowsWaitMs: 50 });
    try {
      // On main this never came: the first reader waited for the hostile tail's line start.
      await engine.ready();
      // Every real host's rows come after (the hostile one's file is read for as long as it takes).
      await expect.poll(() => entriesOf(engine).map((e) => e.id), WAIT).toEqual(realIds);
    } finally {
      await engine.close();
    }
  });
});
