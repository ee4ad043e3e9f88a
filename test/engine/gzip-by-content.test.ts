/**
 * A gzip file is read as gzip whatever its name (`cp audit.log.1.gz archived`): the viewer's
 * engine gives the same entries and malformed count for it as for the `.gz` copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { entriesOf, tempDir } from './helpers.js';

/** A rotated file of the real writer, gzipped twice: as `audit.log.1.gz` and as `archived`; and a live file after it. */
function archive(dir: string): { gz: string; archived: string; live: string } {
  const live = path.join(dir, 'audit.log');
  const log = openAuditLog({ path: live, warn: () => {}, rotationCheckMs: 0 });
  for (let i = 1; i <= 9; i++) {
    log.request({ id: `r${i}`, time: `2026-11-01T08:0${i}:00Z`, session: 's', pipeline: [['ls', `/d${i}`]], privileged: i % 2 === 0, decision: 'approved' });
    log.response({ id: `r${i}`, status: 'ok', stages: [{ exitCode: i % 3, stderr: 0 }], stdout: i, durationMs: i });
  }
  fs.renameSync(live, `${live}.1`);
  log.request({ id: 'after', time: '2026-11-01T09:00:00Z', session: 's', pipeline: [['uptime']], privileged: false, decision: 'denied' });
  log.close();
  const gz = `${live}.1.gz`;
  fs.writeFileSync(gz, gzipSync(fs.readFileSync(`${live}.1`)));
  fs.rmSync(`${live}.1`);
  const archived = path.join(dir, 'archived');
  fs.copyFileSync(gz, archived);
  return { gz, archived, live };
}

/** Entries with their file names replaced by a placeholder: the two copies differ only in name. */
const named = (entries: Entry[], file: string) => JSON.parse(JSON.stringify(entries).replaceAll(JSON.stringify(file).slice(1, -1), 'FILE')) as unknown;

async function read(files: string[], follow: boolean) {
  const engine = openEngine(files, { follow });
  await engine.indexed();
  const result = { entries: entriesOf(engine), malformed: engine.malformedCount() };
  await engine.close();
  return result;
}

describe('a gzip file without the .gz suffix', () => {
  for (const follow of [false, true]) {
    it(`gives the entries of its .gz copy, alone (follow: ${follow})`, async () => {
      const { gz, archived } = archive(tempDir('gzip-name'));
      const expected = await read([gz], follow);
      expect(expected.entries.length).toBe(9);
      expect(expected.malformed).toBe(0);
      const got = await read([archived], follow);
      expect(got.malformed).toBe(0);
      expect(named(got.entries, archived)).toEqual(named(expected.entries, gz));
    });
  }

  it('gives the entries of its .gz copy as history before a live file', async () => {
    const { gz, archived, live } = archive(tempDir('gzip-name'));
    const expected = await read([gz, live], false);
    expect(expected.entries.map((e) => e.id)).toEqual([...Array.from({ length: 9 }, (_, i) => `r${i + 1}`), 'after']);
    const got = await read([archived, live], false);
    expect(got.malformed).toBe(0);
    expect(named(got.entries, archived)).toEqual(named(expected.entries, gz));
  });
});
