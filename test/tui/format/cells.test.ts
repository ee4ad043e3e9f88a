import '../tz.js';
import { describe, expect, it } from 'vitest';
import { commandText, durationText, entryCells, exitText, promptChar } from '../../../src/tui/format/cells.js';
import { layoutColumns } from '../../../src/tui/format/columns.js';
import { BASE_MS, entryInState, makeEntry } from '../entries.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';

const layout = layoutColumns(160, 'time');
const ctx = { nowMs: BASE_MS + 3_600_000, timeStyle: 'time' as const };
const cells = (e: ReturnType<typeof makeEntry>) => Object.fromEntries(entryCells(e, layout, ctx).map((c) => [c.id, c.text.trim()]));

describe('row cells', () => {
  it('shows each state as symbol and word, with its colour', () => {
    const expected = { running: '▶ running', ok: '✓ ok', failed: '✗ failed', denied: '⊘ denied', timeout: '◷ timeout', rejected: '⊗ rejected' };
    for (const [state, text] of Object.entries(expected)) {
      const e = entryInState(state as keyof typeof expected);
      const cell = entryCells(e, layout, ctx).find((c) => c.id === 'state');
      expect(cell?.text.trim()).toBe(text);
      expect(cell?.color).toBeDefined();
    }
  });

  it('marks privilege like a shell prompt: # privileged, $ not, ? unknown', () => {
    expect(promptChar(makeEntry({ privileged: true }))).toBe('#');
    expect(promptChar(makeEntry({ privileged: false }))).toBe('$');
    expect(promptChar(makeEntry({ decision: null, pipeline: [] }))).toBe('?');
    expect(commandText(makeEntry({ privileged: false, pipeline: [['uptime']] }))).toBe('$ uptime');
  });

  it('joins pipeline stages with | and per-stage exit codes with |', () => {
    const e = entryInState('failed');
    expect(cells(e).command).toBe('# journalctl -u ssh | tail -50');
    expect(exitText(e)).toBe('0|1');
    expect(exitText(makeEntry({ stages: [], status: 'error' }))).toBe('err');
    expect(exitText(entryInState('denied'))).toBe('-');
  });

  it('shows output sizes with a mark when truncated', () => {
    expect(cells(entryInState('failed')).out).toBe('1.9M+');
    expect(cells(makeEntry({ stdoutLen: 1_800 })).out).toBe('1.8K');
    expect(cells(entryInState('denied')).out).toBe('-');
  });

  it('ticks a running entry from its decision, and marks it as still going', () => {
    const e = entryInState('running', { timeMs: BASE_MS, latencyMs: 2_000 });
    expect(durationText(e, BASE_MS + 2_000 + 42_000)).toBe('42s…');
    expect(durationText(e, BASE_MS + 2_000 + 43_000)).toBe('43s…');
    expect(durationText(makeEntry({ durationMs: 900 }), 0)).toBe('900ms');
  });

  it('shows decision latency, or auto for a policy decision', () => {
    expect(cells(makeEntry({ latencyMs: 4_200 })).latency).toBe('4.2s');
    expect(cells(makeEntry({ via: 'policy', latencyMs: null })).latency).toBe('auto');
  });

  it('shows the local host as (local), and the raw time field when it is not a time', () => {
    expect(cells(makeEntry({ host: '' })).host).toBe('(local)');
    expect(cells(makeEntry({ time: 'yesterday-ish', timeMs: Number.NaN })).time).toBe('yesterd…');
  });

  it('escapes every hostile string and keeps each cell to its width', () => {
    for (const [name, s] of Object.entries(HOSTILE)) {
      const e = makeEntry({ host: s, session: s, pipeline: [['echo', s]], time: s, timeMs: Number.NaN });
      for (const cell of entryCells(e, layout, ctx)) {
        expect(cell.text, `${name} in ${cell.id}`).not.toMatch(RAW_CONTROL);
        expect(cell.text.length, `${name} in ${cell.id}`).toBe(layout.columns.find((c) => c.id === cell.id)?.width);
      }
    }
  });

  it('shows the origin, escaped and cut to its column like the host, when the layout has one', () => {
    const fleet = layoutColumns(160, 'time', { origin: true });
    const originCell = (e: ReturnType<typeof makeEntry>) => entryCells(e, fleet, ctx).find((c) => c.id === 'origin');
    expect(originCell(makeEntry({ origin: 'db-1', host: 'web-01' }))?.text.trim()).toBe('db-1');
    expect(originCell(makeEntry({ origin: 'a-very-long-collected-hostname' }))?.text).toBe('a-very-long…');
    for (const [name, s] of Object.entries(HOSTILE)) {
      const cell = originCell(makeEntry({ origin: s }));
      expect(cell?.text, name).not.toMatch(RAW_CONTROL);
      expect(cell?.text.length, name).toBe(12);
    }
    expect(originCell(makeEntry({ origin: HOSTILE.csi }))?.text).toBe('\\e[2J\\e[31m…');
    expect(entryCells(makeEntry({ origin: 'db-1' }), layout, ctx).some((c) => c.id === 'origin')).toBe(false);
  });
});
