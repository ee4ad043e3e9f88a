import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, TerminalSession } from '../../src/tui/terminal.js';
import { CI_HINT, NOT_A_TERMINAL_HINT, runViewer, noCursorAddressing } from '../../src/tui/run-viewer.js';
import { makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { FakeStdin, FakeStdout } from './render.js';

let stderr: string[];
let savedCi: Record<string, string | undefined>;
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  // The viewer refuses to start under CI (Ink would not draw): these tests stand in for a terminal.
  savedCi = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // And a terminal that can move the cursor, whatever runs the tests.
  savedCi.TERM = process.env.TERM;
  process.env.TERM = 'xterm-256color';
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const [k, v] of Object.entries(savedCi)) {
    if (v !== undefined) process.env[k] = v;
    else delete process.env[k];
  }
});

const tty = () => {
  const stdout = new FakeStdout(80, 24);
  const stdin = new FakeStdin();
  return { stdout, stdin, out: stdout as unknown as NodeJS.WriteStream, in: stdin as unknown as NodeJS.ReadStream };
};
/** Polls until `check` holds (the viewer loads Ink and React on demand, which takes a moment). */
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 1_000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('the viewer did not get there');
};

/** runViewer with Ink's part held back until `release()`: what shows until then is the first frame. */
function runHeldViewer(engine: FakeEngine, t: ReturnType<typeof tty>, exitProcess?: (code: number) => void) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const done = runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: t.out, exitProcess }, async () => {
    await held;
    return import('../../src/tui/viewer.js');
  });
  return { release, done };
}

