/**
 * Opening the log, and what the writer refuses to open. A daemon's logger must never wait and
 * never write where someone else could rewrite its records, so every (re)open checks what it
 * uses. Nothing here runs per record: only when the log is opened, after a rotation and when
 * a back-off expires.
 *
 * What the writer uses, and the checks made each time it opens the log:
 * - the log file: opened `O_APPEND | O_NOFOLLOW | O_NONBLOCK` (a FIFO, a socket or a device
 *   never makes the open wait; a symlink is refused), then by `fstat` on the descriptor: a
 *   regular file, owned by this process's user (or root), writable by no group or other user;
 * - the log directory, the path's parent, where the file is created and renamed by rotation:
 *   not a symlink, a directory owned by this process's user (or root), writable by no group
 *   or other user, so that no one else can add, remove or rename the log;
 * - each directory the writer creates above it (mkdir -p): the same, checked when it is made
 *   and at every later open by the same writer.
 * Directories above those (`/var/lib`, `$HOME`, a `/var/run` → `/run` link) belong to the
 * system and are followed as they are, not checked. Root may own what is used: root can
 * replace anything anyway.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeDirectories } from '../shared/make-directories.js';

/** The file operations the writer uses; a test seam for disk-full and I/O errors. */
export type WriterFs = Pick<
  typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'fstatSync' | 'statSync' | 'lstatSync' | 'readSync' | 'mkdirSync' | 'chmodSync' | 'fchmodSync'
>;

/** Why the writer will not use a path it could open: said in its warning, and in the `dropped` record. */
export class LogRefused extends Error {}

const { O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_RDONLY, O_DIRECTORY } = fs.constants;

/**
 * Read and append: the descriptor also serves to read the file's last line at open, so that
 * line comes from the very file appended to, never from whatever the path names a moment later.
 */
const APPEND = O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

export interface OpenedLog {
  fd: number;
  dev: number;
  ino: number;
  size: number;
}

/** This process's user, or null where there are no uids (Windows): then owners and modes go unchecked. */
export const processUid = (): number | null => process.geteuid?.() ?? null;

const modeText = (mode: number) => `mode 0${(mode & 0o7777).toString(8)}`;

/** Why `st` is not this user's (or root's), or null. */
function foreignOwner(st: fs.Stats, uid: number | null): string | null {
  return uid === null || st.uid === uid || st.uid === 0 ? null : `owned by uid ${st.uid}, not by this process's uid ${uid} (or root)`;
}

/** Why someone else may write `st`, or null. */
function sharedWrite(st: fs.Stats, uid: number | null): string | null {
  return uid === null || (st.mode & 0o022) === 0 ? null : `writable by group or others (${modeText(st.mode)})`;
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'neither a file nor a directory';
}

/**
 * Makes the log directory if needed (0700 whatever the umask) and checks it, and each
 * directory above it that this writer created: `createdAbove` remembers them (the caller keeps
 * it for the writer's life) and gains any made now. Returns true when it made the log directory.
 */
export function ensureLogDirectory(fsApi: WriterFs, dir: string, uid: number | null, createdAbove: Set<string>): boolean {
  // (One level at a time: make-directories.ts says why not mkdirSync's `recursive`.)
  const madeFrom = makeDirectories(dir, (level) => fsApi.mkdirSync(level, { mode: 0o700 }));
  if (madeFrom !== undefined) {
    for (let level = path.dirname(dir); level.length >= madeFrom.length && level !== path.dirname(level); level = path.dirname(level)) createdAbove.add(level);
  }
  for (const level of createdAbove) checkDirectory(fsApi, level, uid, false);
  checkDirectory(fsApi, dir, uid, madeFrom !== undefined);
  return madeFrom !== undefined;
}

/**
 * Checks one directory through a descriptor opened without following a symlink, so the check
 * is of the directory itself; `made`: the writer just created it, and sets its mode to exactly
 * 0700 (the umask may have cleared bits) on that descriptor, never through a path.
 */
function checkDirectory(fsApi: WriterFs, dir: string, uid: number | null, made: boolean): void {
  let fd: number;
  try {
    fd = fsApi.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    // Linux answers ENOTDIR for a symlink opened O_DIRECTORY | O_NOFOLLOW: tell the two apart.
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'ELOOP') {
      const st = fsApi.lstatSync(dir, { throwIfNoEntry: false });
      if (st?.isSymbolicLink()) throw new LogRefused(`the log directory ${dir} is a symlink`);
      if (st && !st.isDirectory()) throw new LogRefused(`the log directory ${dir} is not a directory`);
    }
    throw e;
  }
  try {
    const st = fsApi.fstatSync(fd);
    const why = foreignOwner(st, uid) ?? (made ? null : sharedWrite(st, uid));
    if (why) throw new LogRefused(`the log directory ${dir} is ${why}`);
    if (made) fsApi.fchmodSync(fd, 0o700);
  } finally {
    fsApi.closeSync(fd);
  }
}

/**
 * Opens the log file for appending, creating it 0600 if missing, and checks it by fstat.
 * The directory is checked first by `ensureLogDirectory`.
 */
export function openLogFile(fsApi: WriterFs, file: string, uid: number | null): OpenedLog {
  let fd: number;
  let isNew = false;
  try {
    fd = openExisting(fsApi, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    try {
      fd = fsApi.openSync(file, APPEND | O_CREAT | O_EXCL, 0o600);
      isNew = true;
    } catch (e2) {
      // Another writer, or logrotate `create`, made the file between the two opens: use theirs.
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
      fd = openExisting(fsApi, file);
    }
  }
  try {
    const st = fsApi.fstatSync(fd);
    if (!st.isFile()) throw new LogRefused(`not a regular file (${kindOf(st)})`);
    const why = foreignOwner(st, uid) ?? sharedWrite(st, uid);
    if (why) throw new LogRefused(why);
    if (isNew) fsApi.fchmodSync(fd, 0o600);
    return { fd, dev: st.dev, ino: st.ino, size: st.size };
  } catch (e) {
    fsApi.closeSync(fd);
    throw e;
  }
}

function openExisting(fsApi: WriterFs, file: string): number {
  try {
    return fsApi.openSync(file, APPEND);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new LogRefused('a symlink (never followed)');
    // (A FIFO opens at once for reading and writing, and fstat then refuses it.)
    if (code === 'ENXIO') throw new LogRefused('not a regular file (ENXIO: a socket, or a device that is not there)');
    throw e;
  }
}

/** Opens a file only to read its last line (the rotated `PATH.1`): never waits, never follows a symlink. */
export function openForReading(fsApi: WriterFs, file: string): number {
  return fsApi.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
}
