/**
 * Owns the file spans lines were read from, to read a line again by its offset.
 *
 * The index keeps only a few fields per entry; the detail of an entry is its lines, read
 * again when shown. A span is one contiguous read of one file: a whole file, the part of the
 * live file read before or after the tail split, or the live file after a rotation or a
 * truncation. It keeps the descriptor open, so a file rotated or deleted since stays
 * readable. A `.gz` file is decompressed once into an anonymous temporary file (created 0600,
 * unlinked at once) that serves the same purpose.
 *
 * A followed file that is truncated (copytruncate) takes its lines with it: its spans then read
 * from logrotate's copy, as far as the copy goes (`end`); lines past it are in no file.
 *
 * One of a fleet's hosts keeps no descriptor of the files it is done reading: their spans are
 * pooled (descriptor-pool.ts), reopened when a line is read back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DescriptorPool, PooledFile } from './descriptor-pool.js';
import { closeLogSource, tryOpenLogSource } from './log-source.js';
import type { RecentBytes } from './recent-bytes.js';
import { findRotatedSet } from './rotated-set.js';

export interface FileSpan {
  id: number;
  /** The path as given (a rotated file keeps the name it was read under). */
  file: string;
  /** Descriptor to re-read lines from; -1 when there is none (the read failed) or the span is pooled. */
  fd: number;
  /** The file, opened on demand through the fleet's pool (instead of `fd`); null for a span with its own descriptor. */
  pooled: PooledFile | null;
  /** Lines in the file before this span's first line; NaN while unknown (tail read first). */
  lineBase: number;
  /** Lines ending past this offset are gone (the file was truncated, and its copy, if any, ends here). */
  end: number;
  /**
   * Read by a follower from the live file, which may be truncated before the follower notices:
   * the last bytes it read (null for other spans, and once a truncation is settled).
   */
  recent: RecentBytes | null;
}

/** Bytes read at once when lines are read back in file order (a line past it is read alone). */
const READ_AHEAD = 256 * 1024;

const NO_WINDOW = Buffer.alloc(0);
/**
 * Read-ahead buffers given back at the turn they were dropped, for the next read ahead in this
 * process, whoever's: `print` reads ahead anew each turn, and a fresh 256 KB buffer each time
 * cost the kernel a fault for each of its pages as it read into them. A few, not one kept per
 * FileSpans: a fleet has thousands.
 */
const spareWindows: Buffer[] = [];
const SPARE_WINDOWS = 4;

/** Read-ahead buffers kept for the next read ahead (at most SPARE_WINDOWS), for tests. */
export function spareReadAheadBuffers(): number {
  return spareWindows.length;
}

/** The last bytes a follower read, compared to tell a truncation from a line rewritten in place (as followed-file.ts does). */
const TRUNCATION_EVIDENCE_BYTES = 64;

/** The bytes of a line are what was indexed there (the caller checks the record). */
export type LineCheck = (bytes: Buffer) => boolean;

export class FileSpans {
  readonly list: FileSpan[] = [];
  /** (Made at first use: a fleet follows thousands of hosts, and an empty Map or Set holds a table of ~140 bytes.) */
  private owned: Set<number> | null = null;
  /** Grows to the longest line read back (a fleet has thousands of these: nothing until a line is read). */
  private scratch = Buffer.alloc(0);
  /**
   * Read-ahead for lines read back in file order (`print` of many entries, a query reading
   * ids): the bytes [windowStart, windowEnd) of descriptor `windowFd`, one read instead of one
   * a line. Dropped at the next turn of the event loop and on a truncation, so a line is never
   * older than the synchronous run that read it; allocated on the first read in order.
   */
  private window: Buffer = NO_WINDOW;
  private windowFd = -1;
  private windowStart = 0;
  private windowEnd = 0;
  private windowDrop: NodeJS.Immediate | null = null;
  /** Where the last read that missed the window ended (where the window starts): a read not far after it is a read in order. */
  private lastFd = -1;
  private lastEnd = -1;

  /** `pool`: a fleet's shared descriptors (null: every descriptor is kept open until closeAll). */
  constructor(readonly pool: DescriptorPool | null = null) {}

  /** Registers a span; `own` says the descriptor is closed with the others at the end. */
  add(file: string, fd: number, lineBase: number, own = true, recent: RecentBytes | null = null): FileSpan {
    const span: FileSpan = { id: this.list.length, file, fd, pooled: null, lineBase, end: Number.POSITIVE_INFINITY, recent };
    this.list.push(span);
    if (own && fd >= 0) (this.owned ??= new Set()).add(fd);
    return span;
  }

