/**
 * Integrity in plain sight (issue #13), through the whole viewer over a fake engine that checks
 * the chain: the header badge, break and writer rows among the entries, `w` hiding writer rows,
 * Enter on a row, and the `m` list whose Enter goes to the row.
 */
import './tz.js';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { ChainBreakSeen, ChainStatus, Entry, WriterEvent } from '../../src/shared/entry.js';
import { BASE_MS, entryInState, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { HOSTILE, RAW_CONTROL } from './hostile.js';
import { KEY, type Viewer, viewerPerTest } from './render.js';
import { createTheme } from '../../src/tui/theme.js';

const FILE = '/var/log/sudo-proxy/audit.log';

/** n ok entries a minute apart from 08:00 UTC. */
const day = (n: number): Entry[] => Array.from({ length: n }, (_, i) => makeEntry({ timeMs: BASE_MS + i * 60_000 }));

const intact = (checked: number, extra: Partial<ChainStatus> = {}): ChainStatus => ({
  state: 'intact',
  checked,
  total: checked,
  unchained: 0,
  unchecked: 0,
  breaks: [],
  breakCount: 0,
  ...extra,
});

function brk(entryKey: number, extra: Partial<ChainBreakSeen> = {}): ChainBreakSeen {
  return { kind: 'modified', file: FILE, line: 41, message: 'line 41 does not match the hash line 42 recorded', origin: '', entryKey, ...extra };
}

function writer(event: WriterEvent['event'], position: number, extra: Partial<WriterEvent> = {}): WriterEvent {
  return {
    event,
    time: new Date(BASE_MS + position * 60_000 - 30_000).toISOString(),
    pid: 4242,
    dropped: 0,
    error: null,
    location: { file: FILE, line: 10 + position, offset: 1_000 + position, length: 80, seq: position },
    position,
    ...extra,
  };
}

const open = viewerPerTest();

const header = (v: Viewer) => v.lines()[0];
const selected = (v: Viewer) => v.lines().find((l) => l.startsWith('›')) ?? '';
const rowsOf = (v: Viewer) => v.lines().slice(4, -1);

describe('the chain badge', () => {
  it('is absent when the engine does not check the chain', async () => {
    const v = await open(new FakeEngine(day(5)));
    expect(header(v)).toBe('sudo-proxy-audit  audit.log  ● live  UTC');
  });

  it('says how far the check is, then that the chain is verified', async () => {
    const engine = new FakeEngine(day(5), { chain: { ...intact(0), state: 'checking', total: 10_000 } });
    const v = await open(engine);
    expect(header(v)).toBe('sudo-proxy-audit  audit.log  ● live  … chain checking 0/10,000  UTC');
    await v.act(() => engine.setChain({ ...intact(4_000), state: 'checking', total: 10_000 }));
    expect(header(v)).toContain('… chain checking 4,000/10,000');
    await v.act(() => engine.setChain(intact(10_000)));
    expect(header(v)).toBe('sudo-proxy-audit  audit.log  ● live  ✓ chain verified through 10,000 records');
  });

  it('turns BROKEN at once on a break, with its kind and file:line', async () => {
    const entries = day(20);
    const engine = new FakeEngine(entries, { chain: intact(40) });
    const v = await open(engine);
    await v.act(() => engine.setChain({ ...intact(40), state: 'broken', breaks: [brk(entries[10].key)], breakCount: 1 }));
    expect(header(v)).toBe('sudo-proxy-audit  audit.log  ● live  ✗ chain BROKEN: modified at audit.log:41');
    await v.act(() => engine.setChain({ ...intact(40), state: 'broken', breaks: [brk(entries[10].key), brk(entries[12].key, { line: 50 })], breakCount: 3 }));
    expect(header(v)).toContain('✗ BROKEN modified audit.log:41 +2');
    await v.resize(120, 24);
    expect(header(v)).toContain('✗ chain BROKEN: modified at audit.log:41 (+2 more)');
  });

  it('names the host of a collector directory, escaped', async () => {
    const entries = day(5);
    const host = HOSTILE.csi;
    const engine = new FakeEngine(entries, { chain: { ...intact(10), state: 'broken', breaks: [brk(entries[2].key, { origin: host, file: `/c/${host}/audit.log` })], breakCount: 1 } });
    const v = await open(engine, { columns: 160 });
    expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
    expect(header(v)).toMatch(/✗ chain BROKEN: modified at \S.* audit\.log:41/);
  });

  it('counts records outside the chain', async () => {
    const v = await open(new FakeEngine(day(5), { chain: intact(8, { unchained: 2 }) }), { columns: 120 });
    expect(header(v)).toContain('✓ chain verified through 8 records · ⚠ 2 unchained');
    const w = await open(new FakeEngine(day(5), { chain: intact(0, { unchained: 10 }) }));
    expect(header(w)).toContain('⚠ 10 unchained records (no chain)');
  });

  it("counts a collected host's records the check could not link, beside the ✓ (it does not cover them)", async () => {
    const v = await open(new FakeEngine(day(5), { chain: intact(8, { unchecked: 3 }) }), { columns: 120 });
    expect(header(v)).toContain('✓ chain verified through 8 records · ⚠ 3 not checked');
    await v.press('m');
    const lines = v.lines();
    expect(lines[3]).toBe('Not vouched for: 3 records not checked  (Enter: go to its row)');
    expect(lines[4]).toBe('› ⚠ not checked  3 chained records arrived after their turn: not linked here (`verify DIR` checks them)');
    // A fleet's: the hosts first, their names escaped.
    const fleet = await open(new FakeEngine(day(5), { chain: intact(8, { unchecked: 3, uncheckedIn: [{ origin: 'db\u001b[31m', count: 2 }, { origin: 'web', count: 1 }] }) }), { columns: 160 });
    await fleet.press('m');
    expect(fleet.rawFrame()).not.toMatch(RAW_CONTROL);
    expect(fleet.lines()[4]).toBe('› ⚠ not checked  db\\e[31m 2, web 1: 3 chained records arrived after their turn: not linked here (`verify DIR` checks them)');
  });

  it('stays on the title line at 40 columns, shortened, with the file name dropped first', async () => {
    const entries = day(5);
    const engine = new FakeEngine(entries, { chain: { ...intact(10), state: 'broken', breaks: [brk(entries[2].key)], breakCount: 1 } });
    const v = await open(engine, { columns: 40, rows: 12 });
    expect(header(v)).toBe('sudo-proxy-audit  ● live  ✗ BROKEN');
    for (const line of v.lines()) expect(stringWidth(line)).toBeLessThanOrEqual(40);
  });

  it('reads without colour: words and symbols', async () => {
    const entries = day(5);
    const engine = new FakeEngine(entries, { chain: { ...intact(10), state: 'broken', breaks: [brk(entries[2].key)], breakCount: 1 } });
    const v = await open(engine, { theme: createTheme(false) });
    expect(v.rawFrame()).not.toMatch(/\u001b\[(?:3[0-7]|9[0-7])m/);
    expect(header(v)).toContain('✗ chain BROKEN: modified');
    expect(v.frame()).toContain('━━ ✗ CHAIN BROKEN here: modified at audit.log:41');
  });
});

describe('rows among the entries', () => {
  it('puts a break before its entry and writer events where they were written, in log order', async () => {
    const entries = day(10);
    const engine = new FakeEngine(entries, {
      chain: { ...intact(20), state: 'broken', breaks: [brk(entries[6].key)], breakCount: 1 },
      writers: [writer('start', 0), writer('dropped', 3, { dropped: 5, error: 'ENOSPC: no space left on device', firstTime: '2026-11-26T08:02:10Z', lastTime: '2026-11-26T08:02:50Z' }), writer('stop', 10)],
    });
    const v = await open(engine, { columns: 100 });
    const rows = rowsOf(v).filter((l) => l.trim() !== '');
    expect(rows).toHaveLength(14);
    expect(rows[0]).toMatch(/^ {2}07:59:30 ┄┄ ▷ writer started · pid 4242 ┄+$/);
    expect(rows[1]).toMatch(/^ {2}08:00:00 /);
    expect(rows[4]).toMatch(/^ {2}08:02:30 ┄┄ ⚠ GAP 5 records dropped 08:02:10–08:02:50 · ENOSPC: no space left on device ┄+$/);
    expect(rows[5]).toMatch(/^ {2}08:03:00 /);
    expect(rows[8]).toMatch(/^ {10} ━━ ✗ CHAIN BROKEN here: modified at audit\.log:41 ━+$/);
    expect(rows[9]).toMatch(/^ {2}08:06:00 /);
    // Following: the newest row, the writer's stop, is selected.
    expect(rows[12]).toMatch(/^ {2}08:09:00 /);
    expect(rows[13]).toMatch(/^› 08:09:30 ┄┄ □ writer stopped · pid 4242 ┄+$/);
    for (const line of v.lines()) expect(stringWidth(line)).toBeLessThanOrEqual(100);
  });

  it('says "after a crash" on a start with no stop before it', async () => {
    const engine = new FakeEngine(day(4), { writers: [writer('start', 0), writer('start', 2, { pid: 4343, afterCrash: true })] });
    const v = await open(engine);
    expect(v.frame()).toContain('⚠ writer restarted after a crash · pid 4343');
  });

  it('shows a running entry its writer left behind as halted, not ticking', async () => {
    const running = entryInState('running', { timeMs: BASE_MS });
    const halted = entryInState('running', { timeMs: BASE_MS + 60_000, anomalies: ['interrupted'] });
    const engine = new FakeEngine([running, halted], { writers: [writer('stop', 2)] });
    const v = await open(engine);
    const rows = rowsOf(v);
    expect(rows[0]).toMatch(/▶ running .* 3h59m…$/);
    expect(rows[1]).toMatch(/↯ halted .* -$/);
    await v.press('k', KEY.enter);
    expect(v.frame()).toContain('↯ halted');
    await v.press('G');
    expect(v.frame()).toMatch(/halted +its writer stopped or crashed while it ran/);
  });

  it('moves over marks with j/k and shows a mark in the detail pane on Enter', async () => {
    const engine = new FakeEngine(day(4), { writers: [writer('dropped', 2, { dropped: 5, error: 'ENOSPC' })] });
    const v = await open(engine);
    await v.press('k');
    expect(selected(v)).toMatch(/^› 08:02:00 /);
    await v.press('k');
    expect(selected(v)).toMatch(/^› 08:01:30 ┄┄ ⚠ GAP 5 records dropped · ENOSPC/);
    await v.press(KEY.enter);
    expect(v.frame()).toContain('dropped     5 records');
    expect(v.frame()).toContain('error       ENOSPC');
    expect(v.frame()).toMatch(/record +\/var\/log\/sudo-proxy\/audit\.log:12/);
    await v.press(KEY.escape, 'k');
    expect(selected(v)).toMatch(/^› 08:01:00 /);
  });

  it('g selects the top row as G the bottom one, writer rows included, and Enter shows it (less, lnav)', async () => {
    const engine = new FakeEngine(day(4), { writers: [writer('start', 0), writer('stop', 4)] });
    const v = await open(engine);
    await v.press('g');
    expect(selected(v)).toMatch(/^› 07:59:30 ┄┄ ▷ writer started · pid 4242/);
    expect(v.lines().at(-1)).toMatch(/1\/4/);
    await v.press(KEY.enter);
    expect(v.frame()).toMatch(/record +\/var\/log\/sudo-proxy\/audit\.log:10/);
    // ] steps from the row to the oldest entry in the pane; Esc and j go on in the table.
    await v.press(']');
    expect(v.frame()).not.toMatch(/audit\.log:10\b/);
    await v.press(KEY.escape);
    expect(selected(v)).toMatch(/^› 08:00:00 /);
    await v.press('g', 'j');
    expect(selected(v)).toMatch(/^› 08:00:00 /);
    await v.press('G');
    expect(selected(v)).toMatch(/^› 08:03:30 ┄┄ □ writer stopped/);
  });

  it('w hides and shows writer rows; a break stays', async () => {
    const entries = day(6);
    const engine = new FakeEngine(entries, {
      chain: { ...intact(12), state: 'broken', breaks: [brk(entries[4].key)], breakCount: 1 },
      writers: [writer('start', 0), writer('stop', 6)],
    });
    const v = await open(engine);
    expect(v.frame()).toContain('writer started');
    await v.press('W');
    expect(v.frame()).not.toContain('writer started');
    expect(v.frame()).not.toContain('writer stopped');
    expect(v.frame()).toContain('CHAIN BROKEN here');
    expect(v.lines().at(-1)).toContain('writer rows hidden');
    await v.press('W');
    expect(v.frame()).toContain('writer started');
  });

  it('in a filtered view, places a mark before the first shown entry at or after it', async () => {
    const entries = [entryInState('ok'), entryInState('failed'), entryInState('ok'), entryInState('ok'), entryInState('failed')];
    const engine = new FakeEngine(entries, { writers: [writer('start', 2, { afterCrash: true })] });
    const v = await open(engine);
    await v.press('f', 'f');
    expect(v.lines()[0]).toContain('filter: failed');
    const rows = rowsOf(v).filter((l) => l.trim() !== '');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('✗ failed');
    expect(rows[1]).toContain('writer restarted after a crash');
    expect(rows[2]).toContain('✗ failed');
  });

  it('keeps the selection on its entry when older history with a writer start is prepended', async () => {
    const entries = day(30);
    const engine = new FakeEngine(entries, { writers: [writer('start', 10)] });
    const v = await open(engine);
    await v.press('g', 'j', 'j');
    const before = selected(v);
    await v.act(() => {
      engine.writers = engine.writers.map((w) => ({ ...w, position: (w.position ?? 0) + 3 }));
      engine.prepend(makeEntry({ timeMs: BASE_MS - 3_600_000 }), makeEntry({ timeMs: BASE_MS - 3_000_000 }), makeEntry({ timeMs: BASE_MS - 2_400_000 }));
    });
    expect(selected(v)).toBe(before);
    await v.press('g');
    const lines = v.lines();
    const at = lines.findIndex((l) => l.includes('writer started'));
    expect(lines[at + 1]).toMatch(/^ {2}08:10:00 /);
  });

  it('shows a writer stop that arrives after the entries (with no entry of its own)', async () => {
    const engine = new FakeEngine(day(3));
    const v = await open(engine);
    await v.act(() => engine.appendWriter(writer('stop', 3)));
    expect(v.frame()).toContain('□ writer stopped · pid 4242');
  });

  it('escapes what the writer recorded', async () => {
    const hostile = Object.values(HOSTILE);
    const engine = new FakeEngine(day(3), { writers: hostile.map((h, i) => writer('dropped', 1, { error: h, origin: h, firstTime: h, dropped: i + 1 })) });
    const v = await open(engine, { columns: 160, rows: 40 });
    expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
    for (let i = 0; i < hostile.length; i++) {
      await v.press('k', KEY.enter);
      expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
      await v.press(KEY.escape);
    }
  });
});

describe('the integrity list (m)', () => {
  it('lists breaks, gaps, crashes and malformed lines; Enter goes to the row', async () => {
    const entries = day(200);
    const engine = new FakeEngine(entries, {
      chain: { ...intact(400, { unchained: 3 }), state: 'broken', breaks: [brk(entries[50].key)], breakCount: 1 },
      writers: [writer('start', 0), writer('dropped', 120, { dropped: 5, error: 'ENOSPC' }), writer('start', 150, { pid: 5151, afterCrash: true })],
    });
    engine.addMalformed({ file: FILE, line: 7, offset: 900, reason: 'not JSON' });
    const v = await open(engine, { columns: 140 });
    await v.press('m');
    const lines = v.lines();
    expect(lines[3]).toBe('Not vouched for: 1 chain break · 1 gap (5 records dropped) · 1 crash · 1 malformed line · 3 unchained records  (Enter: go to its row)');
    expect(lines[4]).toMatch(/^› ✗ chain break {2}audit\.log:41 {2}modified: line 41 does not match/);
    expect(lines[5]).toBe('  ⚠ gap          audit.log:130  5 records dropped: ENOSPC');
    expect(lines[6]).toBe('  ⚠ crash        audit.log:160  writer restarted (pid 5151) without a stop before it');
    expect(lines[7]).toBe('  ? malformed    audit.log:7  not JSON');
    expect(lines[8]).toBe('  ⚠ unchained    3 records without seq/prev: not covered by the hash chain');
    // The break: the table, its row selected, with the entry it sits on after it.
    await v.press(KEY.enter);
    expect(selected(v)).toContain('━━ ✗ CHAIN BROKEN here: modified at audit.log:41');
    const at = v.lines().findIndex((l) => l.startsWith('›'));
    expect(v.lines()[at + 1]).toMatch(/^ {2}08:50:00 /);
    expect(header(v)).toContain('‖ paused');
    // The gap, with writer rows hidden: they are shown again to show it.
    await v.press('W', 'm', 'j', KEY.enter);
    expect(selected(v)).toContain('⚠ GAP 5 records dropped');
    await v.press('m', 'j', 'j', 'j', KEY.enter);
    expect(v.lines().at(-1)).toContain('not in the table');
  });

  it('lists a seal that fails, as the header says it, even with nothing else to report', async () => {
    const engine = new FakeEngine(day(4), { chain: intact(8) });
    const v = await open(engine, { columns: 100 });
    v.store.dispatch({ type: 'seal', seal: { checked: 1, notSealed: 0, unchecked: 0, sealedUntil: null, unsealed: 2, failure: { kind: 'mac', file: FILE, line: 7, origin: '' } } });
    await v.press('m');
    const lines = v.lines();
    expect(lines.some((l) => l.startsWith('Not vouched for: 1 seal failed'))).toBe(true);
    expect(lines).toContain('› ✗ seal failed  audit.log:7  mac: the seal does not verify with the key given');
    await v.press(KEY.enter);
    expect(v.lines().at(-1)).toContain('not in the table');
  });

  it('says there is nothing to report when there is nothing', async () => {
    const v = await open(new FakeEngine(day(3), { chain: intact(6), writers: [writer('start', 0)] }));
    await v.press('m');
    expect(v.lines().at(-1)).toContain('nothing to report');
  });
});
