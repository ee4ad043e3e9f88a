/**
 * A host folder that vanishes (renamed away, deleted) between finding the hosts and reading
 * them: one host's trouble, said, not the whole review's failure. A sender who controls one host
 * folder could otherwise make every `print`/`stats` of the fleet exit 2, one run in three under
 * a rename loop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openIndexedEngine } from '../../src/cli/commands/engine-session.js';
import { resolveInputs } from '../../src/cli/commands/inputs.js';
import { buildFleet } from './collector.js';
import { makeTempDirFactory } from './helpers.js';

const tempDir = makeTempDirFactory('spa-host-vanishes');

describe('a collected host gone before it is read', () => {
  afterEach(() => vi.restoreAllMocks());

  it('print/stats go on with the other hosts and name the one that went', async () => {
    const fleet = buildFleet(tempDir(), tempDir());
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const inputs = resolveInputs([fleet.dir], {});
    if (inputs.kind !== 'collector') throw new Error('not a collector');
    const all = inputs.hosts.map((h) => h.origin);
    fs.renameSync(path.join(fleet.dir, all[0]), path.join(fleet.dir, 'moved-away'));
    const engine = await openIndexedEngine(inputs, false);
    try {
      const origins = new Set(Array.from({ length: engine.size() }, (_, i) => engine.entry(i).origin));
      expect(origins).toEqual(new Set(all.slice(1)));
      expect(stderr.join('')).toContain(`${path.join(fleet.dir, all[0])}`);
      expect(stderr.join('')).toMatch(/host .*its entries may be incomplete/);
    } finally {
      await engine.close();
    }
  });
});
