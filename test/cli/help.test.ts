/** --help on every subcommand, --version, and the committed JSON Schema kept in step. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers.js';

const COMMANDS = ['view', 'print', 'stats', 'verify', 'demo', 'schema', 'completion'];

describe.concurrent('help and version', () => {
  it.each(COMMANDS)('%s --help (and -h, and help %s) prints its usage and exits 0', async (command) => {
    const long = await runCli([command, '--help']);
    expect(long.code).toBe(0);
    expect(long.stderr).toBe('');
    expect(long.stdout).toMatch(new RegExp(`^Usage: sudo-proxy-audit (\\[)?${command}`));
    expect((await runCli([command, '-h'])).stdout).toBe(long.stdout);
    expect((await runCli(['help', command])).stdout).toBe(long.stdout);
  });

  it('--help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
  });

  it('no arguments opens the viewer on the default log, which needs a terminal', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sudo-proxy-audit: not a terminal: use `sudo-proxy-audit print` or `stats` for scripts\n');
  });

  it('--help of print and stats documents every filter flag', async () => {
    for (const command of ['print', 'stats']) {
      const r = await runCli([command, '--help']);
      for (const flag of ['--state', '--host', '--session', '--since', '--until', '--failed', '--grep', '--privileged', '--json', '--strict']) {
        expect(r.stdout, `${command} ${flag}`).toContain(flag);
      }
    }
  });

  it('--help of view, print, stats and verify describes the collector directory form', async () => {
    for (const command of ['view', 'print', 'stats', 'verify']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout, command).toMatch(/^Usage: \S+ (\[view\]|\w+) \[FILE… \| DIR…\]/);
      expect(r.stdout, command).toContain('DIR, a collector directory (DIR/<host>/audit.log');
    }
    for (const command of ['print', 'stats', 'view']) {
      const out = (await runCli([command, '--help'])).stdout;
      for (const flag of ['--origin HOST', '--since TIME', '"2 hours ago"', '--time A..B', '--regex RE', '--id ID', '--utc']) expect(out, `${command} ${flag}`).toContain(flag);
    }
    expect((await runCli(['verify', '--help'])).stdout).toContain('HOST=HASH');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`sudo-proxy-audit ${version}\n`);
    }
  });
});

describe('help texts', () => {
  it.each([...COMMANDS, 'seal'])('%s --help says each thing once (no run of 10 words repeated)', async (command) => {
    const r = await runCli([command, '--help']);
    const words = r.stdout.split(/\s+/).filter(Boolean);
    const seen = new Set<string>();
    const repeated: string[] = [];
    for (let i = 0; i + 10 <= words.length; i++) {
      const run = words.slice(i, i + 10).join(' ');
      if (seen.has(run)) repeated.push(run);
      seen.add(run);
    }
    expect(repeated).toEqual([]);
  });
});

describe('schema', () => {
  it('the committed schema/audit-record.schema.json is what `sudo-proxy-audit schema` prints (run `npm run schema` when this fails)', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const committed = fs.readFileSync(path.join(REPO_ROOT, 'schema/audit-record.schema.json'), 'utf8');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(committed));
    expect(r.stdout).toBe(committed);
  });
});
