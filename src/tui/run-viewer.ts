/**
 * `sudo-proxy-audit view`: the live viewer. The I/O edge: checks for a terminal, opens the
 * engine, enters the alternate screen and draws the first frame there (first-frame.ts: the
 * newest rows as soon as the engine has read its tail), then loads Ink and React (viewer.tsx,
 * a bundle of its own: ~0.3 s to load) and lets Ink draw over it; and leaves the terminal as
 * it found it on every way out (q, Ctrl-C, SIGTERM/SIGINT/SIGHUP, a crash). Loads no Ink.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { AuditEngine, Entry, EntryFilter } from '../shared/entry.js';
import { escapeForTerminal } from '../shared/sanitize.js';
import type { CollectedHost } from '../engine/collector-dir.js';
import { DEFAULT_TITLE } from './screen-model.js';
import { firstFrameLines } from './first-frame.js';
import { ViewerStore } from './store/store.js';
import { terminalClipboard } from './take-out.js';
import { HIDE_CURSOR, TerminalSession } from './terminal.js';
import { colorFromEnv, createTheme, type Theme } from './theme.js';
import type { AppInstance } from './viewer.js';

export interface ViewerOptions {
  files: string[];
  /** A collector directory's hosts (one engine each, merged: see engine/fleet-engine.ts), read instead of `files`. */
  hosts?: readonly CollectedHost[];
  /** The collector directories the hosts came from: followed, they are watched for new hosts. */
  collectors?: readonly string[];
  /** Folders of hosts left out as unreadable: not picked up as new ones. */
  skipped?: readonly string[];
  follow: boolean;
  /** An engine opened by the caller (who then closes it); otherwise the viewer opens and closes its own. */
  engine?: AuditEngine;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  title?: string;
  /** The detail pane flags a request whose time as sent is further than this from the writer's. */
  clockSkewMs?: number;
  /** The verification key of each chain's origin ('' for files): the header checks the seals with it. */
  sealKeys?: ReadonlyMap<string, Uint8Array>;
  /** One entry as `print --json` writes it (the CLI hands its format down): what `w` writes. */
  entryJson?: (entry: Entry) => unknown;
  /** The inputs as `print` takes them (`--history`, FILE…, DIR…): for the command line `w` shows. */
  printInputs?: readonly string[];
  /** The command line's filter flags and how they were typed: the view opens with them applied. */
  filter?: { filter: EntryFilter; label: string };
  /** Ends the process 2 s after a signal or a crash if a stray handle keeps it alive (tests give their own). */
  exitProcess?: (code: number) => void;
}

/**
 * The bytes at the end of the live file the first frame waits for: a screen of rows and some
 * (an entry — a request and its result — is ~0.9 KB in the demo's traffic, so 1.5 KiB a row
 * leaves room for longer pipelines), no more: every line of it is parsed, joined and
 * chain-checked by cold code before the frame, ~0.14 ms of CPU a KiB (1M records, 30 rows: 128
 * KiB took ~31 ms of CPU, 32 KiB ~18 ms; the engine's default 2 MiB ~50 ms more, #17). The rest
 * comes with the history, read once the frame is drawn.
 */
export function firstFrameTailBytes(screenRows: number): number {
  return Math.max(MIN_FIRST_FRAME_TAIL_BYTES, screenRows * TAIL_BYTES_PER_ROW);
}
const MIN_FIRST_FRAME_TAIL_BYTES = 32 * 1024;
const TAIL_BYTES_PER_ROW = 1536;

/**
 * Opens the engine over the files, or over a collector directory's hosts. Files read a tail
 * sized for a screen of `screenRows` rows first, and their history once `drawn` resolves (the
 * first frame is on screen): the history's start — column space for every entry, the scan
 * workers' threads — would otherwise come before the frame.
 */
export async function openViewerEngine(options: ViewerOptions, drawn: Promise<void>, screenRows = 24): Promise<AuditEngine> {
  const { hosts, files, follow } = options;
  if (hosts) {
    const { openFleetEngine } = await import('../engine/fleet-engine.js');
    return openFleetEngine(hosts, { follow }, options.collectors, options.skipped);
  }
  const { openEngine } = await import('../engine/engine.js');
  return openEngine(files, { follow, beforeHistory: () => drawn, tailBytes: firstFrameTailBytes(screenRows) });
}

/** A line on stderr, escaped: an error names a file, which anyone may have named. */
const stderrLine = (text: string) => void process.stderr.write(`${escapeForTerminal(text)}\n`);

export const NOT_A_TERMINAL_HINT = 'not a terminal: use `sudo-proxy-audit print` or `stats` for scripts';
/** Ink draws nothing until exit when it believes it runs in CI (is-in-ci): say so instead of a blank screen. */
export const CI_HINT = 'CI is set, so the terminal UI would not draw: unset CI, or use `sudo-proxy-audit print` or `stats`';

/**
 * Why the terminal cannot show the viewer, or null: TERM unset, `dumb` or `unknown` (Emacs'
 * shell, a serial console, `TERM=dumb` for plain output) cannot move the cursor, and Ink would
 * scroll frame after frame down it.
 */
