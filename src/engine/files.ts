/**
 * File access for the engine: opening a file (errors as values), the line boundary before a
 * byte, and byte sources for the scan pool (a range of a plain file, a .gz file's text).
 */
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ChunkSource } from './parallel-scan.js';

export interface OpenFile {
  fd: number;
  dev: number;
  ino: number;
  size: number;
}

export async function openFile(file: string): Promise<OpenFile | { error: unknown }> {
  try {
    const fd = await new Promise<number>((resolve, reject) => fs.open(file, 'r', (e, f) => (e ? reject(e) : resolve(f))));
    const st = await new Promise<fs.Stats>((resolve, reject) => fs.fstat(fd, (e, s) => (e ? reject(e) : resolve(s))));
    if (st.isDirectory()) {
      fs.close(fd, () => {});
      return { error: Object.assign(new Error('is a directory'), { code: 'EISDIR' }) };
    }
    return { fd, dev: st.dev, ino: st.ino, size: st.size };
  } catch (error) {
    return { error };
  }
}

/** Bytes [start, end) of an open file, read synchronously (see readRange). */
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

/** A .gz file's decompressed bytes, also written to the spill file (offsets are in the decompressed text). */
export class GzipSource implements ChunkSource {
  private readonly input: fs.ReadStream;
  private readonly gunzip = createGunzip({ chunkSize: 1024 * 1024 });
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private spilled = 0;

  constructor(
    file: string,
    private readonly spill: number,
    onRead: (bytes: number) => void,
  ) {
    this.input = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    this.input.on('data', (c) => onRead(c.length));
    this.input.on('error', (e) => this.gunzip.destroy(e));
    this.input.pipe(this.gunzip);
    this.chunks = (this.gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(into: Buffer, at: number, max: number): Promise<number> {
    let filled = 0;
    while (filled < max) {
      if (this.pending.length === 0) {
        const next = await this.chunks.next();
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
    this.input.destroy();
    this.gunzip.destroy();
  }
}

/** The start of the line containing byte `at`: just after the newline before it (0 if none). */
export async function lineStartBefore(fd: number, at: number): Promise<number> {
  const block = Buffer.allocUnsafe(64 * 1024);
  let end = at;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, block, 0, end - start, start, (e, got) => (e ? reject(e) : resolve(got))));
    const nl = block.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
    end = start;
  }
  return 0;
}

export function sizeOrZero(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