  /**
   * Takes `from`'s spans into this list (a fleet's shared store takes a finished host's):
   * returns each one's id here, by its id there. Descriptors `from` owned are closed with this
   * list's now; `from` keeps its list (to read a seal's line) and closes nothing.
   */
  takeOver(from: FileSpans): Int32Array {
    const ids = new Int32Array(from.list.length);
    for (const span of from.list) {
      ids[span.id] = this.list.length;
      this.list.push(span);
    }
    if (from.owned !== null && from.owned.size > 0) {
      const owned = (this.owned ??= new Set());
      for (const fd of from.owned) owned.add(fd);
      from.owned.clear();
    }
    from.dropWindow();
    return ids;
  }

  /**
   * The descriptors this list owns go to the pool (a fleet's followed host going to sleep:
   * fleet-engine.ts): each span of a file still linked reads through the pool from now on,
   * reopened by identity when a line is read back. Nothing follows them any more, so no bytes
   * are kept for a truncation to read back. (An unlinked spill stays open: no path reopens it.)
   */
  poolOwned(): void {
    const pool = this.pool;
    if (pool === null || this.owned === null) return;
    const pooled = new Map<number, PooledFile | null>();
    const poolOf = (span: FileSpan): PooledFile | null => {
      if (!pooled.has(span.fd)) {
        let file: PooledFile | null = null;
        try {
          const st = fs.fstatSync(span.fd);
          if (st.isFile() && st.nlink > 0) {
            file = pool.track({ path: span.file, fd: span.fd, dev: st.dev, ino: st.ino, size: st.size, gzip: false });
            pool.release(file);
          }
        } catch {
          // (Closed under us: left as it is.)
        }
        pooled.set(span.fd, file);
      }
      return pooled.get(span.fd) ?? null;
    };
    for (const span of this.list) {
      if (span.fd < 0 || span.pooled !== null || !this.owned.has(span.fd)) continue;
      const file = poolOf(span);
      if (file === null) continue;
      span.pooled = file;
      span.fd = -1;
      span.recent = null;
    }
    for (const [fd, file] of pooled) if (file !== null) this.owned.delete(fd);
    this.dropWindow();
  }

  /**
   * Takes `from`'s spans [first, end) into this list (a fleet's store compacted): returns each
   * one's id here, by its id there less `first`. The descriptors among them are this list's now.
   */
  takeRange(from: FileSpans, first: number, end: number): Int32Array {
    const ids = new Int32Array(Math.max(0, end - first));
    for (let id = first; id < end; id++) {
      const span = from.list[id];
      ids[id - first] = this.list.length;
      span.id = this.list.length;
      this.list.push(span);
      if (span.fd >= 0 && from.owned?.delete(span.fd)) (this.owned ??= new Set()).add(span.fd);
    }
    return ids;
  }

  /** The size of span `id`'s file now (found by identity where logrotate moved it), or -1 when it is in no directory (deleted, if still open). */
  sizeNow(id: number): number {
    const span = this.list[id];
    const size = (fd: number) => {
      const st = fs.fstatSync(fd);
      return st.nlink > 0 ? st.size : -1;
    };
    try {
      if (span.pooled && this.pool) {
        const fd = this.pool.acquire(span.pooled);
        if (fd < 0) return -1;
        try {
          return size(fd);
        } finally {
          this.pool.release(span.pooled);
        }
      }
      return span.fd >= 0 ? size(span.fd) : -1;
    } catch {
      return -1;
    }
  }

  /** Closes the files of spans [from, to) for good: no line of theirs is read again (a fleet's host that left the store). */
  release(from: number, to: number): void {
    for (let id = from; id < to && id < this.list.length; id++) {
      const span = this.list[id];
      if (span.pooled) this.pool?.forget(span.pooled);
      else if (span.fd >= 0 && this.owned?.delete(span.fd)) {
        try {
          fs.closeSync(span.fd);
        } catch {
          // already closed
        }
      }
      span.pooled = null;
      span.fd = -1;
      span.recent = null;
    }
    this.dropWindow();
  }

  /** Registers a span of a pooled file (a file read whole, not followed: nothing truncates it under a span). */
  addPooled(pooled: PooledFile, lineBase: number): FileSpan {
    const span: FileSpan = { id: this.list.length, file: pooled.path, fd: -1, pooled, lineBase, end: Number.POSITIVE_INFINITY, recent: null };
    this.list.push(span);
    return span;
  }

