/**
 * What the writer says about a failed system call, in its warning and in the `dropped` record
 * that marks the gap: the error's code once, then Node's message (which already starts with
 * the code for a system error: `ENOSPC: no space left on device, write`).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog, type WriterFs } from '../../src/writer/index.js';
import { fillableDisk } from '../helpers/fillable-disk.js';
import { makeTempDirFactory, parseLines, sampleRequest } from './helpers.js';

const tempDir = makeTempDirFactory('spa-error-text');

/** One outage with writes failing as `fail` says, then one record written: the warnings and the gap record's error. */
function outage(fs: WriterFs, setFull: (full: boolean) => void) {
  const file = path.join(tempDir(), 'audit.log');
  let now = 1_700_000_000_000;
  const warnings: string[] = [];
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: () => now, fs });
  setFull(true);
  log.request(sampleRequest(1));
  setFull(false);
  now += 60_000;
  log.request(sampleRequest(2));
  log.close();
  const gap = parseLines(file).find((r) => r.event === 'dropped');
  return { file, warning: warnings[0], error: String(gap?.error) };
}

describe('a system error in the writer’s words', () => {
  it('names the code once when Node’s message already starts with it (ENOSPC)', () => {
    const disk = fillableDisk();
    const { file, warning, error } = outage(disk.fs, (full) => (disk.full = full));
    expect(error).toBe(`cannot write ${file}: ENOSPC: no space left on device, write`);
    expect(warning).toContain(`cannot write ${file}: ENOSPC: no space left on device, write;`);
  });

  it('adds the code when the message does not say it', () => {
    const disk = fillableDisk();
    let full = false;
    const fs: WriterFs = {
      ...disk.fs,
      writeSync: ((...args: Parameters<WriterFs['writeSync']>) => {
        if (full) throw Object.assign(new Error('the disk is on fire'), { code: 'EIO' });
        return (disk.fs.writeSync as (...a: unknown[]) => number)(...args);
      }) as WriterFs['writeSync'],
    };
    const { error } = outage(fs, (f) => (full = f));
    expect(error).toMatch(/: EIO: the disk is on fire$/);
  });
});
