/**
 * The files a command reads: the default log when none is named, its rotated history with
 * `--history`, and a check of each one up front (exists, readable, a file, an audit log) so
 * that problems are one line naming the file, not a failure halfway through.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { defaultAuditLogPath } from '../../shared/paths.js';
import { CliError, fileError } from './errors.js';
import { findRotatedSet } from '../engine/rotated-set.js';
import { orderAsRotatedSet } from './rotated.js';
import { sniffAuditLog } from './sniff.js';

/** The files named (or the default log), with `history` each one's rotated set, oldest first. */
export function resolveInputFiles(named: readonly string[], options: { history?: boolean } = {}): string[] {
  const given = named.length > 0 ? [...named] : [defaultAuditLogPath()];
  // findRotatedSet ends with the live file as named, even when missing: the check decides.
  const files = options.history ? given.flatMap(findRotatedSet) : orderAsRotatedSet(given);
  return [...new Set(files)];
}

const SNIFF_PLAIN_BYTES = 64 * 1024;
const SNIFF_GZIP_BYTES = 16 * 1024;
/** Bounds what a decompression bomb's first 16 KiB may inflate to. */
const SNIFF_GZIP_MAX_OUTPUT = 16 * 1024 * 1024;

/** Throws a one-line CliError unless `file` is a readable regular file holding an audit log. */
export function checkInputFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw fileError(file, e);
  }
  if (st.isDirectory()) throw new CliError(`${file}: is a directory`);
  if (!st.isFile()) throw new CliError(`${file}: not a regular file`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw fileError(file, e);
  }
  try {
    const buffer = Buffer.alloc(SNIFF_PLAIN_BYTES);
    let n: number;
    try {
      n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    } catch (e) {
      throw fileError(file, e);
    }
    let head: Uint8Array = buffer.subarray(0, n);
    let whole = n < buffer.length;
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const compressed = head.subarray(0, SNIFF_GZIP_BYTES);
      whole = compressed.length === st.size;
      try {
        // SYNC_FLUSH: inflate what this prefix holds instead of failing on the missing rest.
        head = zlib.gunzipSync(compressed, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: SNIFF_GZIP_MAX_OUTPUT });
      } catch (e) {
        if (e instanceof RangeError) return; // inflates hugely: let the reader judge it line by line
        throw new CliError(`${file}: not an audit log (corrupt gzip data)`);
      }
    }
    const verdict = sniffAuditLog(head, whole);
    if (!verdict.ok) throw new CliError(`${file}: ${verdict.reason}`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks every file. With `waitForLive`, the last (live) file may be missing: a follower
 * started before the daemon's first request waits for it. Only for the default log — a file
 * named on the command line must exist, or a typo would wait forever.
 */
export function checkInputFiles(files: readonly string[], options: { waitForLive?: boolean } = {}): void {
  files.forEach((file, i) => {
    const awaited = options.waitForLive === true && i === files.length - 1 && !fs.existsSync(file);
    if (!awaited) checkInputFile(file);
  });
}
