/**
 * The descriptors a fleet keeps for reading lines back were 64 whatever `ulimit -n` allowed: under
 * a limit of 64 (a container's, a hardened service's) `print` and `stats` of any collector
 * directory of more than ~40 hosts exited 2 with EMFILE, the pool alone taking what the process
 * had. The pool is sized to the limit: every host is read under it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, collect, linesOf, makeTempDirFactory, response, writeLog } from '../cli/helpers.js';
import { requireTool } from '../helpers/system-tools.js';

const tempDir = makeTempDirFactory('spa-low-fd-limit');
const HOSTS = 150;
const OPEN_FILES = 64;
const bash = requireTool('bash', { package: 'bash' });
let dir = '';

beforeAll(() => {
  if (!bash.found) return;
  dir = tempDir();
  for (let h = 0; h < HOSTS; h++) {
    const folder = path.join(dir, `host-${String(h).padStart(3, '0')}`);
    fs.mkdirSync(folder);
    writeLog(path.join(folder, 'audit.log'), [{ request: { id: `r-${h}`, time: '2026-12-01T08:00:00Z' } }, { response: response(`r-${h}`) }]);
  }
}, 60_000);

function limitedCli(args: string[]) {
  return spawn(bash.path, ['-c', `ulimit -n ${OPEN_FILES} && exec "$0" "$@"`, process.execPath, CLI, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.runIf(bash.found)(`a collector directory of ${HOSTS} hosts under ulimit -n ${OPEN_FILES}`, () => {
  it('print reads every host: exit 0', async () => {
    const r = await collect(limitedCli(['print', '--json', dir]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout)).toHaveLength(HOSTS);
  }, 30_000);

  it('stats counts every host: exit 0', async () => {
    const r = await collect(limitedCli(['stats', dir]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(${HOSTS} hosts)`);
  }, 30_000);
});
