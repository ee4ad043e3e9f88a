/**
 * What a scanner makes of a chunk of lines, and how the thread that reads the file takes it
 * (`ChunkWork`); and that work with the native scanner (`linesWork`). Apart from parallel-scan.ts
 * so that a scan worker running the native scanner does not load the JavaScript scanner's
 * modules (chunk-scan.ts and, through the full parse, zod): it was ready 130–150 ms after its
 * start, against ~50 ms bundled (#17).
 */
import { ChunkStrings, scanChunkLines, type ScannedChunk } from './native-lines.js';
import type { NativeAddon } from './native-scanner.js';

/**
 * Bytes per chunk of lines' slots: this thread's cost per chunk (a message each way, turns of
 * the event loop, a splitter) is most of what it spends beside the lines. `stats` of 1M records
 * with a worker, five rounds alternated: 256 KB 1.61–2.14 s, peak RSS 139–142 MB; 512 KB
 * 1.51–2.11 s, 143–145 MB; 1 MB 1.56–2.13 s, 146–149 MB (#17).
 */
const LINES_CHUNK_BYTES = 512 * 1024;

/** What the scanners make of a chunk, and how this thread handles it. */
export interface ChunkWork<R> {
  /** Which scanner a worker runs (scan-worker.ts), and whether it hashes the lines (false: the chain is not checked). */
  readonly lines: boolean;
  readonly hashLines: boolean;
  /** Bytes per chunk, unless the run says otherwise. */
  readonly chunkBytes: number;
  /** Scans a chunk (whole lines, but for the last one when `final`); `spare`, a consumed result's buffer. */
  scan(buf: Buffer, final: boolean, spare: ArrayBuffer | null): R;
  /** A result as a worker posts it (the chunk's bytes travel apart, as the job's buffer), and the buffers it hands over. */
  posted(r: R): unknown;
  transferables(r: R): ArrayBuffer[];
  /** Lines in the chunk. */
  lineCount(r: R): number;
  /** The buffer of a consumed result, for the next chunk's. */
  spareOf(r: R): ArrayBuffer | null;
  /** A worker's result, with the chunk's `bytes` back. */
  arrived(r: R, bytes: Buffer): R;
  /** The chunk's bytes when the result is read from them: given back once it is consumed, not once scanned. */
  heldBytes(r: R): Buffer | null;
  /** A line over the cap, whose bytes are not kept: one malformed line. */
  overCap(length: number, nulOnly: boolean): R;
}

/** A chunk of lines scanned by the native scanner, or a line over the cap (`overCap`: its length; nothing scanned). */
export type LinesChunk = ScannedChunk & { overCap: { length: number; nulOnly: boolean } | null };

/**
 * Chunks → their lines' slots (native-lines.ts), taken by this thread's reader: the pool's work
 * with the native scanner. `internStrings` (a worker's): the lines' strings interned there too.
 */
export function linesWork(addon: NativeAddon, hashLines: boolean, internStrings = false): ChunkWork<LinesChunk> {
  const strings = internStrings ? new ChunkStrings() : null;
  return {
    lines: true,
    hashLines,
    chunkBytes: LINES_CHUNK_BYTES,
    scan: (buf, final, spare) => ({ ...scanChunkLines(addon, buf, final, hashLines, spare, strings), overCap: null }),
    // (A Buffer would be copied, and arrive as a plain Uint8Array: the bytes go back as the job's buffer.)
    posted: (r) => ({ ...r, bytes: null }),
    transferables: (r) => [r.slots],
    lineCount: (r) => r.lines,
    spareOf: (r) => (r.overCap === null ? r.slots : null),
    arrived: (r, bytes) => ({ ...r, bytes }),
    heldBytes: (r) => (r.overCap === null ? r.bytes : null),
    overCap: (length, nulOnly) => ({ bytes: Buffer.alloc(0), final: false, lines: 1, count: 0, to: 0, slots: new ArrayBuffer(0), room: 0, strings: null, overCap: { length, nulOnly } }),
  };
}
