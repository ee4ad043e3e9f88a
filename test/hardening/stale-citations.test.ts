/**
 * The idle viewer's remembered answers (listed-lines.ts' last citing, the fleet's placed writer
 * events): a rotation that renames a file moves every citation of its lines — a writer row must
 * then cite the file the line is in now, not the name it had, or an operator opens the wrong file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openEngine } from '../../src/engine/engine.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import type { AuditEngine } from '../../src/shared/entry.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { sampleRequest } from '../writer/helpers.js';

const tempDir = makeTempDirFactory('spa-stale-cite');
const WAIT = { timeout: 10_000, interval: 20 };

/** A log by the real writer (its start and stop records are writer events). */
function writeLog(file: string): void {
  const log = openAuditLog({ path: file, warn: () => {} });
  for (let i = 0; i < 3; i++) log.request(sampleRequest(i));
  log.close();
}

/** logrotate's default: the live file renamed, a new one made. */
function rotate(file: string): void {
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, '', { mode: 0o600 });
}

const files = (engine: AuditEngine) => engine.writerEvents().map((w) => w.location.file);

describe('writer rows after the file they cite is renamed by a rotation', () => {
  it('cite the new name, one file followed', async () => {
    const file = path.join(tempDir(), 'audit.log');
    writeLog(file);
    const engine = openEngine([file], { follow: true });
    try {
      await engine.indexed();
      expect(files(engine).length).toBeGreaterThan(0);
      expect(new Set(files(engine))).toEqual(new Set([file]));
      rotate(file);
      await expect.poll(() => [...new Set(files(engine))], WAIT).toEqual([`${file}.1`]);
    } finally {
      await engine.close();
    }
  });

  it("cite the new name, a fleet's followed host", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'web-01'), { mode: 0o700 });
    fs.mkdirSync(path.join(dir, 'web-02'), { mode: 0o700 });
    const file = path.join(dir, 'web-01', 'audit.log');
    writeLog(file);
    writeLog(path.join(dir, 'web-02', 'audit.log'));
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    try {
      await engine.indexed();
      const mine = () => [...new Set(engine.writerEvents().filter((w) => w.origin === 'web-01').map((w) => w.location.file))];
      expect(mine()).toEqual([file]);
      rotate(file);
      await expect.poll(mine, WAIT).toEqual([`${file}.1`]);
    } finally {
      await engine.close();
    }
  });
});
