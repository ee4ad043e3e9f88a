/**
 * Taking things out of the viewer: text to the terminal's clipboard through OSC 52 (`y`, `Y`),
 * and the entries of the current filter as JSONL in a file (`w`), with the `print` command
 * line that gives the same. The clipboard text is what the screen shows, escaped, and is then
 * base64-encoded: no byte of a record can end or break out of the sequence.
 */
import fs from 'node:fs';
import { formatArgv } from '../shared/sanitize.js';
import { escapeForTerminal } from '../shared/sanitize.js';
import { STATE_PRESETS, type FilterState } from './store/filters.js';

/** The terminal's clipboard as the store sees it (tests record what would be sent). */
export interface ClipboardTerminal {
  copy(text: string): void;
  /** Inside tmux, which passes OSC 52 on only with `set-clipboard on`: the footer says so. */
  inTmux: boolean;
}

/**
 * Longest text copied, in characters: with base64 the sequence stays under the 100 kB some
 * terminals (hterm, older xterm builds) accept.
 */
export const COPY_MAX_CHARS = 64 * 1024;

/**
 * OSC 52 "set the clipboard" (`c`) with `text`, escaped as the screen shows it (a control
 * character handed over anyway becomes `\e`, `\a`, …) and base64-encoded, ended by BEL.
 * Plain, not wrapped for tmux's passthrough: inside tmux it relies on `set-clipboard on`,
 * which stores the text in tmux's buffer and hands it on to the outer terminal.
 */
export function osc52(text: string): string {
  const payload = Buffer.from(escapeForTerminal(text, COPY_MAX_CHARS), 'utf8').toString('base64');
  return `\u001b]52;c;${payload}\u0007`;
}

/** The real terminal: writes the sequence to it. */
export function terminalClipboard(out: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): ClipboardTerminal {
  return {
    copy: (text) => void out.write(osc52(text)),
    inTmux: (env.TMUX ?? '') !== '',
  };
}

/** What the footer adds after a copy: OSC 52 is not everywhere. */
export function copyNote(terminal: ClipboardTerminal): string {
  return terminal.inTmux
    ? 'OSC 52: inside tmux it needs set-clipboard on, and the terminal may not support it'
    : 'OSC 52: the terminal may not support it';
}

const shellWords = (words: readonly string[]) => formatArgv(words, Number.POSITIVE_INFINITY);

/**
 * `sudo-proxy-audit print --json …` with the flags of `filter` and the inputs the viewer was
 * opened on, written to `file`: what `w` wrote, from a shell. Times are absolute (a `2h`
 * range was read against the viewer's clock); every word is quoted for a shell.
 */
export function printCommandLine(filter: FilterState, inputs: readonly string[], file: string): string {
  const words = ['sudo-proxy-audit', 'print', '--json'];
  const states = STATE_PRESETS[filter.preset]?.states;
  if (states) words.push('--state', states.join(','));
  if (filter.origin !== null) words.push('--origin', filter.origin);
  if (filter.host !== null) words.push('--host', filter.host);
  if (filter.session !== null) words.push('--session', filter.session);
  if (filter.time?.sinceMs !== undefined) words.push('--since', new Date(filter.time.sinceMs).toISOString());
  if (filter.time?.untilMs !== undefined) words.push('--until', new Date(filter.time.untilMs).toISOString());
  words.push(...inputs);
  return `${shellWords(words)} > ${shellWords([file])}`;
}

export type ExportResult = { written: number } | { exists: true } | { error: string };

/**
 * Opens `file` to write, created with mode 0600 (it holds audit records); an existing file only
 * with `overwrite`, and only a regular file of ours, its symlink not followed: a FIFO would block
 * the viewer until a reader came (O_NONBLOCK: it fails or opens at once, then is refused), and
 * another user's file would hand them the records. Returns the descriptor or why not.
 */
function openExport(file: string, overwrite: boolean): number | Exclude<ExportResult, { written: number }> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | (overwrite ? O_NOFOLLOW | O_NONBLOCK : O_EXCL), 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { exists: true };
    if (code === 'ELOOP') return { error: 'a symbolic link, not followed' };
    if (code === 'ENXIO') return { error: 'not a regular file (a FIFO)' };
    return { error: (e as Error).message };
  }
  if (!overwrite) return fd;
  const st = fs.fstatSync(fd);
  const uid = process.getuid?.() ?? st.uid;
  const refused = !st.isFile() ? 'not a regular file' : st.uid !== uid ? `owned by uid ${st.uid}, not by this user` : null;
  if (refused === null) fs.ftruncateSync(fd, 0);
  else fs.closeSync(fd);
  return refused === null ? fd : { error: refused };
}

/**
 * Writes `lines` (each one JSON line without its newline) to `file` (`openExport`). Nothing is
 * written when the file cannot be opened. A full disk takes part of a write and refuses the
 * rest (a short write is not an error): what was taken is written on from where it stopped,
 * and when the disk refuses, the file is cut back to its last whole line and the error says
 * how many entries it holds.
 */
export function writeLines(file: string, lines: Iterable<string>, overwrite: boolean): ExportResult {
  const fd = openExport(file, overwrite);
  if (typeof fd !== 'number') return fd;
  let written = 0;
  let bytes = 0;
  let batch: string[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const data = Buffer.from(`${batch.join('\n')}\n`, 'utf8');
    let done = 0;
    try {
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
    } catch (e) {
      const partial = data.subarray(0, done);
      const end = partial.lastIndexOf(0x0a) + 1;
      let kept = written;
      for (let i = 0; i < end; i++) if (partial[i] === 0x0a) kept++;
      try {
        fs.ftruncateSync(fd, bytes + end);
      } catch {
        // (The file then ends in a cut line; the count below is still of the whole ones.)
      }
      // The count first: the footer is one line, and a long path and errno text would cut it off.
      throw new Error(`it holds only the first ${kept} entries (${(e as Error).message})`);
    }
    bytes += data.length;
    written += batch.length;
    batch = [];
  };
  try {
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= 1_000) flush();
    }
    flush();
    return { written };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    fs.closeSync(fd);
  }
}
