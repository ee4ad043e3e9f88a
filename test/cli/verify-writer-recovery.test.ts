/**
 * `verify` (the built CLI) over logs the writer recovered: a last record that lost only its
 * final newline before a restart, and drops recorded by close() during a back-off. The writer's
 * own tests check the records; these check that the command an auditor runs agrees.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory, readLines, request, runCli, writeLog } from './helpers.js';
import { fillableDisk } from '../helpers/fillable-disk.js';

const tempDir = makeTempDirFactory('spa-cli-verify-writer');

describe('verify after the writer recovered', () => {
  it('a lost final newline, then a restart: no false "inserted", verify says ok with the head', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file, [{ request: { id: 'a1', time: '2026-11-01T08:00:00Z' } }]);
    fs.truncateSync(file, fs.statSync(file).size - 1); // cut only the last "\n"
    const restarted = openAuditLog({ path: file, warn: () => {} });
    restarted.request(request({ id: 'a2', time: '2026-11-01T08:01:00Z' }));
    restarted.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(6);
    const r = await runCli(['verify', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`ok: 6 records, head ${hashLine(lines[5])}\n`);
    expect(r.code).toBe(0);
  });

  it('drops recorded by close() while the writer backed off: verify says ok, and the gap is in the log', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const disk = fillableDisk();
    const log = openAuditLog({ path: file, warn: () => {}, fs: disk.fs });
    log.request(request({ id: 'a1', time: '2026-11-01T08:00:00Z' }));
    disk.full = true;
    for (let i = 0; i < 3; i++) log.request(request({ id: `lost-${i}`, time: '2026-11-01T08:00:01Z' }));
    disk.full = false;
    log.close();
    const records = readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((rec) => rec.event ?? rec.id)).toEqual(['start', 'a1', 'dropped', 'stop']);
    expect(records[2].dropped).toBe(3);
    const r = await runCli(['verify', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 4 records/);
  });
});
