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
import { type Inputs, resolveInputs } from '../../src/cli/commands/inputs.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { buildFleet } from './collector.js';
import { makeTempDirFactory } from './helpers.js';

const tempDir = makeTempDirFactory('spa-host-vanishes');

/** Run on what resolveInputs returns, before the command reads it: the race, at will. */
const afterResolve = vi.hoisted(() => ({ hook: null as ((inputs: Inputs) => void) | null }));
vi.mock('../../src/cli/commands/inputs.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cli/commands/inputs.js')>();
  return {
    ...real,
    resolveInputs: (...args: Parameters<typeof real.resolveInputs>) => {
      const inputs = real.resolveInputs(...args);
      afterResolve.hook?.(inputs);
      return inputs;
    },
  };
});

describe('a collected host gone before it is read', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    afterResolve.hook = null;
  });

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

  it('verify DIR judges the other hosts and counts the one that went as not verified (exit 1, not 2)', () => {
    const fleet = buildFleet(tempDir(), tempDir());
    const stdout: string[] = [];
    const stderr: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    let gone = '';
    afterResolve.hook = (inputs) => {
      if (inputs.kind !== 'collector') throw new Error('not a collector');
      gone = inputs.hosts[1].origin;
      fs.renameSync(path.join(fleet.dir, gone), path.join(fleet.dir, 'moved-away'));
    };
    // One sender renaming its own folder in a loop made the whole fleet's verify an error (exit 2, no verdict line).
    const code = verifyCommand.run([fleet.dir]);
    expect(stderr.join('')).toContain(`${path.join(fleet.dir, gone, 'audit.log')}: `);
    expect(stderr.join('')).toContain('host not verified');
    const lines = stdout.join('').trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('web')).length).toBe(2);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`1 not verified \\(${gone}: unreadable\\)`));
    expect(code).toBe(1);
  });
});
