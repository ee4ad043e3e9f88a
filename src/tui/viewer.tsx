/**
 * `sudo-proxy-audit view`: the live viewer. The I/O edge: checks for a terminal, opens the
 * engine, enters the alternate screen, renders the App with Ink, and leaves the terminal as
 * it found it on every way out (q, Ctrl-C, SIGTERM/SIGINT/SIGHUP, a crash).
 */
import type { Instance } from 'ink';
import os from 'node:os';
import type { AuditEngine, Entry, EntryFilter } from '../shared/entry.js';
import { escapeForTerminal } from '../shared/sanitize.js';
import type { CollectedHost } from '../engine/collector-dir.js';
import { TerminalSession } from './terminal.js';

export interface ViewerOptions {
  files: string[];
  /** A collector directory's hosts (one engine each, merged: see engine/fleet-engine.ts), read instead of `files`. */
  hosts?: readonly CollectedHost[];
  /** The collector directories the hosts came from: followed, they are watched for new hosts. */
  collectors?: readonly string[];
  /** Origins of hosts left out as unreadable: not picked up as new ones. */
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
}

/** Loads what opens the engine over the files, or over a collector directory's hosts. */
async function engineOpener(options: ViewerOptions): Promise<() => AuditEngine> {
  const { hosts, files, follow } = options;
  if (hosts) {
    const { openFleetEngine } = await import('../engine/fleet-engine.js');
    return () => openFleetEngine(hosts, { follow }, options.collectors, options.skipped);
  }
  const { openEngine } = await import('../engine/engine.js');
  return () => openEngine(files, { follow });
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

/** Resolves with the exit code: 0 after q or Ctrl-C, 2 without a terminal, 128+n after signal n, 1 after a crash. */
export async function runViewer(options: ViewerOptions): Promise<number> {
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
  const [{ render }, { createElement }, { App }, openEngine, { ViewerStore }, { colorFromEnv, createTheme }] = await Promise.all([
    import('ink'),
    // React is CommonJS: its module.exports is the default export (the bundle has no named ones).
    import('react').then((react) => react.default),
    import('./components/App.js'),
    engineOpener(options),
    import('./store/store.js'),
    import('./theme.js'),
  ]);
  const { terminalClipboard } = await import('./take-out.js');

  let engine: AuditEngine;
  try {
    engine = options.engine ?? openEngine();
  } catch (e) {
    stderrLine(`sudo-proxy-audit: ${(e as Error).message}`);
    return 2;
  }

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
  const session = new TerminalSession(stdout);
  let instance: Instance | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  let ended = false;
  const end = (code: number, error?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      instance?.unmount();
    } catch {
      // Already unmounted, or the terminal is gone.
    }
    session.restore();
    detach();
    store.dispose();
    if (error !== undefined) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      text.split('\n').forEach((line, i) => stderrLine(i === 0 ? `sudo-proxy-audit: the viewer crashed: ${line}` : line));
    }
    if (code !== 0) {
      // After a signal or a crash, do not let a stray handle keep a dying process alive.
      setTimeout(() => process.exit(code), 2_000).unref();
    }
    const closing = options.engine ? Promise.resolve() : engine.close().catch(() => undefined);
    void closing.then(() => resolveExit(code));
  };

  // Ctrl-Z arrives as a key in raw mode: the terminal is given back as it was (cooked mode, the
  // shell's screen, the cursor), then the process stops itself as the tty would have stopped
  // it; `fg` sends SIGCONT, and everything is drawn again from a clean alternate screen.
  const setRaw = (on: boolean) => {
    if (typeof stdin.setRawMode === 'function') stdin.setRawMode(on);
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
  const onSignal = (signal: NodeJS.Signals) => end(128 + (os.constants.signals[signal] ?? 15));
  const onCrash = (error: unknown) => end(1, error);
  const onProcessExit = () => session.restore();
  const onResize = () => {
    // Start from a clean screen and make Ink forget what it drew, then lay out for the new size.
    instance?.clear();
    session.clear();
    store.resize(size());
  };
  const detach = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
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
  // Before Ink's own resize listener, so Ink re-renders with the store already resized.
  stdout.on('resize', onResize);

  session.enter();
  try {
    instance = render(createElement(App, { store, theme: createTheme(colorFromEnv()), title: options.title }), {
      stdin,
      stdout,
      stderr: process.stderr,
      exitOnCtrlC: false,
      // Stray console output must not tear the frame; Ink's patch needs console.Console (a test
      // runner's console may lack it).
      patchConsole: typeof (console as { Console?: unknown }).Console === 'function',
      // Not incrementalRendering: in Ink 6.8 it drifts down a line per frame unless the frame
      // fills the terminal, and a full-height frame makes Ink clear the screen on every render.
    });
    instance.waitUntilExit().then(
      () => end(0),
      (error: unknown) => end(1, error),
    );
  } catch (error) {
    end(1, error);
  }
  return exited;
}
