/** Lines read back in file order come from one read ahead: the same bytes as a read of each line, and never from before a truncation. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSpans, spareReadAheadBuffers } from '../../src/engine/file-spans.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A file of lines of many lengths (one longer than a read ahead), and where each is. */
function fileOfLines(): { file: string; lines: { offset: number; text: string }[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spans-window-'));
  dirs.push(dir);
  const lines: { offset: number; text: string }[] = [];
  let offset = 0;
  for (let i = 0; i < 3000; i++) {
    const text = i === 1500 ? 'L'.repeat(300 * 1024) : `${i}:${'x'.repeat((i * 7919) % 700)}`;
    lines.push({ offset, text });
    offset += Buffer.byteLength(text) + 1;
  }
  const file = path.join(dir, 'audit.log');
  fs.writeFileSync(file, lines.map((l) => `${l.text}\n`).join(''));
  return { file, lines };
}

describe('FileSpans read back in order', () => {
  it('gives each line its own bytes, in order, with skips, across read-ahead boundaries and past a line longer than one', () => {
    const { file, lines } = fileOfLines();
    const spans = new FileSpans();
    const fd = fs.openSync(file, 'r');
    const span = spans.add(file, fd, 0);
    for (let i = 0; i < lines.length; i += 1 + (i % 3)) {
      const { offset, text } = lines[i];
      expect(spans.readLine(span.id, offset, Buffer.byteLength(text))?.toString(), `line ${i}`).toBe(text);
    }
    // Backwards, and in order again.
    for (const i of [2999, 10, 11, 2998, 12]) expect(spans.readLine(span.id, lines[i].offset, lines[i].text.length)?.toString()).toBe(lines[i].text);
    spans.closeAll();
  });

  it('does not serve a line from bytes read before the file was truncated and written again', () => {
    const { file, lines } = fileOfLines();
    const spans = new FileSpans();
    const fd = fs.openSync(file, 'r+');
    const span = spans.add(file, fd, 0);
    for (let i = 0; i < 20; i++) spans.readLine(span.id, lines[i].offset, lines[i].text.length);
    const next = lines[20];
    // Rewritten in place (what a truncation and new writes leave); the follower says so.
    fs.writeSync(fd, Buffer.from('Z'.repeat(next.text.length)), 0, next.text.length, next.offset);
    spans.truncated(fd, { file, fd, size: fs.fstatSync(fd).size });
    expect(spans.readLine(span.id, next.offset, next.text.length)?.toString()).toBe('Z'.repeat(next.text.length));
    spans.closeAll();
  });

  it('does not keep bytes read ahead past the turn of the event loop it read them in', async () => {
    const { file, lines } = fileOfLines();
    const spans = new FileSpans();
    const fd = fs.openSync(file, 'r+');
    const span = spans.add(file, fd, 0);
    for (let i = 0; i < 20; i++) spans.readLine(span.id, lines[i].offset, lines[i].text.length);
    await new Promise((resolve) => setImmediate(resolve));
    const next = lines[20];
    fs.writeSync(fd, Buffer.from('Q'.repeat(next.text.length)), 0, next.text.length, next.offset);
    expect(spans.readLine(span.id, next.offset, next.text.length)?.toString()).toBe('Q'.repeat(next.text.length));
    spans.closeAll();
  });

  it('gives its read-ahead buffer back at the turn it drops it: a fleet has thousands of these (the viewer kept 256 KB each)', async () => {
    const { file, lines } = fileOfLines();
    const spans = new FileSpans();
    const fd = fs.openSync(file, 'r');
    const span = spans.add(file, fd, 0);
    expect(spans.readAheadBytes()).toBe(0);
    for (let i = 0; i < 20; i++) spans.readLine(span.id, lines[i].offset, lines[i].text.length);
    expect(spans.readAheadBytes()).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(spans.readAheadBytes()).toBe(0);
    // Read in order again: a fresh window, the same bytes.
    for (let i = 20; i < 40; i++) expect(spans.readLine(span.id, lines[i].offset, lines[i].text.length)?.toString()).toBe(lines[i].text);
    spans.closeAll();
    expect(spans.readAheadBytes()).toBe(0);
  });

  it('keeps a few buffers between turns for the next read ahead (fresh pages cost print a fault each), however many spans read ahead in one', async () => {
    const { file, lines } = fileOfLines();
    const all: FileSpans[] = [];
    for (let s = 0; s < 20; s++) {
      const spans = new FileSpans();
      const span = spans.add(file, fs.openSync(file, 'r'), 0);
      for (let i = 0; i < 20; i++) spans.readLine(span.id, lines[i].offset, lines[i].text.length);
      all.push(spans);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(all.map((spans) => spans.readAheadBytes())).toEqual(all.map(() => 0));
    expect(spareReadAheadBuffers()).toBe(4);
    // The next turn's read ahead takes one back, with the same bytes as ever.
    const spans = all[0];
    for (let i = 20; i < 40; i++) expect(spans.readLine(0, lines[i].offset, lines[i].text.length)?.toString()).toBe(lines[i].text);
    expect(spareReadAheadBuffers()).toBe(3);
    for (const each of all) each.closeAll();
    expect(spareReadAheadBuffers()).toBe(4);
  });
});
