/**
 * Synchronous readers of an open log (log-source.ts), in bounded memory: its text chunk by
 * chunk (plain files with readSync, gzip through gunzip-sync.ts), split into lines for
 * verifyChain, which pulls; and the start of its text, for a first look at what a file is.
 */
import fs from 'node:fs';
import { MAX_LINE_BYTES } from '../shared/format-constants.js';
import { isAllNul } from '../shared/line-bytes.js';
import { gunzipChunksSync } from './gunzip-sync.js';
import { closeLogSource, type LogSource } from './log-source.js';

const CHUNK = 1 << 20;

/** A source's text (decompressed for gzip), chunk by chunk. Takes the source over: closed at the end, or when the caller stops. */
export function textChunksSync(source: LogSource): Generator<Buffer> {
  return source.gzip ? gunzipChunksSync(source) : plainChunksSync(source);
}

/**
 * Chunks read into a ring of buffers rather than a fresh one each: fresh pages are faulted in as
 * they are read into, 120–345 ms over a 458 MB log against 59 ms reused (#17: `verify`). A chunk
 * is read over three reads later: what views it then must be done with it. splitLines copies the
 * start of a line it holds across reads (a growing file's line may take any number of short
 * ones), each line it yields is used before the next is pulled, and a reader keeping one copies
 * it (chain-order.ts; an attacker's review found it kept a view, test/hardening/verify-ring.test.ts).
 */
const RING = 3;

function* plainChunksSync(source: LogSource): Generator<Buffer> {
  const ring: Buffer[] = [];
  try {
    for (let position = 0, turn = 0; ; turn++) {
      if (ring.length < RING) ring.push(Buffer.allocUnsafeSlow(CHUNK));
      const chunk = ring[turn % RING];
      const n = fs.readSync(source.fd, chunk, 0, CHUNK, position);
      if (n === 0) return;
      position += n;
      yield chunk.subarray(0, n);
    }
  } finally {
    closeLogSource(source);
  }
}

/**
 * Stands in for a line over the cap (compare by identity), so the caller can say so without
 * this reader ever holding more than the cap. No writer produces such a line.
 */
export const OVERSIZED_LINE: Buffer = Buffer.from('\u0000line over the 1 MiB cap');

/** Every blank line is this one buffer: a file of newlines costs no object per line here. */
const BLANK_LINE = Buffer.alloc(0);

/** What a line over the cap was, told just before OVERSIZED_LINE stands for it: its length, and whether it held nothing but NUL bytes. */
export type OversizedLine = (length: number, nulOnly: boolean) => void;

/**
 * Splits chunks into lines, as their exact bytes without the newline (often a view into its
 * chunk: copy a line to keep it long without keeping the chunk). A last line without a
 * newline is yielded too. At most `maxLineBytes` of a line are ever held.
 */
export function* splitLines(chunks: Iterable<Buffer>, maxLineBytes = MAX_LINE_BYTES, oversizedLine?: OversizedLine): Generator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  let oversized = false;
  /** Every byte of the line so far is NUL (a crash's padding, which may run past the cap). */
  let nulOnly = true;
  for (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (oversized || held + (nl - start) > maxLineBytes) {
        oversizedLine?.(held + (nl - start), nulOnly && isAllNul(chunk, start, nl));
        yield OVERSIZED_LINE;
      } else if (held === 0) yield nl === start ? BLANK_LINE : chunk.subarray(start, nl);
      else yield Buffer.concat([...parts, chunk.subarray(start, nl)]);
      parts = [];
      held = 0;
      oversized = false;
      nulOnly = true;
      start = nl + 1;
    }
    if (start < chunk.length) {
      held += chunk.length - start;
      // Cheap: a line that is no padding stops this at its first byte.
      if (nulOnly) nulOnly = isAllNul(chunk, start);
      if (oversized) continue;
      if (held > maxLineBytes) {
        oversized = true;
        parts = [];
      } else {
        // A copy: the chunk's buffer is read into again (plainChunksSync's ring), and a line at
        // the end of a growing file may take any number of short reads.
        parts.push(Buffer.from(chunk.subarray(start)));
      }
    }
  }
  if (oversized) {
    oversizedLine?.(held, nulOnly);
    yield OVERSIZED_LINE;
  } else if (held > 0) yield Buffer.concat(parts);
}

const HEAD_PLAIN_BYTES = 64 * 1024;
const HEAD_GZIP_BYTES = 16 * 1024;
/** Bounds what a decompression bomb's first 16 KiB may inflate to. */
const HEAD_GZIP_MAX_TEXT = 16 * 1024 * 1024;

/** The start of a log's text, or why there is none to judge by. */
export type TextHead =
  | { kind: 'text'; head: Uint8Array; whole: boolean }
  /** The first 16 KiB of gzip inflate past 16 MiB: a bomb, or text that compresses very well. */
  | { kind: 'inflates-hugely' }
  | { kind: 'corrupt-gzip' };

/**
 * The start of a source's text, without reading it all: up to 64 KiB of a plain file, or what
 * the first 16 KiB of a gzip file inflate to; `whole` when that is the entire text. Throws a
 * read error. Leaves the source open.
 */
export function textHeadSync(source: LogSource): TextHead {
  const buffer = Buffer.alloc(source.gzip ? HEAD_GZIP_BYTES : HEAD_PLAIN_BYTES);
  const n = fs.readSync(source.fd, buffer, 0, buffer.length, 0);
  const bytes = buffer.subarray(0, n);
  if (!source.gzip) return { kind: 'text', head: bytes, whole: n < buffer.length };
  try {
    // SYNC_FLUSH: inflate what this prefix holds instead of failing on the missing rest.
    // Loaded here, not imported: only gzip files need zlib (#17: start-up).
    const zlib = process.getBuiltinModule('node:zlib');
    const head = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: HEAD_GZIP_MAX_TEXT });
    return { kind: 'text', head, whole: n === source.size };
  } catch (e) {
    return e instanceof RangeError ? { kind: 'inflates-hugely' } : { kind: 'corrupt-gzip' };
  }
}
