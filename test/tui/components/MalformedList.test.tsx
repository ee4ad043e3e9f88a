import { describe, expect, it } from 'vitest';
import { MalformedList, malformedLines } from '../../../src/tui/components/MalformedList.js';
import { createTheme } from '../../../src/tui/theme.js';
import { RAW_CONTROL } from '../hostile.js';
import { renderComponent } from '../render.js';

describe('MalformedList', () => {
  it('lists file:line and the reason of each malformed line, escaped', async () => {
    const items = [
      { file: '/var/log/sudo-proxy/audit.log', line: 12, offset: 400, reason: 'not JSON' },
      { file: '/var/log/sudo-proxy/audit.log\u001b[2J', line: 40, offset: 900, reason: 'schema: pipeline: expected array\u009b' },
    ];
    const { lines, raw } = await renderComponent(<MalformedList lines={malformedLines(items, 5)} scroll={0} height={3} width={80} theme={createTheme(true)} />);
    expect(lines[0]).toBe('5 malformed lines (the latest 2 listed)');
    expect(lines[1]).toBe('  audit.log:12  not JSON');
    expect(lines[2]).toBe('  audit.log\\e[2J:40  schema: pipeline: expected array\\x9b');
    expect(raw).not.toMatch(RAW_CONTROL);
  });
});
