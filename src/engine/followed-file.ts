/**
 * One file a follower reads: its identity (dev, ino), how far it was read, and the bytes that tell an append from a copytruncate.
 *
 * A file cut to zero and written again past the old offset looks like an append by its size;
 * the bytes read last say otherwise. Record endings repeat (`…"latency_ms":800}`), so the last
 * complete line read is compared too, from its start: its seq and prev hash make it unique.
 * The same evidence names logrotate's copy after a copytruncate (truncation-copy.ts).
 */
import fs from 'node:fs';
import { type LineHandler, LineSplitter } from './line-splitter.js';
import type { RecentBytes } from './recent-bytes.js';

/** Bytes at a known offset of the file. */
export interface KnownBytes {
  offset: number;
  bytes: Buffer;
}

/** What a follower knew of a file when it found it truncated. */
export interface TruncationEvidence {
  /** How far the file had been read. */
  offset: number;
  /** The file's first bytes: a copy always starts with them. */
  head: Buffer;
  /** The last complete line read (its first LINE_EVIDENCE_BYTES): a copy holding it holds all lines read. Null before one. */
  lastLine: KnownBytes | null;
}

/** Bytes just before the offset, compared on each check to notice a truncate-and-regrow. */
const FINGERPRINT_BYTES = 64;

/**
 * The file's first bytes kept: unlike the last line read, which a copy made before the last
 * appends does not hold, a copy always starts with them. (A record's first bytes carry its seq
 * and prev hash: unique.)
 */
const HEAD_BYTES = 256;

/** How much of the last line read is kept: seq and prev come within its first 150 bytes. */
const LINE_EVIDENCE_BYTES = 4096;

const NEWLINE = 0x0a;

export class FollowedFile {
  /** Copy of the last bytes read, ending at splitter.offset. */
  private fingerprint = Buffer.alloc(0);
  /** The file's first bytes (up to HEAD_BYTES). */
  private head = Buffer.alloc(0);
  private lastLine: KnownBytes | null = null;
  /** The line being read (not complete yet): where it starts, and its first bytes. */
  private current: KnownBytes;

  constructor(
    readonly fd: number,
    readonly dev: number,
    readonly ino: number,
    /** Lines from the offset on; `splitter.offset` is how far the file was read. */
    public splitter: LineSplitter,
    /** The last bytes read, once caught up (the lines' spans read them back from here after a truncation). */
    public recent: RecentBytes,
  ) {
    this.current = { offset: splitter.offset, bytes: Buffer.alloc(0) };
  }

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

  /** Shorter than what was read, or other bytes where the last ones read were: cut (and maybe written again). */
  wasTruncated(): boolean {
    return fs.fstatSync(this.fd).size < this.splitter.offset || !this.holds(this.offsetOfFingerprint(), this.fingerprint) || !this.holds(this.lastLine?.offset ?? 0, this.lastLine?.bytes);
  }

  /** What is known of the file as read so far (to find its copy after a truncation). */
  evidence(): TruncationEvidence {
    return { offset: this.splitter.offset, head: this.head, lastLine: this.lastLine };
  }

  /** After a truncation: reading starts again at 0, into the lines `open` gives (their recent bytes kept in `recent`). */
  startOver(open: (recent: RecentBytes) => LineHandler): void {
    this.fingerprint = Buffer.alloc(0);
    this.head = Buffer.alloc(0);
    this.lastLine = null;
    this.current = { offset: 0, bytes: Buffer.alloc(0) };
    this.recent = this.recent.fresh();
    this.recent.keep();
    this.splitter = new LineSplitter(open(this.recent), 0, 1);
  }

  /** Reads into `buf` from the offset (throws what readSync throws); the caller pushes the bytes to the splitter. */
  readAt(buf: Buffer): number {
    this.rememberHead();
    const at = this.splitter.offset;
    const n = fs.readSync(this.fd, buf, 0, buf.length, at);
    if (n > 0) {
      const chunk = buf.subarray(0, n);
      this.fingerprint = own(n >= FINGERPRINT_BYTES ? chunk.subarray(n - FINGERPRINT_BYTES) : Buffer.concat([this.fingerprint, chunk]).subarray(-FINGERPRINT_BYTES));
      this.rememberLastLine(chunk, at);
      this.recent.add(chunk, at);
    } else this.recent.keep(); // caught up: what is read from now on is kept a while
    return n;
  }

  private offsetOfFingerprint(): number {
    return this.splitter.offset - this.fingerprint.length;
  }

  /** True when the file still holds `known` at `offset` (nothing known: true). */
  private holds(offset: number, known: Buffer | undefined): boolean {
    const n = known?.length ?? 0;
    if (n === 0) return true;
    const now = Buffer.alloc(n);
    const got = fs.readSync(this.fd, now, 0, n, offset);
    return got === n && now.equals(known as Buffer);
  }

  /** Keeps the first bytes of the last complete line in `chunk` (read at `at`), and of the line it leaves open. */
  private rememberLastLine(chunk: Buffer, at: number): void {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end === -1) {
      this.current = { offset: this.current.offset, bytes: firstBytes(this.current.bytes, chunk) };
      return;
    }
    const before = end === 0 ? -1 : chunk.lastIndexOf(NEWLINE, end - 1);
    this.lastLine = before >= 0
      ? { offset: at + before + 1, bytes: own(chunk.subarray(before + 1, Math.min(end, before + 1 + LINE_EVIDENCE_BYTES))) }
      : { offset: this.current.offset, bytes: firstBytes(this.current.bytes, chunk.subarray(0, end)) };
    this.current = { offset: at + end + 1, bytes: own(chunk.subarray(end + 1, Math.min(chunk.length, end + 1 + LINE_EVIDENCE_BYTES))) };
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

/** `kept` and then `more`, up to LINE_EVIDENCE_BYTES in all. */
function firstBytes(kept: Buffer, more: Buffer): Buffer {
  if (kept.length >= LINE_EVIDENCE_BYTES) return kept;
  return own(Buffer.concat([kept, more.subarray(0, LINE_EVIDENCE_BYTES - kept.length)]));
}

/**
 * A copy of `bytes` in memory of its own. Node carves small buffers (Buffer.from, concat) from
 * shared 8 KiB slabs, and one kept buffer keeps its whole slab: each of a fleet's 10,000
 * followers kept ~25 KB of slabs for ~1 KB of evidence.
 */
function own(bytes: Buffer) {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}
