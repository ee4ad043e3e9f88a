import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { computeStats, factsOf } from '../../shared/oracles/entry-query.js';
import { Header } from '../../../src/tui/components/Header.js';
import type { HeaderInput } from '../../../src/tui/format/header.js';
import { createTheme } from '../../../src/tui/theme.js';
import { entryInState } from '../entries.js';
import { renderComponent } from '../render.js';

const input = (width: number, over: Partial<HeaderInput> = {}): HeaderInput => ({
  title: 'sudo-proxy-audit',
  files: ['/var/log/sudo-proxy/audit.log'],
  live: true,
  follow: true,
  unseen: 0,
  filter: [],
  search: null,
  stats: computeStats(['ok', 'ok', 'failed', 'running'].map((s) => factsOf(entryInState(s as 'ok')))),
  malformedCount: 2,
  width,
  ...over,
});

describe('Header', () => {
  it('has three lines within 80 columns: title, counts per state, percentiles with sparkline and malformed count', async () => {
    const { lines } = await renderComponent(<Header input={input(80)} theme={createTheme(true)} />, 80);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('sudo-proxy-audit  audit.log  ● live');
    expect(lines[1]).toBe('▶ 1 running  ✓ 2 ok  ✗ 1 failed  ⊘ 0 denied  ◷ 0 timeout  ⊗ 0 rejected  Σ 4');
    expect(lines[2]).toMatch(/^p50\/p95 latency 4\.2s\/4\.2s duration 900ms\/25s · +█+ 1\/min · 2 malformed \(m\)$/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
  });

  it('uses the room at 160 columns for full labels and the filter', async () => {
    const { lines } = await renderComponent(<Header input={input(160, { filter: ['failed'], follow: false, unseen: 3 })} theme={createTheme(true)} />, 160);
    expect(lines[0]).toMatch(/^sudo-proxy-audit  audit\.log  ‖ paused · 3 new +filter: failed$/);
    expect(lines[2]).toMatch(/^latency p50 4\.2s p95 4\.2s · duration p50 900ms p95 25s · +█+ 1\/min · 2 malformed \(m\)$/);
  });

  it('names a collector directory by its number of hosts and the duplicate lines dropped', async () => {
    const { lines } = await renderComponent(<Header input={input(80, { origins: 12, duplicateLines: 3 })} theme={createTheme(true)} />, 80);
    expect(lines[0]).toBe('sudo-proxy-audit  12 hosts · 3 duplicate lines dropped  ● live');
    const { lines: none } = await renderComponent(<Header input={input(80, { origins: 12, duplicateLines: 0 })} theme={createTheme(true)} />, 80);
    expect(none[0]).toBe('sudo-proxy-audit  12 hosts  ● live');
  });
});
