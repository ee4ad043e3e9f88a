/**
 * Owns the file spans lines were read from, to read a line again by its offset.
 *
 * The index keeps only a few fields per entry; the detail of an entry is its lines, read
 * again when shown. A span is one contiguous read of one file: a whole file, the part of the
 * live file read before or after the tail split, or the live file after a rotation or a
 * truncation. It keeps the descriptor open, so a file rotated or deleted since stays
 * readable. A `.gz` file is decompressed once into an anonymous temporary file (created 0600,
 * unlinked at once) that serves the same purpose.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeLogSource, tryOpenLogSource } from './log-source.js';

export interface FileSpan {
  id: number;
  /** The path as given (a rotated file keeps the name it was read under). */
  file: string;
  /** Descriptor to re-read lines from; -1 when there is none (the read failed). */
  fd: number;
  /** Lines in the file before this span's first line; NaN while unknown (tail read first). */
  lineBase: number;
}

export class FileSpans {
  readonly list: FileSpan[] = [];
  private readonly owned = new Set<number>();
  /** Grows to the longest line read back (a fleet has hundreds of these: start small). */
  private scratch = Buffer.allocUnsafe(4 * 1024);

  /** Registers a span; `own` says the descriptor is closed with the others at the end. */
  add(file: string, fd: number, lineBase: number, own = true): FileSpan {
    const span: FileSpan = { id: this.list.length, file, fd, lineBase };
    this.list.push(span);
    if (own && fd >= 0) this.owned.add(fd);
    return span;
  }

  /**
   * After a copytruncate: spans read from `fd` before it was truncated are re-pointed at the
   * copy, found among `candidates` as the file that starts with `firstBytes` (the copy is
   * byte-identical from its start, though it may end before `offset`: records appended between
   * logrotate's copy and its truncate are in neither file, and stay unreadable) — or, without
   * them, the file holding `lastBytes` just before `offset`. Returns the copy's path, or null.
   */
  adoptCopy(fd: number, offset: number, lastBytes: Buffer, candidates: readonly string[], firstBytes: Buffer = Buffer.alloc(0)): string | null {
    const stale = this.list.filter((s) => s.fd === fd);
    if (stale.length === 0) return null;
    const probes = [
      { known: firstBytes, at: 0 },
      { known: lastBytes, at: offset - lastBytes.length },
    ].filter((p) => p.known.length > 0 && p.at >= 0);
    for (const { known, at } of probes) {
      const copy = findFileHolding(candidates, known, at);
      if (copy) {
        this.owned.add(copy.fd);
        for (const s of stale) {
          s.fd = copy.fd;
          s.file = copy.file;
        }
        return copy.file;
      }
    }
    return null;
  }

  /** Spans read from `fd` now carry `file` (the name their file was rotated to). */
  rename(fd: number, file: string): void {
    for (const s of this.list) if (s.fd === fd) s.file = file;
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
    this.owned.add(fd);
    return fd;
  }

  /** The bytes of a line (sync pread), or null when they cannot be read back in full. */
  readLine(id: number, offset: number, length: number): Buffer | null {
    const span = this.list[id];
    if (!span || span.fd < 0) return null;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    try {
      const n = fs.readSync(span.fd, this.scratch, 0, length, offset);
      return n === length ? this.scratch.subarray(0, length) : null;
    } catch {
      return null;
    }
  }

  closeAll(): void {
    for (const fd of this.owned) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.owned.clear();
  }
}

/** The first of `files` holding `known` at byte `at`, opened; null when none does. (A gzip file is not a copy.) */
function findFileHolding(files: readonly string[], known: Buffer, at: number): { file: string; fd: number } | null {
  const probe = Buffer.alloc(known.length);
  for (const file of files) {
    const source = tryOpenLogSource(file);
    if ('error' in source) continue; // not readable: not the copy
    try {
      if (!source.gzip && fs.readSync(source.fd, probe, 0, probe.length, at) === probe.length && probe.equals(known)) return { file, fd: source.fd };
    } catch {
      // not readable: not the copy
    }
    closeLogSource(source);
  }
  return null;
}
