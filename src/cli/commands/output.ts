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

const BATCH_CHARS = 64 * 1024;

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

export class LineOutput {
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  /** Queues one line (a newline is added). */
  line(text: string): void {
    this.parts.push(text, '\n');
    this.chars += text.length + 1;
  }

  /** Writes when enough is queued; call between lines so slow readers apply back-pressure. */
  async maybeFlush(): Promise<void> {
    if (this.chars >= BATCH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chars === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
    else await new Promise<void>((resolve) => setImmediate(resolve)); // let an EPIPE surface
  }
}
