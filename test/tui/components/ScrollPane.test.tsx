import { describe, expect, it } from 'vitest';
import { ScrollPane } from '../../../src/tui/components/ScrollPane.js';
import { paneRows } from '../../../src/tui/layout.js';
import type { Line } from '../../../src/tui/format/spans.js';
import { createTheme } from '../../../src/tui/theme.js';
import { renderComponent } from '../render.js';

const lines: Line[] = Array.from({ length: 8 }, (_, i) => [{ text: `line ${i}` }]);
const theme = createTheme(true);

describe('ScrollPane', () => {
  it('when the content overflows, the last row says where it is and how much follows; the end is reached', async () => {
    const at = async (scroll: number) => (await renderComponent(<ScrollPane lines={lines} scroll={scroll} height={3} width={60} theme={theme} />)).lines;
    expect(await at(0)).toEqual(['line 0', 'line 1', '  ↓ 6 more lines (j, PgDn) · lines 1–2 of 8']);
    expect(await at(4)).toEqual(['line 4', 'line 5', '  ↓ 2 more lines (j, PgDn) · lines 5–6 of 8']);
    expect(await at(6)).toEqual(['line 6', 'line 7', '  end · lines 7–8 of 8 (k, PgUp)']);
    // Never past the last screenful: the last line stays reachable, the row still says so.
    expect(await at(99)).toEqual(['line 6', 'line 7', '  end · lines 7–8 of 8 (k, PgUp)']);
  });

  it('keeps its height when the content is shorter, with no scroll row', async () => {
    const { lines: out } = await renderComponent(<ScrollPane lines={lines.slice(0, 2)} scroll={1} height={4} width={20} theme={theme} />);
    expect(out).toEqual(['line 0', 'line 1', '', '']);
    const exact = await renderComponent(<ScrollPane lines={lines.slice(0, 3)} scroll={0} height={3} width={20} theme={theme} />);
    expect(exact.lines).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('the rows left for content: one fewer when it overflows (the reducer scrolls by it)', () => {
    expect(paneRows(8, 3)).toBe(2);
    expect(paneRows(3, 3)).toBe(3);
    expect(paneRows(0, 3)).toBe(3);
  });
});
