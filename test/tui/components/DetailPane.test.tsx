import '../tz.js';
import { describe, expect, it } from 'vitest';
import { DetailPane } from '../../../src/tui/components/DetailPane.js';
import { detailLines } from '../../../src/tui/format/detail.js';
import { createTheme } from '../../../src/tui/theme.js';
import { BASE_MS, entryInState } from '../entries.js';
import { renderComponent } from '../render.js';

const lines = detailLines(entryInState('failed'), 80, BASE_MS);

describe('DetailPane', () => {
  it('shows the top of the content and how much more there is', async () => {
    const { lines: out } = await renderComponent(<DetailPane lines={lines} scroll={0} height={10} width={80} theme={createTheme(true)} />);
    expect(out).toHaveLength(10);
    expect(out[0]).toMatch(/^✗ failed  # 00000000-/);
    expect(out[9]).toBe(`  ↓ ${lines.length - 9} more lines (j, PgDn) · lines 1–9 of ${lines.length}`);
  });

  it('scrolls, and never past the end', async () => {
    const { lines: out } = await renderComponent(<DetailPane lines={lines} scroll={1_000} height={10} width={80} theme={createTheme(true)} />);
    expect(out[8]).toMatch(/response +\/var\/log\/sudo-proxy\/audit\.log:/);
    expect(out[9]).toBe(`  end · lines ${lines.length - 8}–${lines.length} of ${lines.length} (k, PgUp)`);
    expect(out.join('\n')).not.toContain('more line');
  });
});
