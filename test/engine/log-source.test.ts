/** The one way a log is opened: regular files only, never blocking, gzip by its bytes. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { closeLogSource, NOT_A_REGULAR_FILE, openLogSource, tryOpenLogSource } from '../../src/engine/log-source.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-log-source');

describe('openLogSource', () => {
  it('tells gzip by its magic bytes, whatever the name', () => {
    const dir = tempDir();
    const cases: Array<[string, string | Buffer, boolean]> = [
      ['archived', gzipSync('{"v":1}\n'), true],
      ['audit.log.2.gz', gzipSync(''), true],
      ['audit.log.1.gz', '{"v":1}\n', false], // a .gz name on plain text
      ['empty', '', false],
      ['one-byte', Buffer.from([0x1f]), false],
    ];
    for (const [name, content, gzip] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      const source = openLogSource(file);
      const st = fs.statSync(file);
      expect(source, name).toMatchObject({ path: file, gzip, size: st.size, dev: st.dev, ino: st.ino });
      closeLogSource(source);
    }
  });

  it('refuses what is not a regular file: a directory, and a FIFO without blocking on it', () => {
    const dir = tempDir();
    expect(() => openLogSource(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => openLogSource(fifo)).toThrow(expect.objectContaining({ code: NOT_A_REGULAR_FILE, message: 'not a regular file' }));
    expect(() => openLogSource('/dev/null')).toThrow(expect.objectContaining({ code: NOT_A_REGULAR_FILE }));
  });

  it('passes the open error on (as a value with tryOpenLogSource)', () => {
    const missing = path.join(tempDir(), 'missing');
    expect(() => openLogSource(missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(tryOpenLogSource(missing)).toEqual({ error: expect.objectContaining({ code: 'ENOENT' }) });
  });
});
