/**
 * The viewer over a collector directory (issue 7): entries carry the host they were collected
 * from. An ORIGIN column, an `o` filter, the origin in the details, the fleet size and the
 * duplicate lines dropped in the header — and none of it for files read directly.
 */
import './tz.js';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/shared/entry.js';
import { fleetEntries, makeEntry } from './entries.js';
import { FakeEngine } from './fake-engine.js';
import { HOSTILE, RAW_CONTROL } from './hostile.js';
import { KEY, type Viewer, viewerPerTest } from './render.js';

const ORIGINS = ['db-1', 'web-01', 'web-02'];

const open = viewerPerTest();

const fleet = (entries: Entry[] = fleetEntries(30, ORIGINS), duplicateLines = 0, origins = ORIGINS) =>
  new FakeEngine(entries, { origins, duplicateLines, files: origins.map((o) => `/srv/collector/${o}/audit.log`) });

const header = (v: Viewer) => v.lines()[0];
const titles = (v: Viewer) => v.lines()[3];
const footer = (v: Viewer) => v.lines().at(-1) ?? '';
const selected = (v: Viewer) => v.lines().find((l) => l.startsWith('›')) ?? '';
const rows = (v: Viewer) => v.lines().slice(4, -1).filter((l) => /^[› ] \d\d:/.test(l));

describe('the viewer over a collector directory', () => {
  it('at 80×24: the fleet size and duplicates in the header, ORIGIN in place of the host label', async () => {
    const v = await open(fleet(undefined, 2));
    expect(header(v)).toBe('sudo-proxy-audit  3 hosts · 2 duplicate lines dropped  ● live  UTC');
    expect(titles(v)).toMatch(/^ {2}TIME +ORIGIN +SESSION +STATE +COMMAND +EXIT +TOOK$/);
    expect(selected(v)).toMatch(/^› 08:29:00 web-02 +claude-7f… ✓ ok /);
    for (const line of v.lines()) expect(stringWidth(line)).toBeLessThanOrEqual(80);
  });

  it('at 160: ORIGIN before the request\'s own HOST label', async () => {
    const entries = fleetEntries(6, ORIGINS).map((e, i) => (i === 5 ? { ...e, host: 'laptop-of-bob' } : e));
    const v = await open(fleet(entries), { columns: 160, rows: 30 });
    expect(titles(v)).toMatch(/^ {2}TIME +ORIGIN +HOST +SESSION +STATE +WAIT COMMAND/);
    expect(selected(v)).toMatch(/^› 08:05:00 web-02 +laptop-of-b… claude-7f3c /);
  });

  it('shows duplicates the engine drops later', async () => {
    const engine = fleet();
    const v = await open(engine);
    expect(header(v)).toBe('sudo-proxy-audit  3 hosts  ● live  UTC');
    await v.act(() => engine.dropDuplicates(7));
    expect(header(v)).toBe('sudo-proxy-audit  3 hosts · 7 duplicate lines dropped  ● live  UTC');
  });

  it('o filters by origin: the selected entry\'s as the hint, Tab completes, c clears', async () => {
    const v = await open(fleet());
    await v.press('k', 'o');
    expect(footer(v)).toMatch(/^origin: █web-01 +Enter takes it · BS clears it · Esc cancel$/);
    await v.press(KEY.ctrlU, 'w', KEY.tab);
    expect(footer(v)).toMatch(/^origin: web-01█/);
    await v.press(KEY.tab);
    expect(footer(v)).toMatch(/^origin: web-02█/);
    await v.press(KEY.ctrlU, 'd', KEY.tab, KEY.enter);
    expect(header(v)).toMatch(/filter: origin db-1$/);
    expect(footer(v)).toMatch(/10\/10 of 30$/);
    expect(v.lines()[1]).toMatch(/Σ 10 of 30$/);
    expect(rows(v).length).toBeGreaterThan(0);
    for (const row of rows(v)) expect(row.slice(11, 20)).toBe('db-1     ');
    await v.press('h', KEY.ctrlU, ...'nowhere', KEY.enter);
    expect(header(v)).toMatch(/filter: origin db-1 · host nowhere$/);
    expect(v.frame()).toContain('no entries match the filter (c clears it)');
    await v.press('c');
    expect(header(v)).not.toContain('filter');
    expect(footer(v)).toMatch(/30\/30$/);
  });

  it('an empty origin clears only the origin filter', async () => {
    const v = await open(fleet());
    await v.press('f', 'o', KEY.ctrlU, ...'web-01', KEY.enter);
    expect(header(v)).toMatch(/filter: denied\+timeout · origin web-01$/);
    await v.press('o', KEY.ctrlU, KEY.enter);
    expect(header(v)).toMatch(/filter: denied\+timeout$/);
  });

  it('shows the origin in the details, just before the host label', async () => {
    const entries = fleetEntries(3, ORIGINS).map((e, i) => (i === 2 ? { ...e, host: 'laptop-of-bob' } : e));
    const v = await open(fleet(entries));
    await v.press(KEY.enter);
    const lines = v.lines();
    const at = lines.findIndex((l) => l.startsWith('  origin '));
    expect(lines[at]).toBe('  origin      web-02');
    expect(lines[at + 1]).toBe('  host        laptop-of-bob');
  });

  it('escapes hostile origins in the table, the details, the prompt and the header', async () => {
    const hostile = Object.values(HOSTILE);
    const engine = fleet(hostile.map((s, i) => makeEntry({ origin: s, timeMs: Date.UTC(2026, 10, 26, 8, i) })), 0, [...hostile].sort());
    for (const columns of [80, 160]) {
      const v = await open(engine, { columns, rows: 30 });
      expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
      expect(v.frame()).toContain('one\\ntw');
      for (const line of v.lines()) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
      for (let i = 0; i < hostile.length; i++) {
        await v.press(KEY.enter);
        expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
        await v.press(KEY.escape, 'k');
      }
      // Tab offers each collected host as it is; the prompt and the filter show it escaped.
      await v.press('o', KEY.ctrlU);
      for (let i = 0; i < hostile.length; i++) {
        await v.press(KEY.tab);
        expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
      }
      await v.press(KEY.enter);
      expect(header(v)).toMatch(/filter: origin /);
      expect(footer(v)).toMatch(/1\/1 of 7$/);
      expect(v.rawFrame()).not.toMatch(RAW_CONTROL);
    }
  });
});

describe('the viewer over files read directly', () => {
  it('has no ORIGIN column, and the header names the file', async () => {
    for (const columns of [80, 160]) {
      const v = await open(new FakeEngine(fleetEntries(10, ['web-01'], { origin: '' })), { columns });
      expect(titles(v)).not.toContain('ORIGIN');
      expect(titles(v)).toMatch(/^ {2}TIME +HOST /);
      expect(header(v)).toBe('sudo-proxy-audit  audit.log  ● live  UTC');
    }
  });

  it('o says it needs a collector directory and opens no prompt', async () => {
    const v = await open(new FakeEngine(fleetEntries(10, ['web-01'], { origin: '' })));
    await v.press('o');
    expect(footer(v)).toMatch(/^o filters by origin: only when viewing a collector directory/);
    await v.press('j');
    expect(footer(v)).toMatch(/^\? help/);
  });
});
