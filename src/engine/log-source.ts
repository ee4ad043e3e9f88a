/**
 * The one way a log file is opened for reading. Every reader starts here — the engine's async
 * readers (read-file.ts), the synchronous ones verify pulls lines from (read-file-sync.ts), the
 * command line's first look at a file — so they all refuse the same files and agree on what
 * is gzip:
 *
 * - opened once, read-only and O_NONBLOCK: opening a FIFO (or a tty) would otherwise block
 *   until a writer appears; on a regular file the flag changes nothing;
 * - fstat on the descriptor, not stat on the path, so the checks are about the file that is
 *   read (a path can be replaced in between): only regular files (a directory is EISDIR,
 *   anything else NOT_A_REGULAR_FILE);
 * - gzip by its magic bytes, once, whatever the name (`archived`, `audit.log.2.gz`).
 */
import fs from 'node:fs';

export interface LogSource {
  /** The path as given. */
  readonly path: string;
  /** Open read-only; the caller closes it (closeLogSource), or hands it on to who does. */
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  /** Bytes on disk at open (for gzip: compressed bytes). */
  readonly size: number;
  /** Starts with gzip's magic bytes: its lines are those of the decompressed text. */
  readonly gzip: boolean;
}

/** The error code of a file that exists but is neither a regular file nor a directory (a FIFO, a device, a socket). */
export const NOT_A_REGULAR_FILE = 'ENOTREG';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

const refusal = (message: string, code: string) => Object.assign(new Error(message), { code });

/** Opens `file` for reading as a log; throws the error (with its errno-style code) otherwise. */
export function openLogSource(file: string): LogSource {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw refusal('is a directory', 'EISDIR');
    if (!st.isFile()) throw refusal('not a regular file', NOT_A_REGULAR_FILE);
    const magic = Buffer.alloc(2);
    const n = fs.readSync(fd, magic, 0, 2, 0);
    const gzip = n === 2 && magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1;
    return { path: file, fd, dev: st.dev, ino: st.ino, size: st.size, gzip };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** openLogSource with the error as a value (for callers that report it rather than stop). */
export function tryOpenLogSource(file: string): LogSource | { error: unknown } {
  try {
    return openLogSource(file);
  } catch (error) {
    return { error };
  }
}

/** Sources closed already: closing one twice could close a descriptor the number was given to since. */
const closedSources = new WeakSet<LogSource>();

/** Closes the source's descriptor, once (again: nothing). */
export function closeLogSource(source: LogSource): void {
  if (closedSources.has(source)) return;
  closedSources.add(source);
  try {
    fs.closeSync(source.fd);
  } catch {
    // already closed
  }
}

/** A file's size on disk, 0 when it cannot be stat'ed: for a progress total, before anything is opened. */
export function sizeOrZero(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
