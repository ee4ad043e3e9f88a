/** verify's input: every line of the files in order, with file and line number. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chainLinesOfFiles } from '../../src/cli/commands/lines.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-cli-lines');

describe('chainLinesOfFiles', () => {
  it('numbers lines per file, reading gzip and plain files alike (by content, not by name)', () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log.2');
    const b = path.join(dir, 'b.log');
    fs.writeFileSync(a, gzipSync('one\ntwo\n'));
    fs.writeFileSync(b, 'three\n');
    expect([...chainLinesOfFiles([a, b])]).toEqual([
      { file: a, line: 1, text: Buffer.from('one') },
      { file: a, line: 2, text: Buffer.from('two') },
      { file: b, line: 1, text: Buffer.from('three') },
    ]);
  });
  it('hands on a line over the 1 MiB cap as unreadable, without its bytes', () => {
    const file = path.join(tempDir(), 'long.log');
    fs.writeFileSync(file, `${'x'.repeat(1024 * 1024 + 1)}
ok
`);
    const [long, ok] = [...chainLinesOfFiles([file])];
    expect(long).toMatchObject({ line: 1, unreadable: 'over the 1 MiB line cap' });
    expect(long.text.length).toBeLessThan(100);
    expect(ok).toEqual({ file, line: 2, text: Buffer.from('ok') });
  });
  it('hands on NUL padding over the cap as NUL padding (as the engine names it), plain or gzip, with or without a newline', () => {
    const big = 1024 * 1024 + 4096;
    for (const gzip of [false, true]) {
      for (const end of ['\n{}\n', '']) {
        const file = path.join(tempDir(), gzip ? 'padded.log.1.gz' : 'padded.log');
        const bytes = Buffer.concat([Buffer.from('{}\n'), Buffer.alloc(big), Buffer.from(end)]);
        fs.writeFileSync(file, gzip ? gzipSync(bytes) : bytes);
        const lines = [...chainLinesOfFiles([file])];
        expect(lines[1], `${gzip ? 'gzip' : 'plain'} ${JSON.stringify(end)}`).toMatchObject({ line: 2, unreadable: `NUL padding: ${big} bytes` });
        expect(lines).toHaveLength(end === '' ? 2 : 3);
      }
    }
    // One byte that is not NUL, anywhere in it: over the cap.
    const file = path.join(tempDir(), 'long.log');
    const long = Buffer.alloc(big);
    long[big - 1] = 0x20;
    fs.writeFileSync(file, Buffer.concat([long, Buffer.from('\n')]));
    expect([...chainLinesOfFiles([file])][0]).toMatchObject({ line: 1, unreadable: 'over the 1 MiB line cap' });
  });
  it('ends with a one-line error naming a file that cannot be read', () => {
    const missing = path.join(tempDir(), 'none.gz');
    expect(() => [...chainLinesOfFiles([missing])]).toThrow(`${missing}: no such file`);
  });
});
