import { afterAll, afterEach, beforeAll } from 'vitest';
/**
 * The one render helper for viewer tests: mounts the App with a store over a fake engine on a
 * fake terminal of a chosen size, and waits for the frame after each key (React batches, so a
 * frame is read only once it has been drawn). Frames are returned without ANSI styling.
 */
import chalk from 'chalk';
import { render } from 'ink';
import type React from 'react';
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import type { AuditEngine } from '../../src/shared/entry.js';
import { App } from '../../src/tui/components/App.js';
import { ViewerStore } from '../../src/tui/store/store.js';
import { createTheme, type Theme } from '../../src/tui/theme.js';
import { BASE_MS } from './entries.js';

export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read(): string | null {
    const d = this.data;
    this.data = null;
    return d;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** Key sequences as a terminal sends them. */
export const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  pageUp: '\u001b[5~',
  pageDown: '\u001b[6~',
  home: '\u001b[H',
  end: '\u001b[F',
  enter: '\r',
  escape: '\u001b',
  tab: '\t',
  backspace: '\u007f',
  ctrlC: '\u0003',
  ctrlD: '\u0004',
  ctrlU: '\u0015',
} as const;

export interface RenderOptions {
  columns?: number;
  rows?: number;
  live?: boolean;
  /** The viewer's clock (default: the day of the test entries, 12:00 UTC). */
  now?: number;
  theme?: Theme;
  title?: string;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function renderViewer(engine: AuditEngine, options: RenderOptions = {}) {
  const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24);
  const stdin = new FakeStdin();
  const stderr = new FakeStdout(80, 24);
  let clock = options.now ?? BASE_MS + 4 * 3_600_000;
  const store = new ViewerStore({
    engine,
    live: options.live ?? true,
    size: { columns: stdout.columns, rows: stdout.rows },
    now: () => clock,
    // Throttled queries and stats run on the next turn instead of after their interval, so a
    // test sees their result once the input has settled (the throttle has its own tests).
    timers: { setTimeout: (fn) => setImmediate(fn), clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate) },
  });
  const instance = render(<App store={store} theme={options.theme ?? createTheme(true)} title={options.title} tickMs={0} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });

  /** Resolves once the frames stopped coming: the key's frame, then any query or stats that followed it. */
  const settle = async (before: number) => {
    let seen = before;
    let quiet = 0;
    for (let i = 0; i < 200 && quiet < 5; i++) {
      await tick();
      if (stdout.frames.length > seen) {
        seen = stdout.frames.length;
        quiet = 0;
      } else quiet++;
    }
  };

  return {
    store,
    stdout,
    instance,
    /** The last frame, ANSI styling stripped. */
    frame: (): string => stripAnsi(stdout.frames.at(-1) ?? ''),
    /** The last frame as written, with styling. */
    rawFrame: (): string => stdout.frames.at(-1) ?? '',
    lines: (): string[] => stripAnsi(stdout.frames.at(-1) ?? '').split('\n'),
    /** Sends each key and waits for its frame. */
    async press(...keys: string[]): Promise<void> {
      for (const key of keys) {
        const before = stdout.frames.length;
        stdin.write(key);
        await settle(before);
      }
    },
    /** Types text into a prompt, one key at a time. */
    async type(text: string): Promise<void> {
      for (const ch of text) await this.press(ch);
    },
    /** Runs engine changes (or anything that redraws) and waits for the frame. */
    async act(fn: () => void): Promise<void> {
      const before = stdout.frames.length;
      fn();
      await settle(before);
    },
    async resize(columns: number, rows: number): Promise<void> {
      await this.act(() => stdout.resize(columns, rows));
    },
    setNow(ms: number): void {
      clock = ms;
    },
    /** Lets effects (engine subscription, first stats) run before the first assertion. */
    async ready(): Promise<void> {
      await settle(stdout.frames.length);
      await tick();
    },
    unmount(): void {
      instance.unmount();
      store.dispose();
    },
  };
}

export type Viewer = ReturnType<typeof renderViewer>;

/** Renders one presentational component on a fake terminal of `columns` and returns its frame. */
export async function renderComponent(node: React.ReactElement, columns = 80): Promise<{ frame: string; raw: string; lines: string[] }> {
  const stdout = new FakeStdout(columns, 50);
  const instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await tick();
  const raw = stdout.frames.at(-1) ?? '';
  instance.unmount();
  const frame = stripAnsi(raw);
  return { frame, raw, lines: frame.split('\n') };
}

/**
 * One viewer per test, unmounted after it (register at the top of a test file): the returned
 * `open` renders the viewer over an engine and waits for its first frame, unmounting the one
 * opened before it.
 */
export function viewerPerTest(): (engine: AuditEngine, options?: RenderOptions) => Promise<Viewer> {
  let viewer: Viewer | null = null;
  afterEach(() => {
    viewer?.unmount();
    viewer = null;
  });
  return async (engine, options = {}) => {
    viewer?.unmount(); // a test that opens another: one viewer at a time
    viewer = renderViewer(engine, options);
    await viewer.ready();
    return viewer;
  };
}

/**
 * Full colour for the tests of a file (register at its top): Vitest runs with FORCE_COLOR=0,
 * so chalk (which Ink styles with) would write no styles at all.
 */
export function fullColourPerFile(): void {
  let savedLevel: typeof chalk.level;
  beforeAll(() => {
    savedLevel = chalk.level;
    chalk.level = 3;
  });
  afterAll(() => {
    chalk.level = savedLevel;
  });
}
