import '../tz.js';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../src/shared/entry.js';
import { Table } from '../../../src/tui/components/Table.js';
import { layoutColumns } from '../../../src/tui/format/columns.js';
import { createTheme } from '../../../src/tui/theme.js';
import { BASE_MS, entryInState, makeEntry } from '../entries.js';
import { HOSTILE, RAW_CONTROL } from '../hostile.js';
import { renderComponent } from '../render.js';

const theme = createTheme(true);
const NOW = BASE_MS + 3_600_000;

function table(entries: Entry[], width: number, options: { cursor?: number; search?: string | null; height?: number; origin?: boolean } = {}) {
  return renderComponent(
    <Table
      layout={layoutColumns(width, 'time', { origin: options.origin })}
      rows={entries.map((entry, index) => ({ entry, index }))}
      cursor={options.cursor ?? entries.length - 1}
      height={options.height ?? entries.length}
      ctx={{ nowMs: NOW, timeStyle: 'time' }}
      search={options.search ?? null}
      emptyText="no entries yet"
      theme={theme}
    />,
    width,
  );
}

describe('Table', () => {
  it('renders each state with symbol and word at 80 columns', async () => {
    const entries = (['running', 'ok', 'failed', 'denied', 'timeout', 'rejected'] as const).map((s, i) =>
      entryInState(s, { timeMs: BASE_MS + i * 60_000, latencyMs: s === 'running' ? 0 : 4_200 }),
    );
    const { lines } = await table(entries, 80);
    expect(lines[0]).toBe('  TIME     HOST     SESSION    STATE      COMMAND                 EXIT      TOOK');
    expect(lines[1]).toBe('  08:00:00 web-01   claude-7f… ▶ running  # apt-get install -y n… -       1h00m…');
    expect(lines[2]).toBe('  08:01:00 web-01   claude-7f… ✓ ok       # systemctl restart ng… 0        900ms');
    expect(lines[3]).toBe('  08:02:00 web-01   claude-7f… ✗ failed   # journalctl -u ssh | … 0|1        25s');
    expect(lines[4]).toBe('  08:03:00 web-01   claude-7f… ⊘ denied   # rm -rf /var/cache/ap… -            -');
    expect(lines[5]).toBe('  08:04:00 web-01   claude-7f… ◷ timeout  # rm -rf /var/cache/ap… -            -');
    expect(lines[6]).toBe('› 08:05:00 web-01   claude-7f… ⊗ rejected # rm -rf /var/cache/ap… -            -');
  });

  it('shows every column at 160: latency, full pipeline, exit codes, sizes with the truncation mark', async () => {
    const { lines } = await table([entryInState('failed', { timeMs: BASE_MS })], 160);
    expect(lines[0]).toMatch(/^ {2}TIME +HOST +SESSION +STATE +WAIT COMMAND +EXIT +TOOK +OUT$/);
    expect(lines[1]).toMatch(/^› 08:00:00 web-01 +claude-7f3c +✗ failed +4\.2s # journalctl -u ssh \| tail -50 +0\|1 +25s +1\.9M\+$/);
    expect(stringWidth(lines[1])).toBe(160);
  });

  it('renders only the rows it is given, marking the selected one', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => makeEntry({ timeMs: BASE_MS + i * 1_000 }));
    const { lines } = await table(entries, 80, { cursor: 2 });
    expect(lines.filter((l) => l.startsWith('›'))).toHaveLength(1);
    expect(lines[3]).toMatch(/^› 08:00:02/);
    expect(lines).toHaveLength(6);
  });

  it('says so when there is nothing to show', async () => {
    const { lines } = await table([], 80, { height: 3 });
    expect(lines[1]).toBe('  no entries yet');
  });

  it('escapes hostile strings in every column and keeps rows to the width', async () => {
    const entries = Object.values(HOSTILE).map((s) =>
      makeEntry({ host: s, session: s, pipeline: [['sh', '-c', s], [s]], reason: s, time: s, timeMs: Number.NaN }),
    );
    for (const width of [80, 160]) {
      const { raw, lines } = await table(entries, width);
      expect(raw).not.toMatch(RAW_CONTROL);
      expect(raw).not.toContain('\u001b]');
      for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(width);
    }
    const { frame } = await table([makeEntry({ pipeline: [['echo', HOSTILE.csi]] })], 160);
    expect(frame).toContain("# echo $'\\e[2J\\e[31mred'");
  });

  it('keeps rows with wide characters to the width', async () => {
    const { lines } = await table([makeEntry({ host: '主机-東京', session: '🚀rocket', pipeline: [['echo', '日本語のテキスト', '😀😀😀']] })], 80);
    expect(stringWidth(lines[1])).toBe(80);
    expect(lines[1]).toMatch(/900ms$/);
  });

  describe('with an origin column (a collector directory)', () => {
    const fleet = () => [
      makeEntry({ timeMs: BASE_MS, origin: 'db-1', host: 'db-1' }),
      makeEntry({ timeMs: BASE_MS + 60_000, origin: 'web-02', host: 'laptop-of-bob' }),
    ];

    it('shows ORIGIN before HOST at 160', async () => {
      const { lines } = await table(fleet(), 160, { origin: true });
      expect(lines[0]).toMatch(/^ {2}TIME +ORIGIN +HOST +SESSION +STATE +WAIT COMMAND/);
      expect(lines[1]).toMatch(/^ {2}08:00:00 db-1 +db-1 +claude-7f3c /);
      expect(lines[2]).toMatch(/^› 08:01:00 web-02 +laptop-of-b… claude-7f3c /);
      for (const line of lines) expect(stringWidth(line)).toBe(160);
    });

    it('gives the origin the host label\'s place at 80, keeping exit codes', async () => {
      const { lines } = await table(fleet(), 80, { origin: true });
      expect(lines[0]).toBe('  TIME     ORIGIN   SESSION    STATE      COMMAND                 EXIT      TOOK');
      expect(lines[2]).toBe('› 08:01:00 web-02   claude-7f… ✓ ok       # systemctl restart ng… 0        900ms');
    });

    it('has no origin column for files read directly', async () => {
      const { lines } = await table(fleet(), 160);
      expect(lines[0]).not.toContain('ORIGIN');
      expect(lines[2]).not.toContain('web-02');
    });

    it('escapes hostile origins and keeps rows to the width', async () => {
      const entries = Object.values(HOSTILE).map((s) => makeEntry({ origin: s }));
      for (const width of [80, 160]) {
        const { raw, lines } = await table(entries, width, { origin: true });
        expect(raw).not.toMatch(RAW_CONTROL);
        expect(raw).not.toContain('\u001b]');
        for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(width);
      }
      const { lines } = await table([makeEntry({ origin: HOSTILE.osc })], 160, { origin: true });
      expect(lines[1]).toMatch(/^› \d\d:\d\d:\d\d \\e\]0;pwned\\… /);
    });
  });
});
