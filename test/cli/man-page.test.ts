/**
 * man/sudo-proxy-audit.1 is the help texts as roff: regenerated here and compared with the
 * committed page (run `npm run man` when this fails), read by `man` itself, and every option
 * a --help names is on it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpToRoff, roffText } from '../../src/cli/commands/man-page.js';
import { requireTool } from '../helpers/system-tools.js';
import { currentManPage, MAN_PAGE, REPO } from '../man/current.js';
import { runCli } from './helpers.js';

const run = promisify(execFile);
const man = requireTool('man', { package: 'man-db', for: 'reading the man page with man' });
const groff = requireTool('groff', { package: 'groff-base', for: 'checking the man page with groff' });

describe('the man page', () => {
  it('is what the current help texts make (run `npm run man` when this fails)', async () => {
    expect(fs.readFileSync(MAN_PAGE, 'utf8')).toBe(await currentManPage());
  });

  it.skipIf(!groff.found)('has no roff warnings', async () => {
    const { stderr } = await run(groff.path, ['-man', '-Tutf8', '-ww', '-z', MAN_PAGE]);
    expect(stderr).toBe('');
  });

  it.skipIf(!man.found)("reads with `man ./man/sudo-proxy-audit.1`, every command and every option each --help names on it", async () => {
    const { stdout } = await run(man.path, ['./man/sudo-proxy-audit.1'], { cwd: REPO, env: { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' } });
    const page = stdout.replace(/\u2010|\u2212/g, '-');
    expect(page).toMatch(/^SUDO-PROXY-AUDIT\(1\)/);
    const commands = ['view', 'print', 'stats', 'verify', 'seal', 'demo', 'schema', 'completion'];
    for (const command of commands) {
      expect(page, command).toMatch(new RegExp(`^ {3}${command}$`, 'm'));
      const help = (await runCli([command, '--help'])).stdout;
      for (const option of help.matchAll(/^ {2,}(?:-\w, )?(--[\w-]+)/gm)) expect(page, `${command} ${option[1]}`).toContain(option[1]);
    }
  });
});

describe('help text to roff', () => {
  it("escapes what roff would act on: a line's leading dot or quote, backslashes, hyphens; drops control characters", () => {
    expect(roffText('.TH evil')).toBe('\\&.TH evil');
    expect(roffText("'br")).toBe("\\&'br");
    expect(roffText('a\\b --x')).toBe('a\\eb \\-\\-x');
    expect(roffText('ok\u001b[2J…')).toBe('ok[2J\\[u2026]');
  });

  it('paragraphs fill, headings are bold, option lines are tagged paragraphs, other indented blocks stay as they are', () => {
    const help = [
      'A paragraph that',
      'goes on.',
      '',
      'Options:',
      '  -f, --follow   keep running',
      '                 until stopped',
      '      --state STATE',
      '                 the state',
      '',
      '  init    makes it',
      '          once',
      '',
    ].join('\n');
    expect(helpToRoff(help)).toEqual([
      '.PP',
      'A paragraph that',
      'goes on.',
      '.PP',
      '.B "Options:"',
      '.TP',
      '.B "\\-f, \\-\\-follow"',
      'keep running',
      'until stopped',
      '.TP',
      '.B "\\-\\-state STATE"',
      'the state',
      '.PP',
      '.RS 4',
      '.nf',
      'init    makes it',
      '        once',
      '.fi',
      '.RE',
    ]);
  });
});
