/**
 * Entries' lines handed to another thread, to be written there (`print --json` on an idle
 * core): per entry, what the index knows of it and where its lines are — what SlotLines
 * (entry-read-back.ts) reads from the columns — packed in a row of numbers; and `RowLines`,
 * EntryLines over such rows, reading the lines back through the descriptors this process holds
 * open (a worker thread shares them) and checking each against the fingerprint the index kept,
 * as SlotLines does (`CheckedLineScan`, used by both).
 */
import type { EntryLines, EntryState, LineSource, ScannedLine } from '../shared/entry.js';
import { ENTRY_STATES } from '../shared/entry.js';
import { FileSpans } from './file-spans.js';
import { FROM_CHAIN_HASH, fingerprintMatches } from './line-fingerprints.js';
import { PlainLine } from './plain-line.js';

// A row: the entry's facts, then its request's and its response's line (ROW_LINE_*).
export const ROW_STATE = 0;
export const ROW_ANOMALIES = 1;
export const ROW_FLAGS = 2;
export const ROW_ID_HASH = 3;
export const ROW_REQUEST = 4;
export const ROW_RESPONSE = 9;
export const ROW_SIZE = 14;
/** ROW_FLAGS' bits. */
export const ROW_HAS_REQUEST = 1;
export const ROW_HAS_RESPONSE = 2;
// A line: its span (a LineSource's index), offset, length, number in its file, and the
// fingerprint kept for it (NaN: none kept, the line is not checked).
export const LINE_SPAN = 0;
export const LINE_OFFSET = 1;
export const LINE_LENGTH = 2;
export const LINE_NUMBER = 3;
export const LINE_PRINT = 4;

/**
 * A line read back, checked against the fingerprint the index kept for it and — once the index
 * has loaded the native scanner — scanned in the same call, its value spans left for `scanned`.
 */
export class CheckedLineScan {
  /** Which line `check` scanned last and found plain (null: none), and which of the shared scanner's scans that was. */
  private scannedAs: 'request' | 'response' | null = null;
  private scannedBy = -1;

  /** `bytes` when they are the line indexed (`kept`: its fingerprint; null: not checked), else null. */
  check(bytes: Uint8Array, which: 'request' | 'response', kept: number | null): Uint8Array | null {
    this.scannedAs = null;
    const scan = PlainLine.shared();
    if (scan === null) return kept === null || fingerprintMatches(kept, bytes) ? bytes : null;
    scan.scan(bytes, kept !== null && (kept & FROM_CHAIN_HASH) !== 0);
    if (kept !== null && scan.print !== kept) return null;
    if (scan.plain) {
      this.scannedAs = which;
      this.scannedBy = scan.scans;
    }
    return bytes;
  }

  scanned(which: 'request' | 'response'): ScannedLine | null {
    const scan = PlainLine.shared();
    // (Not when another line was scanned since: the shared scanner's fields are that line's.)
    return this.scannedAs === which && scan !== null && scan.scans === this.scannedBy ? scan : null;
  }
}

/**
 * The lines' spans on this side: the descriptors as the engine holds them (not this side's to
 * close), each read only up to where its span ends.
 */
export function spansOf(sources: readonly LineSource[]): FileSpans {
  const spans = new FileSpans();
  for (const s of sources) spans.add(s.file, s.fd, 0, false).end = s.end;
  return spans;
}

/** EntryLines over packed rows (one object, moved from row to row with `at`). */
export class RowLines implements EntryLines {
  private at_ = 0;
  private readonly scan = new CheckedLineScan();

  constructor(
    private readonly rows: Float64Array,
    private readonly spans: FileSpans,
    readonly origin: string,
  ) {}

  /** Moves to the `i`-th row. */
  at(i: number): void {
    this.at_ = i * ROW_SIZE;
  }

  get state(): EntryState {
    return ENTRY_STATES[this.rows[this.at_ + ROW_STATE]];
  }

  get anomalies(): number {
    return this.rows[this.at_ + ROW_ANOMALIES];
  }

  get idHash(): number {
    return this.rows[this.at_ + ROW_ID_HASH];
  }

  get hasRequest(): boolean {
    return (this.rows[this.at_ + ROW_FLAGS] & ROW_HAS_REQUEST) !== 0;
  }

  get hasResponse(): boolean {
    return (this.rows[this.at_ + ROW_FLAGS] & ROW_HAS_RESPONSE) !== 0;
  }

  read(which: 'request' | 'response'): Uint8Array | null {
    const { rows } = this;
    const line = this.lineAt(which);
    const bytes = this.spans.readLine(rows[line + LINE_SPAN], rows[line + LINE_OFFSET], rows[line + LINE_LENGTH]);
    if (bytes === null) return null;
    const kept = rows[line + LINE_PRINT];
    return this.scan.check(bytes, which, Number.isNaN(kept) ? null : kept);
  }

  scanned(which: 'request' | 'response'): ScannedLine | null {
    return this.scan.scanned(which);
  }

  location(which: 'request' | 'response'): { file: string; line: number; offset: number } {
    const { rows } = this;
    const line = this.lineAt(which);
    return { file: this.spans.get(rows[line + LINE_SPAN]).file, line: rows[line + LINE_NUMBER], offset: rows[line + LINE_OFFSET] };
  }

  private lineAt(which: 'request' | 'response'): number {
    return this.at_ + (which === 'request' ? ROW_REQUEST : ROW_RESPONSE);
  }
}
