/**
 * The tail of a file is read first, from the start of a line before its last bytes; that start is
 * looked for backwards. A file whose end holds no line end for long — a NUL-padded tail after a
 * crash, a sparse file of zeros appended (`truncate -s +1T`), one enormous line — made that look
 * read 8 KiB at a time all the way back: 2 GiB of zeros cost `print` 20 s (11 s of it in the
 * kernel) where `verify` read them forward in 3 s. The look-back reads more at each step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineStartBefore } from '../../src/engine/read-file.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-look-back');
afterEach(() => vi.restoreAllMocks());

describe('looking back for a line start', () => {
  it('past 64 MiB without a line end, in under a hundred reads (8,192 of 8 KiB)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, '{"first":"line"}\n');
    fs.truncateSync(file, 64 * 1024 * 1024); // zeros after the first line
    const fd = fs.openSync(file, 'r');
    const reads = vi.spyOn(fs, 'read');
    try {
      expect(await lineStartBefore(fd, fs.fstatSync(fd).size - 100)).toBe(17);
      expect(reads.mock.calls.length).toBeLessThan(100);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('finds the nearest line start, wherever it is in a read', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const line = `${'x'.repeat(99)}\n`;
    fs.writeFileSync(file, line.repeat(30_000));
    const fd = fs.openSync(file, 'r');
    try {
      // (Line ends at 99, 199, …: the line start before `at` is the last hundred at or below it.)
      for (const at of [0, 1, 99, 100, 101, 8_191, 8_192, 8_193, 1_000_001, 2_999_999, 3_000_000]) expect(await lineStartBefore(fd, at), `at ${at}`).toBe(Math.floor(at / 100) * 100);
    } finally {
      fs.closeSync(fd);
    }
  });
});
