/**
 * Synchronous streaming of a log's lines in bounded memory: plain files are read in chunks
 * with readSync, gzip files are inflated chunk by chunk. Feeds verifyChain, which pulls.
 */
import fs from 'node:fs';
import type { ChainLine } from '../../shared/chain.js';
import { MAX_LINE_BYTES } from '../../shared/format-constants.js';
import { fileError } from './errors.js';
import { gunzipChunksSync } from './gunzip-sync.js';

const CHUNK = 1 << 20;
const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the file starts with the gzip magic bytes (the name does not matter). */
export function isGzipFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    fs.closeSync(fd);
  }
}

export function* plainChunksSync(file: string): Generator<Buffer> {
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = fs.readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) return;
      yield chunk.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function fileChunksSync(file: string): Generator<Buffer> {
  return isGzipFile(file) ? gunzipChunksSync(file) : plainChunksSync(file);
}

/**
 * Stands in for a line over the cap: not JSON, so the verifier lists it as malformed (no
 * writer produces such a line) without this reader ever holding more than the cap.
 */
export const OVERSIZED_LINE = '\u0000line over the 1 MiB cap';

/** Splits chunks into lines (without the newline). A last line without a newline is yielded too. */
export function* splitLines(chunks: Iterable<Buffer>, maxLineBytes = MAX_LINE_BYTES): Generator<string> {
  let parts: Buffer[] = [];
  let held = 0;
  let oversized = false;
  for (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (oversized || held + (nl - start) > maxLineBytes) {
        yield OVERSIZED_LINE;
      } else {
        const piece = chunk.subarray(start, nl);
        yield (held === 0 ? piece : Buffer.concat([...parts, piece])).toString('utf8');
      }
      parts = [];
      held = 0;
      oversized = false;
      start = nl + 1;
    }
    if (start < chunk.length && !oversized) {
      held += chunk.length - start;
      if (held > maxLineBytes) {
        oversized = true;
        parts = [];
      } else {
        parts.push(chunk.subarray(start));
      }
    }
  }
  if (oversized) yield OVERSIZED_LINE;
  else if (held > 0) yield Buffer.concat(parts).toString('utf8');
}

/** Every line of `files`, in order, with file and 1-based line number: input for verifyChain. */
export function* chainLinesOfFiles(files: readonly string[]): Generator<ChainLine> {
  for (const file of files) {
    let line = 0;
    const lines = splitLines(fileChunksSync(file));
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = lines.next();
      } catch (e) {
        throw fileError(file, e);
      }
      if (next.done) break;
      yield { file, line: ++line, text: next.value };
    }
  }
}
