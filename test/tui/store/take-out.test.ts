import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryJson } from '../../../src/cli/commands/entry-json.js';
import { jsonForTerminal } from '../../../src/shared/sanitize.js';
import { NO_FILTER } from '../../../src/tui/store/filters.js';
import { type KeyInfo, NO_KEY } from '../../../src/tui/store/keymap.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { COPY_MAX_CHARS, osc52, printCommandLine } from '../../../src/tui/take-out.js';
import { BASE_MS, entryInState, makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';

const ENTER: KeyInfo = { ...NO_KEY, return: true };
const ESC: KeyInfo = { ...NO_KEY, escape: true };

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'take-out-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(entries = [entryInState('ok'), entryInState('failed'), entryInState('ok'), entryInState('failed')]) {
  const engine = new FakeEngine(entries, { files: ['/var/log/it\'s here/audit.log'] });
  const copied: string[] = [];
  const store = new ViewerStore({
    engine,
    live: true,
    size: { columns: 160, rows: 24 },
    now: () => BASE_MS,
    terminal: { copy: (text) => copied.push(text), inTmux: false },
    entryJson,
    printInputs: engine.files,
  });
  const type = (text: string) => store.press(text, NO_KEY);
  return { engine, store, copied, type };
}

/** Decodes an OSC 52 sequence's payload. */
const decoded = (seq: string) => Buffer.from(/^\u001b\]52;c;([A-Za-z0-9+/=]*)\u0007$/.exec(seq)?.[1] ?? '!', 'base64').toString('utf8');

