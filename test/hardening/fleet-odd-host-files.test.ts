/**
 * Attack on a fleet's first rows (fleet-engine.ts, readQueued; #12): a host's folder is the
 * sender's to fill, and its audit.log need not be a file at all. Whatever it is, the first rows
 * come, with the other hosts' rows (these held on main too: kept against a regression).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { generateLog } from '../../src/demo/generate.js';
import { entriesOf, tempDir, WAIT } from '../engine/helpers.js';

const T0 = Date.parse('2026-11-01T08:00:00Z');

const ODD: Record<string, (file: string) => void> = {
  directory: (file) => fs.mkdirSync(file),
  fifo: (file) => spawnSync('mkfifo', [file]),
  'symlink loop': (file) => fs.symlinkSync(path.basename(file), file),
  'dangling symlink': (file) => fs.symlinkSync('/nonexistent/audit.log', file),
};

describe("a host's audit.log that is not a file", () => {
  for (const [kind, make] of Object.entries(ODD)) {
    for (const follow of [false, true]) {
      it(`${kind}${follow ? ', followed' : ''}: the first rows come, with the real host's rows`, async () => {
        const dir = tempDir('fleet-odd-host');
        fs.mkdirSync(path.join(dir, 'real'));
        generateLog({ path: path.join(dir, 'real', 'audit.log'), count: 20, seed: 3, startMs: T0, runningShare: 0 });
        fs.mkdirSync(path.join(dir, 'aaa-odd'));
        make(path.join(dir, 'aaa-odd', 'audit.log'));
        const engine = openFleetEngine(findCollectedHosts(dir), { follow, firstRows: 5, firstRowsWaitMs: 50 });
        try {
          await engine.ready();
          await expect.poll(() => new Set(entriesOf(engine).map((e) => e.origin)), WAIT).toEqual(new Set(['real']));
        } finally {
          await engine.close();
        }
      });
    }
  }
});
