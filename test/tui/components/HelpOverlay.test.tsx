import { describe, expect, it } from 'vitest';
import { HelpOverlay } from '../../../src/tui/components/HelpOverlay.js';
import { helpLines } from '../../../src/tui/help.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

describe('HelpOverlay', () => {
  it('lists every key the viewer reads', async () => {
    const { frame } = await renderComponent(<HelpOverlay scroll={0} height={60} width={80} theme={createTheme(true)} />);
    const prompt = ['Enter  Esc', 'Ctrl-W  Alt-BS', 'Ctrl-U'];
    for (const key of ['j k', 'PgDn PgUp', 'g  Home', 'G  F  End', 'Enter', '/', 'n N', 'm', 'f', 'h', 'o', 's', 't', 'W', 'S', 'c', ...prompt, '?', 'q  Ctrl-C']) {
      expect(frame).toContain(`  ${key}`);
    }
  });

  it('says the origin key is for collector directories', async () => {
    const { frame } = await renderComponent(<HelpOverlay scroll={0} height={40} width={100} theme={createTheme(true)} />, 100);
    expect(frame).toMatch(/ {2}o {20}by origin, the host a record was collected from: only when viewing a\n {23}collector directory \(Tab completes\)/);
  });

  it('wraps descriptions to the width', async () => {
    const { lines } = await renderComponent(<HelpOverlay scroll={0} height={40} width={60} theme={createTheme(true)} />, 60);
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(lines.join('\n')).toMatch(/cycle states: all, denied\+timeout,\n +failed, running, rejected, ok,\n +problems \(all but ok and running\)/);
    expect(lines.join('\n')).toMatch(/\(like less \+F\)\n\nLook/);
    expect(helpLines(60).length).toBeGreaterThan(helpLines(160).length);
  });

  it('scrolls when the terminal is short', async () => {
    const { lines } = await renderComponent(<HelpOverlay scroll={3} height={5} width={80} theme={createTheme(true)} />);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ {2}Ctrl-D Ctrl-U/);
    expect(lines[4]).toMatch(/^ {2}↓ \d+ more lines \(j, PgDn\) · lines 4–7 of \d+$/);
  });

  it('at 120×35 does not cut its last line silently: the bottom row says more follows, and the end can be reached', async () => {
    // 35 rows: 34 drawn, 3 header and 1 footer lines → 30 rows for the pane.
    const all = helpLines(120).length;
    expect(all).toBeGreaterThan(30);
    const top = (await renderComponent(<HelpOverlay scroll={0} height={30} width={120} theme={createTheme(true)} />, 120)).lines;
    expect(top[29]).toBe(`  ↓ ${all - 29} more line${all - 29 === 1 ? '' : 's'} (j, PgDn) · lines 1–29 of ${all}`);
    const end = (await renderComponent(<HelpOverlay scroll={all} height={30} width={120} theme={createTheme(true)} />, 120)).lines;
    expect(end[28]).toMatch(/^ {2}q {2}Ctrl-C/);
    expect(end[29]).toMatch(/end · lines \d+–\d+ of \d+/);
  });
});
