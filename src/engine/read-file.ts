/**
 * Reading history: a byte range of a plain file, or a whole `.gz` file (node:zlib), pushed
 * through a line splitter in chunks with a yield between them, so a UI stays responsive.
 */
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { LineSplitter } from './line-splitter.js';

export interface ReadOptions {
  chunkBytes?: number;
  /** Bytes consumed from the file (compressed bytes for .gz). */
  onRead?: (bytes: number) => void;
  /** Checked between chunks: stop early (engine closed). */
  stopped?: () => boolean;
  /** Receives every decompressed byte of a .gz, in order (to re-read lines later by offset). */
  copyTo?: (chunk: Buffer) => void;
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Longest stretch of indexing between yields: keeps a UI's keys and timers responsive. */
export const SLICE_MS = 8;
const SLICE_BYTES = 32 * 1024;

/**
 * Pushes a chunk through the splitter in slices cut at newlines, yielding to the event loop
 * whenever a slice budget of time is used up (cold code and a loaded machine are slow).
 */
export async function pushInSlices(splitter: LineSplitter, chunk: Buffer): Promise<void> {
  let start = 0;
  let since = performance.now();
  while (start < chunk.length) {
    let end = Math.min(chunk.length, start + SLICE_BYTES);
    if (end < chunk.length) {
      const nl = chunk.lastIndexOf(0x0a, end - 1);
      if (nl >= start) end = nl + 1;
    }
    splitter.push(chunk.subarray(start, end));
    start = end;
    if (performance.now() - since > SLICE_MS) {
      await yieldToEventLoop();
      since = performance.now();
    }
  }
}

/**
 * Pushes bytes [splitter.offset, end) of an open file into the splitter. Stops early at
 * end-of-file. Reads are synchronous, a chunk at a time: from the page cache that is a copy,
 * faster than a round trip through libuv's thread pool (which a busy machine delays most).
 */
export async function readRange(fd: number, end: number, splitter: LineSplitter, options: ReadOptions = {}): Promise<void> {
  // No bigger than the range: a fleet reads hundreds of small tails.
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(options.chunkBytes ?? 1024 * 1024, end - splitter.offset)));
  while (splitter.offset < end && !options.stopped?.()) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - splitter.offset), splitter.offset);
    if (n === 0) break;
    await pushInSlices(splitter, buf.subarray(0, n));
    options.onRead?.(n);
    await yieldToEventLoop();
  }
}

/** Decompresses a .gz file into the splitter (offsets and lines are those of the decompressed text). */
export async function readGzip(file: string, splitter: LineSplitter, options: ReadOptions = {}): Promise<void> {
  const input = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const gunzip = createGunzip({ chunkSize: options.chunkBytes ?? 256 * 1024 });
  input.on('data', (c) => options.onRead?.(c.length));
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (options.stopped?.()) break;
      options.copyTo?.(chunk);
      await pushInSlices(splitter, chunk);
      await yieldToEventLoop();
    }
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
