/**
 * Owns finding logrotate's copy of a file found truncated (copytruncate), and what the chain says was lost around it.
 *
 * logrotate copies the live file, then truncates it: the copy is the file's bytes from 0, as
 * far as they were when it was made. It is the rotated file beside the live one that holds the
 * last line the follower read, at the same offset (then it holds everything read), or failing
 * that — records appended between the copy and the truncate are in neither file — the one that
 * starts with the file's first bytes. Both hold a record's seq and prev hash: one file matches.
 */
import fs from 'node:fs';
import { parseLine } from '../shared/parse-line.js';
import type { KnownBytes, TruncationEvidence } from './followed-file.js';
import type { LineSplitter } from './line-splitter.js';
import { closeLogSource, tryOpenLogSource } from './log-source.js';
import { pushInSlices } from './read-file.js';
import { findRotatedSet } from './rotated-set.js';

/** The copy, open: its bytes [0, size) are the truncated file's as they were. */
export interface TruncationCopy {
  file: string;
  fd: number;
  size: number;
}

/** What a truncation left: how far the old file was read, and logrotate's copy of it (null: none found). */
export interface Truncation {
  /** Bytes of the old file read (its copy's included): lines ending past the copy's size are gone. */
  readEnd: number;
  /** The last complete line read from the old file (the copy may not hold it). */
  lastLine: KnownBytes | null;
  /** Open; whoever takes the segment keeps the descriptor (or closes it). */
  copy: TruncationCopy | null;
}

/** The copy of `live` (truncated after `evidence` was gathered) among the rotated files beside it, newest first; null when none is. */
export function findCopy(live: string, evidence: TruncationEvidence): TruncationCopy | null {
  const { head, lastLine } = evidence;
  if (head.length === 0 && lastLine === null) return null;
  // A gzip copy (compressed since) is not searched: its offsets are not the live file's.
  const candidates = findRotatedSet(live)
    .filter((f) => f !== live)
    .reverse();
  for (const file of candidates) {
    const source = tryOpenLogSource(file);
    if ('error' in source) continue; // gone or unreadable: not the copy
    try {
      if (!source.gzip && isCopy(source.fd, source.size, head, lastLine)) return { file, fd: source.fd, size: source.size };
    } catch {
      // unreadable: not the copy
    }
    closeLogSource(source);
  }
  return null;
}

/**
 * Holds the last line read where it was read (then it is the copy, whole), or — when it ends
 * before that line — starts with the file's first bytes (all of them, or a whole line).
 */
function isCopy(fd: number, size: number, head: Buffer, lastLine: KnownBytes | null): boolean {
  if (lastLine && size >= lastLine.offset + lastLine.bytes.length) return holdsAt(fd, lastLine.bytes, lastLine.offset);
  const known = head.subarray(0, Math.min(head.length, size));
  return known.length > 0 && (known.length === head.length || known.includes(0x0a)) && holdsAt(fd, known, 0);
}

function holdsAt(fd: number, known: Buffer, at: number): boolean {
  const probe = Buffer.alloc(known.length);
  return fs.readSync(fd, probe, 0, probe.length, at) === probe.length && probe.equals(known);
}

/**
 * Records written before the copy that were not read yet are in the copy only: read from where
 * the old file's reading stopped (`splitter.offset`) to the copy's end, into the old file's lines.
 */
export async function catchUpFromCopy(copy: TruncationCopy, splitter: LineSplitter, buf: Buffer, onRead: (n: number) => void, stopped: () => boolean): Promise<void> {
  while (splitter.offset < copy.size && !stopped()) {
    let n: number;
    try {
      n = fs.readSync(copy.fd, buf, 0, Math.min(buf.length, copy.size - splitter.offset), splitter.offset);
    } catch {
      return;
    }
    if (n === 0) return;
    await pushInSlices(splitter, buf.subarray(0, n));
    onRead(n);
  }
}

/** How far back from a copy's end its last record is looked for. */
const TAIL_LOOK_BYTES = 64 * 1024;

/** The seq of the last whole record in the first `end` bytes of `fd` (a copy may end in part of one); null when there is none. */
export function lastSeqBefore(fd: number, end: number): number | null {
  const from = Math.max(0, end - TAIL_LOOK_BYTES);
  const buf = Buffer.alloc(end - from);
  let n: number;
  try {
    n = fs.readSync(fd, buf, 0, buf.length, from);
  } catch {
    return null;
  }
  const bytes = buf.subarray(0, n);
  const last = bytes.lastIndexOf(0x0a);
  if (last === -1) return null;
  const start = last === 0 ? -1 : bytes.lastIndexOf(0x0a, last - 1);
  if (start === -1 && from > 0) return null;
  return seqOf(bytes.subarray(start + 1, last));
}

/** The seq of a record's line; null when it is no record or carries none. */
export function seqOf(line: Buffer): number | null {
  const parsed = parseLine(line);
  if (!parsed.ok) return null;
  const seq = (parsed.record as { seq?: unknown }).seq;
  return typeof seq === 'number' ? seq : null;
}
