/**
 * The viewer's manners in a real terminal (tmux): Ctrl-Z stops it and gives the shell its
 * screen back, `fg` redraws it; a terminal that cannot move the cursor gets a one-line
 * refusal; `y` sends OSC 52 bytes tmux (with set-clipboard on) takes into its buffer. Needs
 * `npm run build` and tmux.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuditLog, openAuditLog } from '../../src/writer/audit-log.js';
import { requireTool } from '../helpers/system-tools.js';
import { TmuxPane } from './tmux.js';
import { writeTerminalRequest } from './e2e-requests.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist/bin/cli.js');
const tmux = requireTool('tmux', { package: 'tmux' });

const ID = 'e2e00000-0000-4000-8000-00000000c0de';
let work = '';
let pane: TmuxPane | null = null;
let log: AuditLog | null = null;

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`build first (npm run build): ${cli} is missing`);
});

afterEach(() => {
  log?.close();
  log = null;
  pane?.kill();
  pane = null;
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function logWithOneEntry(): string {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tui-manners-'));
  const file = path.join(work, 'audit.log');
  log = openAuditLog({ path: file, warn: () => {} });
  writeTerminalRequest(log, ID, ['systemctl', 'restart', 'nginx']);
  return file;
}

describe.skipIf(!tmux.found)('the viewer\'s terminal manners', () => {
  it('Ctrl-Z leaves the alternate screen and stops; fg comes back and redraws', async () => {
    const file = logWithOneEntry();
    const p = (pane = new TmuxPane('tui-manners', 100, 30, { TZ: 'UTC' }));
    p.run(`clear; echo 'shell output before the viewer'; node ${cli} view ${file}`);
    await p.waitFor('the viewer', (s) => s.includes('# systemctl restart nginx') && s.includes('● live'), 60_000);
    expect(p.alternateScreenOn()).toBe(true);
    p.keys('C-z');
    const shell = await p.waitFor('the shell, the viewer stopped', (s) => /Stopped/.test(s) && s.includes('shell output before the viewer'));
    expect(shell).not.toContain('● live');
    expect(p.alternateScreenOn()).toBe(false);
    p.run('echo "the shell works: $((6 * 7))"');
    await p.waitFor('the shell answering', (s) => s.includes('the shell works: 42'));
    p.run('fg');
    await p.waitFor('the viewer redrawn', (s) => s.includes('# systemctl restart nginx') && s.includes('● live') && !s.includes('the shell works'));
    expect(p.alternateScreenOn()).toBe(true);
    // Keys work again (raw mode is back): ? opens the help, q quits.
    p.keys('?');
    await p.waitFor('the help', (s) => s.includes('next / previous entry'));
    p.keys('Escape');
    await p.waitFor('the help closed', (s) => !s.includes('next / previous entry'));
    p.keys('q');
    await p.waitFor('the shell\'s screen', () => !p.alternateScreenOn());
    p.run('echo "viewer exited $?"');
    await p.waitFor('the shell again', (s) => s.includes('viewer exited 0'));
  }, 120_000);

  it('TERM=dumb: one line on stderr pointing to print -f, exit code 2, no alternate screen', async () => {
    const file = logWithOneEntry();
    const p = (pane = new TmuxPane('tui-manners', 100, 30, { TZ: 'UTC' }));
    p.run(`clear; TERM=dumb node ${cli} view ${file} 2>/dev/null; echo "exited $?"; TERM=dumb node ${cli} view ${file} 2>&1 >/dev/null | wc -l`);
    const screen = await p.waitFor('the refusal', (s) => /exited 2\n\s*1\n/.test(s));
    expect(screen).not.toContain('● live');
    p.run(`TERM=dumb node ${cli} view ${file}`);
    await p.waitFor('the message', (s) => /TERM=dumb[\s\S]*print -f/.test(s));
  }, 120_000);

  it('y copies the id through OSC 52, which tmux with set-clipboard on takes into its buffer', async () => {
    const file = logWithOneEntry();
    const p = (pane = new TmuxPane('tui-manners', 120, 30, { TZ: 'UTC' }));
    p.tmux('set-option', '-s', 'set-clipboard', 'on');
    p.run(`clear; node ${cli} view ${file}`);
    await p.waitFor('the viewer', (s) => s.includes('# systemctl restart nginx'), 60_000);
    p.keys('y');
    await p.waitFor('the footer note', (s) => s.includes(`copied the id ${ID}`) && s.includes('OSC 52'));
    expect(p.tmux('show-buffer')).toBe(ID);
    p.keys('Y');
    await p.waitFor('the command copied', (s) => s.includes('copied the command'));
    expect(p.tmux('show-buffer')).toBe('systemctl restart nginx');
    p.keys('q');
  }, 120_000);
});
