/**
 * A collector directory with more hosts than the process may open files (`ulimit -n 256`,
 * 600 hosts of two files each): `print`, `stats`, `verify` and `print -f` read every host —
 * none silently dropped — and when following all of them would take more descriptors than
 * there are, the hosts read but not followed are named.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, collect, linesOf, makeTempDirFactory, openLog, readLines, request, response, writeLines, writeLog } from './helpers.js';
import { requireTool } from '../helpers/system-tools.js';

const tempDir = makeTempDirFactory('spa-cli-open-files');
const HOSTS = 600;
const OPEN_FILES = 256;
const bash = requireTool('bash', { package: 'bash' });

const hostName = (h: number) => `host-${String(h).padStart(3, '0')}`;
let dir = '';

/** Each host: one request and its response in audit.log.1 (rotated), one in audit.log; each host's times its own minute. */
function buildWideFleet(): string {
  const root = tempDir();
  const scratch = tempDir();
  for (let h = 0; h < HOSTS; h++) {
    const minute = (m: number) => new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + (h * 2 + m) * 60_000).toISOString();
    const file = path.join(scratch, `${h}.log`);
    writeLog(file, [
      { request: { id: `old-${h}`, time: minute(0) } },
      { response: response(`old-${h}`) },
      { request: { id: `new-${h}`, time: minute(1) } },
      { response: response(`new-${h}`) },
    ]);
    const lines = readLines(file);
    const folder = path.join(root, hostName(h));
    fs.mkdirSync(folder);
    writeLines(path.join(folder, 'audit.log.1'), lines.slice(0, 3));
    writeLines(path.join(folder, 'audit.log'), lines.slice(3));
  }
  return root;
}

/** The CLI with at most OPEN_FILES descriptors (the soft and hard limit). */
function limitedCli(args: string[]) {
  return spawn(bash.path, ['-c', `ulimit -n ${OPEN_FILES} && exec "$0" "$@"`, process.execPath, CLI, ...args], {
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const everyId = () => Array.from({ length: HOSTS }, (_, h) => [`old-${h}`, `new-${h}`]).flat();

beforeAll(() => {
  if (bash.found) dir = buildWideFleet();
}, 60_000);

describe.runIf(bash.found)(`a collector directory of ${HOSTS} hosts under ulimit -n ${OPEN_FILES}`, () => {
  it('print reads every host, none dropped: exit 0', async () => {
    const r = await collect(limitedCli(['print', '--json', dir]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = linesOf(r.stdout).map((l) => JSON.parse(l) as { id: string; origin: string });
    expect(entries.map((e) => e.id).sort()).toEqual(everyId().sort());
    expect(new Set(entries.map((e) => e.origin)).size).toBe(HOSTS);
  }, 30_000);

  it('stats counts every host and every request: exit 0', async () => {
    const r = await collect(limitedCli(['stats', dir]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(${HOSTS} hosts)`);
    expect(r.stdout).toMatch(new RegExp(`Requests:\\s+${HOSTS * 2}\\n`));
  }, 30_000);

  it('verify checks every host and keeps no descriptor per host: all ok, exit 0', async () => {
    const r = await collect(limitedCli(['verify', dir]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).filter((l) => /^host-\d{3}: ok: \d+ records, head /.test(l))).toHaveLength(HOSTS);
    expect(linesOf(r.stdout).at(-1)).toBe(`verified ${HOSTS} hosts: all ok`);
  }, 30_000);

  it('print -f shows every host, follows new records, and names the hosts it cannot follow', async () => {
    const child = limitedCli(['print', '-f', '--json', dir]);
    const done = collect(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const until = (ok: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (ok()) {
            clearInterval(timer);
            resolve();
          }
        }, 50);
        child.once('exit', (code) => {
          clearInterval(timer);
          reject(new Error(`exited (${code}): ${out.slice(-500)}`));
        });
      });
    await until(() => linesOf(out).length >= HOSTS * 2);
    // The host written last is the most recently active: one of those followed.
    const last = hostName(HOSTS - 1);
    const log = openLog(path.join(dir, last, 'audit.log'), []);
    log.request(request({ id: 'late-one', time: '2026-11-02T00:00:00Z', decision: 'denied' }));
    log.close();
    await until(() => out.includes('"late-one"'));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    const ids = linesOf(r.stdout).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.sort()).toEqual([...everyId(), 'late-one'].sort());
    // Not silently: either every host is followed, or the ones that are not are named.
    if (r.stderr !== '') expect(r.stderr).toMatch(/not followed.*host-\d{3}/s);
  }, 30_000);
});
