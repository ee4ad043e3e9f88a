/** Synchronous, bounded-memory reading for verify: plain chunks, gzip through a worker, lines. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipChunksSync } from '../../src/engine/gunzip-sync.js';
import { openLogSource } from '../../src/engine/log-source.js';
import { OVERSIZED_LINE, splitLines, textChunksSync, textHeadSync } from '../../src/engine/read-file-sync.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-read-sync');
const chunks = (...parts: string[]) => parts.map((p) => Buffer.from(p));
/** splitLines' lines as text, the over-cap marker by name. */
const texts = (lines: Iterable<Buffer>) => [...lines].map((l) => (l === OVERSIZED_LINE ? 'OVERSIZED' : l.toString('utf8')));

describe('splitLines', () => {
  it('joins lines across chunk boundaries, including inside a multi-byte character', () => {
    const text = Buffer.from('ab\ncé€\n\nlast');
    const pieces = [text.subarray(0, 1), text.subarray(1, 5), text.subarray(5, 6), text.subarray(6)]; // 'é' split in two
    expect(texts(splitLines(pieces))).toEqual(['ab', 'cé€', '', 'last']);
  });
  it('yields the exact bytes of a line, also when they are not UTF-8', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xef, 0xbf, 0xbd, 0x0a]);
    expect([...splitLines([bytes.subarray(0, 2), bytes.subarray(2)])]).toEqual([Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xef, 0xbf, 0xbd])]);
  });
  it('yields a last line without a newline, and nothing for a file ending in one', () => {
    expect(texts(splitLines(chunks('a\nb')))).toEqual(['a', 'b']);
    expect(texts(splitLines(chunks('a\n')))).toEqual(['a']);
    expect(texts(splitLines(chunks('')))).toEqual([]);
  });
  it('replaces a line over the cap by a marker without holding it, in one chunk or many', () => {
    expect(texts(splitLines(chunks('ok\n', 'x'.repeat(20), '\nnext\n'), 10))).toEqual(['ok', 'OVERSIZED', 'next']);
    expect(texts(splitLines(chunks(`${'y'.repeat(11)}\nz\n`), 10))).toEqual(['OVERSIZED', 'z']);
    expect(texts(splitLines(chunks('a\n', 'x'.repeat(6), 'x'.repeat(6)), 10))).toEqual(['a', 'OVERSIZED']);
    expect(texts(splitLines(chunks('x'.repeat(10), '\n'), 10))).toEqual(['x'.repeat(10)]); // exactly the cap is fine
  });
});

describe('gunzipChunksSync', () => {
  it('inflates a file larger than one hand-over, exactly', () => {
    const file = path.join(tempDir(), 'big.gz');
    const content = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `line ${i} ${'z'.repeat(i % 50)}\n`).join(''));
    fs.writeFileSync(file, gzipSync(content));
    const out = Buffer.concat([...gunzipChunksSync(openLogSource(file))]);
    expect(out.length).toBe(content.length);
    expect(out.equals(content)).toBe(true);
  });
  it('can stop early (the verifier found a break) without leaving a blocked worker', () => {
    const file = path.join(tempDir(), 'stop.gz');
    fs.writeFileSync(file, gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a')));
    for (const chunk of gunzipChunksSync(openLogSource(file))) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    // Reading it again from the start still works.
    expect(Buffer.concat([...gunzipChunksSync(openLogSource(file))]).length).toBe(5 * 1024 * 1024);
  });
  it('throws the gzip error with its code for a truncated or corrupt file', () => {
    const file = path.join(tempDir(), 'bad.gz');
    const gz = gzipSync(Buffer.alloc(100_000, 'b'));
    fs.writeFileSync(file, gz.subarray(0, gz.length - 10));
    expect(() => [...gunzipChunksSync(openLogSource(file))]).toThrow(expect.objectContaining({ code: 'Z_BUF_ERROR' }));
    fs.writeFileSync(file, Buffer.concat([gz.subarray(0, 20), Buffer.alloc(50, 0xff)]));
    expect(() => [...gunzipChunksSync(openLogSource(file))]).toThrow(expect.objectContaining({ code: expect.stringMatching(/^Z_/) }));
  });
});

/** Resolves once `fd` is closed (fstat fails with EBADF); rejects after a few seconds. */
async function closedSoon(fd: number): Promise<void> {
  for (const until = Date.now() + 5000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    try {
      fs.fstatSync(fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EBADF') return;
      throw e;
    }
  }
  throw new Error(`descriptor ${fd} still open`);
}

describe('textChunksSync', () => {
  it('closes the source at the end, and when the reader stops early (gzip: once its worker stops)', async () => {
    const dir = tempDir();
    const plain = path.join(dir, 'plain.log');
    const gzipped = path.join(dir, 'big.gz');
    fs.writeFileSync(plain, 'a\nb\n');
    fs.writeFileSync(gzipped, gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a')));
    for (const file of [plain, gzipped]) {
      const whole = openLogSource(file);
      expect([...textChunksSync(whole)].length).toBeGreaterThan(0);
      await closedSoon(whole.fd);
      const part = openLogSource(file);
      for (const _ of textChunksSync(part)) break;
      await closedSoon(part.fd);
    }
  });


  it('reads gzip and plain files alike, by content, not by name', () => {
    const dir = tempDir();
    const gzipped = path.join(dir, 'archived'); // gzip without the suffix
    const plain = path.join(dir, 'plain.gz'); // plain text with it
    fs.writeFileSync(gzipped, gzipSync('one\ntwo\n'));
    fs.writeFileSync(plain, 'three\n');
    expect(texts(splitLines(textChunksSync(openLogSource(gzipped))))).toEqual(['one', 'two']);
    expect(texts(splitLines(textChunksSync(openLogSource(plain))))).toEqual(['three']);
  });
});

describe('textHeadSync', () => {
  it('gives the start of the text, inflated for gzip, and says when that is all of it', () => {
    const dir = tempDir();
    const small = path.join(dir, 'small');
    fs.writeFileSync(small, gzipSync('{"v":1}\n'));
    expect(textHeadSync(openLogSource(small))).toEqual({ kind: 'text', head: Buffer.from('{"v":1}\n'), whole: true });
    const big = path.join(dir, 'big.log');
    fs.writeFileSync(big, 'x'.repeat(100_000));
    const head = textHeadSync(openLogSource(big));
    expect(head).toMatchObject({ kind: 'text', whole: false });
    expect(head.kind === 'text' && head.head.length).toBe(64 * 1024);
  });
  it('says when gzip data is corrupt, or inflates too far to judge', () => {
    const dir = tempDir();
    const corrupt = path.join(dir, 'corrupt.gz');
    fs.writeFileSync(corrupt, Buffer.concat([gzipSync('abc').subarray(0, 10), Buffer.alloc(40, 0xff)]));
    expect(textHeadSync(openLogSource(corrupt))).toEqual({ kind: 'corrupt-gzip' });
    const bomb = path.join(dir, 'bomb.gz');
    fs.writeFileSync(bomb, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    expect(textHeadSync(openLogSource(bomb))).toEqual({ kind: 'inflates-hugely' });
  });
});
