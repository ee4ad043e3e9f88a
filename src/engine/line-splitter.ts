/**
 * Owns bytes → lines, chunk by chunk, for a file read or followed from some offset.
 *
 * A line split across chunks (or still being appended) is held as bytes until its newline
 * arrives, so a multi-byte UTF-8 character split between reads is decoded whole. A line
 * longer than the cap is not buffered: it is skipped to its newline and reported as over the
 * cap. No I/O here; the reader feeds it.
 */
import { MAX_LINE_BYTES } from '../shared/format-constants.js';
import { isAllNul } from '../shared/line-bytes.js';

export interface LineHandler {
  /** One complete line: `buf[start, end)` without the newline; `offset` is its first byte in the file, `line` 1-based. */
  line(buf: Buffer, start: number, end: number, offset: number, line: number): void;
  /** A line longer than the cap (its bytes are not kept); `nulOnly` when it held nothing but NUL bytes (a crash's padding). */
  overCap(offset: number, line: number, length: number, nulOnly: boolean): void;
  /**
   * The whole lines of `buf[from, to)` (`to` just after a newline) are delivered next, in order,
   * from the same buffer: a handler may scan them ahead (native-lines.ts).
   */
  ahead?(buf: Buffer, from: number, to: number): void;
  /** The lines told to `ahead` are delivered (or a handler threw): the buffer is the reader's again. */
  aheadDone?(): void;
}

const NEWLINE = 0x0a;

export class LineSplitter {
  /** File offset of the next byte to be pushed. */
  offset: number;
  /** Number of the next line to be completed. */
  line: number;
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** The current line has exceeded the cap: its bytes are being skipped. */
  private skipping = false;
  /** Every byte of the current line so far is NUL: told with an over-cap line, which is then padding. */
  private nulOnly = true;

  constructor(
    private readonly handler: LineHandler,
    offset = 0,
    line = 1,
    private readonly cap = MAX_LINE_BYTES,
  ) {
    this.offset = offset;
    this.line = line;
  }

  /** Bytes of an incomplete last line held back. */
  get pendingBytes(): number {
    return this.partialLength;
  }

  /** File offset where the held incomplete line starts (== offset when none). */
  get pendingOffset(): number {
    return this.offset - this.partialLength;
  }

  push(chunk: Buffer): void {
    const base = this.offset;
    let start = 0;
    const ahead = this.handler.ahead !== undefined;
    if (ahead) {
      // Lines wholly in this chunk: a held line's end is delivered from a copy.
      const first = this.partialLength > 0 || this.skipping ? chunk.indexOf(NEWLINE) + 1 : 0;
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline >= first) this.handler.ahead?.(chunk, first, lastNewline + 1);
    }
    try {
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        if (nl === -1) break;
        this.complete(chunk, start, nl, base);
        start = nl + 1;
      }
    } finally {
      if (ahead) this.handler.aheadDone?.();
    }
    if (start < chunk.length) this.hold(chunk, start);
    this.offset = base + chunk.length;
  }

  /**
   * The end of the input (a static file, or a rotated-away one): an incomplete last line is
   * delivered as it is (a writer may not end its last line); the parser decides if it is a record.
   */
  flush(): void {
    if (this.partialLength === 0 && !this.skipping) return;
    const offset = this.pendingOffset;
    if (this.skipping) this.handler.overCap(offset, this.line, this.partialLength, this.nulOnly);
    else {
      const bytes = this.partial.length === 1 ? this.partial[0] : Buffer.concat(this.partial);
      this.handler.line(bytes, 0, bytes.length, offset, this.line);
    }
    this.line++;
    this.clearPartial();
  }

  /** Starts over at `offset` (e.g. 0 after a copytruncate), dropping any held bytes. */
  reset(offset: number, line: number): void {
    this.clearPartial();
    this.offset = offset;
    this.line = line;
  }

  private complete(chunk: Buffer, start: number, nl: number, base: number): void {
    const lineNo = this.line++;
    if (this.partialLength === 0 && !this.skipping) {
      if (nl - start > this.cap) this.handler.overCap(base + start, lineNo, nl - start, isAllNul(chunk, start, nl));
      else this.handler.line(chunk, start, nl, base + start, lineNo);
      return;
    }
    const length = this.partialLength + (nl - start);
    const offset = base + start - this.partialLength;
    if (this.skipping || length > this.cap) this.handler.overCap(offset, lineNo, length, this.nulOnly && isAllNul(chunk, start, nl));
    else {
      this.partial.push(chunk.subarray(start, nl));
      const bytes = Buffer.concat(this.partial, length);
      this.handler.line(bytes, 0, length, offset, lineNo);
    }
    this.clearPartial();
  }

  private hold(chunk: Buffer, start: number): void {
    const n = chunk.length - start;
    this.partialLength += n;
    // Cheap: a line that is no padding stops this at its first byte.
    if (this.nulOnly) this.nulOnly = isAllNul(chunk, start);
    if (this.skipping) return;
    if (this.partialLength > this.cap) {
      this.skipping = true;
      this.partial = [];
      return;
    }
    // A copy: the reader reuses its buffer.
    this.partial.push(Buffer.from(chunk.subarray(start)));
  }

  private clearPartial(): void {
    this.partial = [];
    this.partialLength = 0;
    this.skipping = false;
    this.nulOnly = true;
  }
}
