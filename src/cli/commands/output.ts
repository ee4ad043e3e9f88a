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

/**
 * Who answers stdout's errors besides the quiet ending below: the viewer, or a verdict. (Kept on
 * `process`, not in a variable: each command script is bundled apart from cli.js, with its own
 * copy of this module.)
 */
const OUTPUT_ERRORS = Symbol.for('sudo-proxy-audit.output-errors');
type OutputErrors = 'viewer' | 'verdict';
const outputErrors = () => (process as unknown as Record<symbol, OutputErrors | undefined>)[OUTPUT_ERRORS];
const setOutputErrors = (mode: OutputErrors) => ((process as unknown as Record<symbol, OutputErrors>)[OUTPUT_ERRORS] = mode);

/**
 * The viewer has the terminal from now on: it ends itself when the terminal goes (run-viewer.ts,
 * as on SIGHUP), and exiting at the first EIO cut short what runs after it — `demo --view`
 * closing its log with a stop record.
 */
export function leaveOutputErrorsToTheViewer(): void {
  setOutputErrors('viewer');
}

/**
 * This command's exit status is a verdict (`verify`, `stats --strict`): a reader gone (`| true`,
 * a `| logger` that died) drops what is left to write, and the command still checks everything
 * and exits with its verdict. Exiting 0 at the closed pipe turned a tampered log's 1 into 0.
 */
export function verdictOutlivesItsReader(): void {
  setOutputErrors('verdict');
}

/** Installs the quiet ending for a closed stdout, once per process. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const handled = outputErrors();
    if (handled === 'viewer') return;
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      if (handled === 'verdict') return;
      process.exit(0);
    }
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

/**
 * Lines queued and written to the stream in large writes: text lines as strings (joined and
 * encoded once a batch), lines already in bytes (`print --json`'s) in one buffer, in order.
 */
export class LineOutput {
  private strings: string[] = [];
  private chars = 0;
  private buffer = Buffer.allocUnsafe(2 * BATCH_BYTES);
  private used = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  /** Queues one line (a newline is added). */
  line(text: string): void {
    this.strings.push(text, '\n');
    this.chars += text.length + 1;
  }

  /** Queues `bytes[0, length)` as they are: whole lines, each with its newline. */
  lineBytes(bytes: Uint8Array, length: number): void {
    this.settle();
    this.room(length);
    this.buffer.set(length === bytes.length ? bytes : bytes.subarray(0, length), this.used);
    this.used += length;
  }

  /**
   * Queues `chunk` as it is: whole lines, each with its newline. A large one is written as it
   * is, not copied (after what is queued before it); `done` is told once its bytes are no longer
   * needed (at once when they were copied).
   */
  async bytes(chunk: Uint8Array, done: () => void): Promise<void> {
    if (chunk.length < BATCH_BYTES) {
      this.lineBytes(chunk, chunk.length);
      done();
      await this.maybeFlush();
      return;
    }
    await this.flush();
    // (Told on error too: the stream's error handler says what went wrong.)
    await this.written(this.stream.write(chunk, () => done()));
  }

  /** Writes when enough is queued; call between lines so slow readers apply back-pressure. */
  async maybeFlush(): Promise<void> {
    if (this.used + this.chars >= BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    let chunk: string | Buffer;
    if (this.used === 0) {
      if (this.chars === 0) return;
      chunk = this.strings.join('');
      this.strings = [];
      this.chars = 0;
    } else {
      this.settle();
      // A new buffer for what comes next: the stream may hold on to this one until it is written.
      chunk = this.buffer.subarray(0, this.used);
      this.buffer = Buffer.allocUnsafe(2 * BATCH_BYTES);
      this.used = 0;
    }
    await this.written(this.stream.write(chunk));
  }

  /**
   * After a write (`room`: the stream took it without going over its high-water mark): 'drain'
   * when it did not, then a turn of the event loop — to let an EPIPE surface, and because what
   * was read ahead before the write is dropped at a turn (file-spans.ts): a write may have waited
   * for the reader, and a line rewritten meanwhile must be read anew. ('drain' alone comes
   * without one: `print`'s lines after a stalled reader came from a read-ahead of before it.)
   */
  private async written(room: boolean): Promise<void> {
    if (!room) await once(this.stream, 'drain');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** The text lines queued so far into the buffer, after the bytes before them. */
  private settle(): void {
    if (this.chars === 0) return;
    const text = this.strings.join('');
    this.strings = [];
    this.chars = 0;
    this.room(3 * text.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private room(n: number): void {
    if (this.used + n <= this.buffer.length) return;
    const more = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.used + n));
    this.buffer.copy(more, 0, 0, this.used);
    this.buffer = more;
  }
}
