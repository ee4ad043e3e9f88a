/**
 * An open log's bytes as sources for the scan pool (parallel-scan.ts): a range of a plain file,
 * or a gzip file's decompressed text. The same reading as read-file.ts, pulled by the pool.
 */
import fs from 'node:fs';
import type { LogSource } from './log-source.js';
import type { ChunkSource } from './parallel-scan.js';
import { type GzipDamage, gunzipOf, gzipDamage, isGzipDataError } from './read-file.js';

/** Bytes [start, end) of an open file, read synchronously (see readRange), for the scan pool. */
export function rangeSource(fd: number, start: number, end: number): ChunkSource {
  let position = start;
  return {
    read(into, at, max) {
      const n = position < end ? fs.readSync(fd, into, at, Math.min(max, end - position), position) : 0;
      position += n;
      return n;
    },
  };
}

/** A gzip source's decompressed bytes for the scan pool, also written to the spill file (offsets are in the decompressed text); `close` closes the source. */
export class GzipSource implements ChunkSource {
  private readonly stream: ReturnType<typeof gunzipOf>;
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private spilled = 0;
  /** Set when the gzip data ended early or went bad: the text up to there was read, then it ended. */
  damage: GzipDamage | null = null;

  constructor(
    source: LogSource,
    private readonly spill: number,
    onRead: (bytes: number) => void,
  ) {
    this.stream = gunzipOf(source, 1024 * 1024, onRead);
    this.chunks = (this.stream.gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(into: Buffer, at: number, max: number): Promise<number> {
    let filled = 0;
    while (filled < max) {
      if (this.pending.length === 0) {
        if (this.damage) break;
        let next: IteratorResult<Buffer>;
        try {
          next = await this.chunks.next();
        } catch (e) {
          if (!isGzipDataError(e)) throw e;
          this.damage = gzipDamage(e, this.spilled);
          break;
        }
        if (next.done) break;
        this.pending = next.value;
        this.spilled += fs.writeSync(this.spill, next.value, 0, next.value.length, this.spilled);
      }
      const take = Math.min(max - filled, this.pending.length);
      this.pending.copy(into, at + filled, 0, take);
      this.pending = this.pending.subarray(take);
      filled += take;
    }
    return filled;
  }

  close(): void {
    this.stream.close();
  }
}
