/**
 * A gzip file is read as gzip whatever its name: `cp audit.log.1.gz archived`, and `verify`,
 * `stats` and `print` answer for `archived` what they answer for the `.gz` copy (they once
 * disagreed: verify said ok, stats counted 0 requests and 8 malformed lines, print said
 * `archived:1: invalid UTF-8`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { KNOWN, makeTempDirFactory, runCli, writeLog } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-gzip-name');
let gz: string;
let archived: string;

beforeAll(() => {
  const dir = tempDir();
  const plain = path.join(dir, 'audit.log.1');
  writeLog(plain, KNOWN);
  gz = `${plain}.gz`;
  fs.writeFileSync(gz, gzipSync(fs.readFileSync(plain)));
  fs.rmSync(plain);
  archived = path.join(dir, 'archived');
  fs.copyFileSync(gz, archived);
});

/** The command's output for `archived` and for the `.gz` copy, the file's name replaced by FILE. */
async function both(args: string[]) {
  const [a, g] = await Promise.all([runCli([...args, archived]), runCli([...args, gz])]);
  const as = (r: typeof a, file: string) => ({ code: r.code, stdout: r.stdout.replaceAll(file, 'FILE'), stderr: r.stderr.replaceAll(file, 'FILE') });
  return { archived: as(a, archived), gz: as(g, gz) };
}

describe.concurrent('a gzip file without the .gz suffix', () => {
  it('verify: the same verdict as for the .gz copy', async () => {
    const r = await both(['verify']);
    expect(r.archived).toEqual(r.gz);
    expect(r.archived).toMatchObject({ code: 0, stderr: '' });
    expect(r.archived.stdout).toMatch(/^ok: 12 records, head [0-9a-f]{64}\n$/);
  });

  it('stats: the same figures as for the .gz copy', async () => {
    const r = await both(['stats', '--json']);
    expect(r.archived).toEqual(r.gz);
    expect(JSON.parse(r.archived.stdout)).toMatchObject({ total: 7, malformed_count: 0 });
    const text = await both(['stats']);
    expect(text.archived).toEqual(text.gz);
  });

  it('print: the same rows as for the .gz copy, and no malformed lines', async () => {
    for (const format of [[], ['--json']]) {
      const r = await both(['print', ...format]);
      expect(r.archived).toEqual(r.gz);
      expect(r.archived).toMatchObject({ code: 0, stderr: '' });
    }
    const json = await both(['print', '--json']);
    expect(json.archived.stdout.trim().split('\n')).toHaveLength(7);
  });
});
