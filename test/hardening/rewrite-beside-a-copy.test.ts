/**
 * A line rewritten in place is found by its fingerprint when read back (rewrite-in-place.test.ts)
 * — unless the read-back takes the line from elsewhere. A file truncated under the follower is
 * read from logrotate's copy beside it (copytruncate): the intruder makes that copy himself
 * (`cp audit.log audit.log.1`), then rewrites the line in the live file, which was never
 * truncated. The entry must not be cited from a copy of a file that still holds bytes where the
 * line was, and the chain must name the line as modified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OpenEngineOptions, openEngine } from '../../src/engine/engine.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-rewrite-copy');
const engines: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
const WAIT = { timeout: 10_000, interval: 20 };
const chainStatus = (engine: AuditEngine) => (engine.chainStatus as () => ChainStatus).call(engine);

function writeLog(): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  log.request({ id: 'a1', time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [['ls', '/srv/data']], resolved: ['/usr/bin/ls'], env_keys: [], reason: 'look', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
  log.request({ id: 'a2', time: '2026-12-04T00:00:01Z', host: 'web-01', session: 'ssh:op', pipeline: [['df']], resolved: ['/usr/bin/df'], env_keys: [], reason: 'look', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
  log.close();
  return file;
}

/** `ls` made `rm` in place; returns the line's number. */
function forge(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('["ls","/srv/data"]');
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, '["rm","/srv/data"]', Buffer.byteLength(text.slice(0, at)));
  fs.closeSync(fd);
  return text.slice(0, at).split('\n').length;
}

describe('a line rewritten in place, with a copy of the file made beside it first', () => {
  // (Followed only: a read without a follower keeps no evidence of how far it read, and still
  // takes the line from the copy; see the doc comment of FileSpans.mayBeTruncated.)
  for (const [name, options] of [['followed', { follow: true }]] as Array<[string, OpenEngineOptions]>) {
    it(`is named modified, and the entry is not cited from the copy, ${name}`, async () => {
      const file = writeLog();
      const engine = openEngine([file], options);
      engines.push(engine);
      await engine.indexed();
      await vi.waitFor(() => expect(chainStatus(engine).state).toBe('intact'), WAIT);
      fs.copyFileSync(file, `${file}.1`);
      const line = forge(file);
      const e = engine.entry(0);
      expect(e.pipeline).toEqual([['ls', '/srv/data']]);
      expect(e.request?.file).toBe(file);
      expect(chainStatus(engine).breaks).toContainEqual(expect.objectContaining({ kind: 'modified', file, line }));
    });
  }
});
