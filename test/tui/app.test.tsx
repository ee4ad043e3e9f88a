import './tz.js';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/shared/entry.js';
import { BASE_MS, entryInState, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { HOSTILE, RAW_CONTROL } from './hostile.js';
import { KEY, renderViewer, type Viewer } from './render.js';

const STATES = ['ok', 'failed', 'denied', 'running', 'timeout', 'rejected'] as const;
/** n entries a minute apart from 08:00 UTC, cycling through the states. */
const day = (n: number, from = 0): Entry[] =>
  Array.from({ length: n }, (_, i) => entryInState(STATES[(from + i) % STATES.length], { timeMs: BASE_MS + (from + i) * 60_000 }));

let viewer: Viewer | null = null;
afterEach(() => {
  viewer?.unmount();
  viewer = null;
});

async function open(entries: Entry[], options: Parameters<typeof renderViewer>[1] = {}, engine = new FakeEngine(entries)) {
  viewer = renderViewer(engine, options);
  await viewer.ready();
  return { v: viewer, engine };
}

const selected = (v: Viewer) => v.lines().find((l) => l.startsWith('›')) ?? '';
const header = (v: Viewer) => v.lines()[0];
const footer = (v: Viewer) => v.lines().at(-1) ?? '';

describe('the screen', () => {
  it('fills 80×24 minus one line: header, column titles, newest rows, footer', async () => {
    const { v } = await open(day(100));
    const lines = v.lines();
    expect(lines).toHaveLength(23);
    expect(lines[0]).toBe('sudo-proxy-audit  audit.log  ● live  UTC');
    expect(lines[1]).toBe('▶ 17 running ✓ 17 ok ✗ 17 failed ⊘ 17 denied ◷ 16 timeout ⊗ 16 rejected Σ 100');
    expect(lines[3]).toMatch(/^ {2}TIME +HOST +SESSION +STATE +COMMAND +EXIT +TOOK$/);
    expect(lines[4]).toMatch(/^ {2}09:22:00 /);
    expect(lines[21]).toMatch(/^› 09:39:00 web-01 +claude-7f… ▶ running +# apt-get install -y n… - +2h20m…$/);
    expect(lines[22]).toMatch(/^\? help .* q quit +log order · 100\/100$/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
  });

  it('uses 160 columns for every column', async () => {
    const { v } = await open(day(30), { columns: 160, rows: 40 });
    expect(v.lines()).toHaveLength(39);
    expect(v.lines()[3]).toMatch(/^ {2}TIME +HOST +SESSION +STATE +WAIT COMMAND +EXIT +TOOK +OUT$/);
    expect(v.frame()).toMatch(/✗ failed +4\.2s # journalctl -u ssh \| tail -50 +0\|1 +25s +1\.9M\+/);
  });

  it('follows a resize, always one line shorter than the terminal', async () => {
    const { v } = await open(day(100));
    await v.resize(160, 30);
    expect(v.lines()).toHaveLength(29);
    expect(v.lines()[3]).toContain('OUT');
    await v.resize(60, 15);
    expect(v.lines()).toHaveLength(14);
    for (const line of v.lines()) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(selected(v)).toMatch(/^› 09:39:00/);
    await v.resize(30, 6);
    expect(v.frame()).toBe('too small (30×6): need 40×8');
  });

  it('shows dates when the log is not from today', async () => {
    const { v } = await open(day(3), { now: BASE_MS + 3 * 86_400_000 });
    expect(selected(v)).toMatch(/^› 11-26 08:02:00 /);
  });

  it('escapes hostile strings everywhere on screen', async () => {
    const hostile = Object.values(HOSTILE).map((s) =>
      makeEntry({ host: s, session: s, pipeline: [['sh', '-c', s]], reason: s, id: s, envKeys: [s], error: s, status: 'error' }),
    );
    const { v } = await open(hostile, { columns: 160, rows: 40 });
    expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
    expect(v.frame()).toContain("sh -c $'\\e[2J\\e[31mred'");
    for (let i = 0; i < hostile.length; i++) {
      await v.press(KEY.enter);
      expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
      await v.press(KEY.escape, 'k');
    }
    await v.press('/', ...HOSTILE.csi, KEY.enter);
    expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
  });

  it('shows a response landing on a running entry, and running durations advancing', async () => {
    const running = entryInState('running', { timeMs: BASE_MS, latencyMs: 0 });
    const { v, engine } = await open([running], { now: BASE_MS + 42_000 });
    expect(selected(v)).toMatch(/▶ running .* 42s…$/);
    v.setNow(BASE_MS + 43_000);
    await v.act(() => v.store.tick());
    expect(selected(v)).toMatch(/ 43s…$/);
    await v.act(() => engine.update(0, { state: 'ok', stages: [{ exitCode: 0, stderrLen: 0, stderrTruncated: false }], durationMs: 43_100, status: 'ok' }));
    expect(selected(v)).toMatch(/✓ ok .* 0 +43s$/);
  });
});

describe('follow and pause', () => {
  it('keeps the newest entry in view as entries arrive', async () => {
    const { v, engine } = await open(day(40));
    await v.act(() => engine.append(...day(2, 40)));
    expect(selected(v)).toMatch(/^› 08:41:00/);
    expect(footer(v)).toMatch(/42\/42$/);
  });

  it('pauses when scrolled up, counts "N new", and follows again with F, End or G', async () => {
    const { v, engine } = await open(day(40));
    await v.press('k');
    expect(header(v)).toContain('‖ paused');
    await v.act(() => engine.append(...day(3, 40)));
    expect(header(v)).toContain('‖ paused · 3 new');
    expect(footer(v)).toMatch(/^↓ 3 new · F or End to follow/);
    expect(selected(v)).toMatch(/^› 08:38:00/);
    for (const key of ['F', KEY.end, 'G']) {
      await v.press('k');
      await v.act(() => engine.append(...day(1, 50)));
      await v.press(key);
      expect(header(v)).toContain('● live');
      expect(selected(v)).toMatch(/^› 08:50:00/);
    }
  });

  it('shows the newest rows while history is indexed, with a progress bar, and keeps a paused selection on its entry', async () => {
    const engine = new FakeEngine(day(10, 90), { progress: { bytesDone: 100, bytesTotal: 1_000, done: false } });
    const { v } = await open([], {}, engine);
    expect(v.lines()[21]).toMatch(/^indexing history █+░+ 10% {2}100B of 1000B$/);
    expect(selected(v)).toMatch(/^› 09:39:00/);
    await v.press('k', 'k');
    await v.act(() => {
      engine.prepend(...day(90));
      engine.setProgress({ bytesDone: 1_000, bytesTotal: 1_000, done: true });
    });
    expect(selected(v)).toMatch(/^› 09:37:00/);
    expect(v.frame()).not.toContain('indexing');
    expect(footer(v)).toMatch(/98\/100$/);
  });
});

describe('keys', () => {
  it('j/k and the arrows move one row; g/G and Home go to the ends', async () => {
    const { v } = await open(day(100));
    await v.press('k', KEY.up);
    expect(selected(v)).toMatch(/^› 09:37:00/);
    await v.press('j', KEY.down);
    expect(selected(v)).toMatch(/^› 09:39:00/);
    await v.press('g');
    expect(selected(v)).toMatch(/^› 08:00:00/);
    expect(v.lines()[4]).toMatch(/^› 08:00:00/);
    await v.press('G');
    expect(selected(v)).toMatch(/^› 09:39:00/);
    await v.press(KEY.home);
    expect(selected(v)).toMatch(/^› 08:00:00/);
  });

  it('PgDn/PgUp, space/b and Ctrl-D/Ctrl-U page', async () => {
    const { v } = await open(day(100));
    await v.press('g', KEY.pageDown);
    expect(v.lines()[4]).toMatch(/^› 08:18:00/);
    await v.press(' ');
    expect(v.lines()[4]).toMatch(/^› 08:36:00/);
    await v.press(KEY.pageUp, 'b');
    expect(v.lines()[4]).toMatch(/^› 08:00:00/);
    await v.press(KEY.ctrlD);
    expect(selected(v)).toMatch(/^› 08:09:00/);
    await v.press(KEY.ctrlU);
    expect(selected(v)).toMatch(/^› 08:00:00/);
  });

  it('Enter opens the details of the selected entry; [ ] step; j scrolls; Esc goes back', async () => {
    const { v } = await open(day(12));
    await v.press('k', KEY.enter);
    expect(v.lines()[3]).toMatch(/^◷ timeout {2}# 00000000-/);
    expect(v.frame()).toContain('decision    nobody answered the prompt (gave up after 1m00s)');
    expect(footer(v)).toMatch(/^j\/k scroll {2}\[ \] previous\/next {2}Esc back/);
    await v.press('[');
    expect(v.lines()[3]).toMatch(/^▶ running/);
    await v.press(']', ']');
    expect(v.lines()[3]).toMatch(/^⊗ rejected/);
    await v.press('j');
    expect(v.lines()[3]).toBe('');
    await v.press(KEY.escape);
    expect(selected(v)).toMatch(/⊗ rejected/);
    expect(header(v)).toContain('‖ paused');
  });

  it('Esc from details opened while following goes back to following', async () => {
    const { v, engine } = await open(day(12));
    await v.press(KEY.enter);
    await v.act(() => engine.append(...day(2, 12)));
    expect(v.lines()[3]).toMatch(/^⊗ rejected/);
    await v.press(KEY.escape);
    expect(header(v)).toContain('● live');
    expect(selected(v)).toMatch(/^› 08:13:00/);
  });

  it('reads Esc and a key that arrive together as Esc, then the key, for / and ? as for letters', async () => {
    const { v } = await open(day(12));
    await v.press(KEY.enter, `${KEY.escape}/`);
    expect(footer(v)).toMatch(/^\/█/);
    expect(v.frame()).not.toContain('decision ');
    await v.press(KEY.escape, KEY.enter, `${KEY.escape}?`);
    expect(v.frame()).toContain('G  F  End');
  });

  it('/ searches command and reason, n and N step through matches', async () => {
    const entries = day(30).map((e, i) => (i % 10 === 3 ? { ...e, reason: `rotate the zebra log ${i}` } : e));
    const { v } = await open(entries);
    await v.press('/');
    expect(footer(v)).toMatch(/^\/█/);
    await v.type('ZEBRA');
    await v.press(KEY.enter);
    expect(footer(v)).toMatch(/^3 matches \(n newer, N older\)/);
    expect(selected(v)).toMatch(/^› 08:23:00/);
    expect(header(v)).toContain('/ZEBRA');
    await v.press('N');
    expect(selected(v)).toMatch(/^› 08:13:00/);
    await v.press('N', 'N');
    expect(selected(v)).toMatch(/^› 08:23:00/);
    expect(footer(v)).toMatch(/^search hit TOP, continuing at BOTTOM/);
    await v.press('n');
    expect(selected(v)).toMatch(/^› 08:03:00/);
    await v.press('/', ...'nothing-like-this', KEY.enter);
    expect(footer(v)).toMatch(/^not found: nothing-like-this/);
  });

  it('/ finds resolved paths, errors and a part of an id (#16)', async () => {
    const entries = day(30).map((e, i) =>
      i === 4 ? { ...e, resolved: ['/opt/zebra/bin/tool'] } : i === 7 ? { ...e, error: 'spawn EACCES zebra-denied' } : i === 12 ? { ...e, requestError: 'not in the zebra list' } : i === 20 ? { ...e, id: '0d3e92bcb9bb-4c51' } : e,
    );
    const { v } = await open(entries);
    await v.press('/', ...'opt/zebra/bin', KEY.enter);
    expect(footer(v)).toMatch(/^1 match/);
    expect(selected(v)).toMatch(/^› 08:04:00/);
    await v.press('/', ...'ZEBRA', KEY.enter);
    expect(footer(v)).toMatch(/^3 matches/);
    await v.press('/', ...'92bcb9bb', KEY.enter);
    expect(footer(v)).toMatch(/^1 match/);
    expect(selected(v)).toMatch(/^› 08:20:00/);
  });

  it('f cycles the state filter', async () => {
    const { v } = await open(day(60));
    const states = () => new Set(v.lines().slice(4, 22).map((l) => l.slice(31, 41).trim()).filter(Boolean));
    await v.press('f');
    expect(header(v)).toMatch(/filter: denied\+timeout$/);
    expect(states()).toEqual(new Set(['⊘ denied', '◷ timeout']));
    expect(v.lines()[1]).toMatch(/Σ 20 of 60$/);
    expect(footer(v)).toMatch(/20\/20 of 60$/);
    await v.press('f');
    expect(states()).toEqual(new Set(['✗ failed']));
    await v.press('f');
    expect(states()).toEqual(new Set(['▶ running']));
    await v.press('f');
    expect(states()).toEqual(new Set(['⊗ rejected']));
    await v.press('f');
    expect(states()).toEqual(new Set(['✓ ok']));
    await v.press('f');
    expect(header(v)).toMatch(/filter: problems$/);
    expect(states()).toEqual(new Set(['✗ failed', '⊘ denied', '◷ timeout', '⊗ rejected']));
    await v.press('f');
    expect(header(v)).toMatch(/filter: security$/);
    expect([...states()].filter((s) => /^[✓✗⊘◷⊗▶] /.test(s))).toEqual([]); // no replay among these: no entry rows
    await v.press('f');
    expect(header(v)).not.toContain('filter');
  });

  it('h filters by host (the selected one as the hint, Tab completes), s by session, c clears', async () => {
    const entries = day(30).map((e, i) => ({ ...e, host: ['web-01', 'web-02', ''][i % 3], session: ['ssh:alice', 'ssh:bob'][i % 2] }));
    const { v } = await open(entries);
    await v.press('k', 'h');
    expect(footer(v)).toMatch(/^host: █web-02 +Enter takes it/);
    await v.press(KEY.ctrlU, 'w', KEY.tab);
    expect(footer(v)).toMatch(/^host: web-0[12]█/);
    await v.press(KEY.ctrlU, ...'(local)', KEY.enter);
    expect(header(v)).toMatch(/filter: host \(local\)$/);
    expect(footer(v)).toMatch(/10\/10 of 30$/);
    await v.press('s', KEY.ctrlU, ...'ssh:bob', KEY.enter);
    expect(header(v)).toMatch(/filter: host \(local\) · session ssh:bob$/);
    expect(footer(v)).toMatch(/5\/5 of 30$/);
    await v.press('c');
    expect(header(v)).not.toContain('filter');
    expect(footer(v)).toMatch(/30\/30$/);
  });

  it('t filters by a time range and explains a bad one', async () => {
    const { v } = await open(day(60), { now: BASE_MS + 60 * 60_000 });
    await v.press('t', ...'10m', KEY.enter);
    expect(header(v)).toMatch(/filter: time 10m$/);
    expect(footer(v)).toMatch(/10\/10 of 60$/);
    await v.press('t', KEY.ctrlU, ...'08:00..08:05', KEY.enter);
    expect(footer(v)).toMatch(/5\/5 of 60$/);
    await v.press('t', KEY.ctrlU, ...'whenever', KEY.enter);
    expect(footer(v)).toMatch(/^'whenever' is not a time/);
    await v.press(KEY.escape);
    expect(footer(v)).toMatch(/^\? help/);
  });

  it('? shows every key and Esc closes it', async () => {
    const { v } = await open(day(5), { rows: 40 });
    await v.press('?');
    expect(v.frame()).toMatch(/f {20}cycle states: all, denied\+timeout, failed, running,\n {23}rejected, ok, problems \(all but ok and running\)/);
    expect(v.frame()).toContain('G  F  End');
    await v.press(KEY.escape);
    expect(v.frame()).toContain('TIME');
  });

  it('m lists malformed lines, which the header counts', async () => {
    const engine = new FakeEngine(day(5));
    engine.addMalformed({ file: '/var/log/sudo-proxy/audit.log', line: 7, offset: 900, reason: 'not JSON' });
    const { v } = await open([], {}, engine);
    expect(v.lines()[2]).toContain('1 malformed (m)');
    await v.press('m');
    expect(v.lines()[3]).toBe('Not vouched for: 1 malformed line  (Enter: go to its row)');
    expect(v.lines()[4]).toBe('› ? malformed    audit.log:7  not JSON');
    await v.press('q');
    expect(v.frame()).toContain('TIME');
  });

  it('q quits, and so does Ctrl-C', async () => {
    for (const key of ['q', KEY.ctrlC]) {
      const { v } = await open(day(3));
      const exited = v.instance.waitUntilExit();
      await v.press(key);
      await expect(exited).resolves.toBeUndefined();
      viewer = null;
    }
  });

  it('reads keys typed faster than they are read, like a held j', async () => {
    const { v } = await open(day(100));
    await v.press('g', 'jjjjj');
    expect(selected(v)).toMatch(/^› 08:05:00/);
  });
});

describe('rows stamped out of order', () => {
  it('a row stamped earlier than the one above gets ↑ in the gutter, and the footer says why when it is selected', async () => {
    // Log order: 08:00, 08:02, 08:01 (logged late: it waited), 08:03.
    const times = [0, 2, 1, 3].map((m) => BASE_MS + m * 60_000);
    const { v } = await open(times.map((timeMs) => entryInState('ok', { timeMs })));
    const rows = v.lines().filter((l) => /^[›\s][\s↑]\d\d:\d\d:\d\d/.test(l));
    expect(rows.map((l) => l.slice(0, 10))).toEqual(['  08:00:00', '  08:02:00', ' ↑08:01:00', '› 08:03:00']);
    expect(footer(v)).toMatch(/^\? help/);
    await v.press('k');
    expect(selected(v)).toMatch(/^›↑08:01:00/);
    expect(footer(v)).toMatch(/^↑ stamped before the row above: rows are in log order/);
    await v.press('k');
    expect(footer(v)).toMatch(/^\? help/);
  });
});