describe('y and Y copy through OSC 52', () => {
  it('y copies the selected entry\'s id, Y its command, and the footer says the terminal may not support it', () => {
    const { store, copied, type } = setup([makeEntry({ id: 'abc123', pipeline: [['systemctl', 'restart', 'nginx']] })]);
    type('y');
    expect(copied).toEqual(['abc123']);
    expect(store.getState().message?.text).toMatch(/^copied the id abc123 \(OSC 52: .*may not support it/);
    type('Y');
    expect(copied[1]).toBe('systemctl restart nginx');
    expect(store.getState().message?.text).toMatch(/^copied the command, 23 characters, \(OSC 52/);
  });

  it('copies a hostile command as the screen shows it: escaped, no control character reaches the clipboard', () => {
    const { copied, type } = setup([makeEntry({ id: `id${HOSTILE.csi}`, pipeline: [Object.values(HOSTILE)] })]);
    type('y');
    type('Y');
    expect(copied).toHaveLength(2);
    for (const text of copied) expect(text).not.toMatch(RAW_CONTROL);
    expect(copied[0]).toContain('\\e[2J');
  });

  it('the OSC 52 bytes: ESC ] 52 ; c ; base64 BEL, and nothing else can end or break out of it', () => {
    const seq = osc52('echo \\e]52;c;evil\\a done ✓');
    expect(seq.startsWith('\u001b]52;c;')).toBe(true);
    expect(seq.endsWith('\u0007')).toBe(true);
    expect(seq.slice(1, -1)).not.toMatch(RAW_CONTROL);
    expect(decoded(seq)).toBe('echo \\e]52;c;evil\\a done ✓');
    // A control character handed over anyway is escaped before it is encoded.
    expect(decoded(osc52('a\u0007b\u001b'))).toBe('a\\x07b\\e');
  });

  it('a giant command (many stages, each under the cap): the clipboard gets the first COPY_MAX_CHARS, and the footer says so', () => {
    const stages = Array.from({ length: 20 }, (_, i) => [`s${i}`, 'x'.repeat(10_000)]);
    const { store, copied, type } = setup([makeEntry({ id: 'big', pipeline: stages })]);
    type('Y');
    const sent = decoded(osc52(copied[0]));
    expect(sent.startsWith('s0 xxx')).toBe(true);
    expect(sent.length).toBeLessThan(COPY_MAX_CHARS + 30);
    const whole = 10 * 2 + 10 * 3 + 20 * 10_001 + 19 * 3; // s0…s9, s10…s19, " x…" each, " | " between
    expect(store.getState().message?.text).toMatch(new RegExp(`^copied the command's first ${COPY_MAX_CHARS} of ${whole} characters \\(OSC 52`));
  });

  it('says so when a writer row, not an entry, is selected, and copies nothing', () => {
    const { store, copied, type } = setup([]);
    type('y');
    expect(copied).toEqual([]);
    expect(store.getState().message?.text).toMatch(/no entry selected/);
  });
});

describe('w writes the filtered entries as JSONL', () => {
  it('writes the entries of the current filter, the same objects as print --json, and shows the print command', () => {
    const { engine, store, type } = setup();
    type('f');
    type('f');
    expect(store.getState().filter.preset).toBe(2); // failed
    const file = path.join(dir, 'out.jsonl');
    type('w');
    expect(store.getState().prompt?.kind).toBe('export');
    type(file);
    store.press('', ENTER);
    const want = [1, 3].map((i) => `${jsonForTerminal(entryJson(engine.entry(i)))}\n`).join('');
    expect(fs.readFileSync(file, 'utf8')).toBe(want);
    const message = store.getState().message?.text ?? '';
    expect(message).toBe(`wrote 2 entries, as: sudo-proxy-audit print --json --state failed '/var/log/it'\\''s here/audit.log' > ${file}`);
  });

  it('refuses to overwrite a file without a y, and leaves it as it was on anything else', () => {
    const { store, type } = setup();
    const file = path.join(dir, 'kept.jsonl');
    fs.writeFileSync(file, 'precious\n');
    type('w');
    type(file);
    store.press('', ENTER);
    expect(store.getState().prompt).toMatchObject({ kind: 'overwrite' });
    store.press('', ESC);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious\n');
    type('w');
    type(file);
    store.press('', ENTER);
    type('n');
    store.press('', ENTER);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious\n');
    expect(store.getState().message?.text).toMatch(/not written/);
    type('w');
    type(file);
    store.press('', ENTER);
    type('y');
    store.press('', ENTER);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(5);
  });

  it('overwrites only a regular file of ours: a FIFO at the name neither blocks the viewer nor gets the records, a symlink is not followed', () => {
    const { store, type } = setup();
    const overwrite = (file: string) => {
      type('w');
      type(file);
      store.press('', ENTER);
      expect(store.getState().prompt).toMatchObject({ kind: 'overwrite' });
      type('y');
      store.press('', ENTER);
      return store.getState().message;
    };
    const fifo = path.join(dir, 'out.jsonl');
    execFileSync('mkfifo', [fifo]);
    // A reader holds it open (so that even a blocking open for writing returns at once).
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      expect(overwrite(fifo)).toMatchObject({ tone: 'error', text: expect.stringMatching(/^cannot write .*out\.jsonl: not a regular file/) });
      expect(fs.readSync(reader, Buffer.alloc(64))).toBe(0); // nothing was sent into it
    } finally {
      fs.closeSync(reader);
    }
    // No reader: an open for writing would wait for one forever, with the viewer frozen.
    expect(overwrite(fifo)).toMatchObject({ tone: 'error', text: expect.stringMatching(/not a regular file/) });
    const target = path.join(dir, 'precious');
    fs.writeFileSync(target, 'precious\n');
    const link = path.join(dir, 'link.jsonl');
    fs.symlinkSync(target, link);
    expect(overwrite(link)).toMatchObject({ tone: 'error', text: expect.stringMatching(/a symbolic link, not followed/) });
    expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    if (process.getuid?.() === 0) {
      // Someone else's file would hand them the records, whatever its mode.
      fs.chownSync(target, 4321, 4321);
      expect(overwrite(target)).toMatchObject({ tone: 'error', text: expect.stringMatching(/owned by uid 4321/) });
      expect(fs.readFileSync(target, 'utf8')).toBe('precious\n');
    }
  });

  it('shows an error escaped in the footer and writes nothing', () => {
    const { store, type } = setup();
    const file = path.join(dir, 'no\u001b[2Jdir', 'out.jsonl');
    type('w');
    store.press(file, NO_KEY);
    // Control characters typed are dropped by the prompt; the error still names the path escaped.
    store.press('', ENTER);
    const message = store.getState().message;
    expect(message?.tone).toBe('error');
    expect(message?.text).toMatch(/^cannot write/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('the print command line for the current filter', () => {
  it('names every part of the filter, quoted for a shell, with absolute times', () => {
    const line = printCommandLine(
      { ...NO_FILTER, preset: 6, host: '', session: "o'brien", time: { label: '2h', sinceMs: BASE_MS, untilMs: BASE_MS + 60_000 } },
      ['/var/log/audit.log'],
      '/tmp/x y.jsonl',
    );
    expect(line).toBe(
      "sudo-proxy-audit print --json --state failed,denied,timeout,rejected --host '' --session 'o'\\''brien' --since 2026-11-26T08:00:00.000Z --until 2026-11-26T08:01:00.000Z /var/log/audit.log > '/tmp/x y.jsonl'",
    );
    expect(printCommandLine(NO_FILTER, [], 'a')).toBe('sudo-proxy-audit print --json > a');
  });
});

describe('Ctrl-Z', () => {
  it('hands the terminal to the viewer\'s suspend, from the table, a pane or a prompt', () => {
    const engine = new FakeEngine([entryInState('ok')]);
    let suspended = 0;
    const store = new ViewerStore({ engine, live: true, size: { columns: 80, rows: 24 }, now: () => BASE_MS, suspend: () => suspended++ });
    const ctrlZ: KeyInfo = { ...NO_KEY, ctrl: true };
    store.press('z', ctrlZ);
    store.press('?', NO_KEY);
    store.press('z', ctrlZ);
    store.press('', ESC);
    store.press('/', NO_KEY);
    store.press('z', ctrlZ);
    expect(suspended).toBe(3);
    // Back from fg: a redraw is a new state, so the screen is drawn again.
    const before = store.getState();
    store.dispatch({ type: 'redraw' });
    expect(store.getState()).not.toBe(before);
  });

  it('says it cannot suspend without a terminal to give back', () => {
    const store = new ViewerStore({ engine: new FakeEngine([entryInState('ok')]), live: true, size: { columns: 80, rows: 24 }, now: () => BASE_MS });
    store.press('z', { ...NO_KEY, ctrl: true });
    expect(store.getState().message?.text).toMatch(/cannot suspend/);
  });
});