describe('runViewer', () => {
  it('exits 2 with a one-line hint when stdin or stdout is not a terminal', async () => {
    const engine = new FakeEngine();
    const t = tty();
    const pipe = Object.assign(new FakeStdout(80, 24), { isTTY: undefined }) as unknown as NodeJS.WriteStream;
    expect(await runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: pipe })).toBe(2);
    const notTty = Object.assign(new FakeStdin(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    expect(await runViewer({ files: [], follow: true, engine, stdin: notTty, stdout: t.out })).toBe(2);
    expect(stderr).toEqual([`sudo-proxy-audit: ${NOT_A_TERMINAL_HINT}\n`, `sudo-proxy-audit: ${NOT_A_TERMINAL_HINT}\n`]);
    expect(t.stdout.frames).toEqual([]);
  });

  it('exits 2 with a hint under CI, where Ink would draw nothing', async () => {
    process.env.CI = 'true';
    const t = tty();
    expect(await runViewer({ files: [], follow: true, engine: new FakeEngine(), stdin: t.in, stdout: t.out })).toBe(2);
    expect(stderr).toEqual([`sudo-proxy-audit: ${CI_HINT}\n`]);
  });

  it('exits 2 with one line pointing to print -f when TERM cannot move the cursor (dumb, unknown, unset)', async () => {
    const saved = process.env.TERM;
    try {
      for (const term of ['dumb', 'unknown', '', undefined]) {
        stderr = [];
        if (term === undefined) delete process.env.TERM;
        else process.env.TERM = term;
        const t = tty();
        expect(await runViewer({ files: [], follow: true, engine: new FakeEngine(), stdin: t.in, stdout: t.out })).toBe(2);
        expect(stderr).toHaveLength(1);
        expect(stderr[0]).toMatch(/^sudo-proxy-audit: TERM[= ].*cannot move the cursor.*print -f.*\n$/);
        expect(stderr[0].split('\n')).toHaveLength(2);
        expect(t.stdout.frames).toEqual([]);
      }
    } finally {
      if (saved === undefined) delete process.env.TERM;
      else process.env.TERM = saved;
    }
    expect(noCursorAddressing({ TERM: 'xterm-256color' })).toBeNull();
    expect(noCursorAddressing({ TERM: 'screen' })).toBeNull();
    expect(noCursorAddressing({ TERM: 'dumb\u001b[2J' })).toBeNull();
    expect(noCursorAddressing({ TERM: 'dumb' })).toMatch(/TERM=dumb/);
  });

  it('draws in the alternate screen and leaves it on q, exit code 0, without closing an engine it was given', async () => {
    const engine = new FakeEngine([makeEntry()]);
    const t = tty();
    const done = runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: t.out });
    // Drawn, and reading keys.
    await waitFor(() => t.stdout.frames.some((f) => f.includes('sudo-proxy-audit')) && t.stdin.listenerCount('readable') > 0);
    t.stdin.write('q');
    expect(await done).toBe(0);
    const out = t.stdout.frames.join('');
    expect(out.startsWith(ENTER_ALT_SCREEN)).toBe(true);
    expect(out.endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(out.split(ENTER_ALT_SCREEN)).toHaveLength(2);
    expect(out.split(LEAVE_ALT_SCREEN)).toHaveLength(2);
    expect(engine.closed).toBe(false);
    expect(engine.listenerCount('change')).toBe(0);
  });

  it('stops reading the terminal before it gives the screen back on q: what is typed next is the shell\'s', async () => {
    const engine = new FakeEngine([makeEntry()]);
    const t = tty();
    const done = runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: t.out });
    await waitFor(() => t.stdout.frames.some((f) => f.includes('sudo-proxy-audit')) && t.stdin.listenerCount('readable') > 0);
    const order: string[] = [];
    vi.spyOn(t.stdin, 'pause').mockImplementation(() => void order.push('pause'));
    const write = t.stdout.write.bind(t.stdout);
    vi.spyOn(t.stdout, 'write').mockImplementation(((data: string) => {
      if (String(data).includes(LEAVE_ALT_SCREEN)) order.push('leave');
      return write(data);
    }) as typeof t.stdout.write);
    t.stdin.write('q');
    expect(await done).toBe(0);
    // Reading on into cooked mode took the next command typed ahead while the engine closed (tmux: lost).
    expect(order.indexOf('pause')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('pause')).toBeLessThan(order.indexOf('leave'));
  });

  it('draws the first frame before Ink loads; Ink draws its own over it, erasing what it does not cover', async () => {
    const engine = new FakeEngine([makeEntry({ session: 'before-ink' })]);
    const t = tty();
    const write = t.stdout.write;
    const { release, done } = runHeldViewer(engine, t);
    await waitFor(() => t.stdout.frames.join('').includes('before-ink'));
    const first = t.stdout.frames.join('');
    expect(first.startsWith(ENTER_ALT_SCREEN)).toBe(true);
    expect(first).toMatch(/\u001b\[1;1H(\u001b\[1m)?sudo-proxy-audit/);
    // Ink is not loaded: nothing reads keys yet.
    expect(t.stdin.listenerCount('readable')).toBe(0);
    const before = t.stdout.frames.length;
    release();
    await waitFor(() => t.stdin.listenerCount('readable') > 0);
    const frames = t.stdout.frames.slice(before).filter((f) => f.includes('\n'));
    expect(frames[0].startsWith('\u001b[H')).toBe(true);
    expect(frames[0].endsWith('\u001b[J')).toBe(true);
    expect(frames[0].split('\n').slice(0, -1).every((line) => line.endsWith('\u001b[K'))).toBe(true);
    expect(frames[0]).toContain('before-ink');
    // Only Ink's first frame: its later ones and every other write go out as they are.
    expect(t.stdout.write).toBe(write);
    t.stdin.write('q');
    expect(await done).toBe(0);
  });

  it('misses no notice: one said before the store was made is in the first frame, one said while Ink loads in Ink’s', async () => {
    // (No bytes yet: a log that is not there. Bytes would clear a `waiting` notice.)
    const engine = new FakeEngine([], { progress: { bytesDone: 0, bytesTotal: 0, done: false } });
    engine.notice({ kind: 'waiting', file: '/var/log/audit.log', message: '/var/log/audit.log does not exist (yet): waiting for it' });
    const t = tty();
    const { release, done } = runHeldViewer(engine, t);
    await waitFor(() => t.stdout.frames.join('').includes('waiting for it'));
    engine.notice({ kind: 'error', file: '/var/log/audit.log', message: 'said while Ink loads' });
    release();
    await waitFor(() => t.stdin.listenerCount('readable') > 0 && t.stdout.frames.join('').includes('said while Ink loads'));
    t.stdin.write('q');
    expect(await done).toBe(0);
    expect(engine.listenerCount('notice')).toBe(0);
  });

  it('leaves the alternate screen and reports the error when rendering crashes', async () => {
    const engine = new FakeEngine([makeEntry()]);
    engine.entry = () => {
      throw new Error('boom');
    };
    const t = tty();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: t.out, exitProcess: () => {} })).toBe(1);
    expect(t.stdout.frames.join('').endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(stderr.join('')).toMatch(/sudo-proxy-audit: the viewer crashed: Error: boom/);
  });
  it('exits on a hang-up while Ink loads, though the gone terminal refuses every mode change', async () => {
    // tmux killed ~0.6 s after `npm start`: SIGHUP came while Ink loaded, setRawMode(false) threw
    // EIO inside the way out, and the process (viewer and demo daemon) lived on for good.
    const engine = new FakeEngine([makeEntry({ session: 'pre-hup' })]);
    const t = tty();
    const hupListeners = process.listenerCount('SIGHUP');
    const { release, done } = runHeldViewer(engine, t, () => {});
    let settled: number | undefined;
    void done.then((code) => (settled = code));
    await waitFor(() => t.stdout.frames.join('').includes('pre-hup'));
    vi.spyOn(t.stdin, 'setRawMode').mockImplementation(() => {
      throw Object.assign(new Error('setRawMode EIO'), { code: 'EIO' });
    });
    process.emit('SIGHUP', 'SIGHUP');
    release();
    await waitFor(() => settled !== undefined);
    expect(settled).toBe(129);
    expect(engine.listenerCount('change')).toBe(0);
    expect(process.listenerCount('SIGHUP')).toBe(hupListeners);
  });

  it('takes EIO from the terminal as a hang-up: exit 129, nothing said, the engine let go', async () => {
    const engine = new FakeEngine([makeEntry({ session: 'pre-eio' })]);
    const t = tty();
    const done = runViewer({ files: [], follow: true, engine, stdin: t.in, stdout: t.out, exitProcess: () => {} });
    await waitFor(() => t.stdout.frames.join('').includes('pre-eio') && t.stdin.listenerCount('readable') > 0);
    t.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
    expect(await done).toBe(129);
    expect(engine.listenerCount('change')).toBe(0);
    expect(stderr.join('')).toBe('');
    // A write still in flight fails later: still taken, not thrown as an unhandled 'error'.
    expect(t.stdout.listenerCount('error')).toBe(1);
    t.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
  });
});

describe('TerminalSession', () => {
  it('enters once and restores once, whatever calls it', () => {
    const out = new FakeStdout(80, 24);
    const session = new TerminalSession(out as unknown as NodeJS.WritableStream);
    session.restore();
    expect(out.frames).toEqual([]);
    session.enter();
    session.enter();
    session.clear();
    session.restore();
    session.restore();
    session.clear();
    expect(out.frames).toHaveLength(3);
    expect(out.frames[0]).toContain(ENTER_ALT_SCREEN);
    expect(out.frames[2]).toMatch(/\u001b\[\?25h.*\u001b\[\?1049l$/);
    expect(session.isActive()).toBe(false);
  });
});
