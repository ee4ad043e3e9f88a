/**
 * Owns the last bytes a follower read from a file, by file offset: a line read back while a truncation it has not noticed yet took it.
 *
 * logrotate copies the file, then truncates it; records appended meanwhile are read by the
 * follower, then cut, and are in neither file. Until the follower looks again (a few ms) and
 * withdraws them (truncation-loss.ts), their entries are read back from here: whole, never
 * half. A ring of at most `cap` bytes, grown as needed, with nothing kept before `keep()`.
 */
export class RecentBytes {
  private ring = Buffer.alloc(0);
  /** File offset just past the last byte kept; bytes [end - kept, end) are held. */
  private end = 0;
  private kept = 0;
  private keeping = false;
  /** File offset just past the last byte read (kept or not). */
  private readEnd = 0;

  constructor(private readonly cap = 256 * 1024) {}

  /** An empty one of the same size (for the file read again from its start). */
  fresh(): RecentBytes {
    return new RecentBytes(this.cap);
  }

  /** From now on bytes are kept (a follower that has caught up: the first read of a big file is not). */
  keep(): void {
    this.keeping = true;
  }

  /** `chunk` was read at file offset `at`. */
  add(chunk: Buffer, at: number): void {
    this.readEnd = Math.max(this.readEnd, at + chunk.length);
    if (!this.keeping || chunk.length === 0) return;
    if (at !== this.end) this.kept = 0; // not contiguous: start again
    const bytes = chunk.length > this.cap ? chunk.subarray(chunk.length - this.cap) : chunk;
    if (this.ring.length < this.cap && this.kept + bytes.length > this.ring.length) {
      this.grow(Math.min(this.cap, Math.max(this.kept + bytes.length, this.ring.length * 2, 4096)));
    }
    this.put(bytes, at + chunk.length - bytes.length);
  }

  /** How far the file was read (what a shorter file lost). */
  get readTo(): number {
    return this.readEnd;
  }

  /** File offset just past the last byte kept (0 before `keep()`). */
  get keptTo(): number {
    return this.end;
  }

  /** Bytes [offset, offset + length) when they are still held; null otherwise. */
  read(offset: number, length: number): Buffer | null {
    if (offset < this.end - this.kept || offset + length > this.end) return null;
    const out = Buffer.allocUnsafe(length);
    const size = this.ring.length;
    for (let done = 0; done < length; ) {
      const pos = (offset + done) % size;
      const n = Math.min(length - done, size - pos);
      this.ring.copy(out, done, pos, pos + n);
      done += n;
    }
    return out;
  }

  /** Writes `bytes` (file offset `from`, contiguous with what is held) at their places: file offsets modulo the ring's size. */
  private put(bytes: Buffer, from: number): void {
    const size = this.ring.length;
    for (let done = 0; done < bytes.length; ) {
      const pos = (from + done) % size;
      const n = Math.min(bytes.length - done, size - pos);
      bytes.copy(this.ring, pos, done, done + n);
      done += n;
    }
    this.end = from + bytes.length;
    this.kept = Math.min(size, this.kept + bytes.length);
  }

  /** A bigger ring, with the bytes held. */
  private grow(size: number): void {
    const held = this.read(this.end - this.kept, this.kept) as Buffer;
    this.ring = Buffer.alloc(size);
    this.kept = 0;
    this.put(held, this.end - held.length);
  }
}
