/**
 * Errors the command line reports as one line and an exit code, never as a stack trace:
 * 2 for usage and I/O problems, 1 for a negative verdict (a broken chain, `--strict`).
 */
import { NOT_A_REGULAR_FILE } from '../../engine/log-source.js';

export const EXIT_OK = 0;
export const EXIT_VERDICT = 1;
export const EXIT_USAGE = 2;

/**
 * A problem to report as `sudo-proxy-audit[ COMMAND]: MESSAGE` with an exit code. The message
 * may quote anything as given (a file name, an option, a value): cli.ts escapes it on the way
 * out, as every line on stderr is (output.ts `stderrLine`). Cap a long quoted value where the
 * message is built, if the rest of the message matters.
 */
/** Marks a CliError from any copy of this module (the bundle has one per command file). */
const CLI_ERROR = Symbol.for('sudo-proxy-audit.CliError');

export class CliError extends Error {
  readonly [CLI_ERROR] = true;
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * `e instanceof CliError` across bundle files: the dispatcher (dist/bin/cli.js) and each
 * command (command-X.js) hold their own copy of this class (esbuild.config.mjs).
 */
export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError || (typeof e === 'object' && e !== null && (e as { [CLI_ERROR]?: unknown })[CLI_ERROR] === true);
}

/** Wrong flags or arguments. */
export class UsageError extends CliError {}

/** The cause of a failed file operation in a few words (`no such file`, `permission denied`). */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case NOT_A_REGULAR_FILE:
      return 'not a regular file';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'I/O error';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_GZIP_DATA':
      return 'corrupt or truncated gzip data';
    default: {
      const message = err instanceof Error ? err.message : String(e);
      // Node's messages repeat the path after the code; keep the cause only.
      return message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    }
  }
}

/** A one-line error naming the file and the cause. */
export function fileError(file: string, e: unknown): CliError {
  return new CliError(`${file}: ${describeFsError(e)}`);
}
