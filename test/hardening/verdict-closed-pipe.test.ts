/**
 * A verdict is an exit status: `verify` (and `stats --strict`) must give it even when the reader
 * of its output has gone — `verify | true`, a witness cron's `| logger` that died, a `| head`
 * that stopped early. A closed pipe ends `print` quietly with 0 (it was asked for lines, and the
 * reader wants no more); it must not turn a tampered log's 1 into 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCollected } from '../cli/collector.js';
import { collect, KNOWN, makeTempDirFactory, readLines, spawnCli, writeLines, writeLog } from '../cli/helpers.js';

const tempDir = makeTempDirFactory('spa-verdict-pipe');
let intact = '';
let tampered = '';
let malformed = '';
/** A collector directory whose first host (by name) is intact and whose last was tampered with. */
let fleet = '';

beforeAll(() => {
  const dir = tempDir();
  intact = path.join(dir, 'audit.log');
  writeLog(intact, KNOWN);
  const lines = readLines(intact);
  tampered = path.join(dir, 'tampered.log');
  writeLines(tampered, lines.map((l, i) => (i === 4 ? l.replace('"s1"', '"s9"') : l)));
  expect(fs.readFileSync(tampered, 'utf8')).not.toBe(fs.readFileSync(intact, 'utf8'));
  malformed = path.join(dir, 'malformed.log');
  writeLines(malformed, [...lines.slice(0, 2), 'garbage', ...lines.slice(2)]);
  fleet = path.join(dir, 'fleet');
  writeCollected(fleet, 'a-web', lines);
  writeCollected(fleet, 'z-db', readLines(tampered));
});

/** The command's exit status when its stdout's reader is gone before it writes a byte. */
async function statusWithReaderGone(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(args);
  child.stdout?.destroy();
  const r = await collect(child);
  return { code: r.code, stderr: r.stderr };
}

describe.concurrent('a verdict with the reader of its output gone', () => {
  for (const json of [[], ['--json']]) {
    it(`verify ${json.join(' ')}: a tampered log still exits 1; an intact one 0`, async () => {
      expect((await statusWithReaderGone(['verify', ...json, tampered])).code).toBe(1);
      expect((await statusWithReaderGone(['verify', ...json, intact])).code).toBe(0);
    });
  }

  it('verify of a collector directory: the host checked after the first line was written still fails it', async () => {
    expect((await statusWithReaderGone(['verify', fleet])).code).toBe(1);
  });

  it('stats --strict: malformed lines still exit 1', async () => {
    expect((await statusWithReaderGone(['stats', '--strict', malformed])).code).toBe(1);
    expect((await statusWithReaderGone(['stats', '--strict', intact])).code).toBe(0);
  });
});
