/**
 * What the read-back of a line rewritten in place (rewrite-in-place.test.ts) still showed wrong:
 * an entry none of whose lines reads as indexed was shown from the columns with an empty id —
 * the one thing an operator searches and cites an entry by.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-rewrite-gaps');
const engines: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** A chained log: a request answered, then requests never answered (one with a UUID, one with an upper-case id). */
function writeLog(): string {
  const file = path.join(tempDir(), 'audit.log');
  const log = openAuditLog({ path: file, warn: (m) => expect.fail(m) });
  const ask = (id: string, argv: string[]) =>
    log.request({ id, time: '2026-12-04T00:00:00Z', host: 'web-01', session: 'ssh:op', pipeline: [argv], resolved: [`/usr/bin/${argv[0]}`], env_keys: [], reason: 'look', privileged: true, decision: 'approved', via: 'operator', latency_ms: 5 } as never);
  ask('a1', ['ls']);
  log.response({ id: 'a1', time: '2026-12-04T00:00:01Z', status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 10, stdout_truncated: false, duration_ms: 3 } as never);
  ask('a2', ['df']);
  ask(UUID, ['id']);
  ask('Upper-B3', ['w']);
  log.close();
  return file;
}

/** `from` made `to` in place (same length). */
function rewrite(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  expect(to.length).toBe(from.length);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, to, Buffer.byteLength(text.slice(0, at)));
  fs.closeSync(fd);
}

describe('an entry whose every line was rewritten in place (#12)', () => {
  for (const [name, options] of [
    ['read as the tail', { follow: false }],
    ['read as a history in chunks', { follow: false, tailBytes: 100, parallelMinBytes: 0, scanWorkers: 0 }],
  ] as const) {
    it(`keeps its id, as the index kept it, ${name}`, async () => {
      const file = writeLog();
      const engine = openEngine([file], options);
      engines.push(engine);
      await engine.indexed();
      rewrite(file, '[["df"]]', '[["rm"]]');
      rewrite(file, '[["id"]]', '[["rm"]]');
      const ids = Array.from({ length: engine.size() }, (_, p) => engine.entry(p).id);
      expect(ids).toEqual(['a1', 'a2', UUID, 'Upper-B3']);
      expect(engine.entry(1).pipeline).toEqual([['df']]);
      expect(engine.entry(2).pipeline).toEqual([['id']]);
      const breaks = (engine.chainStatus as () => ChainStatus).call(engine).breaks;
      expect(breaks.filter((b) => b.kind === 'modified').map((b) => b.entryKey)).toEqual([1, 2]);
    });
  }

  it('a rewritten id whose text the index kept only lower-cased is not guessed', async () => {
    const file = writeLog();
    const engine = openEngine([file], { follow: false });
    engines.push(engine);
    await engine.indexed();
    rewrite(file, '[["w"]]', '[["x"]]');
    const e = engine.entry(3);
    // 'upper-b3' is what search keeps; it is not the id, and no id is made up.
    expect(e.id).not.toBe('upper-b3');
    expect(e.pipeline).toEqual([['w']]);
  });
});

describe('an entry already read (in the reader\'s cache) whose line is then rewritten in place (#12)', () => {
  it('is checked again when asked for: the chain names the line, and the new bytes are never shown', async () => {
    const file = writeLog();
    const engine = openEngine([file], { follow: false });
    engines.push(engine);
    await engine.indexed();
    expect(engine.entry(0).pipeline).toEqual([['ls']]);
    expect(engine.entry(1).pipeline).toEqual([['df']]);
    // (The next turn, as a viewer's next frame is: a read-ahead is good for one turn only.)
    await new Promise((resolve) => setImmediate(resolve));
    rewrite(file, '[["ls"]]', '[["rm"]]');
    rewrite(file, '[["df"]]', '[["du"]]');
    expect(engine.entry(0).pipeline).toEqual([['ls']]);
    expect(engine.entry(1).pipeline).toEqual([['df']]);
    expect(engine.entry(1).id).toBe('a2');
    const breaks = (engine.chainStatus as () => ChainStatus).call(engine).breaks;
    expect(breaks.filter((b) => b.kind === 'modified').map((b) => b.entryKey)).toEqual([0, 1]);
  });

  it('an untouched entry read again is the same object (the cache still serves it)', async () => {
    const file = writeLog();
    const engine = openEngine([file], { follow: false });
    engines.push(engine);
    await engine.indexed();
    expect(engine.entry(0)).toBe(engine.entry(0));
    expect((engine.chainStatus as () => ChainStatus).call(engine).breaks).toEqual([]);
  });
});
