/**
 * One file a follower reads: its identity (dev, ino), how far it was read, and the bytes that tell an append from a copytruncate.
 *
 * A file cut to zero and written again past the old offset looks like an append by its size;
 * the bytes just before the offset (the fingerprint) say otherwise. The file's first bytes are
 * kept too: after a copytruncate they name logrotate's copy, to re-read old lines from it.
 */
import fs from 'node:fs';
import { type LineHandler, LineSplitter } from './line-splitter.js';

/** After a truncation: how far the file had been read, and the bytes that recognise its copy. */
export interface TruncatedAt {
  offset: number;
  /** The bytes just before `offset`. */
  lastBytes: Buffer;
  /** The file's first bytes. */
  firstBytes: Buffer;
}

/** Bytes just before the offset, compared on each check to notice a truncate-and-regrow. */
const FINGERPRINT_BYTES = 64;

/**
 * The file's first bytes kept: unlike the bytes before the offset, which a copy made before the
 * last appends does not hold, a copy always starts with them. (A record's first bytes carry its
 * seq and prev hash: unique.)
 */
const HEAD_BYTES = 256;

export class FollowedFile {
  /** Copy of the last bytes read, ending at splitter.offset. */
  private fingerprint = Buffer.alloc(0);
  /** The file's first bytes (up to HEAD_BYTES). */
  private head = Buffer.alloc(0);

  constructor(
    readonly fd: number,
    readonly dev: number,
    readonly ino: number,
    /** Lines from the offset on; `splitter.offset` is how far the file was read. */
    public splitter: LineSplitter,
  ) {}

  /** True when `st` is this file (and not another at the same path). */
  is(st: { dev: number; ino: number }): boolean {
    return st.ino === this.ino && st.dev === this.dev;
  }

  /** When it was last written, or -∞ when that cannot be told. */
  mtimeMs(): number {
    try {
      return fs.fstatSync(this.fd).mtimeMs;
    } catch {
      return Number.NEGATIVE_INFINITY;
    }
  }

  /** Shorter than what was read, or other bytes just before the offset: cut (and maybe written again). */
  wasTruncated(): boolean {
    return fs.fstatSync(this.fd).size < this.splitter.offset || !this.fingerprintHolds();
  }

  /** After a truncation: reading starts again at 0, into the lines `open` gives for where the old reading got to. */
  startOver(open: (truncatedAt: TruncatedAt) => LineHandler): void {
    const truncatedAt = { offset: this.splitter.offset, lastBytes: this.fingerprint, firstBytes: this.head };
    this.fingerprint = Buffer.alloc(0);
    this.head = Buffer.alloc(0);
    this.splitter = new LineSplitter(open(truncatedAt), 0, 1);
  }

  /** Reads into `buf` from the offset (throws what readSync throws); the caller pushes the bytes to the splitter. */
  readAt(buf: Buffer): number {
    this.rememberHead();
    const n = fs.readSync(this.fd, buf, 0, buf.length, this.splitter.offset);
    if (n > 0) {
      const chunk = buf.subarray(0, n);
      this.fingerprint = n >= FINGERPRINT_BYTES
        ? Buffer.from(chunk.subarray(n - FINGERPRINT_BYTES))
        : Buffer.concat([this.fingerprint, chunk]).subarray(-FINGERPRINT_BYTES);
    }
    return n;
  }

  /** True when the bytes just before the offset are still those that were read there. */
  private fingerprintHolds(): boolean {
    const n = this.fingerprint.length;
    if (n === 0) return true;
    const now = Buffer.alloc(n);
    const got = fs.readSync(this.fd, now, 0, n, this.splitter.offset - n);
    return got === n && now.equals(this.fingerprint);
  }

  /** Keeps the file's first bytes while there are fewer than HEAD_BYTES of them. */
  private rememberHead(): void {
    if (this.head.length >= HEAD_BYTES) return;
    const head = Buffer.alloc(HEAD_BYTES);
    try {
      this.head = head.subarray(0, fs.readSync(this.fd, head, 0, HEAD_BYTES, 0));
    } catch {
      // unreadable now: the next read says so
    }
  }
}
