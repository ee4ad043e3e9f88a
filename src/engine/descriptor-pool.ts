/**
 * Owns a bounded set of open descriptors shared by a fleet's hosts: files are opened when a
 * line is read from them and closed again when others need the room.
 *
 * A plain engine keeps each file it read open (a file rotated or deleted since stays
 * readable); a collector directory of thousands of hosts cannot — the process has a few
 * hundred descriptors, or a thousand. A pooled file is known by its path and its identity
 * (dev, ino): reopened by the path when that is still the file, else found by its identity in
 * the path's rotated set (logrotate moved it to `.1`, `.2`…); gone, its lines cannot be read
 * back (the entry says so), never another file's bytes.
 *
 * Files being read are pinned (`acquire` … `release`): only idle ones are closed.
 */
import fs from 'node:fs';
import { closeLogSource, type LogSource, tryOpenLogSource } from './log-source.js';
import { findRotatedSet } from './rotated-set.js';

/** Descriptors a fleet keeps open for reading back lines (history and tails), whatever its size. */
export const DEFAULT_POOL_SIZE = 64;

/**
 * The pool's size when the process may open `limit` files (`ulimit -n`): DEFAULT_POOL_SIZE, or a
 * quarter of a lower limit — Node holds ~20 itself, and a fleet's tails and hosts being read
 * hold theirs. (Always 64, a limit of 64 left `print` of any fleet past ~40 hosts EMFILE.)
 */
export function poolSizeFor(limit: number): number {
  return Math.max(4, Math.min(DEFAULT_POOL_SIZE, Math.floor(limit / 4)));
}

export class PooledFile {
  /** Open descriptor, or -1 while closed. */
  fd = -1;
  pins = 0;
  private source: LogSource | null = null;

  constructor(
    /** Where it was last found (a rotation renames it). */
    public path: string,
    readonly dev: number,
    readonly ino: number,
  ) {}

  /** Takes `source` (this very file, open) as its descriptor. */
  adopt(source: LogSource): void {
    this.source = source;
    this.fd = source.fd;
  }

  /** Opens it again: at its path if that is still this file, else where its rotated set holds it. False when it is nowhere. */
  reopen(): boolean {
    // At its path, most often; the rotated set (a directory read) only when it is not there.
    if (this.openAt(this.path)) return true;
    return findRotatedSet(this.path).some((candidate) => candidate !== this.path && this.openAt(candidate));
  }

  /** Opens `candidate` when it is this file (checked on the descriptor: a path can change under us). */
  private openAt(candidate: string): boolean {
    const source = tryOpenLogSource(candidate);
    if ('error' in source) return false;
    if (source.dev !== this.dev || source.ino !== this.ino) {
      closeLogSource(source);
      return false;
    }
    this.path = candidate;
    this.adopt(source);
    return true;
  }

  close(): void {
    if (this.source) closeLogSource(this.source);
    this.source = null;
    this.fd = -1;
  }
}

export class DescriptorPool {
  /** Open files, least recently used first (a Map keeps insertion order). */
  private readonly open = new Map<PooledFile, true>();

  constructor(readonly capacity = DEFAULT_POOL_SIZE) {}

  /** An open source, pinned, as a pooled file (release it when its read is done). */
  track(source: LogSource): PooledFile {
    const file = new PooledFile(source.path, source.dev, source.ino);
    file.adopt(source);
    file.pins = 1;
    this.open.set(file, true);
    this.trim();
    return file;
  }

  /** Its descriptor, opened again if need be, pinned until `release`; -1 when the file is gone. */
  acquire(file: PooledFile): number {
    if (file.fd < 0 && !file.reopen()) return -1;
    file.pins++;
    this.open.delete(file);
    this.open.set(file, true);
    this.trim();
    return file.fd;
  }

  release(file: PooledFile): void {
    if (file.pins > 0) file.pins--;
    this.trim();
  }

  /** Reads `length` bytes at `offset` of `file` into `into`; the bytes read, or -1 when the file is gone. */
  readAt(file: PooledFile, into: Buffer, length: number, offset: number): number {
    const fd = this.acquire(file);
    if (fd < 0) return -1;
    try {
      return fs.readSync(fd, into, 0, length, offset);
    } finally {
      this.release(file);
    }
  }

  /** Closes the file for good (its engine closed). */
  forget(file: PooledFile): void {
    this.open.delete(file);
    file.close();
  }

  /** How many descriptors are open now. */
  get size(): number {
    return this.open.size;
  }

  /** Closes idle files, least recently used first, until at most `capacity` are open. */
  private trim(): void {
    if (this.open.size <= this.capacity) return;
    for (const file of this.open.keys()) {
      if (this.open.size <= this.capacity) return;
      if (file.pins > 0) continue;
      this.open.delete(file);
      file.close();
    }
  }
}
