/**
 * The engine's readers of an open log (log-source.ts): a byte range of a plain file, or a gzip
 * file's decompressed text, pushed through a line splitter in chunks with a yield between
 * them, so a UI stays responsive. Offsets and lines of a gzip file are those of its
 * decompressed text. (The same bytes as sources for the scan pool: chunk-sources.ts.)
 */
import fs from 'node:fs';
import type { Gunzip } from 'node:zlib';
import { monotonicMs } from '../shared/clock.js';
import type { LineSplitter } from './line-splitter.js';
import type { LogSource } from './log-source.js';

export interface ReadOptions {
  chunkBytes?: number;
  /** Bytes consumed from the file (compressed bytes for gzip). */
  onRead?: (bytes: number) => void;
  /** Checked between chunks: stop early (engine closed). */
  stopped?: () => boolean;
  /** Receives every decompressed byte of a gzip file, in order (to re-read lines later by offset). */
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
  let since = monotonicMs();
  while (start < chunk.length) {
    let end = Math.min(chunk.length, start + SLICE_BYTES);
    if (end < chunk.length) {
      const nl = chunk.lastIndexOf(0x0a, end - 1);
      if (nl >= start) end = nl + 1;
    }
    splitter.push(chunk.subarray(start, end));
    start = end;
    if (monotonicMs() - since > SLICE_MS) {
      await yieldToEventLoop();
      since = monotonicMs();
    }
  }
}

// ---- plain files ----

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

/** The most `lineStartBefore` reads at once. */
const LOOK_BACK_MAX_BLOCK = 1024 * 1024;

/** The start of the line containing byte `at`: just after the newline before it (0 if none). */
export async function lineStartBefore(fd: number, at: number): Promise<number> {
  // (Small first: a line is a few hundred bytes, and a fleet looks for one in each of thousands
  // of files. Twice as much at each step after: 8 KiB at a time, 2 GiB of NUL padding with no
  // line end took 262,144 reads, 20 s of CPU.)
  let block = Buffer.allocUnsafe(8 * 1024);
  let end = at;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const into = block;
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, into, 0, end - start, start, (e, got) => (e ? reject(e) : resolve(got))));
    const nl = into.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
    end = start;
    if (block.length < LOOK_BACK_MAX_BLOCK) block = Buffer.allocUnsafe(2 * block.length);
  }
  return 0;
}

// ---- gzip files ----

/**
 * The decompressed text of a gzip source as a stream, read from its descriptor (so it is the
 * file that was opened and checked), from byte 0. The reader owns the source from then on:
 * its descriptor is closed when the stream ends or is closed (the engine reads the lines of a
 * gzip file back from its spill, not from the file).
 */
export function gunzipOf(source: LogSource, chunkBytes: number, onRead?: (bytes: number) => void): { gunzip: Gunzip; close: () => void } {
  const input = fs.createReadStream(source.path, { fd: source.fd, autoClose: true, start: 0, highWaterMark: 256 * 1024 });
  // Loaded here, not imported: only gzip files need zlib (#17: start-up).
  const gunzip = process.getBuiltinModule('node:zlib').createGunzip({ chunkSize: chunkBytes });
  if (onRead) input.on('data', (c) => onRead(c.length));
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  return {
    gunzip,
    close: () => {
      input.destroy();
      gunzip.destroy();
    },
  };
}

/**
 * zlib's errors for gzip data that ends early (a file cut short: `unexpected end of file`) or
 * goes bad part way: the text inflated before it is good, only the rest is lost.
 */
export function isGzipDataError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR';
}

/** Where a gzip file's text stopped being readable, and why. */
export interface GzipDamage {
  /** Bytes of text inflated before it (all read; a last line it cut is read as it is, a malformed line). */
  textBytes: number;
  cause: string;
}

export const gzipDamage = (e: unknown, textBytes: number): GzipDamage => ({ textBytes, cause: e instanceof Error ? e.message : String(e) });

/** The notice for a damaged gzip file: it costs its unreadable rest, never the read. */
export function gzipDamageNotice(file: string, damage: GzipDamage, lines: number): { kind: 'damaged'; file: string; message: string } {
  const { textBytes, cause } = damage;
  const reason = cause === 'unexpected end of file' ? 'gzip data ends early (the file is cut short)' : `corrupt gzip data (${cause})`;
  return { kind: 'damaged', file, message: `${file}: ${reason}: read its first ${textBytes} bytes of text (${lines} line${lines === 1 ? '' : 's'}); the rest is unreadable` };
}

/**
 * Decompresses a gzip source into the splitter; closes the source. Gzip data that ends early
 * or goes bad stops the read there: what came before is read, the damage is returned, never
 * thrown (the caller flushes the splitter as at any end: a line the damage cut is malformed).
 */
export async function readGzip(source: LogSource, splitter: LineSplitter, options: ReadOptions = {}): Promise<GzipDamage | null> {
  const { gunzip, close } = gunzipOf(source, options.chunkBytes ?? 256 * 1024, options.onRead);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (options.stopped?.()) break;
      options.copyTo?.(chunk);
      await pushInSlices(splitter, chunk);
      await yieldToEventLoop();
    }
  } catch (e) {
    if (!isGzipDataError(e)) throw e;
    return gzipDamage(e, splitter.offset);
  } finally {
    close();
  }
  return null;
}