  /**
   * The file open as `fd` was truncated: the spans read from it read from its copy now (byte
   * for byte the same from 0, to `copy.size`), or from nothing when there is none. Returns
   * those spans. The copy's descriptor is kept when a span took it, else closed.
   */
  truncated(fd: number, copy: { file: string; fd: number; size: number } | null): FileSpan[] {
    const stale = this.list.filter((s) => s.fd === fd);
    for (const s of stale) {
      s.fd = copy ? copy.fd : -1;
      if (copy) s.file = copy.file;
      s.end = Math.min(s.end, copy ? copy.size : 0);
      s.recent = null;
    }
    if (copy && stale.length > 0) (this.owned ??= new Set()).add(copy.fd);
    else if (copy) fs.closeSync(copy.fd);
    this.releaseWindow();
    return stale;
  }

  /** The spans there are stop keeping the last bytes read: a new one is the live file's now. */
  forgetRecent(): void {
    for (const s of this.list) s.recent = null;
  }

  /** True when the line [offset, offset + length) of span `id` can still be read (no truncation took it). */
  holds(id: number, offset: number, length: number): boolean {
    const span = this.list[id];
    return span !== undefined && (span.fd >= 0 || span.pooled !== null) && offset + length <= span.end;
  }

  /**
   * Spans whose file is now one of `names` under another name (logrotate moved it: the live
   * file to `.1`, `.1` to `.2`…) carry that name. Returns true when one changed.
   */
  renameMoved(names: readonly string[]): boolean {
    const nameOf = new Map<string, string>();
    for (const name of names) {
      try {
        const st = fs.statSync(name);
        nameOf.set(`${st.dev}:${st.ino}`, name);
      } catch {
        // gone since: names nothing
      }
    }
    const now = new Map<number, string | undefined>();
    let changed = false;
    for (const s of this.list) {
      if (s.pooled) {
        const name = nameOf.get(`${s.pooled.dev}:${s.pooled.ino}`);
        if (name !== undefined && name !== s.file) {
          s.file = s.pooled.path = name;
          changed = true;
        }
        continue;
      }
      if (s.fd < 0) continue;
      if (!now.has(s.fd)) {
        try {
          const st = fs.fstatSync(s.fd);
          now.set(s.fd, nameOf.get(`${st.dev}:${st.ino}`));
        } catch {
          now.set(s.fd, undefined);
        }
      }
      const name = now.get(s.fd);
      if (name !== undefined && name !== s.file) {
        s.file = name;
        changed = true;
      }
    }
    return changed;
  }

  get(id: number): FileSpan {
    return this.list[id];
  }

  /** A line's number in its file (`line` counts within span `id`); 0 while the lines before the span are not counted. */
  lineNumber(id: number, line: number): number {
    const base = this.list[id].lineBase;
    return Number.isNaN(base) ? 0 : base + line;
  }

