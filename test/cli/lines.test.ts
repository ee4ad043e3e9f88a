/** Synchronous, bounded-memory line reading for verify: plain chunks, gzip through a worker. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipChunksSync } from '../../src/cli/commands/gunzip-sync.js';
import { chainLinesOfFiles, OVERSIZED_LINE, splitLines } from '../../src/cli/commands/lines.js';
import { makeTempDirFactory } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-lines');
const chunks = (...parts: string[]) => parts.map((p) => Buffer.from(p));

describe('splitLines', () => {
  it('joins lines across chunk boundaries, including inside a multi-byte character', () => {
    const text = Buffer.from('ab\ncé€\n\nlast');
    const pieces = [text.subarray(0, 1), text.subarray(1, 5), text.subarray(5, 6), text.subarray(6)]; // 'é' split in two
    expect([...splitLines(pieces)]).toEqual(['ab', 'cé€', '', 'last']);
  });
  it('yields a last line without a newline, and nothing for a file ending in one', () => {
    expect([...splitLines(chunks('a\nb'))]).toEqual(['a', 'b']);
    expect([...splitLines(chunks('a\n'))]).toEqual(['a']);
    expect([...splitLines(chunks(''))]).toEqual([]);
  });
  it('replaces a line over the cap by a marker without holding it, in one chunk or many', () => {
    expect([...splitLines(chunks('ok\n', 'x'.repeat(20), '\nnext\n'), 10)]).toEqual(['ok', OVERSIZED_LINE, 'next']);
    expect([...splitLines(chunks(`${'y'.repeat(11)}\nz\n`), 10)]).toEqual([OVERSIZED_LINE, 'z']);
    expect([...splitLines(chunks('a\n', 'x'.repeat(6), 'x'.repeat(6)), 10)]).toEqual(['a', OVERSIZED_LINE]);
    expect([...splitLines(chunks('x'.repeat(10), '\n'), 10)]).toEqual(['x'.repeat(10)]); // exactly the cap is fine
  });
});

describe('gunzipChunksSync', () => {
  it('inflates a file larger than one hand-over, exactly', () => {
    const file = path.join(tempDir(), 'big.gz');
    const content = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `line ${i} ${'z'.repeat(i % 50)}\n`).join(''));
    fs.writeFileSync(file, gzipSync(content));
    const out = Buffer.concat([...gunzipChunksSync(file)]);
    expect(out.length).toBe(content.length);
    expect(out.equals(content)).toBe(true);
  });
  it('can stop early (the verifier found a break) without leaving a blocked worker', () => {
    const file = path.join(tempDir(), 'stop.gz');
    fs.writeFileSync(file, gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a')));
    for (const chunk of gunzipChunksSync(file)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    // Reading it again from the start still works.
    expect(Buffer.concat([...gunzipChunksSync(file)]).length).toBe(5 * 1024 * 1024);
  });
  it('throws the gzip error with its code for a truncated or corrupt file', () => {
    const file = path.join(tempDir(), 'bad.gz');
    const gz = gzipSync(Buffer.alloc(100_000, 'b'));
    fs.writeFileSync(file, gz.subarray(0, gz.length - 10));
    expect(() => [...gunzipChunksSync(file)]).toThrow(expect.objectContaining({ code: 'Z_BUF_ERROR' }));
    fs.writeFileSync(file, Buffer.concat([gz.subarray(0, 20), Buffer.alloc(50, 0xff)]));
    expect(() => [...gunzipChunksSync(file)]).toThrow(expect.objectContaining({ code: expect.stringMatching(/^Z_/) }));
  });
  it('reports a missing file as such', () => {
    expect(() => [...gunzipChunksSync(path.join(tempDir(), 'none.gz'))]).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('chainLinesOfFiles', () => {
  it('numbers lines per file, reading gzip and plain files alike (by content, not by name)', () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.log.2');
    const b = path.join(dir, 'b.log');
    fs.writeFileSync(a, gzipSync('one\ntwo\n'));
    fs.writeFileSync(b, 'three\n');
    expect([...chainLinesOfFiles([a, b])]).toEqual([
      { file: a, line: 1, text: 'one' },
      { file: a, line: 2, text: 'two' },
      { file: b, line: 1, text: 'three' },
    ]);
  });
});
