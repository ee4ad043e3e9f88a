/**
 * The sealing state file on disk, as the writer uses it: read under a lock, replaced
 * atomically (a new file written and fsynced, renamed over the old one, the directory
 * fsynced), never followed through a symlink. The lock (`STATE.lock`, created O_EXCL) makes
 * concurrent writer processes of one log take turns, so no epoch's key seals twice; a lock
 * left by a process that died is broken. Nothing here ever waits: a busy lock means "seal
 * later".
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeSealState, encodeSealState, type SealState, sealLockPath } from '../shared/seal-state.js';
import type { WriterFs } from './log-file.js';

/** What sealing uses of fs: the writer's seam plus rename and unlink. */
export type SealFs = WriterFs & Pick<typeof fs, 'renameSync' | 'unlinkSync'>;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

/** The most a state file may hold (a key and one seal line). */
const MAX_STATE_BYTES = 4096;

/** A lock older than this whose holder cannot be checked is taken as stale. */
const STALE_LOCK_MS = 10_000;

export class SealStateError extends Error {}

/** The state's bytes, or null when there is no state file. Throws SealStateError for one it cannot use. */
export function readStateBytes(sfs: SealFs, statePath: string): Buffer | null {
  let fd: number;
  try {
    fd = sfs.openSync(statePath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new SealStateError(`${statePath} is a symlink: refused`);
    throw new SealStateError(`cannot read ${statePath}: ${(e as Error).message}`);
  }
  try {
    const st = sfs.fstatSync(fd);
    if (!st.isFile()) throw new SealStateError(`${statePath} is not a regular file`);
    if ((st.mode & 0o077) !== 0) throw new SealStateError(`${statePath} is readable or writable by others (mode 0${(st.mode & 0o777).toString(8)}): refused`);
    if (st.size > MAX_STATE_BYTES) throw new SealStateError(`${statePath} is too large to be a sealing state`);
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const r = sfs.readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    sfs.closeSync(fd);
  }
}

/** The state (its key for the caller to wipe), or null without a state file. */
export function readSealState(sfs: SealFs, statePath: string): SealState | null {
  const bytes = readStateBytes(sfs, statePath);
  if (bytes === null) return null;
  try {
    return decodeSealState(bytes);
  } catch (e) {
    throw new SealStateError(`${statePath}: ${(e as Error).message}`);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Replaces the state atomically and durably: write a temporary file (0600, created O_EXCL),
 * fsync it, rename it over the state, fsync the directory. `afterWrite` runs between the
 * fsync and the rename (a test seam: a crash there). The temporary file is removed on failure.
 */
export function replaceSealState(sfs: SealFs, statePath: string, state: SealState, afterWrite?: () => void): void {
  const tmp = `${statePath}.tmp-${process.pid}`;
  const bytes = encodeSealState(state);
  let fd: number | null = null;
  try {
    try {
      sfs.unlinkSync(tmp); // left by a crash of an earlier process with this pid
    } catch {
      // none
    }
    fd = sfs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    sfs.fchmodSync(fd, 0o600);
    let n = 0;
    while (n < bytes.length) n += sfs.writeSync(fd, bytes, n, bytes.length - n);
    sfs.fsyncSync(fd);
    sfs.closeSync(fd);
    fd = null;
    afterWrite?.();
    sfs.renameSync(tmp, statePath);
  } catch (e) {
    if (fd !== null) sfs.closeSync(fd);
    try {
      sfs.unlinkSync(tmp);
    } catch {
      // never made
    }
    throw e;
  } finally {
    bytes.fill(0);
  }
  fsyncDirectory(sfs, path.dirname(statePath));
}

function fsyncDirectory(sfs: SealFs, dir: string): void {
  const fd = sfs.openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    sfs.fsyncSync(fd);
  } finally {
    sfs.closeSync(fd);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the state's lock, or returns null when another live process holds it. A lock whose
 * holder has died (or, unreadable, is older than STALE_LOCK_MS) is broken and taken.
 *
 * Both removals check the lock's identity (device and inode), so two processes never hold it
 * at once: a lock is broken only while the file judged stale is still the one at the path (a
 * breaker that opened a dead holder's lock just before it was released must not remove the lock
 * another process took since), and an unlock removes only its own lock, never one taken after
 * its own was broken.
 */
export function lockSealState(sfs: SealFs, statePath: string): (() => void) | null {
  const lock = sealLockPath(statePath);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = sfs.openSync(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0 || !breakStaleLock(sfs, lock)) return null;
      continue;
    }
    // The lock stays open while held, so its inode cannot be reused by a lock made after it was broken.
    let own: { dev: number; ino: number };
    try {
      const st = sfs.fstatSync(fd);
      own = { dev: st.dev, ino: st.ino };
      sfs.writeSync(fd, Buffer.from(`${process.pid}\n`));
    } catch (e) {
      sfs.closeSync(fd);
      throw e;
    }
    return () => {
      try {
        // Broken by someone who judged it stale: nothing to release.
        if (isAt(sfs, lock, own)) sfs.unlinkSync(lock);
      } catch {
        // gone already
      } finally {
        sfs.closeSync(fd);
      }
    };
  }
  return null;
}

/** Whether the file at `file` (not followed) is the one with this device and inode. */
function isAt(sfs: SealFs, file: string, id: { dev: number; ino: number }): boolean {
  try {
    const st = sfs.lstatSync(file, { throwIfNoEntry: false });
    return st !== undefined && st.dev === id.dev && st.ino === id.ino;
  } catch {
    return false;
  }
}

/**
 * Removes the lock when it is stale; true when removed. The lock stays open while judged and
 * removed, so its inode cannot be reused, and it is removed only if it is still at the path.
 */
function breakStaleLock(sfs: SealFs, lock: string): boolean {
  let fd: number;
  try {
    fd = sfs.openSync(lock, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = sfs.fstatSync(fd);
    const buf = Buffer.alloc(32);
    const text = buf.subarray(0, sfs.readSync(fd, buf, 0, 32, 0)).toString('latin1');
    const pid = Number.parseInt(text, 10);
    const stale = Number.isSafeInteger(pid) && pid > 0 && text.endsWith('\n') ? pid !== process.pid && !alive(pid) : Date.now() - st.mtimeMs > STALE_LOCK_MS;
    if (!stale || !isAt(sfs, lock, { dev: st.dev, ino: st.ino })) return false;
    sfs.unlinkSync(lock);
    return true;
  } catch {
    return false;
  } finally {
    sfs.closeSync(fd);
  }
}
