import { describe, expect, it } from 'vitest';
import { ScrollPane } from '../../../src/tui/components/ScrollPane.js';
import type { Line } from '../../../src/tui/format/spans.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

const lines: Line[] = Array.from({ length: 8 }, (_, i) => [{ text: `line ${i}` }]);
const theme = createTheme(true);

describe('ScrollPane', () => {
  it('shows `height` lines from `scroll`, and never scrolls past the last screenful', async () => {
    expect((await renderComponent(<ScrollPane lines={lines} scroll={2} height={3} width={20} theme={theme} />)).lines).toEqual(['line 2', 'line 3', 'line 4']);
    expect((await renderComponent(<ScrollPane lines={lines} scroll={99} height={3} width={20} theme={theme} />)).lines).toEqual(['line 5', 'line 6', 'line 7']);
  });

  it('keeps its height when the content is shorter', async () => {
    const { lines: out } = await renderComponent(<ScrollPane lines={lines.slice(0, 2)} scroll={1} height={4} width={20} theme={theme} />);
    expect(out).toEqual(['line 0', 'line 1', '', '']);
  });

  it('with countMore, the last row says how much follows', async () => {
    const at = async (scroll: number) => (await renderComponent(<ScrollPane lines={lines} scroll={scroll} height={3} width={40} theme={theme} countMore />)).lines;
    expect(await at(0)).toEqual(['line 0', 'line 1', '  ↓ 6 more lines (j, PgDn)']);
    expect(await at(4)).toEqual(['line 4', 'line 5', '  ↓ 2 more lines (j, PgDn)']);
    expect(await at(5)).toEqual(['line 5', 'line 6', 'line 7']);
  });
});