  /** An anonymous temporary file for a decompressed .gz: readable by descriptor, gone from the disk. */
  createSpill(): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sudo-proxy-audit-'));
    const file = path.join(dir, 'gz');
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fs.rmSync(dir, { recursive: true, force: true });
    (this.owned ??= new Set()).add(fd);
    return fd;
  }

  /** The bytes of a line (sync pread), or null when they cannot be read back in full. */
  readLine(id: number, offset: number, length: number): Buffer | null {
    if (!this.holds(id, offset, length)) return null;
    const span = this.list[id];
    if (span.pooled && this.pool) return this.readPooled(span, offset, length);
    return this.readAt(span.fd, offset, length);
  }

  /**
   * A line of a span whose file was truncated before its follower noticed (or while a read
   * without one was going on): from the copy beside it that holds the line, or from the bytes
   * the follower read last (`check` says it is the line indexed). Returns the file it is in now
   * ('' when it is in none), or null. The follower settles the truncation once it looks (then
   * `end` says what is left); until then an entry is still whole.
   */
  readLineTruncated(id: number, offset: number, length: number, check: LineCheck): string | null {
    const span = this.list[id];
    if (!span || span.fd < 0 || Number.isFinite(span.end) || !this.mayBeTruncated(span)) return null;
    for (const file of findRotatedSet(span.file)) {
      if (file === span.file) continue;
      const source = tryOpenLogSource(file);
      if ('error' in source) continue; // gone or unreadable: not the copy
      try {
        const bytes = source.gzip ? null : this.readAt(source.fd, offset, length);
        if (bytes && check(bytes)) return file;
      } catch {
        // unreadable: not the copy
      } finally {
        closeLogSource(source);
      }
    }
    const kept = span.recent?.read(offset, length);
    return kept && check(kept) ? '' : null;
  }

  /**
   * The span's file may have been truncated under its reader, so a line of it may be in a copy.
   * A followed file says so as its follower would (followed-file.ts): shorter than what was read,
   * or other bytes where the last ones read were. One that says neither holds bytes where the
   * line was: rewritten in place, never to be taken from a copy beside it, which whoever
   * rewrites the line can make first (`cp audit.log audit.log.1`). (A read without a follower
   * has no such evidence: its lines are looked for in a copy.)
   */
  private mayBeTruncated(span: FileSpan): boolean {
    const recent = span.recent;
    if (recent === null) return true;
    try {
      if (fs.fstatSync(span.fd).size < recent.readTo) return true;
      const n = Math.min(TRUNCATION_EVIDENCE_BYTES, recent.keptTo);
      const last = n === 0 ? null : recent.read(recent.keptTo - n, n);
      if (last === null) return false;
      const now = Buffer.alloc(n);
      return fs.readSync(span.fd, now, 0, n, recent.keptTo - n) !== n || !now.equals(last);
    } catch {
      return true;
    }
  }

  /** A pooled span's line; the span takes the name its file is found under now. */
  private readPooled(span: FileSpan, offset: number, length: number): Buffer | null {
    const file = span.pooled as PooledFile;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    let n: number;
    try {
      n = (this.pool as DescriptorPool).readAt(file, this.scratch, length, offset);
    } catch {
      return null;
    }
    span.file = file.path;
    return n === length ? this.scratch.subarray(0, length) : null;
  }

  private readAt(fd: number, offset: number, length: number): Buffer | null {
    if (fd === this.windowFd && offset >= this.windowStart && offset + length <= this.windowEnd) return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
    const inOrder = fd === this.lastFd && offset >= this.lastEnd && offset - this.lastEnd <= 2 * READ_AHEAD;
    this.lastFd = fd;
    this.lastEnd = offset + length;
    if (inOrder && length <= READ_AHEAD) return this.readAhead(fd, offset, length);
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    try {
      const n = fs.readSync(fd, this.scratch, 0, length, offset);
      return n === length ? this.scratch.subarray(0, length) : null;
    } catch {
      return null;
    }
  }

  /** Fills the window from `offset` (READ_AHEAD bytes, or up to the end of the file) and gives the line from it. */
  private readAhead(fd: number, offset: number, length: number): Buffer | null {
    if (this.window.length === 0) this.window = spareWindows.pop() ?? Buffer.allocUnsafe(READ_AHEAD);
    this.dropWindow();
    let n: number;
    try {
      n = fs.readSync(fd, this.window, 0, READ_AHEAD, offset);
    } catch {
      return null;
    }
    if (n < length) return null;
    this.windowFd = fd;
    this.windowStart = offset;
    this.windowEnd = offset + n;
    this.lastEnd = offset;
    this.windowDrop = setImmediate(() => this.releaseWindow());
    this.windowDrop.unref();
    return this.window.subarray(0, length);
  }

  /** Bytes held for reading ahead now (0 between turns of the event loop). */
  readAheadBytes(): number {
    return this.window.length;
  }

  /** At the next turn and at the end: the bytes, and the buffer they were in. */
  private releaseWindow(): void {
    this.dropWindow();
    // (Its memory too, not only its bytes' validity: a fleet's host keeps its spans for good,
    // and the 256 KB each host kept once a viewer had read two of its rows in order came to
    // 280 MB over 10,000 hosts. Within one turn the buffer is reused from fill to fill.)
    if (this.window.length === READ_AHEAD && spareWindows.length < SPARE_WINDOWS) spareWindows.push(this.window);
    this.window = NO_WINDOW;
  }

  private dropWindow(): void {
    this.windowFd = -1;
    if (this.windowDrop !== null) clearImmediate(this.windowDrop);
    this.windowDrop = null;
  }

  closeAll(): void {
    this.releaseWindow();
    this.lastFd = -1;
    for (const fd of this.owned ?? []) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.owned?.clear();
    for (const s of this.list) if (s.pooled) this.pool?.forget(s.pooled);
  }
}
