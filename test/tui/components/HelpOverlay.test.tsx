import { describe, expect, it } from 'vitest';
import { HelpOverlay } from '../../../src/tui/components/HelpOverlay.js';
import { helpLines } from '../../../src/tui/help.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

describe('HelpOverlay', () => {
  it('lists every key the viewer reads', async () => {
    const { frame } = await renderComponent(<HelpOverlay scroll={0} height={60} width={80} theme={createTheme(true)} />);
    const prompt = ['Enter  Esc', 'Ctrl-W  Alt-BS', 'Ctrl-U'];
    for (const key of ['j k', 'PgDn PgUp', 'g  Home', 'G  F  End', 'Enter', '/', 'n N', 'm', 'f', 'h', 'o', 's', 't', 'c', ...prompt, '?', 'q  Ctrl-C']) {
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
  });
});
