/**
 * Security events in a real terminal (issue #15): the built CLI's viewer over a log with a
 * replayed request and a policy change (ApprovedAlways): the header's count, the policy row in
 * place, the `f` preset that shows only security events, the detail pane, and `m`'s list.
 * Needs `npm run build` and tmux.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { STATE_PRESETS } from '../../src/tui/store/filters.js';
import { chainedLines, securityRecords } from '../helpers/security-log.js';
import { terminalBed } from './terminal-bed.js';
import type { TmuxPane } from './tmux.js';

const bed = terminalBed('tui-e2e-security-');
const { cli, tmux } = bed;

/** The viewer in tmux over securityRecords(), with `flags`; the shell says when it exits. */
function viewSecurityLog(session: string, flags: readonly string[]): TmuxPane {
  const file = path.join(bed.workDir(), 'audit.log');
  fs.writeFileSync(file, chainedLines(securityRecords()).map((l) => `${l}\n`).join(''));
  const pane = bed.pane(session, 160, 30, { TZ: 'UTC' });
  pane.run(`clear; node ${cli} view --no-follow ${flags.join(' ')} ${file}; echo "viewer exited $?"`);
  return pane;
}

describe.skipIf(!tmux.found)('security events in the viewer, in a real terminal', () => {
  it('a replay and a policy change: counted in the header, the change a row in place, f shows only them, Enter and m tell who and why', async () => {
    const p = viewSecurityLog('tui-e2e-security', []);
    await p.waitFor('the header count', (s) => s.includes('⚑ 2 security'), 60_000);
    await p.waitFor('the policy row', (s) => /┄┄ ⚑ POLICY CHANGED confirm_unprivileged: true → false by alice \(uid 1000\) on \/dev\/pts\/3 at build-01 ┄+/.test(s));
    // The security preset: the replay alone, and the policy change still in place.
    const presses = STATE_PRESETS.findIndex((preset) => preset.label === 'security');
    p.keys(...Array.from({ length: presses }, () => 'f'));
    const filtered = await p.waitFor('only security events', (s) => s.includes('security') && s.includes('⊗ rejected') && !s.includes('✓ ok'));
    if (!/POLICY CHANGED/.test(filtered)) throw new Error(`the policy row left the security view:\n${filtered}`);
    p.keys('G', 'Enter');
    await p.waitFor("the replay's detail", (s) => /reject +replay: its request id was seen before/.test(s) && s.includes('⚑ Security event') && /who decided +alice \(uid 1000\)/.test(s));
    p.keys('Escape', 'm');
    await p.waitFor('the change in the list', (s) => /⚑ policy +audit\.log:3 +confirm_unprivileged: true → false by alice/.test(s));
    p.keys('Enter');
    await p.waitFor('its row, selected', (s) => /› +.*┄┄ ⚑ POLICY CHANGED/.test(s));
    p.keys('Enter');
    await p.waitFor("the change's detail", (s) => s.includes('Policy change') && /who decided +alice/.test(s) && s.includes('Security event'));
    p.keys('Escape', 'q');
    await p.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
  }, 180_000);

  it('view --operator: opens with it applied and named; u replaces it (empty prompt, the current value as hint); the count follows', async () => {
    const p = viewSecurityLog('tui-e2e-operator', ['--operator', 'bob']);
    // Bob decided one request (c, via pkexec) and made no policy change: no security count, no policy row.
    const bob = await p.waitFor('the view of bob', (s) => s.includes('--operator bob') && /1 of 5/.test(s), 60_000);
    if (/POLICY CHANGED|⚑ \d+ security/.test(bob)) throw new Error(`bob made no policy change:\n${bob}`);
    p.keys('u');
    await p.waitFor('the prompt, bob as its hint', (s) => /^operator: .?bob/m.test(s));
    p.keys('a', 'l', 'i', 'c', 'e', 'Enter');
    await p.waitFor('the view of alice', (s) => s.includes('operator alice') && /3 of 5/.test(s) && s.includes('⚑ 2 security') && s.includes('POLICY CHANGED'));
    p.keys('q');
    await p.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
  }, 180_000);
});