export function noCursorAddressing(env: NodeJS.ProcessEnv): string | null {
  const term = env.TERM ?? '';
  if (term !== '' && term !== 'dumb' && term !== 'unknown') return null;
  const named = term === '' ? 'TERM is not set' : `TERM=${term}`;
  return `${named}: this terminal cannot move the cursor, so the viewer cannot draw; use \`sudo-proxy-audit print -f\` to follow the log as lines`;
}

const inCi = (env: NodeJS.ProcessEnv) =>
  ['CI', 'CONTINUOUS_INTEGRATION'].some((k) => k in env && env[k] !== '0' && env[k] !== 'false');

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * How long the first frame waits for the engine's newest rows (a plain log's tail takes a few
 * ms; a fleet of thousands of hosts, seconds): past it, the frame says "reading…" and Ink is
 * loaded, to show the rows when they come.
 */
export const FIRST_ROWS_WAIT_MS = 300;

/** What draws the App with Ink: viewer.tsx, loaded once the first frame is on screen. */
export interface InkPart {
  mountApp(store: ViewerStore, options: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; theme: Theme; title?: string }): AppInstance;
}

/** At exit after a hang-up: see `terminalGone` in runViewer. Nothing runs after 'exit' to use them. */
function closeDeadTerminal(): void {
  // Only those that were the terminal (a hung-up one no longer says it is one): stderr sent to
  // a file stays open.
  const standard = [process.stdin, process.stdout, process.stderr];
  for (const fd of [0, 1, 2]) {
    try {
      if (standard[fd].isTTY === true) fs.closeSync(fd);
    } catch {
      // Already closed.
    }
  }
}

