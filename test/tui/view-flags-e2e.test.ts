/**
 * `view` with print's filter flags, in a real terminal (tmux): the viewer opens with them
 * applied and names them in the header; `c` clears them. Needs `npm run build` and tmux.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { writeTerminalRequest } from './e2e-requests.js';
import { terminalBed } from './terminal-bed.js';

const bed = terminalBed('tui-view-flags-');
const { cli, tmux } = bed;

describe.skipIf(!tmux.found)('view with filter flags, in a real terminal', () => {
  it('opens with --state, --host and --grep applied, named in the header; c shows every entry again', async () => {
    const file = path.join(bed.workDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    writeTerminalRequest(log, 'flags000-0000-4000-8000-000000000001', ['uptime'], 'approved', 'web-02');
    writeTerminalRequest(log, 'flags000-0000-4000-8000-000000000002', ['rm', '-rf', '/srv/a'], 'denied', 'web-01');
    writeTerminalRequest(log, 'flags000-0000-4000-8000-000000000003', ['rm', '-rf', '/srv/b'], 'denied', 'web-02');
    writeTerminalRequest(log, 'flags000-0000-4000-8000-000000000004', ['shutdown', '-r'], 'denied', 'web-02');
    log.close();
    const pane = bed.pane('tui-view-flags', 120, 24, { TZ: 'America/New_York' });
    pane.run(`node ${cli} view --no-follow --state denied --host web-02 --grep /srv ${file}`);
    const screen = await pane.waitFor('the filtered view', (s) => s.includes('--state denied --host web-02 --grep /srv') && s.includes('rm -rf /srv/b'), 60_000);
    expect(screen).not.toContain('rm -rf /srv/a');
    expect(screen).not.toContain('shutdown -r');
    expect(screen).not.toContain('uptime');
    pane.keys('c');
    await pane.waitFor('every entry after c', (s) => ['uptime', 'rm -rf /srv/a', 'rm -rf /srv/b', 'shutdown -r'].every((c) => s.includes(c)) && !s.includes('--state denied'));
    pane.keys('q');
  });

  it('--utc shows UTC times whatever TZ says (the detail pane names the offset)', async () => {
    const file = path.join(bed.workDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    writeTerminalRequest(log, 'utc00000-0000-4000-8000-000000000001', ['uptime']);
    log.close();
    const pane = bed.pane('tui-view-flags', 120, 30, { TZ: 'America/New_York' });
    pane.run(`node ${cli} view --no-follow --utc ${file}`);
    await pane.waitFor('the entry', (s) => s.includes('uptime'), 60_000);
    pane.keys('Enter');
    const detail = await pane.waitFor('the detail pane', (s) => /\d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d/.test(s));
    expect(detail).toMatch(/\d\d:\d\d:\d\d\.\d{3} \+00:00/);
    expect(detail).not.toMatch(/-0[45]:00/);
    pane.keys('q');
  });

  it('refuses a bad filter flag before opening, as print does', async () => {
    const work = bed.workDir();
    const pane = bed.pane('tui-view-flags', 120, 24);
    pane.run(`node ${cli} view --since soon ${path.join(work, 'audit.log')}; echo "exit $?"`);
    const screen = await pane.waitFor('the error', (s) => s.includes('exit 2'));
    expect(screen).toMatch(/view: --since: 'soon' is not a time: use 2h/);
  });
});
