/**
 * Writing lots of lines to stdout: batched into large writes, waiting for 'drain' when the
 * reader is slow, and ending quietly (exit 0) when the reader has gone (`| head`). And the one
 * way a message reaches stderr.
 */
import { once } from 'node:events';
import { escapeForTerminal } from '../../shared/sanitize.js';

/**
 * One line on stderr, escaped as the viewer escapes records: messages name files, host folders,
 * options and values that someone else may have chosen, and stderr is usually a terminal.
 */
export function stderrLine(text: string): void {
  process.stderr.write(`${escapeForTerminal(text)}\n`);
}

/** Bytes queued before a write. */
const BATCH_BYTES = 64 * 1024;

/** Installs the quiet ending for a closed stdout, once per process. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    try {
      stderrLine(`sudo-proxy-audit: cannot write output: ${e.message}`);
    } catch {
      // stderr gone too
    }
    process.exit(2);
  });
  // Nothing useful can be said when stderr itself is closed.
  process.stderr.on('error', () => {});
}

/** Lines queued in one buffer and written to the stream in large writes. */
export class LineOutput {
  private buffer = Buffer.allocUnsafe(2 * BATCH_BYTES);
  private used = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  /** Queues one line (a newline is added). */
  line(text: string): void {
    this.room(3 * text.length + 1); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.buffer[this.used++] = 0x0a;
  }

  /** Queues `bytes[0, length)` as they are: whole lines, each with its newline. */
  lineBytes(bytes: Uint8Array, length: number): void {
    this.room(length);
    this.buffer.set(length === bytes.length ? bytes : bytes.subarray(0, length), this.used);
    this.used += length;
  }

  /** Writes when enough is queued; call between lines so slow readers apply back-pressure. */
  async maybeFlush(): Promise<void> {
    if (this.used >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    // A new buffer for what comes next: the stream may hold on to this one until it is written.
    const chunk = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(2 * BATCH_BYTES);
    this.used = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
    else await new Promise<void>((resolve) => setImmediate(resolve)); // let an EPIPE surface
  }

  private room(n: number): void {
    if (this.used + n <= this.buffer.length) return;
    const more = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.used + n));
    this.buffer.copy(more, 0, 0, this.used);
    this.buffer = more;
  }
}
