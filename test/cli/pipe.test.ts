/**
 * A log of several MB (more than the engine reads first as its tail): every request printed
 * once, oldest first; and output to a reader that goes away (`| head`) ends quietly.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { CLI, cliEnv, collect, linesOf, makeTempDirFactory, readLines, runCli, spawnCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-pipe');
let big: string;

beforeAll(() => {
  big = path.join(tempDir(), 'audit.log');
  // ~8 MB: far more output than a pipe buffers, so the writer must meet the closed pipe.
  generateLog({ path: big, count: 20_000, seed: 5 });
});

describe.concurrent('a closed pipe', () => {
  it.each([['print'], ['print', '--json']])('`%s BIG | head -n 3` prints 3 lines and exits 0 without a word on stderr', async (...args) => {
    const dir = tempDir();
    const stderrFile = path.join(dir, 'stderr');
    const script = `set -o pipefail; "$0" "$1" ${args.join(' ')} "$2" 2>"$3" | head -n 3`;
    const child = spawn('bash', ['-c', script, process.execPath, CLI, big, stderrFile], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await collect(child);
    expect(linesOf(r.stdout)).toHaveLength(3);
    expect(fs.readFileSync(stderrFile, 'utf8')).toBe('');
    expect(r.code).toBe(0); // with pipefail: the CLI's own status
  });

  it('a reader that closes after the first chunk', async () => {
    const child = spawnCli(['print', '--json', big]);
    child.stdout?.once('data', () => child.stdout?.destroy());
    const r = await collect(child);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('a large log', () => {
  it('print --json lists every request exactly once, in log order; stats counts them all', async () => {
    const requestIds = readLines(big)
      .map((l) => JSON.parse(l) as { type: string; id?: string })
      .filter((r) => r.type === 'request')
      .map((r) => r.id);
    const r = await runCli(['print', '--json', big]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const entries = linesOf(r.stdout).map((l) => JSON.parse(l) as { id: string; anomalies: string[] });
    expect(entries.filter((e) => e.anomalies.length > 0)).toEqual([]);
    expect(entries.map((e) => e.id)).toEqual(requestIds);
    const stats = JSON.parse((await runCli(['stats', '--json', big])).stdout);
    expect(stats.total).toBe(requestIds.length);
  });
});
