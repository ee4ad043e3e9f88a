/** `demo`: the simulated daemon as a subcommand writes a real, verifiable log. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesOf, makeTempDirFactory, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-demo');

describe('demo', () => {
  it('--count N writes N requests through the real writer and stops; the log verifies', async () => {
    const log = path.join(tempDir(), 'logs', 'audit.log');
    const r = await runCli(['demo', '--count', '4', '--rate', '40', '--speed', '2000', '--seed', '9', '--audit-log', log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(linesOf(r.stderr)).toEqual([`demo daemon writing to ${log} (Ctrl-C to stop)`, expect.stringMatching(new RegExp(`^demo daemon stopped: \\d+ records written to ${log.replace(/[.\\/]/g, '\\$&')}$`))]);
    const verify = await runCli(['verify', log]);
    expect(verify.code).toBe(0);
    const printed = await runCli(['print', '--json', log]);
    expect(linesOf(printed.stdout)).toHaveLength(4);
  });

  it('--history DURATION: a new log starts that long ago, with past traffic', async () => {
    const log = path.join(tempDir(), 'audit.log');
    const before = Date.now();
    const r = await runCli(['demo', '--history', '1m', '--count', '3', '--rate', '1', '--speed', '1000', '--seed', '9', '--audit-log', log]);
    expect(r.code).toBe(0);
    const fs = await import('node:fs');
    const [start, ...rest] = linesOf(fs.readFileSync(log, 'utf8')).map((l) => JSON.parse(l) as { type: string; event?: string; logged: string });
    expect(start).toMatchObject({ type: 'writer', event: 'start' });
    expect(Date.parse(start.logged)).toBeLessThan(before - 50_000);
    expect(rest.filter((x) => x.type === 'request')).toHaveLength(3);
    expect((await runCli(['verify', log])).code).toBe(0);
  });

  it('stops cleanly on SIGTERM, closing the log with a stop record', async () => {
    const log = path.join(tempDir(), 'audit.log');
    const { spawnCli, collect } = await import('./helpers.js');
    const child = spawnCli(['demo', '--rate', '20', '--speed', '1000', '--audit-log', log]);
    const done = collect(child);
    await new Promise<void>((resolve) => child.stderr?.once('data', () => resolve()));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    const fs = await import('node:fs');
    const last = JSON.parse(linesOf(fs.readFileSync(log, 'utf8')).at(-1) as string);
    expect(last).toMatchObject({ type: 'writer', event: 'stop' });
  });
});
