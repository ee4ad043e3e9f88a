/**
 * Where lines came from, to re-read them later by offset (the index keeps only a few fields
 * per entry; the detail of an entry is its lines, read again when shown).
 *
 * A segment is one contiguous read of one file: a whole file, the part of the live file read
 * before or after the tail split, or the live file after a rotation or a truncation. It keeps
 * the descriptor open, so a file rotated or deleted since stays readable. A `.gz` file is
 * decompressed once into an anonymous temporary file (created 0600, unlinked at once) that
 * serves the same purpose.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Segment {
  id: number;
  /** The path as given (a rotated file keeps the name it was read under). */
  file: string;
  /** Descriptor to re-read lines from; -1 when there is none (the read failed). */
  fd: number;
  /** Lines in the file before this segment's first line; NaN while unknown (tail read first). */
  lineBase: number;
}

export class Segments {
  readonly list: Segment[] = [];
  private readonly owned = new Set<number>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** Registers a segment; `own` says the descriptor is closed with the others at the end. */
  add(file: string, fd: number, lineBase: number, own = true): Segment {
    const segment: Segment = { id: this.list.length, file, fd, lineBase };
    this.list.push(segment);
    if (own && fd >= 0) this.owned.add(fd);
    return segment;
  }

  /**
   * After a copytruncate: segments read from `fd` before it was truncated are re-pointed at the
   * copy, found among `candidates` as the file holding `lastBytes` just before `offset` (the copy
   * is byte-identical up to there). Returns the copy's path, or null (old lines stay unreadable).
   */
  adoptCopy(fd: number, offset: number, lastBytes: Buffer, candidates: readonly string[]): string | null {
    const stale = this.list.filter((s) => s.fd === fd);
    if (stale.length === 0 || lastBytes.length === 0) return null;
    const probe = Buffer.alloc(lastBytes.length);
    for (const file of candidates) {
      let copy = -1;
      try {
        copy = fs.openSync(file, 'r');
        const n = fs.readSync(copy, probe, 0, probe.length, offset - probe.length);
        if (n === probe.length && probe.equals(lastBytes)) {
          this.owned.add(copy);
          for (const s of stale) {
            s.fd = copy;
            s.file = file;
          }
          return file;
        }
      } catch {
        // not readable: not the copy
      }
      if (copy >= 0) fs.closeSync(copy);
    }
    return null;
  }

  /** Segments read from `fd` now carry `file` (the name their file was rotated to). */
  rename(fd: number, file: string): void {
    for (const s of this.list) if (s.fd === fd) s.file = file;
  }

  get(id: number): Segment {
    return this.list[id];
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
    const segment = this.list[id];
    if (!segment || segment.fd < 0) return null;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(length);
    try {
      const n = fs.readSync(segment.fd, this.scratch, 0, length, offset);
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
