/**
 * Following the live file while it is appended to, rotated (create and copytruncate), deleted
 * and re-created. Delivery is awaited by polling (vi.waitFor), never by sleeping.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEngine, EngineNotice } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { type AuditLog, openAuditLog } from '../../src/writer/audit-log.js';
import { ids, jsonl, request, response, tempDir, WAIT } from './helpers.js';

const open: AuditEngine[] = [];
const logs: AuditLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) log.close();
  await Promise.all(open.splice(0).map((e) => e.close()));
});

function follow(file: string): { engine: AuditEngine; notices: EngineNotice[] } {
  const engine = openEngine([file]);
  open.push(engine);
  const notices: EngineNotice[] = [];
  engine.on('notice', (n) => notices.push(n));
  return { engine, notices };
}

function writer(file: string): AuditLog {
  const log = openAuditLog({ path: file, warn: () => {} });
  logs.push(log);
  return log;
}

const ask = (log: AuditLog, id: string) =>
  log.request({ id, time: '2026-11-01T08:00:00Z', session: 's', pipeline: [['ls', id]], privileged: false, decision: 'approved', via: 'policy' });
const answer = (log: AuditLog, id: string) => log.response({ id, status: 'ok', stages: [{ exitCode: 0, stderr: 0 }], stdout: 1, durationMs: 1 });

describe('following appends', () => {
  it('delivers appended requests and the responses that complete them', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = writer(file);
    const { engine } = follow(file);
    await engine.ready();
    ask(log, 'a');
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a']), WAIT);
    expect(engine.entry(0).state).toBe('running');
    const changes: unknown[] = [];
    engine.on('change', (c) => changes.push(c));
    answer(log, 'a');
    await vi.waitFor(() => expect(engine.entry(0).state).toBe('ok'), WAIT);
    expect(changes).toContainEqual({ prepended: 0, appended: 0, updated: 1 });
  });

  it('delivers every one of many appends in quick succession (the watcher throttles events)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = writer(file);
    const { engine } = follow(file);
    await engine.ready();
    const n = 2000;
    for (let i = 0; i < n; i++) ask(log, `q${i}`);
    await vi.waitFor(() => expect(engine.size()).toBe(n), WAIT);
    expect(ids(engine)).toEqual(Array.from({ length: n }, (_, i) => `q${i}`));
    // A last one after a burst, alone: the case where the final throttled event is dropped.
    ask(log, 'last');
    await vi.waitFor(() => expect(engine.size()).toBe(n + 1), WAIT);
  });

  it('holds a partial line until its newline arrives, even split inside a UTF-8 character', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, '');
    const { engine } = follow(file);
    await engine.ready();
    const line = Buffer.from(jsonl(request('a', { reason: 'café 日本 🚀' })));
    const cut = line.indexOf(Buffer.from('🚀')) + 2; // inside the 4-byte emoji
    fs.appendFileSync(file, line.subarray(0, cut));
    await vi.waitFor(() => expect(engine.progress().bytesDone).toBeGreaterThanOrEqual(cut), WAIT);
    expect(engine.size()).toBe(0);
    expect(engine.malformedCount()).toBe(0);
    fs.appendFileSync(file, line.subarray(cut, cut + 3));
    await vi.waitFor(() => expect(engine.progress().bytesDone).toBeGreaterThanOrEqual(cut + 3), WAIT);
    expect(engine.size()).toBe(0);
    fs.appendFileSync(file, line.subarray(cut + 3));
    await vi.waitFor(() => expect(engine.size()).toBe(1), WAIT);
    expect(engine.entry(0).reason).toBe('café 日本 🚀');
    expect(engine.malformedCount()).toBe(0);
  });

  it('counts a bad line appended live with its line number, and goes on', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')));
    const { engine } = follow(file);
    await engine.ready();
    fs.appendFileSync(file, 'garbage\n');
    fs.appendFileSync(file, jsonl(response('a')));
    await vi.waitFor(() => expect(engine.entry(0).state).toBe('ok'), WAIT);
    expect(engine.malformed()).toEqual([{ file, line: 2, offset: jsonl(request('a')).length, reason: 'not JSON' }]);
  });
});

describe('rotation while following', () => {
  it('logrotate create (rename + new file): nothing lost, nothing duplicated', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = writer(file);
    const { engine, notices } = follow(file);
    await engine.ready();
    const expected: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++) {
        const id = `${round}-${i}`;
        ask(log, id);
        expected.push(id);
        if (i === 120) fs.renameSync(file, `${file}.${round + 1}`); // mid-burst; the writer reopens on its next append
      }
      // Rotations follow each other quickly here: with the writer's 1 ms shared rotation check a
      // round's later records may land in the renamed file, or a whole file be made and rotated
      // away before the follower looks (the next test).
      await vi.waitFor(() => expect(engine.size()).toBe(expected.length), WAIT);
    }
    for (const id of expected) answer(log, id);
    await vi.waitFor(() => expect(engine.query({ states: ['ok'] }).length).toBe(expected.length), WAIT);
    expect(ids(engine)).toEqual(expected);
    expect(notices.filter((n) => n.kind === 'rotated').length).toBeGreaterThanOrEqual(1);
    expect(engine.malformedCount()).toBe(0);
  });

  it('two rotations before the follower looks: the file made and rotated away in between is read too', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')));
    const { engine, notices } = follow(file);
    await engine.ready();
    // All in one turn of the event loop: the follower cannot look in between.
    fs.appendFileSync(file, jsonl(request('b')));
    fs.renameSync(file, `${file}-2026112701`);
    fs.writeFileSync(file, jsonl(request('c'), request('d')));
    fs.renameSync(file, `${file}-2026112702`);
    fs.writeFileSync(file, jsonl(request('e')));
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b', 'c', 'd', 'e']), WAIT);
    expect(notices.filter((n) => n.kind === 'rotated').length).toBeGreaterThanOrEqual(1);
    // Each line is cited in the file it is in now.
    const located = Array.from({ length: engine.size() }, (_, p) => engine.entry(p).request?.file);
    expect(located).toEqual([`${file}-2026112701`, `${file}-2026112701`, `${file}-2026112702`, `${file}-2026112702`, file]);
  });

  it('a file made and rotated away while the path was missing is read without waiting for the next one', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')));
    const { engine, notices } = follow(file);
    await engine.ready();
    // Rotated with no new file (the writer makes one at its next append): the follower waits.
    fs.renameSync(file, `${file}-2026112701`);
    await vi.waitFor(() => expect(notices.map((n) => n.kind)).toContain('waiting'), WAIT);
    // The writer makes the file and appends, and it is rotated away again, before the follower
    // looks: the path is missing again, and nothing more may be written for hours.
    fs.writeFileSync(file, jsonl(request('b'), request('c')));
    fs.renameSync(file, `${file}-2026112702`);
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b', 'c']), WAIT);
    // Cited in the file they are in.
    expect(engine.entry(1).request).toMatchObject({ file: `${file}-2026112702`, line: 1 });
    // The writer appends a late record to the file it has open, then makes the next one.
    fs.appendFileSync(`${file}-2026112702`, jsonl(response('b')));
    await vi.waitFor(() => expect(engine.entry(1).state).toBe('ok'), WAIT);
    fs.writeFileSync(file, jsonl(request('d')));
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b', 'c', 'd']), WAIT);
    expect(engine.entry(3).request).toMatchObject({ file, line: 1 });
  });

  it('a record appended to the old file just after the new one appeared is still read', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')));
    const { engine, notices } = follow(file);
    await engine.ready();
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, jsonl(request('b'))); // logrotate `create`: the new file is there at once
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b']), WAIT);
    expect(notices.map((n) => n.kind)).toContain('rotated');
    // A writer that has not looked yet appends one more record to the file it has open.
    fs.appendFileSync(`${file}.1`, jsonl(response('a')));
    await vi.waitFor(() => expect(engine.entry(0).state).toBe('ok'), WAIT);
    // Cited where the lines are now.
    expect(engine.entry(0).request).toMatchObject({ file: `${file}.1`, line: 1 });
    expect(engine.entry(0).response).toMatchObject({ file: `${file}.1`, line: 2 });
    expect(engine.entry(1).request).toMatchObject({ file, line: 1 });
  });

  it('copytruncate: starts again at 0, says so, and keeps what it had', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = writer(file);
    const { engine, notices } = follow(file);
    await engine.ready();
    for (const id of ['a', 'b', 'c']) ask(log, id);
    await vi.waitFor(() => expect(engine.size()).toBe(3), WAIT);
    fs.copyFileSync(file, `${file}.1`);
    fs.truncateSync(file, 0);
    ask(log, 'd'); // O_APPEND: lands at the new end, offset 0
    answer(log, 'a');
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b', 'c', 'd']), WAIT);
    await vi.waitFor(() => expect(engine.entry(0).state).toBe('ok'), WAIT);
    expect(notices.map((n) => n.kind)).toContain('truncated');
    expect(engine.entry(3).request).toMatchObject({ file, offset: 0, line: 1 });
    // Old entries are read back from the copy logrotate made.
    expect(engine.entry(1)).toMatchObject({ id: 'b', pipeline: [['ls', 'b']], request: { file: `${file}.1`, line: 3 } });
  });

  it('copytruncate that regrows past the old offset before it is noticed is still seen', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')));
    const { engine, notices } = follow(file);
    await engine.ready();
    await vi.waitFor(() => expect(engine.size()).toBe(1), WAIT);
    // Truncate and write more than before in one go (faster than any event).
    fs.writeFileSync(file, jsonl(request('b', { reason: 'a longer reason than before, so the file grows past the old offset' })));
    await vi.waitFor(() => expect(ids(engine)).toEqual(['b']), WAIT);
    expect(notices.map((n) => n.kind)).toContain('truncated');
    expect(engine.malformedCount()).toBe(0);
    // No copy was kept: the old entry's line is in no file, so the entry is gone, and said to be.
    expect(notices.filter((n) => n.kind === 'lost')).toMatchObject([{ file, records: 1 }]);
  });

  it('delete and re-create: waits, then follows the new file', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = writer(file);
    const { engine, notices } = follow(file);
    await engine.ready();
    ask(log, 'a');
    await vi.waitFor(() => expect(engine.size()).toBe(1), WAIT);
    fs.unlinkSync(file);
    await vi.waitFor(() => expect(notices.map((n) => n.kind)).toContain('waiting'), WAIT);
    ask(log, 'b'); // the writer sees the path gone and creates a new file
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a', 'b']), WAIT);
  });

  it('a file missing at start: says it waits, then reads it when it appears', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sub', 'audit.log');
    const { engine, notices } = follow(file);
    await engine.ready();
    expect(notices).toEqual([{ kind: 'waiting', file, message: `${file} does not exist (yet, or rotated away): waiting for it` }]);
    ask(writer(file), 'a');
    await vi.waitFor(() => expect(ids(engine)).toEqual(['a']), WAIT);
  });
});

describe('permission denied', () => {
  it('is an error notice that says what to do', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')), { mode: 0o600 });
    fs.chmodSync(file, 0o000);
    const child = fileURLToPath(new URL('./fixtures/open-engine.ts', import.meta.url));
    // As root, permissions do not apply: run the engine as nobody.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const mode of ['static', 'follow']) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', child, file, mode], { encoding: 'utf8', ...asNobody, env: { ...process.env, HOME: dir } });
      const { notices, size } = JSON.parse(out) as { notices: EngineNotice[]; size: number };
      expect(size).toBe(0);
      expect(notices).toContainEqual({ kind: 'error', file, message: `permission denied reading ${file}: run as the log's owner, or add read permission` });
    }
  });
});