/** Resolves with the exit code: 0 after q or Ctrl-C, 2 without a terminal, 128+n after signal n, 1 after a crash. */
export async function runViewer(options: ViewerOptions, loadInk: () => Promise<InkPart> = () => import('./viewer.js')): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    stderrLine(`sudo-proxy-audit: ${NOT_A_TERMINAL_HINT}`);
    return 2;
  }
  const noCursor = noCursorAddressing(process.env);
  if (noCursor !== null) {
    stderrLine(`sudo-proxy-audit: ${noCursor}`);
    return 2;
  }
  if (inCi(process.env)) {
    stderrLine(`sudo-proxy-audit: ${CI_HINT}`);
    return 2;
  }

  // React's development build times every component render into an ever-growing performance
  // buffer (and warns on stderr after a million): a pane that runs for days wants the
  // production build, chosen when React is first loaded, which is below.
  if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
  let frameDrawn!: () => void;
  const drawn = new Promise<void>((resolve) => (frameDrawn = resolve));
  let engine: AuditEngine;
  try {
    engine = options.engine ?? (await openViewerEngine(options, drawn, stdout.rows || 24));
  } catch (e) {
    stderrLine(`sudo-proxy-audit: ${(e as Error).message}`);
    return 2;
  }
  // The newest rows for the first frame (the store then starts with them, as after catchUp()).
  await firstRows(engine);

  const size = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const store = new ViewerStore({
    engine,
    live: options.follow,
    size: size(),
    clockSkewMs: options.clockSkewMs,
    sealKeys: options.sealKeys,
    terminal: terminalClipboard(stdout),
    entryJson: options.entryJson,
    printInputs: options.printInputs,
    suspend: () => suspend(),
    filter: options.filter,
  });
  // Subscribed at once: nothing the engine says while Ink loads is missed (the App's own connect() is this one).
  store.connect();
  // The header's counts in the first frame (Ink's first frame is drawn from this same state).
  store.refreshStatsNow();
  const session = new TerminalSession(stdout);
  let instance: AppInstance | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  let ended = false;
  let exitTimed = false;
  const end = (code: number, error?: unknown) => {
    if (ended) return;
    ended = true;
    if (code !== 0) {
      // After a signal or a crash, do not let a stray handle keep a dying process alive. Set
      // first: nothing below may stop it (on a hung-up terminal every mode change throws).
      setTimeout(() => (options.exitProcess ?? process.exit)(code), 2_000).unref();
      exitTimed = true;
    }
    frameDrawn();
    try {
      instance?.unmount();
    } catch {
      // Already unmounted, or the terminal is gone.
    }
    // Ink gives the terminal back its mode when it unmounts; before Ink, the first frame set it.
    if (instance === undefined) setRaw(false);
    // Stop reading the terminal before the shell's screen is back: what is typed from then on
    // (the next command, typed ahead while the engine closes) is the shell's, not ours to drop.
    stdin.pause();
    session.restore();
    detach();
    store.dispose();
    if (error !== undefined) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      text.split('\n').forEach((line, i) => stderrLine(i === 0 ? `sudo-proxy-audit: the viewer crashed: ${line}` : line));
    }
    const closing = options.engine ? Promise.resolve() : engine.close().catch(() => undefined);
    void closing.then(() => {
      // Only now: a signal's handlers run in turn, and Ink's signal-exit, finding itself the last
      // one, re-raises the signal and the process dies of it — before the caller (demo --view)
      // could close its log with a stop record.
      for (const s of SIGNALS) process.off(s, onSignal);
      // The terminal's error listeners stay while it is gone: a write still in flight fails later.
      if (!gone) {
        stdout.off('error', onTerminalError);
        stdin.off('error', onTerminalError);
      }
      resolveExit(code);
    });
  };

  // Ctrl-Z arrives as a key in raw mode: the terminal is given back as it was (cooked mode, the
  // shell's screen, the cursor), then the process stops itself as the tty would have stopped
  // it; `fg` sends SIGCONT, and everything is drawn again from a clean alternate screen.
  const setRaw = (on: boolean) => {
    try {
      if (typeof stdin.setRawMode === 'function') stdin.setRawMode(on);
    } catch {
      // The terminal is gone (a hang-up: EIO): no mode left to set, and the way out must go on.
    }
  };
  const suspend = () => {
    if (ended) return;
    setRaw(false);
    session.suspend();
    process.once('SIGCONT', onContinue);
    process.kill(process.pid, 'SIGTSTP');
  };
  const onContinue = () => {
    if (ended) return;
    setRaw(true);
    session.resume();
    instance?.clear();
    store.resize(size());
    store.dispatch({ type: 'redraw' });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') terminalGone();
    const code = 128 + (os.constants.signals[signal] ?? 15);
    // One while the engine closes after q (the handlers stay until it has, and no exit is timed
    // then): the user insists. (After a signal, the exit is timed; a hang-up comes twice.)
    if (ended && !exitTimed) process.exit(code);
    end(code);
  };
  // The terminal hung up (its pane or window closed): reads and writes fail with EIO from then
  // on, and Node's own reset of the terminal at exit aborts the process on that EIO
  // (nodejs/node#51519: a core dump, and whatever `demo --view` had still to write, lost). So the
  // viewer ends as on SIGHUP, later errors of the dead terminal are swallowed, and at exit the
  // terminal's descriptors are closed first: Node skips a descriptor it finds closed.
  let gone = false;
  const terminalGone = () => {
    if (gone) return;
    gone = true;
    process.once('exit', closeDeadTerminal);
  };
  const onTerminalError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EIO' && e.code !== 'ENXIO' && !gone) return end(1, e);
    terminalGone();
    end(128 + os.constants.signals.SIGHUP);
  };
  const onCrash = (error: unknown) => end(1, error);
  const onProcessExit = () => session.restore();
  const onResize = () => {
    // Start from a clean screen and make Ink forget what it drew, then lay out for the new size.
    instance?.clear();
    session.clear();
    store.resize(size());
  };
  const detach = () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', onProcessExit);
    process.off('SIGCONT', onContinue);
    stdout.off('resize', onResize);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', onProcessExit);
  stdout.on('error', onTerminalError);
  stdin.on('error', onTerminalError);
  // Before Ink's own resize listener, so Ink re-renders with the store already resized.
  stdout.on('resize', onResize);

  session.enter();
  const theme = createTheme(colorFromEnv());
  try {
    // Raw already: keys typed while Ink loads wait for it instead of echoing over the frame.
    setRaw(true);
    const frame = firstFrameLines(store.getState(), engine, theme, options.title ?? DEFAULT_TITLE);
    if (frame !== null) stdout.write(`${HIDE_CURSOR}${frame.map((line, i) => `\u001b[${i + 1};1H${line}\u001b[K`).join('')}\u001b[H`);
    frameDrawn();
    const ink = await loadInk();
    if (ended) return exited;
    overwriteOnce(stdout);
    instance = ink.mountApp(store, { stdin, stdout, theme, title: options.title });
    instance.waitUntilExit().then(
      () => end(0),
      (error: unknown) => end(1, error),
    );
  } catch (error) {
    end(1, error);
  }
  return exited;
}

/** Resolves once the engine shows its newest rows, or after FIRST_ROWS_WAIT_MS. */
async function firstRows(engine: AuditEngine): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FIRST_ROWS_WAIT_MS);
  });
  await Promise.race([engine.ready(), waited]);
  clearTimeout(timer);
}

/**
 * Ink writes its first frame from the cursor on without erasing (it erased nothing before it):
 * over the first frame, each of its lines then erases what is left of the line after it, and
 * the rest of the screen below, so nothing of the first frame outlives it.
 */
function overwriteOnce(stdout: NodeJS.WriteStream): void {
  const own = Object.prototype.hasOwnProperty.call(stdout, 'write');
  const write = stdout.write;
  const restore = () => {
    if (own) stdout.write = write;
    else delete (stdout as { write?: unknown }).write;
  };
  stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && chunk.includes('\n')) {
      restore();
      chunk = `\u001b[H${chunk.replaceAll('\n', '\u001b[K\n')}\u001b[J`;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as NodeJS.WriteStream['write'];
}
